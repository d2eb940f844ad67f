/*
 * geo_polygon.c: GeoJSON Polygon / MultiPolygon validation and containment.
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo_polygon.h"
#include "json_read.h"

/* Most positions accepted over all rings of one geometry. */
#define SO_GEO_MAX_POSITIONS 100000

#define EXPECT_GEOMETRY \
	"a GeoJSON geometry object: {\"type\": \"Polygon\" or \"MultiPolygon\", \"coordinates\": [...]}"
#define EXPECT_POLYGON \
	"an array of linear rings: the shell, then any holes, e.g. [[[-96.8, 33.1], [-96.7, 33.1], [-96.7, 33.2], [-96.8, 33.1]]]"
#define EXPECT_MULTI "an array of polygons, each an array of linear rings"
#define EXPECT_RING \
	"a closed linear ring: an array of at least 4 [lon, lat] positions whose last repeats the first"
#define EXPECT_POSITION "a position [lon, lat] (an optional third number, altitude, is ignored)"
#define EXPECT_LON "a longitude: a number from -180 to 180"
#define EXPECT_LAT "a latitude: a number from -90 to 90"
#define EXPECT_ALT "an altitude: a finite number (ignored)"

static const char *const geometry_keys[] = {"type", "coordinates", "bbox", NULL};

static int
parse_position(struct json_object *v, so_path *p, so_geo_ring *ring, size_t j,
			   so_error *err)
{
	size_t		n,
				prev;
	int			rc;
	double		alt;

	if (!json_object_is_type(v, json_type_array))
		return so_error_set(err, SO_ERR_TYPE, p->buf, "expected an array",
							EXPECT_POSITION, so_json_render(v));
	n = json_object_array_length(v);
	if (n < 2 || n > 3)
		return so_error_set(err, SO_ERR_FORMAT, p->buf,
							"a position has 2 or 3 numbers",
							EXPECT_POSITION, so_json_render(v));

	prev = so_path_push_index(p, 0);
	rc = so_read_number(json_object_array_get_idx(v, 0), p, -180.0, 180.0,
						EXPECT_LON, &ring->lon[j], err);
	so_path_pop(p, prev);
	if (rc != SO_OK)
		return rc;

	prev = so_path_push_index(p, 1);
	rc = so_read_number(json_object_array_get_idx(v, 1), p, -90.0, 90.0,
						EXPECT_LAT, &ring->lat[j], err);
	so_path_pop(p, prev);
	if (rc != SO_OK)
		return rc;

	if (n == 3)
	{
		prev = so_path_push_index(p, 2);
		rc = so_read_number(json_object_array_get_idx(v, 2), p, -DBL_MAX, DBL_MAX,
							EXPECT_ALT, &alt, err);
		so_path_pop(p, prev);
	}
	return rc;
}

static int
parse_ring(struct json_object *v, so_path *p, so_geo_ring *ring, size_t *total,
		   so_error *err)
{
	size_t		n;

	if (!json_object_is_type(v, json_type_array))
		return so_error_set(err, SO_ERR_TYPE, p->buf, "expected an array",
							EXPECT_RING, so_json_render(v));
	n = json_object_array_length(v);
	if (n == 0)
		return so_error_set(err, SO_ERR_EMPTY, p->buf, "empty array",
							EXPECT_RING, so_json_render(v));
	if (n < 4)
		return so_error_set(err, SO_ERR_FORMAT, p->buf,
							"a ring needs at least 4 positions",
							EXPECT_RING, so_json_render(v));
	if (n > SO_GEO_MAX_POSITIONS - *total)
		return so_error_set(err, SO_ERR_TOO_LARGE, p->buf,
							"more than 100000 positions in the geometry",
							"a geometry of at most 100000 positions in total",
							"[...]");
	*total += n;

	ring->lon = malloc(n * sizeof(double));
	ring->lat = malloc(n * sizeof(double));
	if (ring->lon == NULL || ring->lat == NULL)
		return so_error_set(err, SO_ERR_TOO_LARGE, p->buf, "out of memory",
							EXPECT_RING, "");
	ring->n = n;

	for (size_t j = 0; j < n; j++)
	{
		size_t		prev = so_path_push_index(p, j);
		int			rc = parse_position(json_object_array_get_idx(v, j), p,
										ring, j, err);

		so_path_pop(p, prev);
		if (rc != SO_OK)
			return rc;
	}

	if (ring->lon[0] != ring->lon[n - 1] || ring->lat[0] != ring->lat[n - 1])
		return so_error_set(err, SO_ERR_FORMAT, p->buf, "ring is not closed",
							EXPECT_RING, so_json_render(v));
	return SO_OK;
}

