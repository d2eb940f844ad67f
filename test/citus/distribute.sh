#!/usr/bin/env bash
# stormops.distribute() on the Citus test cluster (test/tools/citus_cluster.sh):
# the demo market (test/demo/dfw_data.sql) loaded on one node, then
# distributed (docs/scaling.md). Checks the placements and keys, that the
# same targeting questions give the same answers before and after, and that
# the row form of the behaviour upkeep keeps behavior_counts equal to its
# history twin and guardrail_state equal to a rebuild from history. Exits 77
# (skipped) when ../shared/vendor has no Citus.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source test/tools/citus_cluster.sh
rc=0; citus_build >/dev/null || rc=$?
if [ $rc -eq 77 ]; then echo "skipped: no Citus in ../shared/vendor"; exit 77; fi
[ $rc -eq 0 ] || { echo "Citus could not be built or installed"; exit 1; }
trap citus_cluster_stop EXIT
citus_cluster_start >/dev/null
q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }
db=postgres; source test/tools/deadlines.sh   # wait_for (its q is this one, on database postgres)
fail() { echo "not ok - $1"; exit 1; }

q -q -f test/demo/dfw_data.sql >/dev/null
q -q -f test/demo/plays.sql >/dev/null   # the seed's plays, Active; Loyalty-DFW-HighSES defends 75230 and 75225
# the questions, answered on one node (local tables in a scratch schema)
questions=(
  "'{\"physics\": {\"min_sii_score\": 60, \"max_days_since_storm\": 45}, \"geography\": {\"zips\": [\"75034\", \"75035\"]}}', 'noaa_ep_135504_hail', '2019-04-01'"
  "'{\"physics\": {\"min_sii_score\": 60, \"max_days_since_storm\": 45}, \"demographics\": {\"ses_tiers\": [\"High\"]}}', 'noaa_ep_135504_hail', '2019-04-01'"
  "'{\"behavioral\": {\"response_rate_min\": 0.2}}', NULL, '2019-01-01'"
  # as of now(): the counts form on one node, the history forms on Citus
  "'{\"behavioral\": {\"response_rate_min\": 0.2}}', NULL, now()"
  "'{\"geography\": {\"zips\": [\"75034\", \"75035\"]}, \"behavioral\": {\"response_rate_min\": 0.2}}', NULL, now()"
  # top-k similarity (its aggregate combines per shard): of properties to a
  # cohort (Frisco-Alpha's rules), and of tracts (Expansion-Lookalike's)
  "(SELECT targeting_rules FROM stormops.playbooks WHERE playbook_name = 'Frisco-Alpha'), 'noaa_ep_135504_hail', '2019-04-01'"
  "(SELECT targeting_rules FROM stormops.playbooks WHERE playbook_name = 'Expansion-Lookalike'), 'noaa_ep_135504_hail', '2019-04-01'"
)
q -q -c "CREATE SCHEMA scratch"
for i in "${!questions[@]}"; do
  q -q -c "CREATE TABLE scratch.targets_$i AS SELECT * FROM stormops.target_properties(${questions[$i]})" \
        -c "CREATE TABLE scratch.funnel_$i AS SELECT * FROM stormops.targeting_funnel(${questions[$i]})"
done

impacts="SELECT count(*) || ' ' || md5(string_agg(i::text, ',' ORDER BY i.property_id, i.event_id)) FROM stormops.property_impacts i"
impacts_one=$(q -c "$impacts")

out=$(q -c "SELECT placement || ' ' || count(*) FROM stormops.distribute(8) GROUP BY placement ORDER BY 1" 2>&1 | grep -v '^NOTICE\|^DETAIL\|^HINT' | paste -sd' ' || true)
want_distributed=$(q -c "SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'stormops'::regnamespace AND c.relkind = 'r'
                           AND EXISTS (SELECT FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
                                        WHERE k.conrelid = c.oid AND k.contype = 'p' AND a.attname IN ('property_id', 'referrer_property_id'))")
[ "$out" = "distributed $want_distributed local 1 reference $(( $(q -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'stormops'::regnamespace AND relkind = 'r'") - want_distributed - 1 ))" ] \
  || fail "distribute() placed: $out (want every table with property_id in its key distributed, competitor_permits local, the rest reference)"
