/*
 * diffusion_graph.h: the weighted directed graph of diffusion.md from its
 * two kinds of edges, and the percentile of each score.
 *
 * Neighbour edges come as the stored neighbour lists: pairs (a, b, distance)
 * meaning b is among a's nearest. They go both ways: a pair gives a -> b and
 * b -> a, each of weight exp(-distance / decay_m); when a and b are in each
 * other's lists the pair is one edge each way, not two (the distance of the
 * first pair read wins; the neighbour builder gives both the same). A pair
 * of a node with itself is ignored. Referral edges (referrer, referred) go
 * one way with referral_weight each; a referral between neighbours adds its
 * weight to the neighbour edge (parallel edges add, as in pagerank.h).
 *
 * The result is in pagerank.h's compressed rows, each node's out-edges
 * ordered by target. Failure modes: a node number >= n (SO_ERR_RANGE, path
 * "neighbour pair N" / "referral N"), a distance negative or not finite,
 * decay_m not positive, referral_weight negative or not finite
 * (SO_ERR_RANGE); allocation failure (SO_ERR_TOO_LARGE). Nothing stays
 * allocated on an error.
 */
#ifndef SO_DIFFUSION_GRAPH_H
#define SO_DIFFUSION_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "so_error.h"

typedef struct so_weighted_graph
{
	size_t		n;
	size_t	   *start;			/* [n + 1] */
	uint32_t   *to;				/* [start[n]] */
	double	   *weight;			/* [start[n]] */
} so_weighted_graph;

/* The weight of a neighbour edge: exp(-distance_m / decay_m). */
double		so_neighbor_weight(double distance_m, double decay_m);

int			so_diffusion_graph_build(size_t n,
									 size_t npairs, const uint32_t *pair_from, const uint32_t *pair_to,
									 const double *pair_distance_m, double decay_m,
									 size_t nreferrals, const uint32_t *referrer, const uint32_t *referred,
									 double referral_weight,
									 so_weighted_graph *out, so_error *err);

void		so_weighted_graph_free(so_weighted_graph *g);

/*
 * percentile[i] = 100 * (the number of scores below score[i]) / (n - 1),
 * i.e. 100 * PostgreSQL's percent_rank() over the scores, computed as
 * percent_rank is ((double) below / (n - 1)) and then times 100; 0 when
 * n == 1. Scores must not be NaN. SO_ERR_TOO_LARGE on allocation failure.
 */
int			so_percent_ranks(size_t n, const double *score, double *percentile, so_error *err);

#endif							/* SO_DIFFUSION_GRAPH_H */
