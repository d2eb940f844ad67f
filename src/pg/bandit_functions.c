/*
 * bandit_functions.c: SQL's view of the bandit (adaptive.md): the setting
 * stormops.random_seed, prob_b_beats_a, the Wilson interval, P(best), and
 * the per-contact choices the claim makes (src/core/bandit.h).
 *
 * Thin glue: arguments are checked here and refused with SQLSTATE 22023
 * naming the parameter; the arithmetic is the core's. Arm numbers are
 * 1-based, as SQL arrays are. Every choice is a pure function of its
 * arguments and the seed, so the functions are IMMUTABLE and a claim is
 * reproducible: the same seed and contact id give the same arm.
 *
 * random_seed is PGC_SUSET: the propensities a choice logs are honest only
 * if the one who claims cannot pick the seed that gives the arm they want.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "bandit.h"
#include "bandit_functions.h"
#include "beta_posterior.h"
#include "proportions.h"
#include "seeded_draws.h"

PG_FUNCTION_INFO_V1(stormops_random_seed);
PG_FUNCTION_INFO_V1(stormops_prob_b_beats_a);
PG_FUNCTION_INFO_V1(stormops_wilson_interval);
PG_FUNCTION_INFO_V1(stormops_arm_prob_best);
PG_FUNCTION_INFO_V1(stormops_greedy_arm);
PG_FUNCTION_INFO_V1(stormops_epsilon_greedy_arm);
PG_FUNCTION_INFO_V1(stormops_epsilon_greedy_propensity);
PG_FUNCTION_INFO_V1(stormops_thompson_arm);

static int	random_seed = 0;

void
stormops_define_bandit_settings(void)
{
	DefineCustomIntVariable("stormops.random_seed",
							"Seed of the bandit's draws (arm choices, Thompson propensities, P(best)).",
							"A choice draws from a hash of this seed and the contact id: the same seed gives the same choices.",
							&random_seed, 0, INT_MIN, INT_MAX,
							PGC_SUSET, 0, NULL, NULL, NULL);
}

Datum
stormops_random_seed(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(random_seed);
}

Datum
stormops_prob_b_beats_a(PG_FUNCTION_ARGS)
{
	double		p = 0;
	so_beta_problem problem = so_prob_b_beats_a(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1),
												PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3), &p);

	switch (problem)
	{
		case SO_BETA_OK:
			PG_RETURN_FLOAT8(p);
		case SO_BETA_NOT_WHOLE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("prob_b_beats_a needs alpha_a or alpha_b to be a whole number"),
					 errdetail("Parameters alpha_a = %g and alpha_b = %g.",
							   PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(2)),
					 errhint("The closed form sums over a whole alpha; a posterior from counts has alpha = 1 + rewards.")));
			break;
		case SO_BETA_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("prob_b_beats_a: alpha_a and alpha_b are too large for the closed form"),
					 errdetail("Parameters alpha_a = %g and alpha_b = %g; the sum takes one term per unit of alpha.",
							   PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(2)),
					 errhint("A whole alpha of at most %.0f.", SO_BETA_MAX_TERMS)));
			break;
		default:
			{
				const char *param = so_beta_problem_parameter(problem);

				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("prob_b_beats_a: %s must be a positive finite number, not %g",
								param, PG_GETARG_FLOAT8((int) problem - 1)),
						 errdetail("Parameter %s.", param),
						 errhint("Beta parameters are greater than 0, e.g. alpha = 1 + rewards, beta = 1 + failures.")));
			}
	}
	PG_RETURN_NULL();
}

Datum
stormops_wilson_interval(PG_FUNCTION_ARGS)
{
	int64		successes = PG_GETARG_INT64(0);
	int64		trials = PG_GETARG_INT64(1);
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {true, true};
	double		low,
				high;

	if (trials < 0 || successes < 0 || successes > trials)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("wilson_interval: %lld successes in %lld trials",
						(long long) successes, (long long) trials),
				 errdetail("Parameters successes and trials."),
				 errhint("0 <= successes <= trials.")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "wilson_interval must return a record");
	if (so_wilson_interval(successes, trials, &low, &high))
	{
		values[0] = Float8GetDatum(low);
		values[1] = Float8GetDatum(high);
		nulls[0] = nulls[1] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

/*
 * The arms' sent contacts and rewards from two int8 arrays of one length
 * (2..SO_MAX_ARMS, no NULLs, 0 <= rewards <= contacts); returns k.
 */
static int
read_counts(ArrayType *contacts_a, ArrayType *rewards_a, int64 *contacts, int64 *rewards)
{
	Datum	   *cd,
			   *rd;
	bool	   *cn,
			   *rn;
	int			kc,
				kr;

	deconstruct_array(contacts_a, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &cd, &cn, &kc);
	deconstruct_array(rewards_a, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &rd, &rn, &kr);
	if (kc < 2 || kc > SO_MAX_ARMS || kr != kc)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d contacts and %d rewards: an arm has one of each, and a step 2 to %d arms",
						kc, kr, SO_MAX_ARMS),
				 errdetail("Parameters contacts and rewards."),
				 errhint("Two arrays of one length from 2 to 10, in the step's arm order.")));
	for (int i = 0; i < kc; i++)
	{
		if (cn[i] || rn[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("arm %d has a NULL count", i + 1),
					 errdetail("Parameters contacts and rewards."),
					 errhint("Count 0 for an arm without contacts.")));
		contacts[i] = DatumGetInt64(cd[i]);
		rewards[i] = DatumGetInt64(rd[i]);
		if (contacts[i] < 0 || rewards[i] < 0 || rewards[i] > contacts[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("arm %d has %lld rewards in %lld contacts", i + 1,
							(long long) rewards[i], (long long) contacts[i]),
					 errdetail("Parameters contacts and rewards."),
					 errhint("0 <= rewards <= contacts.")));
	}
	return kc;
}