echo "ok - distribute(): $out"

# Citus' own view of it: co-located with properties, 8 shards each
[ "$(q -c "SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE partmethod = 'h'
             AND logicalrelid::regclass::text LIKE 'stormops.%'")" = 1 ] || fail "the distributed tables are not in one co-location group"
[ "$(q -c "SELECT pg_catalog.column_to_column_name(logicalrelid, partkey) FROM pg_dist_partition
             WHERE logicalrelid = 'stormops.behavior_events'::regclass")" = property_id ] || fail "behavior_events is not distributed by property_id"
echo "ok - one co-location group; behavior_events distributed by property_id"

# every foreign key but one is back, on the coordinator and on each worker's copy
keys=$(q -c "SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
              WHERE c.relnamespace = 'stormops'::regnamespace AND k.contype = 'f'")
[ "$keys" = 27 ] || fail "$keys foreign keys on the coordinator, want 27 (29 of the install less referrals_referred_known and proposal_runs_permit_id_fkey)"
for port in $CITUS_WORKER_PORTS; do
  k=$(q -p "$port" -c "SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                        WHERE c.relnamespace = 'stormops'::regnamespace AND k.contype = 'f'")   # shards are hidden
  [ "$k" = 27 ] || fail "$k foreign keys on the copies of the worker at $port, want 27"
done
if q -q -c "INSERT INTO stormops.cohorts (cohort_name, property_id) VALUES ('x', 'no such property')" 2>/dev/null; then
  fail "a cohort row of an unknown property was accepted"
fi
echo "ok - 27 foreign keys kept on every node (referrals_referred_known and proposal_runs_permit_id_fkey dropped); Citus enforces them on the shards"

# a second call changes nothing
again=$(q -c "SELECT count(*) FILTER (WHERE detail LIKE 'already%') || '/' || count(*) FROM stormops.distribute()" 2>/dev/null)
[ "$again" = "38/38" ] || fail "a second distribute() answered $again, want 38/38 already"
echo "ok - a second distribute() changes nothing"
worker_port=${CITUS_WORKER_PORTS%% *}
out=$(q -p "$worker_port" -c "SELECT count(*) FROM stormops.distribute()" 2>&1 || true)
grep -q "runs on the Citus coordinator, not on a worker" <<<"$out" || fail "distribute() on a worker answered: $out"
echo "ok - distribute() on a worker refuses"

# the same answers after distribution
for i in "${!questions[@]}"; do
  d=$(q -c "SELECT (SELECT count(*) FROM ((TABLE scratch.targets_$i EXCEPT ALL SELECT * FROM stormops.target_properties(${questions[$i]}))
                                           UNION ALL (SELECT * FROM stormops.target_properties(${questions[$i]}) EXCEPT ALL TABLE scratch.targets_$i)) x)
                || ' ' || (SELECT count(*) FROM ((TABLE scratch.funnel_$i EXCEPT ALL SELECT * FROM stormops.targeting_funnel(${questions[$i]}))
                                           UNION ALL (SELECT * FROM stormops.targeting_funnel(${questions[$i]}) EXCEPT ALL TABLE scratch.funnel_$i)) x)
                || ' ' || (SELECT count(*) FROM scratch.targets_$i)")
  [ "${d% *}" = "0 0" ] || fail "question $i: $d (rows differing in targets, in the funnel; targets on one node)"
  echo "ok - question $i: the same ${d##* } targets, ranks and funnel on one node and on Citus"
done

# proposals: the storm of 24 March 2019 proposed on Citus and on one node (a
# database of the coordinator without Citus, the same data and plays) give the
# same decisions, executions and contact plans
q -q -c "SET client_min_messages = warning" -c "CREATE DATABASE single"   # (not on the workers: one node)
psql -X -q -v ON_ERROR_STOP=1 -d single -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops" \
  -f test/demo/dfw_data.sql -f test/demo/plays.sql >/dev/null
