#!/usr/bin/env bash
# Selective rules on a metro-sized table use indexes. On 1,000,000 properties
# and 300,000 impacts over 3 events, the compiled statement for one ZIP and
# one event, and for a small custom polygon, must reach properties and
# property_impacts through index scans only (the plan's shape, not timings).
set -euo pipefail
db=stormops_plans
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$db'" >/dev/null 2>&1' EXIT

psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION stormops;
-- 250 ZIPs, 1,000,000 properties spread over a 1-degree square
INSERT INTO stormops.properties (property_id, zip, lat, lon, roof_install_year)
SELECT 'p' || i, (75000 + i % 250)::text, 32.5 + (i % 1000) / 1000.0, -97.5 + (i / 1000) / 1000.0, 1980 + i % 40
  FROM generate_series(1, 1000000) i;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at)
VALUES ('E1', 'hail', '2019-03-24'), ('E2', 'hail', '2019-04-10'), ('E3', 'hail', '2019-05-02');
INSERT INTO stormops.property_impacts
SELECT 'p' || i, 'E' || (1 + i % 3), i % 101 FROM generate_series(1, 900000, 3) i;
ANALYZE;
SQL

# Node types and relations of a plan: "Index Scan:properties_zip_idx" etc.
plan_nodes() {
  psql -X -At -d $db -c "EXPLAIN (FORMAT JSON) $1" | python3 -c '
import json, sys
def walk(node):
    yield node["Node Type"], node.get("Relation Name", ""), node.get("Index Name", "")
    for child in node.get("Plans", []):
        yield from walk(child)
for t, rel, idx in walk(json.load(sys.stdin)[0]["Plan"]):
    print(f"{t}|{rel}|{idx}")'
}

fail=0
check() {   # check NAME RULES EVENT
  local name=$1 sql nodes
  sql=$(psql -X -At -d $db -c "SELECT stormops.compile_targeting('$2', $3, '2019-03-27')")
  nodes=$(plan_nodes "$sql")
  echo "-- $name"; echo "$nodes" | sed 's/^/   /'
  if echo "$nodes" | grep -Eq '^Seq Scan\|(properties|property_impacts)\|'; then
    echo "not ok: $name reads properties or property_impacts sequentially"; fail=1
  fi
  for needed in "${@:4}"; do
    if ! echo "$nodes" | grep -Eq "$needed"; then
      echo "not ok: $name has no node matching $needed"; fail=1
    fi
  done
}

check "one ZIP, one event" '{"geography": {"zips": ["75034"]}, "physics": {"min_sii_score": 50}}' "'E1'" \
  'Index( Only)? Scan\|property_impacts\||Bitmap Index Scan\|\|property_impacts' \
  'Index (Only )?Scan\|properties\|properties_(zip_idx|pkey|zip_of_idx)|Bitmap Index Scan\|\|properties_zip_idx'
check "a small custom polygon" '{"geography": {"custom_polygon": {"type": "Polygon", "coordinates": [[[-97.4, 32.6], [-97.39, 32.6], [-97.39, 32.61], [-97.4, 32.6]]]}}}' "NULL" \
  'Index Scan\|properties\|properties_lat_lon_idx|Bitmap Index Scan\|\|properties_lat_lon_idx'
check "one event, one tract list" '{"geography": {"tracts": ["48085030100"]}}' "'E2'" \
  'Index Scan\|properties\|properties_tract_idx|Bitmap Index Scan\|\|properties_tract_idx'
exit $fail
