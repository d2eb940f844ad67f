/*
 * geo_polygon.h: GeoJSON Polygon / MultiPolygon geometries for custom_polygon.
 *
 * Coordinates are [lon, lat] (an optional third number, altitude, is accepted
 * and ignored). The first ring of a polygon is its shell, further rings are
 * holes. Containment uses the even-odd rule over all rings of a polygon; a
 * point exactly on an edge counts as inside.
 */
#ifndef SO_GEO_POLYGON_H
#define SO_GEO_POLYGON_H

#include <stdbool.h>
#include <stddef.h>

#include "so_error.h"

struct json_object;

typedef struct so_geo_ring
{
	size_t		n;				/* number of positions, >= 4, first == last */
	double	   *lon;
	double	   *lat;
} so_geo_ring;

typedef struct so_geo_part
{
	size_t		nrings;			/* >= 1: shell, then holes */
	so_geo_ring *rings;
	/* the bounding box of all its rings: a point outside is outside */
	double		min_lon,
				max_lon,
				min_lat,
				max_lat;
} so_geo_part;

typedef struct so_geo_polygon
{
	bool		multi;			/* MultiPolygon (true) or Polygon (false) */
	size_t		nparts;			/* 1 for a Polygon */
	so_geo_part *parts;
} so_geo_polygon;

/*
 * Validate a GeoJSON geometry object found at `path` (used as the prefix of
 * error paths, e.g. "geography.custom_polygon.coordinates[0][3]").
 * Returns SO_OK and *out, or an error code with err filled and *out NULL.
 */
int			so_geo_polygon_from_json(struct json_object *obj, const char *path,
									 so_geo_polygon **out, so_error *err);

/* The same from GeoJSON text (len bytes, need not be NUL-terminated). */
int			so_geo_polygon_parse(const char *json, size_t len, const char *path,
								 so_geo_polygon **out, so_error *err);

void		so_geo_polygon_free(so_geo_polygon *poly);

/*
 * Even-odd containment, edges inclusive. A point outside a part's bounding
 * box is answered without reading its rings.
 */
bool		so_geo_polygon_contains(const so_geo_polygon *poly, double lon, double lat);

#endif							/* SO_GEO_POLYGON_H */
