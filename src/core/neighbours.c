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
 * The points are visited in cell order (each cell's block found once, read
 * while cached), their lists appended to a scratch buffer grown by doubling
 * (n * k entries up front would be 768 MB for a million points at k = 64),
 * then copied into index order. A million points around Dallas, k = 8,
 * 250 m: 5.2 s at -O2 (17.4 s visiting them in index order).
 *
 * Failure modes: see the header.
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

/* A point in cell order, with what the candidate tests read (sequential
 * reads: looking coordinates up by index cost more than the arithmetic) */
typedef struct cell_entry
{
	int64_t		key;			/* the cell */
	double		lat;
	double		lon;
	double		coslat;
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
	double		max_dlat,
				max_h;
	size_t	   *first = NULL;
	unsigned char *counts = NULL;
	uint32_t   *scratch_to = NULL;
	double	   *scratch_d = NULL;
	size_t		range_lo[9],
				range_hi[9];
	int			nranges = 0;
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
	/*
	 * Cheap tests before the exact distance (never rejecting what it would
	 * accept: a relative margin of 1e-9): |dlat| <= r/R, then the haversine
	 * term h with each point's cosine computed once.
	 */
	max_dlat = radius_m / earth_m / DEG * MARGIN;
	max_h = sin(fmin(radius_m / earth_m / 2.0, 1.5707963267948966));
	max_h = max_h * max_h * MARGIN + 1e-300;

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
		g.cells[i].lat = lat[i];
		g.cells[i].lon = lon[i];
		g.cells[i].coslat = cos(lat[i] * DEG);
	}
	qsort(g.cells, n, sizeof(cell_entry), by_cell);

	/*
	 * Points in cell order, so the 3 x 3 block's ranges are found once per
	 * cell and read while they are in the cache (in index order, the
	 * binary searches alone missed the cache ~180 times a point: 15 s for a
	 * million points). The lists go to a scratch buffer in that order, then
	 * into index order.
	 */
	first = malloc((n ? n : 1) * sizeof(size_t));
	counts = malloc((n ? n : 1));
	if (!first || !counts)
	{
		rc = so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "fewer points", NULL);
		goto done;
	}
	for (size_t p = 0; p < n; p++)
	{
		const cell_entry *me = &g.cells[p];
		uint32_t	i = me->point;
		int			count = 0;
		/* the cheap tests' bounds: the radius, then the k-th best so far */
		double		lat_bound = max_dlat,
					h_bound = max_h;

		if ((p & 4095) == 0 && should_stop && should_stop())
		{
			rc = so_error_set(err, SO_ERR_INTERRUPTED, "", "interrupted", NULL, NULL);
			goto done;
		}
		if (p == 0 || me->key != g.cells[p - 1].key)
		{
			/* the block's ranges: rows around, the distinct columns around (wrapping at +-180) */
			int64_t		row = cell_row(&g, me->lat),
						col = cell_col(&g, me->lon),
						cols[3];
			int			ncand_cols = 0;

			nranges = 0;
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
				for (int s = 0; r >= 0 && s < ncand_cols; s++)
				{
					int64_t		key = r * g.ncols + cols[s];
					size_t		lo = first_of(&g, n, key),
								hi = lo;

					while (hi < n && g.cells[hi].key == key)
						hi++;
					if (hi > lo)
					{
						range_lo[nranges] = lo;
						range_hi[nranges++] = hi;
					}
				}
		}
		for (int q = 0; q < nranges; q++)
			for (size_t pos = range_lo[q]; pos < range_hi[q]; pos++)
			{
				const cell_entry *c = &g.cells[pos];
				double		d,
							s_lat,
							s_lon;

				if (c->point == i || fabs(c->lat - me->lat) > lat_bound)
					continue;
				s_lat = sin((c->lat - me->lat) * DEG / 2.0);
				s_lon = sin((c->lon - me->lon) * DEG / 2.0);
				if (s_lat * s_lat + me->coslat * c->coslat * s_lon * s_lon > h_bound)
					continue;
				d = so_haversine_km(me->lat, me->lon, c->lat, c->lon) * 1000.0;
				if (d <= radius_m)
				{
					count = keep(b, count, k, d, c->point);
					if (count == k)
					{
						/*
						 * Nothing farther than the k-th can enter (an equal
						 * distance can, by index): d >= R |dlat| and h grows
						 * with d, so both bounds shrink to it, with the margin.
						 */
						double		half_kth = sin(fmin(b[k - 1].d / earth_m / 2.0, 1.5707963267948966));

						lat_bound = fmin(max_dlat, b[k - 1].d / earth_m / DEG * MARGIN);
						h_bound = fmin(max_h, half_kth * half_kth * MARGIN + 1e-300);
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
			to = realloc(scratch_to, new_cap * sizeof(uint32_t));
			if (to == NULL)
			{
				rc = so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "fewer points or a smaller k", NULL);
				goto done;
			}
			scratch_to = to;
			dist = realloc(scratch_d, new_cap * sizeof(double));
			if (dist == NULL)
			{
				rc = so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "fewer points or a smaller k", NULL);
				goto done;
			}
			scratch_d = dist;
			cap = new_cap;
		}
		first[i] = used;
		counts[i] = (unsigned char) count;
		for (int c = 0; c < count; c++)
		{
			scratch_to[used] = b[c].j;
			scratch_d[used++] = b[c].d;
		}
	}

	/* into index order */
	out->to = malloc((used ? used : 1) * sizeof(uint32_t));
	out->distance_m = malloc((used ? used : 1) * sizeof(double));
	if (!out->to || !out->distance_m)
	{
		rc = so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "fewer points or a smaller k", NULL);
		goto done;
	}
	out->start[0] = 0;
	for (size_t i = 0; i < n; i++)
	{
		size_t		at = out->start[i];

		/* (no scratch buffer exists when no point has a neighbour: the fuzz target) */
		if (counts[i] > 0)
		{
			memcpy(out->to + at, scratch_to + first[i], counts[i] * sizeof(uint32_t));
			memcpy(out->distance_m + at, scratch_d + first[i], counts[i] * sizeof(double));
		}
		out->start[i + 1] = at + counts[i];
	}

