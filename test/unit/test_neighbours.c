/*
 * test_neighbours.c: the grid's neighbour lists (neighbours.h) against a
 * brute-force computation over every pair with the same distance function
 * (so_haversine_km), list for list: the same points in the same order with
 * the same distances. The points: 5,000 around Frisco, TX drawn by a fixed
 * linear congruential generator, with exact duplicates (ties at 0 m),
 * points on a small lattice (ties at equal distances), and far-off points
 * with no neighbour in range; also the antimeridian, a pole, and the
 * refusals.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "neighbours.h"
#include "neighbours_brute.h"
#include "tap.h"

#define N 5000

static uint64_t lcg_state = 20190324;

static double
uniform(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double) (lcg_state >> 11) / 9007199254740992.0;
}

/* Brute force: every pair, the k best by (distance, index), distance <= radius. */
static bool
matches_brute_force(const double *lat, const double *lon, size_t n, int k, double radius,
					const so_neighbour_lists *got, size_t *bad_point)
{
	for (size_t i = 0; i < n; i++)
	{
		uint32_t	bj[SO_NEIGHBOURS_MAX_K];
		double		bd[SO_NEIGHBOURS_MAX_K];
		int			count = brute_force_neighbours(lat, lon, n, i, k, radius, bj, bd);

		if (got->start[i + 1] - got->start[i] != (size_t) count)
		{
			*bad_point = i;
			return false;
		}
		for (int c = 0; c < count; c++)
			if (got->to[got->start[i] + c] != bj[c] || got->distance_m[got->start[i] + c] != bd[c])
			{
				*bad_point = i;
				return false;
			}
	}
	return true;
}

static int	stops;

static bool
stop_now(void)
{
	return ++stops > 0;
}

