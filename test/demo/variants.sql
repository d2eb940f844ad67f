-- What the demo shows about variants (docs/variants.md): Frisco-Alpha's
-- first email tests two messages, analytical and social_proof, and its
-- adaptive block (epsilon-greedy, epsilon 0.1, recomputed every 100 sent
-- contacts) moves the contacts to the one that works. Eight made-up weekly
-- hailstorms hit the Frisco homes the 24 March storm hit; each week's
-- execution sends its emails through claim_due_contacts, 40 at a time, and
-- opens are seeded draws: 25% for analytical, 35% for social_proof. The
-- statistics pool across the eight executions. Rolled back at the end, so
-- the rest of the demo does not see these storms.
\pset footer off
SAVEPOINT variants_demo;

\echo
\echo '== Variants: Frisco-Alpha''s first email, analytical against social_proof, over eight weekly storms'
\echo '-- (made-up open rates, seeded: analytical 25%, social_proof 35%; the bandit does not know them)'
SELECT x.step, x.channel, x.arms, x.arm_method, x.bandit_epsilon, x.reoptimize_after, x.success_criteria
  FROM stormops.execution_steps x JOIN stormops.playbook_executions e USING (execution_id)
  JOIN stormops.playbooks p USING (playbook_id)
 WHERE p.playbook_name = 'Frisco-Alpha' AND x.arms IS NOT NULL;
\o /dev/null
-- only Frisco-Alpha runs these storms; the two weeks above are over
SELECT stormops.pause_playbook(playbook_name) FROM stormops.playbooks
 WHERE status = 'Active' AND playbook_name <> 'Frisco-Alpha';
SELECT stormops.complete_execution(e.execution_id, force => true)
  FROM stormops.playbook_executions e WHERE e.status = 'Running';
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at, end_at, source)
SELECT format('demo_week_%s_hail', w), 'hail', 1.75, '2019-05-20 17:00-05'::timestamptz + (w - 1) * interval '7 days',
       '2019-05-20 17:30-05'::timestamptz + (w - 1) * interval '7 days', 'demo'
  FROM generate_series(1, 8) w;
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
SELECT i.property_id, format('demo_week_%s_hail', w), i.sii_score
  FROM stormops.property_impacts i CROSS JOIN generate_series(1, 8) w
 WHERE i.event_id = 'noaa_ep_135504_hail';

CREATE TEMP TABLE week_arms (week int, arm text, statistics_id bigint);
\o
\echo '-- the growth team widens Frisco-Alpha to every Frisco home a storm hits (a new version: its email keeps the same arms, so the statistics pool across versions)'
SELECT playbook_name, playbook_version FROM stormops.revise_playbook('Frisco-Alpha',
  '{"targeting_rules": {"physics": {"min_sii_score": 40, "max_days_since_storm": 14}, "geography": {"zips": ["75034", "75035"]}}}');
DO $$
DECLARE
  w int;
  t timestamptz;
  c record;
  rate float8;
BEGIN
  FOR w IN 1 .. 8 LOOP
    t := '2019-05-21 09:00-05'::timestamptz + (w - 1) * interval '7 days';
    PERFORM stormops.generate_proposals(format('demo_week_%s_hail', w), t);
    -- the email sender claims 40 every hour while the step is open
    -- (72 hours); max_daily_contacts (60) holds the rest for the next day
    FOR t IN SELECT generate_series(t, t + interval '72 hours', interval '1 hour') LOOP
      FOR c IN SELECT * FROM stormops.claim_due_contacts('email', 40, t) LOOP
        PERFORM stormops.record_contact_result(c.contact_id, 'sent', t + interval '5 minutes');
        rate := CASE c.message_variant WHEN 'social_proof' THEN 0.35 ELSE 0.25 END;
        IF pg_temp.draw(c.property_id || ':week ' || w || ':open') < rate THEN
          PERFORM stormops.record_contact_result(c.contact_id, 'open', t + interval '2 hours');
        END IF;
        INSERT INTO week_arms
        SELECT w, s.arm, s.arm_statistics_id FROM stormops.contact_steps s WHERE s.contact_id = c.contact_id;
      END LOOP;
    END LOOP;
    PERFORM stormops.complete_execution(e.execution_id, force => true)
       FROM stormops.playbook_executions e WHERE e.status = 'Running';
  END LOOP;
END $$;

\echo '-- the share of contacts each arm got, week by week, and the greedy arm of the statistics the week''s choices read'
SELECT a.week, count(*) AS contacts,
       count(*) FILTER (WHERE a.arm = 'analytical') AS analytical,
       count(*) FILTER (WHERE a.arm = 'social_proof') AS social_proof,
       round(100.0 * count(*) FILTER (WHERE a.arm = 'social_proof') / count(*), 1) AS social_proof_pct,
       string_agg(DISTINCT coalesce((p.arms)[st.greedy_arm], 'none yet (uniform)'), ', ') AS greedy_arm,
       count(DISTINCT a.statistics_id) AS recomputations_read
  FROM week_arms a
  JOIN stormops.arm_statistics st ON st.statistics_id = a.statistics_id
  JOIN stormops.arm_pools p USING (pool_id)
 GROUP BY a.week ORDER BY a.week;

\echo '-- every recomputation of the pooled statistics (one per 100 sent contacts, at the next claim)'
SELECT st.statistics_id AS id, st.sent_contacts AS at_sent,
       to_char(st.computed_at AT TIME ZONE 'America/Chicago', 'MM-DD HH24:MI') AS computed_local,
       st.contacts, st.rewards, (p.arms)[st.greedy_arm] AS greedy,
       array(SELECT round(b::numeric, 4) FROM unnest(st.prob_best) b) AS p_best
  FROM stormops.arm_statistics st JOIN stormops.arm_pools p USING (pool_id)
  JOIN stormops.playbooks b USING (playbook_id)
 WHERE b.playbook_name = 'Frisco-Alpha'
 ORDER BY st.statistics_id;

\echo '-- what a person reads: stormops.variant_stats(''Frisco-Alpha'') (opens: the step''s open_rate criterion)'
SELECT step, channel, arm, contacts, rewards AS opens, round(mean::numeric, 4) AS open_rate,
       round(wilson_low::numeric, 4) AS wilson_low, round(wilson_high::numeric, 4) AS wilson_high,
       round(share::numeric, 4) AS share, round(p_best::numeric, 6) AS p_best
  FROM stormops.variant_stats('Frisco-Alpha', '2019-07-31');
\echo '-- P(social_proof beats analytical) = prob_b_beats_a(1 + opens, 1 + unopened of analytical, the same of social_proof)'
SELECT stormops.prob_b_beats_a(1 + a.rewards, 1 + a.contacts - a.rewards, 1 + s.rewards, 1 + s.contacts - s.rewards)
         AS p_social_proof_beats_analytical
  FROM stormops.variant_stats('Frisco-Alpha', '2019-07-31') a, stormops.variant_stats('Frisco-Alpha', '2019-07-31') s
 WHERE a.arm = 'analytical' AND s.arm = 'social_proof';
\echo '-- every choice is stored with its propensity: what a retrospective weighs by'
SELECT s.arm, s.arm_method, round(s.arm_propensity::numeric, 4) AS propensity, count(*) AS contacts
  FROM stormops.contact_steps s JOIN stormops.playbook_executions e USING (execution_id)
  JOIN stormops.playbooks p USING (playbook_id)
 WHERE p.playbook_name = 'Frisco-Alpha' AND s.arm IS NOT NULL
 GROUP BY 1, 2, 3 ORDER BY 1, 3;

ROLLBACK TO SAVEPOINT variants_demo;