# the same playbook ids (random at creation) as on Citus: holdout draws hash them
ids=$(q -c "SELECT string_agg(format('(%L, %L::uuid)', playbook_name, playbook_id), ', ') FROM stormops.playbooks")
psql -X -q -v ON_ERROR_STOP=1 -d single >/dev/null <<SQL
SET session_replication_role = replica;   -- keys unchecked while the ids change everywhere at once
CREATE TEMP TABLE same_ids AS
SELECT p.playbook_id AS old_id, v.new_id FROM stormops.playbooks p JOIN (VALUES $ids) v(name, new_id) ON v.name = p.playbook_name;
DO \$\$
DECLARE t regclass;
BEGIN
  FOR t IN SELECT a.attrelid::regclass FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = 'stormops'::regnamespace AND c.relkind = 'r' AND a.attname = 'playbook_id' LOOP
    EXECUTE format('UPDATE %s x SET playbook_id = s.new_id FROM same_ids s WHERE x.playbook_id = s.old_id', t);
  END LOOP;
END \$\$;
SQL
decisions="SELECT playbook_name, property_id, rank, decision, regexp_replace(reason, '[0-9a-f]{8}-[0-9a-f-]{27}', 'X', 'g')
             FROM stormops.generate_proposals('noaa_ep_135504_hail', '2019-03-27 21:30-05') ORDER BY 1, 3, 2"
plans="SELECT p.playbook_name, count(DISTINCT e.execution_id), count(s.*), count(DISTINCT s.property_id), min(s.due_at), max(s.due_at)
         FROM stormops.playbook_executions e JOIN stormops.playbooks p USING (playbook_id)
         LEFT JOIN stormops.contact_steps s ON s.execution_id = e.execution_id GROUP BY 1 ORDER BY 1"
# the storm impact index computed again on Citus: the same rows as on one node
[ "$(q -c "SELECT stormops.compute_impacts('noaa_ep_135504_hail')" -c "$impacts" | tail -1)" = "$impacts_one" ] \
  || fail "compute_impacts on Citus gave other impacts than on one node"
echo "ok - compute_impacts on Citus gives one node's impacts (${impacts_one%% *} rows)"
one=$(psql -X -At -v ON_ERROR_STOP=1 -d single -c "$decisions" -c "$plans" 2>/dev/null)
# two sessions on the coordinator propose the same storm at once
work=$(mktemp -d)
q -c "$decisions" >"$work/a" 2>"$work/a.err" & a=$!
q -c "$decisions" >"$work/b" 2>"$work/b.err" & b=$!
wait $a || fail "generate_proposals failed on Citus: $(grep -m1 ERROR "$work/a.err")"
wait $b || fail "generate_proposals failed on Citus: $(grep -m1 ERROR "$work/b.err")"
dist=$(cat "$work/a"; q -c "$plans")
[ -n "$one" ] && [ "$one" = "$dist" ] \
  || fail "proposals differ: one node $(grep -c '' <<<"$one") lines, Citus $(grep -c '' <<<"$dist"): $(diff <(echo "$one") <(echo "$dist") | head -5)"
cmp -s "$work/a" "$work/b" || fail "the two sessions got different answers"
runs=$(q -c "SELECT count(*) || ' ' || count(DISTINCT playbook_id) FROM stormops.proposal_runs WHERE event_id = 'noaa_ep_135504_hail'")
[ "${runs% *}" = "${runs#* }" ] || fail "two sessions made runs $runs (runs, playbooks): a playbook ran twice"
rm -rf "$work"
echo "ok - two sessions proposing the storm at once on Citus: one run per playbook, the same answer, and one node's decisions ($(q -c "SELECT count(*) FROM stormops.proposal_decisions")), executions and contact plans ($(q -c "SELECT count(*) FROM stormops.contact_steps") steps)"

