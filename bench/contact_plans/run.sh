#!/usr/bin/env bash
# Contact plans at metro scale (docs/performance.md, "Contact plans"), on the
# targeting benchmark's generated market (1,000,000 properties, ~2,000,000
# behaviour events):
#   laying   the plans of a storm-wide execution of 100,000 properties x 3
#            steps (lay_contact_plans, as generate_proposals calls it), against
#            a plain INSERT ... SELECT of the same rows into a copy of the
#            table with the same indexes and no local-time work;
#   claiming 1,000 contacts with 500,000 plans pending (claim_due_contacts),
#            against the classic SKIP LOCKED queue claim on a plain table of
#            the same 500,000 due rows;
#   senders  1, 2 and 4 sessions claiming 1,000 at a time and reporting each
#            contact sent, at once: contacts per second, and that no contact
#            went to two of them.
# Each timed laying and claim is rolled back (a subtransaction); medians of
# BENCH_RUNS (default 5; claims: 4 x BENCH_RUNS).
#   BENCH_SCALE   data size, 1.0 = 1,000,000 properties (default)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
scale=${BENCH_SCALE:-1.0}
runs=${BENCH_RUNS:-5}
db=stormops_bench_contact_plans
source "$repo/bench/fresh_db.sh"
fresh_bench_db $db with_extension
start=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 -v scale="$scale" -d $db -f "$repo/bench/targeting/generate.sql" >/dev/null
echo "data (scale $scale) loaded in $(( $(date +%s) - start )) s:"
psql -X -q -d $db -c "SELECT (SELECT count(*) FROM stormops.properties) AS properties,
  (SELECT count(*) FROM stormops.behavior_events) AS behavior_events"
psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -v scale="$scale" -d $db -f "$repo/bench/contact_plans/contact_plans.sql"

# Senders at once: each loops BATCHES times over claim 1,000 + report each sent,
# one transaction per batch; started together behind an advisory lock.
batches=${BENCH_SENDER_BATCHES:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-bench-senders.XXXXXX")
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$db'" >/dev/null 2>&1' EXIT
sender() {   # sender N BATCHES
  {
    echo "SELECT pg_advisory_lock_shared(4243); SELECT pg_advisory_unlock_shared(4243);"
    for _ in $(seq 1 "$2"); do
      echo "BEGIN;"
      echo "SELECT count(r.*) FROM stormops.claim_due_contacts('email', 1000) c, LATERAL stormops.record_contact_result(c.contact_id, 'sent') r;"
      echo "COMMIT;"
    done
  } | psql -X -At -v ON_ERROR_STOP=1 -d $db >"$work/sender$1.out"
}
echo "-- senders at once: each claims 1,000 e-mails and reports each sent, $batches times (one transaction per batch)"
printf '%-8s %10s %10s %14s %12s\n' senders contacts seconds contacts/s given_twice
for n in 1 2 4; do
  before=$(psql -X -At -d $db -c "SELECT count(*) FROM stormops.contact_steps WHERE status = 'sent'")
  exec 9> >(psql -X -q -d $db >/dev/null)
  echo "SELECT pg_advisory_lock(4243);" >&9
  sleep 0.5
  pids=()
  for i in $(seq 1 $n); do sender "$i" "$batches" & pids+=($!); done
  sleep 0.5
  t0=$(date +%s.%N)
  echo "SELECT pg_advisory_unlock(4243);" >&9
  exec 9>&-
  for p in "${pids[@]}"; do wait "$p"; done
  t1=$(date +%s.%N)
  after=$(psql -X -At -d $db -c "SELECT count(*) FROM stormops.contact_steps WHERE status = 'sent'")
  reported=$(cat "$work"/sender*.out | grep -E '^[0-9]+$' | awk '{s += $1} END {print s}')
  twice=$(psql -X -At -d $db -c "SELECT count(*) FROM (SELECT execution_id, property_id, step FROM stormops.contact_step_changes
                                   WHERE status = 'sent' GROUP BY 1, 2, 3 HAVING count(*) > 1) d")
  rm -f "$work"/sender*.out
  [ $((after - before)) -eq "$reported" ] || { echo "senders reported $reported, but $((after - before)) steps became sent"; exit 1; }
  [ "$twice" -eq 0 ] || { echo "$twice contacts were sent twice"; exit 1; }
  awk -v n="$n" -v c="$reported" -v t0="$t0" -v t1="$t1" -v d="$twice" \
    'BEGIN { printf "%-8s %10d %10.2f %14.0f %12d\n", n, c, t1 - t0, c / (t1 - t0), d }'
done
