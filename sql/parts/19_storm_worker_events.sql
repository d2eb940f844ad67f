-- Handling a storm event, by the worker or by pg_cron (a code part; 0.2.0's
-- form of 0.1.0's functions; docs/operations.md, "When things go wrong").
-- handle_storm_event records the event's playbook failures in
-- worker_errors, so the event waits like an event that failed as a whole
-- (storm_events_pending: 5 minutes after its last recorded failure) instead
-- of being run again at every poll with a WARNING each time (issue 16);
-- run_pending_proposals is its pg_cron entry point. The update from 0.1.0
-- includes this part whole. Failure modes: the record is written in the
-- event's own transaction, so it exists exactly when the handling committed.
-- Which events are pending is here too (storm_events_pending, 0.2.0's form,
-- which Citus can run).

-- Storm events to propose (by the worker, or run_pending_proposals), oldest
-- first: those with reports or impacts (an event whose reports are still to
-- come is not ready) that no run has handled, or whose last handling had a
-- playbook fail; an event that failed as a whole in the last 5 minutes
-- waits (no tight retry loop). The events not yet handled are read first
-- (few), then each without reports is looked up in property_impacts by
-- itself, with LIMIT 1: on Citus property_impacts is distributed, and Citus
-- runs no subquery correlated with a reference table's rows (0.1.0 asked it
-- in one statement).
CREATE OR REPLACE FUNCTION stormops.storm_events_pending()
RETURNS SETOF pg_catalog.text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  e record;
BEGIN
  FOR e IN
    SELECT s.event_id, EXISTS (SELECT FROM stormops.storm_reports r WHERE r.event_id = s.event_id) AS reported
      FROM stormops.storm_events s
     WHERE NOT EXISTS (SELECT FROM stormops.event_proposals h
                        WHERE h.event_id = s.event_id AND h.playbooks_failed = 0)
       AND NOT EXISTS (SELECT FROM stormops.worker_errors w
                        WHERE w.event_id = s.event_id AND w.worker = 'storm'
                          AND w.logged_at > now() - interval '5 minutes')
     ORDER BY s.begin_at, s.event_id
  LOOP
    IF NOT e.reported THEN
      PERFORM 1 FROM stormops.property_impacts i WHERE i.event_id = e.event_id LIMIT 1;
      CONTINUE WHEN NOT FOUND;
    END IF;
    RETURN NEXT e.event_id;
  END LOOP;
END;
$$;
COMMENT ON FUNCTION stormops.storm_events_pending() IS
  'Storm events the storm worker will propose next, oldest first.';

CREATE OR REPLACE FUNCTION stormops.handle_storm_event(event_id pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  outcome text;
  failed int;
BEGIN
  -- (a query of its own with LIMIT 1, not EXISTS: on Citus property_impacts
  -- is distributed, and Citus cannot run a column-less EXISTS over it)
  PERFORM 1 FROM stormops.property_impacts i WHERE i.event_id = handle_storm_event.event_id LIMIT 1;
  IF NOT FOUND
     AND EXISTS (SELECT 1 FROM stormops.storm_reports r WHERE r.event_id = handle_storm_event.event_id) THEN
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

-- One pending event as the storm worker handles it, with what was done:
-- one row. A failure of the event is reported in the row (the event stays
-- pending); a conflict with another session is raised instead, for the
-- caller to retry (generate_proposals re-raises it on purpose).
CREATE OR REPLACE FUNCTION stormops.run_pending_event(pending_event pg_catalog.text)
RETURNS TABLE (event_id pg_catalog.text, playbooks_run pg_catalog.int4, executions pg_catalog.int4,
               proposed pg_catalog.int8, outcome pg_catalog.text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  pending text := pending_event;
BEGIN
  PERFORM stormops.handle_storm_event(pending);
  RETURN QUERY
    SELECT h.event_id, h.playbooks_run, h.executions,
           (SELECT coalesce(sum(r.properties_proposed), 0) FROM stormops.proposal_runs r
             WHERE r.event_id = h.event_id AND r.execution_id IS NOT NULL)::int8,
           h.outcome
      FROM stormops.event_proposals h WHERE h.event_id = pending;
EXCEPTION WHEN OTHERS THEN
  -- a conflict with another session (serialization, deadlock, a run made
  -- meanwhile) is not the event's fault: generate_proposals re-raises it on
  -- purpose, and so does this call (issue 16)
  IF SQLSTATE LIKE '40%' OR SQLSTATE = '23505' THEN
    RAISE;
  END IF;
  RETURN QUERY SELECT pending, 0, 0, 0::int8, 'failed: ' || SQLERRM;
END;
$$;
COMMENT ON FUNCTION stormops.run_pending_event(pg_catalog.text) IS
  'handle_storm_event for one event, as the storm worker would: one row with what was done, or the failure (conflicts with other sessions are raised).';

-- By hand: does what the storm worker does, in one call and one
-- transaction: every pending storm event (stormops.storm_events_pending():
-- impacts or reports, not handled yet or a playbook failed), oldest first,
-- through run_pending_event. One event's failure does not stop the others:
-- it is reported in the result and the event stays pending. A conflict with
-- another session is raised instead, for the caller to retry the call. The
-- proposal lock, taken by the first event, is held until the caller
-- commits: pg_cron calls propose_pending_events() instead.
CREATE OR REPLACE FUNCTION stormops.run_pending_proposals()
RETURNS TABLE (event_id pg_catalog.text, playbooks_run pg_catalog.int4, executions pg_catalog.int4,
               proposed pg_catalog.int8, outcome pg_catalog.text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  pending text;
BEGIN
  FOR pending IN SELECT p FROM stormops.storm_events_pending() p LOOP
    RETURN QUERY SELECT * FROM stormops.run_pending_event(pending);
  END LOOP;
END;
$$;
COMMENT ON FUNCTION stormops.run_pending_proposals() IS
  'handle_storm_event for every pending storm event, as the storm worker would, in one transaction; one row per event with what was done.';

-- For pg_cron (CALL it alone, outside a transaction block): what
-- run_pending_proposals does, with a commit after each event, so the
-- proposal lock is released between events and each event's proposals are
-- visible (and kept) as soon as it is done; an error stops the call but
-- keeps the events already committed. Each event's outcome is a NOTICE. A
-- procedure that commits can neither pin its search_path nor be SECURITY
-- DEFINER: every name here is schema-qualified, and the work is done by
-- run_pending_event, which is.
CREATE OR REPLACE PROCEDURE stormops.propose_pending_events()
LANGUAGE plpgsql
AS $$
DECLARE
  pending pg_catalog.text;
  done record;
BEGIN
  FOR pending IN SELECT p FROM stormops.storm_events_pending() p LOOP
    SELECT * INTO done FROM stormops.run_pending_event(pending);
    RAISE NOTICE 'storm event %: %', pending, done.outcome;
    COMMIT;
  END LOOP;
END;
$$;
COMMENT ON PROCEDURE stormops.propose_pending_events() IS
  'run_pending_proposals for pg_cron: every pending storm event, committed one by one (the proposal lock is released between events); outcomes as NOTICEs.';
