-- The webhook delivery's SQL side (docs/operations.md): the retry schedule
-- and the worker's wake-up. Claiming, recording and replaying are in
-- 21_webhook_delivery.sql (changed in 0.2.0); the delivery itself is C
-- (src/workers/webhook_delivery.c).

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

CREATE TRIGGER notification_outbox_wake_worker AFTER INSERT ON stormops.notification_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION stormops.wake_storm_worker();
