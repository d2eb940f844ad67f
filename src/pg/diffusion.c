/*
 * diffusion.c: the settings of the diffusion graph, the edge weights, and
 * the personalized PageRank of diffusion.md (docs/diffusion.md). The
 * neighbour lists are kept by neighbor_refresh.c.
 *
 * diffusion_scores(as_of): reads the stored lists, the referrals and the
 * seed set, builds the weighted graph (src/core/diffusion_graph.c) and runs
 * PageRank (src/core/pagerank.c); returns each property's score and its
 * percent rank. It reads what is stored, so the view diffusion_edges, the
 * paths and the scores describe one graph.
 *
 * Failure modes: the core's working memory is malloc'd and freed in
 * PG_FINALLY, so an error or a cancel (polled by the core between steps)
 * leaks nothing. PageRank converges geometrically (by 0.85 a step); not
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
#include "query_rows.h"
#include "neighbours.h"
#include "pagerank.h"

PG_FUNCTION_INFO_V1(stormops_neighbor_weight);
PG_FUNCTION_INFO_V1(stormops_referral_weight);
PG_FUNCTION_INFO_V1(stormops_diffusion_scores);

#define DAMPING 0.85
#define TOLERANCE 1e-10
#define MAX_STEPS 1000

int			stormops_neighbor_k = 8;
double		stormops_neighbor_radius_m = 250;
static double neighbor_decay_m = 100;
static double referral_weight = 5;

void
stormops_define_diffusion_settings(void)
{
	DefineCustomIntVariable("stormops.neighbor_k",
							"Nearest properties each property lists in neighbor_lists.",
							"refresh_diffusion builds the neighbour graph with it (1..64).",
							&stormops_neighbor_k, 8, 1, SO_NEIGHBOURS_MAX_K,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("stormops.neighbor_radius_m",
							 "Metres within which a property is a neighbour.",
							 "Great-circle distance; refresh_diffusion builds the neighbour graph with it.",
							 &stormops_neighbor_radius_m, 250, 1, 100000,
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

/* ---- diffusion_scores ---- */

typedef struct edge_reader
{
	const graph_nodes *nodes;
	MemoryContext cxt;
	int64		n;
	Size		cap;
	uint32	   *from,
			   *to;
	double	   *distance;		/* when with_distance */
	bool		with_distance;	/* neighbour pairs, not referrals */
} edge_reader;

/* The seed set as a flag per node. */
typedef struct seed_reader
{
	const graph_nodes *nodes;
	unsigned char *seed;
} seed_reader;

/* One edge onto the reader's arrays (distance only for neighbour pairs). */
static void
push_edge(edge_reader *r, int64 a, int64 b, double distance)
{
	MemoryContext old = MemoryContextSwitchTo(r->cxt);

	if ((Size) r->n == r->cap)
	{
		r->cap = Max(r->cap * 2, 1024);
		r->from = query_rows_resize(r->from, r->cap, sizeof(uint32));
		r->to = query_rows_resize(r->to, r->cap, sizeof(uint32));
		if (r->with_distance)
			r->distance = query_rows_resize(r->distance, r->cap, sizeof(double));
	}
	r->from[r->n] = (uint32) a;
	r->to[r->n] = (uint32) b;
	if (r->with_distance)
		r->distance[r->n] = distance;
	r->n++;
	MemoryContextSwitchTo(old);
}

/* A referrals row. */
static void
read_edge(TupleTableSlot *slot, void *arg)
{
	edge_reader *r = arg;
	int64		a = graph_node_of(r->nodes, slot->tts_values[0]),
				b = graph_node_of(r->nodes, slot->tts_values[1]);

	if (a >= 0 && b >= 0)		/* (else a property deleted since the refresh) */
		push_edge(r, a, b, 0);
}

