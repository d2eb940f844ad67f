/*
 * diffusion_graph.c: the diffusion graph in compressed rows, and score
 * percentiles (diffusion_graph.h).
 *
 * Design: count each node's out-edges (two per neighbour pair, one per
 * referral), place them, then sort each node's list by (target, kind)
 * (insertion sort for the usual short lists, qsort for a long one) and
 * merge: repeated neighbour edges collapse to one, referrals add.
 * Memory: about 13 bytes per directed edge while building (16 million at a
 * million properties, k = 8), then 12 per kept edge.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffusion_graph.h"

enum
{
	KIND_NEIGHBOUR = 0,
	KIND_REFERRAL = 1
};

double
so_neighbor_weight(double distance_m, double decay_m)
{
	return exp(-distance_m / decay_m);
}

static int
range_error(so_error *err, const char *what, size_t i, const char *message, const char *expected)
{
	char		path[48];

	snprintf(path, sizeof(path), "%s %zu", what, i);
	return so_error_set(err, SO_ERR_RANGE, path, message, expected, NULL);
}

/* one out-edge while sorting a long row: seq keeps equal (target, kind) in read order */
typedef struct row_edge
{
	uint32_t	to;
	unsigned char kind;
	size_t		seq;
	double		weight;
} row_edge;

