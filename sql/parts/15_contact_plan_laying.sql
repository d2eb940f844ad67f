-- Laying contact plans (contact-plans.md, "Plans and steps"): when an
-- execution is made, in the same transaction, every property its run
-- proposed (proposal_decisions) gets one step row per step of the
-- execution's channel strategy. A code part.
--
-- The local-time work is done once per (step, time zone), not per row: a
-- storm-wide execution has 100,000 properties but a handful of zones, so
-- the plans are one INSERT ... SELECT of properties joined to the steps'
-- first openings (bench/contact_plans). Failure modes: an execution
-- without a strategy snapshot (made before 0.2.0) is refused with a clear
-- error; a step whose allowed hours never fall inside its open period is
-- laid skipped, with the reason, and recorded as a change. A step with
-- arms (adaptive.md) is laid with its method, settings (the seed's
-- defaults: epsilon 0.1, recomputed every 100 sent contacts) and pool;
-- the arm itself is chosen when the contact is claimed.

CREATE OR REPLACE FUNCTION stormops.lay_contact_plans(execution_id pg_catalog.uuid)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  e stormops.playbook_executions;
  n_laid bigint;
BEGIN
  SELECT * INTO e FROM stormops.playbook_executions x WHERE x.execution_id = lay_contact_plans.execution_id;
  IF NOT FOUND OR e.channel_strategy IS NULL THEN
    RAISE EXCEPTION 'execution % has no channel strategy to lay plans from', lay_contact_plans.execution_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Plans are laid when an execution is made (generate_proposals); executions made before 0.2.0 have none.';
  END IF;

  -- The pools of the steps with arms (14_variant_tables.sql): one per
  -- playbook, step, channel and arms, shared with earlier executions.
  INSERT INTO stormops.arm_pools (playbook_id, step, channel, arms)
  SELECT e.playbook_id, (st ->> 'step')::int2, (st ->> 'channel')::stormops.channel,
         ARRAY(SELECT jsonb_array_elements_text(st -> 'message_variant'))
    FROM jsonb_array_elements(e.channel_strategy -> 'sequence') st
   WHERE jsonb_typeof(st -> 'message_variant') = 'array'
  ON CONFLICT ON CONSTRAINT arm_pools_one_per_step_and_arms DO NOTHING;

  INSERT INTO stormops.execution_steps AS x
         (execution_id, step, channel, condition, timing_window, message_variant, offer_type, success_criteria,
          due_at, closes_at, allowed_days, allowed_start_min, allowed_end_min,
          arms, arm_method, bandit_epsilon, reoptimize_after, arm_pool_id)
  SELECT e.execution_id, (st ->> 'step')::int2, (st ->> 'channel')::stormops.channel, st ->> 'condition',
         st ->> 'timing_window', CASE WHEN v.arms IS NULL THEN st ->> 'message_variant' END,
         st ->> 'offer_type', st ->> 'success_criteria',
         e.execution_start + make_interval(secs => (st ->> 'timing_hours')::float8 * 3600),
         e.execution_start + make_interval(secs => ((st ->> 'timing_hours')::float8
                                                    + coalesce((st ->> 'duration_hours')::float8, stormops.step_open_hours())) * 3600),
         a.days, a.start_min, a.end_min,
         v.arms, m.method,
         -- a searched CASE: Citus deparses "CASE m.method WHEN 'epsilon_greedy'"
         -- as "WHEN NULL::boolean" when it sends the statement to a node
         CASE WHEN m.method = 'epsilon_greedy' THEN coalesce((ad ->> 'bandit_epsilon')::float8, 0.1) END,
         CASE WHEN m.method IN ('epsilon_greedy', 'thompson')
              THEN coalesce((ad ->> 'reoptimize_after_n_contacts')::int4, 100) END,
         (SELECT p.pool_id FROM stormops.arm_pools p
           WHERE p.playbook_id = e.playbook_id AND p.step = (st ->> 'step')::int2
             AND p.channel = (st ->> 'channel')::stormops.channel AND p.arms = v.arms)
    FROM jsonb_array_elements(e.channel_strategy -> 'sequence') st
   CROSS JOIN LATERAL stormops.allowed_hours(st ->> 'channel', st ->> 'timing_window') a
   CROSS JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(st -> 'message_variant') = 'array'
                                   THEN ARRAY(SELECT jsonb_array_elements_text(st -> 'message_variant')) END) v(arms)
   CROSS JOIN LATERAL (SELECT nullif(e.channel_strategy -> 'adaptive', 'null'::jsonb)) d(ad)
   CROSS JOIN LATERAL (SELECT CASE WHEN v.arms IS NULL THEN NULL
                                   WHEN coalesce((ad ->> 'enabled')::bool, false)
                                   THEN coalesce(ad ->> 'method', 'epsilon_greedy')
                                   ELSE 'uniform' END) m(method);

  -- The run's decisions through its primary key, in property_id order, so
  -- that the steps' primary key grows at its end instead of splitting pages;
  -- each property's ZIP through properties_zip_of_idx (0.18 s for 100,000;
  -- 0.9 s from the table). The decisions were written in this transaction,
  -- so statistics count none of them: the planner expects few rows and
  -- takes both indexes.
  WITH plans AS MATERIALIZED (
    SELECT d.property_id, d.rank, coalesce(z.time_zone, stormops.default_time_zone()) AS time_zone
      FROM stormops.proposal_decisions d
      JOIN stormops.properties p ON p.property_id = d.property_id
      LEFT JOIN stormops.zip_codes z ON z.zip = p.zip
     WHERE d.proposal_id = (SELECT r.proposal_id FROM stormops.proposal_runs r WHERE r.execution_id = e.execution_id)
       AND d.decision = 'proposed'
  ), openings AS MATERIALIZED (
    SELECT x.step, x.channel, x.due_at, z.time_zone, w.opens_at, w.open_until,
           CASE WHEN w.opens_at IS NULL THEN 'no allowed time before the step closes'
                WHEN w.opens_at > x.due_at THEN
                  format('waits for its allowed hours (%s) until %s',
                         stormops.allowed_hours_text(x.allowed_days, x.allowed_start_min, x.allowed_end_min, z.time_zone),
                         to_char(w.opens_at AT TIME ZONE z.time_zone, 'YYYY-MM-DD HH24:MI'))
                ELSE 'due' END AS reason
      FROM stormops.execution_steps x
     CROSS JOIN (SELECT DISTINCT p.time_zone FROM plans p) z
      LEFT JOIN LATERAL stormops.next_allowed_time(x.due_at, x.closes_at, z.time_zone, x.allowed_days,
                                                   x.allowed_start_min, x.allowed_end_min) w ON true
     WHERE x.execution_id = e.execution_id
  ), firsts AS (
    SELECT o.time_zone, min(o.step) FILTER (WHERE o.opens_at IS NOT NULL) AS first_step
      FROM openings o GROUP BY o.time_zone
  ), laid AS (
    INSERT INTO stormops.contact_steps
           (execution_id, property_id, step, channel, rank, time_zone, status, reason, is_next,
            due_at, ready_at, allowed_until, final_at)
    SELECT e.execution_id, p.property_id, o.step, o.channel, p.rank, p.time_zone,
           CASE WHEN o.opens_at IS NULL THEN 'skipped' ELSE 'planned' END::stormops.contact_status,
           o.reason, o.step IS NOT DISTINCT FROM f.first_step,
           o.due_at, o.opens_at, o.open_until,
           CASE WHEN o.opens_at IS NULL THEN e.execution_start END
      FROM plans p
      JOIN openings o ON o.time_zone = p.time_zone
      JOIN firsts f ON f.time_zone = p.time_zone
  ), skips AS (
    -- a skip is a change like any other; being laid is not (the row says it)
    INSERT INTO stormops.contact_step_changes (execution_id, property_id, step, status, reason, changed_at)
    SELECT e.execution_id, p.property_id, o.step, 'skipped', o.reason, e.execution_start
      FROM plans p JOIN openings o ON o.time_zone = p.time_zone
     WHERE o.opens_at IS NULL
  )
  SELECT count(*) * (SELECT count(*) FROM stormops.execution_steps x WHERE x.execution_id = e.execution_id)
    INTO n_laid FROM plans;
  RETURN n_laid;
END;
$$;
COMMENT ON FUNCTION stormops.lay_contact_plans(pg_catalog.uuid) IS
  'Internal: the contact plans of a new execution, one step row per proposed property and step (propose_playbook calls it).';
