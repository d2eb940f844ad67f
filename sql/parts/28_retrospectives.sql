-- Retrospectives (retrospectives.md, docs/retrospectives.md): did a play
-- beat doing nothing? A code part. Every figure comes from stored rows: a
-- run's decisions say who was treated (proposed) and who was held out
-- (holdout); behaviour events in [start, start + attribution_days) say what
-- each of them did, whoever contacted them; the run's execution's contact
-- events say what was spent. One source: member_outcomes holds the outcome
-- definitions; run_figures (per run: retrospective, playbook_history)
-- counts it with the runs' sizes and their executions' contacts;
-- run_outcomes (per property: sensitivity) joins it with each property's
-- contact cost; uplift_figures turns counts into figures for both.
--
-- Failure modes: a run without control gets NULL control columns and a
-- note; a control under 30 properties, or no conversion in either group,
-- gets a NULL interval and p-value and a note; a cost of 0 a NULL ROI.
-- The SQL functions are inlined into their caller only when their
-- argument is a plain parameter, and a plan made for "some runs" joins a
-- million decisions by nested loops: the plpgsql callers run them with
-- RETURN QUERY EXECUTE ... USING (a plan for these runs, each call).
-- Nothing here writes.

CREATE OR REPLACE FUNCTION stormops.newcombe_interval(treated_successes pg_catalog.int8, treated pg_catalog.int8,
                                                     control_successes pg_catalog.int8, control pg_catalog.int8,
                                                     OUT low pg_catalog.float8, OUT high pg_catalog.float8)
RETURNS record
AS 'MODULE_PATHNAME', 'stormops_newcombe_interval'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.newcombe_interval(pg_catalog.int8, pg_catalog.int8, pg_catalog.int8, pg_catalog.int8) IS
  'Newcombe''s hybrid score 95% interval of treated_successes/treated - control_successes/control (NULLs without trials).';

CREATE OR REPLACE FUNCTION stormops.two_proportion_p_value(treated_successes pg_catalog.int8, treated pg_catalog.int8,
                                                          control_successes pg_catalog.int8, control pg_catalog.int8)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_two_proportion_p_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.two_proportion_p_value(pg_catalog.int8, pg_catalog.int8, pg_catalog.int8, pg_catalog.int8) IS
  'Two-sided p-value of the pooled two-proportion z test (NULL when the pooled rate is 0 or 1).';

-- Each run's window, its execution and its playbook's cost overrides.
CREATE OR REPLACE FUNCTION stormops.run_windows(proposal_ids pg_catalog.uuid[])
RETURNS TABLE (proposal_id pg_catalog.uuid, execution_id pg_catalog.uuid, cost_per_contact pg_catalog.jsonb,
               starts pg_catalog.timestamptz, ends pg_catalog.timestamptz)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT r.proposal_id, r.execution_id, b.cost_per_contact, COALESCE(e.execution_start, r.as_of),
         COALESCE(e.execution_start, r.as_of) OPERATOR(pg_catalog.+)
           stormops.days_interval(stormops.attribution_days())
    FROM stormops.proposal_runs r
    JOIN stormops.playbooks b ON b.playbook_id OPERATOR(pg_catalog.=) r.playbook_id
    LEFT JOIN stormops.playbook_executions e ON e.execution_id OPERATOR(pg_catalog.=) r.execution_id
   WHERE r.proposal_id OPERATOR(pg_catalog.=) ANY (run_windows.proposal_ids);
END;
COMMENT ON FUNCTION stormops.run_windows(pg_catalog.uuid[]) IS
  'Internal: each run''s execution, cost overrides and outcome window [start, start + attribution_days).';