/* The coordinates of one polygon: shell then holes. */
static int
parse_part(struct json_object *v, so_path *p, so_geo_part *part, size_t *total,
		   so_error *err)
{
	size_t		n;

	if (!json_object_is_type(v, json_type_array))
		return so_error_set(err, SO_ERR_TYPE, p->buf, "expected an array",
							EXPECT_POLYGON, so_json_render(v));
	n = json_object_array_length(v);
	if (n == 0)
		return so_error_set(err, SO_ERR_EMPTY, p->buf, "empty array",
							EXPECT_POLYGON, so_json_render(v));
	part->rings = calloc(n, sizeof(so_geo_ring));
	if (part->rings == NULL)
		return so_error_set(err, SO_ERR_TOO_LARGE, p->buf, "out of memory",
							EXPECT_POLYGON, "");
	part->nrings = n;

	for (size_t i = 0; i < n; i++)
	{
		size_t		prev = so_path_push_index(p, i);
		int			rc = parse_ring(json_object_array_get_idx(v, i), p,
									&part->rings[i], total, err);

		so_path_pop(p, prev);
		if (rc != SO_OK)
			return rc;
	}
	part->min_lon = part->max_lon = part->rings[0].lon[0];
	part->min_lat = part->max_lat = part->rings[0].lat[0];
	for (size_t r = 0; r < n; r++)
		for (size_t i = 0; i < part->rings[r].n; i++)
		{
			double		x = part->rings[r].lon[i],
						y = part->rings[r].lat[i];

			part->min_lon = x < part->min_lon ? x : part->min_lon;
			part->max_lon = x > part->max_lon ? x : part->max_lon;
			part->min_lat = y < part->min_lat ? y : part->min_lat;
			part->max_lat = y > part->max_lat ? y : part->max_lat;
		}
	return SO_OK;
}

static int
parse_geometry(struct json_object *obj, so_path *p, so_geo_polygon *poly,
			   so_error *err)
{
	struct json_object *type = NULL;
	struct json_object *coords = NULL;
	const char *tname;
	size_t		prev,
				total = 0;
	int			rc;

	if (!json_object_is_type(obj, json_type_object))
		return so_error_set(err, SO_ERR_TYPE, p->buf, "expected an object",
							EXPECT_GEOMETRY, so_json_render(obj));

	/* a Feature's own keys would otherwise show up as unknown keys */
	json_object_object_get_ex(obj, "type", &type);
	if (json_object_is_type(type, json_type_string))
	{
		tname = json_object_get_string(type);
		if (strcmp(tname, "Feature") == 0 || strcmp(tname, "FeatureCollection") == 0)
			return so_error_set(err, SO_ERR_TYPE, p->buf,
								strcmp(tname, "Feature") == 0 ?
								"a GeoJSON Feature, not a geometry" :
								"a GeoJSON FeatureCollection, not a geometry",
								"a GeoJSON geometry object: pass the Feature's \"geometry\" member (a Polygon or MultiPolygon), not the Feature",
								so_json_render(obj));
	}

	rc = so_check_known_keys(obj, p, geometry_keys, "one of: type, coordinates, bbox", err);
	if (rc != SO_OK)
		return rc;

	prev = so_path_push_key(p, "type");
	if (type == NULL)
		rc = so_error_set(err, SO_ERR_MISSING, p->buf, "missing key",
						  "\"Polygon\" or \"MultiPolygon\"", "");
	else
		rc = so_read_string(type, p, "\"Polygon\" or \"MultiPolygon\"", &tname, NULL, err);
	if (rc == SO_OK)
	{
		if (strcmp(tname, "Polygon") == 0)
			poly->multi = false;
		else if (strcmp(tname, "MultiPolygon") == 0)
			poly->multi = true;
		else
			rc = so_error_set(err, SO_ERR_FORMAT, p->buf,
							  "unsupported geometry type",
							  "\"Polygon\" or \"MultiPolygon\"", so_json_render(type));
	}
	so_path_pop(p, prev);
	if (rc != SO_OK)
		return rc;

	json_object_object_get_ex(obj, "coordinates", &coords);
	prev = so_path_push_key(p, "coordinates");
	if (coords == NULL)
		rc = so_error_set(err, SO_ERR_MISSING, p->buf, "missing key",
						  poly->multi ? EXPECT_MULTI : EXPECT_POLYGON, "");
	else if (!poly->multi)
	{
		poly->parts = calloc(1, sizeof(so_geo_part));
		if (poly->parts == NULL)
			rc = so_error_set(err, SO_ERR_TOO_LARGE, p->buf, "out of memory",
							  EXPECT_POLYGON, "");
		else
		{
			poly->nparts = 1;
			rc = parse_part(coords, p, &poly->parts[0], &total, err);
		}
	}
	else if (!json_object_is_type(coords, json_type_array))
		rc = so_error_set(err, SO_ERR_TYPE, p->buf, "expected an array",
						  EXPECT_MULTI, so_json_render(coords));
	else if (json_object_array_length(coords) == 0)
		rc = so_error_set(err, SO_ERR_EMPTY, p->buf, "empty array",
						  EXPECT_MULTI, so_json_render(coords));
	else
	{
		size_t		n = json_object_array_length(coords);

		poly->parts = calloc(n, sizeof(so_geo_part));
		if (poly->parts == NULL)
			rc = so_error_set(err, SO_ERR_TOO_LARGE, p->buf, "out of memory",
							  EXPECT_MULTI, "");
		else
		{
			poly->nparts = n;
			for (size_t i = 0; i < n && rc == SO_OK; i++)
			{
				size_t		iprev = so_path_push_index(p, i);

				rc = parse_part(json_object_array_get_idx(coords, i), p,
								&poly->parts[i], &total, err);
				so_path_pop(p, iprev);
			}
		}
	}
	so_path_pop(p, prev);
	return rc;
}

