-- The proposal engine (proposals.md, docs/proposals.md): when a storm hits,
-- every Active playbook takes its targets in rank order and gives each one
-- decision; the proposed ones become an execution. Everything a run decides
-- is a stored row, so a retrospective can say who was contacted, who was held
-- out and why.

-- One run of one playbook for one trigger: a storm event, or a competitor's
-- permit (the streaming trigger). At most one per (playbook, event) and per
-- (playbook, permit), also when no execution was made.
CREATE TABLE stormops.proposal_runs (
  proposal_id       pg_catalog.uuid PRIMARY KEY,
  playbook_id       pg_catalog.uuid NOT NULL REFERENCES stormops.playbooks (playbook_id),
  playbook_version  pg_catalog.text NOT NULL,
  event_id          pg_catalog.text REFERENCES stormops.storm_events (event_id),
  permit_id         pg_catalog.text REFERENCES stormops.competitor_permits (permit_id),
  priority          pg_catalog.int4 NOT NULL,
  trigger_reason    pg_catalog.text NOT NULL,
  as_of             pg_catalog.timestamptz NOT NULL,
  proposed_at       pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  proposed_by       pg_catalog.text NOT NULL DEFAULT SESSION_USER,
  properties_targeted  pg_catalog.int4 NOT NULL,
  properties_proposed  pg_catalog.int4 NOT NULL,
  execution_id      pg_catalog.uuid REFERENCES stormops.playbook_executions (execution_id),
  outcome           pg_catalog.text NOT NULL,
  CONSTRAINT proposal_runs_one_trigger
    CHECK ((event_id IS NULL) OPERATOR(pg_catalog.<>) (permit_id IS NULL))
);
COMMENT ON TABLE stormops.proposal_runs IS
  'One proposal run of a playbook for a storm event or a competitor permit: why it ran, as of when, and the execution it made or why none.';
COMMENT ON COLUMN stormops.proposal_runs.outcome IS
  'What came of the run: "execution created", or why none was (no property targeted, fewer proposed than min_property_count).';
CREATE UNIQUE INDEX proposal_runs_once_per_event ON stormops.proposal_runs (playbook_id, event_id)
  WHERE event_id IS NOT NULL;
CREATE UNIQUE INDEX proposal_runs_once_per_permit ON stormops.proposal_runs (playbook_id, permit_id)
  WHERE permit_id IS NOT NULL;
CREATE INDEX proposal_runs_event_idx ON stormops.proposal_runs (event_id);
CREATE INDEX proposal_runs_permit_idx ON stormops.proposal_runs (permit_id);

-- Every targeted property of a run with its one decision and the reason.
CREATE TABLE stormops.proposal_decisions (
  proposal_id   pg_catalog.uuid NOT NULL REFERENCES stormops.proposal_runs (proposal_id) ON DELETE CASCADE,
  -- not ON DELETE CASCADE: deleting a property must not erase the record of
  -- what was decided for it (an admin deletes its decisions first)
  property_id   pg_catalog.text NOT NULL REFERENCES stormops.properties (property_id),
  rank          pg_catalog.int4 NOT NULL,
  decision      stormops.decision NOT NULL,
  reason        pg_catalog.text NOT NULL,
  execution_id  pg_catalog.uuid REFERENCES stormops.playbook_executions (execution_id),
  decided_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (proposal_id, property_id)
);
COMMENT ON TABLE stormops.proposal_decisions IS
  'The decision of a proposal run for each property it targeted; execution_id is set on the proposed ones of a run that made an execution.';
-- "busy": which Running execution works a property.
CREATE INDEX proposal_decisions_property_idx ON stormops.proposal_decisions (property_id, execution_id)
  WHERE execution_id IS NOT NULL;
-- the roll-ups: an execution's proposed properties
CREATE INDEX proposal_decisions_execution_idx ON stormops.proposal_decisions (execution_id)
  WHERE execution_id IS NOT NULL;

-- Throttles and escalations, with reason and time (the seed's log_throttle
-- and log_escalation): the stored decisions, read as a log.
CREATE VIEW stormops.guardrail_log AS
SELECT d.decided_at AS logged_at, d.decision, p.playbook_name, r.event_id, r.permit_id,
       d.property_id, d.reason, d.proposal_id
  FROM stormops.proposal_decisions d
  JOIN stormops.proposal_runs r ON r.proposal_id OPERATOR(pg_catalog.=) d.proposal_id
  JOIN stormops.playbooks p ON p.playbook_id OPERATOR(pg_catalog.=) r.playbook_id
 WHERE d.decision OPERATOR(pg_catalog.=) ANY ('{throttled,escalated}'::stormops.decision[]);