# two senders claiming at once never share a step: the first holds its
# claim open for 3 seconds before it commits, the second claims meanwhile
# (after the first claim has returned).
# (On Citus the second waits for the first: both write the day counters, a
# reference table, whose writes Citus serializes; then it takes the next
# ten.) One node gets the same two claims one after the other.
claim10="SELECT property_id || ' ' || step FROM stormops.claim_due_contacts('paid_ads', 10, '2019-03-29 15:00-05') ORDER BY 1"
work=$(mktemp -d)
PGAPPNAME=first_claim q -c "BEGIN" -c "$claim10" -c "SELECT pg_sleep(3)" -c "COMMIT" >"$work/a" 2>&1 & a=$!
wait_for 20 "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'first_claim' AND query LIKE '%pg_sleep%')" \
  || fail "the first claim did not return: $(cat "$work/a")"
q -c "$claim10" >"$work/b" 2>&1 || fail "the second claim failed: $(cat "$work/b")"
wait $a || fail "the first claim failed: $(cat "$work/a")"
sed -i '/^BEGIN$\|^COMMIT$\|^$/d' "$work/a"
[ "$(grep -c '' "$work/a")" = 10 ] && [ "$(grep -c '' "$work/b")" = 10 ] \
  || fail "two claims at once got $(grep -c '' "$work/a") and $(grep -c '' "$work/b") contacts, want 10 each"
shared=$(sort "$work/a" "$work/b" | uniq -d | grep -c '' || true)
[ "$shared" = 0 ] || fail "two claims at once shared $shared steps"
for f in a b; do psql -X -At -v ON_ERROR_STOP=1 -d single -c "$claim10" >"$work/$f.one"; done
cmp -s "$work/a" "$work/a.one" && cmp -s "$work/b" "$work/b.one" || fail "two claims at once on Citus took other steps than one after the other on one node"
rm -rf "$work"
echo "ok - two senders claiming at once on Citus get 10 steps each, share none, and take one node's steps"

# contact claims and reports: each channel claimed at five moments, every
# claimed contact reported sent and every third a response, and the steps
# expired at the end, on both; the same claims and the same plans after
# (contact ids are left out: two claims in one batch may draw them in
# another order)
claims=$(cat <<'SQL'
CREATE TEMP TABLE claimed (at timestamptz, channel text, contact_id bigint, property_id text, step int, variant text);
DO $$
DECLARE
  t timestamptz; ch text; r record; n int := 0;
BEGIN
  FOREACH t IN ARRAY ARRAY['2019-03-28 15:00-05', '2019-03-29 15:00-05', '2019-03-31 10:00-05',
                           '2019-04-02 15:00-05', '2019-04-05 10:00-05']::timestamptz[] LOOP
    FOREACH ch IN ARRAY ARRAY['email', 'sms', 'paid_ads', 'door_knock'] LOOP
      FOR r IN SELECT * FROM stormops.claim_due_contacts(ch, 20, t) ORDER BY property_id, step LOOP
        INSERT INTO claimed VALUES (t, ch, r.contact_id, r.property_id, r.step, r.message_variant);
        PERFORM stormops.record_contact_result(r.contact_id, 'sent', t + interval '1 minute');
        n := n + 1;
        IF n % 3 = 0 THEN PERFORM stormops.record_contact_result(r.contact_id, 'response', t + interval '2 hours'); END IF;
      END LOOP;
    END LOOP;
  END LOOP;
  PERFORM stormops.expire_contact_steps('2019-05-01');
END $$;
SELECT at, channel, property_id, step, variant FROM claimed ORDER BY 1, 2, 3, 4;
SELECT p.playbook_name, s.property_id, s.step, s.status, regexp_replace(s.reason, 'contact [0-9]+', 'contact N', 'g'),
       s.is_next, s.due_at, s.ready_at, s.sent_at, s.final_at, s.arm, s.attempts
  FROM stormops.contact_steps s JOIN stormops.playbook_executions e USING (execution_id) JOIN stormops.playbooks p USING (playbook_id)
 ORDER BY 1, 2, 3;
SELECT status, count(*) FROM stormops.contact_step_changes GROUP BY 1 ORDER BY 1;
SQL
)
one=$(psql -X -At -v ON_ERROR_STOP=1 -d single -c "SET client_min_messages = warning" -f - <<<"$claims" 2>&1) \
  || fail "claims on one node failed: $(grep -m1 ERROR <<<"$one")"
