#!/usr/bin/env bash
# What polygon_contains costs a row does not grow with the polygon (issue 16,
# item 10): with a constant geometry (the compiled targeting statement's
# case) the parsed polygon is cached and the argument is not read again, and
# a point outside a part's bounding box is answered without reading its
# rings. 20,000 properties tested against a 100,000-position ring (about
# 4 MB of jsonb) that lies elsewhere take about as long as against a
# 5-position one: at most 20 times as long plus a second. Before issue 16
# every row compared the whole geometry with the cached copy and walked
# every edge (about 10 s here). A cost-class check with a wide margin, not
# a benchmark. On the throwaway cluster of run-tests.sh.
set -euo pipefail
db=stormops_polygon
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-polygon.XXXXXX")
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION stormops;
INSERT INTO stormops.properties (property_id, zip, lat, lon)
SELECT format('p%s', i), '75034', 33.0 + (i % 200) / 1000.0, -97.0 - (i / 200) / 1000.0 FROM generate_series(1, 20000) i;
SQL
# a ring of 100,000 positions around (-100, 40), closed; and a square there
psql -X -At -v ON_ERROR_STOP=1 -d $db -c "
  SELECT jsonb_build_object('type', 'Polygon', 'coordinates', jsonb_build_array(
           jsonb_agg(jsonb_build_array(-100 + cos(a), 40 + sin(a)) ORDER BY i)))
    FROM (SELECT i, CASE WHEN i = 99999 THEN 0 ELSE 2 * pi() * i / 99999 END AS a
            FROM generate_series(0, 99999) i) r" > "$work/large.json"
echo '{"type": "Polygon", "coordinates": [[[-101, 39], [-99, 39], [-99, 41], [-101, 41], [-101, 39]]]}' > "$work/small.json"
echo "large polygon: $(wc -c < "$work/large.json") bytes of JSON"
# time_ms FILE: ms to test every property against the geometry in FILE (best of 3)
time_ms() {
  {
    echo '\set g `cat '"$1"'`'
    for run in 1 2 3; do
      echo "SELECT clock_timestamp() AS t0 \\gset"
      echo "SELECT count(*) FILTER (WHERE stormops.polygon_contains(:'g'::jsonb, p.lon, p.lat)) AS inside FROM stormops.properties p \\gset"
      echo "SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz)) AS ms, :inside AS inside;"
    done
  } | psql -X -At -v ON_ERROR_STOP=1 -d $db | sort -t'|' -k1,1n | head -1
}
small=$(time_ms "$work/small.json")
large=$(time_ms "$work/large.json")
echo "20,000 rows: $small (ms|inside) with 5 positions, $large with 100,000"
[ "${small#*|}" = 0 ] && [ "${large#*|}" = 0 ] \
  || { echo "failed in polygon_cost.sh: [ \"\${small#*|}\" = 0 ] && [ \"\${large#*|}\" = 0 ]"; exit 1; }
[ "${large%|*}" -le $(( 20 * ${small%|*} + 1000 )) ]
echo "ok - a 100,000-position polygon costs a row about what a 5-position one does (${large%|*} ms against ${small%|*} ms)"
