-- Variants, A/B tests and the bandit (adaptive.md): arms and their
-- validation, sticky A/B/n draws, epsilon-greedy and Thompson choices at
-- claim time with their propensities and statistics, rewards by success
-- criterion, pooling, variant_stats and prob_b_beats_a. The regret
-- simulation is bench/variants; the arithmetic's unit tests are
-- test/unit/test_bandit.c.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = error;
SET LOCAL stormops.random_seed = 2019;
SELECT plan(63);

-- ---- prob_b_beats_a ----------------------------------------------------------
SELECT is(stormops.prob_b_beats_a(1, 2, 3, 4)::text, '0.6428571428571429', 'prob_b_beats_a(1, 2, 3, 4), to the last digit');
SELECT is(stormops.prob_b_beats_a(55, 50, 30, 30)::text, '0.38386463776317903', 'prob_b_beats_a(55, 50, 30, 30)');
SELECT is(stormops.prob_b_beats_a(50, 50, 35, 30)::text, '0.6867997222295887', 'prob_b_beats_a(50, 50, 35, 30)');
SELECT throws_ok($$SELECT stormops.prob_b_beats_a(0, 1, 1, 1)$$, '22023',
                 'prob_b_beats_a: alpha_a must be a positive finite number, not 0', 'alpha_a 0 is refused by name');
SELECT throws_ok($$SELECT stormops.prob_b_beats_a(1, -1, 1, 1)$$, '22023',
                 'prob_b_beats_a: beta_a must be a positive finite number, not -1', 'beta_a -1');
SELECT throws_ok($$SELECT stormops.prob_b_beats_a(1, 1, 'NaN', 1)$$, '22023',
                 'prob_b_beats_a: alpha_b must be a positive finite number, not NaN', 'alpha_b NaN');
SELECT throws_ok($$SELECT stormops.prob_b_beats_a(1, 1, 1, 'Infinity')$$, '22023',
                 'prob_b_beats_a: beta_b must be a positive finite number, not Infinity', 'beta_b infinite');
SELECT throws_ok($$SELECT stormops.prob_b_beats_a(1.5, 1, 2.5, 1)$$, '22023',
                 'prob_b_beats_a needs alpha_a or alpha_b to be a whole number', 'neither alpha whole');

-- ---- Arms are validated when the playbook is written -------------------------
CREATE FUNCTION pg_temp.play(strategy text, variants text DEFAULT NULL) RETURNS void LANGUAGE sql AS $$
  INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, message_variants)
  VALUES ('Bad', '{}', strategy::jsonb, variants::jsonb) $$;
SELECT throws_ok($$SELECT pg_temp.play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}], "adaptive": {"enabled": true, "bandit_epsilon": 1.5}}')$$,
                 '22023', 'invalid channel_strategy at adaptive.bandit_epsilon: out of range', 'bandit_epsilon above 1');
SELECT throws_ok($$SELECT pg_temp.play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}], "adaptive": {"enabled": true, "reoptimize_after_n_contacts": 0}}')$$,
                 '22023', 'invalid channel_strategy at adaptive.reoptimize_after_n_contacts: out of range', 'reoptimize_after_n_contacts 0');
SELECT throws_ok($$SELECT pg_temp.play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}], "adaptive": {"enabled": true, "method": "ucb"}}')$$,
                 '22023', 'invalid channel_strategy at adaptive.method: unknown method', 'an unknown method');
SELECT throws_ok($$SELECT pg_temp.play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["a", "b", "a"]}]}')$$,
                 '22023', 'invalid channel_strategy at sequence[0].message_variant[2]: variant listed twice (also at [0])', 'an arm listed twice');
SELECT throws_ok($$SELECT pg_temp.play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["a0","a1","a2","a3","a4","a5","a6","a7","a8","a9","a10"]}]}')$$,
                 '22023', 'invalid channel_strategy at sequence[0].message_variant: 11 variants: a step tests 2 to 10', 'eleven arms');
SELECT throws_ok($$SELECT pg_temp.play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["a", "b"]}]}', '{"a": "A"}')$$,
                 '22023', 'invalid channel_strategy at sequence[0].message_variant[1]: unknown message variant',
                 'an arm missing from message_variants is refused with its path');
SELECT throws_ok($$SELECT pg_temp.play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": "c"}]}', '{"a": "A"}')$$,
                 '22023', 'invalid channel_strategy at sequence[0].message_variant: unknown message variant',
                 'so is a single variant');
