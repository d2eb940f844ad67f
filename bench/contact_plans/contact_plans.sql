-- The measurements of bench/contact_plans/run.sh (timed in the server with
-- clock_timestamp(); medians; every timed run rolled back).
SET client_min_messages = warning;
\pset footer off
SELECT FROM set_config('bench.runs', :'runs', false);
\ir ../timing.sql
CREATE TEMP TABLE timing (figure text, ord int, ms float8);

-- A storm-wide play: an e-mail now, an SMS three days on unless the e-mail
-- was answered, a door knock a week on in the weekday evening window, as
-- the seed's Frisco-Alpha (with its scripts).
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, message_variants, holdout_share)
SELECT 'Bench-Storm-Wide', '{"physics": {"min_sii_score": 0}}', p.channel_strategy, p.message_variants, 0
  FROM (VALUES ('{"sequence": [
      {"step": 1, "channel": "email", "timing_hours": 0, "message_variant": "analytical", "success_criteria": "open_rate > 0.3"},
      {"step": 2, "channel": "sms", "timing_hours": 72, "condition": "if_no_response_to_step_1", "message_variant": "urgency"},
      {"step": 3, "channel": "door_knock", "timing_hours": 168, "condition": "if_engaged", "timing_window": "weekday_18:00-20:00"}]}'::jsonb,
     '{"analytical": {"Proof_Seeker": "Here is what the data says about your roof.", "default": "Was your roof hit?"},
       "urgency": "Inspection slots close this week."}'::jsonb)) p(channel_strategy, message_variants);

-- Executions as a proposal run makes them: the run, its decisions (every
-- property proposed, in rank order) and the execution with its strategy
-- snapshot. lay_contact_plans then lays the plans, as generate_proposals
-- does right after.
CREATE TEMP TABLE slices AS
SELECT (row_number() OVER (ORDER BY property_id) - 1) / 100000 AS k, property_id,
       ((row_number() OVER (ORDER BY property_id) - 1) % 100000 + 1)::int AS rank
  FROM stormops.properties;
CREATE INDEX ON slices (k);
ANALYZE slices;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at)
SELECT 'bench_contact_' || k, 'hail', now() - interval '2 hours' FROM generate_series(0, 5) k;
CREATE FUNCTION pg_temp.new_execution(part int, started timestamptz) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  e uuid := gen_random_uuid();
  r uuid := gen_random_uuid();
BEGIN
  INSERT INTO stormops.playbook_executions (execution_id, playbook_id, triggered_by_event_id, execution_start, status,
                                            properties_targeted, playbook_version, channel_strategy, message_variants)
  SELECT e, p.playbook_id, 'bench_contact_' || part, started, 'Running', 100000, p.playbook_version,
         p.channel_strategy, p.message_variants
    FROM stormops.playbooks p WHERE p.playbook_name = 'Bench-Storm-Wide';
  INSERT INTO stormops.proposal_runs (proposal_id, playbook_id, playbook_version, event_id, priority, trigger_reason, as_of,
                                      properties_targeted, properties_proposed, execution_id, outcome)
  SELECT r, p.playbook_id, p.playbook_version, 'bench_contact_' || part, 100, 'bench', started, 100000, 100000, e,
         'execution created'
    FROM stormops.playbooks p WHERE p.playbook_name = 'Bench-Storm-Wide';
  INSERT INTO stormops.proposal_decisions (proposal_id, property_id, rank, decision, reason, execution_id)
  SELECT r, s.property_id, s.rank, 'proposed', 'rank ' || s.rank, e FROM slices s WHERE s.k = part ORDER BY s.rank;
  RETURN e;
END $$;