COMMENT ON VIEW stormops.guardrail_log IS 'Every throttle and escalation of a proposal run, with its reason and time.';

-- Messages for humans, delivered by the webhook worker. A logged table:
-- what is written here is not lost on a crash.
CREATE TABLE stormops.notification_outbox (
  notification_id  pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind             pg_catalog.text NOT NULL
                   CONSTRAINT notification_outbox_kind_known
                   CHECK (kind OPERATOR(pg_catalog.=) ANY ('{escalation,competitor_threat}'::pg_catalog.text[])),
  playbook_id      pg_catalog.uuid REFERENCES stormops.playbooks (playbook_id),
  playbook_name    pg_catalog.text,
  property_id      pg_catalog.text,
  reason           pg_catalog.text NOT NULL,
  payload          pg_catalog.jsonb NOT NULL,
  created_at       pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  status           pg_catalog.text NOT NULL DEFAULT 'pending'
                   CONSTRAINT notification_outbox_status_known
                   CHECK (status OPERATOR(pg_catalog.=) ANY ('{pending,delivered,dead}'::pg_catalog.text[])),
  attempts         pg_catalog.int4 NOT NULL DEFAULT 0,
  next_attempt_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  last_error       pg_catalog.text,
  delivered_at     pg_catalog.timestamptz,
  -- the Idempotency-Key of every attempt: unique across databases and
  -- reinstalls, unlike notification_id
  delivery_key     pg_catalog.uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid()
);
COMMENT ON TABLE stormops.notification_outbox IS
  'Notifications for humans (escalations, competitor threats), delivered as webhooks; status pending, delivered or dead.';
CREATE INDEX notification_outbox_pending_idx ON stormops.notification_outbox (next_attempt_at)
  WHERE status OPERATOR(pg_catalog.=) 'pending';

-- Storm events that a proposal run has handled: when, by whom, with what
-- result. run_pending_proposals() proposes the events that are not here.
CREATE TABLE stormops.event_proposals (
  event_id        pg_catalog.text PRIMARY KEY REFERENCES stormops.storm_events (event_id) ON DELETE CASCADE,
  handled_at      pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  handled_by      pg_catalog.text NOT NULL DEFAULT SESSION_USER,
  handled_via     pg_catalog.text DEFAULT pg_catalog.current_setting('application_name'),
  as_of           pg_catalog.timestamptz NOT NULL,
  playbooks_run   pg_catalog.int4 NOT NULL,
  executions      pg_catalog.int4 NOT NULL,
  playbooks_failed  pg_catalog.int4 NOT NULL DEFAULT 0,
  outcome         pg_catalog.text NOT NULL
);
COMMENT ON TABLE stormops.event_proposals IS
  'Storm events handled by generate_proposals: when, by whom (and through which application, e.g. the storm worker), how many playbooks ran, failed and made executions.';

-- The holdout draw of a property for a playbook: a uniform number in [0, 1)
-- from a salted hash of both, the same on every run, machine and version
-- (md5, not the server's hash functions, which may differ by platform).
-- A property is held out when its draw is below the playbook's holdout_share.
CREATE FUNCTION stormops.holdout_draw(playbook_id pg_catalog.uuid, property_id pg_catalog.text)
RETURNS pg_catalog.float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT (pg_catalog.concat('x', pg_catalog.substr(pg_catalog.md5(pg_catalog.concat(
            'stormops.holdout:', playbook_id, ':', property_id)), 1, 13)))::pg_catalog.bit(52)::pg_catalog.int8::pg_catalog.float8
         OPERATOR(pg_catalog./) 4503599627370496::pg_catalog.float8;
END;
COMMENT ON FUNCTION stormops.holdout_draw(pg_catalog.uuid, pg_catalog.text) IS
  'Sticky draw in [0, 1) of a property for a playbook; held out when below the playbook''s holdout_share.';

-- One proposal run of one playbook: targets, decisions, the execution when
-- enough are proposed, notifications for escalations; all in one statement.
-- Returns the run's id, or NULL when the run already exists (once and only
-- once per trigger). The caller holds the proposal lock.
CREATE FUNCTION stormops.propose_playbook(pb stormops.playbooks, event_id pg_catalog.text,
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
                  coalesce((SELECT 'on the do-not-contact list: ' || n.reason FROM stormops.do_not_contact n
                             WHERE n.property_id = t.property_id AND n.channel = 'all' AND n.added_at <= as_of),
                           'opted out')
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
            playbook_version, vector_search_queries, streaming_triggers_fired)
    SELECT new_execution_id, pb.playbook_id, propose_playbook.event_id, as_of, 'Running', s.proposed,
           pb.playbook_version,
           CASE WHEN (pb.targeting_rules -> 'similarity' ->> 'enabled')::boolean THEN 1 ELSE 0 END,
           CASE WHEN propose_playbook.permit_id IS NULL THEN 0 ELSE 1 END
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

  RETURN run_id;
