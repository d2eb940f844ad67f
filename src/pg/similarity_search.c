/*
 * similarity_search.c: the aggregate stormops.top_k, exact top-k search.
 *
 *   top_k(item_id text, embedding real[], centroid real[], k int,
 *         metric text, min_score float8) -> stormops.scored_item[]
 *
 * One pass over the rows the query feeds it: the planner does the scan, with
 * every other targeting condition in its WHERE (that is how the compiler
 * pushes them down), and a bounded heap keeps the k best (score descending,
 * ties by item_id ascending in the id column's collation). Metric 'cosine'
 * scores the cosine similarity to the centroid, 'l2' scores 1 / (1 + L2
 * distance). Rows whose embedding is NULL, of another dimension than the
 * centroid, has a NULL element, or (for cosine) is all zeros are not
 * comparable and are skipped, as targeting.md says; so are rows scoring
 * below min_score.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
#include "utils/varlena.h"

#include "embedding_input.h"
#include "topk.h"
#include "vector.h"

PG_FUNCTION_INFO_V1(stormops_top_k_accum);
PG_FUNCTION_INFO_V1(stormops_top_k_final);

/* Arguments of the transition function; 0 is the state. */
#define ARG_ID 1
#define ARG_EMBEDDING 2
#define ARG_CENTROID 3
#define ARG_K 4
#define ARG_METRIC 5
#define ARG_MIN_SCORE 6

/* More than any metro has properties; keeps the slots' allocation sane. */
#define TOP_K_MAX 10000000

typedef struct top_k_state
{
	MemoryContext mcxt;			/* the aggregate's: ids and slots live here */
	bool		cosine;			/* else 1 / (1 + L2) */
	int			dim;
	double	   *centroid;
	double		centroid_norm;
	bool		has_min;
	double		min_score;
	Oid			collation;
	size_t		capacity;		/* slots allocated; grows up to k */
	bool		sorted;			/* the final function sorted the heap */
	so_topk		heap;
} top_k_state;

/* Slots allocated before the first doubling: k may be far larger than the rows. */
#define TOP_K_FIRST_SLOTS 1024

static int
compare_ids(const char *a, size_t alen, const char *b, size_t blen, void *arg)
{
	return varstr_cmp(a, (int) alen, b, (int) blen, *(Oid *) arg);
}

static top_k_state *
new_state(FunctionCallInfo fcinfo, MemoryContext mcxt)
{
	top_k_state *state;
	const double *centroid;
	const char *metric;
	int64		k;
	MemoryContext old;

	if (PG_ARGISNULL(ARG_CENTROID))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("top_k needs a centroid"),
				 errhint("Pass the embedding to compare with, e.g. the embedding_avg of the references.")));
	if (PG_ARGISNULL(ARG_K) || PG_GETARG_INT32(ARG_K) < 1 || PG_GETARG_INT32(ARG_K) > TOP_K_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("top_k needs k from 1 to %d", TOP_K_MAX),
				 errdetail("k is %s.", PG_ARGISNULL(ARG_K) ? "NULL" : psprintf("%d", PG_GETARG_INT32(ARG_K)))));
	metric = PG_ARGISNULL(ARG_METRIC) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(ARG_METRIC));
	if (strcmp(metric, "cosine") != 0 && strcmp(metric, "l2") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown similarity metric \"%s\"", metric),
				 errhint("Use 'cosine' (cosine similarity) or 'l2' (1 / (1 + L2 distance)).")));
	k = PG_GETARG_INT32(ARG_K);

	old = MemoryContextSwitchTo(mcxt);
	state = palloc0(sizeof(top_k_state));
	state->mcxt = mcxt;
	state->cosine = metric[0] == 'c';
	centroid = stormops_centroid_elements(PG_GETARG_ARRAYTYPE_P_COPY(ARG_CENTROID), "the centroid", &state->dim);
	state->centroid = (double *) centroid;
	state->centroid_norm = so_centroid_norm(centroid, (size_t) state->dim);
	state->has_min = !PG_ARGISNULL(ARG_MIN_SCORE);
	state->min_score = state->has_min ? PG_GETARG_FLOAT8(ARG_MIN_SCORE) : 0;
	if (state->has_min && isnan(state->min_score))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("top_k's min_score must be a number, not NaN"),
				 errhint("Pass NULL for no minimum.")));
	state->collation = PG_GET_COLLATION();
	if (!OidIsValid(state->collation))
		state->collation = DEFAULT_COLLATION_OID;
	state->capacity = (size_t) Min(k, TOP_K_FIRST_SLOTS);
	so_topk_init(&state->heap, palloc(sizeof(so_scored) * state->capacity), (size_t) k,
				 compare_ids, &state->collation);
	MemoryContextSwitchTo(old);
	return state;
}

