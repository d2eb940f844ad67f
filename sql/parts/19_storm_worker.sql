-- The storm-event worker's SQL side (docs/operations.md): where failures
-- go, how commits wake it, and its status (which events are pending and
-- what handling one means: 19_storm_worker_events.sql). The worker itself is
-- C (src/workers).

-- Failures of the background workers, one row per failed attempt; the
-- event (or notification) stays pending and is tried again later.
CREATE TABLE stormops.worker_errors (
  error_id   pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  logged_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  worker     pg_catalog.text NOT NULL
             CONSTRAINT worker_errors_worker_known CHECK (worker OPERATOR(pg_catalog.=) ANY ('{storm,webhook}'::pg_catalog.text[])),
  event_id   pg_catalog.text,
  error      pg_catalog.text NOT NULL,
  sqlstate   pg_catalog.text
);
COMMENT ON TABLE stormops.worker_errors IS
  'Failed attempts of the background workers, with the error; the work stays pending and is tried again.';
CREATE INDEX worker_errors_event_idx ON stormops.worker_errors (event_id, logged_at);

-- Commits that add storm data wake the worker (a no-op without it).
CREATE FUNCTION stormops.wake_storm_worker()
RETURNS trigger
AS 'MODULE_PATHNAME', 'stormops_wake_storm_worker'
LANGUAGE C;
CREATE TRIGGER storm_events_wake_worker AFTER INSERT ON stormops.storm_events
  FOR EACH STATEMENT EXECUTE FUNCTION stormops.wake_storm_worker();
CREATE TRIGGER storm_reports_wake_worker AFTER INSERT ON stormops.storm_reports
  FOR EACH STATEMENT EXECUTE FUNCTION stormops.wake_storm_worker();
CREATE TRIGGER property_impacts_wake_worker AFTER INSERT ON stormops.property_impacts
  FOR EACH STATEMENT EXECUTE FUNCTION stormops.wake_storm_worker();

CREATE FUNCTION stormops.worker_status(
  OUT running pg_catalog.bool, OUT launcher_pid pg_catalog.int4, OUT started_at pg_catalog.timestamptz,
  OUT last_wake_at pg_catalog.timestamptz, OUT last_run_started_at pg_catalog.timestamptz,
  OUT last_run_finished_at pg_catalog.timestamptz, OUT runner_pid pg_catalog.int4, OUT runs pg_catalog.int8,
  OUT events_handled pg_catalog.int8, OUT events_failed pg_catalog.int8, OUT last_event_id pg_catalog.text,
  OUT last_outcome pg_catalog.text, OUT notifications_delivered pg_catalog.int8,
  OUT notifications_failed pg_catalog.int8)
AS 'MODULE_PATHNAME', 'stormops_worker_status'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION stormops.worker_status() IS
  'Whether the storm worker runs, since when, what it last did, and the webhook deliveries (since the server started).';
