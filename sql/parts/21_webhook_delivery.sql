-- Claiming notifications for the webhook worker, recording each outcome,
-- and replaying dead ones (a code part; 0.2.0's form of 0.1.0's functions;
-- docs/operations.md, "Webhook delivery"). The update from 0.1.0 drops
-- their 0.1.0 forms and includes this part whole.
--
-- A claim is counted in `claims` (its number is the claim's token) and
-- leases the row (next_attempt_at moved on); `attempts` counts the requests
-- whose outcome was recorded (issue 16: 0.1.0 counted claims, so a worker
-- that kept dying before it sent made a notification dead after fewer real
-- tries than webhook_max_attempts). A claim whose lease ran out without an
-- outcome (the worker stopped between claiming and recording) is counted in
-- `lost_sends` when the row is claimed again; max_attempts of those also
-- makes the row dead, so a notification that kills the worker cannot loop
-- for ever. claims = attempts + lost_sends, plus 1 while a claim awaits its
-- outcome (a CHECK). The worker passes the ids it still holds, so a lease
-- that ran out while it was recording is not claimed again by the same
-- worker: a notification is never in flight twice.

-- Claims up to max_rows due notifications, skipping rows another session
-- holds and those in in_flight. Returns the claim number the outcome must
-- quote, which is also the X-Stormops-Attempt header.
CREATE OR REPLACE FUNCTION stormops.claim_notifications(max_rows pg_catalog.int4, lease_ms pg_catalog.int4,
                                                        in_flight pg_catalog.int8[], max_attempts pg_catalog.int4)
RETURNS TABLE (notification_id pg_catalog.int8, claim pg_catalog.int4, body pg_catalog.text,
               delivery_key pg_catalog.uuid)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- claims whose lease ran out without an outcome: lost; too many: dead
  UPDATE stormops.notification_outbox o
     SET lost_sends = o.lost_sends + 1,
         status = CASE WHEN o.lost_sends + 1 >= max_attempts THEN 'dead' ELSE 'pending' END,
         last_error = CASE WHEN o.lost_sends + 1 >= max_attempts
                           THEN format('%s sends without a recorded outcome (the worker stopped before recording)%s',
                                       o.lost_sends + 1,
                                       CASE WHEN o.last_error IS NOT NULL THEN '; before: ' || o.last_error ELSE '' END)
                           ELSE o.last_error END
   WHERE o.notification_id IN (SELECT n.notification_id FROM stormops.notification_outbox n
                                WHERE n.status = 'pending' AND n.next_attempt_at <= clock_timestamp()
                                  AND n.claims > n.attempts + n.lost_sends
                                  AND n.notification_id <> ALL (COALESCE(in_flight, '{}'))
                                FOR UPDATE SKIP LOCKED);
  RETURN QUERY
  UPDATE stormops.notification_outbox o
     SET claims = o.claims + 1,
         next_attempt_at = clock_timestamp() + make_interval(secs => lease_ms / 1000.0)
   WHERE o.notification_id IN (SELECT n.notification_id FROM stormops.notification_outbox n
                                WHERE n.status = 'pending' AND n.next_attempt_at <= clock_timestamp()
                                  AND n.notification_id <> ALL (COALESCE(in_flight, '{}'))
                                ORDER BY n.next_attempt_at, n.notification_id
                                LIMIT max_rows
                                FOR UPDATE SKIP LOCKED)
  RETURNING o.notification_id, o.claims, o.payload::text, o.delivery_key;
END;
$$;

-- Records the outcome of one sent request: one more attempt; delivered;
-- retried after webhook_backoff; or dead (not retryable, or max_attempts
-- reached), keeping the last error. Only for the claim it answers (still
-- pending, claimed no later, not counted lost): a late answer changes
-- nothing. Returns the new status, or NULL when nothing was recorded.
CREATE OR REPLACE FUNCTION stormops.record_delivery(notification_id pg_catalog.int8, claim pg_catalog.int4,
                                                    delivered pg_catalog.bool,
                                                    retryable pg_catalog.bool, error pg_catalog.text,
                                                    max_attempts pg_catalog.int4, backoff_ms pg_catalog.int4)
RETURNS pg_catalog.text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  outcome text;
BEGIN
  UPDATE stormops.notification_outbox o
     SET attempts = o.attempts + 1,
         status = CASE WHEN delivered THEN 'delivered'
                       WHEN NOT retryable OR o.attempts + 1 >= max_attempts THEN 'dead'
                       ELSE 'pending' END,
         delivered_at = CASE WHEN delivered THEN clock_timestamp() END,
         last_error = CASE WHEN delivered THEN o.last_error
                           ELSE format('attempt %s: %s', o.attempts + 1, error) END,
         next_attempt_at = CASE WHEN NOT delivered AND retryable AND o.attempts + 1 < max_attempts
                                THEN clock_timestamp() + stormops.webhook_backoff(o.attempts + 1, backoff_ms)
                                ELSE o.next_attempt_at END
   WHERE o.notification_id = record_delivery.notification_id
     AND o.claims = record_delivery.claim AND o.status = 'pending'
     AND o.claims > o.attempts + o.lost_sends   -- not yet counted lost
  RETURNING o.status INTO outcome;
  RETURN outcome;
END;
$$;

-- Sends dead notifications again (all, or the given ones): pending, with
-- their attempts and claims reset. Returns how many.
CREATE OR REPLACE FUNCTION stormops.replay_notifications(notification_ids pg_catalog.int8[] DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  replayed bigint;
BEGIN
  UPDATE stormops.notification_outbox o
     SET status = 'pending', attempts = 0, claims = 0, lost_sends = 0, next_attempt_at = clock_timestamp()
   WHERE o.status = 'dead'
     AND (notification_ids IS NULL OR o.notification_id = ANY (notification_ids));
  GET DIAGNOSTICS replayed = ROW_COUNT;
  RETURN replayed;
END;
$$;
COMMENT ON FUNCTION stormops.replay_notifications(pg_catalog.int8[]) IS
  'Makes dead notifications pending again (all, or the given ids), attempts reset; returns how many.';
