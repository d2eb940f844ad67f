/*
 * test_geo_polygon.c: GeoJSON Polygon / MultiPolygon validation and
 * even-odd containment with inclusive edges.
 */
#include <math.h>

#include "geo_polygon.h"
#include "json_read.h"
#include "tap.h"
#include "test_util.h"

#define CODE(c) so_errcode_name(c)

/*
 * Parse the geometry (written with ' for ") as a document, validate it at
 * path "geo" and check the code and, on error, the path. Returns the polygon.
 */
static so_geo_polygon *
geo(int line, const char *json, so_errcode code, const char *path, so_error *err_out)
{
	char	   *j = sq(json);
	so_error	err;
	char		d[160];
	so_geo_polygon *poly = (so_geo_polygon *) &poly;
	struct json_object *root = so_json_parse(j, strlen(j), "geometry", &err);
	int			rc = err.code;

	describe(d, sizeof(d), line, j);
	if (root != NULL)
		rc = so_geo_polygon_from_json(root, "geo", &poly, &err);
	else
		poly = NULL;
	is_str(CODE(rc), CODE(code), "%s: code", d);
	if (rc != (int) code && rc != SO_OK)
		diag("unexpected error at '%s': %s (found %s)", err.path, err.message, err.found);
	if (code != SO_OK)
	{
		is_str(err.path, path, "%s: path", d);
		ok(poly == NULL, "%s: *out is NULL", d);
	}
	else
		ok(poly != NULL && poly != (so_geo_polygon *) &poly, "%s: returns the polygon", d);
	if (err_out != NULL)
		*err_out = err;
	if (poly == (so_geo_polygon *) &poly)
		poly = NULL;
	json_object_put(root);
	free(j);
	return poly;
}

#define GEO_OK(json) geo(__LINE__, json, SO_OK, "", NULL)
#define GEO_ERR(json, code, path) so_geo_polygon_free(geo(__LINE__, json, code, path, NULL))
#define GEO_ERR_DETAIL(json, code, path, e) so_geo_polygon_free(geo(__LINE__, json, code, path, e))

#define SQUARE "[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]"
#define HOLE "[[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]"

static void
test_valid(void)
{
	so_geo_polygon *p;

	p = GEO_OK("{'type': 'Polygon', 'coordinates': [" SQUARE "]}");
	if (p != NULL)
	{
		ok(!p->multi, "Polygon is not multi");
		is_int(p->nparts, 1, "Polygon has one part");
		is_int(p->parts[0].nrings, 1, "one ring");
		is_int(p->parts[0].rings[0].n, 5, "five positions");
		ok(p->parts[0].rings[0].lon[1] == 10 && p->parts[0].rings[0].lat[2] == 10,
		   "positions are [lon, lat]");
	}
	so_geo_polygon_free(p);

	so_geo_polygon_free(GEO_OK("{'type': 'Polygon', 'coordinates': [[[0, 0, 5], [1, 0, 5], [1, 1, -3.5], [0, 0, 5]]]}"));
	so_geo_polygon_free(GEO_OK("{'bbox': [0, 0, 10, 10], 'type': 'Polygon', 'coordinates': [" SQUARE "]}"));
	so_geo_polygon_free(GEO_OK("{'type': 'Polygon', 'coordinates': [" SQUARE "], 'bbox': 'ignored'}"));
	so_geo_polygon_free(GEO_OK("{'type': 'Polygon', 'coordinates': [[[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]]}"));
	so_geo_polygon_free(GEO_OK("{'coordinates': [" SQUARE "], 'type': 'Polygon'}"));

	p = GEO_OK("{'type': 'MultiPolygon', 'coordinates': [[" SQUARE ", " HOLE "], [[[20, 20], [30, 20], [30, 30], [20, 20]]]]}");
	if (p != NULL)
	{
		ok(p->multi, "MultiPolygon is multi");
		is_int(p->nparts, 2, "two parts");
		is_int(p->parts[0].nrings, 2, "first part has a hole");
		is_int(p->parts[1].rings[0].n, 4, "second part's ring has 4 positions");
	}
	so_geo_polygon_free(p);
}

