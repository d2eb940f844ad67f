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