SELECT is((SELECT count(*) FROM stormops.playbooks WHERE playbook_name = 'Bad'), 0::bigint, 'nothing was stored');
SELECT lives_ok($$SELECT pg_temp.play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["a", "b"]}]}')$$,
                'without message_variants, any identifiers are arms');
DELETE FROM stormops.playbooks WHERE playbook_name = 'Bad';

-- ---- A market: 400 properties hit by two storms -------------------------------
INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES ('75034', 'TX', 'America/Chicago');
INSERT INTO stormops.properties (property_id, zip)
SELECT format('p%s', lpad(i::text, 3, '0')), '75034' FROM generate_series(1, 400) i;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES
  ('ev1', 'hail', '2019-03-24 18:00-05'), ('ev2', 'hail', '2019-05-20 18:00-05');
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
SELECT p.property_id, e.event_id, 90 FROM stormops.properties p CROSS JOIN (VALUES ('ev1'), ('ev2')) e(event_id);

-- AB: a plain A/B/n test on its first step; Greedy: epsilon-greedy on
-- opens, recomputed every 50 sent contacts.
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, message_variants, holdout_share, priority)
VALUES
  ('AB', '{"physics": {"min_sii_score": 50}}',
   '{"sequence": [{"step": 1, "channel": "sms", "timing_hours": 0, "message_variant": ["plain", "urgent", "friendly"]}]}',
   '{"plain": "P", "urgent": "U", "friendly": {"default": "F"}}', 0.5, 1);
SELECT stormops.activate_playbook('AB');
CREATE TEMP TABLE run1 AS SELECT * FROM stormops.generate_proposals('ev1', '2019-03-25 10:00-05');
CREATE TEMP VIEW ab_steps AS SELECT s.* FROM stormops.contact_steps s
  JOIN stormops.playbook_executions e USING (execution_id) JOIN stormops.playbooks p USING (playbook_id)
 WHERE p.playbook_name = 'AB';

SELECT is((SELECT (arms, arm_method, message_variant, bandit_epsilon, reoptimize_after)::text FROM stormops.execution_steps x
             JOIN stormops.playbook_executions e USING (execution_id) JOIN stormops.playbooks p USING (playbook_id)
            WHERE p.playbook_name = 'AB'),
          '("{plain,urgent,friendly}",uniform,,,)', 'a step with arms and no adaptive block is a uniform A/B/n test');
SELECT ok((SELECT count(*) FROM run1 WHERE decision = 'holdout') > 150, 'half of the market is held out');
SELECT is((SELECT count(*) FROM ab_steps s JOIN run1 r USING (property_id) WHERE r.decision = 'holdout'), 0::bigint,
          'holdouts have no plan, so never an arm');

CREATE TEMP TABLE ab_claim AS SELECT * FROM stormops.claim_due_contacts('sms', 1000, '2019-03-25 10:00-05');
SELECT is((SELECT count(*) FROM ab_claim), (SELECT count(*) FROM run1 WHERE decision = 'proposed'),
          'every proposed property is claimed');
SELECT is((SELECT count(*) FROM ab_claim c
            WHERE c.message_variant = (ARRAY['plain', 'urgent', 'friendly'])
                    [floor(stormops.arm_draw((SELECT playbook_id FROM stormops.playbooks WHERE playbook_name = 'AB'),
                                             c.property_id, 1) * 3)::int + 1]),
          (SELECT count(*) FROM ab_claim), 'each contact''s variant is its sticky draw of (playbook, property, step)');
SELECT is((SELECT array_agg(DISTINCT message_variant || '=' || script ORDER BY message_variant || '=' || script) FROM ab_claim),
          '{friendly=F,plain=P,urgent=U}', 'and its script is that variant''s');
SELECT ok((SELECT bool_and(n BETWEEN 40 AND 95) FROM (SELECT count(*) n FROM ab_claim GROUP BY message_variant) g),
          'the arms split the contacts about evenly');
SELECT is((SELECT array_agg(DISTINCT (arm_method, arm_propensity, arm_statistics_id)::text) FROM ab_steps WHERE arm IS NOT NULL),
          '{"(uniform,0.3333333333333333,)"}', 'an A/B/n choice is stored with its method and propensity 1/K, no statistics');
SELECT is((SELECT count(*) FROM ab_steps s JOIN ab_claim c USING (contact_id) WHERE s.arm = c.message_variant), (SELECT count(*) FROM ab_claim),
          'the step keeps the arm the sender was given');
