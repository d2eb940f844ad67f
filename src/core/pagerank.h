/*
 * pagerank.h: personalized PageRank over a weighted directed graph, the
 * diffusion score of diffusion.md.
 *
 * The graph is in compressed rows: node i's out-edges are to[start[i] ..
 * start[i + 1] - 1] with weight[] alike (weights >= 0; parallel edges add).
 * The restart distribution is uniform over the seed set (seed[i] != 0).
 * One step: x'[j] = alpha * (sum over edges i -> j of x[i] * w_ij / out_i
 * + dangling * p[j]) + (1 - alpha) * p[j], where out_i is the sum of i's
 * out-weights, dangling the mass of the nodes whose out_i is 0 (they send
 * it back to the seed set) and p the restart distribution; from x = p until
 * the L1 change is below tol. This is networkx.pagerank(G, alpha,
 * personalization = p, weight = 'weight', dangling = p), whose start
 * (uniform) differs but whose fixed point is the same.
 *
 * Outcomes: SO_OK with *iterations (<= max_iter: *converged says whether
 * tol was reached); an empty seed set gives every score 0 and 0 iterations
 * (no one to diffuse from: documented, not an error). SO_ERR_RANGE: alpha
 * outside [0, 1), a weight negative or not finite (err.path "edge N"), an
 * edge to a node >= n, tol <= 0; SO_ERR_TOO_LARGE on allocation failure;
 * SO_ERR_INTERRUPTED when should_stop (asked once per step) says so.
 */
#ifndef SO_PAGERANK_H
#define SO_PAGERANK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "so_error.h"

int			so_pagerank(size_t n, const size_t *start, const uint32_t *to, const double *weight,
						const unsigned char *seed, double alpha, double tol, int max_iter,
						bool (*should_stop) (void), double *score, int *iterations, bool *converged,
						so_error *err);

#endif							/* SO_PAGERANK_H */
