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
#include "targeting_rules.h"

PG_FUNCTION_INFO_V1(stormops_validate_targeting_rules);
PG_FUNCTION_INFO_V1(stormops_validate_channel_strategy);
PG_FUNCTION_INFO_V1(stormops_validate_channel_costs);
PG_FUNCTION_INFO_V1(stormops_check_targeting_rules);
PG_FUNCTION_INFO_V1(stormops_check_channel_strategy);

/* A core validator over JSON text: SO_OK, or an error code with err filled. */
typedef int (*json_validator) (const char *json, size_t len, so_error *err);

static int
targeting_rules_valid(const char *json, size_t len, so_error *err)
{
	so_targeting *rules = NULL;
	int			rc = so_targeting_parse(json, len, &rules, err);

	so_targeting_free(rules);
	return rc;
}

static int
channel_strategy_valid(const char *json, size_t len, so_error *err)
{
	so_channel_strategy *cs = NULL;
	int			rc = so_channel_strategy_parse(json, len, &cs, err);

	so_channel_strategy_free(cs);
	return rc;
}

/*
 * Run a validator on a jsonb datum. The core reads JSON text: jsonb has
 * already dropped duplicate keys and normalised numbers, so the core sees
 * what PostgreSQL will store.
 */
static int
validate_jsonb(Jsonb *jb, json_validator validator, so_error *err)
{
	char	   *text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	int			rc = validator(text, strlen(text), err);

	pfree(text);
	return rc;
}

static Datum
raise_or_true(FunctionCallInfo fcinfo, const char *document, json_validator validator)
{
	so_error	err;

	if (validate_jsonb(PG_GETARG_JSONB_P(0), validator, &err) != SO_OK)
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
	return raise_or_true(fcinfo, "cost_per_contact", so_channel_costs_validate);
}

/* Zero rows when valid; one row (path, problem, expected, found) otherwise. */
static Datum
problem_rows(FunctionCallInfo fcinfo, json_validator validator)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	so_error	err;

	InitMaterializedSRF(fcinfo, 0);
	if (validate_jsonb(PG_GETARG_JSONB_P(0), validator, &err) != SO_OK)
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