static void
test_invalid(void)
{
	so_error	err;

	/* not a geometry */
	GEO_ERR_DETAIL("{'type': 'Feature', 'geometry': {'type': 'Polygon', 'coordinates': [" SQUARE "]}, 'properties': {}}",
				   SO_ERR_TYPE, "geo", &err);
	ok(strstr(err.expected, "\"geometry\"") != NULL, "Feature hint says to pass the geometry");
	GEO_ERR("{'type': 'FeatureCollection', 'features': []}", SO_ERR_TYPE, "geo");
	{
		so_geo_polygon *poly = (so_geo_polygon *) &poly;

		is_int(so_geo_polygon_from_json(NULL, "geo", &poly, &err), SO_ERR_TYPE, "JSON null is not a geometry");
		ok(poly == NULL, "JSON null gives no polygon");
		is_str(err.found, "null", "JSON null found");
	}
	GEO_ERR("{'type': 'Polygon', 'coordinates': [" SQUARE "], 'properties': {}}", SO_ERR_UNKNOWN_KEY, "geo.properties");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [" SQUARE "], 'crs': {}}", SO_ERR_UNKNOWN_KEY, "geo.crs");
	GEO_ERR("{'coordinates': [" SQUARE "]}", SO_ERR_MISSING, "geo.type");
	GEO_ERR("{'type': null, 'coordinates': [" SQUARE "]}", SO_ERR_MISSING, "geo.type");
	GEO_ERR("{'type': 5, 'coordinates': [" SQUARE "]}", SO_ERR_TYPE, "geo.type");
	GEO_ERR("{'type': 'Point', 'coordinates': [1, 2]}", SO_ERR_FORMAT, "geo.type");
	GEO_ERR("{'type': 'polygon', 'coordinates': [" SQUARE "]}", SO_ERR_FORMAT, "geo.type");
	GEO_ERR("{'type': 'GeometryCollection', 'geometries': []}", SO_ERR_UNKNOWN_KEY, "geo.geometries");
	GEO_ERR("{'type': 'GeometryCollection'}", SO_ERR_FORMAT, "geo.type");
	GEO_ERR("{'type': 'Polygon'}", SO_ERR_MISSING, "geo.coordinates");
	GEO_ERR("{'type': 'Polygon', 'coordinates': null}", SO_ERR_MISSING, "geo.coordinates");
	GEO_ERR("{'type': 'Polygon', 'coordinates': {}}", SO_ERR_TYPE, "geo.coordinates");
	GEO_ERR("{'type': 'Polygon', 'coordinates': []}", SO_ERR_EMPTY, "geo.coordinates");

	/* rings */
	GEO_ERR("{'type': 'Polygon', 'coordinates': [5]}", SO_ERR_TYPE, "geo.coordinates[0]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[]]}", SO_ERR_EMPTY, "geo.coordinates[0]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [0, 0]]]}", SO_ERR_FORMAT, "geo.coordinates[0]");
	GEO_ERR_DETAIL("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1, 1], [0, 1]]]}",
				   SO_ERR_FORMAT, "geo.coordinates[0]", &err);
	is_str(err.message, "ring is not closed", "unclosed ring message");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1, 1], [0, 0.0000001]]]}",
			SO_ERR_FORMAT, "geo.coordinates[0]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1, 1], [0.5, 0]]]}",
			SO_ERR_FORMAT, "geo.coordinates[0]");
	/* altitude does not take part in closing */
	so_geo_polygon_free(GEO_OK("{'type': 'Polygon', 'coordinates': [[[0, 0, 1], [1, 0], [1, 1], [0, 0, 2]]]}"));
	GEO_ERR("{'type': 'Polygon', 'coordinates': [" SQUARE ", [[4, 4], [6, 4], [6, 6], [4, 6]]]}",
			SO_ERR_FORMAT, "geo.coordinates[1]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [" SQUARE ", [[4, 4], [6, 4], [4, 4]]]}",
			SO_ERR_FORMAT, "geo.coordinates[1]");
	/* a Polygon given MultiPolygon nesting */
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[" SQUARE "]]}", SO_ERR_FORMAT, "geo.coordinates[0]");

	/* positions */
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], 7, [0, 0]]]}", SO_ERR_TYPE, "geo.coordinates[0][2]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1], [0, 0]]]}", SO_ERR_FORMAT, "geo.coordinates[0][2]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1, 1, 1, 1], [0, 0]]]}", SO_ERR_FORMAT, "geo.coordinates[0][2]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [], [0, 0]]]}", SO_ERR_FORMAT, "geo.coordinates[0][2]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [180.000001, 1], [0, 0]]]}", SO_ERR_RANGE, "geo.coordinates[0][2][0]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [-180.000001, 1], [0, 0]]]}", SO_ERR_RANGE, "geo.coordinates[0][2][0]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1, 90.000001], [0, 0]]]}", SO_ERR_RANGE, "geo.coordinates[0][2][1]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1, -90.000001], [0, 0]]]}", SO_ERR_RANGE, "geo.coordinates[0][2][1]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1, 1], [0, 0]], [[0, 0], [1, 0], [1, 1], [-196.8, 33.1]]]}",
			SO_ERR_RANGE, "geo.coordinates[1][3][0]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], ['1', 1], [0, 0]]]}", SO_ERR_TYPE, "geo.coordinates[0][2][0]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1, null], [0, 0]]]}", SO_ERR_TYPE, "geo.coordinates[0][2][1]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1, 1, 'up'], [0, 0]]]}", SO_ERR_TYPE, "geo.coordinates[0][2][2]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1, 1e999], [0, 0]]]}", SO_ERR_RANGE, "coordinates[0][2][1]");
	GEO_ERR("{'type': 'Polygon', 'coordinates': [[[0, 0], [1, 0], [1, NaN], [0, 0]]]}", SO_ERR_SYNTAX, "");

	/* MultiPolygon */
	GEO_ERR("{'type': 'MultiPolygon', 'coordinates': []}", SO_ERR_EMPTY, "geo.coordinates");
	GEO_ERR("{'type': 'MultiPolygon', 'coordinates': 'x'}", SO_ERR_TYPE, "geo.coordinates");
	GEO_ERR("{'type': 'MultiPolygon', 'coordinates': [[" SQUARE "], 5]}", SO_ERR_TYPE, "geo.coordinates[1]");
	GEO_ERR("{'type': 'MultiPolygon', 'coordinates': [[" SQUARE "], []]}", SO_ERR_EMPTY, "geo.coordinates[1]");
	GEO_ERR("{'type': 'MultiPolygon', 'coordinates': [[" SQUARE "], [[[0, 0], [1, 0], [1, 1], [0, 1]]]]}",
			SO_ERR_FORMAT, "geo.coordinates[1][0]");
	GEO_ERR("{'type': 'MultiPolygon', 'coordinates': [[" SQUARE "], [[[0, 0], [1, 0], [1, 91], [0, 0]]]]}",
			SO_ERR_RANGE, "geo.coordinates[1][0][2][1]");
	/* a MultiPolygon given Polygon nesting */
	GEO_ERR("{'type': 'MultiPolygon', 'coordinates': [" SQUARE "]}", SO_ERR_FORMAT, "geo.coordinates[0][0]");
}

