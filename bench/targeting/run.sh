#!/usr/bin/env bash
# Targeting at metro scale: compile time, target_properties time, and the same
# targeting done the straightforward way (stormops_ref.target_properties, a
# PL/pgSQL loop that reads the jsonb rules per property; see naive_note.md)
# in the same run, as a ratio.
#   BENCH_SCALE   data size, 1.0 = 1,000,000 properties (default)
#   BENCH_RUNS    runs per figure for compiled targeting (default 5; the
#                 baseline takes 3, each run being ~10 s at full scale)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
scale=${BENCH_SCALE:-1.0}
runs=${BENCH_RUNS:-5}
db=stormops_bench_targeting
source "$repo/bench/fresh_db.sh"
fresh_bench_db $db with_extension
start=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 -v scale="$scale" -d $db -f "$repo/bench/targeting/generate.sql" >/dev/null
echo "data (scale $scale) loaded in $(( $(date +%s) - start )) s:"
psql -X -q -d $db -c "SELECT (SELECT count(*) FROM stormops.properties) AS properties,
  (SELECT count(*) FROM stormops.property_impacts) AS impacts,
  (SELECT count(*) FROM stormops.behavior_events) AS behavior_events,
  (SELECT count(*) FROM stormops.census_tracts) AS tracts, (SELECT count(*) FROM stormops.zip_codes) AS zips"
psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$repo/test/reference/targeting_reference.sql" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -d $db -f "$repo/bench/targeting/targeting.sql"
psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -d $db -f "$repo/bench/targeting/behavior_forms.sql"