-- The treated and control properties of these runs that responded in their
-- run's window (the others: responded and converted false, revenue 0). The
-- outcome definitions of the design, in one place. Opens are not read: no
-- figure uses them (they were two thirds of the events a retrospective of
-- 1,000,000 decisions joined, bench/retrospectives).
CREATE OR REPLACE FUNCTION stormops.member_outcomes(proposal_ids pg_catalog.uuid[])
RETURNS TABLE (proposal_id pg_catalog.uuid, property_id pg_catalog.text, treated pg_catalog.bool,
               responded pg_catalog.bool, converted pg_catalog.bool, revenue pg_catalog.int8)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT d.proposal_id, d.property_id, d.decision OPERATOR(pg_catalog.=) 'proposed', true,
         pg_catalog.bool_or(b.event_type OPERATOR(pg_catalog.=) 'conversion'),
         COALESCE(pg_catalog.sum(b.revenue) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'conversion'), 0)
    FROM stormops.run_windows(member_outcomes.proposal_ids) u
    JOIN stormops.proposal_decisions d ON d.proposal_id OPERATOR(pg_catalog.=) u.proposal_id
    JOIN stormops.behavior_events b
      ON b.property_id OPERATOR(pg_catalog.=) d.property_id
     AND b.event_timestamp OPERATOR(pg_catalog.>=) u.starts
     AND b.event_timestamp OPERATOR(pg_catalog.<) u.ends
   WHERE d.decision OPERATOR(pg_catalog.=) ANY ('{proposed,holdout}'::stormops.decision[])
     AND b.event_type OPERATOR(pg_catalog.=) ANY ('{click,response,conversion}'::pg_catalog.text[])
     -- all the windows at once (an index condition on behavior_events_responses_idx)
     AND b.event_timestamp OPERATOR(pg_catalog.>=)
         (SELECT pg_catalog.min(w.starts) FROM stormops.run_windows(member_outcomes.proposal_ids) w)
     AND b.event_timestamp OPERATOR(pg_catalog.<)
         (SELECT pg_catalog.max(w.ends) FROM stormops.run_windows(member_outcomes.proposal_ids) w)
   GROUP BY d.proposal_id, d.property_id, d.decision;
END;
COMMENT ON FUNCTION stormops.member_outcomes(pg_catalog.uuid[]) IS
  'Internal: the treated and control properties of these runs with a click, response or conversion in the run''s window: converted, revenue.';

-- The contacts each run's execution sent, per property, priced per run and
-- channel (a channel_cost call per run and channel, not per contact: per
-- contact it was 30 s for 900,000 contacts; MATERIALIZED keeps the planner
-- from moving the call above the join).
CREATE OR REPLACE FUNCTION stormops.run_contact_costs(proposal_ids pg_catalog.uuid[])
RETURNS TABLE (proposal_id pg_catalog.uuid, property_id pg_catalog.text, contacts pg_catalog.int8,
               cost pg_catalog.numeric)
LANGUAGE sql STABLE
BEGIN ATOMIC
  WITH u AS (
    SELECT * FROM stormops.run_windows(run_contact_costs.proposal_ids)
  ), prices AS MATERIALIZED (
    SELECT u.proposal_id, u.execution_id, c.channel, stormops.channel_cost(u.cost_per_contact, c.channel) AS price
      FROM u CROSS JOIN pg_catalog.unnest(pg_catalog.enum_range(NULL::stormops.channel)::pg_catalog.text[]) AS c(channel)
  )
  SELECT p.proposal_id, b.property_id, pg_catalog.count(*), COALESCE(pg_catalog.sum(p.price), 0)
    FROM prices p
    JOIN stormops.behavior_events b
      ON b.execution_id OPERATOR(pg_catalog.=) p.execution_id AND b.channel OPERATOR(pg_catalog.=) p.channel
   WHERE b.event_type OPERATOR(pg_catalog.=) 'contact'
   GROUP BY p.proposal_id, b.property_id;
END;
COMMENT ON FUNCTION stormops.run_contact_costs(pg_catalog.uuid[]) IS
  'Internal: per run and contacted property, the contacts its execution sent and their cost at the channel''s price.';

