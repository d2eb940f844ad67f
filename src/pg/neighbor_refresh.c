/*
 * neighbor_refresh.c: stormops.refresh_neighbors(), the neighbour graph kept
 * in stormops.neighbor_lists (docs/diffusion.md).
 *
 * Design: every property's stormops.neighbor_k nearest within
 * stormops.neighbor_radius_m are computed whole in C (src/core/neighbours.c:
 * a grid, not a join), with the reverse lists (who lists it). One row per
 * property with neighbours holds both, as arrays: a million rows for a
 * million properties instead of eight million pairs (a fifth of the space,
 * a fraction of the writes), and a property's neighbours in the graph, both
 * ways, are one key look-up (the view stormops.property_neighbors shows the
 * design's pairs). The stored rows are read and compared with the new ones;
 * only rows that differ are written (one INSERT, UPDATE or DELETE statement
 * per batch of rows, passed as one array of the table's row type: no
 * regrouping in SQL, no parsing), so a night without changes writes
 * nothing.
 *
 * Failure modes: the table is locked SHARE ROW EXCLUSIVE for the refresh
 * (readers go on; a second refresh or another writer waits), so the compare
 * and the writes see the same rows; a statement that does not write the
 * rows it was given (someone got past the lock) is an internal error. The
 * core's lists are malloc'd and freed in PG_FINALLY; a cancel stops the
 * search between points and the writes between batches, and the
 * transaction rolls everything back.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"
#include "catalog/namespace.h"

#include "core_error.h"
#include "diffusion.h"
#include "graph_read.h"
#include "query_rows.h"
#include "neighbours.h"

PG_FUNCTION_INFO_V1(stormops_refresh_neighbors);

/* properties per write statement */
#define WRITE_BATCH 20000

typedef struct refresh
{
	graph_nodes nodes;
	so_neighbour_lists lists;	/* over points, in node order */
	so_neighbour_lists rev;
	int64	   *node_point;		/* node -> point, -1 without coordinates */
	int64	   *point_node;
	int64		located;
	bool	   *stored;			/* [point] a row is stored */
	bool	   *same;			/* [point] ... and equals the new one */
	int64		ndel;			/* rows to delete, by the id they were stored under */
	Size		del_cap;
	text	  **del;
	MemoryContext cxt;
	int64		entries;		/* list entries: rows of the view property_neighbors */
	Oid			row_type;		/* neighbor_lists' row type */
	TupleDesc	row_desc;
	int64		inserted,
				updated;
} refresh;

/* Whether a stored id array and distance array are the point's entries of l (same order, same bits). */
static bool
arrays_equal(const refresh *r, Datum ids, Datum distances, const so_neighbour_lists *l, int64 point)
{
	ArrayType  *ia = DatumGetArrayTypeP(ids),
			   *da = DatumGetArrayTypeP(distances);
	size_t		from = l->start[point],
				len = l->start[point + 1] - from;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	const double *d;

	if (ARR_NDIM(da) > 1 || ARR_HASNULL(da) || ArrayGetNItems(ARR_NDIM(da), ARR_DIMS(da)) != (int) len)
		return false;
	deconstruct_array(ia, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n != (int) len)
		return false;
	d = (const double *) ARR_DATA_PTR(da);
	for (size_t i = 0; i < len; i++)
	{
		int64		node = r->point_node[l->to[from + i]];
		text	   *t;

		if (nulls[i] || d[i] != l->distance_m[from + i])
			return false;
		t = DatumGetTextPP(elems[i]);
		if (VARSIZE_ANY_EXHDR(t) != r->nodes.lens[node] ||
			memcmp(VARDATA_ANY(t), r->nodes.ids[node], r->nodes.lens[node]) != 0)
			return false;
	}
	return true;
}

static void
compare_stored(TupleTableSlot *slot, void *arg)
{
	refresh    *r = arg;
	int64		a = graph_node_of(&r->nodes, slot->tts_values[0]);
	int64		p = a >= 0 ? r->node_point[a] : -1;
	MemoryContext old;

	if (p >= 0 && r->lists.start[p + 1] > r->lists.start[p])
	{
		r->stored[p] = true;
		r->same[p] = arrays_equal(r, slot->tts_values[1], slot->tts_values[2], &r->lists, p) &&
			arrays_equal(r, slot->tts_values[3], slot->tts_values[4], &r->rev, p);
		return;
	}
	/* no longer a property, no longer located, or no neighbour any more */
	old = MemoryContextSwitchTo(r->cxt);
	if ((Size) r->ndel == r->del_cap)
	{
		r->del_cap = Max(r->del_cap * 2, 1024);
		r->del = query_rows_resize(r->del, r->del_cap, sizeof(text *));
	}
	r->del[r->ndel++] = DatumGetTextPCopy(slot->tts_values[0]);
	MemoryContextSwitchTo(old);
}

