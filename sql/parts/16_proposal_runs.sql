-- Proposal runs (proposals.md, docs/proposals.md): one playbook's run for a
-- trigger (propose_playbook), and every Active playbook's runs for a storm
-- event (generate_proposals). A code part: functions only, CREATE OR REPLACE,
-- so an update script can run it again (docs/upgrades.md).

-- One proposal run of one playbook: targets, decisions, the execution when
-- enough are proposed, notifications for escalations, all in one statement;
-- then the execution's contact plans (lay_contact_plans).
-- Returns the run's id, or NULL when the run already exists (once and only
-- once per trigger). The caller holds the proposal lock.
CREATE OR REPLACE FUNCTION stormops.propose_playbook(pb stormops.playbooks, event_id pg_catalog.text,
                                          permit_id pg_catalog.text, only_zip pg_catalog.text,
                                          run_priority pg_catalog.int4, trigger_reason pg_catalog.text,
                                          as_of pg_catalog.timestamptz)
RETURNS pg_catalog.uuid
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
-- The decision statement's row estimates are far too high (the signals'
-- join), which made JIT compile it on every run: 0.7 s of a 0.85 s run on
-- 11,000 targets, for nothing (bench/proposals).
SET jit = off
-- Plans made for each run's targets: a generic plan guesses ten targets and
-- joins 79,000 of them with nested loops (77 s instead of seconds).
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
  run_id uuid := gen_random_uuid();
  new_execution_id uuid := gen_random_uuid();
  committed int;            -- properties already proposed in this playbook's Running executions
  per_property numeric := stormops.playbook_cost_per_property(pb);
  play_channels text[] := ARRAY(SELECT DISTINCT st ->> 'channel'
                                  FROM jsonb_array_elements(pb.channel_strategy -> 'sequence') st);
  target_ids text[];
  target_ranks int[];
  concurrent_room int;      -- NULL: no limit
  budget_room int8;         -- NULL: no limit
