#!/usr/bin/env bash
# The storm worker's latency: from the commit of a storm event with its
# reports to the first moment another session sees an execution of it.
# 50 events over Frisco on the demo market (4,000 properties, the seed's
# three plays), default settings (stormops.poll_interval 10 s: the commit's
# wake-up is what makes it fast). Each event's executions are completed
# afterwards so the next event finds its targets free. Measured by a client
# session that polls every 10 ms with the server's clock_timestamp().
# Same-run floor: the same work (handle_storm_event) run directly in a
# session, rolled back. pg_cron's finest schedule here is a minute: a job
# every minute would see an event after 30 s on average (not measured; the
# arithmetic is printed as the comparison).
#   BENCH_EVENTS (default 50)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
events=${BENCH_EVENTS:-50}
db=stormops_bench_worker
source "$repo/bench/fresh_db.sh"
fresh_bench_db $db with_extension
trap "psql -X -q -d postgres -c 'ALTER SYSTEM RESET stormops.database' -c 'SELECT pg_reload_conf()' >/dev/null 2>&1;
      [ -n \"\${BENCH_KEEP:-}\" ] || psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS $db' >/dev/null 2>&1" EXIT
{ echo "SET client_min_messages = warning;"; echo '\o /dev/null'; cat "$repo/test/demo/dfw_data.sql" "$repo/test/demo/plays.sql"; } \
  | psql -X -q -v ON_ERROR_STOP=1 -d $db
psql -X -q -d postgres -c "ALTER SYSTEM SET stormops.database = '$db'" -c "SELECT pg_reload_conf()" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -v events="$events" -d $db -f "$repo/bench/storm_worker/latency.sql"
