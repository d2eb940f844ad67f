#!/usr/bin/env bash
# Once and only once (proposals.md): two sessions started together run
# generate_proposals for the same storm; there is one run per playbook, one
# execution per playbook that has enough proposed properties, one set of
# decisions, and both sessions return that same set. Runs against the
# throwaway cluster of run-tests.sh (PGHOST/PGPORT set).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
db=stormops_concurrency
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-concurrency.XXXXXX")
trap 'rm -rf "$work"; psql -q -X -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
{
  echo "SET client_min_messages = warning; CREATE EXTENSION stormops;"
  echo '\o /dev/null'
  cat "$repo/test/demo/dfw_data.sql" "$repo/test/demo/plays.sql"
} | psql -q -X -v ON_ERROR_STOP=1 -d $db

# Both sessions sleep until the same instant, propose, and hold their
# transaction open a while, so the second one runs while the first has not
# committed yet.
start=$(psql -X -At -d $db -c "SELECT clock_timestamp() + interval '1.5 seconds'")
session() {
  psql -X -At -v ON_ERROR_STOP=1 -d $db >"$work/$1.out" 2>"$work/$1.err" <<SQL
SET client_min_messages = warning;
SELECT pg_sleep_until('$start');
BEGIN;
SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s', playbook_name, property_id, rank, decision, reason, execution_id),
                      ';' ORDER BY playbook_name, rank))
  FROM stormops.generate_proposals('noaa_ep_135504_hail', '2019-03-27 12:00-05');
SELECT pg_sleep(1);
COMMIT;
SQL
}
session one & one=$!
session two & two=$!
wait $one || { echo "session one failed:"; cat "$work/one.err"; exit 1; }
wait $two || { echo "session two failed:"; cat "$work/two.err"; exit 1; }

a=$(grep -E '^[0-9a-f]{32}$' "$work/one.out")
b=$(grep -E '^[0-9a-f]{32}$' "$work/two.out")
echo "session one: $a"
echo "session two: $b"
[ -n "$a" ] && [ "$a" = "$b" ] || { echo "the sessions returned different decisions"; exit 1; }

counts=$(psql -X -At -d $db -c "
  SELECT format('runs=%s executions=%s decisions=%s events=%s',
    (SELECT count(*) FROM stormops.proposal_runs),
    (SELECT count(*) FROM stormops.playbook_executions),
    (SELECT count(*) FROM stormops.proposal_decisions),
    (SELECT count(*) FROM stormops.event_proposals))")
echo "$counts"
# One run per Active playbook (3), executions for the two plays with
# targets, and as many decisions as one run makes.
single=$(psql -X -At -d $db -c "
  SELECT count(*) FROM stormops.proposal_decisions d JOIN stormops.proposal_runs r USING (proposal_id)
   WHERE r.event_id = 'noaa_ep_135504_hail'")
[ "$counts" = "runs=3 executions=2 decisions=$single events=1" ] || { echo "expected one set of runs"; exit 1; }
[ "$single" -gt 0 ]
# Neither session saw a conflict: no playbook reported as failed, no warning.
outcome=$(psql -X -At -d $db -c "SELECT playbooks_failed || ' ' || outcome FROM stormops.event_proposals")
echo "event: $outcome"
case "$outcome" in 0\ *) ;; *) echo "a playbook failed"; exit 1 ;; esac
if grep -q -E 'WARNING|ERROR' "$work/one.err" "$work/two.err"; then
  echo "a session warned:"; cat "$work/one.err" "$work/two.err"; exit 1
fi

# A session whose snapshot predates the lock is refused, not served stale.
if psql -X -At -v ON_ERROR_STOP=1 -d $db >"$work/rr.out" 2>"$work/rr.err" <<'SQL'
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM stormops.generate_proposals('noaa_ep_135504_hail', '2019-03-27 12:00-05');
COMMIT;
SQL
then
  echo "REPEATABLE READ was not refused"; exit 1
fi
grep -q 'proposals run only at isolation level READ COMMITTED, not REPEATABLE READ' "$work/rr.err" \
  || { echo "unexpected error:"; cat "$work/rr.err"; exit 1; }
echo "REPEATABLE READ refused: $(head -1 "$work/rr.err")"

# The pg_cron job (its command as schedule_jobs writes it) commits event by
# event (issue 16): with two pending storms, the first one's proposals are
# committed, and the proposal lock released, while the second is still
# being handled. A test-only trigger makes the second take 4 s.
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL'
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at)
VALUES ('cron_a', 'hail', 2.0, '2019-04-01 12:00-05'), ('cron_b', 'hail', 2.0, '2019-04-02 12:00-05');
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
SELECT property_id, e, sii_score FROM stormops.property_impacts, unnest('{cron_a,cron_b}'::text[]) e
 WHERE event_id = 'noaa_ep_135504_hail';
CREATE FUNCTION public.slow_second_storm() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_catalog.pg_sleep(4); RETURN NEW; END $$;
CREATE TRIGGER slow_second_storm BEFORE INSERT ON stormops.event_proposals
  FOR EACH ROW WHEN (NEW.event_id = 'cron_b') EXECUTE FUNCTION public.slow_second_storm();
SQL
command=$(psql -X -At -d $db -c "SELECT command FROM stormops.cron_job_definitions() WHERE job_name = 'stormops-pending-proposals'")
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "$command" >"$work/cron.out" 2>"$work/cron.err" & job=$!
deadline=$(( $(date +%s) + 20 ))
until [ "$(psql -X -At -d $db -c "SELECT count(*) FROM stormops.event_proposals WHERE event_id = 'cron_a'")" = 1 ]; do
  [ "$(date +%s)" -lt $deadline ] || { echo "the first storm was never committed"; exit 1; }
  sleep 0.1
done
seen=$(psql -X -At -d $db -c "
  SELECT format('second committed: %s', (EXISTS (SELECT FROM stormops.event_proposals WHERE event_id = 'cron_b'))::text)")
running=$(kill -0 $job 2>/dev/null && echo yes || echo no)
wait $job || { echo "the job failed:"; cat "$work/cron.err"; exit 1; }
echo "job '$command': when the first storm was visible, the job was running: $running; $seen"
[ "$running" = yes ] && [ "$seen" = "second committed: false" ] \
  || { echo "failed in proposals_concurrency.sh: [ \"\$running\" = yes ] && [ \"\$seen\" = \"second committed: false\" ]"; exit 1; }
[ "$(psql -X -At -d $db -c "SELECT count(*) FROM stormops.event_proposals WHERE event_id IN ('cron_a', 'cron_b')")" = 2 ]
grep -q 'storm event cron_b:' "$work/cron.err" || { echo "no outcome NOTICE:"; cat "$work/cron.err"; exit 1; }
echo "ok - the pg_cron job commits storm by storm: the first is kept and visible while the second is handled"