-- Every treated and control property of these runs with its outcome in the
-- run's window and the contacts the run's execution sent it and their cost
-- (sensitivity reads it per property; run_figures aggregates the same
-- pieces per run).
CREATE OR REPLACE FUNCTION stormops.run_outcomes(proposal_ids pg_catalog.uuid[])
RETURNS TABLE (proposal_id pg_catalog.uuid, property_id pg_catalog.text, treated pg_catalog.bool,
               contacted pg_catalog.bool, responded pg_catalog.bool, converted pg_catalog.bool,
               revenue pg_catalog.int8, cost pg_catalog.numeric)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT d.proposal_id, d.property_id, d.decision OPERATOR(pg_catalog.=) 'proposed', c.proposal_id IS NOT NULL,
         COALESCE(o.responded, false), COALESCE(o.converted, false), COALESCE(o.revenue, 0), COALESCE(c.cost, 0)
    FROM stormops.proposal_decisions d
    LEFT JOIN stormops.member_outcomes(run_outcomes.proposal_ids) o
           ON o.proposal_id OPERATOR(pg_catalog.=) d.proposal_id AND o.property_id OPERATOR(pg_catalog.=) d.property_id
    LEFT JOIN stormops.run_contact_costs(run_outcomes.proposal_ids) c
           ON c.proposal_id OPERATOR(pg_catalog.=) d.proposal_id AND c.property_id OPERATOR(pg_catalog.=) d.property_id
          AND d.decision OPERATOR(pg_catalog.=) 'proposed'
   WHERE d.proposal_id OPERATOR(pg_catalog.=) ANY (run_outcomes.proposal_ids)
     AND d.decision OPERATOR(pg_catalog.=) ANY ('{proposed,holdout}'::stormops.decision[]);
END;
COMMENT ON FUNCTION stormops.run_outcomes(pg_catalog.uuid[]) IS
  'Per treated (proposed) and control (holdout) property of these runs: contacted by the run''s execution, responded, converted and revenue within [start, start + attribution_days), and the cost of its contacts.';

-- The figures of retrospective.md from groups' counts and sums: one body
-- for a run (run_figures) and a bin (sensitivity). Rates are float8
-- (unrounded); money is numeric, to the cent (ROI to 4 places), computed
-- from unrounded parts.
CREATE OR REPLACE FUNCTION stormops.uplift_figures(
  treated pg_catalog.int8, contacted pg_catalog.int8, responded pg_catalog.int8, converted pg_catalog.int8,
  revenue pg_catalog.numeric, cost pg_catalog.numeric,
  control pg_catalog.int8, control_responded pg_catalog.int8, control_converted pg_catalog.int8,
  control_revenue pg_catalog.numeric,
  OUT response_rate pg_catalog.float8, OUT control_response_rate pg_catalog.float8,
  OUT conversion_rate pg_catalog.float8, OUT control_conversion_rate pg_catalog.float8,
  OUT uplift pg_catalog.float8, OUT uplift_low pg_catalog.float8, OUT uplift_high pg_catalog.float8,
  OUT p_value pg_catalog.float8, OUT incremental_conversions pg_catalog.float8,
  OUT revenue_per_treated pg_catalog.numeric, OUT revenue_per_control pg_catalog.numeric,
  OUT incremental_revenue pg_catalog.numeric, OUT avg_ticket pg_catalog.numeric,
  OUT roi pg_catalog.numeric, OUT incremental_roi pg_catalog.numeric, OUT note pg_catalog.text)
