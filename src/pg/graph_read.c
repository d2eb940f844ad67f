/*
 * graph_read.c: the diffusion graph's inputs read from SQL (graph_read.h).
 *
 * Design: rows are streamed (query_rows.c), so nothing is materialised
 * beyond what the callbacks keep. Properties are read once per call into
 * an arena of ids, sorted bytewise (qsort_arg on offsets) and indexed by
 * hashing (src/core/id_index.c), so that every later id is a node number in
 * one look-up. Failure modes: a query error propagates as an ERROR (SPI is
 * the caller's); the id index is malloc'd and freed by graph_nodes_free,
 * which callers reach through PG_FINALLY.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "graph_read.h"
#include "query_rows.h"

/* ---- the properties ---- */

typedef struct node_reader
{
	MemoryContext cxt;
	bool		with_points;
	int64		n;
	Size		cap;
	Size		arena_len,
				arena_cap;
	char	   *arena;
	Size	   *offset;
	size_t	   *lens;
	double	   *lat,
			   *lon;
	bool	   *has_point;
} node_reader;

static void
read_node(TupleTableSlot *slot, void *arg)
{
	node_reader *r = arg;
	text	   *id = DatumGetTextPP(slot->tts_values[0]);	/* (in the row context) */
	Size		len = VARSIZE_ANY_EXHDR(id);
	MemoryContext old = MemoryContextSwitchTo(r->cxt);

	if ((Size) r->n == r->cap)
	{
		r->cap = Max(r->cap * 2, 1024);
		r->offset = query_rows_resize(r->offset, r->cap, sizeof(Size));
		r->lens = query_rows_resize(r->lens, r->cap, sizeof(size_t));
		if (r->with_points)
		{
			r->lat = query_rows_resize(r->lat, r->cap, sizeof(double));
			r->lon = query_rows_resize(r->lon, r->cap, sizeof(double));
			r->has_point = query_rows_resize(r->has_point, r->cap, sizeof(bool));
		}
	}
	if (r->arena_len + len + 1 > r->arena_cap)
	{
		r->arena_cap = Max(Max(r->arena_cap * 2, 65536), r->arena_len + len + 1);
		r->arena = query_rows_resize(r->arena, r->arena_cap, 1);
	}
	memcpy(r->arena + r->arena_len, VARDATA_ANY(id), len);
	r->arena[r->arena_len + len] = '\0';
	r->offset[r->n] = r->arena_len;
	r->lens[r->n] = len;
	r->arena_len += len + 1;
	if (r->with_points)
	{
		r->has_point[r->n] = !slot->tts_isnull[1] && !slot->tts_isnull[2];
		r->lat[r->n] = r->has_point[r->n] ? DatumGetFloat8(slot->tts_values[1]) : 0;
		r->lon[r->n] = r->has_point[r->n] ? DatumGetFloat8(slot->tts_values[2]) : 0;
	}
	r->n++;
	MemoryContextSwitchTo(old);
}

static int
compare_ids(const void *a, const void *b, void *arg)
{
	const node_reader *r = arg;
	int64		i = *(const int64 *) a,
				j = *(const int64 *) b;
	size_t		li = r->lens[i],
				lj = r->lens[j];
	int			c = memcmp(r->arena + r->offset[i], r->arena + r->offset[j], Min(li, lj));

	if (c != 0)
		return c;
	return (li > lj) - (li < lj);
}

void
graph_nodes_read(graph_nodes *nodes, bool with_points)
{
	node_reader r;
	int64	   *order;
	so_error	err;

	memset(nodes, 0, sizeof(*nodes));
	memset(&r, 0, sizeof(r));
	r.cxt = CurrentMemoryContext;
	r.with_points = with_points;
	query_rows_each("SELECT p.property_id, p.lat, p.lon FROM stormops.properties p",
					0, (Datum) 0, read_node, &r);

	/* node order: ids bytewise */
	order = query_rows_resize(NULL, r.n, sizeof(int64));
	for (int64 i = 0; i < r.n; i++)
		order[i] = i;
	qsort_arg(order, r.n, sizeof(int64), compare_ids, &r);
	nodes->n = r.n;
	nodes->ids = query_rows_resize(NULL, r.n, sizeof(char *));
	nodes->lens = query_rows_resize(NULL, r.n, sizeof(size_t));
	if (with_points)
	{
		nodes->lat = query_rows_resize(NULL, r.n, sizeof(double));
		nodes->lon = query_rows_resize(NULL, r.n, sizeof(double));
		nodes->has_point = query_rows_resize(NULL, r.n, sizeof(bool));
	}
	for (int64 i = 0; i < r.n; i++)
	{
		int64		j = order[i];

		nodes->ids[i] = r.arena + r.offset[j];
		nodes->lens[i] = r.lens[j];
		if (with_points)
		{
			nodes->lat[i] = r.lat[j];
			nodes->lon[i] = r.lon[j];
			nodes->has_point[i] = r.has_point[j];
		}
	}
	pfree(order);
	if (r.offset)
		pfree(r.offset);
	if (r.lens)
		pfree(r.lens);
	if (so_id_index_build(&nodes->index, (const char *const *) nodes->ids, nodes->lens, (size_t) r.n, &err) != SO_OK)
		ereport(ERROR,
				(errcode(err.code == SO_ERR_CONFLICT ? ERRCODE_UNIQUE_VIOLATION : ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cannot index the property ids: %s", err.message)));
}

void
graph_nodes_free(graph_nodes *nodes)
{
	so_id_index_free(&nodes->index);
}

int64
graph_node_of(const graph_nodes *nodes, Datum id)
{
	text	   *t = DatumGetTextPP(id);

	return so_id_index_find(&nodes->index, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

Datum
graph_node_text(const graph_nodes *nodes, int64 node)
{
	return PointerGetDatum(cstring_to_text_with_len(nodes->ids[node], nodes->lens[node]));
}
