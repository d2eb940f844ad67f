/*
 * contact_settings.c: the settings of contact plans (contact-plans.md) and
 * the local-time helpers SQL needs from C.
 *
 * Every setting here is policy (the hours the law allows calls in, how long
 * a step stays open, how many visits a rep makes), so only superusers and
 * ALTER SYSTEM may change them (PGC_SUSET), like the guardrail thresholds;
 * docs/security.md lists who may change what. SQL reads each through a
 * function: calling it loads this library, so the setting is defined
 * whenever SQL reads it.
 *
 * Time zones are PostgreSQL's: a name is valid when pg_tzset() loads it
 * from the tz database under exactly that spelling, in the IANA
 * Area/Location form (or UTC). POSIX rule strings ("EST5EDT,M3.2.0,...")
 * and abbreviations are refused: a property's calling hours must not hang on
 * a hand-written DST rule. Failure modes: a bad value in postgresql.conf
 * or SET is refused by the check hook with the accepted form in the hint;
 * the running value never becomes invalid.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"
#include "utils/guc.h"

#include "contact_settings.h"
#include "time_window.h"

PG_FUNCTION_INFO_V1(stormops_is_time_zone);
PG_FUNCTION_INFO_V1(stormops_default_time_zone);
PG_FUNCTION_INFO_V1(stormops_allowed_hours);
PG_FUNCTION_INFO_V1(stormops_step_open_hours);
PG_FUNCTION_INFO_V1(stormops_contact_max_attempts);
PG_FUNCTION_INFO_V1(stormops_high_ltv_threshold);
PG_FUNCTION_INFO_V1(stormops_visits_per_rep_per_day);
PG_FUNCTION_INFO_V1(stormops_attribution_days);

#define ZONE_HINT "An IANA time zone name such as America/Chicago or America/Denver (SELECT name FROM pg_timezone_names)."
#define HOURS_HINT "A daily range HH:MM-HH:MM in local time, the start before the end, e.g. 08:00-21:00 (the end may be 24:00)."

static char *default_time_zone = NULL;
static char *call_hours = NULL;
static char *door_knock_hours = NULL;
static int	step_open_hours = 72;
static int	contact_max_attempts = 3;
static double high_ltv_threshold = 20000;
static int	visits_per_rep_per_day = 20;
static int	attribution_days = 30;

/* Area/Location[/More] of letters, digits, _, + and -, or UTC. */
static bool
iana_shaped(const char *name)
{
	const char *s = name;
	bool		slash = false;

	if (strcmp(name, "UTC") == 0)
		return true;
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return false;
	for (; *s != '\0'; s++)
	{
		if (*s == '/')
		{
			if (s[1] == '\0' || s[1] == '/')
				return false;
			slash = true;
		}
		else if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
				   (*s >= '0' && *s <= '9') || *s == '_' || *s == '+' || *s == '-'))
			return false;
	}
	return slash && (s - name) < 64;
}

bool
stormops_time_zone_valid(const char *name)
{
	pg_tz	   *tz;

	if (name == NULL || !iana_shaped(name))
		return false;
	tz = pg_tzset(name);
	return tz != NULL && strcmp(pg_get_timezone_name(tz), name) == 0;
}

static bool
check_time_zone(char **newval, void **extra, GucSource source)
{
	if (stormops_time_zone_valid(*newval))
		return true;
	GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
	GUC_check_errdetail("\"%s\" is not an IANA time zone name.", *newval);
	GUC_check_errhint(ZONE_HINT);
	return false;
}

static bool
check_hours(char **newval, void **extra, GucSource source)
{
	so_clock_range range;
	so_clock_problem problem = so_parse_clock_range(*newval, strlen(*newval), &range);

	if (problem == SO_CLOCK_OK)
		return true;
	GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
	GUC_check_errdetail("\"%s\": %s.", *newval, so_clock_problem_text(problem, false));
	GUC_check_errhint(HOURS_HINT);
	return false;
}