SELECT ok((SELECT bool_and(h.reason LIKE '% with variant ' || c.message_variant || ' (uniform, propensity 0.3333)')
             FROM stormops.contact_step_changes h JOIN ab_claim c USING (contact_id)),
          'the lease''s change names the variant, method and propensity');
-- a lease that runs out: the next claim keeps the arm
SELECT is((SELECT count(*) FROM stormops.claim_due_contacts('sms', 1000, '2019-03-25 10:06-05') c
             JOIN ab_claim a USING (property_id) WHERE c.message_variant = a.message_variant),
          (SELECT count(*) FROM ab_claim), 'claimed again after the lease ran out, a contact keeps its arm');

-- the next storm: the same properties draw the same arms
SELECT stormops.abort_execution(execution_id, 'next storm') FROM stormops.playbook_executions;
CREATE TEMP TABLE run2 AS SELECT * FROM stormops.generate_proposals('ev2', '2019-05-21 10:00-05');
CREATE TEMP TABLE ab_claim2 AS SELECT * FROM stormops.claim_due_contacts('sms', 1000, '2019-05-21 10:00-05');
SELECT is((SELECT count(*) FROM ab_claim2 c JOIN ab_claim a USING (property_id) WHERE c.message_variant <> a.message_variant),
          0::bigint, 'a property keeps its arm across storms');
SELECT ok((SELECT count(*) FROM ab_claim2 c JOIN ab_claim a USING (property_id)) > 100, '(many properties were in both)');
SELECT is((SELECT count(DISTINCT pool_id) FROM stormops.arm_pools p JOIN stormops.playbooks b USING (playbook_id)
            WHERE b.playbook_name = 'AB'), 1::bigint, 'both executions pool their statistics');
SELECT stormops.abort_execution(execution_id, 'done') FROM stormops.playbook_executions WHERE status = 'Running';
UPDATE stormops.playbooks SET status = 'Paused' WHERE playbook_name = 'AB';

-- ---- Epsilon-greedy through claims and reports --------------------------------
-- Opens come from a seeded draw per property: 10% for plain, 40% for bold.
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, message_variants, holdout_share, priority)
VALUES ('Greedy', '{"physics": {"min_sii_score": 50}}',
        '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["plain", "bold"],
                        "success_criteria": "open_rate > 0.2"}],
          "adaptive": {"enabled": true, "bandit_epsilon": 0.2, "reoptimize_after_n_contacts": 50}}',
        '{"plain": "P", "bold": "B"}', 0, 1);
SELECT stormops.activate_playbook('Greedy');
CREATE TEMP TABLE run3 AS SELECT * FROM stormops.generate_proposals('ev1', '2019-03-25 10:00-05');
CREATE TEMP VIEW g_steps AS SELECT s.* FROM stormops.contact_steps s
  JOIN stormops.playbook_executions e USING (execution_id) JOIN stormops.playbooks p USING (playbook_id)
 WHERE p.playbook_name = 'Greedy';
SELECT is((SELECT (arm_method, bandit_epsilon, reoptimize_after)::text FROM stormops.execution_steps x
             JOIN stormops.playbook_executions e USING (execution_id) JOIN stormops.playbooks p USING (playbook_id)
            WHERE p.playbook_name = 'Greedy'), '(epsilon_greedy,0.2,50)', 'the adaptive block sets the method and its settings');