BEGIN
  IF EXISTS (SELECT FROM stormops.proposal_runs r
              WHERE r.playbook_id = pb.playbook_id
                AND (r.event_id = propose_playbook.event_id OR r.permit_id = propose_playbook.permit_id)) THEN
    RETURN NULL;
  END IF;

  SELECT coalesce(sum(e.properties_targeted), 0) INTO committed
    FROM stormops.playbook_executions e
   WHERE e.playbook_id = pb.playbook_id AND e.status = 'Running';
  IF pb.max_concurrent_properties IS NOT NULL THEN
    concurrent_room := greatest(pb.max_concurrent_properties - committed, 0);
  END IF;
  IF pb.budget_allocated IS NOT NULL AND per_property > 0 THEN
    budget_room := greatest(floor(pb.budget_allocated / per_property)::int8 - committed, 0);
  END IF;

  -- The targets as arrays, not a subquery: the signals' query then reads only
  -- those properties' state or history, through their indexes.
  SELECT coalesce(array_agg(t.property_id ORDER BY t.rank), '{}'), coalesce(array_agg(t.rank ORDER BY t.rank), '{}')
    INTO target_ids, target_ranks
    FROM stormops.target_properties(pb.targeting_rules, propose_playbook.event_id, as_of) t
   WHERE only_zip IS NULL
      OR EXISTS (SELECT FROM stormops.properties p WHERE p.property_id = t.property_id AND p.zip = only_zip);

  WITH targets AS MATERIALIZED (
    SELECT u.property_id, u.rank FROM unnest(target_ids, target_ranks) AS u(property_id, rank)
  ), signals AS MATERIALIZED (
    SELECT s.* FROM stormops.guardrail_signals_of(target_ids, as_of) s
  ), blocked AS MATERIALIZED (
    -- do-not-contact entries for single channels that, together, cover
    -- every channel this play would use
    SELECT n.property_id, string_agg(n.channel || ': ' || n.reason, '; ' ORDER BY n.channel) AS reasons
      FROM targets t
      JOIN stormops.do_not_contact n ON n.property_id = t.property_id
     WHERE n.channel = ANY (play_channels) AND n.added_at <= as_of
     GROUP BY n.property_id
    HAVING count(*) = cardinality(play_channels)
  ), opted AS MATERIALIZED (
    -- the do-not-contact entry for all channels (at most one per property),
    -- joined rather than read by a correlated subquery: Citus can plan the
    -- join (docs/scaling.md)
    SELECT n.property_id, n.reason
      FROM targets t
      JOIN stormops.do_not_contact n ON n.property_id = t.property_id
     WHERE n.channel = 'all' AND n.added_at <= as_of
  ), busy AS MATERIALIZED (
    -- worked by a Running execution: of another playbook, or of this one
    -- for an earlier storm or permit (one play at a time, and once)
    SELECT DISTINCT ON (d.property_id) d.property_id, e.execution_id, op.playbook_name
      FROM targets t
      JOIN stormops.proposal_decisions d ON d.property_id = t.property_id AND d.execution_id IS NOT NULL
      JOIN stormops.playbook_executions e ON e.execution_id = d.execution_id
      JOIN stormops.playbooks op ON op.playbook_id = e.playbook_id
     WHERE e.status = 'Running'
     ORDER BY d.property_id, e.execution_start, e.execution_id
  ), checked AS (
    SELECT t.property_id, t.rank, s.complaint_count_30d, s.contact_frequency_7d,
           CASE WHEN s.opted_out OR bl.property_id IS NOT NULL THEN 'suppressed'
                WHEN s.escalate_flag THEN 'escalated'
                WHEN s.throttle_flag THEN 'throttled'
                WHEN b.property_id IS NOT NULL THEN 'busy'
                WHEN stormops.holdout_draw(pb.playbook_id, t.property_id) < pb.holdout_share THEN 'holdout'
           END::stormops.decision AS early_decision,
           CASE WHEN s.opted_out THEN
                  coalesce('on the do-not-contact list: ' || o.reason, 'opted out')
                WHEN bl.property_id IS NOT NULL THEN
                  'on the do-not-contact list for every channel of this play: ' || bl.reasons
                WHEN s.escalate_flag THEN
                  format('%s complaints in 30 days, more than stormops.escalate_complaints_30d = %s',
                         s.complaint_count_30d, stormops.escalate_complaints_30d())
                WHEN s.throttle_flag THEN
                  format('%s contacts in 7 days, more than stormops.throttle_contacts_7d = %s',
                         s.contact_frequency_7d, stormops.throttle_contacts_7d())
                WHEN b.property_id IS NOT NULL THEN
                  format('in Running execution %s of playbook %s', b.execution_id, b.playbook_name)
                ELSE format('control group: holdout draw below holdout_share %s', pb.holdout_share)
           END AS early_reason
      FROM targets t
      LEFT JOIN signals s ON s.property_id = t.property_id
      LEFT JOIN blocked bl ON bl.property_id = t.property_id
      LEFT JOIN busy b ON b.property_id = t.property_id
      LEFT JOIN opted o ON o.property_id = t.property_id
  ), decided AS MATERIALIZED (
    SELECT c.property_id, c.rank, c.complaint_count_30d,
           coalesce(c.early_decision,
                    CASE WHEN c.open_position > least(concurrent_room, budget_room) THEN 'over_capacity'
                         ELSE 'proposed' END::stormops.decision) AS decision,
           CASE WHEN c.early_decision IS NOT NULL THEN c.early_reason
                WHEN c.open_position > concurrent_room THEN
                  format('beyond max_concurrent_properties %s (%s already in Running executions)',
                         pb.max_concurrent_properties, committed)
                WHEN c.open_position > budget_room THEN
                  format('beyond budget_allocated %s at %s per property (%s already in Running executions)',
                         pb.budget_allocated, per_property, committed)
                ELSE format('rank %s', c.rank)
           END AS reason
      FROM (SELECT ch.*, count(*) FILTER (WHERE ch.early_decision IS NULL)
                           OVER (ORDER BY ch.rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS open_position
              FROM checked ch) c
  ), summary AS (
    SELECT count(*)::int AS targeted, (count(*) FILTER (WHERE d.decision = 'proposed'))::int AS proposed
      FROM decided d
  ), new_execution AS (
    INSERT INTO stormops.playbook_executions
           (execution_id, playbook_id, triggered_by_event_id, execution_start, status, properties_targeted,
            playbook_version, vector_search_queries, streaming_triggers_fired, channel_strategy, message_variants)
    SELECT new_execution_id, pb.playbook_id, propose_playbook.event_id, as_of, 'Running', s.proposed,
           pb.playbook_version,
           CASE WHEN (pb.targeting_rules -> 'similarity' ->> 'enabled')::boolean THEN 1 ELSE 0 END,
           CASE WHEN propose_playbook.permit_id IS NULL THEN 0 ELSE 1 END,
           pb.channel_strategy, pb.message_variants
      FROM summary s
     WHERE s.proposed >= pb.min_property_count
    RETURNING execution_id
  ), new_run AS (
    INSERT INTO stormops.proposal_runs
           (proposal_id, playbook_id, playbook_version, event_id, permit_id, priority, trigger_reason, as_of,
            properties_targeted, properties_proposed, execution_id, outcome)
    SELECT run_id, pb.playbook_id, pb.playbook_version, propose_playbook.event_id, propose_playbook.permit_id,
           run_priority, trigger_reason, as_of, s.targeted, s.proposed,
           (SELECT x.execution_id FROM new_execution x),
           CASE WHEN s.targeted = 0 THEN 'no execution: no property targeted'
                WHEN s.proposed = 0 THEN 'no execution: no property proposed'
                WHEN s.proposed < pb.min_property_count THEN
                  format('no execution: %s proposed, fewer than min_property_count %s', s.proposed, pb.min_property_count)
                ELSE 'execution created' END
      FROM summary s
    RETURNING proposal_id, execution_id
  ), escalations AS (
    INSERT INTO stormops.notification_outbox (kind, playbook_id, playbook_name, property_id, reason, payload)
    SELECT 'escalation', pb.playbook_id, pb.playbook_name, d.property_id, d.reason,
           jsonb_build_object('kind', 'escalation', 'playbook', pb.playbook_name, 'property_id', d.property_id,
                              'event_id', propose_playbook.event_id, 'permit_id', propose_playbook.permit_id,
                              'proposal_id', run_id, 'complaint_count_30d', d.complaint_count_30d,
                              'threshold', stormops.escalate_complaints_30d(), 'reason', d.reason,
                              'as_of', as_of)
      FROM decided d
     WHERE d.decision = 'escalated'
  )
  INSERT INTO stormops.proposal_decisions (proposal_id, property_id, rank, decision, reason, execution_id)
  SELECT r.proposal_id, d.property_id, d.rank, d.decision, d.reason,
         CASE WHEN d.decision = 'proposed' THEN r.execution_id END
    FROM decided d CROSS JOIN new_run r;

  -- the proposed properties' contact plans, in the same transaction
  IF EXISTS (SELECT FROM stormops.playbook_executions x WHERE x.execution_id = new_execution_id) THEN
    PERFORM stormops.lay_contact_plans(new_execution_id);
  END IF;

  RETURN run_id;
END;
$$;
COMMENT ON FUNCTION stormops.propose_playbook(stormops.playbooks, pg_catalog.text, pg_catalog.text, pg_catalog.text,
                                              pg_catalog.int4, pg_catalog.text, pg_catalog.timestamptz) IS
  'Internal: one proposal run of one playbook (generate_proposals and the competitor trigger call it).';

-- SECURITY DEFINER: operators run proposals, but the decisions, executions
-- and notifications are a record they must not write by hand.
CREATE OR REPLACE FUNCTION stormops.generate_proposals(event_id pg_catalog.text,
                                            as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (playbook_name pg_catalog.text, property_id pg_catalog.text, rank pg_catalog.int4,
               decision pg_catalog.text, reason pg_catalog.text, execution_id pg_catalog.uuid)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  pb stormops.playbooks;
  ran int := 0;
  run_id uuid;
  run stormops.proposal_runs;
  failure text;
  failure_state text;
  failures text[] := '{}';
BEGIN
  IF generate_proposals.event_id IS NULL OR generate_proposals.as_of IS NULL THEN
    RAISE EXCEPTION 'generate_proposals needs an event_id and as_of'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'For example: SELECT * FROM stormops.generate_proposals(''noaa_ep_135504_hail'');';
  END IF;
  IF NOT EXISTS (SELECT FROM stormops.storm_events e WHERE e.event_id = generate_proposals.event_id) THEN
    RAISE EXCEPTION 'storm event "%" does not exist', generate_proposals.event_id
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'List events with: SELECT event_id, begin_at FROM stormops.storm_events ORDER BY begin_at DESC;';
  END IF;
  PERFORM stormops.lock_proposals();

  FOR pb IN SELECT * FROM stormops.playbooks p WHERE p.status = 'Active' ORDER BY p.priority, p.playbook_name LOOP
    -- a playbook that fails (say, its rules name a cohort that was deleted)
    -- does not stop the others; it has no run, so a later call retries it
    BEGIN
      run_id := stormops.propose_playbook(pb, generate_proposals.event_id, NULL, NULL, pb.priority,
                                          format('storm event %s', generate_proposals.event_id), generate_proposals.as_of);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_state = RETURNED_SQLSTATE;
      IF failure_state LIKE '40%' OR failure_state = '23505' THEN
        RAISE;   -- a conflict with another session, not a fault of the playbook: retry the call
      END IF;
      failures := failures || format('%s: %s (SQLSTATE %s)', pb.playbook_name, failure, failure_state);
      RAISE WARNING 'playbook "%" was not proposed for storm event %: %', pb.playbook_name, generate_proposals.event_id, failure
        USING HINT = 'Fix the playbook, then call generate_proposals for the event again: it runs the playbooks that have no run yet.';
      CONTINUE;
    END;
    CONTINUE WHEN run_id IS NULL;
    ran := ran + 1;
    SELECT * INTO run FROM stormops.proposal_runs r WHERE r.proposal_id = run_id;
    IF run.execution_id IS NULL THEN
      RAISE NOTICE 'playbook "%": %', pb.playbook_name, run.outcome;
    END IF;
  END LOOP;

  IF ran > 0 OR failures <> '{}'
     OR NOT EXISTS (SELECT FROM stormops.event_proposals e
                     WHERE e.event_id = generate_proposals.event_id AND e.playbooks_failed = 0) THEN
    INSERT INTO stormops.event_proposals AS e (event_id, as_of, playbooks_run, executions, playbooks_failed, outcome)
    SELECT generate_proposals.event_id, generate_proposals.as_of, count(*), count(r.execution_id), cardinality(failures),
           format('%s playbooks proposed, %s executions', count(*), count(r.execution_id))
             || CASE WHEN failures <> '{}' THEN '; failed: ' || array_to_string(failures, '; ') ELSE '' END
      FROM stormops.proposal_runs r WHERE r.event_id = generate_proposals.event_id
    ON CONFLICT ON CONSTRAINT event_proposals_pkey DO UPDATE SET
      handled_at = EXCLUDED.handled_at, handled_by = EXCLUDED.handled_by, handled_via = EXCLUDED.handled_via,
      as_of = EXCLUDED.as_of,
      playbooks_run = EXCLUDED.playbooks_run, executions = EXCLUDED.executions,
      playbooks_failed = EXCLUDED.playbooks_failed, outcome = EXCLUDED.outcome;
  END IF;

  RETURN QUERY SELECT * FROM stormops.event_decisions(generate_proposals.event_id);
END;
$$;
COMMENT ON FUNCTION stormops.generate_proposals(pg_catalog.text, pg_catalog.timestamptz) IS
  'Proposal runs of every Active playbook for a storm event, once per (playbook, event); returns every decision for the event.';

