-- Executions end (contact-plans.md, "Executions end"): steps that closed
-- unsent expire; an execution is completed (by hand, or once every step is
-- final and its last contact is stormops.attribution_days old) or aborted;
-- from then on its properties are no longer busy and it no longer counts
-- against capacity or budget (propose_playbook counts Running executions
-- only). A code part.
--
-- Failure modes: only a Running execution moves, and only once (its row is
-- locked first, so two callers cannot both end it); sweeps skip steps a
-- claim holds at that moment (the claim expires or leases them itself).

-- Steps whose open period ended by as_of and that no live lease holds
-- become expired; their plans pass to the next step not final, which may
-- itself have closed (the loop goes on until none is left). Only current
-- steps are looked at (contact_steps_current_idx): a later step is expired
-- when its plan reaches it. Returns how many expired.
CREATE OR REPLACE FUNCTION stormops.expire_contact_steps(as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  expired bigint := 0;
  n bigint;
BEGIN
  LOOP
    WITH due AS MATERIALIZED (
      SELECT s.execution_id, s.property_id, s.step, x.closes_at
        FROM stormops.execution_steps x
        JOIN stormops.contact_steps s ON s.execution_id = x.execution_id AND s.step = x.step
       WHERE x.closes_at <= as_of
         AND s.is_next AND s.status IN ('planned', 'leased')
         AND (s.status = 'planned' OR s.ready_at <= as_of)
    ), closing AS MATERIALIZED (
      -- locked (SKIP LOCKED: a step a claim holds is left to it) and
      -- checked again as locked; per shard on Citus (lock_current_steps)
      SELECT l.execution_id, l.property_id, l.step, d.closes_at,
             -- the reason is made here: Citus refuses STABLE functions of
             -- columns in an UPDATE
             format('closed at %s unsent', to_char(d.closes_at AT TIME ZONE l.time_zone, 'YYYY-MM-DD HH24:MI')) AS reason
        FROM stormops.lock_current_steps(ARRAY(SELECT d.execution_id FROM due d ORDER BY d.property_id, d.execution_id, d.step),
                                         ARRAY(SELECT d.property_id FROM due d ORDER BY d.property_id, d.execution_id, d.step),
                                         ARRAY(SELECT d.step FROM due d ORDER BY d.property_id, d.execution_id, d.step)) l
        JOIN due d ON d.execution_id = l.execution_id AND d.property_id = l.property_id AND d.step = l.step
       WHERE l.status = 'planned' OR l.ready_at <= as_of
    ), gone AS (
      UPDATE stormops.contact_steps s
         SET status = 'expired', is_next = false, lease_until = NULL, final_at = c.closes_at, reason = c.reason
        FROM closing c
       WHERE s.execution_id = c.execution_id AND s.property_id = c.property_id AND s.step = c.step
      RETURNING s.execution_id, s.property_id, s.step, s.reason, s.final_at
    ), logged AS (
      INSERT INTO stormops.contact_step_changes (execution_id, property_id, step, status, reason, changed_at)
      SELECT g.execution_id, g.property_id, g.step, 'expired', g.reason, g.final_at FROM gone g
    ), next_steps AS MATERIALIZED (
      -- each plan's next step not final (a join, not a correlated
      -- subquery, which Citus cannot run here)
      SELECT k.execution_id, k.property_id, min(k.step) AS step
        FROM gone g
        JOIN stormops.contact_steps k
          ON k.execution_id = g.execution_id AND k.property_id = g.property_id AND k.step > g.step
       WHERE k.status IN ('planned', 'leased')
       GROUP BY k.execution_id, k.property_id
    ), handed_on AS (
      UPDATE stormops.contact_steps s SET is_next = true
        FROM next_steps n
       WHERE s.execution_id = n.execution_id AND s.property_id = n.property_id AND s.step = n.step
    )
    SELECT count(*) INTO n FROM gone;
    expired := expired + n;
    EXIT WHEN n = 0;
  END LOOP;
  RETURN expired;
END;
$$;
COMMENT ON FUNCTION stormops.expire_contact_steps(pg_catalog.timestamptz) IS
  'Steps still unsent when they closed become expired (their plans go on with the next step); returns how many.';