/* A neighbor_lists row: a pair per entry of its list (not of its reverse list). */
static void
read_list(TupleTableSlot *slot, void *arg)
{
	edge_reader *r = arg;
	int64		a = graph_node_of(r->nodes, slot->tts_values[0]);
	ArrayType  *ids = DatumGetArrayTypeP(slot->tts_values[1]),
			   *ds = DatumGetArrayTypeP(slot->tts_values[2]);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	const double *d;

	if (a < 0)
		return;					/* a property deleted since the refresh */
	deconstruct_array(ids, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (ARR_HASNULL(ds) || ArrayGetNItems(ARR_NDIM(ds), ARR_DIMS(ds)) != n)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("neighbor_lists row \"%s\" has %d neighbours but not as many distances, or a NULL one",
						TextDatumGetCString(slot->tts_values[0]), n),
				 errdetail("Column distances_m of stormops.neighbor_lists."),
				 errhint("The lists are derived data: DELETE the row and run stormops.refresh_diffusion() to write it again.")));
	d = (const double *) ARR_DATA_PTR(ds);
	for (int i = 0; i < n; i++)
	{
		int64		b = nulls[i] ? -1 : graph_node_of(r->nodes, elems[i]);

		if (b >= 0)
			push_edge(r, a, b, d[i]);
	}
}

static void
read_seed(TupleTableSlot *slot, void *arg)
{
	seed_reader *r = arg;
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
					referrals;
		seed_reader seeds;
		unsigned char *seed;
		so_error	err;
		int			rc,
					steps;
		bool		converged;
		double		read_ms,
					rank_ms;

		graph_nodes_read(&nodes, false);
		seed = query_rows_resize(NULL, nodes.n, 1);
		memset(seed, 0, Max(nodes.n, 1));
		seeds.nodes = &nodes;
		seeds.seed = seed;
		query_rows_each("SELECT s.property_id FROM stormops.diffusion_seeds($1) s",
						1, TimestampTzGetDatum(as_of), read_seed, &seeds);
		memset(&pairs, 0, sizeof(pairs));
		pairs.nodes = &nodes;
		pairs.cxt = CurrentMemoryContext;
		pairs.with_distance = true;
		query_rows_each("SELECT l.property_id, l.neighbor_ids, l.distances_m FROM stormops.neighbor_lists l",
						0, (Datum) 0, read_list, &pairs);
		memset(&referrals, 0, sizeof(referrals));
		referrals.nodes = &nodes;
		referrals.cxt = CurrentMemoryContext;
		query_rows_each("SELECT r.referrer_property_id, r.referred_property_id FROM stormops.referrals r",
						0, (Datum) 0, read_edge, &referrals);
		read_ms = stormops_ms_since(started);

		rc = so_diffusion_graph_build((size_t) nodes.n, (size_t) pairs.n, pairs.from, pairs.to, pairs.distance,
									  neighbor_decay_m, (size_t) referrals.n, referrals.from, referrals.to,
									  referral_weight, &graph, &err);
		if (rc != SO_OK)
			stormops_raise_core_failure("building the diffusion graph", rc, &err);
		score = query_rows_resize(NULL, nodes.n, sizeof(double));
		percentile = query_rows_resize(NULL, nodes.n, sizeof(double));
		rc = so_pagerank(graph.n, graph.start, graph.to, graph.weight, seed, DAMPING, TOLERANCE, MAX_STEPS,
						 stormops_cancel_pending, score, &steps, &converged, &err);
		if (rc != SO_OK)
			stormops_raise_core_failure("PageRank", rc, &err);
		if (!converged)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("PageRank did not converge in %d steps", MAX_STEPS)));
		rank_ms = stormops_ms_since(started) - read_ms;
		rc = so_percent_ranks((size_t) nodes.n, score, percentile, &err);
		if (rc != SO_OK)
			stormops_raise_core_failure("ranking the scores", rc, &err);
		elog(DEBUG1, "diffusion_scores: %lld properties, %lld neighbour pairs, %lld referrals, %zu edges; "
			 "read %.1f ms, graph and %d PageRank steps %.1f ms",
			 (long long) nodes.n, (long long) pairs.n, (long long) referrals.n, graph.start[graph.n],
			 read_ms, steps, rank_ms);

		for (int64 i = 0; i < nodes.n; i++)
		{
			Datum		values[4];
			bool		nulls[4] = {false, false, false, false};

			values[0] = graph_node_text(&nodes, i);
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
