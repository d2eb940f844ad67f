#!/usr/bin/env bash
# The proposal engine at metro scale: generate_proposals for the seed's three
# plays on 1,000,000 properties and ~2,000,000 behaviour events (the
# targeting benchmark's generated market), against the floor of the same
# three targetings alone, in the same run, as a ratio. Two ways:
#   as of the past  (2019-03-27, three days after the Frisco storm): the
#                   guardrail signals of the targets come from history;
#   as of now()     (every time in the data shifted so that the storm was three
#                   days ago): the signals come from the maintained state.
# Plus the same with a fourth, storm-wide play (tens of thousands of targets).
# Each run is rolled back after timing (a subtransaction), so each one makes
# the executions anew. Medians of BENCH_RUNS (default 5).
#   BENCH_SCALE   data size, 1.0 = 1,000,000 properties (default)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
scale=${BENCH_SCALE:-1.0}
runs=${BENCH_RUNS:-5}
db=stormops_bench_proposals
source "$repo/bench/fresh_db.sh"
fresh_bench_db $db with_extension
start=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 -v scale="$scale" -d $db -f "$repo/bench/targeting/generate.sql" >/dev/null
{ echo "SET client_min_messages = warning;"; cat "$repo/test/demo/plays.sql"; } \
  | psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null
echo "data (scale $scale) loaded in $(( $(date +%s) - start )) s:"
psql -X -q -d $db -c "SELECT (SELECT count(*) FROM stormops.properties) AS properties,
  (SELECT count(*) FROM stormops.behavior_events) AS behavior_events,
  (SELECT count(*) FROM stormops.guardrail_state) AS properties_with_signals,
  (SELECT count(*) FROM stormops.playbooks WHERE status = 'Active') AS active_plays"
psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -d $db -f "$repo/bench/proposals/proposals.sql"
