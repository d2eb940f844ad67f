/*
 * neighbours.c: k nearest points within a radius on a grid (neighbours.h).
 *
 * Why the 3 x 3 block of cells is enough (haversine, R the Earth's radius,
 * r the radius, phi_max the data's largest |latitude|):
 *   hav(d/R) = hav(dphi) + cos(phi1) cos(phi2) hav(dlambda)
 * so d <= r gives dphi <= r/R, and cos^2(phi_max) hav(dlambda) <= hav(r/R),
 * i.e. dlambda <= 2 asin(sin(r/2R) / cos(phi_max)). Cells that tall and that
 * wide (plus a relative margin of 1e-9 for rounding) hold every point within
 * r of a point in the middle cell or its eight neighbours. When the width
 * reaches 120 degrees there is one column: every longitude is a candidate.
 *
 * Failure modes: see the header. The lists are built in one buffer grown by
 * doubling (n * k entries up front would be 768 MB for a million points at
 * k = 64).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo_distance.h"
#include "neighbours.h"

#define DEG (3.14159265358979323846 / 180.0)
#define MARGIN (1.0 + 1e-9)

void
so_neighbour_lists_free(so_neighbour_lists *lists)
{
	if (lists == NULL)
		return;
	free(lists->start);
	free(lists->to);
	free(lists->distance_m);
	memset(lists, 0, sizeof(*lists));
}

typedef struct cell_entry
{
	int64_t		key;			/* the cell */
	uint32_t	point;
} cell_entry;

typedef struct grid
{
	int64_t		ncols;
	double		dlat;			/* degrees */
	double		dlon;
	cell_entry *cells;			/* [n] the points sorted by cell, then index */
} grid;

static int
by_cell(const void *a, const void *b)
{
	const cell_entry *x = a,
			   *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->point < y->point ? -1 : (x->point > y->point);
}

static int64_t
cell_row(const grid *g, double lat)
{
	return (int64_t) floor((lat + 90.0) / g->dlat);
}

static int64_t
cell_col(const grid *g, double lon)
{
	int64_t		c = (int64_t) floor((lon + 180.0) / g->dlon);

	return c >= g->ncols ? g->ncols - 1 : c;
}