RETURNS record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT f.rr, f.crr, f.cr, f.ccr, f.cr OPERATOR(pg_catalog.-) f.ccr,
         CASE WHEN f.testable THEN (stormops.newcombe_interval(converted, treated, control_converted, control)).low END,
         CASE WHEN f.testable THEN (stormops.newcombe_interval(converted, treated, control_converted, control)).high END,
         CASE WHEN f.testable THEN stormops.two_proportion_p_value(converted, treated, control_converted, control) END,
         (f.cr OPERATOR(pg_catalog.-) f.ccr) OPERATOR(pg_catalog.*) treated::pg_catalog.float8,
         pg_catalog.round(f.rpt, 2), pg_catalog.round(f.rpc, 2),
         pg_catalog.round((f.rpt OPERATOR(pg_catalog.-) f.rpc) OPERATOR(pg_catalog.*) treated, 2),
         pg_catalog.round(revenue OPERATOR(pg_catalog./) NULLIF(converted, 0), 2),
         pg_catalog.round((revenue OPERATOR(pg_catalog.-) cost) OPERATOR(pg_catalog./) NULLIF(cost, 0), 4),
         pg_catalog.round(((f.rpt OPERATOR(pg_catalog.-) f.rpc) OPERATOR(pg_catalog.*) treated OPERATOR(pg_catalog.-) cost)
                          OPERATOR(pg_catalog./) NULLIF(cost, 0), 4),
         NULLIF(pg_catalog.concat_ws('; ',
           CASE WHEN treated OPERATOR(pg_catalog.=) 0 THEN 'no treated properties' END,
           CASE WHEN control OPERATOR(pg_catalog.=) 0 THEN 'no control group (no holdout decisions): control figures, uplift, interval and p-value are NULL'
                WHEN control OPERATOR(pg_catalog.<) 30 THEN
                  pg_catalog.format('control of %s properties, fewer than 30: no interval or p-value', control)
                WHEN treated OPERATOR(pg_catalog.>) 0 AND converted OPERATOR(pg_catalog.=) 0
                 AND control_converted OPERATOR(pg_catalog.=) 0 THEN
                  'no conversions in either group: no interval or p-value' END,
           CASE WHEN cost OPERATOR(pg_catalog.=) 0 AND treated OPERATOR(pg_catalog.>) 0 THEN 'no contact cost: ROI is NULL' END), '')
    FROM (SELECT responded::pg_catalog.float8 OPERATOR(pg_catalog./) NULLIF(treated, 0) AS rr,
                 control_responded::pg_catalog.float8 OPERATOR(pg_catalog./) NULLIF(control, 0) AS crr,
                 converted::pg_catalog.float8 OPERATOR(pg_catalog./) NULLIF(treated, 0) AS cr,
                 control_converted::pg_catalog.float8 OPERATOR(pg_catalog./) NULLIF(control, 0) AS ccr,
                 revenue OPERATOR(pg_catalog./) NULLIF(treated, 0) AS rpt,
                 control_revenue OPERATOR(pg_catalog./) NULLIF(control, 0) AS rpc,
                 treated OPERATOR(pg_catalog.>) 0 AND control OPERATOR(pg_catalog.>=) 30
                   AND converted OPERATOR(pg_catalog.+) control_converted OPERATOR(pg_catalog.>) 0 AS testable) f;
END;
COMMENT ON FUNCTION stormops.uplift_figures(pg_catalog.int8, pg_catalog.int8, pg_catalog.int8, pg_catalog.int8,
                                            pg_catalog.numeric, pg_catalog.numeric, pg_catalog.int8, pg_catalog.int8,
                                            pg_catalog.int8, pg_catalog.numeric) IS
  'The retrospective''s figures of a treated group against its control, from their counts and sums (docs/retrospectives.md).';

-- Per run: the groups' counts and sums, and uplift_figures of them.
CREATE OR REPLACE FUNCTION stormops.run_figures(proposal_ids pg_catalog.uuid[])
RETURNS TABLE (proposal_id pg_catalog.uuid, treated pg_catalog.int8, contacted pg_catalog.int8,
               responded pg_catalog.int8, response_rate pg_catalog.float8, control_response_rate pg_catalog.float8,
               converted pg_catalog.int8, conversion_rate pg_catalog.float8, control_size pg_catalog.int8,
               control_conversion_rate pg_catalog.float8, uplift pg_catalog.float8, uplift_low pg_catalog.float8,
               uplift_high pg_catalog.float8, p_value pg_catalog.float8, incremental_conversions pg_catalog.float8,
               revenue pg_catalog.numeric, revenue_per_treated pg_catalog.numeric,
               revenue_per_control pg_catalog.numeric, incremental_revenue pg_catalog.numeric,
               avg_ticket pg_catalog.numeric, cost pg_catalog.numeric, roi pg_catalog.numeric,
               incremental_roi pg_catalog.numeric, note pg_catalog.text)
