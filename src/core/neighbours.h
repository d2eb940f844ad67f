/*
 * neighbours.h: each point's k nearest points within a radius, by
 * great-circle distance (so_haversine_km), for the neighbour graph of
 * diffusion.md (docs/diffusion.md once the graph is in SQL).
 *
 * Points are given as parallel arrays of latitude and longitude (degrees)
 * in the caller's order; ties in distance go to the point that comes first,
 * so a caller that passes points ordered by property id gets diffusion.md's
 * "ties by property id". A point is never its own neighbour; points at the
 * same place are neighbours at distance 0. A neighbour is within the radius
 * when its distance is <= radius_m.
 *
 * Design: a grid of cells at least radius_m wide everywhere in the data
 * (cell height the radius in degrees of latitude; width from the data's
 * largest |latitude|, see neighbours.c), the points sorted by cell, and
 * each point's candidates read from its 3 x 3 block of cells (longitude
 * wraps at +-180). Cost: a sort, then per point the points of nine cells;
 * about n * (points per cell) * 9 distances. Data near a pole widens every
 * cell (one column when the width passes 120 degrees): correct, slower.
 *
 * Failure modes: k outside 1..SO_NEIGHBOURS_MAX_K, a radius that is not a
 * positive finite number, a coordinate that is not finite or outside
 * -90..90 / -180..180 (err.path "point N"): SO_ERR_RANGE, nothing written.
 * Allocation failure: SO_ERR_TOO_LARGE. should_stop (may be NULL), asked
 * every 4,096 points, stops with SO_ERR_INTERRUPTED.
 */
#ifndef SO_NEIGHBOURS_H
#define SO_NEIGHBOURS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "so_error.h"

#define SO_NEIGHBOURS_MAX_K 64

typedef struct so_neighbour_lists
{
	size_t		n;				/* points */
	int			k;
	/*
	 * The neighbours of point i are to[start[i] .. start[i + 1] - 1] with
	 * distance_m[] alike, nearest first (ties: lower index first).
	 */
	size_t	   *start;			/* [n + 1] */
	uint32_t   *to;				/* [start[n]] */
	double	   *distance_m;		/* [start[n]] */
} so_neighbour_lists;

int			so_neighbours_within(const double *lat, const double *lon, size_t n, int k, double radius_m,
								 bool (*should_stop) (void), so_neighbour_lists *out, so_error *err);

void		so_neighbour_lists_free(so_neighbour_lists *lists);

/*
 * The reverse lists: point j's list holds every i whose list holds j, with
 * the same distance, nearest first (ties: lower index first); out->k is
 * in->k, though a reverse list may be longer than k. Neighbour edges go
 * both ways, so a point's neighbours in the graph are its list and its
 * reverse list. SO_ERR_TOO_LARGE on allocation failure (out left empty).
 */
int			so_neighbour_lists_reverse(const so_neighbour_lists *in, so_neighbour_lists *out, so_error *err);

#endif							/* SO_NEIGHBOURS_H */