/* First position in sorted_key holding key, or n when none. */
static size_t
first_of(const grid *g, size_t n, int64_t key)
{
	size_t		lo = 0,
				hi = n;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (g->cells[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

typedef struct best
{
	double		d;
	uint32_t	j;
} best;

/* Insert (d, j) into the k best, kept sorted by (d, j). */
static int
keep(best *b, int count, int k, double d, uint32_t j)
{
	int			pos;

	if (count == k && (d > b[k - 1].d || (d == b[k - 1].d && j > b[k - 1].j)))
		return count;
	pos = count < k ? count : k - 1;
	while (pos > 0 && (b[pos - 1].d > d || (b[pos - 1].d == d && b[pos - 1].j > j)))
	{
		b[pos] = b[pos - 1];
		pos--;
	}
	b[pos].d = d;
	b[pos].j = j;
	return count < k ? count + 1 : count;
}

int
so_neighbours_within(const double *lat, const double *lon, size_t n, int k, double radius_m,
					 bool (*should_stop) (void), so_neighbour_lists *out, so_error *err)
{
	grid		g;
	double		max_abs_lat = 0,
				earth_m = SO_EARTH_RADIUS_KM * 1000.0,
				half;
	size_t		cap = 0,
				used = 0;
	best		b[SO_NEIGHBOURS_MAX_K];
	int			rc = SO_OK;

	so_error_clear(err);
	memset(out, 0, sizeof(*out));
	memset(&g, 0, sizeof(g));
	if (k < 1 || k > SO_NEIGHBOURS_MAX_K)
		return so_error_set(err, SO_ERR_RANGE, "k", "k is out of range", "1..64 neighbours", NULL);
	if (!(isfinite(radius_m) && radius_m > 0))
		return so_error_set(err, SO_ERR_RANGE, "radius_m", "the radius is not a positive number of metres",
							"a radius > 0 (250 by default)", NULL);
	if (n > UINT32_MAX)
		return so_error_set(err, SO_ERR_TOO_LARGE, "", "too many points", "at most 4,294,967,295 points", NULL);
	for (size_t i = 0; i < n; i++)
	{
		if (!(isfinite(lat[i]) && isfinite(lon[i]) && fabs(lat[i]) <= 90 && fabs(lon[i]) <= 180))
		{
			char		path[48];

			snprintf(path, sizeof(path), "point %zu", i);
			return so_error_set(err, SO_ERR_RANGE, path, "a coordinate is not a latitude or longitude",
								"lat -90..90, lon -180..180", NULL);
		}
		max_abs_lat = fmax(max_abs_lat, fabs(lat[i]));
	}

	/* the cells (see the file's comment) */
	g.dlat = radius_m / earth_m / DEG * MARGIN;
	half = cos(max_abs_lat * DEG) > 0
		? sin(fmin(radius_m / earth_m / 2.0, 1.5707963267948966)) / cos(max_abs_lat * DEG)
		: INFINITY;
	g.dlon = !(half < 1.0) ? 360.0 : 2.0 * asin(half) / DEG * MARGIN;
	g.ncols = g.dlon >= 120.0 ? 1 : (int64_t) ceil(360.0 / g.dlon);
	if (g.ncols == 1)
		g.dlon = 360.0 + 1.0;

	out->n = n;
	out->k = k;
	out->start = malloc((n + 1) * sizeof(size_t));
	g.cells = malloc((n ? n : 1) * sizeof(cell_entry));
	if (!out->start || !g.cells)
	{
		rc = so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "fewer points", NULL);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
	{
		g.cells[i].key = cell_row(&g, lat[i]) * g.ncols + cell_col(&g, lon[i]);
		g.cells[i].point = (uint32_t) i;
	}
	qsort(g.cells, n, sizeof(cell_entry), by_cell);

	out->start[0] = 0;
	for (size_t i = 0; i < n; i++)
	{
		int64_t		row = cell_row(&g, lat[i]),
					col = cell_col(&g, lon[i]),
					cols[3];
		int			ncand_cols = 0,
					count = 0;

		if ((i & 4095) == 0 && should_stop && should_stop())
		{
			rc = so_error_set(err, SO_ERR_INTERRUPTED, "", "interrupted", NULL, NULL);
			goto done;
		}
		/* the distinct columns around col (wrapping at +-180) */
		for (int dc = -1; dc <= 1; dc++)
		{
			int64_t		c = ((col + dc) % g.ncols + g.ncols) % g.ncols;
			bool		seen = false;

			for (int s = 0; s < ncand_cols; s++)
				seen |= cols[s] == c;
			if (!seen)
				cols[ncand_cols++] = c;
		}
		for (int64_t r = row - 1; r <= row + 1; r++)
		{
			if (r < 0)
				continue;
			for (int s = 0; s < ncand_cols; s++)
			{
				int64_t		key = r * g.ncols + cols[s];

				for (size_t pos = first_of(&g, n, key); pos < n && g.cells[pos].key == key; pos++)
				{
					uint32_t	j = g.cells[pos].point;
					double		d;

					if (j == i)
						continue;
					d = so_haversine_km(lat[i], lon[i], lat[j], lon[j]) * 1000.0;
					if (d <= radius_m)
						count = keep(b, count, k, d, j);
				}
			}
		}
		if (used + (size_t) count > cap)
		{
			size_t		new_cap = cap ? cap * 2 : 1024;
			uint32_t   *to;
			double	   *dist;

			while (new_cap < used + (size_t) count)
				new_cap *= 2;
			to = realloc(out->to, new_cap * sizeof(uint32_t));
			if (to == NULL)
			{
				rc = so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "fewer points or a smaller k", NULL);
				goto done;
			}
			out->to = to;
			dist = realloc(out->distance_m, new_cap * sizeof(double));
			if (dist == NULL)
			{
				rc = so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "fewer points or a smaller k", NULL);
				goto done;
			}
			out->distance_m = dist;
			cap = new_cap;
		}
		for (int c = 0; c < count; c++)
		{
			out->to[used] = b[c].j;
			out->distance_m[used++] = b[c].d;
		}
		out->start[i + 1] = used;
	}

done:
	free(g.cells);
	if (rc != SO_OK)
		so_neighbour_lists_free(out);
	return rc;
}
