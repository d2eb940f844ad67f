#!/usr/bin/env bash
# Senders claiming contacts (contact-plans.md, "Senders"), on the throwaway
# cluster of run-tests.sh, with real sessions and the real clock:
#  1. two senders started together on the same channel, each holding its
#     claim open for a while: no contact goes to both, and together they get
#     every one;
#  2. a sender killed inside its claim's transaction: its contacts come back
#     at once (the claim never committed), once each;
#  3. a sender that claims, commits and dies without reporting: its
#     contacts come back when the lease runs out, once each, under new
#     contact ids, and its late report is refused.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
db=stormops_senders
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-senders.XXXXXX")
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
source "$repo/test/tools/deadlines.sh"
on_timeout="SELECT pid, state, left(query, 80) FROM pg_stat_activity WHERE datname = 'stormops_senders'"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
q >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION stormops;
INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES ('75001', 'TX', 'America/Chicago');
INSERT INTO stormops.properties (property_id, zip) SELECT format('s%s', lpad(i::text, 4, '0')), '75001' FROM generate_series(1, 2000) i;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('ev', 'hail', now() - interval '1 hour');
INSERT INTO stormops.property_impacts SELECT property_id, 'ev', 90 FROM stormops.properties;
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share)
VALUES ('Mail', '{"physics": {"min_sii_score": 50}}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 0);
SELECT stormops.activate_playbook('Mail');
SELECT count(*) FROM stormops.generate_proposals('ev');
SQL
[ "$(q -c "SELECT count(*) FROM stormops.contact_steps")" = 2000 ] || { echo "not ok - 2000 plans expected"; exit 1; }

# 1. two senders, started together (both wait for the test's advisory lock),
#    each claiming 300 at a time and holding its transaction open 0.3 s
sender() {
  psql -X -At -v ON_ERROR_STOP=1 -d $db >"$work/sender$1.out" 2>"$work/sender$1.err" <<'SQL'
SELECT pg_advisory_lock_shared(4242);
SELECT pg_advisory_unlock_shared(4242);
BEGIN;
SELECT 'claimed from ' || extract(epoch FROM clock_timestamp());
CREATE TEMP TABLE got ON COMMIT DROP AS SELECT * FROM stormops.claim_due_contacts('email', 300, now(), '1 minute');
SELECT pg_sleep(0.3);
SELECT count(*) FROM got, LATERAL stormops.record_contact_result(got.contact_id, 'sent') r;
SELECT 'contact ' || contact_id || ' ' || property_id FROM got;
SELECT 'committing at ' || extract(epoch FROM clock_timestamp());
COMMIT;
BEGIN;
CREATE TEMP TABLE got ON COMMIT DROP AS SELECT * FROM stormops.claim_due_contacts('email', 300, now(), '1 minute');
SELECT pg_sleep(0.3);
SELECT count(*) FROM got, LATERAL stormops.record_contact_result(got.contact_id, 'sent') r;
SELECT 'contact ' || contact_id || ' ' || property_id FROM got;
COMMIT;
SQL
}
exec 7> >(psql -X -q -d $db >/dev/null)
echo "SELECT pg_advisory_lock(4242);" >&7
sleep 0.5
sender 1 & a=$!
sender 2 & b=$!
sleep 0.5
echo "SELECT pg_advisory_unlock(4242);" >&7
exec 7>&-
wait $a; wait $b
cat "$work/sender1.err" "$work/sender2.err"
grep '^contact ' "$work/sender1.out" | awk '{print $3}' | sort >"$work/props1"
grep '^contact ' "$work/sender2.out" | awk '{print $3}' | sort >"$work/props2"
n1=$(wc -l <"$work/props1"); n2=$(wc -l <"$work/props2")
both=$(comm -12 "$work/props1" "$work/props2" | wc -l)
echo "sender 1 claimed $n1, sender 2 claimed $n2, both: $both"
# their first claims overlapped: each began before the other committed
s1=$(sed -n 's/^claimed from //p' "$work/sender1.out"); e1=$(sed -n 's/^committing at //p' "$work/sender1.out")
s2=$(sed -n 's/^claimed from //p' "$work/sender2.out"); e2=$(sed -n 's/^committing at //p' "$work/sender2.out")
python3 -c "import sys; s1, e1, s2, e2 = map(float, sys.argv[1:]); sys.exit(0 if s1 < e2 and s2 < e1 else 1)" "$s1" "$e1" "$s2" "$e2" \
  || { echo "not ok - the two claims did not overlap ($s1-$e1, $s2-$e2)"; exit 1; }
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || { echo "not ok - one sender got nothing: they did not run together"; exit 1; }
[ "$both" -eq 0 ] || { echo "not ok - $both contacts went to both senders"; exit 1; }
[ $((n1 + n2)) -eq 1200 ] || { echo "not ok - together they claimed $((n1 + n2)), not 1200"; exit 1; }
[ "$(q -c "SELECT count(*) FROM stormops.contact_steps WHERE status = 'sent'")" = 1200 ]
[ "$(q -c "SELECT count(*) FROM stormops.behavior_events WHERE event_type = 'contact'")" = 1200 ]
echo "ok - two senders at once: no contact went to both, 1200 sent once each"

# 2. a sender killed inside its claim's transaction
# (one -c string is one transaction: the claim, then a long sleep)
psql -X -q -d $db -c "SELECT count(*) FROM stormops.claim_due_contacts('email', 100, now(), '1 minute'); SELECT pg_sleep(60)" \
  >/dev/null 2>&1 & dying=$!
wait_for 5 "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE datname = '$db' AND wait_event = 'PgSleep')"
q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db' AND wait_event = 'PgSleep'" >/dev/null
wait $dying || true
[ "$(q -c "SELECT count(*) FROM stormops.contact_steps WHERE status = 'leased'")" = 0 ] || { echo "not ok - a rolled-back claim left leases"; exit 1; }
got=$(q -c "SELECT count(*) FROM stormops.claim_due_contacts('email', 100, now(), '2 seconds')")
[ "$got" = 100 ] || { echo "not ok - after the killed claim, $got contacts came back, not 100"; exit 1; }
echo "ok - a sender killed inside its claim: the contacts come back at once"

# 3. the claim above committed with a 2-second lease and nobody reports
q -c "SELECT contact_id FROM stormops.contact_steps WHERE status = 'leased' ORDER BY contact_id" >"$work/first_ids"
ids=$(paste -sd, "$work/first_ids")
[ "$(q -c "SELECT count(*) FROM stormops.claim_due_contacts('email', 800, now(), '1 minute') c
            WHERE c.property_id IN (SELECT s.property_id FROM stormops.contact_steps s WHERE s.contact_id IN ($ids))")" = 0 ] \
  || { echo "not ok - leased contacts were claimed again before the lease ran out"; exit 1; }
q -c "SELECT count(r.*) FROM stormops.contact_steps s, LATERAL stormops.record_contact_result(s.contact_id, 'sent') r
       WHERE s.status = 'leased' AND s.contact_id NOT IN ($ids)" >/dev/null
wait_for 10 "SELECT clock_timestamp() > max(lease_until) FROM stormops.contact_steps WHERE contact_id IN ($ids)"
q -c "SELECT contact_id, property_id FROM stormops.claim_due_contacts('email', 1000, now(), '1 minute')" >"$work/again"
q -c "SELECT count(*) FROM stormops.claim_due_contacts('email', 1000, now(), '1 minute')" >"$work/third"
[ "$(wc -l <"$work/again")" = 100 ] || { echo "not ok - $(wc -l <"$work/again") came back after the lease, not 100"; exit 1; }
[ "$(cat "$work/third")" = 0 ] || { echo "not ok - they came back twice"; exit 1; }
[ -z "$(cut -d'|' -f1 "$work/again" | sort | comm -12 - <(sort "$work/first_ids"))" ] || { echo "not ok - old contact ids reused"; exit 1; }
old=$(head -1 "$work/first_ids")
if q -c "SELECT stormops.record_contact_result($old, 'sent')" >/dev/null 2>"$work/late.err"; then
  echo "not ok - a late report of the dead sender was accepted"; exit 1
fi
grep -q "is no longer leased by that claim" "$work/late.err" || { cat "$work/late.err"; exit 1; }
echo "ok - a sender that dies without reporting: its 100 contacts come back after the lease, once each, under new ids; its late report is refused"