int
so_geo_polygon_from_json(struct json_object *obj, const char *path,
						 so_geo_polygon **out, so_error *err)
{
	so_geo_polygon *poly;
	so_path		p;
	int			rc;

	*out = NULL;
	so_error_clear(err);
	so_path_set(&p, path);
	poly = calloc(1, sizeof(so_geo_polygon));
	if (poly == NULL)
		return so_error_set(err, SO_ERR_TOO_LARGE, p.buf, "out of memory",
							EXPECT_GEOMETRY, "");
	rc = parse_geometry(obj, &p, poly, err);
	if (rc != SO_OK)
	{
		so_geo_polygon_free(poly);
		return rc;
	}
	*out = poly;
	return SO_OK;
}

void
so_geo_polygon_free(so_geo_polygon *poly)
{
	if (poly == NULL)
		return;
	for (size_t i = 0; i < poly->nparts; i++)
	{
		so_geo_part *part = &poly->parts[i];

		for (size_t r = 0; r < part->nrings; r++)
		{
			free(part->rings[r].lon);
			free(part->rings[r].lat);
		}
		free(part->rings);
	}
	free(poly->parts);
	free(poly);
}

/*
 * Even-odd rule with a ray towards +lon; returns true early when the point
 * lies on an edge. The crossing test compares the sign of a cross product
 * instead of dividing, so a point level with a vertex is handled without
 * rounding surprises (each edge is half-open in lat).
 */
static bool
part_contains(const so_geo_part *part, double x, double y)
{
	bool		inside = false;

	for (size_t r = 0; r < part->nrings; r++)
	{
		const so_geo_ring *ring = &part->rings[r];

		for (size_t i = 0; i + 1 < ring->n; i++)
		{
			double		ax = ring->lon[i],
						ay = ring->lat[i],
						bx = ring->lon[i + 1],
						by = ring->lat[i + 1];
			double		cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);

			if (cross == 0.0 &&
				x >= (ax < bx ? ax : bx) && x <= (ax < bx ? bx : ax) &&
				y >= (ay < by ? ay : by) && y <= (ay < by ? by : ay))
				return true;
			if ((ay > y) != (by > y))
			{
				/* left of an upward edge, or right of a downward one */
				if ((by > ay) ? (cross > 0.0) : (cross < 0.0))
					inside = !inside;
			}
		}
	}
	return inside;
}

bool
so_geo_polygon_contains(const so_geo_polygon *poly, double lon, double lat)
{
	if (poly == NULL)
		return false;
	for (size_t i = 0; i < poly->nparts; i++)
	{
		const so_geo_part *part = &poly->parts[i];

		/* outside the box: no edge to lie on, no crossing to count (NaN: outside) */
		if (!(lon >= part->min_lon && lon <= part->max_lon && lat >= part->min_lat && lat <= part->max_lat))
			continue;
		if (part_contains(part, lon, lat))
			return true;
	}
	return false;
}

int
so_geo_polygon_parse(const char *json, size_t len, const char *path,
					 so_geo_polygon **out, so_error *err)
{
	struct json_object *root = so_json_parse(json, len, path, err);
	int			rc;

	*out = NULL;
	if (root == NULL)
		return err->code;
	rc = so_geo_polygon_from_json(root, path, out, err);
	json_object_put(root);
	return rc;
}