static int
by_target_kind_seq(const void *a, const void *b)
{
	const row_edge *x = a,
			   *y = b;

	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * Sort one node's out-edges by (target, kind), equal ones in read order.
 * Rows are short (about 2k neighbour edges): insertion sort in place; a row
 * made long by many referrals from one property goes through qsort, so it
 * costs n log n, not n^2. Returns false when the long row's scratch cannot
 * be allocated.
 */
static bool
sort_edges(uint32_t *to, double *w, unsigned char *kind, size_t len)
{
	if (len > 64)
	{
		row_edge   *row = malloc(len * sizeof(row_edge));

		if (row == NULL)
			return false;
		for (size_t i = 0; i < len; i++)
		{
			row[i].to = to[i];
			row[i].kind = kind[i];
			row[i].seq = i;
			row[i].weight = w[i];
		}
		qsort(row, len, sizeof(row_edge), by_target_kind_seq);
		for (size_t i = 0; i < len; i++)
		{
			to[i] = row[i].to;
			kind[i] = row[i].kind;
			w[i] = row[i].weight;
		}
		free(row);
		return true;
	}
	for (size_t i = 1; i < len; i++)
	{
		uint32_t	t = to[i];
		double		x = w[i];
		unsigned char k = kind[i];
		size_t		j = i;

		while (j > 0 && (to[j - 1] > t || (to[j - 1] == t && kind[j - 1] > k)))
		{
			to[j] = to[j - 1];
			w[j] = w[j - 1];
			kind[j] = kind[j - 1];
			j--;
		}
		to[j] = t;
		w[j] = x;
		kind[j] = k;
	}
	return true;
}

int
so_diffusion_graph_build(size_t n,
						 size_t npairs, const uint32_t *pair_from, const uint32_t *pair_to,
						 const double *pair_distance_m, double decay_m,
						 size_t nreferrals, const uint32_t *referrer, const uint32_t *referred,
						 double referral_weight,
						 so_weighted_graph *out, so_error *err)
{
	size_t	   *start = NULL,
			   *fill = NULL;
	uint32_t   *to = NULL;
	double	   *w = NULL;
	unsigned char *kind = NULL;
	size_t		total = 0,
				kept = 0;

	so_error_clear(err);
	memset(out, 0, sizeof(*out));
	if (!(decay_m > 0 && isfinite(decay_m)))
		return so_error_set(err, SO_ERR_RANGE, "decay_m", "the decay distance is not a positive number",
							"a positive number of metres", NULL);
	if (!(referral_weight >= 0 && isfinite(referral_weight)))
		return so_error_set(err, SO_ERR_RANGE, "referral_weight", "the referral weight is negative or not finite",
							"a number >= 0", NULL);
	for (size_t i = 0; i < npairs; i++)
	{
		if (pair_from[i] >= n || pair_to[i] >= n)
			return range_error(err, "neighbour pair", i, "a pair names no node", "node numbers below n");
		if (!(pair_distance_m[i] >= 0 && isfinite(pair_distance_m[i])))
			return range_error(err, "neighbour pair", i, "a distance is negative or not finite", "a distance >= 0");
	}
	for (size_t i = 0; i < nreferrals; i++)
		if (referrer[i] >= n || referred[i] >= n)
			return range_error(err, "referral", i, "a referral names no node", "node numbers below n");

	start = calloc(n + 1, sizeof(size_t));
	fill = calloc(n + 1, sizeof(size_t));
	if (start == NULL || fill == NULL)
		goto oom;
	for (size_t i = 0; i < npairs; i++)
		if (pair_from[i] != pair_to[i])
		{
			start[pair_from[i] + 1]++;
			start[pair_to[i] + 1]++;
		}
	for (size_t i = 0; i < nreferrals; i++)
		start[referrer[i] + 1]++;
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	total = start[n];
	to = malloc((total > 0 ? total : 1) * sizeof(uint32_t));
	w = malloc((total > 0 ? total : 1) * sizeof(double));
	kind = malloc(total > 0 ? total : 1);
	if (to == NULL || w == NULL || kind == NULL)
		goto oom;
	memcpy(fill, start, (n + 1) * sizeof(size_t));
	for (size_t i = 0; i < npairs; i++)
	{
		uint32_t	a = pair_from[i],
					b = pair_to[i];
		double		x = so_neighbor_weight(pair_distance_m[i], decay_m);

		if (a == b)
			continue;
		to[fill[a]] = b;
		w[fill[a]] = x;
		kind[fill[a]++] = KIND_NEIGHBOUR;
		to[fill[b]] = a;
		w[fill[b]] = x;
		kind[fill[b]++] = KIND_NEIGHBOUR;
	}
	for (size_t i = 0; i < nreferrals; i++)
	{
		uint32_t	a = referrer[i];

		to[fill[a]] = referred[i];
		w[fill[a]] = referral_weight;
		kind[fill[a]++] = KIND_REFERRAL;
	}

	/* per node: sort, then merge in place into the compacted arrays */
	for (size_t v = 0; v < n; v++)
	{
		size_t		from = start[v],
					len = start[v + 1] - start[v];

		if (!sort_edges(to + from, w + from, kind + from, len))
			goto oom;
		start[v] = kept;
		for (size_t e = from; e < from + len; e++)
		{
			bool		same_target = kept > start[v] && to[kept - 1] == to[e];

			if (same_target && kind[e] == KIND_NEIGHBOUR)
				continue;		/* the pair seen from the other side: one edge */
			if (same_target)
			{
				w[kept - 1] += w[e];	/* a referral adds to what is there */
				continue;
			}
			to[kept] = to[e];
			w[kept] = w[e];
			kind[kept] = kind[e];
			kept++;
		}
	}
	start[n] = kept;
	free(fill);
	free(kind);
	out->n = n;
	out->start = start;
	out->to = to;
	out->weight = w;
	return SO_OK;

oom:
	free(start);
	free(fill);
	free(to);
	free(w);
	free(kind);
	return so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "a smaller graph", NULL);
}

void
so_weighted_graph_free(so_weighted_graph *g)
{
	free(g->start);
	free(g->to);
	free(g->weight);
	memset(g, 0, sizeof(*g));
}

typedef struct scored
{
	double		score;
	size_t		node;
} scored;

static int
compare_by_score(const void *a, const void *b)
{
	double		x = ((const scored *) a)->score,
				y = ((const scored *) b)->score;

	return (x > y) - (x < y);
}

int
so_percent_ranks(size_t n, const double *score, double *percentile, so_error *err)
{
	scored	   *order;
	size_t		i = 0;

	so_error_clear(err);
	if (n == 0)
		return SO_OK;
	order = malloc(n * sizeof(scored));
	if (order == NULL)
		return so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "fewer scores", NULL);
	for (size_t j = 0; j < n; j++)
	{
		order[j].score = score[j];
		order[j].node = j;
	}
	qsort(order, n, sizeof(scored), compare_by_score);
	while (i < n)
	{
		size_t		below = i;
		double		pct = n > 1 ? ((double) below / (double) (n - 1)) * 100.0 : 0.0;

		while (i < n && order[i].score == order[below].score)
			percentile[order[i++].node] = pct;
	}
	free(order);
	return SO_OK;
}