LANGUAGE sql STABLE
BEGIN ATOMIC
  WITH sizes AS (
    SELECT d.proposal_id,
           pg_catalog.count(*) FILTER (WHERE d.decision OPERATOR(pg_catalog.=) 'proposed') AS treated,
           pg_catalog.count(*) FILTER (WHERE d.decision OPERATOR(pg_catalog.=) 'holdout') AS control
      FROM stormops.proposal_decisions d
     WHERE d.proposal_id OPERATOR(pg_catalog.=) ANY (run_figures.proposal_ids)
       AND d.decision OPERATOR(pg_catalog.=) ANY ('{proposed,holdout}'::stormops.decision[])
     GROUP BY d.proposal_id
  ), outcomes AS (
    SELECT o.proposal_id,
           pg_catalog.count(*) FILTER (WHERE o.treated AND o.responded) AS responded,
           pg_catalog.count(*) FILTER (WHERE o.treated AND o.converted) AS converted,
           COALESCE(pg_catalog.sum(o.revenue) FILTER (WHERE o.treated), 0)::pg_catalog.numeric AS revenue,
           pg_catalog.count(*) FILTER (WHERE NOT o.treated AND o.responded) AS control_responded,
           pg_catalog.count(*) FILTER (WHERE NOT o.treated AND o.converted) AS control_converted,
           COALESCE(pg_catalog.sum(o.revenue) FILTER (WHERE NOT o.treated), 0)::pg_catalog.numeric AS control_revenue
      FROM stormops.member_outcomes(run_figures.proposal_ids) o
     GROUP BY o.proposal_id
  ), contacts AS (
    -- per run, its execution's contacts (which go to treated properties
    -- only) from behavior_events_execution_idx alone: the distinct properties
    -- in index order, and the contacts per channel at the channel's price.
    -- (A channel_cost call per contact took 30 s for 900,000 contacts; a
    -- semi-join of the treated with their contacts was planned as 900,000
    -- index probes, 6 s; one pass over all contacts was sorted twice,
    -- 2.3 s; bench/retrospectives.)
    SELECT u.proposal_id,
           (SELECT pg_catalog.count(*)
              FROM (SELECT DISTINCT b.property_id FROM stormops.behavior_events b
                     WHERE b.execution_id OPERATOR(pg_catalog.=) u.execution_id
                       AND b.event_type OPERATOR(pg_catalog.=) 'contact' AND b.execution_id IS NOT NULL) z) AS contacted,
           (SELECT COALESCE(pg_catalog.sum(k.n OPERATOR(pg_catalog.*) stormops.channel_cost(u.cost_per_contact, k.channel)), 0)
              FROM (SELECT b.channel, pg_catalog.count(*) AS n FROM stormops.behavior_events b
                     WHERE b.execution_id OPERATOR(pg_catalog.=) u.execution_id
                       AND b.event_type OPERATOR(pg_catalog.=) 'contact' AND b.execution_id IS NOT NULL
                     GROUP BY b.channel) k) AS cost
      FROM stormops.run_windows(run_figures.proposal_ids) u
     WHERE u.execution_id IS NOT NULL
  ), g AS (
    SELECT s.proposal_id, s.treated, COALESCE(c.contacted, 0) AS contacted, COALESCE(o.responded, 0) AS responded,
           COALESCE(o.converted, 0) AS converted, COALESCE(o.revenue, 0) AS revenue, COALESCE(c.cost, 0) AS cost,
           s.control, COALESCE(o.control_responded, 0) AS control_responded,
           COALESCE(o.control_converted, 0) AS control_converted, COALESCE(o.control_revenue, 0) AS control_revenue
      FROM sizes s
      LEFT JOIN outcomes o ON o.proposal_id OPERATOR(pg_catalog.=) s.proposal_id
      LEFT JOIN contacts c ON c.proposal_id OPERATOR(pg_catalog.=) s.proposal_id
  ), r AS (
    SELECT i.id, COALESCE(g.treated, 0) AS treated, COALESCE(g.contacted, 0) AS contacted,
           COALESCE(g.responded, 0) AS responded, COALESCE(g.converted, 0) AS converted,
           COALESCE(g.revenue, 0) AS revenue, COALESCE(g.cost, 0) AS cost, COALESCE(g.control, 0) AS control,
           COALESCE(g.control_responded, 0) AS control_responded,
           COALESCE(g.control_converted, 0) AS control_converted, COALESCE(g.control_revenue, 0) AS control_revenue
      FROM (SELECT DISTINCT u.id FROM pg_catalog.unnest(run_figures.proposal_ids) AS u(id)) i
      JOIN stormops.proposal_runs x ON x.proposal_id OPERATOR(pg_catalog.=) i.id
      LEFT JOIN g ON g.proposal_id OPERATOR(pg_catalog.=) i.id
  )
  SELECT r.id, r.treated, r.contacted, r.responded, f.response_rate, f.control_response_rate,
         r.converted, f.conversion_rate, NULLIF(r.control, 0), f.control_conversion_rate, f.uplift,
         f.uplift_low, f.uplift_high, f.p_value, f.incremental_conversions, r.revenue, f.revenue_per_treated,
         f.revenue_per_control, f.incremental_revenue, f.avg_ticket, r.cost, f.roi, f.incremental_roi, f.note
    FROM r
   CROSS JOIN LATERAL stormops.uplift_figures(r.treated, r.contacted, r.responded, r.converted, r.revenue, r.cost,
                                              r.control, r.control_responded, r.control_converted,
                                              r.control_revenue) f;
