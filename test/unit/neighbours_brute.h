/*
 * neighbours_brute.h: the reference of neighbours.h for the unit test and
 * the fuzz target: every pair, the k nearest within the radius by
 * so_haversine_km, ties by index. Header-only (static) so each program
 * builds it with its own flags.
 */
#ifndef NEIGHBOURS_BRUTE_H
#define NEIGHBOURS_BRUTE_H

#include <stddef.h>
#include <stdint.h>

#include "geo_distance.h"
#include "neighbours.h"

/* Point i's neighbours into to[] and d[] (room for k); returns how many. */
static int
brute_force_neighbours(const double *lat, const double *lon, size_t n, size_t i, int k, double radius,
					   uint32_t *to, double *d)
{
	int			count = 0;

	for (size_t j = 0; j < n; j++)
	{
		double		dist;
		int			at;

		if (j == i)
			continue;
		dist = so_haversine_km(lat[i], lon[i], lat[j], lon[j]) * 1000.0;
		if (dist > radius || (count == k && (dist > d[k - 1] || (dist == d[k - 1] && j > to[k - 1]))))
			continue;
		at = count < k ? count++ : k - 1;
		while (at > 0 && (d[at - 1] > dist || (d[at - 1] == dist && to[at - 1] > j)))
		{
			d[at] = d[at - 1];
			to[at] = to[at - 1];
			at--;
		}
		d[at] = dist;
		to[at] = (uint32_t) j;
	}
	return count;
}

#endif							/* NEIGHBOURS_BRUTE_H */
