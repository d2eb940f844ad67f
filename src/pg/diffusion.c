/*
 * diffusion.c: the neighbour graph kept in property_neighbors and the
 * personalized PageRank of diffusion.md (docs/diffusion.md).
 *
 * refresh_neighbors(): every property's stormops.neighbor_k nearest within
 * stormops.neighbor_radius_m, computed whole in C (src/core/neighbours.c,
 * a grid, not a join), then compared with the stored lists and written as
 * the difference: rows that did not change are not touched, so a nightly
 * refresh after a few new or moved properties writes a few rows. The table
 * is locked SHARE ROW EXCLUSIVE for the refresh (readers go on; a second
 * refresh or another writer waits).
 *
 * diffusion_scores(as_of): reads the stored lists, the referrals and the
 * seed set, builds the weighted graph (src/core/diffusion_graph.c) and runs
 * PageRank (src/core/pagerank.c); returns each property's score and its
 * percent rank. It reads what is stored, so the view diffusion_edges, the
 * paths and the scores describe one graph.
 *
 * Failure modes: the core's working memory is malloc'd and freed in
 * PG_FINALLY, so an error or a cancel (polled by the core between points
 * and between steps) leaks nothing; a refresh is one statement's writes,
 * all or nothing. PageRank converges geometrically (by 0.85 a step); not
 * converging in 1,000 steps is reported as an internal error.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "core_error.h"
#include "diffusion.h"
#include "diffusion_graph.h"
#include "graph_read.h"
#include "neighbours.h"
#include "pagerank.h"

PG_FUNCTION_INFO_V1(stormops_neighbor_weight);
PG_FUNCTION_INFO_V1(stormops_referral_weight);
PG_FUNCTION_INFO_V1(stormops_refresh_neighbors);
PG_FUNCTION_INFO_V1(stormops_diffusion_scores);

#define DAMPING 0.85
#define TOLERANCE 1e-10
#define MAX_STEPS 1000
#define WRITE_BATCH 50000

static int	neighbor_k = 8;
static double neighbor_radius_m = 250;
static double neighbor_decay_m = 100;
static double referral_weight = 5;

void
stormops_define_diffusion_settings(void)
{
	DefineCustomIntVariable("stormops.neighbor_k",
							"Nearest properties each property lists in property_neighbors.",
							"refresh_diffusion builds the neighbour graph with it (1..64).",
							&neighbor_k, 8, 1, SO_NEIGHBOURS_MAX_K,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("stormops.neighbor_radius_m",
							 "Metres within which a property is a neighbour.",
							 "Great-circle distance; refresh_diffusion builds the neighbour graph with it.",
							 &neighbor_radius_m, 250, 1, 100000,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("stormops.neighbor_decay_m",
							 "Metres over which a neighbour edge's weight falls by a factor e.",
							 "The weight of a neighbour edge is exp(-distance_m / neighbor_decay_m).",
							 &neighbor_decay_m, 100, 1, 1000000,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("stormops.referral_weight",
							 "Weight of a referral edge (referrer to referred).",
							 "Against neighbour edges of weight at most 1.",
							 &referral_weight, 5, 0, 1000000,
							 PGC_SUSET, 0, NULL, NULL, NULL);
}

/* stormops.neighbor_weight(distance_m): the edge weight the scores use. */
Datum
stormops_neighbor_weight(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(so_neighbor_weight(PG_GETARG_FLOAT8(0), neighbor_decay_m));
}

/* stormops.referral_weight(): the setting. */
Datum
stormops_referral_weight(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(referral_weight);
}

static double
ms_since(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_MILLISEC(now);
}

static void
raise_core(const char *what, int rc, const so_error *err)
{
	if (rc == SO_ERR_INTERRUPTED)
		CHECK_FOR_INTERRUPTS();
	if (rc == SO_ERR_TOO_LARGE)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("%s: %s", what, err->message)));
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("%s failed at %s: %s", what, stormops_error_path(err), err->message)));
}

/* ---- refresh_neighbors ---- */

typedef struct neighbour_diff
{
	const graph_nodes *nodes;
	const so_neighbour_lists *lists;
	const int64 *node_point;	/* node -> point, -1 without one */
	const int64 *point_node;	/* point -> node */
	bool	   *kept;			/* [edges]: stored as it is */
	int64		stored;
	/* rows to delete (ids as stored: they may name no property any more) */
	int64		ndel;
	Size		del_cap;
	text	  **del_from,
			  **del_to;
	/* rows whose distance changed */
	int64		nupd;
	Size		upd_cap;
	size_t	   *upd_edge;
	MemoryContext cxt;
	int64		located;		/* properties with a point */
	int64		inserted;
} neighbour_diff;