END;
$$;
COMMENT ON FUNCTION stormops.propose_playbook(stormops.playbooks, pg_catalog.text, pg_catalog.text, pg_catalog.text,
                                              pg_catalog.int4, pg_catalog.text, pg_catalog.timestamptz) IS
  'Internal: one proposal run of one playbook (generate_proposals and the competitor trigger call it).';

-- Proposal runs change what is "busy", and what capacity is left, for the
-- next one, so they take turns: one transaction at a time, until it commits.
-- Each statement after the lock must see what the previous holder committed,
-- which READ COMMITTED gives and a snapshot taken earlier does not.
CREATE FUNCTION stormops.lock_proposals()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'proposals run only at isolation level READ COMMITTED, not %', upper(current_setting('transaction_isolation'))
      USING ERRCODE = 'invalid_transaction_state',
            DETAIL = 'Under a snapshot older than the proposal lock, runs committed meanwhile would be invisible: properties could be proposed twice and capacity exceeded.',
            HINT = 'Run it in a READ COMMITTED transaction (the default): BEGIN ISOLATION LEVEL READ COMMITTED;';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('stormops.proposals'), 6);
END;
$$;

-- The decisions of the runs of a storm event, in the order the playbooks
-- were served.
CREATE FUNCTION stormops.event_decisions(event_id pg_catalog.text)
RETURNS TABLE (playbook_name pg_catalog.text, property_id pg_catalog.text, rank pg_catalog.int4,
               decision pg_catalog.text, reason pg_catalog.text, execution_id pg_catalog.uuid)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT p.playbook_name, d.property_id, d.rank, d.decision::pg_catalog.text, d.reason, d.execution_id
    FROM stormops.proposal_runs r
    JOIN stormops.playbooks p ON p.playbook_id OPERATOR(pg_catalog.=) r.playbook_id
    JOIN stormops.proposal_decisions d ON d.proposal_id OPERATOR(pg_catalog.=) r.proposal_id
   WHERE r.event_id OPERATOR(pg_catalog.=) event_decisions.event_id
   ORDER BY r.priority, p.playbook_name, d.rank;
END;
COMMENT ON FUNCTION stormops.event_decisions(pg_catalog.text) IS
  'Every decision of the proposal runs of a storm event, playbooks in the order they were served.';

-- SECURITY DEFINER: operators run proposals, but the decisions, executions
-- and notifications are a record they must not write by hand.
CREATE FUNCTION stormops.generate_proposals(event_id pg_catalog.text,
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

-- For pg_cron or by hand: does what the storm worker does, in one call:
-- every pending storm event (stormops.storm_events_pending(): impacts or
-- reports, not handled yet or a playbook failed), oldest first, through
-- stormops.handle_storm_event (impacts computed when none were loaded, then
-- generate_proposals). One event's failure does not stop the others: it is
-- reported in the result and the event stays pending.
CREATE FUNCTION stormops.run_pending_proposals()
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
    BEGIN
      PERFORM stormops.handle_storm_event(pending);
      RETURN QUERY
        SELECT h.event_id, h.playbooks_run, h.executions,
               (SELECT coalesce(sum(r.properties_proposed), 0) FROM stormops.proposal_runs r
                 WHERE r.event_id = h.event_id AND r.execution_id IS NOT NULL)::int8,
               h.outcome
          FROM stormops.event_proposals h WHERE h.event_id = pending;
    EXCEPTION WHEN OTHERS THEN
      RETURN QUERY SELECT pending, 0, 0, 0::int8, 'failed: ' || SQLERRM;
    END;
  END LOOP;
END;
$$;
COMMENT ON FUNCTION stormops.run_pending_proposals() IS
  'handle_storm_event for every pending storm event, as the storm worker would; one row per event with what was done.';
