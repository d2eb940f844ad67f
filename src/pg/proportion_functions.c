/*
 * proportion_functions.c: SQL's view of proportions.h for the
 * retrospectives (retrospectives.md): Newcombe's interval of an uplift and
 * the pooled two-proportion z test's p-value.
 *
 * Thin glue: counts that are not counts are refused with 22023 naming the
 * parameter; a test without variance (no successes, or only successes, in
 * both groups together) gives NULL, as does an interval without trials.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "access/htup_details.h"

#include "proportions.h"

PG_FUNCTION_INFO_V1(stormops_newcombe_interval);
PG_FUNCTION_INFO_V1(stormops_two_proportion_p_value);

static void
check_counts(const char *fn, int64 x1, int64 n1, int64 x2, int64 n2)
{
	const char *bad = NULL;

	if (n1 < 0)
		bad = "treated";
	else if (x1 < 0 || x1 > n1)
		bad = "treated_successes";
	else if (n2 < 0)
		bad = "control";
	else if (x2 < 0 || x2 > n2)
		bad = "control_successes";
	if (bad != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: parameter %s is out of range: %lld successes in %lld, %lld in %lld",
						fn, bad, (long long) x1, (long long) n1, (long long) x2, (long long) n2),
				 errhint("Group sizes are >= 0 and 0 <= successes <= size.")));
}

Datum
stormops_newcombe_interval(PG_FUNCTION_ARGS)
{
	int64		x1 = PG_GETARG_INT64(0);
	int64		n1 = PG_GETARG_INT64(1);
	int64		x2 = PG_GETARG_INT64(2);
	int64		n2 = PG_GETARG_INT64(3);
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {true, true};
	double		low,
				high;

	check_counts("newcombe_interval", x1, n1, x2, n2);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "newcombe_interval must return a record");
	if (so_newcombe_interval(x1, n1, x2, n2, &low, &high))
	{
		values[0] = Float8GetDatum(low);
		values[1] = Float8GetDatum(high);
		nulls[0] = nulls[1] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

Datum
stormops_two_proportion_p_value(PG_FUNCTION_ARGS)
{
	int64		x1 = PG_GETARG_INT64(0);
	int64		n1 = PG_GETARG_INT64(1);
	int64		x2 = PG_GETARG_INT64(2);
	int64		n2 = PG_GETARG_INT64(3);
	double		p;

	check_counts("two_proportion_p_value", x1, n1, x2, n2);
	if (!so_two_proportion_p_value(x1, n1, x2, n2, &p))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(p);
}
