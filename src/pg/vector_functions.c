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

#include "vector.h"

PG_FUNCTION_INFO_V1(stormops_cosine_similarity);
PG_FUNCTION_INFO_V1(stormops_l2_distance);
PG_FUNCTION_INFO_V1(stormops_embedding_avg_accum);
PG_FUNCTION_INFO_V1(stormops_embedding_avg_final);

/* The elements of a valid embedding; `what` names the argument in errors. */
static const float *
embedding_elements(ArrayType *a, const char *what, int *dim)
{
	const float *v;
	int			n;

	if (ARR_ELEMTYPE(a) != FLOAT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be a real[] embedding", what)));
	if (ARR_NDIM(a) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("It has %d dimensions.", ARR_NDIM(a)),
				 errhint("An embedding is a flat real[] such as '{0.1,0.2,0.3}'.")));
	if (ARR_HASNULL(a) && array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s has a NULL element", what),
				 errhint("Every element of an embedding must be a number.")));
	n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is empty", what),
				 errhint("An embedding has at least one element.")));
	v = (const float *) ARR_DATA_PTR(a);
	for (int i = 0; i < n; i++)
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s has a non-finite element", what),
					 errdetail("Element %d is %s.", i + 1, isnan(v[i]) ? "NaN" : "infinite"),
					 errhint("Every element of an embedding must be a finite number.")));
	*dim = n;
	return v;
}

static void
same_dimensions(int a, int b)
{
	if (a != b)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("embeddings of different dimensions: %d and %d", a, b),
				 errhint("Compare embeddings of one model, which all have the same length.")));
}

/* NULL when either vector is all zeros: the cosine is then undefined. */
Datum
stormops_cosine_similarity(PG_FUNCTION_ARGS)
{
	int			na,
				nb;
	const float *a = embedding_elements(PG_GETARG_ARRAYTYPE_P(0), "the first embedding", &na);
	const float *b = embedding_elements(PG_GETARG_ARRAYTYPE_P(1), "the second embedding", &nb);
	double		result;

	same_dimensions(na, nb);
	if (!so_cosine_similarity(a, b, (size_t) na, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

Datum
stormops_l2_distance(PG_FUNCTION_ARGS)
{
	int			na,
				nb;
	const float *a = embedding_elements(PG_GETARG_ARRAYTYPE_P(0), "the first embedding", &na);
	const float *b = embedding_elements(PG_GETARG_ARRAYTYPE_P(1), "the second embedding", &nb);

	same_dimensions(na, nb);
	PG_RETURN_FLOAT8(so_l2_distance(a, b, (size_t) na));
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
	v = embedding_elements(PG_GETARG_ARRAYTYPE_P(1), "an embedding", &dim);
	if (state == NULL)
	{
		state = MemoryContextAllocZero(aggcontext,
									   offsetof(centroid_state, sum) + sizeof(double) * dim);
		state->dim = dim;
	}
	else
		same_dimensions(state->dim, dim);
	so_vector_accumulate(state->sum, v, (size_t) dim);
	state->count += 1;
	PG_RETURN_POINTER(state);
}

Datum
stormops_embedding_avg_final(PG_FUNCTION_ARGS)
{
	centroid_state *state = PG_ARGISNULL(0) ? NULL : (centroid_state *) PG_GETARG_POINTER(0);
	float	   *mean;
	Datum	   *elems;

	if (state == NULL || state->count == 0)
		PG_RETURN_NULL();
	mean = palloc(sizeof(float) * state->dim);
	so_vector_mean(state->sum, (size_t) state->dim, state->count, mean);
	elems = palloc(sizeof(Datum) * state->dim);
	for (int i = 0; i < state->dim; i++)
		elems[i] = Float4GetDatum(mean[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, state->dim, FLOAT4OID, sizeof(float4),
										  true, TYPALIGN_INT));
}