-- Ends a Running execution: every step not final skipped for `step_reason`,
-- the status and execution_end set, the roll-ups refreshed. Internal.
CREATE OR REPLACE FUNCTION stormops.end_execution(execution_id pg_catalog.uuid, new_status stormops.execution_status,
                                                 step_reason pg_catalog.text, end_reason pg_catalog.text,
                                                 ended_at pg_catalog.timestamptz)
RETURNS stormops.playbook_executions
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  e stormops.playbook_executions;
BEGIN
  WITH ended AS (
    UPDATE stormops.contact_steps s
       SET status = 'skipped', reason = step_reason, is_next = false, lease_until = NULL, final_at = ended_at
     WHERE s.execution_id = end_execution.execution_id AND s.status IN ('planned', 'leased')
    RETURNING s.execution_id, s.property_id, s.step
  )
  INSERT INTO stormops.contact_step_changes (execution_id, property_id, step, status, reason, changed_at)
  SELECT d.execution_id, d.property_id, d.step, 'skipped', step_reason, ended_at FROM ended d;

  UPDATE stormops.playbook_executions x
     SET status = new_status, execution_end = greatest(ended_at, x.execution_start),
         end_reason = end_execution.end_reason
   WHERE x.execution_id = end_execution.execution_id;
  PERFORM stormops.refresh_execution_metrics(end_execution.execution_id);
  SELECT * INTO e FROM stormops.playbook_executions x WHERE x.execution_id = end_execution.execution_id;
  RETURN e;
END;
$$;

