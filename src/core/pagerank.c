/*
 * pagerank.c: personalized PageRank by power iteration (pagerank.h).
 *
 * Push form over the out-edges: each step reads every edge once (the
 * neighbour graph of a million properties at k = 8 both ways is about 16
 * million edges). Sums are plain doubles in node order, so a result is the
 * same on every run. Failure modes: see the header; nothing is written to
 * score on an error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagerank.h"

int
so_pagerank(size_t n, const size_t *start, const uint32_t *to, const double *weight,
			const unsigned char *seed, double alpha, double tol, int max_iter,
			bool (*should_stop) (void), double *score, int *iterations, bool *converged,
			so_error *err)
{
	double	   *out = NULL,
			   *x = NULL,
			   *next = NULL;
	size_t		seeds = 0;
	double		p;
	int			rc = SO_OK;

	so_error_clear(err);
	*iterations = 0;
	*converged = false;
	if (!(alpha >= 0 && alpha < 1))
		return so_error_set(err, SO_ERR_RANGE, "alpha", "the damping factor is outside [0, 1)", "0.85", NULL);
	if (!(tol > 0))
		return so_error_set(err, SO_ERR_RANGE, "tol", "the tolerance is not positive", "1e-10", NULL);
	for (size_t e = 0; n > 0 && e < start[n]; e++)
		if (!(isfinite(weight[e]) && weight[e] >= 0) || to[e] >= n)
		{
			char		path[48];

			snprintf(path, sizeof(path), "edge %zu", e);
			return so_error_set(err, SO_ERR_RANGE, path,
								to[e] >= n ? "an edge leads to no node" : "an edge weight is negative or not finite",
								"weights >= 0 between nodes of the graph", NULL);
		}
	for (size_t i = 0; i < n; i++)
		seeds += seed[i] != 0;
	if (seeds == 0)
	{
		for (size_t i = 0; i < n; i++)
			score[i] = 0;
		*converged = true;
		return SO_OK;
	}
	p = 1.0 / (double) seeds;

	out = calloc(n, sizeof(double));
	x = malloc(n * sizeof(double));
	next = malloc(n * sizeof(double));
	if (!out || !x || !next)
	{
		rc = so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "a smaller graph", NULL);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
	{
		for (size_t e = start[i]; e < start[i + 1]; e++)
			out[i] += weight[e];
		x[i] = seed[i] ? p : 0.0;
	}
	while (*iterations < max_iter)
	{
		double		dangling = 0,
					change = 0;

		if (should_stop && should_stop())
		{
			rc = so_error_set(err, SO_ERR_INTERRUPTED, "", "interrupted", NULL, NULL);
			goto done;
		}
		memset(next, 0, n * sizeof(double));
		for (size_t i = 0; i < n; i++)
		{
			if (out[i] > 0)
			{
				double		share = alpha * x[i] / out[i];

				for (size_t e = start[i]; e < start[i + 1]; e++)
					next[to[e]] += share * weight[e];
			}
			else
				dangling += x[i];
		}
		for (size_t i = 0; i < n; i++)
		{
			if (seed[i])
				next[i] += (alpha * dangling + (1 - alpha)) * p;
			change += fabs(next[i] - x[i]);
		}
		memcpy(x, next, n * sizeof(double));
		(*iterations)++;
		if (change < tol)
		{
			*converged = true;
			break;
		}
	}
	memcpy(score, x, n * sizeof(double));

done:
	free(out);
	free(x);
	free(next);
	return rc;
}