CREATE FUNCTION pg_temp.draw(property_id text) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT ('x' || substr(md5('sim:' || property_id), 1, 8))::bit(32)::int8 / 4294967296.0 $$;
CREATE TEMP TABLE g_claims (round int, contact_id bigint, property_id text, arm text, at timestamptz);
-- one round: claim 30, report them sent, then the opens
CREATE FUNCTION pg_temp.round(r int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE t timestamptz := '2019-03-25 10:00-05'::timestamptz + r * interval '10 minutes';
BEGIN
  INSERT INTO g_claims SELECT r, c.contact_id, c.property_id, c.message_variant, t
    FROM stormops.claim_due_contacts('email', 30, t) c;
  PERFORM stormops.record_contact_result(g.contact_id, 'sent', t) FROM g_claims g WHERE g.round = r;
  PERFORM stormops.record_contact_result(g.contact_id, 'open', t + interval '1 minute')
     FROM g_claims g WHERE g.round = r AND pg_temp.draw(g.property_id) < CASE g.arm WHEN 'bold' THEN 0.4 ELSE 0.1 END;
  RETURN (SELECT count(*) FROM g_claims g WHERE g.round = r);
END $$;
SELECT pg_temp.round(r) FROM generate_series(1, 13) r;
CREATE TEMP VIEW g_stats AS SELECT a.* FROM stormops.arm_statistics a JOIN stormops.arm_pools p USING (pool_id)
  JOIN stormops.playbooks b USING (playbook_id) WHERE b.playbook_name = 'Greedy';

SELECT is((SELECT count(*) FROM g_claims), 390::bigint, '13 rounds of 30 contacts');
SELECT is((SELECT count(*) FROM g_steps WHERE arm IS NOT NULL AND (arm_method <> 'epsilon_greedy' OR arm_statistics_id IS NULL)),
          0::bigint, 'every choice names its method and the statistics it used');
SELECT is((SELECT (sent_contacts, contacts, rewards, greedy_arm)::text FROM g_stats ORDER BY statistics_id LIMIT 1),
          '(0,"{0,0}","{0,0}",)', 'the first claim computes statistics: nothing sent, no greedy arm');
SELECT is((SELECT array_agg(DISTINCT arm_propensity) FROM g_steps s JOIN g_stats a ON a.statistics_id = s.arm_statistics_id
            WHERE a.greedy_arm IS NULL), '{0.5}', 'until every arm has a sent contact the choice is uniform');
SELECT is((SELECT count(*) FROM (SELECT statistics_id, sent_contacts - lag(sent_contacts) OVER (ORDER BY statistics_id) AS gap
                                   FROM g_stats) g WHERE gap < 50), 0::bigint,
          'statistics are recomputed only after 50 more sent contacts');
SELECT ok((SELECT count(*) FROM g_stats) BETWEEN 5 AND 8, 'so about every other round of 30 (390 sent: 6 to 8 times)');
SELECT is((SELECT count(*) FROM g_steps s JOIN g_stats a ON a.statistics_id = s.arm_statistics_id
            WHERE a.greedy_arm IS NOT NULL
              AND s.arm_propensity <> CASE WHEN s.arm = (ARRAY['plain', 'bold'])[a.greedy_arm] THEN 0.9 ELSE 0.1 END),
          0::bigint, 'each choice''s propensity is 1 - eps + eps/K for its statistics'' greedy arm, eps/K for the other');
SELECT is((SELECT count(*) FROM g_stats a
            WHERE (SELECT sum(stormops.epsilon_greedy_propensity(2, a.greedy_arm, 0.2, i)) FROM generate_series(1, 2) i) <> 1),
          0::bigint, 'propensities sum to 1 over the arms at every recomputation');
SELECT is((SELECT count(*) FROM g_stats a WHERE a.greedy_arm IS DISTINCT FROM stormops.greedy_arm(a.contacts, a.rewards)),
          0::bigint, 'the greedy arm is the one with the highest mean of its statistics');
SELECT is((SELECT count(*) FROM (SELECT g.round, count(DISTINCT a.greedy_arm) n FROM g_claims g
                                   JOIN g_steps s USING (contact_id) JOIN g_stats a ON a.statistics_id = s.arm_statistics_id
                                  GROUP BY g.round) x WHERE n > 1), 0::bigint,
          'the greedy arm is fixed between recomputations (one per claim here)');
SELECT is((SELECT greedy_arm FROM g_stats ORDER BY statistics_id DESC LIMIT 1), 2::int2, 'bold, the better arm, is greedy at the end');
SELECT ok((SELECT count(*) FILTER (WHERE arm = 'bold')::float8 / count(*) FROM g_claims WHERE round > 6) > 0.75,
          'and gets most contacts once it leads');
SELECT is((SELECT (contacts, rewards)::text FROM g_stats ORDER BY statistics_id DESC LIMIT 1),
          (SELECT (array_agg(n ORDER BY arm DESC), array_agg(o ORDER BY arm DESC))::text
             FROM (SELECT g.arm, count(*) n, count(*) FILTER (WHERE pg_temp.draw(g.property_id) < CASE g.arm WHEN 'bold' THEN 0.4 ELSE 0.1 END) o
                     FROM g_claims g JOIN g_stats a ON a.statistics_id = (SELECT max(statistics_id) FROM g_stats)
                    WHERE g.at < a.computed_at GROUP BY g.arm) x),
          'statistics count the sent contacts of each arm and their opens (the step''s open_rate criterion)');

-- the same seed gives the same choices: replay the last round
SAVEPOINT replay;
CREATE TEMP TABLE replay_before AS SELECT last_value FROM stormops.contact_id_seq;
UPDATE stormops.contact_steps s SET status = 'planned', is_next = true, arm = NULL, arm_method = NULL,
       arm_propensity = NULL, arm_statistics_id = NULL, final_at = NULL, sent_at = NULL, lease_until = NULL,
       ready_at = '2019-03-25 10:00-05', contact_id = NULL
 WHERE s.contact_id IN (SELECT contact_id FROM g_claims WHERE round = 13);
SELECT setval('stormops.contact_id_seq', (SELECT min(contact_id) - 1 FROM g_claims WHERE round = 13));
CREATE TEMP TABLE replay AS SELECT * FROM stormops.claim_due_contacts('email', 30, '2019-03-25 12:10-05');
SELECT is((SELECT array_agg((contact_id, property_id, message_variant)::text ORDER BY contact_id) FROM replay),
          (SELECT array_agg((contact_id, property_id, arm)::text ORDER BY contact_id) FROM g_claims WHERE round = 13),
          'the same seed, contacts and statistics: the same arms');
ROLLBACK TO SAVEPOINT replay;
SAVEPOINT reseed;
SET LOCAL stormops.random_seed = 7;
SELECT isnt((SELECT array_agg(stormops.epsilon_greedy_arm(2, 2, 0.5, stormops.random_seed(), i)) FROM generate_series(1, 40) i),
            (SELECT array_agg(stormops.epsilon_greedy_arm(2, 2, 0.5, 2019, i)) FROM generate_series(1, 40) i),
            'another seed: other choices');
ROLLBACK TO SAVEPOINT reseed;

-- 10,000 seeded choices: the greedy arm's share is 1 - eps + eps/K
SELECT ok(abs((SELECT count(*) FILTER (WHERE stormops.epsilon_greedy_arm(3, 2, 0.1, 2019, i) = 2)::float8 / 10000
                 FROM generate_series(1, 10000) i) - (1 - 0.1 + 0.1 / 3)) < 0.02,
          'over 10,000 seeded choices the greedy arm''s share is within 2 points of 1 - eps + eps/K');
SELECT is((SELECT array_agg(stormops.epsilon_greedy_arm(3, 2, 0.1, 2019, i) ORDER BY i) FROM generate_series(1, 200) i),
          (SELECT array_agg(stormops.epsilon_greedy_arm(3, 2, 0.1, 2019, i) ORDER BY i) FROM generate_series(1, 200) i),
          'the same seed and contact ids: the same choices');

-- ---- variant_stats and P(best) --------------------------------------------------
CREATE TEMP TABLE vs AS SELECT * FROM stormops.variant_stats('Greedy', '2019-03-26');
SELECT is((SELECT array_agg(arm ORDER BY arm DESC) FROM vs), '{plain,bold}', 'variant_stats: a row per arm');
SELECT is((SELECT sum(contacts) FROM vs), 390::numeric, 'counting every sent contact');
SELECT is((SELECT sum(share) FROM vs), 1::float8, 'shares add up to 1');
SELECT is((SELECT p_best FROM vs WHERE arm = 'bold'),
          (SELECT stormops.prob_b_beats_a(1 + p.rewards, 1 + p.contacts - p.rewards, 1 + b.rewards, 1 + b.contacts - b.rewards)
             FROM vs p, vs b WHERE p.arm = 'plain' AND b.arm = 'bold'),
          'P(best) of two arms is prob_b_beats_a exactly');
SELECT is((SELECT sum(p_best) FROM vs), 1::float8, 'and the two add up to 1');
SELECT is((SELECT (wilson_low, wilson_high)::text FROM vs WHERE arm = 'bold'),
          (SELECT w::text FROM vs, stormops.wilson_interval(rewards, contacts) w WHERE arm = 'bold'), 'with the Wilson interval of the mean');
SELECT is((SELECT mean FROM vs WHERE arm = 'bold'), (SELECT rewards::float8 / contacts FROM vs WHERE arm = 'bold'), 'and the mean');
SELECT throws_ok($$SELECT * FROM stormops.variant_stats('Nope')$$, '42704', 'playbook "Nope" does not exist', 'an unknown playbook');

-- ---- Rewards by success criterion; Thompson -------------------------------------
-- Costs: complaint_rate rewards a contact that brought no complaint.
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share, priority)
VALUES ('Thompson', '{"physics": {"min_sii_score": 50}}',
        '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0, "message_variant": ["a", "b", "c"],
                        "success_criteria": "complaint_rate < 0.01"}],
          "adaptive": {"enabled": true, "method": "thompson", "reoptimize_after_n_contacts": 20}}', 0, 2);