void
stormops_define_contact_settings(void)
{
	DefineCustomStringVariable("stormops.default_time_zone",
							   "Time zone of properties whose ZIP has none, and of the calendar days of daily caps.",
							   "An IANA name; zip_codes.time_zone overrides it per ZIP.",
							   &default_time_zone, "America/Chicago",
							   PGC_SUSET, 0, check_time_zone, NULL, NULL);
	DefineCustomStringVariable("stormops.call_hours",
							   "Local hours in which phone and sms steps may go out.",
							   "HH:MM-HH:MM; the US rule for telephone solicitation is 08:00-21:00.",
							   &call_hours, "08:00-21:00",
							   PGC_SUSET, 0, check_hours, NULL, NULL);
	DefineCustomStringVariable("stormops.door_knock_hours",
							   "Local hours in which door_knock steps may go out.",
							   "HH:MM-HH:MM.",
							   &door_knock_hours, "09:00-20:00",
							   PGC_SUSET, 0, check_hours, NULL, NULL);
	DefineCustomIntVariable("stormops.step_open_hours",
							"Hours a step without duration_hours stays open after it is due.",
							"A step still unsent when it closes becomes expired.",
							&step_open_hours, 72, 1, 8760,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("stormops.contact_max_attempts",
							"Failed attempts after which a contact step is failed.",
							"A failed report returns the step to planned until this many.",
							&contact_max_attempts, 3, 1, 100,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("stormops.high_ltv_threshold",
							 "property_scores.ltv_score from which if_high_ltv holds.",
							 NULL,
							 &high_ltv_threshold, 20000, 0, 1e12,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("stormops.visits_per_rep_per_day",
							"Door knocks one rep makes in a day.",
							"A playbook's door_knock steps are claimed at most team_size_required times this per day.",
							&visits_per_rep_per_day, 20, 0, 1000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("stormops.attribution_days",
							"Days after its last contact that an execution stays open for outcomes.",
							"close_finished_executions completes an execution whose steps are final and whose last contact is older.",
							&attribution_days, 30, 0, 3650,
							PGC_SUSET, 0, NULL, NULL, NULL);
}

/* stormops.is_time_zone(name): whether name is an IANA zone PostgreSQL knows. */
Datum
stormops_is_time_zone(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_BOOL(stormops_time_zone_valid(name));
}

Datum
stormops_default_time_zone(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(default_time_zone));
}

PG_FUNCTION_INFO_V1(stormops_local_year_of);

Datum
stormops_local_year_of(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(stormops_local_year(PG_GETARG_TIMESTAMPTZ(0)));
}

int
stormops_local_year(TimestampTz at)
{
	Timestamp	local = DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone,
															  CStringGetTextDatum(default_time_zone),
															  TimestampTzGetDatum(at)));
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(local) || timestamp2tm(local, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for stormops.default_time_zone \"%s\"", default_time_zone),
				 errhint("Pass a finite moment, such as now() or '2019-03-27 12:00+00'.")));
	return tm.tm_year;
}

/* The allowed hours of a channel: call_hours, door_knock_hours, or all day. */
static so_clock_range
channel_hours(const char *channel)
{
	const char *setting = NULL;
	so_clock_range range = {0, 24 * 60};

	if (strcmp(channel, "phone") == 0 || strcmp(channel, "sms") == 0)
		setting = call_hours;
	else if (strcmp(channel, "door_knock") == 0)
		setting = door_knock_hours;
	/* the check hooks let only valid ranges in */
	if (setting != NULL && so_parse_clock_range(setting, strlen(setting), &range) != SO_CLOCK_OK)
		elog(ERROR, "stormops hours setting \"%s\" is invalid", setting);
	return range;
}

/*
 * stormops.allowed_hours(channel, timing_window): when a step may go out,
 * in local time, as (days, start_min, end_min): its timing_window (any day,
 * all day without one) intersected with its channel's hours
 * (stormops.call_hours for phone and sms, stormops.door_knock_hours for
 * door_knock). A row of NULLs when the two never meet.
 */
Datum
stormops_allowed_hours(PG_FUNCTION_ARGS)
{
	char	   *channel;
	so_window_days days = SO_DAYS_ANY;
	so_clock_range window = {0, 24 * 60};
	so_clock_range allowed;
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {true, true, true};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	channel = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (!PG_ARGISNULL(1))
	{
		char	   *spec = text_to_cstring(PG_GETARG_TEXT_PP(1));
		so_clock_problem problem = so_parse_window(spec, strlen(spec), &days, &window);

		if (problem != SO_CLOCK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid timing_window \"%s\": %s", spec, so_clock_problem_text(problem, true)),
					 errhint("A window like \"weekday_18:00-20:00\": any, weekday, weekend or mon..sun, then _HH:MM-HH:MM.")));
	}
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);
	if (so_clock_range_intersect(window, channel_hours(channel), &allowed))
	{
		values[0] = CStringGetTextDatum(so_window_days_name(days));
		values[1] = Int32GetDatum(allowed.start_min);
		values[2] = Int32GetDatum(allowed.end_min);
		nulls[0] = nulls[1] = nulls[2] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

Datum
stormops_step_open_hours(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(step_open_hours);
}

Datum
stormops_contact_max_attempts(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(contact_max_attempts);
}

Datum
stormops_high_ltv_threshold(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(high_ltv_threshold);
}

Datum
stormops_visits_per_rep_per_day(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(visits_per_rep_per_day);
}

Datum
stormops_attribution_days(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(attribution_days);
}
