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
 *
 * Parallel: a parallel scan gives each worker its own state (a partial
 * aggregate); top_k_serialize writes a state as bytea (its settings, then
 * its kept items), top_k_deserialize reads it back in the leader, and
 * top_k_combine offers one state's items to the other, so the combined
 * heap keeps the k best of all, with the same ties, as one pass would.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
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
PG_FUNCTION_INFO_V1(stormops_top_k_combine);
PG_FUNCTION_INFO_V1(stormops_top_k_serialize);
PG_FUNCTION_INFO_V1(stormops_top_k_deserialize);

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

/* The empty heap of a state whose other fields are set, in its memory. */
static void
init_heap(top_k_state *state, size_t k)
{
	state->capacity = Min(k, TOP_K_FIRST_SLOTS);
	so_topk_init(&state->heap, MemoryContextAlloc(state->mcxt, sizeof(so_scored) * state->capacity), k,
				 compare_ids, &state->collation);
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
	init_heap(state, (size_t) k);
	MemoryContextSwitchTo(old);
	return state;
}

/* A state with the settings of `like` and no item, in mcxt. */
static top_k_state *
empty_state_like(const top_k_state *like, MemoryContext mcxt)
{
	top_k_state *state = MemoryContextAllocZero(mcxt, sizeof(top_k_state));

	state->mcxt = mcxt;
	state->cosine = like->cosine;
	state->dim = like->dim;
	state->centroid = MemoryContextAlloc(mcxt, sizeof(double) * like->dim);
	memcpy(state->centroid, like->centroid, sizeof(double) * like->dim);
	state->centroid_norm = like->centroid_norm;
	state->has_min = like->has_min;
	state->min_score = like->min_score;
	state->collation = like->collation;
	init_heap(state, like->heap.k);
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

/* Keeps an item, its id copied into the state's memory, if it is among the k best so far. */
static void
keep_item(top_k_state *state, double score, const char *id, size_t len)
{
	so_scored	evicted;
	bool		has_evicted;
	char	   *copy;

	if (!so_topk_wants(&state->heap, score, id, len))
		return;
	/* the heap grows by doubling: its slots only ever hold what it keeps */
	if (state->heap.n == state->capacity && state->capacity < state->heap.k)
	{
		state->capacity = Min(state->capacity * 2, state->heap.k);
		state->heap.slots = repalloc(state->heap.slots, sizeof(so_scored) * state->capacity);
	}
	copy = MemoryContextAlloc(state->mcxt, len + 1);
	memcpy(copy, id, len);
	copy[len] = '\0';
	so_topk_offer(&state->heap, score, copy, len, &evicted, &has_evicted);
	if (has_evicted)
		pfree((void *) evicted.id);
}

Datum
stormops_top_k_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	top_k_state *state;
	ArrayType  *embedding;
	text	   *id;
	double		score;

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
	keep_item(state, score, VARDATA_ANY(id), VARSIZE_ANY_EXHDR(id));
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

/*
 * Combines two partial states (parallel aggregation): the second's items
 * are offered to the first. Either may be NULL (a worker that saw no row).
 */
Datum
stormops_top_k_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	top_k_state *into = PG_ARGISNULL(0) ? NULL : (top_k_state *) PG_GETARG_POINTER(0);
	top_k_state *from = PG_ARGISNULL(1) ? NULL : (top_k_state *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "top_k_combine called outside an aggregate");
	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)
		into = empty_state_like(from, aggcontext);
	else if (into->cosine != from->cosine || into->dim != from->dim || into->heap.k != from->heap.k)
		elog(ERROR, "top_k_combine: partial states of different searches");
	for (size_t i = 0; i < from->heap.n; i++)
	{
		if ((i & 65535) == 0)
			CHECK_FOR_INTERRUPTS();
		keep_item(into, from->heap.slots[i].score, from->heap.slots[i].id, from->heap.slots[i].id_len);
	}
	PG_RETURN_POINTER(into);
}

/* A partial state as bytea: the settings, the centroid, then each kept item. */
Datum
stormops_top_k_serialize(PG_FUNCTION_ARGS)
{
	top_k_state *state = (top_k_state *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "top_k_serialize called outside an aggregate");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, state->cosine ? 1 : 0);
	pq_sendbyte(&buf, state->has_min ? 1 : 0);
	pq_sendfloat8(&buf, state->min_score);
	pq_sendint32(&buf, state->collation);
	pq_sendint64(&buf, (int64) state->heap.k);
	pq_sendint32(&buf, state->dim);
	pq_sendfloat8(&buf, state->centroid_norm);
	for (int i = 0; i < state->dim; i++)
		pq_sendfloat8(&buf, state->centroid[i]);
	pq_sendint64(&buf, (int64) state->heap.n);
	for (size_t i = 0; i < state->heap.n; i++)
	{
		if ((i & 65535) == 0)
			CHECK_FOR_INTERRUPTS();
		pq_sendfloat8(&buf, state->heap.slots[i].score);
		pq_sendint32(&buf, (int32) state->heap.slots[i].id_len);
		pq_sendbytes(&buf, state->heap.slots[i].id, (int) state->heap.slots[i].id_len);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* top_k_serialize's bytea back into a state, in the aggregate's memory. */
Datum
stormops_top_k_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	MemoryContext aggcontext;
	StringInfoData buf;
	top_k_state like;
	top_k_state *state;
	int64		k;
	int64		n;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "top_k_deserialize called outside an aggregate");
	/* read in place (PostgreSQL 15 has no initReadOnlyStringInfo) */
	buf.data = VARDATA_ANY(bytes);
	buf.len = VARSIZE_ANY_EXHDR(bytes);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	memset(&like, 0, sizeof(like));
	like.cosine = pq_getmsgbyte(&buf) != 0;
	like.has_min = pq_getmsgbyte(&buf) != 0;
	like.min_score = pq_getmsgfloat8(&buf);
	like.collation = (Oid) pq_getmsgint(&buf, 4);
	k = pq_getmsgint64(&buf);
	like.dim = pq_getmsgint(&buf, 4);
	if (k < 1 || k > TOP_K_MAX || like.dim < 1 || (size_t) like.dim > (size_t) buf.len / sizeof(double))
		elog(ERROR, "top_k_deserialize: a corrupted partial state");
	like.centroid_norm = pq_getmsgfloat8(&buf);
	like.centroid = palloc(sizeof(double) * like.dim);
	for (int i = 0; i < like.dim; i++)
		like.centroid[i] = pq_getmsgfloat8(&buf);
	like.heap.k = (size_t) k;
	state = empty_state_like(&like, aggcontext);
	pfree(like.centroid);
	n = pq_getmsgint64(&buf);
	if (n < 0 || n > k)
		elog(ERROR, "top_k_deserialize: a corrupted partial state");
	for (int64 i = 0; i < n; i++)
	{
		double		score = pq_getmsgfloat8(&buf);
		int			len = pq_getmsgint(&buf, 4);
		const char *id = pq_getmsgbytes(&buf, len);

		keep_item(state, score, id, (size_t) len);
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}
