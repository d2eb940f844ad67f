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
 *   so_pagerank            on the neighbour lists (weights exp(-d / 100)):
 *                          scores finite and >= 0; with seeds and
 *                          convergence they sum to 1 within 1e-9; without
 *                          seeds all 0; a non-seed isolated node scores 0
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "neighbours.h"
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

	/* PageRank over the lists */
	{
		double		w[MAX_POINTS * SO_NEIGHBOURS_MAX_K],
					score[MAX_POINTS],
					sum = 0;
		unsigned char seed[MAX_POINTS];
		size_t		seeds = 0;
		int			iterations;
		bool		converged;

		for (size_t e = 0; e < lists.start[n]; e++)
			w[e] = exp(-lists.distance_m[e] / 100.0);
		for (size_t i = 0; i < n; i++)
		{
			seed[i] = byte_at(data, size, &pos) & 1;
			seeds += seed[i];
		}
		rc = so_pagerank(n, lists.start, lists.to, w, seed, 0.85, 1e-12, 1000, NULL, score,
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
	}
	so_neighbour_lists_free(&lists);
}