dist=$(q -c "SET client_min_messages = warning" -f - <<<"$claims" 2>&1) || fail "claims on Citus failed: $(grep -m1 ERROR <<<"$dist")"
[ "$one" = "$dist" ] \
  || fail "claims differ: one node $(grep -c '' <<<"$one") lines, Citus $(grep -c '' <<<"$dist"): $(diff <(echo "$one") <(echo "$dist") | head -5)"
n=$(q -c "SELECT count(*) FILTER (WHERE status = 'sent') || ' sent, ' || count(*) FILTER (WHERE status = 'expired') || ' expired'
           FROM stormops.contact_steps")
case "$n" in "0 sent"*) fail "no contact was claimed and sent on Citus ($n)";; esac
echo "ok - contact claims, reports and expiry on Citus give one node's claims and plans ($n)"

# the upkeep on the shards: inserts from one statement and one by one (the
# statement merges, writing the co-located shards)
q -q -c "INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint)
         SELECT property_id, (ARRAY['contact','response','conversion','complaint','opt_out','contact'])[1 + abs(hashtext(property_id)) % 6],
                'sms', now() - (abs(hashtext(property_id || 'd')) % 40) * interval '1 day', abs(hashtext(property_id)) % 7 = 0
           FROM stormops.properties ORDER BY property_id LIMIT 600"
for n in 1 2 3; do
  q -q -c "INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
           VALUES ('dfw_75034_0001', 'contact', 'sms', now() - interval '$n hours')"
done
counts="SELECT count(*) FROM ((TABLE stormops.behavior_counts EXCEPT ALL SELECT * FROM stormops.behavior_counts_at('infinity'))
                              UNION ALL (SELECT * FROM stormops.behavior_counts_at('infinity') EXCEPT ALL TABLE stormops.behavior_counts)) x"
# guardrail_state against a rebuild from history, compared inside the windows
# the readers count (a merge keeps older times until its arrays pass 64)
state="SELECT property_id, first_event_at, last_contact_at, opted_out_at,
              (SELECT count(*) FROM unnest(recent_contacts) t WHERE t > now() - interval '7 days') AS contacts,
              (SELECT count(*) FROM unnest(recent_complaints) t WHERE t > now() - interval '30 days') AS complaints
         FROM stormops.guardrail_state"
# the signals as read: from the maintained state (the view) and from history.
# On Citus the view's now() is each worker's own (its transaction's start),
# so last_contact_hours_ago may differ by the milliseconds between them; every
# other column must be equal, and the hours within a second.
cols="property_id, contact_frequency_7d, complaint_count_30d, throttle_flag, escalate_flag, opted_out"
signals="SELECT (SELECT count(*) FROM ((SELECT $cols FROM stormops.guardrail_signals EXCEPT ALL SELECT $cols FROM stormops.guardrail_signals_at(now()))
                                    UNION ALL (SELECT $cols FROM stormops.guardrail_signals_at(now()) EXCEPT ALL SELECT $cols FROM stormops.guardrail_signals)) x)
              + (SELECT count(*) FROM stormops.guardrail_signals a JOIN stormops.guardrail_signals_at(now()) b USING (property_id)
                  WHERE abs(a.last_contact_hours_ago - b.last_contact_hours_ago) * 3600 >= 1
                     OR (a.last_contact_hours_ago IS NULL) <> (b.last_contact_hours_ago IS NULL))"