static void
compare_stored(TupleTableSlot *slot, void *arg)
{
	neighbour_diff *d = arg;
	int64		a = graph_node_of(d->nodes, slot->tts_values[0]),
				b = graph_node_of(d->nodes, slot->tts_values[1]);
	double		distance = DatumGetFloat8(slot->tts_values[2]);
	MemoryContext old;

	d->stored++;
	if (a >= 0 && b >= 0 && d->node_point[a] >= 0 && d->node_point[b] >= 0)
	{
		int64		pa = d->node_point[a],
					pb = d->node_point[b];

		for (size_t e = d->lists->start[pa]; e < d->lists->start[pa + 1]; e++)
			if (d->lists->to[e] == (uint32_t) pb)
			{
				d->kept[e] = true;
				if (d->lists->distance_m[e] != distance)
				{
					old = MemoryContextSwitchTo(d->cxt);
					if ((Size) d->nupd == d->upd_cap)
					{
						d->upd_cap = Max(d->upd_cap * 2, 1024);
						d->upd_edge = graph_resize(d->upd_edge, d->upd_cap, sizeof(size_t));
					}
					d->upd_edge[d->nupd++] = e;
					MemoryContextSwitchTo(old);
				}
				return;
			}
	}
	old = MemoryContextSwitchTo(d->cxt);
	if ((Size) d->ndel == d->del_cap)
	{
		d->del_cap = Max(d->del_cap * 2, 1024);
		d->del_from = graph_resize(d->del_from, d->del_cap, sizeof(text *));
		d->del_to = graph_resize(d->del_to, d->del_cap, sizeof(text *));
	}
	d->del_from[d->ndel] = DatumGetTextPCopy(slot->tts_values[0]);
	d->del_to[d->ndel] = DatumGetTextPCopy(slot->tts_values[1]);
	d->ndel++;
	MemoryContextSwitchTo(old);
}

static Datum
node_text(const graph_nodes *nodes, int64 node)
{
	return PointerGetDatum(cstring_to_text_with_len(nodes->ids[node], nodes->lens[node]));
}