END;
COMMENT ON FUNCTION stormops.run_figures(pg_catalog.uuid[]) IS
  'The retrospective''s figures of each of these proposal runs (treated against its holdout control).';

-- The seed's post-storm query: one row per playbook that ran for the event.
CREATE OR REPLACE FUNCTION stormops.retrospective(event_id pg_catalog.text)
RETURNS TABLE (playbook_name pg_catalog.text, playbook_version pg_catalog.text, proposal_id pg_catalog.uuid,
               execution_id pg_catalog.uuid, imported pg_catalog.bool, treated pg_catalog.int8,
               contacted pg_catalog.int8, responded pg_catalog.int8, response_rate pg_catalog.float8,
               control_response_rate pg_catalog.float8, converted pg_catalog.int8,
               conversion_rate pg_catalog.float8, control_size pg_catalog.int8,
               control_conversion_rate pg_catalog.float8, uplift pg_catalog.float8, uplift_low pg_catalog.float8,
               uplift_high pg_catalog.float8, p_value pg_catalog.float8, incremental_conversions pg_catalog.float8,
               revenue pg_catalog.numeric, revenue_per_treated pg_catalog.numeric,
               revenue_per_control pg_catalog.numeric, incremental_revenue pg_catalog.numeric,
               avg_ticket pg_catalog.numeric, cost pg_catalog.numeric, roi pg_catalog.numeric,
               incremental_roi pg_catalog.numeric, roi_rank pg_catalog.int8, note pg_catalog.text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
-- JIT compiled the 100-run statement for 1.1 s of its 5 (bench/retrospectives)
SET jit = off
AS $$
DECLARE
  runs uuid[];
BEGIN
  IF NOT EXISTS (SELECT FROM stormops.storm_events s WHERE s.event_id = retrospective.event_id) THEN
    RAISE EXCEPTION 'storm event "%" does not exist', retrospective.event_id
      USING ERRCODE = 'undefined_object',
            HINT = 'stormops.storm_events lists the events; an imported campaign is an event too.';
  END IF;
  runs := ARRAY(SELECT r.proposal_id FROM stormops.proposal_runs r WHERE r.event_id = retrospective.event_id);
  -- EXECUTE: planned for these runs each call (a cached generic plan
  -- guesses ten runs and joins a million decisions by nested loops: 16 s)
  RETURN QUERY EXECUTE $q$
  SELECT b.playbook_name, r.playbook_version, r.proposal_id, r.execution_id, r.imported, f.treated, f.contacted,
         f.responded, f.response_rate, f.control_response_rate, f.converted, f.conversion_rate, f.control_size,
         f.control_conversion_rate, f.uplift, f.uplift_low, f.uplift_high, f.p_value, f.incremental_conversions,
         f.revenue, f.revenue_per_treated, f.revenue_per_control, f.incremental_revenue, f.avg_ticket, f.cost,
         f.roi, f.incremental_roi, rank() OVER (ORDER BY f.roi DESC NULLS LAST), f.note
    FROM stormops.run_figures($1) f
    JOIN stormops.proposal_runs r ON r.proposal_id = f.proposal_id
    JOIN stormops.playbooks b ON b.playbook_id = r.playbook_id
   ORDER BY f.roi DESC NULLS LAST, b.playbook_name
  $q$ USING runs;
END;
$$;
COMMENT ON FUNCTION stormops.retrospective(pg_catalog.text) IS
  'Did each play that ran for this storm event beat doing nothing: treated against holdout (intention to treat), uplift with Newcombe''s interval and p-value, incremental revenue, ROI and roi_rank.';