check_state() {   # $1: what was just done
  local d
  d=$(q -c "$counts")
  [ "$d" = 0 ] || fail "after $1, behavior_counts differs from behavior_counts_at('infinity') in $d rows"
  d=$(q -c "$signals")
  [ "$d" = 0 ] || fail "after $1, guardrail_signals differs from guardrail_signals_at(now()) in $d rows"
  q -q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS scratch.state" -c "CREATE TABLE scratch.state AS $state"
  q -q -c "SELECT stormops.guardrail_state_rebuild()" >/dev/null
  d=$(q -c "SELECT count(*) FROM ((TABLE scratch.state EXCEPT ALL $state) UNION ALL ($state EXCEPT ALL TABLE scratch.state)) x")
  [ "$d" = 0 ] || fail "after $1, guardrail_state differs from its rebuild from history in $d rows"
}
# do-not-contact entries: for all channels (with and without history) and for one
q -q -c "INSERT INTO stormops.do_not_contact (property_id, channel, reason)
         SELECT property_id, CASE WHEN n % 3 = 0 THEN 'sms' ELSE 'all' END, 'asked'
           FROM (SELECT property_id, row_number() OVER (ORDER BY property_id) AS n
                   FROM stormops.properties WHERE property_id LIKE 'dfw_75225%') p WHERE n <= 30"
check_state "inserts"
echo "ok - inserts: the statement merges on the shards keep behavior_counts equal to its history twin, guardrail_state equal to its rebuild, and the signals read from the state equal those from history ($(q -c "SELECT count(*) FROM stormops.guardrail_signals") properties)"

# corrections: each touched property recomputed from history on its shard.
# (Citus itself refuses SET event_timestamp = event_timestamp - interval ...:
# STABLE functions with column references; a correction sets values.)
q -q -c "UPDATE stormops.behavior_events SET event_timestamp = '2019-03-01 00:00+00'
          WHERE property_id IN (SELECT property_id FROM stormops.properties ORDER BY property_id LIMIT 50)
            AND event_timestamp > now() - interval '40 days'"
check_state "an UPDATE of times"
q -q -c "UPDATE stormops.behavior_events SET event_type = 'response' WHERE event_type = 'contact' AND property_id LIKE 'dfw_75035%'"
check_state "an UPDATE of types"
q -q -c "DELETE FROM stormops.behavior_events WHERE property_id IN (SELECT property_id FROM stormops.properties ORDER BY property_id LIMIT 20 OFFSET 100)"
check_state "a DELETE"
echo "ok - corrections (UPDATE, DELETE) recompute the touched properties on their shards"
q -q -c "TRUNCATE stormops.behavior_events"
[ "$(q -c "SELECT (SELECT count(*) FROM stormops.behavior_counts) + (SELECT count(*) FROM stormops.guardrail_state)")" = 0 ] \
  || fail "TRUNCATE of behavior_events left derived rows"
echo "ok - TRUNCATE of behavior_events empties behavior_counts and guardrail_state once, from the coordinator"

# the competitor defence runs once, on the coordinator (competitor_permits
# stays local there), not on every node's copy
q -q -c "INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at)
         VALUES ('rival-citus-1', '75230', 'rival', 'Rival Roofing', 'Tier1', now() - interval '1 hour')" 2>/dev/null
n=$(q -c "SELECT count(*) || ' ' || string_agg(DISTINCT playbook_name, ',') FROM stormops.notification_outbox
           WHERE kind = 'competitor_threat' AND payload->>'permit_id' = 'rival-citus-1'")
[ "$n" = "1 Loyalty-DFW-HighSES" ] || fail "a rival permit gave competitor_threat notifications: $n (want 1 Loyalty-DFW-HighSES)"
echo "ok - a rival permit in a defended ZIP is answered once, from the coordinator"

# the background worker runs on the coordinator only, even with
# stormops.database set on every node as one configuration would
for port in "$PGPORT" $CITUS_WORKER_PORTS; do
  q -p "$port" -q -c "ALTER SYSTEM SET stormops.database = 'postgres'" -c "ALTER SYSTEM SET stormops.poll_interval = 1" \
    -c "SELECT pg_reload_conf()" >/dev/null
done
wait_for 30 "SELECT runs >= 3 FROM stormops.worker_status()" || fail "the coordinator's storm worker did not run"
for port in $CITUS_WORKER_PORTS; do
  r=$(q -p "$port" -c "SELECT runs FROM stormops.worker_status()")
  [ "$r" = 0 ] || fail "the storm worker of the Citus worker at $port ran $r times"
done
echo "ok - the storm worker runs on the coordinator ($(q -c "SELECT runs FROM stormops.worker_status()") runs), not on the workers"

# the storm worker proposes on Citus: a storm that arrives now (the Frisco
# storm's reports, three hours ago) is settled, its impacts computed and
# proposed by the coordinator's worker, with the decisions one node makes
# for it (run_pending_proposals does the worker's work there)
new_storm="INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at, end_at, source)
           SELECT 'citus_worker_storm', event_type, magnitude, now() - interval '3 hours', now() - interval '2 hours', source
             FROM stormops.storm_events WHERE event_id = 'noaa_ep_135504_hail';
           INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude, source)
           SELECT 'w_' || report_id, 'citus_worker_storm', now() - interval '3 hours' + (reported_at - '2019-03-24 17:33-06'),
                  lat, lon, magnitude, source
             FROM stormops.storm_reports WHERE event_id = 'noaa_ep_135504_hail';
           SELECT stormops.settle_events(ARRAY['citus_worker_storm']);"
