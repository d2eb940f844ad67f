-- The measurements of bench/variants/run.sh (timed in the server with
-- clock_timestamp(); medians; the claim cost's runs rolled back).
SET client_min_messages = warning;
\pset footer off
SELECT FROM set_config('bench.runs', :'runs', false);
\ir ../timing.sql
CREATE TEMP TABLE timing (figure text, ord int, ms float8);

-- ---- The market: 100,000 homes in four Collin County ZIPs --------------------
INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES
  ('75034', 'TX', 'America/Chicago'), ('75035', 'TX', 'America/Chicago'),
  ('75033', 'TX', 'America/Chicago'), ('75036', 'TX', 'America/Chicago');
INSERT INTO stormops.properties (property_id, zip)
SELECT format('h%s', lpad(i::text, 6, '0')), (ARRAY['75034', '75035', '75033', '75036'])[1 + i % 4]
  FROM generate_series(1, 100000) i;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at)
SELECT 'sim_' || m, 'hail', '2019-03-24 18:00-05' FROM unnest('{epsilon_greedy,thompson,uniform}'::text[]) m;
-- each simulation's storm hits the same 20,000 homes
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
SELECT p.property_id, e.event_id, 90
  FROM stormops.properties p CROSS JOIN stormops.storm_events e
 WHERE p.property_id <= 'h020000' AND e.event_id LIKE 'sim_%';
-- a year of history: one e-mail to every home in 2018
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
SELECT property_id, 'contact', 'email', '2018-04-01 10:00-05' FROM stormops.properties;
-- (the contact tables are analyzed once they hold rows, below: statistics of
-- empty tables would give the claims' cached plans sequential scans)
ANALYZE stormops.zip_codes, stormops.properties, stormops.storm_events, stormops.property_impacts,
        stormops.behavior_events;

-- ---- Simulation: 5%, 10%, 15% ----------------------------------------------------
-- One play per method, one e-mail step with arms a, b, c rewarded by
-- response (no success_criteria: response_rate); the same seeded draw per
-- home decides a response in every method (common random numbers), so the
-- methods differ only in the arms they chose.
SET stormops.random_seed = 2019;
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share)
VALUES
  ('Sim-epsilon_greedy', '{"physics": {"min_sii_score": 50}}',
   '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["a", "b", "c"]}],
     "adaptive": {"enabled": true, "bandit_epsilon": 0.1, "reoptimize_after_n_contacts": 100}}', 0),
  ('Sim-thompson', '{"physics": {"min_sii_score": 50}}',
   '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["a", "b", "c"]}],
     "adaptive": {"enabled": true, "method": "thompson", "reoptimize_after_n_contacts": 100}}', 0),
  ('Sim-uniform', '{"physics": {"min_sii_score": 50}}',
   '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["a", "b", "c"]}]}', 0);
CREATE FUNCTION pg_temp.true_rate(arm text) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE arm WHEN 'a' THEN 0.05 WHEN 'b' THEN 0.10 WHEN 'c' THEN 0.15 END $$;
CREATE FUNCTION pg_temp.draw(key text) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  $$ SELECT ('x' || substr(md5('bench variants: ' || key), 1, 8))::bit(32)::bigint / 4294967296.0 $$;
CREATE TEMP TABLE sim (method text, n int, contact_id bigint, arm text, responded bool);
CREATE TEMP TABLE sim_time (method text, ms float8, claims int);
DO $$
DECLARE
  m text;
  t timestamptz;
  c record;
  n int;
  got int;
  claims int;
  t0 timestamptz;