int
main(void)
{
	static double lat[N],
				lon[N];
	so_neighbour_lists lists;
	so_error	err;
	size_t		bad = 0,
				isolated = 0,
				zero = 0;
	int			rc;

	for (int i = 0; i < N; i++)
	{
		if (i % 50 == 1)
		{
			/* an exact duplicate of the point before: a tie at 0 m */
			lat[i] = lat[i - 1];
			lon[i] = lon[i - 1];
		}
		else if (i % 50 == 2)
		{
			/* far away: no neighbour within 250 m */
			lat[i] = 30.0 + i * 0.01;
			lon[i] = -100.0 - i * 0.01;
		}
		else if (i % 10 == 3)
		{
			/* a lattice of 100 m steps: many equal distances */
			lat[i] = 33.15 + (i % 7) * 0.0009;
			lon[i] = -96.82 + ((i / 7) % 7) * 0.0009;
		}
		else
		{
			lat[i] = 33.10 + uniform() * 0.10;
			lon[i] = -96.86 + uniform() * 0.10;
		}
	}

	for (int t = 0; t < 3; t++)
	{
		static const int ks[] = {8, 1, 64};
		static const double radii[] = {250, 100, 600};

		rc = so_neighbours_within(lat, lon, N, ks[t], radii[t], NULL, &lists, &err);
		ok(rc == SO_OK, "k = %d, %g m: built", ks[t], radii[t]);
		ok(rc == SO_OK && matches_brute_force(lat, lon, N, ks[t], radii[t], &lists, &bad),
		   "k = %d, %g m: every list equals the brute force over all %d pairs (first difference at point %zu)",
		   ks[t], radii[t], N * (N - 1), bad);
		if (t == 0 && rc == SO_OK)
		{
			for (int i = 0; i < N; i++)
			{
				isolated += lists.start[i + 1] == lists.start[i];
				if (lists.start[i + 1] > lists.start[i] && lists.distance_m[lists.start[i]] == 0)
					zero++;
			}
			ok(isolated >= N / 50, "points with no neighbour in range have an empty list (%zu)", isolated);
			ok(zero >= 2 * (N / 50), "duplicates are each other's nearest at 0 m (%zu)", zero);
		}
		if (rc == SO_OK)
		{
			/* the reverse lists against a count over every list */
			so_neighbour_lists rev;
			size_t		wrong = 0;

			rc = so_neighbour_lists_reverse(&lists, &rev, &err);
			ok(rc == SO_OK && rev.start[N] == lists.start[N], "k = %d: the reverse lists hold every entry once", ks[t]);
			for (int j = 0; rc == SO_OK && j < N; j++)
			{
				size_t		in = 0;

				for (size_t e = rev.start[j]; e < rev.start[j + 1]; e++)
				{
					uint32_t	i = rev.to[e];
					bool		found = false;

					for (size_t f = lists.start[i]; f < lists.start[i + 1]; f++)
						found |= lists.to[f] == (uint32_t) j && lists.distance_m[f] == rev.distance_m[e];
					wrong += !found;
					if (e > rev.start[j] && (rev.distance_m[e - 1] > rev.distance_m[e] ||
											 (rev.distance_m[e - 1] == rev.distance_m[e] && rev.to[e - 1] >= rev.to[e])))
						wrong++;
				}
				for (int i = 0; i < N; i++)
					for (size_t f = lists.start[i]; f < lists.start[i + 1]; f++)
						in += lists.to[f] == (uint32_t) j;
				wrong += in != rev.start[j + 1] - rev.start[j];
			}
			is_int(wrong, 0, "k = %d: each reverse list is exactly the lists that hold the point, nearest first, ties by index", ks[t]);
			so_neighbour_lists_free(&rev);
		}
		so_neighbour_lists_free(&lists);
	}

	/* the antimeridian and a pole */
	{
		double		la[] = {10.0, 10.0, 10.0, 89.999, 89.999, -89.9995},
					lo[] = {179.9995, -179.9995, 179.99, 0.0, 120.0, 45.0};

		rc = so_neighbours_within(la, lo, 6, 3, 250, NULL, &lists, &err);
		ok(rc == SO_OK && matches_brute_force(la, lo, 6, 3, 250, &lists, &bad),
		   "across +-180 and near the poles: equal to the brute force");
		ok(rc == SO_OK && lists.start[1] - lists.start[0] == 1 && lists.to[lists.start[0]] == 1,
		   "179.9995 and -179.9995 are neighbours (111 m apart)");
		so_neighbour_lists_free(&lists);
	}

	/* no point has a neighbour (found by the fuzz target: no scratch buffer at all) */
	{
		double		la[] = {30.0, 31.0, 32.0},
					lo[] = {-100.0, -100.0, -100.0};

		rc = so_neighbours_within(la, lo, 3, 8, 250, NULL, &lists, &err);
		ok(rc == SO_OK && lists.start[3] == 0 && lists.start[1] == 0, "points far apart: empty lists");
		so_neighbour_lists_free(&lists);
	}

	/* refusals, nothing written */
	rc = so_neighbours_within(lat, lon, N, 0, 250, NULL, &lists, &err);
	ok(rc == SO_ERR_RANGE && strcmp(err.path, "k") == 0 && lists.start == NULL, "k = 0: range error");
	rc = so_neighbours_within(lat, lon, N, 65, 250, NULL, &lists, &err);
	ok(rc == SO_ERR_RANGE && strcmp(err.path, "k") == 0, "k = 65: range error");
	rc = so_neighbours_within(lat, lon, N, 8, -1, NULL, &lists, &err);
	ok(rc == SO_ERR_RANGE && strcmp(err.path, "radius_m") == 0, "a negative radius: range error");
	rc = so_neighbours_within(lat, lon, N, 8, NAN, NULL, &lists, &err);
	ok(rc == SO_ERR_RANGE, "a NaN radius: range error");
	{
		double		la[] = {33.0, 91.0},
					lo[] = {-96.0, -96.0};

		rc = so_neighbours_within(la, lo, 2, 8, 250, NULL, &lists, &err);
		ok(rc == SO_ERR_RANGE && strcmp(err.path, "point 1") == 0, "latitude 91: range error at point 1");
	}
	rc = so_neighbours_within(lat, lon, N, 8, 250, stop_now, &lists, &err);
	ok(rc == SO_ERR_INTERRUPTED && lists.start == NULL, "a stop request: interrupted, nothing kept");
	rc = so_neighbours_within(lat, lon, 0, 8, 250, NULL, &lists, &err);
	ok(rc == SO_OK && lists.n == 0 && lists.start[0] == 0, "no points: empty lists");
	so_neighbour_lists_free(&lists);
	return done_testing();
}