worker_decisions="SELECT playbook_name, property_id, rank, decision, regexp_replace(reason, '[0-9a-f]{8}-[0-9a-f-]{27}', 'X', 'g')
                    FROM stormops.event_decisions('citus_worker_storm') ORDER BY 1, 3, 2"
q -q -1 -c "$new_storm" >/dev/null
wait_for 60 "SELECT EXISTS (SELECT FROM stormops.event_proposals WHERE event_id = 'citus_worker_storm')" \
  || fail "the storm worker did not propose the new storm on Citus: $(q -c "SELECT string_agg(error, '; ') FROM stormops.worker_errors")"
out=$(q -c "SELECT playbooks_failed || ' ' || playbooks_run FROM stormops.event_proposals WHERE event_id = 'citus_worker_storm'")
[ "${out% *}" = 0 ] || fail "the storm worker's proposals on Citus failed: $(q -c "SELECT outcome FROM stormops.event_proposals WHERE event_id = 'citus_worker_storm'")"
psql -X -q -1 -v ON_ERROR_STOP=1 -d single -c "SET client_min_messages = warning" -c "$new_storm" \
  -c "SELECT count(*) FROM stormops.run_pending_proposals()" >/dev/null
one=$(psql -X -At -v ON_ERROR_STOP=1 -d single -c "$worker_decisions")
dist=$(q -c "$worker_decisions")
[ -n "$one" ] && [ "$one" = "$dist" ] \
  || fail "the worker's decisions differ from one node's: one node $(grep -c '' <<<"$one") lines, Citus $(grep -c '' <<<"$dist"): $(diff <(echo "$one") <(echo "$dist") | head -5)"
echo "ok - the storm worker on the coordinator settles, computes and proposes a new storm on Citus: one node's $(grep -c '' <<<"$dist") decisions"

# playbook writes after distribute(): playbooks and their versions are
# reference tables, whose triggers fire on every node's copy; the copies
# stay equal and each version is recorded once
q -q -c "SELECT stormops.revise_playbook('Frisco-Alpha', '{\"max_daily_contacts\": 60}')" >/dev/null \
  || fail "revise_playbook failed on Citus"
q -q -c "INSERT INTO stormops.playbooks (playbook_name, status, targeting_rules, channel_strategy, playbook_version)
         SELECT 'Frisco-Beta', 'Draft', targeting_rules, channel_strategy, '1.0.0' FROM stormops.playbooks
          WHERE playbook_name = 'Frisco-Alpha'" || fail "a new playbook was refused on Citus"
q -q -c "SELECT stormops.activate_playbook('Frisco-Beta')" -c "SELECT stormops.revise_playbook('Frisco-Beta', '{\"max_daily_contacts\": 70}')" \
  -c "SELECT stormops.pause_playbook('Frisco-Beta')" >/dev/null \
  || fail "status moves of a new playbook failed on Citus"
