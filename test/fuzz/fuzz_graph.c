/*
 * fuzz_graph.c: the diffusion graph's part of the libFuzzer harness
 * (fuzz_core.c calls fuzz_graph with every input).
 *
 * The input's bytes read as points and a graph problem: byte 0 gives
 * n = b % 41 points, byte 1 k = 1 + b % 8 (b >= 248: an invalid k of 0 or
 * 65), byte 2 the radius (b % 64 * 25 m, 0 and b = 255 invalid: -1 m),
 * then per point two bytes of latitude and two of longitude inside a
 * 0.02-degree box at one of four places (Dallas, the antimeridian, near a
 * pole, the equator; from byte 3), so that points coincide, tie and
 * straddle cell edges; a byte >= 250 puts a non-finite or out-of-range
 * coordinate instead. Then each point's seed bit from the following bytes.
 *
 *   so_neighbours_within   every list equals a brute force over all pairs
 *                          (same distance function, ties by index); a
 *                          refusal is RANGE with *out empty exactly when the
 *                          input is invalid
 *   so_neighbour_lists_reverse
 *                          every entry once, each reverse list exactly the
 *                          lists holding the point, nearest first
 *   so_diffusion_graph_build
 *                          from the lists and referrals read from the
 *                          following bytes: each row sorted by target
 *                          without repeats, symmetric for neighbours, every
 *                          pair of the lists an edge both ways, a referral's
 *                          weight added
 *   so_pagerank            on that graph: scores finite and >= 0; with
 *                          seeds and convergence they sum to 1 within 1e-9;
 *                          without seeds all 0
 *   so_percent_ranks       in [0, 100], ordered as the scores
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "neighbours.h"
#include "diffusion_graph.h"
#include "neighbours_brute.h"
#include "pagerank.h"

#define MAX_POINTS 40

static uint8_t
byte_at(const uint8_t *data, size_t size, size_t *pos)
{
	return *pos < size ? data[(*pos)++] : 0;
}

void
fuzz_graph(const uint8_t *data, size_t size)
{
	static const double places[4][2] = {{32.9, -96.8}, {10.0, 179.99}, {89.99, 0.0}, {0.0, 0.0}};
	double		lat[MAX_POINTS],
				lon[MAX_POINTS],
				radius;
	size_t		pos = 0,
				n;
	int			k;
	bool		invalid = false;
	uint8_t		b;
	so_neighbour_lists lists;
	so_error	err;
	int			rc;

	n = byte_at(data, size, &pos) % (MAX_POINTS + 1);
	b = byte_at(data, size, &pos);
	k = b >= 248 ? (b & 1 ? 65 : 0) : 1 + b % 8;
	invalid |= k < 1 || k > SO_NEIGHBOURS_MAX_K;
	b = byte_at(data, size, &pos);
	radius = b == 255 ? -1.0 : (b % 64) * 25.0;
	invalid |= !(radius > 0);
	b = byte_at(data, size, &pos);
	for (size_t i = 0; i < n; i++)
	{
		const double *place = places[b % 4];
		uint8_t		a1 = byte_at(data, size, &pos),
					a2 = byte_at(data, size, &pos),
					o1 = byte_at(data, size, &pos),
					o2 = byte_at(data, size, &pos);

		lat[i] = place[0] + (a1 * 256 + a2) / 65536.0 * 0.02 - 0.01;
		lon[i] = place[1] + (o1 * 256 + o2) / 65536.0 * 0.02 - 0.01;
		if (lon[i] > 180)
			lon[i] -= 360;
		if (a1 >= 250)
		{
			lat[i] = a1 == 250 ? NAN : a1 == 251 ? 91.0 : a1 == 252 ? -INFINITY : lat[i];
			invalid |= a1 <= 252;
		}
		if (lat[i] > 90)
			invalid = true;
	}

	poison_error(&err);
	rc = so_neighbours_within(lat, lon, n, k, radius, NULL, &lists, &err);
	CHECK(rc == SO_OK || rc == SO_ERR_RANGE, "so_neighbours_within: code %d", rc);
	CHECK((rc == SO_OK) == !invalid, "so_neighbours_within: rc %d for %s input (%s)", rc,
		  invalid ? "invalid" : "valid", rc == SO_OK ? "ok" : err.message);
	if (rc != SO_OK)
	{
		CHECK(lists.start == NULL && lists.to == NULL && nul_within(err.message, sizeof(err.message)),
			  "so_neighbours_within: a refusal left output or an unterminated message");
		return;
	}
	check_cleared("so_neighbours_within", &err);
	for (size_t i = 0; i < n; i++)
	{
		uint32_t	bj[SO_NEIGHBOURS_MAX_K];
		double		bd[SO_NEIGHBOURS_MAX_K];
		int			count = brute_force_neighbours(lat, lon, n, i, k, radius, bj, bd);

		CHECK(lists.start[i + 1] - lists.start[i] == (size_t) count,
			  "so_neighbours_within: point %zu has %zu neighbours, the brute force %d",
			  i, lists.start[i + 1] - lists.start[i], count);
		for (int c = 0; c < count; c++)
			CHECK(lists.to[lists.start[i] + c] == bj[c] && lists.distance_m[lists.start[i] + c] == bd[c],
				  "so_neighbours_within: point %zu, neighbour %d differs from the brute force", i, c);
	}

	/* the reverse lists */
	{
		so_neighbour_lists rev;

		rc = so_neighbour_lists_reverse(&lists, &rev, &err);
		CHECK(rc == SO_OK && rev.start[n] == lists.start[n], "so_neighbour_lists_reverse: code %d", rc);
		for (size_t j = 0; j < n; j++)
		{
			size_t		holding = 0;

			for (size_t i = 0; i < n; i++)
				for (size_t e = lists.start[i]; e < lists.start[i + 1]; e++)
					holding += lists.to[e] == j;
			CHECK(rev.start[j + 1] - rev.start[j] == holding, "so_neighbour_lists_reverse: point %zu", j);
			for (size_t e = rev.start[j] + 1; e < rev.start[j + 1]; e++)
				CHECK(rev.distance_m[e - 1] < rev.distance_m[e] ||
					  (rev.distance_m[e - 1] == rev.distance_m[e] && rev.to[e - 1] < rev.to[e]),
					  "so_neighbour_lists_reverse: point %zu out of order", j);
		}
		so_neighbour_lists_free(&rev);
	}

	/* the diffusion graph, PageRank and percent ranks */
	{
		uint32_t	pf[MAX_POINTS * SO_NEIGHBOURS_MAX_K],
					pt[MAX_POINTS * SO_NEIGHBOURS_MAX_K],
					rf[8],
					rt[8];
		double		pd[MAX_POINTS * SO_NEIGHBOURS_MAX_K],
					score[MAX_POINTS],
					pct[MAX_POINTS],
					sum = 0;
		unsigned char seed[MAX_POINTS];
		size_t		npairs = 0,
					nref = 0,
					seeds = 0;
		int			iterations;
		bool		converged;
		so_weighted_graph g;

		for (size_t i = 0; i < n; i++)
			for (size_t e = lists.start[i]; e < lists.start[i + 1]; e++)
			{
				pf[npairs] = (uint32_t) i;
				pt[npairs] = lists.to[e];
				pd[npairs++] = lists.distance_m[e];
			}
		for (int r = 0; r < 8 && n > 0; r++)
		{
			uint8_t		x = byte_at(data, size, &pos),
						y = byte_at(data, size, &pos);

			if (x % n != y % n)
			{
				rf[nref] = x % n;
				rt[nref++] = y % n;
			}
		}
		rc = so_diffusion_graph_build(n, npairs, pf, pt, pd, 100.0, nref, rf, rt, 5.0, &g, &err);
		CHECK(rc == SO_OK, "so_diffusion_graph_build: code %d (%s)", rc, err.message);
		for (size_t i = 0; i < n; i++)
			for (size_t e = g.start[i]; e < g.start[i + 1]; e++)
			{
				double		back = 0;
				bool		has_back = false,
							referral = false;

				CHECK(e == g.start[i] || g.to[e - 1] < g.to[e], "so_diffusion_graph_build: row %zu not sorted", i);
				CHECK(isfinite(g.weight[e]) && g.weight[e] > 0, "so_diffusion_graph_build: weight %g", g.weight[e]);
				for (size_t f = g.start[g.to[e]]; f < g.start[g.to[e] + 1]; f++)
					if (g.to[f] == i)
					{
						has_back = true;
						back = g.weight[f];
					}
				for (size_t r = 0; r < nref; r++)
					referral |= (rf[r] == i && rt[r] == g.to[e]) || (rf[r] == g.to[e] && rt[r] == i);
				CHECK(referral || (has_back && back == g.weight[e]),
					  "so_diffusion_graph_build: neighbour edge %zu -> %u is not symmetric", i, g.to[e]);
			}
		for (size_t p = 0; p < npairs; p++)
		{
			bool		there = false;

			for (size_t e = g.start[pf[p]]; e < g.start[pf[p] + 1]; e++)
				there |= g.to[e] == pt[p];
			CHECK(there, "so_diffusion_graph_build: the pair %u -> %u is missing", pf[p], pt[p]);
		}
		for (size_t i = 0; i < n; i++)
		{
			seed[i] = byte_at(data, size, &pos) & 1;
			seeds += seed[i];
		}
		rc = so_pagerank(n, g.start, g.to, g.weight, seed, 0.85, 1e-12, 1000, NULL, score,
						 &iterations, &converged, &err);
		CHECK(rc == SO_OK, "so_pagerank: code %d (%s)", rc, err.message);
		for (size_t i = 0; i < n; i++)
		{
			CHECK(isfinite(score[i]) && score[i] >= 0, "so_pagerank: score %zu is %g", i, score[i]);
			sum += score[i];
			if (seeds == 0)
				CHECK(score[i] == 0, "so_pagerank: no seeds, yet score %zu is %g", i, score[i]);
		}
		if (seeds > 0 && converged)
			CHECK(fabs(sum - 1) < 1e-9, "so_pagerank: the scores sum to %.17g", sum);
		rc = so_percent_ranks(n, score, pct, &err);
		CHECK(rc == SO_OK, "so_percent_ranks: code %d", rc);
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
			{
				CHECK(pct[i] >= 0 && pct[i] <= 100, "so_percent_ranks: %g", pct[i]);
				CHECK(score[i] < score[j] ? pct[i] < pct[j] : score[i] == score[j] ? pct[i] == pct[j] : pct[i] > pct[j],
					  "so_percent_ranks: %zu and %zu out of order", i, j);
			}
		so_weighted_graph_free(&g);
	}
	so_neighbour_lists_free(&lists);
}