/* A ring of n positions around the unit circle's bounding box, closed. */
static char *
big_ring(size_t n)
{
	size_t		cap = n * 32 + 16;
	char	   *s = xmalloc(cap);
	size_t		o = 0;

	o += (size_t) snprintf(s + o, cap - o, "[");
	for (size_t i = 0; i + 1 < n; i++)
		o += (size_t) snprintf(s + o, cap - o, "[%.6f, %.6f],",
							   (double) i / (double) n, (i % 2) ? 1.0 : 0.0);
	snprintf(s + o, cap - o, "[0.000000, 0.000000]]");
	return s;
}

static void
test_position_cap(void)
{
	char	   *r50k = big_ring(50000);
	char	   *r50k1 = big_ring(50001);
	char	   *doc;
	so_geo_polygon *p;

	doc = fmt("{'type': 'MultiPolygon', 'coordinates': [[%s], [%s]]}", r50k, r50k);
	p = GEO_OK(doc);
	ok(p != NULL && p->parts[1].rings[0].n == 50000, "100000 positions in total are accepted");
	so_geo_polygon_free(p);
	free(doc);

	doc = fmt("{'type': 'MultiPolygon', 'coordinates': [[%s], [%s]]}", r50k, r50k1);
	GEO_ERR(doc, SO_ERR_TOO_LARGE, "geo.coordinates[1][0]");
	free(doc);
	doc = fmt("{'type': 'Polygon', 'coordinates': [%s, %s]}", r50k1, r50k);
	GEO_ERR(doc, SO_ERR_TOO_LARGE, "geo.coordinates[1]");
	free(doc);
	free(r50k);
	free(r50k1);
}

