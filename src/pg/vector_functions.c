/*
 * vector_functions.c: SQL functions over real[] embeddings.
 *
 * cosine_similarity, l2_distance and the aggregate embedding_avg. Every
 * argument is checked here (one dimension, not empty, no NULL, NaN or
 * infinite element, equal lengths); src/core/vector.c only computes.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "embedding_input.h"
#include "vector.h"

PG_FUNCTION_INFO_V1(stormops_cosine_similarity);
PG_FUNCTION_INFO_V1(stormops_l2_distance);
PG_FUNCTION_INFO_V1(stormops_cosine_to_centroid);
PG_FUNCTION_INFO_V1(stormops_l2_to_centroid);
PG_FUNCTION_INFO_V1(stormops_embedding_checksum);
PG_FUNCTION_INFO_V1(stormops_embedding_avg_accum);
PG_FUNCTION_INFO_V1(stormops_embedding_avg_final);

/* Arguments 0 and 1 as two embeddings of one length; returns the length. */
static size_t
two_embeddings(FunctionCallInfo fcinfo, const float **a, const float **b)
{
	int			na,
				nb;

	*a = stormops_embedding_elements(PG_GETARG_ARRAYTYPE_P(0), "the first embedding", &na);
	*b = stormops_embedding_elements(PG_GETARG_ARRAYTYPE_P(1), "the second embedding", &nb);
	stormops_same_dimensions(na, nb);
	return (size_t) na;
}

/* Arguments 0 and 1 as an embedding and a double precision centroid. */
static size_t
embedding_and_centroid(FunctionCallInfo fcinfo, const float **a, const double **centroid)
{
	int			na,
				nc;

	*a = stormops_embedding_elements(PG_GETARG_ARRAYTYPE_P(0), "the embedding", &na);
	*centroid = stormops_centroid_elements(PG_GETARG_ARRAYTYPE_P(1), "the centroid", &nc);
	stormops_same_dimensions(na, nc);
	return (size_t) na;
}

/* Finite inputs can still overflow a sum of squares (1e300 squared). */
static Datum
finite_result(double result)
{
	if (!isfinite(result))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the embeddings are too large to compare"),
				 errhint("Scale the embeddings: their squares must fit in double precision.")));
	PG_RETURN_FLOAT8(result);
}

/* NULL when either vector is all zeros: the cosine is then undefined. */
Datum
stormops_cosine_similarity(PG_FUNCTION_ARGS)
{
	const float *a,
			   *b;
	size_t		n = two_embeddings(fcinfo, &a, &b);
	double		result;

	if (!so_cosine_similarity(a, b, n, &result))
		PG_RETURN_NULL();
	return finite_result(result);
}

Datum
stormops_l2_distance(PG_FUNCTION_ARGS)
{
	const float *a,
			   *b;
	size_t		n = two_embeddings(fcinfo, &a, &b);

	return finite_result(so_l2_distance(a, b, n));
}

/*
 * The same against a double precision centroid (embedding_avg's result), so
 * that a mean is never rounded to real before it is compared.
 */
Datum
stormops_cosine_to_centroid(PG_FUNCTION_ARGS)
{
	const float *a;
	const double *c;
	size_t		n = embedding_and_centroid(fcinfo, &a, &c);
	double		result;

	if (!so_cosine_to_centroid(a, c, n, so_centroid_norm(c, n), &result))
		PG_RETURN_NULL();
	return finite_result(result);
}

Datum
stormops_l2_to_centroid(PG_FUNCTION_ARGS)
{
	const float *a;
	const double *c;
	size_t		n = embedding_and_centroid(fcinfo, &a, &c);

	return finite_result(so_l2_to_centroid(a, c, n));
}

/*
 * The sum of an embedding's elements: a checksum to compare a load with its
 * source, and the cheapest function that reads every byte of an embedding
 * (bench/similarity measures the floor of a scan with it).
 */
Datum
stormops_embedding_checksum(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	const float *v;
	double		sum = 0;
	int			n;

	if (ARR_NDIM(a) != 1 || ARR_HASNULL(a))
		PG_RETURN_NULL();
	n = ARR_DIMS(a)[0];
	v = (const float *) ARR_DATA_PTR(a);
	for (int i = 0; i < n; i++)
		sum += v[i];
	PG_RETURN_FLOAT8(sum);
}

/* embedding_avg's state, in the aggregate's memory context. */
typedef struct centroid_state
{
	int			dim;
	double		count;
	double		sum[FLEXIBLE_ARRAY_MEMBER];
} centroid_state;

Datum
stormops_embedding_avg_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	centroid_state *state = PG_ARGISNULL(0) ? NULL : (centroid_state *) PG_GETARG_POINTER(0);
	const float *v;
	int			dim;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "embedding_avg_accum called outside an aggregate");
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);	/* NULL embeddings are skipped, like avg() skips NULL */
	v = stormops_embedding_elements(PG_GETARG_ARRAYTYPE_P(1), "an embedding", &dim);
	if (state == NULL)
	{
		state = MemoryContextAllocZero(aggcontext,
									   offsetof(centroid_state, sum) + sizeof(double) * dim);
		state->dim = dim;
	}
	else
		stormops_same_dimensions(state->dim, dim);
	so_vector_accumulate(state->sum, v, (size_t) dim);
	state->count += 1;
	PG_RETURN_POINTER(state);
}

Datum
stormops_embedding_avg_final(PG_FUNCTION_ARGS)
{
	centroid_state *state = PG_ARGISNULL(0) ? NULL : (centroid_state *) PG_GETARG_POINTER(0);
	double	   *mean;
	Datum	   *elems;

	if (state == NULL || state->count == 0)
		PG_RETURN_NULL();
	/* double precision: the mean is the centroid, not a rounding of it */
	mean = palloc(sizeof(double) * state->dim);
	so_vector_mean(state->sum, (size_t) state->dim, state->count, mean);
	elems = palloc(sizeof(Datum) * state->dim);
	for (int i = 0; i < state->dim; i++)
		elems[i] = Float8GetDatum(mean[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, state->dim, FLOAT8OID, sizeof(float8),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}
