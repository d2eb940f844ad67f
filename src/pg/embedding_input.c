/*
 * embedding_input.c: checking real[] embeddings passed to SQL functions.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"

#include "embedding_input.h"

/* The elements of a valid embedding; `what` names the argument in errors. */
/*
 * Checks shape and values of an embedding-like array of element type elemtype
 * (float4 or float8); returns the element count.
 */
static int
check_vector(ArrayType *a, Oid elemtype, const char *what)
{
	int			n;

	if (ARR_ELEMTYPE(a) != elemtype)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be a %s array", what, elemtype == FLOAT4OID ? "real[]" : "double precision[]")));
	if (ARR_NDIM(a) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is empty", what),
				 errhint("An embedding has at least one element.")));
	if (ARR_NDIM(a) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("It has %d dimensions.", ARR_NDIM(a)),
				 errhint("An embedding is a flat array such as '{0.1,0.2,0.3}'.")));
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
	return n;
}

static void
non_finite(const char *what, int i, double v)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s has a non-finite element", what),
			 errdetail("Element %d is %s.", i + 1, isnan(v) ? "NaN" : "infinite"),
			 errhint("Every element of an embedding must be a finite number.")));
}

const float *
stormops_embedding_elements(ArrayType *a, const char *what, int *dim)
{
	int			n = check_vector(a, FLOAT4OID, what);
	const float *v = (const float *) ARR_DATA_PTR(a);

	for (int i = 0; i < n; i++)
		if (!isfinite(v[i]))
			non_finite(what, i, v[i]);
	*dim = n;
	return v;
}

const double *
stormops_centroid_elements(ArrayType *a, const char *what, int *dim)
{
	int			n = check_vector(a, FLOAT8OID, what);
	const double *v = (const double *) ARR_DATA_PTR(a);

	for (int i = 0; i < n; i++)
		if (!isfinite(v[i]))
			non_finite(what, i, v[i]);
	*dim = n;
	return v;
}

void
stormops_same_dimensions(int a, int b)
{
	if (a != b)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("embeddings of different dimensions: %d and %d", a, b),
				 errhint("Compare embeddings of one model, which all have the same length.")));
}