BEGIN
  FOREACH m IN ARRAY '{epsilon_greedy,thompson,uniform}'::text[] LOOP
    PERFORM stormops.activate_playbook('Sim-' || m);
    PERFORM stormops.generate_proposals('sim_' || m, '2019-03-25 09:00-05');
    COMMIT;
    ANALYZE stormops.contact_steps, stormops.execution_steps, stormops.behavior_events, stormops.contact_step_changes;
    t := '2019-03-25 09:00-05';
    n := 0;
    claims := 0;
    t0 := clock_timestamp();
    LOOP
      got := 0;
      FOR c IN SELECT * FROM stormops.claim_due_contacts('email', 100, t) LOOP
        got := got + 1;
        n := n + 1;
        PERFORM stormops.record_contact_result(c.contact_id, 'sent', t);
        INSERT INTO sim VALUES (m, n, c.contact_id, c.message_variant,
                                pg_temp.draw(c.property_id) < pg_temp.true_rate(c.message_variant));
        IF pg_temp.draw(c.property_id) < pg_temp.true_rate(c.message_variant) THEN
          PERFORM stormops.record_contact_result(c.contact_id, 'response', t + interval '30 seconds');
        END IF;
      END LOOP;
      claims := claims + 1;
      -- a sender commits each batch (one long transaction would keep every
      -- claimed step's dead index entry in front of the next claim)
      COMMIT;
      IF claims % 50 = 0 THEN
        -- as autovacuum would: the events and changes grow by 20,000 each run
        ANALYZE stormops.behavior_events, stormops.contact_step_changes;
      END IF;
      EXIT WHEN got = 0;
      t := t + interval '1 minute';
    END LOOP;
    INSERT INTO sim_time VALUES (m, extract(epoch FROM clock_timestamp() - t0) * 1000, claims);
    PERFORM stormops.complete_execution(e.execution_id, force => true)
       FROM stormops.playbook_executions e WHERE e.status = 'Running';
    PERFORM stormops.pause_playbook('Sim-' || m);
  END LOOP;
END $$;

\echo '-- simulation: 20,000 contacts per method through claim_due_contacts (100 at a time) and record_contact_result'
\echo '-- regret: the sum over contacts of 0.15 minus the chosen arm''s true rate (expected regret); uniform''s is 0.05 x 20,000 = 1,000'
SELECT s.method, count(*) AS contacts,
       round(sum(0.15 - pg_temp.true_rate(s.arm))::numeric, 1) AS cumulative_regret,
       round((sum(0.15 - pg_temp.true_rate(s.arm)) / (SELECT sum(0.15 - pg_temp.true_rate(u.arm)) FROM sim u
                                                      WHERE u.method = 'uniform'))::numeric, 3) AS regret_vs_uniform,
       round(100.0 * count(*) FILTER (WHERE s.arm = 'c' AND s.n > 5000) / count(*) FILTER (WHERE s.n > 5000), 1)
         AS best_arm_pct_after_5000,
       round(100.0 * count(*) FILTER (WHERE s.arm = 'c') / count(*), 1) AS best_arm_pct_all,
       count(*) FILTER (WHERE s.responded) AS responses,
       (SELECT count(*) FROM stormops.arm_statistics a JOIN stormops.arm_pools p USING (pool_id)
          JOIN stormops.playbooks b USING (playbook_id) WHERE b.playbook_name = 'Sim-' || s.method) AS recomputations,
       (SELECT round(ms::numeric / 1000, 1) FROM sim_time x WHERE x.method = s.method) AS seconds
  FROM sim s GROUP BY s.method ORDER BY s.method;
\echo '-- the best arm''s share of each block of 2,500 contacts'
SELECT s.method, (s.n - 1) / 2500 * 2500 + 1 AS from_contact,
       round(100.0 * count(*) FILTER (WHERE s.arm = 'c') / count(*), 1) AS best_arm_pct,
       round(100.0 * count(*) FILTER (WHERE s.arm = 'a') / count(*), 1) AS worst_arm_pct
  FROM sim s GROUP BY 1, 2 ORDER BY 1, 2;
\echo '-- what variant_stats says at the end'
SELECT b.playbook_name, v.arm, v.contacts, v.rewards, round(v.mean::numeric, 4) AS mean,
       round(v.wilson_low::numeric, 4) AS wilson_low, round(v.wilson_high::numeric, 4) AS wilson_high,
       round(v.share::numeric, 4) AS share, round(v.p_best::numeric, 4) AS p_best
  FROM stormops.playbooks b CROSS JOIN LATERAL stormops.variant_stats(b.playbook_name, '2019-03-27') v
 WHERE b.playbook_name LIKE 'Sim-%' ORDER BY 1, 2;
\echo '-- one recomputation of a pool of 20,000 sent contacts (arm_pool_counts, the part that grows with the pool)'
DO $$
DECLARE
  pool bigint := (SELECT pool_id FROM stormops.arm_pools p JOIN stormops.playbooks b USING (playbook_id)
                   WHERE b.playbook_name = 'Sim-thompson');
  ms float8;
BEGIN
  FOR run IN 0..current_setting('bench.runs')::int LOOP
    ms := pg_temp.elapsed_ms(format('SELECT count(*) FROM stormops.arm_pool_counts(%s, %L)', pool, '2019-03-27'));
    IF run > 0 THEN INSERT INTO timing VALUES ('recomputation: arm_pool_counts of a pool of 20,000 sent contacts', 0, ms); END IF;
  END LOOP;
END $$;

-- ---- The cost of a choice in a claim of 1,000 ------------------------------------
-- One storm-wide execution of the 100,000 homes, laid as generate_proposals
-- lays it; its e-mail step is claimed with and without arms (the step's
-- arms toggled in execution_steps inside each rolled-back run), on the
-- same 100,000 pending plans. With arms: three, epsilon-greedy, statistics
-- current (no recomputation due), as between recomputations.
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('claim_storm', 'hail', now() - interval '3 hours');
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
SELECT property_id, 'claim_storm', 80 FROM stormops.properties;
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share)
VALUES ('Claim-Cost', '{"physics": {"min_sii_score": 50}}',
        '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["a", "b", "c"]},
                       {"step": 2, "channel": "sms", "timing_hours": 72}],
          "adaptive": {"enabled": true, "reoptimize_after_n_contacts": 100}}', 0);