static void
test_contains(void)
{
	so_geo_polygon *sq_,
			   *holed,
			   *multi,
			   *diamond,
			   *tri,
			   *concave,
			   *stray;

	sq_ = GEO_OK("{'type': 'Polygon', 'coordinates': [" SQUARE "]}");
	holed = GEO_OK("{'type': 'Polygon', 'coordinates': [" SQUARE ", " HOLE "]}");
	multi = GEO_OK("{'type': 'MultiPolygon', 'coordinates': [[" SQUARE ", " HOLE "], [[[20, 20], [30, 20], [30, 30], [20, 30], [20, 20]]], [[[4.5, 4.5], [5.5, 4.5], [5.5, 5.5], [4.5, 5.5], [4.5, 4.5]]]]}");
	diamond = GEO_OK("{'type': 'Polygon', 'coordinates': [[[0, -1], [1, 0], [0, 1], [-1, 0], [0, -1]]]}");
	tri = GEO_OK("{'type': 'Polygon', 'coordinates': [[[0, 0], [4, 0], [4, 4], [0, 0]]]}");
	/* a U: the notch between x 3..7 above y 3 is outside */
	concave = GEO_OK("{'type': 'Polygon', 'coordinates': [[[0, 0], [10, 0], [10, 10], [7, 10], [7, 3], [3, 3], [3, 10], [0, 10], [0, 0]]]}");
	/* a "hole" outside its shell: the even-odd rule counts it as inside */
	stray = GEO_OK("{'type': 'Polygon', 'coordinates': [" SQUARE ", [[20, 20], [22, 20], [22, 22], [20, 22], [20, 20]]]}");
	if (!sq_ || !holed || !multi || !diamond || !tri || !concave || !stray)
	{
		ok(0, "containment fixtures parse");
		goto done;
	}

	ok(so_geo_polygon_contains(sq_, 5, 5), "square: center inside");
	ok(so_geo_polygon_contains(sq_, 0.001, 9.999), "square: near a corner inside");
	ok(!so_geo_polygon_contains(sq_, 11, 5), "square: right of it outside");
	ok(!so_geo_polygon_contains(sq_, -0.001, 5), "square: just left outside");
	ok(!so_geo_polygon_contains(sq_, 5, 10.001), "square: just above outside");
	ok(so_geo_polygon_contains(sq_, 10, 5), "square: on the right edge inside");
	ok(so_geo_polygon_contains(sq_, 5, 0), "square: on the bottom edge inside");
	ok(so_geo_polygon_contains(sq_, 0, 0), "square: vertex inside");
	ok(so_geo_polygon_contains(sq_, 10, 10), "square: far vertex inside");
	ok(!so_geo_polygon_contains(sq_, 12, 0), "square: on the bottom edge's line, beyond it, outside");
	ok(!so_geo_polygon_contains(sq_, -5, 10), "square: on the top edge's line, before it, outside");

	ok(so_geo_polygon_contains(holed, 2, 2), "holed: in the shell inside");
	ok(!so_geo_polygon_contains(holed, 5, 5), "holed: inside the hole outside");
	ok(so_geo_polygon_contains(holed, 4, 5), "holed: on the hole's edge inside");
	ok(so_geo_polygon_contains(holed, 6, 6), "holed: on the hole's vertex inside");
	ok(so_geo_polygon_contains(holed, 3.999, 5), "holed: just outside the hole inside");

	/* the bounding box covers every ring: the shortcut changes no answer */
	ok(so_geo_polygon_contains(stray, 21, 21), "stray ring: inside by the even-odd rule (the box covers it)");
	ok(so_geo_polygon_contains(stray, 22, 22), "stray ring: its far vertex, the box's corner, inside");
	ok(!so_geo_polygon_contains(stray, 15, 15), "stray ring: in the box, between the rings, outside");
	ok(!so_geo_polygon_contains(stray, 22.001, 21), "stray ring: just past the box outside");
	ok(!so_geo_polygon_contains(sq_, NAN, 5) && !so_geo_polygon_contains(sq_, 5, NAN), "NaN: outside");

	ok(so_geo_polygon_contains(multi, 25, 25), "multi: inside the second part");
	ok(so_geo_polygon_contains(multi, 20, 25), "multi: on the second part's edge");
	ok(so_geo_polygon_contains(multi, 5, 5), "multi: island inside the first part's hole");
	ok(!so_geo_polygon_contains(multi, 4.2, 4.2), "multi: in the hole, off the island");
	ok(!so_geo_polygon_contains(multi, 15, 15), "multi: between parts outside");

	/* the ray passes through vertices */
	ok(so_geo_polygon_contains(diamond, -0.5, 0), "diamond: ray through a vertex, inside");
	ok(!so_geo_polygon_contains(diamond, -2, 0), "diamond: ray through two vertices, outside");
	ok(!so_geo_polygon_contains(diamond, 2, 0), "diamond: level with a vertex, right, outside");
	ok(so_geo_polygon_contains(diamond, 0, 0.999), "diamond: below the top vertex inside");
	ok(so_geo_polygon_contains(diamond, 0.5, 0.5), "diamond: on a slanted edge inside");
	ok(!so_geo_polygon_contains(diamond, 0.5, 0.5000001), "diamond: just past a slanted edge outside");
	ok(!so_geo_polygon_contains(diamond, 0, 1.5), "diamond: above the top vertex outside");

	ok(so_geo_polygon_contains(tri, 2, 2), "triangle: on the hypotenuse inside");
	ok(so_geo_polygon_contains(tri, 3, 1), "triangle: interior");
	ok(!so_geo_polygon_contains(tri, 1, 3), "triangle: other side of the hypotenuse outside");
	ok(!so_geo_polygon_contains(tri, 5, 5), "triangle: on the hypotenuse's line beyond outside");

	ok(so_geo_polygon_contains(concave, 1, 5), "U: left arm inside");
	ok(so_geo_polygon_contains(concave, 9, 5), "U: right arm inside");
	ok(!so_geo_polygon_contains(concave, 5, 5), "U: the notch is outside");
	ok(so_geo_polygon_contains(concave, 5, 2), "U: the base inside");
	ok(so_geo_polygon_contains(concave, 5, 3), "U: the notch's floor is an edge, inside");
	ok(so_geo_polygon_contains(concave, 7, 10), "U: the notch's top corner is a vertex, inside");

	ok(!so_geo_polygon_contains(sq_, NAN, 5), "NaN is not contained");
	ok(!so_geo_polygon_contains(NULL, 5, 5), "a NULL polygon contains nothing");

done:
	so_geo_polygon_free(sq_);
	so_geo_polygon_free(holed);
	so_geo_polygon_free(multi);
	so_geo_polygon_free(diamond);
	so_geo_polygon_free(tri);
	so_geo_polygon_free(concave);
	so_geo_polygon_free(stray);
	so_geo_polygon_free(NULL);
}

int
main(void)
{
	test_valid();
	test_invalid();
	test_position_cap();
	test_contains();
	return done_testing();
}
