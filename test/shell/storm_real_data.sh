#!/usr/bin/env bash
# The real NOAA Storm Events file for January-March 2019, when it is there
# (../shared/data/noaa beside the repository; never copied into it): 573 hail
# reports, the Collin County hail episode of 24 March 2019 with 4.50 in hail,
# and demo properties near Frisco scoring higher than ones 30 km away.
# Without the data it says so and exits 77: a skip, not a pass.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
file=$(ls "$repo"/../shared/data/noaa/StormEvents_details-ftp_v1.0_d2019_*.csv.gz 2>/dev/null | head -1 || true)
if [ -z "$file" ]; then
  echo "skipped: no NOAA details file in ../shared/data/noaa"
  exit 77
fi
export PGDATABASE=stormops_real_data
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$PGDATABASE'" >/dev/null 2>&1' EXIT
{ echo "SET client_min_messages = warning; CREATE EXTENSION stormops;"; echo '\o /dev/null'
  cat "$repo/test/demo/dfw_data.sql"; } | psql -X -q -v ON_ERROR_STOP=1
# the demo's impacts (from its typed-in reports) go: this test computes them from the real file's
psql -X -q -c "DELETE FROM stormops.property_impacts"
"$repo/bin/stormops-load" noaa "$file"

fail=0
check() {
  local got
  got=$(psql -X -At -c "$2")
  if [ "$got" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: got [$got], want [$3]"; fail=1; fi
}
check "573 hail reports" \
  "SELECT count(*) FROM stormops.storm_reports r JOIN stormops.storm_events e USING (event_id) WHERE e.event_type = 'hail' AND r.source = 'noaa'" "573"
check "the 24 March 2019 hail episode (135504), 4.50 in at most" \
  "SELECT e.magnitude || ' ' || (e.begin_at AT TIME ZONE 'UTC')::date FROM stormops.storm_events e WHERE e.event_id = 'noaa_ep_135504_hail'" \
  "4.50 2019-03-24"
check "its largest report: Allen, 17:43 at UTC-6" \
  "SELECT to_char(reported_at AT TIME ZONE 'UTC', 'HH24:MI') FROM stormops.storm_reports WHERE event_id = 'noaa_ep_135504_hail' AND magnitude = 4.50" \
  "23:43"
psql -X -q -c "SELECT stormops.compute_impacts('noaa_ep_135504_hail')" >/dev/null
check "Frisco properties score higher than Dallas ones about 30 km south" \
  "SELECT (SELECT avg(coalesce(i.sii_score, 0)) FROM stormops.properties p LEFT JOIN stormops.property_impacts i
             ON i.property_id = p.property_id AND i.event_id = 'noaa_ep_135504_hail' WHERE p.zip IN ('75034', '75035'))
        > (SELECT avg(coalesce(i.sii_score, 0)) FROM stormops.properties p LEFT JOIN stormops.property_impacts i
             ON i.property_id = p.property_id AND i.event_id = 'noaa_ep_135504_hail' WHERE p.zip IN ('75230', '75225'))" "t"
check "the Dallas ZIPs are about 30 km from Frisco" \
  "SELECT round(stormops.haversine_km(a.lat, a.lon, b.lat, b.lon)) BETWEEN 25 AND 35 FROM stormops.zip_codes a, stormops.zip_codes b
    WHERE a.zip = '75034' AND b.zip = '75230'" "t"
exit $fail