-- The execution named, locked, Running: a clear error otherwise.
CREATE OR REPLACE FUNCTION stormops.lock_running_execution(execution_id pg_catalog.uuid, verb pg_catalog.text)
RETURNS stormops.playbook_executions
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  e stormops.playbook_executions;
BEGIN
  SELECT * INTO e FROM stormops.playbook_executions x WHERE x.execution_id = lock_running_execution.execution_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'execution % does not exist', coalesce(lock_running_execution.execution_id::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Parameter execution_id.',
            HINT = 'List executions with: SELECT execution_id, status FROM stormops.playbook_executions;';
  END IF;
  IF e.status <> 'Running' THEN
    RAISE EXCEPTION 'execution % is %, so it cannot be %', e.execution_id, e.status, verb
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = format('It ended at %s: %s.', e.execution_end, coalesce(e.end_reason, 'no reason recorded')),
            HINT = 'Only a Running execution is completed or aborted, once.';
  END IF;
  RETURN e;
END;
$$;

CREATE OR REPLACE FUNCTION stormops.complete_execution(execution_id pg_catalog.uuid, force pg_catalog.bool DEFAULT false)
RETURNS stormops.playbook_executions
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  e stormops.playbook_executions := stormops.lock_running_execution(complete_execution.execution_id, 'completed');
  open_steps bigint;
BEGIN
  SELECT count(*) INTO open_steps FROM stormops.contact_steps s
   WHERE s.execution_id = e.execution_id AND s.status IN ('planned', 'leased');
  IF open_steps > 0 AND NOT coalesce(force, false) THEN
    RAISE EXCEPTION 'execution % has % steps still planned or leased', e.execution_id, open_steps
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'Completing it would leave them unsent without a word.',
            HINT = format('Wait for them; or SELECT stormops.complete_execution(%L, force => true) to skip them; or stormops.abort_execution(%L, reason).',
                          e.execution_id, e.execution_id);
  END IF;
  RETURN stormops.end_execution(e.execution_id, 'Completed',
                                format('execution completed with force by %s', session_user),
                                CASE WHEN open_steps > 0 THEN format('completed by %s with force (%s steps skipped)', session_user, open_steps)
                                     ELSE format('completed by %s', session_user) END,
                                now());
END;
$$;
COMMENT ON FUNCTION stormops.complete_execution(pg_catalog.uuid, pg_catalog.bool) IS
  'Completes a Running execution; refused while a step is planned or leased, unless force => true, which skips them.';

CREATE OR REPLACE FUNCTION stormops.abort_execution(execution_id pg_catalog.uuid, reason pg_catalog.text)
RETURNS stormops.playbook_executions
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  e stormops.playbook_executions;
BEGIN
  IF reason IS NULL OR btrim(reason) = '' THEN
    RAISE EXCEPTION 'an abort needs a reason'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Parameter reason.',
            HINT = 'Say why, e.g. stormops.abort_execution(id, ''storm data was wrong'').';
  END IF;
  e := stormops.lock_running_execution(abort_execution.execution_id, 'aborted');
  RETURN stormops.end_execution(e.execution_id, 'Aborted', 'execution aborted: ' || reason,
                                format('aborted by %s: %s', session_user, reason), now());
END;
$$;
COMMENT ON FUNCTION stormops.abort_execution(pg_catalog.uuid, pg_catalog.text) IS
  'Aborts a Running execution: every step not final is skipped with "execution aborted: <reason>".';

-- Completes every Running execution whose steps are all final and whose
-- last contact is more than stormops.attribution_days before as_of. An
-- execution that made no contact at all completes when its steps are
-- final; one made before 0.2.0 (no plan) when it started, and last
-- contacted, more than attribution_days ago. Expires closed steps first.
CREATE OR REPLACE FUNCTION stormops.close_finished_executions(as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (execution_id pg_catalog.uuid, playbook_name pg_catalog.text, end_reason pg_catalog.text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  window_days int := stormops.attribution_days();
  f record;
  e stormops.playbook_executions;
BEGIN
  IF as_of IS NULL THEN
    RAISE EXCEPTION 'as_of must not be NULL'
      USING ERRCODE = 'null_value_not_allowed', DETAIL = 'Parameter as_of.', HINT = 'Leave it out for now().';
  END IF;
  PERFORM stormops.expire_contact_steps(as_of);
  FOR f IN
    SELECT x.execution_id, p.playbook_name, c.last_contact, x.execution_start,
           EXISTS (SELECT FROM stormops.execution_steps k WHERE k.execution_id = x.execution_id) AS planned
      FROM stormops.playbook_executions x
      JOIN stormops.playbooks p ON p.playbook_id = x.playbook_id
      LEFT JOIN LATERAL (SELECT max(b.event_timestamp) AS last_contact FROM stormops.behavior_events b
                          WHERE b.execution_id = x.execution_id AND b.event_type = 'contact'
                            AND b.event_timestamp <= as_of) c ON true
     WHERE x.status = 'Running'
       AND NOT EXISTS (SELECT FROM stormops.contact_steps s   -- no current step not final
                        WHERE s.execution_id = x.execution_id AND s.is_next AND s.status IN ('planned', 'leased'))
     ORDER BY x.execution_start, x.execution_id
  LOOP
    CONTINUE WHEN f.last_contact > as_of - stormops.days_interval(window_days);
    CONTINUE WHEN NOT f.planned AND f.execution_start > as_of - stormops.days_interval(window_days);
    -- lock it, and skip one that another session ended meanwhile
    SELECT * INTO e FROM stormops.playbook_executions x WHERE x.execution_id = f.execution_id FOR UPDATE;
    CONTINUE WHEN e.status <> 'Running';
    e := stormops.end_execution(f.execution_id, 'Completed', 'execution completed',
           CASE WHEN f.last_contact IS NOT NULL THEN
                  format('every step final; last contact %s, more than stormops.attribution_days = %s before %s',
                         f.last_contact, window_days, as_of)
                WHEN f.planned THEN 'every step final; no contact was made'
                ELSE format('no contact plan (made before 0.2.0); started %s, more than stormops.attribution_days = %s before %s',
                            f.execution_start, window_days, as_of) END,
           as_of);
    execution_id := e.execution_id;
    playbook_name := f.playbook_name;
    end_reason := e.end_reason;
    RETURN NEXT;
  END LOOP;
END;
$$;
COMMENT ON FUNCTION stormops.close_finished_executions(pg_catalog.timestamptz) IS
  'Completes every Running execution whose steps are final and whose last contact is more than stormops.attribution_days old; returns them.';