if q -q -c "UPDATE stormops.playbooks SET status = 'Draft' WHERE playbook_name = 'Frisco-Beta'" 2>/dev/null; then
  fail "a move Paused -> Draft was accepted on Citus"
fi
v=$(q -c "SELECT string_agg(p.playbook_name || ' ' || v.playbook_version, ', ' ORDER BY p.playbook_name, v.playbook_version)
            FROM stormops.playbook_versions v JOIN stormops.playbooks p USING (playbook_id)")
[ "$v" = "Frisco-Alpha 1.0.0, Frisco-Beta 1.0.0" ] || fail "versions recorded on Citus: $v"
copies() {   # $1: table; the md5 of its copy (placement) on every node
  local shard port
  shard=$(q -c "SELECT shard_name('$1'::regclass, shardid) FROM pg_dist_shard WHERE logicalrelid = '$1'::regclass")
  for port in "$PGPORT" $CITUS_WORKER_PORTS; do
    q -p "$port" -c "SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM $shard t"
  done | sort -u
}
for t in stormops.playbooks stormops.playbook_versions; do
  [ "$(copies $t | grep -c '')" = 1 ] || fail "the copies of $t differ between the nodes: $(copies $t | paste -sd' ')"
done
q -q -c "SELECT stormops.retire_playbook('Frisco-Beta')" -c "DELETE FROM stormops.playbooks WHERE playbook_name = 'Frisco-Beta'" >/dev/null \
  || fail "a playbook without executions could not be deleted on Citus"
echo "ok - playbook writes after distribute(): revised, created, moved, refused and deleted; each version recorded once, every node's copy equal"

# claims of playbooks without daily caps run side by side on Citus, as on one
# node: a second sender's claim returns while the first sender's transaction
# is still open (each locks only its own steps; capped playbooks take turns
# on their day counters, on one node too). The steps: the plans the worker
# laid for the new storm, claimed as of when four of one channel are ready.
q -q -c "UPDATE stormops.playbooks SET max_daily_contacts = NULL, team_size_required = NULL WHERE status = 'Active'"
read -r ch as_of < <(q -F ' ' -c "SELECT channel, ready_at FROM (
                       SELECT channel, ready_at, row_number() OVER (PARTITION BY channel ORDER BY ready_at) AS n,
                              count(*) OVER (PARTITION BY channel) AS c
                         FROM stormops.contact_steps WHERE is_next AND status = 'planned') s
                      WHERE n = 4 ORDER BY c DESC, channel LIMIT 1")
[ -n "$ch" ] || fail "no channel has four steps to claim for the uncapped claims"
claim2="SELECT string_agg(property_id || ' ' || step, E'\n' ORDER BY property_id, step)
          FROM stormops.claim_due_contacts('$ch', 2, '$as_of')"
work=$(mktemp -d)
PGAPPNAME=first_sender q -c "BEGIN" -c "$claim2" -c "SELECT pg_sleep(20)" -c "ROLLBACK" >"$work/a" 2>&1 & a=$!
wait_for 10 "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'first_sender' AND query LIKE '%pg_sleep%')" \
  || fail "the first sender did not claim: $(cat "$work/a")"
q -c "$claim2" >"$work/b" 2>&1 || fail "the second claim failed: $(cat "$work/b")"
open=$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'first_sender' AND query LIKE '%pg_sleep%'")
q -q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'first_sender'" >/dev/null
wait $a || true
[ "$open" = 1 ] || fail "the second sender's claim returned only after the first sender's transaction ended"
sed -i '/^BEGIN$\|^ROLLBACK$\|^$\|pg_sleep\|ERROR\|canceling/d' "$work/a"
[ -s "$work/b" ] && [ -s "$work/a" ] || fail "uncapped claims at once got: '$(cat "$work/a")' and '$(cat "$work/b")'"
shared=$(sort "$work/a" "$work/b" | uniq -d | grep -c '' || true)
[ "$shared" = 0 ] || fail "uncapped claims at once shared $shared steps"
rm -rf "$work"
echo "ok - claims of uncapped playbooks run side by side on Citus: the second returns while the first is open, and they share no step"