done:
	free(g.cells);
	free(first);
	free(counts);
	free(scratch_to);
	free(scratch_d);
	if (rc != SO_OK)
		so_neighbour_lists_free(out);
	return rc;
}

int
so_neighbour_lists_reverse(const so_neighbour_lists *in, so_neighbour_lists *out, so_error *err)
{
	size_t		n = in->n,
				total = n > 0 ? in->start[n] : 0;
	size_t	   *fill;

	so_error_clear(err);
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->k = in->k;
	out->start = calloc(n + 1, sizeof(size_t));
	out->to = malloc((total > 0 ? total : 1) * sizeof(uint32_t));
	out->distance_m = malloc((total > 0 ? total : 1) * sizeof(double));
	fill = malloc((n + 1) * sizeof(size_t));
	if (out->start == NULL || out->to == NULL || out->distance_m == NULL || fill == NULL)
	{
		free(fill);
		so_neighbour_lists_free(out);
		return so_error_set(err, SO_ERR_TOO_LARGE, "", "out of memory", "fewer points", NULL);
	}
	for (size_t e = 0; e < total; e++)
		out->start[in->to[e] + 1]++;
	for (size_t j = 0; j < n; j++)
		out->start[j + 1] += out->start[j];
	memcpy(fill, out->start, (n + 1) * sizeof(size_t));
	/* sources in increasing order: each reverse list is filled by index */
	for (size_t i = 0; i < n; i++)
		for (size_t e = in->start[i]; e < in->start[i + 1]; e++)
		{
			uint32_t	j = in->to[e];

			out->to[fill[j]] = (uint32_t) i;
			out->distance_m[fill[j]++] = in->distance_m[e];
		}
	free(fill);
	/* then by distance, keeping index order among equals (insertion sort: short lists) */
	for (size_t j = 0; j < n; j++)
		for (size_t a = out->start[j] + 1; a < out->start[j + 1]; a++)
		{
			uint32_t	t = out->to[a];
			double		d = out->distance_m[a];
			size_t		b = a;

			while (b > out->start[j] && out->distance_m[b - 1] > d)
			{
				out->to[b] = out->to[b - 1];
				out->distance_m[b] = out->distance_m[b - 1];
				b--;
			}
			out->to[b] = t;
			out->distance_m[b] = d;
		}
	return SO_OK;
}
