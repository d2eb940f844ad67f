-- The webhook delivery's SQL side (docs/operations.md): claiming due
-- notifications, recording each outcome, the retry schedule, and replaying
-- dead ones. The delivery itself is C (src/workers/webhook_delivery.c).

-- How long to wait before retry number `attempts`: the base doubled with each
-- attempt, capped at 5 minutes, with jitter (half to all of it), so that a
-- receiver that comes back is not hit by every retry at the same moment.
CREATE FUNCTION stormops.webhook_backoff(attempts pg_catalog.int4, base_ms pg_catalog.int4)
RETURNS pg_catalog.interval
LANGUAGE sql VOLATILE
BEGIN ATOMIC
  SELECT pg_catalog.make_interval(secs => (LEAST(300000::pg_catalog.float8,
           base_ms::pg_catalog.float8 OPERATOR(pg_catalog.*)
             pg_catalog.power(2::pg_catalog.float8, (GREATEST(attempts, 1) OPERATOR(pg_catalog.-) 1)::pg_catalog.float8))
         OPERATOR(pg_catalog.*) (0.5::pg_catalog.float8 OPERATOR(pg_catalog.+) pg_catalog.random() OPERATOR(pg_catalog./) 2::pg_catalog.float8))
         OPERATOR(pg_catalog./) 1000::pg_catalog.float8);
END;

-- Claims up to max_rows due notifications for delivery: one more attempt,
-- and a lease (next_attempt_at moved on) so that a worker that dies before
-- recording the outcome gives them back when the lease runs out. Rows
-- another worker holds are skipped.
CREATE FUNCTION stormops.claim_notifications(max_rows pg_catalog.int4, lease_ms pg_catalog.int4)
RETURNS TABLE (notification_id pg_catalog.int8, attempts pg_catalog.int4, body pg_catalog.text,
               delivery_key pg_catalog.uuid)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN QUERY
  UPDATE stormops.notification_outbox o
     SET attempts = o.attempts + 1,
         next_attempt_at = clock_timestamp() + make_interval(secs => lease_ms / 1000.0)
   WHERE o.notification_id IN (SELECT n.notification_id FROM stormops.notification_outbox n
                                WHERE n.status = 'pending' AND n.next_attempt_at <= clock_timestamp()
                                ORDER BY n.next_attempt_at, n.notification_id
                                LIMIT max_rows
                                FOR UPDATE SKIP LOCKED)
  RETURNING o.notification_id, o.attempts, o.payload::text, o.delivery_key;
END;
$$;

-- Records one attempt's outcome: delivered; retried after webhook_backoff;
-- or dead (not retryable, or max_attempts reached), keeping the last error.
-- Only for the claim it answers (the attempt number it claimed, still
-- pending): a late answer to a claim whose lease ran out changes nothing.
CREATE FUNCTION stormops.record_delivery(notification_id pg_catalog.int8, claimed_attempt pg_catalog.int4,
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
     SET status = CASE WHEN delivered THEN 'delivered'
                       WHEN NOT retryable OR o.attempts >= max_attempts THEN 'dead'
                       ELSE 'pending' END,
         delivered_at = CASE WHEN delivered THEN clock_timestamp() END,
         last_error = CASE WHEN delivered THEN o.last_error
                           ELSE format('attempt %s: %s', o.attempts, error) END,
         next_attempt_at = CASE WHEN NOT delivered AND retryable AND o.attempts < max_attempts
                                THEN clock_timestamp() + stormops.webhook_backoff(o.attempts, backoff_ms)
                                ELSE o.next_attempt_at END
   WHERE o.notification_id = record_delivery.notification_id
     AND o.attempts = claimed_attempt AND o.status = 'pending'
  RETURNING o.status INTO outcome;
  RETURN outcome;
END;
$$;

-- Sends dead notifications again (all, or the given ones): pending, with
-- their attempts reset. Returns how many.
CREATE FUNCTION stormops.replay_notifications(notification_ids pg_catalog.int8[] DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  replayed bigint;
BEGIN
  UPDATE stormops.notification_outbox o
     SET status = 'pending', attempts = 0, next_attempt_at = clock_timestamp()
   WHERE o.status = 'dead'
     AND (notification_ids IS NULL OR o.notification_id = ANY (notification_ids));
  GET DIAGNOSTICS replayed = ROW_COUNT;
  RETURN replayed;
END;
$$;
COMMENT ON FUNCTION stormops.replay_notifications(pg_catalog.int8[]) IS
  'Makes dead notifications pending again (all, or the given ids), attempts reset; returns how many.';

CREATE TRIGGER notification_outbox_wake_worker AFTER INSERT ON stormops.notification_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION stormops.wake_storm_worker();