static int
check_arms(int k)
{
	if (k < 2 || k > SO_MAX_ARMS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d arms: a step has 2 to %d", k, SO_MAX_ARMS),
				 errdetail("Parameter arms."),
				 errhint("The number of message variants of the step.")));
	return k;
}

/* A 1-based arm number, or NULL, into 0-based (NULL: -1). */
static int
arm_index(FunctionCallInfo fcinfo, int argno, int k, const char *name)
{
	int32		arm;

	if (PG_ARGISNULL(argno))
		return -1;
	arm = PG_GETARG_INT32(argno);
	if (arm < 1 || arm > k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %d is not an arm of %d", name, arm, k),
				 errdetail("Parameter %s.", name),
				 errhint("Arms are numbered 1 to %d in the step's order.", k)));
	return arm - 1;
}

static double
check_epsilon(double eps)
{
	if (!(eps >= 0.0 && eps <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("epsilon must be from 0 to 1, not %g", eps),
				 errdetail("Parameter epsilon."),
				 errhint("The share of contacts that explore, e.g. 0.1.")));
	return eps;
}

/* arm_prob_best(contacts int8[], rewards int8[], seed int8, stream int8) float8[] */
Datum
stormops_arm_prob_best(PG_FUNCTION_ARGS)
{
	int64		contacts[SO_MAX_ARMS],
				rewards[SO_MAX_ARMS];
	double		p[SO_MAX_ARMS];
	Datum		out[SO_MAX_ARMS];
	int			k = read_counts(PG_GETARG_ARRAYTYPE_P(0), PG_GETARG_ARRAYTYPE_P(1), contacts, rewards);

	so_arm_prob_best(k, contacts, rewards, PG_GETARG_INT64(2), PG_GETARG_INT64(3), p);
	for (int i = 0; i < k; i++)
		out[i] = Float8GetDatum(p[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, k, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* greedy_arm(contacts int8[], rewards int8[]) int4: NULL while an arm has no contact */
Datum
stormops_greedy_arm(PG_FUNCTION_ARGS)
{
	int64		contacts[SO_MAX_ARMS],
				rewards[SO_MAX_ARMS];
	int			k = read_counts(PG_GETARG_ARRAYTYPE_P(0), PG_GETARG_ARRAYTYPE_P(1), contacts, rewards);
	int			g = so_greedy_arm(k, contacts, rewards);

	if (g < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(g + 1);
}

/* epsilon_greedy_arm(arms int4, greedy int4, epsilon float8, seed int8, contact_id int8) int4 */
Datum
stormops_epsilon_greedy_arm(PG_FUNCTION_ARGS)
{
	int			k;
	int			greedy;
	double		eps,
				propensity;
	so_rng		rng;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
		PG_RETURN_NULL();
	k = check_arms(PG_GETARG_INT32(0));
	greedy = arm_index(fcinfo, 1, k, "greedy");
	eps = check_epsilon(PG_GETARG_FLOAT8(2));
	so_rng_init(&rng, PG_GETARG_INT64(3), PG_GETARG_INT64(4));
	PG_RETURN_INT32(so_choose_epsilon_greedy(k, greedy, eps, &rng, &propensity) + 1);
}

/* epsilon_greedy_propensity(arms int4, greedy int4, epsilon float8, arm int4) float8 */
Datum
stormops_epsilon_greedy_propensity(PG_FUNCTION_ARGS)
{
	int			k;
	int			greedy;
	double		eps;
	int			arm;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_NULL();
	k = check_arms(PG_GETARG_INT32(0));
	greedy = arm_index(fcinfo, 1, k, "greedy");
	eps = check_epsilon(PG_GETARG_FLOAT8(2));
	arm = arm_index(fcinfo, 3, k, "arm");
	PG_RETURN_FLOAT8(so_epsilon_greedy_propensity(k, greedy, eps, arm));
}

/* thompson_arm(contacts int8[], rewards int8[], seed int8, contact_id int8) int4 */
Datum
stormops_thompson_arm(PG_FUNCTION_ARGS)
{
	int64		contacts[SO_MAX_ARMS],
				rewards[SO_MAX_ARMS];
	int			k = read_counts(PG_GETARG_ARRAYTYPE_P(0), PG_GETARG_ARRAYTYPE_P(1), contacts, rewards);
	so_rng		rng;

	so_rng_init(&rng, PG_GETARG_INT64(2), PG_GETARG_INT64(3));
	PG_RETURN_INT32(so_choose_thompson(k, contacts, rewards, &rng) + 1);
}