SELECT stormops.activate_playbook('Thompson');
SELECT stormops.pause_playbook('Greedy');
SELECT stormops.abort_execution(execution_id, 'make room') FROM stormops.playbook_executions WHERE status = 'Running';
CREATE TEMP TABLE run4 AS SELECT * FROM stormops.generate_proposals('ev2', '2019-05-21 10:00-05');
CREATE TEMP TABLE t_claim AS SELECT * FROM stormops.claim_due_contacts('phone', 60, '2019-05-21 10:00-05');
SELECT stormops.record_contact_result(contact_id, 'sent', '2019-05-21 10:01-05') FROM t_claim;
SELECT stormops.record_contact_result(contact_id, 'complaint', '2019-05-21 10:02-05') FROM t_claim WHERE message_variant = 'a';
CREATE TEMP TABLE t_claim2 AS SELECT * FROM stormops.claim_due_contacts('phone', 60, '2019-05-21 10:05-05');
CREATE TEMP VIEW t_stats AS SELECT a.* FROM stormops.arm_statistics a JOIN stormops.arm_pools p USING (pool_id)
  JOIN stormops.playbooks b USING (playbook_id) WHERE b.playbook_name = 'Thompson' ORDER BY statistics_id DESC LIMIT 1;
SELECT is((SELECT (contacts, rewards)::text FROM t_stats),
          (SELECT (array_agg(n ORDER BY v), array_agg(CASE WHEN v = 'a' THEN 0 ELSE n END ORDER BY v))::text
             FROM (SELECT message_variant v, count(*) n FROM t_claim GROUP BY 1) x),
          'complaint_rate is a cost: a complaint earns 0, no complaint 1');
