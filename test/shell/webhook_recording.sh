#!/usr/bin/env bash
# Recording webhook outcomes when things go wrong (issue 16, items 2 to 4;
# docs/operations.md, "Webhook delivery"), on the throwaway cluster of
# run-tests.sh against the local receiver of webhook_harness.sh:
#   - one outcome whose recording fails (a lock timeout) undoes no other,
#     and is recorded again: every notification sent once;
#   - recording held up longer than the lease while requests are in flight:
#     none is claimed and sent a second time;
#   - a worker killed twice after sending: the notification dies after
#     webhook_max_attempts recorded attempts, not after 3 claims.
# Faults are injected by a trigger of this test's own on the outbox.
set -euo pipefail
db=stormops_webhook_recording
source "$(dirname "$0")/../tools/webhook_harness.sh"
webhook_setup

# Test-only triggers on the outbox. recording_fault: the first recording of
# a 'failonce' notification fails with the SQLSTATE of a lock timeout
# (counted by a sequence, which the failed recording does not roll back); the
# first transaction recording 'held' notifications takes 0.2 s a row, so that
# many answers are read at once next, and the next ones wait while this test
# holds advisory lock 4242. outbox_changes logs every committed change of a
# row as a claim (only the counts and next_attempt_at move) or a record
# (status or last_error change), so the order of claims and records can be
# read back.
q >/dev/null <<'SQL'
CREATE SEQUENCE public.recording_faults;
CREATE FUNCTION public.recording_fault() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> OLD.status OR NEW.last_error IS DISTINCT FROM OLD.last_error THEN
    IF NEW.payload->>'tag' = 'failonce' AND nextval('public.recording_faults') = 1 THEN
      RAISE EXCEPTION 'injected: canceling statement due to lock timeout' USING ERRCODE = '55P03';
    END IF;
    IF NEW.payload->>'tag' = 'held' THEN
      IF NOT EXISTS (SELECT FROM public.outbox_changes c JOIN stormops.notification_outbox o USING (notification_id)
                      WHERE c.kind = 'record' AND o.payload->>'tag' = 'held') THEN
        PERFORM pg_catalog.pg_sleep(0.2);   -- the first recording: answers pile up meanwhile
      ELSE
        PERFORM pg_catalog.pg_advisory_xact_lock_shared(4242);
      END IF;
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER recording_fault BEFORE UPDATE ON stormops.notification_outbox
  FOR EACH ROW EXECUTE FUNCTION public.recording_fault();
CREATE TABLE public.outbox_changes (change_id bigserial PRIMARY KEY, notification_id bigint, kind text,
                                    at timestamptz DEFAULT clock_timestamp());
CREATE FUNCTION public.log_outbox_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.outbox_changes (notification_id, kind)
  VALUES (NEW.notification_id, CASE WHEN NEW.status <> OLD.status OR NEW.last_error IS DISTINCT FROM OLD.last_error
                                    THEN 'record' ELSE 'claim' END);
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_changes AFTER UPDATE ON stormops.notification_outbox
  FOR EACH ROW EXECUTE FUNCTION public.log_outbox_change();
SQL

# 1. one recording fails once: the others stay recorded, it is recorded again
notify 5 failonce
wait_for 15 "SELECT count(*) = 5 FROM stormops.notification_outbox WHERE reason LIKE 'failonce %' AND status = 'delivered'"
[ "$(q -c "SELECT count(*) FROM stormops.notification_outbox WHERE reason LIKE 'failonce %' AND attempts = 1 AND claims = 1")" = 5 ]
[ "$(requests count "$(ids_of failonce)")" = 5 ] && [ "$(requests most "$(ids_of failonce)")" = 1 ] \
  || { echo "failed in webhook_recording.sh: [ \"\$(requests count \"\$(ids_of failonce)\")\" = 5 ] && [ \"\$(requests most \"\$(ids_of failonce)\")\" = 1 ]"; exit 1; }
