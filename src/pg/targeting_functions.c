/*
 * targeting_functions.c: the compiler's SQL entry points.
 *
 * compile_targeting and compile_targeting_funnel turn (rules, event_id,
 * as_of) into statement text; target_properties, playbook_targets and
 * targeting_funnel (PL/pgSQL, sql/0.1.0/07_targeting.sql) run that text, so
 * running the text yourself gives the same rows. polygon_contains is what a
 * compiled custom_polygon condition calls.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "contact_settings.h"
#include "core_error.h"
#include "jsonb_jsonc.h"
#include "geo_polygon.h"
#include "targeting_rules.h"
#include "targeting_functions.h"
#include "targeting_sql.h"

PG_FUNCTION_INFO_V1(stormops_compile_targeting);
PG_FUNCTION_INFO_V1(stormops_compile_targeting_funnel);
PG_FUNCTION_INFO_V1(stormops_polygon_contains);

/*
 * as_of as text that reads back to the same instant under any DateStyle and
 * TimeZone: ISO 8601 in UTC, e.g. "2019-03-27 12:00:00.000000+00".
 */
static char *
as_of_text(TimestampTz as_of)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(as_of) ||
		timestamp2tm(as_of, NULL, &tm, &fsec, NULL, NULL) != 0 || tm.tm_year < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of must be a finite timestamp after year 0"),
				 errhint("Pass a moment such as now() or '2019-03-27 12:00+00'.")));
	return psprintf("%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
					tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
					(int) fsec);
}

/*
 * stormops.behavior_form: 'auto' (the rule of docs/targeting.md, "How the
 * behavioural keys are read") or one form for every statement, for the
 * differential test (test/pgtap/behavior_counts.sql) and the benchmark that
 * measures the forms against each other; superusers only. 'counts' on a
 * database without the table fails when the statement runs.
 */
static int	behavior_form = -1;

static const struct config_enum_entry behavior_form_options[] = {
	{"auto", -1, false},
	{"lateral", SO_BEHAVIOR_LATERAL, false},
	{"aggregate", SO_BEHAVIOR_AGGREGATE, false},
	{"counts", SO_BEHAVIOR_COUNTS, false},
	{NULL, 0, false}
};

void
stormops_define_targeting_settings(void)
{
	DefineCustomEnumVariable("stormops.behavior_form",
							 "How compiled targeting reads behaviour events for the behavioral keys.",
							 "auto: behavior_counts as of now(), else by the rule set's shape; "
							 "lateral, aggregate or counts: that form always (the same answers).",
							 &behavior_form, -1, behavior_form_options, PGC_SUSET, GUC_NOT_IN_SAMPLE,
							 NULL, NULL, NULL);
}

/*
 * Whether the statement may read stormops.behavior_counts: the table exists
 * (a database still at 0.1.0 has none) and as_of is the transaction's now()
 * or later, as the storm worker and pg_cron run targeting. The counts form
 * gives the history's answer for any as_of (docs/targeting.md); for a past
 * as_of the history forms are cheaper, since more properties have events
 * after it. Not on Citus: its planner refuses the counts form's correlated
 * subquery under a LATERAL subquery without FROM, and the history forms run
 * on the shards (docs/scaling.md).
 */
static bool
reads_behavior_counts(TimestampTz as_of)
{
	Oid			schema;

	if (as_of < GetCurrentTransactionStartTimestamp())
		return false;
	if (OidIsValid(get_extension_oid("citus", true)))
		return false;
	schema = get_namespace_oid("stormops", true);
	return OidIsValid(schema) && OidIsValid(get_relname_relid("behavior_counts", schema));
}

typedef int (*statement_compiler) (const so_targeting *rules,
								   const so_targeting_context *ctx,
								   char **sql, so_error *err);