/* The row's score, or false when it is not comparable with the centroid. */
static bool
score_row(top_k_state *state, ArrayType *embedding, double *score)
{
	const float *v;

	if (ARR_NDIM(embedding) != 1 || ARR_DIMS(embedding)[0] != state->dim ||
		ARR_HASNULL(embedding))
		return false;
	v = (const float *) ARR_DATA_PTR(embedding);
	if (state->cosine)
	{
		if (!so_cosine_to_centroid(v, state->centroid, (size_t) state->dim,
								   state->centroid_norm, score))
			return false;
	}
	else
		*score = 1.0 / (1.0 + so_l2_to_centroid(v, state->centroid, (size_t) state->dim));
	/* values too large overflow the sums: such a row cannot be ranked */
	return isfinite(*score);
}

Datum
stormops_top_k_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	top_k_state *state;
	ArrayType  *embedding;
	text	   *id;
	double		score;
	so_scored	evicted;
	bool		has_evicted;
	char	   *copy;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "top_k_accum called outside an aggregate");
	state = PG_ARGISNULL(0) ? new_state(fcinfo, aggcontext) : (top_k_state *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(ARG_ID) || PG_ARGISNULL(ARG_EMBEDDING))
		PG_RETURN_POINTER(state);

	/* detoasts only when the value is stored compressed or out of line */
	embedding = PG_GETARG_ARRAYTYPE_P(ARG_EMBEDDING);
	if (!score_row(state, embedding, &score) || (state->has_min && score < state->min_score))
		PG_RETURN_POINTER(state);

	id = PG_GETARG_TEXT_PP(ARG_ID);
	if (!so_topk_wants(&state->heap, score, VARDATA_ANY(id), VARSIZE_ANY_EXHDR(id)))
		PG_RETURN_POINTER(state);
	/* the heap grows by doubling: its slots only ever hold what it keeps */
	if (state->heap.n == state->capacity && state->capacity < state->heap.k)
	{
		state->capacity = Min(state->capacity * 2, state->heap.k);
		state->heap.slots = repalloc(state->heap.slots, sizeof(so_scored) * state->capacity);
	}
	copy = MemoryContextAlloc(state->mcxt, VARSIZE_ANY_EXHDR(id) + 1);
	memcpy(copy, VARDATA_ANY(id), VARSIZE_ANY_EXHDR(id));
	copy[VARSIZE_ANY_EXHDR(id)] = '\0';
	so_topk_offer(&state->heap, score, copy, VARSIZE_ANY_EXHDR(id), &evicted, &has_evicted);
	if (has_evicted)
		pfree((void *) evicted.id);
	PG_RETURN_POINTER(state);
}

/* The kept items, best first, as stormops.scored_item[] (empty, never NULL). */
Datum
stormops_top_k_final(PG_FUNCTION_ARGS)
{
	top_k_state *state = PG_ARGISNULL(0) ? NULL : (top_k_state *) PG_GETARG_POINTER(0);
	Oid			array_type = get_fn_expr_rettype(fcinfo->flinfo);
	Oid			item_type = get_element_type(array_type);
	TupleDesc	desc;
	Datum	   *items;
	size_t		n = state != NULL ? state->heap.n : 0;
	ArrayType  *result;

	if (!OidIsValid(item_type))
		elog(ERROR, "top_k_final must return an array of stormops.scored_item");
	desc = lookup_rowtype_tupdesc(item_type, -1);
	/* PostgreSQL may call this again on the same state (a re-scanned hash
	 * aggregate): sort once, then read the sorted slots */
	if (state != NULL && !state->sorted)
	{
		/* up to 10,000,000 items: answer a cancel every 65,536 steps */
		size_t		end = state->heap.n;

		while (end > 1)
		{
			so_topk_sort_steps(&state->heap, &end, 65536);
			CHECK_FOR_INTERRUPTS();
		}
		state->sorted = true;
	}
	items = palloc(sizeof(Datum) * (n > 0 ? n : 1));
	for (size_t i = 0; i < n; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		if ((i & 65535) == 0)
			CHECK_FOR_INTERRUPTS();
		values[0] = PointerGetDatum(cstring_to_text_with_len(state->heap.slots[i].id,
															 (int) state->heap.slots[i].id_len));
		values[1] = Float8GetDatum(state->heap.slots[i].score);
		items[i] = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
	}
	result = construct_array(items, (int) n, item_type, -1, false, TYPALIGN_DOUBLE);
	ReleaseTupleDesc(desc);
	PG_RETURN_ARRAYTYPE_P(result);
}
