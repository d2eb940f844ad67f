#!/usr/bin/env bash
# The storm worker's latency: from the commit of a storm event with its
# reports to the first moment another session sees an execution of it,
# against a real pg_cron job doing the same work every minute.
#
# The worker: 50 events over Frisco on the demo market (4,000 properties,
# the seed's three plays), default settings (stormops.poll_interval 10 s:
# the commit's wake-up is what makes it fast). Each event's executions are
# completed afterwards so the next event finds its targets free. Measured by
# a client session that polls every 10 ms with the server's clock_timestamp()
# (storm.sql). Same-run floor: the same work (handle_storm_event) run
# directly in a session, rolled back.
#
# pg_cron: then the worker is turned off for this database (stormops.database
# reset: the launcher stays up but runs nothing), a pg_cron job
# '* * * * *' runs CALL stormops.propose_pending_events() in it (pg_cron 1.4,
# Debian 12's, schedules by the minute at best; the job is made in
# cron.database_name's database with cron.schedule_in_database), and
# BENCH_CRON_EVENTS storms are committed at random seconds of the minute
# (one in each slice of it) and timed the same way. The script checks that
# the worker ran nothing meanwhile. This part takes about a minute of wall
# time per storm (5 minutes by default); BENCH_CRON_EVENTS=0 skips it. It
# needs pg_cron in shared_preload_libraries and cron.host able to reach the
# server (bench/run_benches.sh sets it to the cluster's socket folder).
# The job is unscheduled on exit, and pg_cron dropped again if this script
# created it.
#
# Measured 2026-12-06 on a loaded machine (docs/performance.md, "The storm worker" and "Durable settings"): the
# job saw each storm 0.3 to 0.6 s after the next minute began, 28 to 33 s
# median, 64 to 85 times the worker's median. With BENCH_DURABLE=1 (durable
# commits, about 3.3 ms each on that disk) the worker's median was 1.07x to
# 1.17x the settings-off figure in the quietest runs.
#   BENCH_EVENTS (default 50), BENCH_CRON_EVENTS (default 5)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
events=${BENCH_EVENTS:-50}
cron_events=${BENCH_CRON_EVENTS:-5}
db=stormops_bench_worker
job=stormops-bench-storm-worker
cron_db=$(psql -X -A -t -d postgres -c "SELECT current_setting('cron.database_name', true)")
created_pg_cron=""
source "$repo/bench/fresh_db.sh"
fresh_bench_db $db with_extension
cleanup() {
  set +e   # every step, whatever failed before (pg_cron may not be created yet)
  psql -X -q -d postgres -c 'ALTER SYSTEM RESET stormops.database' -c 'SELECT pg_reload_conf()' >/dev/null 2>&1
  if [ -n "$cron_db" ]; then
    psql -X -q -d "$cron_db" -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = '$job'" >/dev/null 2>&1
    [ -z "$created_pg_cron" ] || psql -X -q -d "$cron_db" -c 'DROP EXTENSION IF EXISTS pg_cron' >/dev/null 2>&1
  fi
  [ -n "${BENCH_KEEP:-}" ] || psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
  return 0
}
trap cleanup EXIT
{ echo "SET client_min_messages = warning;"; echo '\o /dev/null'; cat "$repo/test/demo/dfw_data.sql" "$repo/test/demo/plays.sql"; } \
  | psql -X -q -v ON_ERROR_STOP=1 -d $db
psql -X -q -d postgres -c "ALTER SYSTEM SET stormops.database = '$db'" -c "SELECT pg_reload_conf()" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -v events="$events" -d $db -f "$repo/bench/storm_worker/latency.sql"

[ "$cron_events" -gt 0 ] || exit 0
if [ -z "$cron_db" ]; then
  echo "pg_cron: not measured (pg_cron is not in shared_preload_libraries)"
  exit 0
fi
echo "pg_cron: $cron_events storms, about a minute each"
# the worker off for this database, and no run of it under way
psql -X -q -d postgres -c 'ALTER SYSTEM RESET stormops.database' -c 'SELECT pg_reload_conf()' >/dev/null
q() { psql -X -A -t -v ON_ERROR_STOP=1 "$@"; }
for _ in $(seq 1 100); do
  [ "$(q -d $db -c "SELECT runner_pid IS NULL FROM stormops.worker_status()")" = t ] && break
  sleep 0.1
done
sleep 1
runs_before=$(q -d $db -c "SELECT runs FROM stormops.worker_status()")
if [ "$(q -d "$cron_db" -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'")" = 0 ]; then
  q -q -d "$cron_db" -c 'CREATE EXTENSION pg_cron'
  created_pg_cron=1
fi
jobid=$(q -d "$cron_db" -c "SELECT cron.schedule_in_database('$job', '* * * * *', 'CALL stormops.propose_pending_events()', '$db')")
psql -X -q -v ON_ERROR_STOP=1 -v cron_events="$cron_events" -d $db -f "$repo/bench/storm_worker/cron.sql"
runs_after=$(q -d $db -c "SELECT runs FROM stormops.worker_status()")
echo "storm worker runs during the pg_cron part: $((runs_after - runs_before)) (must be 0)"
q -d "$cron_db" -c "SELECT format('pg_cron job runs: %s (%s succeeded), each %s ms median',
                                  count(*), count(*) FILTER (WHERE status = 'succeeded'),
                                  round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM end_time - start_time) * 1000))::numeric, 1))
                      FROM cron.job_run_details WHERE jobid = $jobid"
[ "$runs_after" = "$runs_before" ] || { echo "the storm worker ran during the pg_cron part: the figures are not pg_cron's" >&2; exit 1; }
