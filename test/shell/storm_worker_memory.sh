#!/usr/bin/env bash
# The storm worker's memory stays flat over a long run (issue 16, item 7):
# what a run allocates for each event (its outcome, a caught error, the
# message naming it) lives in a context reset after the event, not in
# TopMemoryContext. 3,000 storm events (one impact each, no Active play,
# every tenth failing through a test-only trigger, all slowed a little so
# that the run can be watched) are handled in one run; the runner's memory
# is logged (pg_log_backend_memory_contexts) after 500 events and after
# 2,500, and its TopMemoryContext must not have grown by more than 16 kB
# (before the fix it grew by about 100 kB over those 2,000 events).
# On the throwaway cluster of run-tests.sh, whose server log sits next to its
# socket directory.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
db=stormops_worker_memory
server_log="$(dirname "$PGHOST")/server.log"
[ -r "$server_log" ] || { echo "the server log is not at $server_log"; exit 1; }
cleanup() {
  psql -X -q -d postgres -c "ALTER SYSTEM RESET stormops.database" -c "ALTER SYSTEM RESET stormops.poll_interval" \
    -c "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
source "$repo/test/tools/deadlines.sh"

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
q >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION stormops;
INSERT INTO stormops.properties (property_id, zip, lat, lon, roof_install_year) VALUES ('m1', '75034', 33.15, -96.80, 2000);
CREATE FUNCTION public.slow_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_catalog.pg_sleep(0.002);
  IF NEW.event_id LIKE '%0' THEN
    RAISE EXCEPTION 'injected failure of storm %', NEW.event_id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER slow_event BEFORE INSERT ON stormops.event_proposals
  FOR EACH ROW EXECUTE FUNCTION public.slow_event();
BEGIN;
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at)
SELECT format('mem_%s', i), 'hail', 2.0, now() - interval '1 day' + i * interval '1 second' FROM generate_series(1, 3000) i;
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
SELECT 'm1', format('mem_%s', i), 80 FROM generate_series(1, 3000) i;
COMMIT;
SQL
psql -X -q -d postgres -c "ALTER SYSTEM SET stormops.database = '$db'" -c "ALTER SYSTEM SET stormops.poll_interval = '1s'" \
  -c "SELECT pg_reload_conf()" >/dev/null

# sample N: when N events of this run are done, log the runner's memory;
# prints its TopMemoryContext total in bytes
base=$(q -c "SELECT events_handled + events_failed FROM stormops.worker_status()")
sample() {
  local pid line deadline=$(( $(date +%s) + 60 ))
  wait_for 60 "SELECT events_handled + events_failed >= $base + $1 FROM stormops.worker_status()"
  pid=$(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'stormops storm worker'")
  [ -n "$pid" ] || { echo "no runner after $1 events"; return 1; }
  local from=$(wc -l < "$server_log")
  [ "$(psql -X -At -d postgres -c "SELECT pg_log_backend_memory_contexts($pid)")" = t ]
  until line=$(tail -n +"$((from + 1))" "$server_log" | grep -E "\[$pid\].*level: 0; TopMemoryContext: [0-9]+ total" | head -1) && [ -n "$line" ]; do
    [ "$(date +%s)" -lt $deadline ] || { echo "the runner's memory was never logged"; return 1; }
    sleep 0.1
  done
  echo "$line" | sed -E 's/.*TopMemoryContext: ([0-9]+) total.*/\1/'
}
early=$(sample 500)
late=$(sample 2500)
wait_for 60 "SELECT NOT EXISTS (SELECT FROM stormops.storm_events_pending() e WHERE e LIKE 'mem\\_%')"
failed=$(q -c "SELECT count(DISTINCT event_id) FROM stormops.worker_errors WHERE event_id LIKE 'mem\_%'")
echo "runner TopMemoryContext: $early bytes after 500 events, $late bytes after 2,500 ($failed events failed)"
[ "$failed" -ge 250 ]
[ $((late - early)) -le 16384 ]
echo "ok - the storm worker's memory stays flat over 2,000 events of one run (grew $((late - early)) bytes)"