SELECT stormops.activate_playbook('Claim-Cost') \gset
SELECT count(*) AS proposed FROM stormops.generate_proposals('claim_storm', now() - interval '2 hours') WHERE decision = 'proposed';
-- the pool has history: the statistics of 20,000 sent contacts (b leads)
UPDATE stormops.arm_pools p SET sent_contacts = 20000 FROM stormops.playbooks b
 WHERE b.playbook_id = p.playbook_id AND b.playbook_name = 'Claim-Cost';
INSERT INTO stormops.arm_statistics (pool_id, sent_contacts, computed_at, contacts, rewards, greedy_arm, prob_best)
SELECT p.pool_id, 20000, now(), '{6000,8000,6000}', '{300,1200,600}', 2,
       stormops.arm_prob_best('{6000,8000,6000}', '{300,1200,600}', 0, 0)
  FROM stormops.arm_pools p JOIN stormops.playbooks b USING (playbook_id) WHERE b.playbook_name = 'Claim-Cost';
VACUUM ANALYZE stormops.contact_steps;
VACUUM ANALYZE stormops.execution_steps;
VACUUM ANALYZE stormops.behavior_events;
VACUUM ANALYZE stormops.contact_step_changes;
CHECKPOINT;
DO $$
DECLARE
  runs int := 4 * current_setting('bench.runs')::int;
  e uuid := (SELECT e.execution_id FROM stormops.playbook_executions e JOIN stormops.playbooks b USING (playbook_id)
              WHERE b.playbook_name = 'Claim-Cost');
  ms float8;
  n bigint;
  arms bigint;
BEGIN
  FOR run IN 0..runs LOOP
    BEGIN
      ms := pg_temp.elapsed_ms('CREATE TEMP TABLE claimed AS SELECT * FROM stormops.claim_due_contacts(''email'', 1000)');
      SELECT count(*), count(DISTINCT message_variant) INTO n, arms FROM claimed;
      IF n <> 1000 OR arms <> 3 THEN RAISE 'claimed % with % arms, not 1000 with 3', n, arms; END IF;
      RAISE EXCEPTION USING ERRCODE = 'SB001';
    EXCEPTION WHEN SQLSTATE 'SB001' THEN
      IF run > 0 THEN INSERT INTO timing VALUES ('claiming 1,000, the step with three arms (epsilon-greedy)', 1, ms); END IF;
    END;
    BEGIN
      UPDATE stormops.execution_steps SET arms = NULL, arm_method = NULL, bandit_epsilon = NULL, reoptimize_after = NULL,
             arm_pool_id = NULL, message_variant = 'a'
       WHERE execution_id = e AND step = 1;
      ms := pg_temp.elapsed_ms('CREATE TEMP TABLE claimed AS SELECT * FROM stormops.claim_due_contacts(''email'', 1000)');
      SELECT count(*), count(DISTINCT message_variant) INTO n, arms FROM claimed;
      IF n <> 1000 OR arms <> 1 THEN RAISE 'claimed % with % variants, not 1000 with 1', n, arms; END IF;
      RAISE EXCEPTION USING ERRCODE = 'SB001';
    EXCEPTION WHEN SQLSTATE 'SB001' THEN
      IF run > 0 THEN INSERT INTO timing VALUES ('claiming 1,000, the same step without arms (baseline)', 2, ms); END IF;
    END;
  END LOOP;
END $$;

\echo '-- medians (ms); ratio = with arms / without'
SELECT * FROM pg_temp.timing_medians();
SELECT pg_temp.timing_ratio(1, 2) AS claim_with_arms_ratio;