static Datum
compile(FunctionCallInfo fcinfo, statement_compiler compiler)
{
	Jsonb	   *rules_jsonb;
	so_targeting *rules = NULL;
	so_targeting_context ctx;
	so_error	err;
	char	   *sql = NULL;
	text	   *result;
	int			rc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("targeting rules must not be NULL"),
				 errhint("Pass '{}' to target every property.")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("as_of must not be NULL"),
				 errhint("Leave it out for now().")));
	ctx.event_id = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	ctx.as_of = as_of_text(PG_GETARG_TIMESTAMPTZ(2));
	ctx.as_of_year = stormops_local_year(PG_GETARG_TIMESTAMPTZ(2));
	if (behavior_form >= 0)
		ctx.behavior_form = (so_behavior_form) behavior_form;
	else if (reads_behavior_counts(PG_GETARG_TIMESTAMPTZ(2)))
		ctx.behavior_form = SO_BEHAVIOR_COUNTS;
	else
		ctx.behavior_form = SO_BEHAVIOR_BY_SHAPE;

	rules_jsonb = PG_GETARG_JSONB_P(0);
	if (stormops_targeting_from_jsonb(rules_jsonb, &rules, &err) != SO_OK)
		stormops_raise_core_error("targeting_rules", &err);

	/* the core's memory is malloc'd: release it before any error is raised */
	rc = compiler(rules, &ctx, &sql, &err);
	so_targeting_free(rules);
	if (rc != SO_OK)
		stormops_raise_core_error("targeting_rules", &err);
	result = cstring_to_text(sql);
	free(sql);
	PG_RETURN_TEXT_P(result);
}

Datum
stormops_compile_targeting(PG_FUNCTION_ARGS)
{
	return compile(fcinfo, so_targeting_compile);
}

Datum
stormops_compile_targeting_funnel(PG_FUNCTION_ARGS)
{
	return compile(fcinfo, so_targeting_compile_funnel);
}

/*
 * The parsed polygon, kept for the rest of the query in fn_extra: the
 * geometry is a constant of the compiled statement, parsed once instead of
 * once per property. When the planner says the argument cannot change
 * during the query (a Const or an external Param: the compiled statement's
 * case), the cache is used without looking at the argument again; otherwise
 * (a geometry from a column) it is compared byte for byte first, since the
 * same address may hold another row's value later. Its malloc'd memory is
 * released by a callback on the memory context that owns fn_extra.
 */
typedef struct polygon_cache
{
	Jsonb	   *geometry;		/* copy of the argument, to recognise it */
	bool		stable;			/* the argument cannot change in this query */
	so_geo_polygon *polygon;
	MemoryContextCallback release;
} polygon_cache;

static void
release_polygon(void *arg)
{
	polygon_cache *cache = (polygon_cache *) arg;

	so_geo_polygon_free(cache->polygon);
	cache->polygon = NULL;
}

static so_geo_polygon *
cached_polygon(FunctionCallInfo fcinfo)
{
	polygon_cache *cache = (polygon_cache *) fcinfo->flinfo->fn_extra;
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	Jsonb	   *geometry;
	Jsonb	   *copy;
	char	   *text;
	so_error	err;
	so_geo_polygon *polygon = NULL;

	/* a constant geometry: not even detoasted again */
	if (cache != NULL && cache->polygon != NULL && cache->stable)
		return cache->polygon;
	geometry = PG_GETARG_JSONB_P(0);
	if (cache != NULL && cache->polygon != NULL &&
		(cache->stable ||
		 (VARSIZE(cache->geometry) == VARSIZE(geometry) &&
		  memcmp(cache->geometry, geometry, VARSIZE(geometry)) == 0)))
		return cache->polygon;

	/*
	 * Allocate everything PostgreSQL-side first: an error there then leaks
	 * no malloc'd polygon and leaves the cache as it was.
	 */
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(mcxt, sizeof(polygon_cache));
		cache->release.func = release_polygon;
		cache->release.arg = cache;
		MemoryContextRegisterResetCallback(mcxt, &cache->release);
		cache->stable = get_fn_expr_arg_stable(fcinfo->flinfo, 0);
		fcinfo->flinfo->fn_extra = cache;
	}
	copy = MemoryContextAlloc(mcxt, VARSIZE(geometry));
	memcpy(copy, geometry, VARSIZE(geometry));
	text = JsonbToCString(NULL, &geometry->root, VARSIZE(geometry));

	if (so_geo_polygon_parse(text, strlen(text), "custom_polygon", &polygon, &err) != SO_OK)
	{
		pfree(copy);
		stormops_raise_core_error("custom_polygon", &err);
	}
	so_geo_polygon_free(cache->polygon);
	if (cache->geometry != NULL)
		pfree(cache->geometry);
	cache->polygon = polygon;
	cache->geometry = copy;
	return polygon;
}

Datum
stormops_polygon_contains(PG_FUNCTION_ARGS)
{
	so_geo_polygon *polygon = cached_polygon(fcinfo);

	PG_RETURN_BOOL(so_geo_polygon_contains(polygon, PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2)));
}
