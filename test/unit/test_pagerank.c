/*
 * test_pagerank.c: personalized PageRank (pagerank.h) against
 * networkx.pagerank (Debian's python3-networkx 2.8.8, computed once with
 * alpha 0.85, personalization and dangling both uniform over the seeds
 * {0, 3}, weight 'weight', tol 1e-15) on an 8-node graph with both-way and
 * one-way edges, a zero-weight edge, a node with in-edges only (6) and an
 * isolated node (7); the scores sum to 1; an empty seed set; refusals.
 * (A whole neighbour graph is to be compared at run time once the graph is
 * in SQL: issue 15.)
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "pagerank.h"
#include "tap.h"

int
main(void)
{
	/* node: out-edges (to, weight) */
	static const size_t start[] = {0, 2, 5, 7, 9, 10, 11, 11, 11};
	static const uint32_t to[] = {1, 2, 0, 2, 6, 1, 3, 2, 4, 5, 4};
	static const double weight[] = {2.0, 0.0, 2.0, 1.0, 0.25, 1.0, 0.5, 0.5, 5.0, 1.0, 1.0};
	static const double nx[] = {0.1725394887001595, 0.17706592467824375, 0.053660045793720294,
		0.0951240692792476, 0.26488274819773927, 0.2251503359680816, 0.011577387382808247, 0.0};
	unsigned char seed[8] = {1, 0, 0, 1, 0, 0, 0, 0};
	double		score[8],
				worst = 0,
				sum = 0;
	int			iterations;
	bool		converged;
	so_error	err;
	int			rc;

	rc = so_pagerank(8, start, to, weight, seed, 0.85, 1e-13, 1000, NULL, score, &iterations, &converged, &err);
	ok(rc == SO_OK && converged, "converges (%d steps)", iterations);
	for (int i = 0; i < 8; i++)
	{
		worst = fmax(worst, fabs(score[i] - nx[i]));
		sum += score[i];
	}
	ok(worst < 1e-12, "every score equals networkx.pagerank's (largest difference %.1e)", worst);
	ok(fabs(sum - 1) < 1e-12, "the scores sum to 1");
	ok(score[7] == 0, "an isolated node that is not a seed scores 0");

	rc = so_pagerank(8, start, to, weight, seed, 0.85, 1e-13, 2, NULL, score, &iterations, &converged, &err);
	ok(rc == SO_OK && !converged && iterations == 2, "a step cap: not converged, the last iterate");

	memset(seed, 0, sizeof(seed));
	score[0] = -1;
	rc = so_pagerank(8, start, to, weight, seed, 0.85, 1e-13, 1000, NULL, score, &iterations, &converged, &err);
	ok(rc == SO_OK && iterations == 0 && score[0] == 0 && score[5] == 0, "an empty seed set: every score 0");

	seed[0] = 1;
	rc = so_pagerank(8, start, to, weight, seed, 1.0, 1e-13, 1000, NULL, score, &iterations, &converged, &err);
	ok(rc == SO_ERR_RANGE && strcmp(err.path, "alpha") == 0, "alpha 1: range error");
	{
		double		bad[11];

		memcpy(bad, weight, sizeof(bad));
		bad[4] = -1;
		rc = so_pagerank(8, start, to, bad, seed, 0.85, 1e-13, 1000, NULL, score, &iterations, &converged, &err);
		ok(rc == SO_ERR_RANGE && strcmp(err.path, "edge 4") == 0, "a negative weight: range error at edge 4");
	}
	{
		uint32_t	bad_to[11];

		memcpy(bad_to, to, sizeof(bad_to));
		bad_to[3] = 8;
		rc = so_pagerank(8, start, bad_to, weight, seed, 0.85, 1e-13, 1000, NULL, score, &iterations, &converged, &err);
		ok(rc == SO_ERR_RANGE && strcmp(err.path, "edge 3") == 0, "an edge to no node: range error at edge 3");
	}
	return done_testing();
}
