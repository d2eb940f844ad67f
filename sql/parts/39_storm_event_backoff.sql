-- A playbook that keeps failing (a code part, new in 0.2.0; docs/operations.md,
-- "When things go wrong"): handle_storm_event records the event's playbook
-- failures in worker_errors, so the event waits like an event that failed as
-- a whole (storm_events_pending: 5 minutes after its last recorded failure)
-- instead of being run again at every poll with a WARNING each time (issue
-- 16). Replaces 0.1.0's body (19_storm_worker.sql, as released). Failure
-- modes: the record is written in the event's own transaction, so it exists
-- exactly when the handling committed.
CREATE OR REPLACE FUNCTION stormops.handle_storm_event(event_id pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  outcome text;
  failed int;
BEGIN
  IF NOT EXISTS (SELECT FROM stormops.property_impacts i WHERE i.event_id = handle_storm_event.event_id)
     AND EXISTS (SELECT FROM stormops.storm_reports r WHERE r.event_id = handle_storm_event.event_id) THEN
    PERFORM stormops.compute_impacts(handle_storm_event.event_id);
  END IF;
  PERFORM FROM stormops.generate_proposals(handle_storm_event.event_id);
  SELECT e.outcome, e.playbooks_failed INTO outcome, failed
    FROM stormops.event_proposals e WHERE e.event_id = handle_storm_event.event_id;
  IF failed > 0 THEN
    INSERT INTO stormops.worker_errors (worker, event_id, error)
    VALUES ('storm', handle_storm_event.event_id,
            format('%s playbook(s) failed; the event is retried after the wait: %s', failed, outcome));
  END IF;
  RETURN outcome;
END;
$$;
COMMENT ON FUNCTION stormops.handle_storm_event(pg_catalog.text) IS
  'The storm worker''s work for one event: compute_impacts when none were loaded, then generate_proposals; playbook failures are recorded in worker_errors (the event then waits before it is retried).';