static void
execute(SPIPlanPtr plan, Datum *args, int64 expected)
{
	if (SPI_execute_plan(plan, args, NULL, false, 0) < 0)
		elog(ERROR, "refresh_neighbors: writing neighbor_lists failed");
	if (SPI_processed != (uint64) expected)
		elog(ERROR, "refresh_neighbors: " INT64_FORMAT " rows expected, " UINT64_FORMAT " written",
			 expected, SPI_processed);
}

static void
delete_rows(refresh *r)
{
	Oid			type = TEXTARRAYOID;
	SPIPlanPtr	plan = SPI_prepare("DELETE FROM stormops.neighbor_lists l USING pg_catalog.unnest($1) AS d(pid)"
								   " WHERE l.property_id OPERATOR(pg_catalog.=) d.pid", 1, &type);

	if (plan == NULL)
		elog(ERROR, "refresh_neighbors: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));

	for (int64 from = 0; from < r->ndel; from += WRITE_BATCH)
	{
		int			n = (int) Min(WRITE_BATCH, r->ndel - from);
		Datum		arg = PointerGetDatum(construct_array((Datum *) (r->del + from), n, TEXTOID, -1, false,
														  TYPALIGN_INT));

		execute(plan, &arg, n);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_freeplan(plan);
}

/* One list (or reverse list) of a point as a text[] and a float8[]. */
static void
list_arrays(const refresh *r, const so_neighbour_lists *l, int64 p, Datum *ids, Datum *distances)
{
	size_t		from = l->start[p],
				len = l->start[p + 1] - from;
	Datum	   *t = palloc(sizeof(Datum) * Max(len, 1)),
			   *d = palloc(sizeof(Datum) * Max(len, 1));

	for (size_t e = 0; e < len; e++)
	{
		t[e] = graph_node_text(&r->nodes, r->point_node[l->to[from + e]]);
		d[e] = Float8GetDatum(l->distance_m[from + e]);
	}
	*ids = PointerGetDatum(construct_array(t, (int) len, TEXTOID, -1, false, TYPALIGN_INT));
	*distances = PointerGetDatum(construct_array(d, (int) len, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
												 TYPALIGN_DOUBLE));
}

/* Point p's row of neighbor_lists as a composite datum. */
static Datum
list_row(const refresh *r, int64 p)
{
	int			natts = r->row_desc->natts;
	Datum	   *values = palloc0(sizeof(Datum) * natts);
	bool	   *nulls = palloc(sizeof(bool) * natts);

	/* columns by position as created (35_diffusion_tables.sql); any added later NULL */
	memset(nulls, true, natts);
	values[0] = graph_node_text(&r->nodes, r->point_node[p]);
	list_arrays(r, &r->lists, p, &values[1], &values[2]);
	list_arrays(r, &r->rev, p, &values[3], &values[4]);
	memset(nulls, false, 5);
	return HeapTupleGetDatum(heap_form_tuple(r->row_desc, values, nulls));
}

static bool
to_write(const refresh *r, int64 p, bool stored)
{
	return r->lists.start[p + 1] > r->lists.start[p] && r->stored[p] == stored && !r->same[p];
}

/*
 * Insert (stored false) or update (stored true) the rows of the points
 * whose new lists are not empty and differ from what is stored.
 */
static int64
write_rows(refresh *r, bool stored)
{
	MemoryContext batch = AllocSetContextCreate(CurrentMemoryContext, "stormops neighbour batch",
												ALLOCSET_DEFAULT_SIZES);
	Oid			array_type = get_array_type(r->row_type);
	SPIPlanPtr	plan;
	int64		written = 0;
	int64		p = 0;
	Datum	   *rows = palloc(sizeof(Datum) * WRITE_BATCH);

	if (!OidIsValid(array_type))
		elog(ERROR, "refresh_neighbors: neighbor_lists has no array type");
	if (stored)
		plan = SPI_prepare("UPDATE stormops.neighbor_lists l SET neighbor_ids = u.neighbor_ids, distances_m = u.distances_m,"
						   " listed_by_ids = u.listed_by_ids, listed_by_distances_m = u.listed_by_distances_m"
						   " FROM pg_catalog.unnest($1) AS u WHERE l.property_id OPERATOR(pg_catalog.=) u.property_id",
						   1, &array_type);
	else
		plan = SPI_prepare("INSERT INTO stormops.neighbor_lists"
						   " (property_id, neighbor_ids, distances_m, listed_by_ids, listed_by_distances_m)"
						   " SELECT u.property_id, u.neighbor_ids, u.distances_m, u.listed_by_ids, u.listed_by_distances_m"
						   " FROM pg_catalog.unnest($1) AS u", 1, &array_type);
	if (plan == NULL)
		elog(ERROR, "refresh_neighbors: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	while (p < r->located)
	{
		MemoryContext old = MemoryContextSwitchTo(batch);
		int			n = 0;

		for (; p < r->located && n < WRITE_BATCH; p++)
			if (to_write(r, p, stored))
				rows[n++] = list_row(r, p);
		if (n > 0)
		{
			Datum		arg = PointerGetDatum(construct_array(rows, n, r->row_type, -1, false, TYPALIGN_DOUBLE));

			execute(plan, &arg, n);
			written += n;
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(batch);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_freeplan(plan);
	MemoryContextDelete(batch);
	return written;
}

static void
refresh_work(refresh *r, instr_time started)
{
	double	   *lat,
			   *lon;
	so_error	err;
	int			rc;
	double		read_ms,
				build_ms,
				compare_ms;

	r->cxt = CurrentMemoryContext;
	r->row_type = get_rel_type_id(get_relname_relid("neighbor_lists", get_namespace_oid("stormops", false)));
	if (!OidIsValid(r->row_type))
		elog(ERROR, "refresh_neighbors: stormops.neighbor_lists does not exist");
	r->row_desc = lookup_rowtype_tupdesc_copy(r->row_type, -1);
	if (r->row_desc->natts < 5)
		elog(ERROR, "refresh_neighbors: stormops.neighbor_lists has %d columns, not 5", r->row_desc->natts);
	graph_nodes_read(&r->nodes, true);
	r->node_point = query_rows_resize(NULL, r->nodes.n, sizeof(int64));
	r->point_node = query_rows_resize(NULL, r->nodes.n, sizeof(int64));
	lat = query_rows_resize(NULL, r->nodes.n, sizeof(double));
	lon = query_rows_resize(NULL, r->nodes.n, sizeof(double));
	for (int64 i = 0; i < r->nodes.n; i++)
	{
		r->node_point[i] = -1;
		if (!r->nodes.has_point[i])
			continue;
		r->node_point[i] = r->located;
		r->point_node[r->located] = i;
		lat[r->located] = r->nodes.lat[i];
		lon[r->located] = r->nodes.lon[i];
		r->located++;
	}
	read_ms = stormops_ms_since(started);
	rc = so_neighbours_within(lat, lon, (size_t) r->located, stormops_neighbor_k, stormops_neighbor_radius_m,
							  stormops_cancel_pending, &r->lists, &err);
	if (rc != SO_OK)
		stormops_raise_core_failure("the neighbour search", rc, &err);
	rc = so_neighbour_lists_reverse(&r->lists, &r->rev, &err);
	if (rc != SO_OK)
		stormops_raise_core_failure("the reverse neighbour lists", rc, &err);
	build_ms = stormops_ms_since(started) - read_ms;
	r->entries = (int64) r->lists.start[r->lists.n];

	r->stored = query_rows_resize(NULL, r->located, sizeof(bool));
	r->same = query_rows_resize(NULL, r->located, sizeof(bool));
	memset(r->stored, 0, Max(r->located, 1) * sizeof(bool));
	memset(r->same, 0, Max(r->located, 1) * sizeof(bool));
	query_rows_each("SELECT l.property_id, l.neighbor_ids, l.distances_m, l.listed_by_ids, l.listed_by_distances_m"
					" FROM stormops.neighbor_lists l", 0, (Datum) 0, compare_stored, r);
	compare_ms = stormops_ms_since(started) - read_ms - build_ms;

	delete_rows(r);
	r->updated = write_rows(r, true);
	r->inserted = write_rows(r, false);
	elog(DEBUG1, "refresh_neighbors: %lld properties, %lld located, %zu list entries; read %.1f ms, "
		 "neighbours %.1f ms, compare %.1f ms, write %.1f ms",
		 (long long) r->nodes.n, (long long) r->located, r->lists.start[r->lists.n], read_ms, build_ms,
		 compare_ms, stormops_ms_since(started) - read_ms - build_ms - compare_ms);
}

/*
 * stormops.refresh_neighbors() RETURNS (properties, located, neighbor_rows,
 * lists_inserted, lists_updated, lists_deleted).
 */
Datum
stormops_refresh_neighbors(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	refresh    *r;
	instr_time	started;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "refresh_neighbors: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	r = palloc0(sizeof(refresh));
	INSTR_TIME_SET_CURRENT(started);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "refresh_neighbors: SPI_connect failed");
	if (SPI_execute("LOCK TABLE stormops.neighbor_lists IN SHARE ROW EXCLUSIVE MODE", false, 0) < 0)
		elog(ERROR, "refresh_neighbors: cannot lock neighbor_lists");
	PG_TRY();
	{
		refresh_work(r, started);
	}
	PG_FINALLY();
	{
		graph_nodes_free(&r->nodes);
		so_neighbour_lists_free(&r->lists);
		so_neighbour_lists_free(&r->rev);
	}
	PG_END_TRY();
	SPI_finish();

	values[0] = Int64GetDatum(r->nodes.n);
	values[1] = Int64GetDatum(r->located);
	values[2] = Int64GetDatum(r->entries);
	values[3] = Int64GetDatum(r->inserted);
	values[4] = Int64GetDatum(r->updated);
	values[5] = Int64GetDatum(r->ndel);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