static Datum
array_of(Datum *items, int n, Oid type)
{
	if (type == FLOAT8OID)
		return PointerGetDatum(construct_array(items, n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	return PointerGetDatum(construct_array(items, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * One statement per batch: ($1 text[], $2 text[]) for deletes, plus
 * $3 float8[] for inserts and updates.
 */
static void
write_batch(SPIPlanPtr plan, int nargs, Datum *a, Datum *b, Datum *c, int n, int expected)
{
	Datum		args[3];

	args[0] = array_of(a, n, TEXTOID);
	args[1] = array_of(b, n, TEXTOID);
	if (nargs == 3)
		args[2] = array_of(c, n, FLOAT8OID);
	if (SPI_execute_plan(plan, args, NULL, false, 0) < 0)
		elog(ERROR, "refresh_neighbors: writing property_neighbors failed");
	if (expected >= 0 && SPI_processed != (uint64) expected)
		elog(ERROR, "refresh_neighbors: %d rows expected, " UINT64_FORMAT " written (a concurrent writer?)",
			 expected, SPI_processed);
}

static SPIPlanPtr
prepare(const char *sql, int nargs)
{
	Oid			types[3] = {TEXTARRAYOID, TEXTARRAYOID, FLOAT8ARRAYOID};
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

	if (plan == NULL)
		elog(ERROR, "refresh_neighbors: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	return plan;
}

static void
write_difference(const graph_nodes *nodes, const so_neighbour_lists *lists, const int64 *point_node,
				 neighbour_diff *d, int64 *inserted)
{
	MemoryContext batch = AllocSetContextCreate(CurrentMemoryContext, "stormops neighbour batch",
												ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	Datum	   *a = palloc(sizeof(Datum) * WRITE_BATCH),
			   *b = palloc(sizeof(Datum) * WRITE_BATCH),
			   *c = palloc(sizeof(Datum) * WRITE_BATCH);
	int			n = 0;
	SPIPlanPtr	plan;

	/* deletes */
	plan = prepare("DELETE FROM stormops.property_neighbors n"
				   " USING ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS d(property_id, neighbor_id)"
				   " WHERE n.property_id OPERATOR(pg_catalog.=) d.property_id"
				   " AND n.neighbor_id OPERATOR(pg_catalog.=) d.neighbor_id", 2);
	for (int64 i = 0; i < d->ndel; i++)
	{
		a[n] = PointerGetDatum(d->del_from[i]);
		b[n] = PointerGetDatum(d->del_to[i]);
		if (++n == WRITE_BATCH || i == d->ndel - 1)
		{
			old = MemoryContextSwitchTo(batch);
			write_batch(plan, 2, a, b, NULL, n, n);
			MemoryContextSwitchTo(old);
			MemoryContextReset(batch);
			n = 0;
		}
	}
	SPI_freeplan(plan);

	/* distances that changed (a property moved but kept its neighbour) */
	plan = prepare("UPDATE stormops.property_neighbors n SET distance_m = u.distance_m"
				   " FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3)) AS u(property_id, neighbor_id, distance_m)"
				   " WHERE n.property_id OPERATOR(pg_catalog.=) u.property_id"
				   " AND n.neighbor_id OPERATOR(pg_catalog.=) u.neighbor_id", 3);
	for (int64 i = 0; i < d->nupd; i++)
	{
		size_t		e = d->upd_edge[i];
		int64		pa = 0;

		/* the point whose list holds edge e */
		{
			int64		lo = 0,
						hi = (int64) lists->n - 1;

			while (lo < hi)
			{
				int64		mid = (lo + hi + 1) / 2;

				if (lists->start[mid] <= e)
					lo = mid;
				else
					hi = mid - 1;
			}
			pa = lo;
		}
		old = MemoryContextSwitchTo(batch);
		a[n] = node_text(nodes, point_node[pa]);
		b[n] = node_text(nodes, point_node[lists->to[e]]);
		c[n] = Float8GetDatum(lists->distance_m[e]);
		MemoryContextSwitchTo(old);
		if (++n == WRITE_BATCH || i == d->nupd - 1)
		{
			old = MemoryContextSwitchTo(batch);
			write_batch(plan, 3, a, b, c, n, n);
			MemoryContextSwitchTo(old);
			MemoryContextReset(batch);
			n = 0;
		}
	}
	SPI_freeplan(plan);

	/* new rows, in node order (property_id order: appends to the key's index) */
	plan = prepare("INSERT INTO stormops.property_neighbors (property_id, neighbor_id, distance_m)"
				   " SELECT * FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3))", 3);
	*inserted = 0;
	for (size_t pa = 0; pa < lists->n; pa++)
	{
		for (size_t e = lists->start[pa]; e < lists->start[pa + 1]; e++)
		{
			if (d->kept[e])
				continue;
			old = MemoryContextSwitchTo(batch);
			a[n] = node_text(nodes, point_node[pa]);
			b[n] = node_text(nodes, point_node[lists->to[e]]);
			c[n] = Float8GetDatum(lists->distance_m[e]);
			MemoryContextSwitchTo(old);
			(*inserted)++;
			if (++n == WRITE_BATCH)
			{
				old = MemoryContextSwitchTo(batch);
				write_batch(plan, 3, a, b, c, n, n);
				MemoryContextSwitchTo(old);
				MemoryContextReset(batch);
				n = 0;
			}
		}
		CHECK_FOR_INTERRUPTS();
	}
	if (n > 0)
	{
		old = MemoryContextSwitchTo(batch);
		write_batch(plan, 3, a, b, c, n, n);
		MemoryContextSwitchTo(old);
	}
	SPI_freeplan(plan);
	MemoryContextDelete(batch);
}

static void
refresh_work(graph_nodes *nodes, so_neighbour_lists *lists, neighbour_diff *diff, instr_time started)
{
	int64	   *located = &diff->located;
	int64	   *node_point,
			   *point_node;
	double	   *lat,
			   *lon;
	so_error	err;
	int			rc;
	double		read_ms,
				build_ms,
				compare_ms;

	graph_nodes_read(nodes, true);
	node_point = graph_alloc(nodes->n, sizeof(int64));
	point_node = graph_alloc(nodes->n, sizeof(int64));
	lat = graph_alloc(nodes->n, sizeof(double));
	lon = graph_alloc(nodes->n, sizeof(double));
	for (int64 i = 0; i < nodes->n; i++)
	{
		node_point[i] = -1;
		if (!nodes->has_point[i])
			continue;
		node_point[i] = *located;
		point_node[*located] = i;
		lat[*located] = nodes->lat[i];
		lon[*located] = nodes->lon[i];
		(*located)++;
	}
	read_ms = ms_since(started);
	rc = so_neighbours_within(lat, lon, (size_t) *located, neighbor_k, neighbor_radius_m,
							  stormops_cancel_pending, lists, &err);
	if (rc != SO_OK)
		raise_core("the neighbour search", rc, &err);
	build_ms = ms_since(started) - read_ms;

	diff->nodes = nodes;
	diff->lists = lists;
	diff->node_point = node_point;
	diff->point_node = point_node;
	diff->kept = graph_alloc(lists->start[lists->n], sizeof(bool));
	memset(diff->kept, 0, Max(lists->start[lists->n], 1) * sizeof(bool));
	diff->cxt = CurrentMemoryContext;
	graph_read_each("SELECT n.property_id, n.neighbor_id, n.distance_m FROM stormops.property_neighbors n",
					0, (Datum) 0, compare_stored, diff);
	compare_ms = ms_since(started) - read_ms - build_ms;
	write_difference(nodes, lists, point_node, diff, &diff->inserted);
	elog(DEBUG1, "refresh_neighbors: %lld properties, %lld located, %zu edges; read %.1f ms, "
		 "neighbours %.1f ms, compare %.1f ms, write %.1f ms",
		 (long long) nodes->n, (long long) *located, lists->start[lists->n], read_ms, build_ms, compare_ms,
		 ms_since(started) - read_ms - build_ms - compare_ms);
}

/*
 * stormops.refresh_neighbors() RETURNS TABLE (properties, located, edges,
 * inserted, updated, deleted): brings property_neighbors up to date.
 */
Datum
stormops_refresh_neighbors(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false};
	graph_nodes nodes;
	so_neighbour_lists lists;
	neighbour_diff diff;
	instr_time	started;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "refresh_neighbors: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	INSTR_TIME_SET_CURRENT(started);
	memset(&nodes, 0, sizeof(nodes));
	memset(&lists, 0, sizeof(lists));
	memset(&diff, 0, sizeof(diff));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "refresh_neighbors: SPI_connect failed");
	if (SPI_execute("LOCK TABLE stormops.property_neighbors IN SHARE ROW EXCLUSIVE MODE", false, 0) < 0)
		elog(ERROR, "refresh_neighbors: cannot lock property_neighbors");
	PG_TRY();
	{
		refresh_work(&nodes, &lists, &diff, started);
	}
	PG_FINALLY();
	{
		graph_nodes_free(&nodes);
		so_neighbour_lists_free(&lists);
	}
	PG_END_TRY();
	SPI_finish();

	values[0] = Int64GetDatum(nodes.n);
	values[1] = Int64GetDatum(diff.located);
	values[2] = Int64GetDatum(diff.stored - diff.ndel + diff.inserted);
	values[3] = Int64GetDatum(diff.inserted);
	values[4] = Int64GetDatum(diff.nupd);
	values[5] = Int64GetDatum(diff.ndel);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---- diffusion_scores ---- */

typedef struct edge_reader
{
	const graph_nodes *nodes;
	MemoryContext cxt;
	int64		n;
	Size		cap;
	uint32	   *from,
			   *to;
	double	   *distance;		/* NULL for referrals */
	bool		with_distance;
	unsigned char *seed;		/* for the seed reader */
} edge_reader;

static void
read_edge(TupleTableSlot *slot, void *arg)
{
	edge_reader *r = arg;
	int64		a = graph_node_of(r->nodes, slot->tts_values[0]),
				b = graph_node_of(r->nodes, slot->tts_values[1]);
	MemoryContext old;

	if (a < 0 || b < 0)
		return;					/* a property deleted since the refresh */
	old = MemoryContextSwitchTo(r->cxt);
	if ((Size) r->n == r->cap)
	{
		r->cap = Max(r->cap * 2, 1024);
		r->from = graph_resize(r->from, r->cap, sizeof(uint32));
		r->to = graph_resize(r->to, r->cap, sizeof(uint32));
		if (r->with_distance)
			r->distance = graph_resize(r->distance, r->cap, sizeof(double));
	}
	r->from[r->n] = (uint32) a;
	r->to[r->n] = (uint32) b;
	if (r->with_distance)
		r->distance[r->n] = DatumGetFloat8(slot->tts_values[2]);
	r->n++;
	MemoryContextSwitchTo(old);
}

static void
read_seed(TupleTableSlot *slot, void *arg)
{
	edge_reader *r = arg;
	int64		a = graph_node_of(r->nodes, slot->tts_values[0]);

	if (a >= 0)
		r->seed[a] = 1;
}

/*
 * stormops.diffusion_scores(as_of timestamptz) RETURNS TABLE (property_id,
 * diffusion_score, diffusion_percentile, is_seed), every property in byte
 * order of its id; the seeds are stormops.diffusion_seeds(as_of).
 */
Datum
stormops_diffusion_scores(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(0);
	graph_nodes nodes;
	so_weighted_graph graph;
	double	   *score,
			   *percentile;
	instr_time	started;

	InitMaterializedSRF(fcinfo, 0);
	INSTR_TIME_SET_CURRENT(started);
	memset(&nodes, 0, sizeof(nodes));
	memset(&graph, 0, sizeof(graph));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "diffusion_scores: SPI_connect failed");
	PG_TRY();
	{
		edge_reader pairs,
					referrals,
					seeds;
		unsigned char *seed;
		so_error	err;
		int			rc,
					steps;
		bool		converged;
		double		read_ms,
					rank_ms;

		graph_nodes_read(&nodes, false);
		seed = graph_alloc(nodes.n, 1);
		memset(seed, 0, Max(nodes.n, 1));
		memset(&seeds, 0, sizeof(seeds));
		seeds.nodes = &nodes;
		seeds.seed = seed;
		graph_read_each("SELECT s.property_id FROM stormops.diffusion_seeds($1) s",
						1, TimestampTzGetDatum(as_of), read_seed, &seeds);
		memset(&pairs, 0, sizeof(pairs));
		pairs.nodes = &nodes;
		pairs.cxt = CurrentMemoryContext;
		pairs.with_distance = true;
		graph_read_each("SELECT n.property_id, n.neighbor_id, n.distance_m FROM stormops.property_neighbors n",
						0, (Datum) 0, read_edge, &pairs);
		memset(&referrals, 0, sizeof(referrals));
		referrals.nodes = &nodes;
		referrals.cxt = CurrentMemoryContext;
		graph_read_each("SELECT r.referrer_property_id, r.referred_property_id FROM stormops.referrals r",
						0, (Datum) 0, read_edge, &referrals);
		read_ms = ms_since(started);

		rc = so_diffusion_graph_build((size_t) nodes.n, (size_t) pairs.n, pairs.from, pairs.to, pairs.distance,
									  neighbor_decay_m, (size_t) referrals.n, referrals.from, referrals.to,
									  referral_weight, &graph, &err);
		if (rc != SO_OK)
			raise_core("building the diffusion graph", rc, &err);
		score = graph_alloc(nodes.n, sizeof(double));
		percentile = graph_alloc(nodes.n, sizeof(double));
		rc = so_pagerank(graph.n, graph.start, graph.to, graph.weight, seed, DAMPING, TOLERANCE, MAX_STEPS,
						 stormops_cancel_pending, score, &steps, &converged, &err);
		if (rc != SO_OK)
			raise_core("PageRank", rc, &err);
		if (!converged)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("PageRank did not converge in %d steps", MAX_STEPS)));
		rank_ms = ms_since(started) - read_ms;
		rc = so_percent_ranks((size_t) nodes.n, score, percentile, &err);
		if (rc != SO_OK)
			raise_core("ranking the scores", rc, &err);
		elog(DEBUG1, "diffusion_scores: %lld properties, %lld neighbour pairs, %lld referrals, %zu edges; "
			 "read %.1f ms, graph and %d PageRank steps %.1f ms",
			 (long long) nodes.n, (long long) pairs.n, (long long) referrals.n, graph.start[graph.n],
			 read_ms, steps, rank_ms);

		for (int64 i = 0; i < nodes.n; i++)
		{
			Datum		values[4];
			bool		nulls[4] = {false, false, false, false};

			values[0] = node_text(&nodes, i);
			values[1] = Float8GetDatum(score[i]);
			values[2] = Float8GetDatum(percentile[i]);
			values[3] = BoolGetDatum(seed[i] != 0);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			pfree(DatumGetPointer(values[0]));
			if ((i & 65535) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}
	PG_FINALLY();
	{
		graph_nodes_free(&nodes);
		so_weighted_graph_free(&graph);
	}
	PG_END_TRY();
	SPI_finish();
	return (Datum) 0;
}
