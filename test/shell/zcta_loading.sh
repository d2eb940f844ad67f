#!/usr/bin/env bash
# bin/stormops-load zctas: ZIP codes with state, housing units, centroid and
# time zone (docs/storms.md). A small made-up file first (bad rows rejected
# with their reason, a zone already set kept, a load repeated changes
# nothing); then, when ../shared/data is there, the real Census 2020 ZCTA
# file: Texas ZIPs on America/Chicago, El Paso's on America/Denver, and the
# ZIPs of split states left without a zone. Prints that it skipped the real
# file otherwise.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
export PGDATABASE=stormops_zcta
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-zcta.XXXXXX")
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" >/dev/null 2>&1' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
psql -X -q -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops"
q() { psql -X -At -v ON_ERROR_STOP=1 -c "$1"; }
fail=0
check() {
  local got
  got=$(q "$2")
  if [ "$got" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: got [$got], want [$3]"; fail=1; fi
}

cat >"$work/small.csv" <<'CSV'
ZCTA5,Primary County,Primary County Subdivision,Primary Place,Primary Urban Area,Population,Housing Units,Land Area,Water Area,Latitude,Longitude
75034,48085,4808592115,4827684,31087,88880,33845,56.95,0.5,33.121286,-96.838536
79901,48141,4814192275,4824000,27253,10154,4800,3.1,0,31.758404,-106.478257
79851,48229,4822992585,,,1069,620,1735.1,1.2,31.209123,-105.328441
32401,12005,1200590585,1254700,66448,30000,15000,40,2,30.16,-85.66
97201,41051,4105191824,4159000,71317,17000,12000,4,0.1,45.5,-122.69
7503,48085,,,,,,,,33.1,-96.8
75035,4808,,,,,100,,,33.1,-96.8
75002,48085,,,,,lots,,,33.1,-96.8
75013,48085,,,,,100,,,91,-96.8
CSV
q "INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES ('97201', 'OR', 'America/Los_Angeles')" >/dev/null
out=$("$repo/bin/stormops-load" zctas "$work/small.csv")
echo "$out"
check "the load reports ZIPs, with and without a zone, and rejects" "SELECT 1" "1"
echo "$out" | grep -q '^ *5 | *4 | *1 | *4$' || { echo "not ok - load summary: $out"; fail=1; }
check "Frisco's ZIP is in Texas, on Central time, with its housing units and centroid" \
  "SELECT state || ' ' || time_zone || ' ' || housing_units || ' ' || lat || ' ' || lon FROM stormops.zip_codes WHERE zip = '75034'" \
  "TX America/Chicago 33845 33.121286 -96.838536"
check "El Paso (county 48141) is on Mountain time" "SELECT time_zone FROM stormops.zip_codes WHERE zip = '79901'" "America/Denver"
check "Hudspeth (county 48229) too" "SELECT time_zone FROM stormops.zip_codes WHERE zip = '79851'" "America/Denver"
check "a Florida ZIP (a split state) gets no zone: the operator sets it" \
  "SELECT state || ' ' || coalesce(time_zone, 'none') FROM stormops.zip_codes WHERE zip = '32401'" "FL none"
check "a zone already set is kept" "SELECT time_zone FROM stormops.zip_codes WHERE zip = '97201'" "America/Los_Angeles"
check "each bad row is rejected with its reason" \
  "SELECT string_agg(source_id || ': ' || reason, '; ' ORDER BY source_id) FROM stormops.ingest_rejects WHERE source = 'zcta'" \
  "75002: Housing Units is not a whole number; 75013: Latitude is not a number from -90 to 90; 7503: ZCTA5 is not a 5-digit code; 75035: Primary County is not a 5-digit FIPS code"
check "the staging table is emptied" "SELECT count(*) FROM stormops.zcta_staging" "0"
before=$(q "SELECT md5(string_agg(z::text, ',' ORDER BY zip)) FROM stormops.zip_codes z")
"$repo/bin/stormops-load" zctas "$work/small.csv" >/dev/null
check "loading the same file again changes nothing" "SELECT md5(string_agg(z::text, ',' ORDER BY zip)) FROM stormops.zip_codes z" "$before"
check "nor rejects a row twice" "SELECT count(*) FROM stormops.ingest_rejects WHERE source = 'zcta'" "4"

file="$repo/../shared/data/census/zctas_2020.csv"
if [ ! -r "$file" ]; then
  echo "skipped: no ../shared/data/census/zctas_2020.csv (the real-file checks)"
  exit $fail
fi
q "DELETE FROM stormops.ingest_rejects" >/dev/null
"$repo/bin/stormops-load" zctas "$file"
check "the real file: no row rejected (states, DC and the territories)" \
  "SELECT count(*) FROM stormops.ingest_rejects WHERE source = 'zcta'" "0"
check "the real file: every Texas ZIP has a zone" \
  "SELECT count(*) FROM stormops.zip_codes WHERE state = 'TX' AND time_zone IS NULL" "0"
check "the real file: Dallas-Fort Worth (75034, 75230) on America/Chicago" \
  "SELECT string_agg(time_zone, ' ' ORDER BY zip) FROM stormops.zip_codes WHERE zip IN ('75034', '75230')" \
  "America/Chicago America/Chicago"
check "the real file: El Paso (79901, 79936) on America/Denver" \
  "SELECT string_agg(time_zone, ' ' ORDER BY zip) FROM stormops.zip_codes WHERE zip IN ('79901', '79936')" \
  "America/Denver America/Denver"
check "the real file: Texas ZIPs on Mountain time are those of El Paso and Hudspeth counties" \
  "SELECT count(*) > 20 AND bool_and(lon < -104.5) FROM stormops.zip_codes WHERE state = 'TX' AND time_zone = 'America/Denver'" "t"
check "the real file: a Florida ZIP is left without a zone" \
  "SELECT count(*) > 0 FROM stormops.zip_codes WHERE state = 'FL' AND time_zone IS NULL" "t"
check "the real file: every zone given is one PostgreSQL knows" \
  "SELECT bool_and(stormops.is_time_zone(time_zone)) FROM stormops.zip_codes WHERE time_zone IS NOT NULL" "t"
echo "loaded: $(q "SELECT count(*) || ' ZIPs, ' || count(time_zone) || ' with a zone' FROM stormops.zip_codes")"
exit $fail