[ "$(q -c "SELECT count(*) FROM stormops.worker_errors WHERE worker = 'webhook' AND sqlstate = '55P03'
                                                        AND error LIKE 'recording the outcome of notification %: injected%'")" = 1 ]
echo "ok - a recording that fails (55P03) undoes no other outcome and is recorded again: 5 delivered, each sent once, the failure in worker_errors"

# 2. recording held up for about 8 s, longer than the 6 s lease, while
#    the first send of every tenth of 150 is answered after 3 s (the others after
#    0.3 s): their leases run out while the run still holds them (it reads
#    their answers, or their timeouts, only after the hold). The run must not claim any of them again before their
#    outcome is recorded: no two claims of a notification without a record
#    between them. (A request that timed out is retried, after its timeout
#    was recorded, with the same idempotency key.)
mode slow10
psql -X -q -d "$db" -c "SELECT pg_advisory_lock(4242)" -c "SELECT pg_sleep(8.5)" >/dev/null &
holder=$!
wait_for 5 "SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted)"
notify 150 held
wait_for 40 "SELECT count(*) = 150 FROM stormops.notification_outbox WHERE reason LIKE 'held %' AND status = 'delivered'"
wait "$holder"
held_s=$(q -c "SELECT round(extract(epoch FROM max(gap)), 1)
                 FROM (SELECT c.at - lag(c.at) OVER (ORDER BY c.change_id) AS gap
                         FROM public.outbox_changes c JOIN stormops.notification_outbox o USING (notification_id)
                        WHERE o.reason LIKE 'held %' AND c.kind = 'record') x")
twice=$(q -c "SELECT count(*) FROM (SELECT c.kind, lag(c.kind) OVER (PARTITION BY c.notification_id ORDER BY c.change_id) AS before
                                      FROM public.outbox_changes c JOIN stormops.notification_outbox o USING (notification_id)
                                     WHERE o.reason LIKE 'held %') x
               WHERE kind = 'claim' AND before = 'claim'")
echo "recording held for $held_s s at most; claims of an unrecorded send: $twice; sends: $(requests count "$(ids_of held)") for 150, keys $(requests keys "$(ids_of held)")"
[ "$(q -c "SELECT $held_s > 6")" = t ]   # longer than the lease: the case is real
[ "$twice" = 0 ]
[ "$(q -c "SELECT count(*) FROM stormops.notification_outbox WHERE reason LIKE 'held %' AND claims = attempts AND lost_sends = 0")" = 150 ]
[ "$(requests keys "$(ids_of held)")" = 150 ]
echo "ok - recording held past the lease: no notification of 150 claimed again while in flight, every send's outcome recorded"

# 3. the worker dies twice after sending, then the receiver answers 500: the
#    notification dies after 3 recorded attempts (webhook_max_attempts), the
#    2 lost sends counted apart
mode hang
notify 1 dies
wait_requests 1 dies 10
kill_worker >/dev/null
wait_requests 2 dies 20
kill_worker >/dev/null
mode 500
wait_for 40 "SELECT status = 'dead' FROM stormops.notification_outbox WHERE reason LIKE 'dies %'"
q -c "SELECT format('dead after %s sends: %s attempts recorded, %s lost; %s', claims, attempts, lost_sends, last_error)
        FROM stormops.notification_outbox WHERE reason LIKE 'dies %'"
[ "$(q -c "SELECT attempts = 3 AND lost_sends = 2 AND claims = 5 AND last_error = 'attempt 3: HTTP 500'
             FROM stormops.notification_outbox WHERE reason LIKE 'dies %'")" = t ]
[ "$(requests count "$(ids_of dies)")" = 5 ] && [ "$(requests keys "$(ids_of dies)")" = 1 ] \
  || { echo "failed in webhook_recording.sh: [ \"\$(requests count \"\$(ids_of dies)\")\" = 5 ] && [ \"\$(requests keys \"\$(ids_of dies)\")\" = 1 ]"; exit 1; }
echo "ok - a worker killed twice after sending: dead after 3 recorded attempts (5 sends, 2 lost), not after 3 claims"