-- ---- Laying the plans of a storm-wide execution: 100,000 properties x 3 steps
-- Baseline: the same 300,000 rows, from the same decisions, into a copy of
-- contact_steps with the same key and indexes, due times straight from
-- timing_hours and no local-time work: what a hand-written INSERT ... SELECT
-- for this one play costs.
CREATE TABLE bench_steps (LIKE stormops.contact_steps INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
VACUUM ANALYZE stormops.properties;
-- (the run's decisions are not in the statistics, as in generate_proposals,
-- which lays the plans in the transaction that wrote them)
SELECT set_config('bench.lay_execution', pg_temp.new_execution(5, now() - interval '1 hour')::text, false);
DO $$
DECLARE
  runs int := current_setting('bench.runs')::int;
  e uuid := current_setting('bench.lay_execution')::uuid;
  ms float8;
  n bigint;
BEGIN
  FOR run IN 0..runs LOOP
    BEGIN
      ms := pg_temp.elapsed_ms(format('SELECT stormops.lay_contact_plans(%L)', e));
      SELECT count(*) INTO n FROM stormops.contact_steps WHERE execution_id = e;
      IF n <> 300000 THEN RAISE 'laid % steps, not 300000', n; END IF;
      RAISE EXCEPTION USING ERRCODE = 'SB001';
    EXCEPTION WHEN SQLSTATE 'SB001' THEN
      IF run > 0 THEN INSERT INTO timing VALUES ('laying: lay_contact_plans, 100,000 properties x 3 steps', 1, ms); END IF;
    END;
    BEGIN
      ms := pg_temp.elapsed_ms(format($q$
        INSERT INTO bench_steps (execution_id, property_id, step, channel, rank, time_zone, status, reason, is_next,
                                 due_at, ready_at, allowed_until)
        SELECT d.execution_id, d.property_id, s.step, s.channel::stormops.channel, d.rank, 'America/Chicago', 'planned',
               'due', s.step = 1, now() + s.hours * interval '1 hour', now() + s.hours * interval '1 hour',
               now() + (s.hours + 72) * interval '1 hour'
          FROM stormops.proposal_decisions d,
               (VALUES (1, 'email', 0), (2, 'sms', 72), (3, 'door_knock', 168)) s(step, channel, hours)
         WHERE d.execution_id = %L AND d.decision = 'proposed'$q$, e));
      RAISE EXCEPTION USING ERRCODE = 'SB001';
    EXCEPTION WHEN SQLSTATE 'SB001' THEN
      IF run > 0 THEN INSERT INTO timing VALUES ('laying baseline: plain INSERT ... SELECT of the same rows, same indexes', 2, ms); END IF;
    END;
  END LOOP;
END $$;

-- ---- Claiming 1,000 contacts with 500,000 plans pending -----------------------
-- Five storm-wide executions of 100,000 properties each, started an hour
-- ago: 500,000 e-mails due now (1,500,000 step rows).
SELECT count(stormops.lay_contact_plans(pg_temp.new_execution(k, now() - interval '1 hour' - k * interval '1 minute')))
  FROM generate_series(0, 4) k;
VACUUM ANALYZE stormops.contact_steps;
VACUUM ANALYZE stormops.execution_steps;
-- Baseline: the classic queue claim (UPDATE ... WHERE id IN (SELECT ... ORDER BY
-- ... LIMIT ... FOR UPDATE SKIP LOCKED) RETURNING) on a plain table of the
-- same 500,000 due e-mails, indexed for exactly that query: a queue that
-- knows nothing of stops, conditions, windows, caps or scripts.
CREATE TABLE bench_queue AS
SELECT row_number() OVER (ORDER BY s.due_at, s.rank, s.property_id, s.execution_id) AS id,
       s.execution_id, s.property_id, s.step, s.channel, s.rank, s.due_at, 'planned'::text AS status,
       NULL::timestamptz AS lease_until
  FROM stormops.contact_steps s WHERE s.step = 1;
ALTER TABLE bench_queue ADD PRIMARY KEY (id);
CREATE INDEX ON bench_queue (channel, due_at, rank) WHERE status = 'planned';
VACUUM ANALYZE bench_queue;
CHECKPOINT;
SELECT (SELECT count(*) FROM stormops.contact_steps) AS step_rows,
       (SELECT count(*) FROM stormops.contact_steps WHERE is_next AND status = 'planned') AS plans_pending,
       (SELECT count(*) FROM bench_queue) AS queue_rows;
-- Each claim commits and its contacts are then reported sent (not timed),
-- as a sender does: run after run takes the next 1,000 of what is pending
-- (500,000 down to 480,000 over 20 runs), in both.
DO $$
DECLARE
  runs int := 4 * current_setting('bench.runs')::int;
  ms float8;
  n bigint;
BEGIN
  FOR run IN 0..runs LOOP
    ms := pg_temp.elapsed_ms('CREATE TEMP TABLE claimed AS SELECT * FROM stormops.claim_due_contacts(''email'', 1000)');
    SELECT count(*) INTO n FROM claimed;
    IF n <> 1000 THEN RAISE 'claimed %, not 1000', n; END IF;
    IF run > 0 THEN INSERT INTO timing VALUES ('claiming: claim_due_contacts(''email'', 1000), 500,000 plans pending', 3, ms); END IF;
    COMMIT;
    PERFORM stormops.record_contact_result(c.contact_id, 'sent') FROM claimed c;
    DROP TABLE claimed;
    COMMIT;
    ms := pg_temp.elapsed_ms($q$
      CREATE TEMP TABLE claimed AS
      WITH c AS (UPDATE bench_queue q SET status = 'leased', lease_until = now() + interval '5 minutes'
                  WHERE q.id IN (SELECT id FROM bench_queue WHERE channel = 'email' AND status = 'planned' AND due_at <= now()
                                  ORDER BY due_at, rank LIMIT 1000 FOR UPDATE SKIP LOCKED)
                 RETURNING q.*)
      SELECT * FROM c$q$);
    IF run > 0 THEN INSERT INTO timing VALUES ('claiming baseline: SKIP LOCKED queue claim of 1,000, same 500,000 rows', 4, ms); END IF;
    COMMIT;
    UPDATE bench_queue q SET status = 'sent' FROM claimed c WHERE q.id = c.id;
    DROP TABLE claimed;
    COMMIT;
  END LOOP;
END $$;

\echo '-- medians (ms); ratio = stormops / baseline'
SELECT * FROM pg_temp.timing_medians();
SELECT pg_temp.timing_ratio(1, 2) AS laying_ratio, pg_temp.timing_ratio(3, 4) AS claiming_ratio;
DROP TABLE bench_steps, bench_queue;
