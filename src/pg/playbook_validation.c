/*
 * playbook_validation.c: SQL-callable validators of a playbook's JSON parts.
 *
 * validate_*() back the domains stormops.targeting_rules and
 * stormops.channel_strategy and the cost_per_contact check: they raise the
 * core's error (22023, path in DETAIL, accepted values in HINT) or return
 * true. check_*() return the same problem as a row, for a control plane that
 * shows errors in a form instead of catching exceptions.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "channel_strategy.h"
#include "core_error.h"
#include "jsonb_jsonc.h"
#include "targeting_rules.h"

PG_FUNCTION_INFO_V1(stormops_validate_targeting_rules);
PG_FUNCTION_INFO_V1(stormops_validate_channel_strategy);
PG_FUNCTION_INFO_V1(stormops_validate_channel_costs);
PG_FUNCTION_INFO_V1(stormops_check_targeting_rules);
PG_FUNCTION_INFO_V1(stormops_check_channel_strategy);

/* A validator of a jsonb datum: SO_OK, or an error code with err filled. */
typedef int (*jsonb_validator) (Jsonb *jb, so_error *err);

/*
 * The core's text readers get the datum as JsonbToCString prints it: jsonb
 * has already dropped duplicate keys and normalised numbers, so the core
 * sees what PostgreSQL will store.
 */
static int
text_valid(Jsonb *jb, int (*valid) (const char *json, size_t len, so_error *err), so_error *err)
{
	char	   *text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	int			rc = valid(text, strlen(text), err);

	pfree(text);
	return rc;
}

/* Targeting rules are read from the jsonb itself when they can be (jsonb_jsonc.c). */
static int
targeting_rules_valid(Jsonb *jb, so_error *err)
{
	so_targeting *rules = NULL;
	int			rc = stormops_targeting_from_jsonb(jb, &rules, err);

	so_targeting_free(rules);
	return rc;
}

static int
channel_strategy_text_valid(const char *json, size_t len, so_error *err)
{
	so_channel_strategy *cs = NULL;
	int			rc = so_channel_strategy_parse(json, len, &cs, err);

	so_channel_strategy_free(cs);
	return rc;
}

static int
channel_strategy_valid(Jsonb *jb, so_error *err)
{
	return text_valid(jb, channel_strategy_text_valid, err);
}

static int
channel_costs_valid(Jsonb *jb, so_error *err)
{
	return text_valid(jb, so_channel_costs_validate, err);
}

static Datum
raise_or_true(FunctionCallInfo fcinfo, const char *document, jsonb_validator validator)
{
	so_error	err;

	if (validator(PG_GETARG_JSONB_P(0), &err) != SO_OK)
		stormops_raise_core_error(document, &err);
	PG_RETURN_BOOL(true);
}

Datum
stormops_validate_targeting_rules(PG_FUNCTION_ARGS)
{
	return raise_or_true(fcinfo, "targeting_rules", targeting_rules_valid);
}

Datum
stormops_validate_channel_strategy(PG_FUNCTION_ARGS)
{
	return raise_or_true(fcinfo, "channel_strategy", channel_strategy_valid);
}

Datum
stormops_validate_channel_costs(PG_FUNCTION_ARGS)
{
	return raise_or_true(fcinfo, "cost_per_contact", channel_costs_valid);
}

/* Zero rows when valid; one row (path, problem, expected, found) otherwise. */
static Datum
problem_rows(FunctionCallInfo fcinfo, jsonb_validator validator)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	so_error	err;

	InitMaterializedSRF(fcinfo, 0);
	if (validator(PG_GETARG_JSONB_P(0), &err) != SO_OK)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(stormops_error_path(&err));
		values[1] = CStringGetTextDatum(err.message);
		values[2] = CStringGetTextDatum(err.expected);
		values[3] = CStringGetTextDatum(err.found);
		nulls[3] = err.found[0] == '\0';
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

Datum
stormops_check_targeting_rules(PG_FUNCTION_ARGS)
{
	return problem_rows(fcinfo, targeting_rules_valid);
}

Datum
stormops_check_channel_strategy(PG_FUNCTION_ARGS)
{
	return problem_rows(fcinfo, channel_strategy_valid);
}