SELECT ok((SELECT abs(sum(p) - 1) < 1e-12 FROM t_stats, unnest(prob_best) p), 'Thompson''s propensities (P(best)) sum to 1');
SELECT is((SELECT count(*) FROM stormops.contact_steps s JOIN t_claim2 c USING (contact_id)
            WHERE s.arm_method = 'thompson' AND s.arm_propensity = (SELECT prob_best FROM t_stats)[array_position('{a,b,c}'::text[], s.arm)]),
          (SELECT count(*) FROM t_claim2), 'each Thompson choice''s propensity is its arm''s P(best) in the statistics it used');
SELECT ok((SELECT count(*) FILTER (WHERE message_variant = 'a') FROM t_claim2) < 10,
          'after its complaints, arm a is rarely drawn');

-- conversion_rate counts a conversion within stormops.attribution_days of the send
SELECT is((SELECT array_agg(rewards ORDER BY arm_no) FROM stormops.arm_pool_counts(
             (SELECT pool_id FROM stormops.arm_pools p JOIN stormops.playbooks b USING (playbook_id) WHERE b.playbook_name = 'Thompson'),
             '2019-05-21 10:03-05')),
          (SELECT array_agg(CASE WHEN v = 'a' THEN 0 ELSE n END ORDER BY v) FROM (SELECT message_variant v, count(*) n FROM t_claim GROUP BY 1) x),
          'arm_pool_counts as of a moment gives the same rewards');
UPDATE stormops.execution_steps x SET success_criteria = 'conversion_rate > 0.01'
  FROM stormops.playbook_executions e JOIN stormops.playbooks b USING (playbook_id)
 WHERE x.execution_id = e.execution_id AND b.playbook_name = 'Thompson';
SELECT stormops.record_contact_result(contact_id, 'conversion', '2019-06-05 10:00-05') FROM t_claim WHERE message_variant = 'b';
SELECT stormops.record_contact_result(contact_id, 'conversion', '2019-07-05 10:00-05') FROM t_claim WHERE message_variant = 'c';
SELECT is((SELECT array_agg(rewards ORDER BY arm_no) FROM stormops.arm_pool_counts(
             (SELECT pool_id FROM stormops.arm_pools p JOIN stormops.playbooks b USING (playbook_id) WHERE b.playbook_name = 'Thompson'),
             '2019-08-01')),
          (SELECT array_agg(CASE WHEN v = 'b' THEN n ELSE 0 END ORDER BY v) FROM (SELECT message_variant v, count(*) n FROM t_claim GROUP BY 1) x),
          'conversion_rate: a conversion after 15 days counts, after 45 days (beyond attribution_days 30) does not');

SELECT * FROM finish();
ROLLBACK;
