-- make demo: learning (docs/learning.md). After the simulated weeks and
-- the retrospectives: the nightly job trains the property models on the
-- stored decisions and outcomes, the registry says which model is active
-- and why, the uplift model's Qini curve, and what the new scores change
-- in the plays' rankings.
\echo
\echo '== Learning: the nightly job (train_and_score) on the stored decisions and outcomes, as of 1 June 2019'
\echo '-- the Frisco runs are too small to learn from (a control of 9), so the market also has last spring''s door-hanger'
\echo '-- campaign, imported with a 30% holdout; who converted is simulated: old roofs and Proof_Seekers answer the hanger'
\o /dev/null
SELECT setseed(0.2018);
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share)
VALUES ('Spring-Hanger-2018', '{}', '{"sequence": [{"step": 1, "channel": "door_knock", "timing_hours": 0}]}', 0.3);
CREATE TEMP TABLE demo_hanger AS
SELECT p.property_id, stormops.validation_row('hanger' || p.property_id) AS held_out,
       2018 - COALESCE(p.roof_install_year, 2010) AS roof_age, p.persona, random() AS r
  FROM stormops.properties p WHERE p.property_id LIKE 'dfw\_%' ORDER BY p.property_id;
SELECT stormops.import_campaign('Spring-Hanger-2018', 'spring-2018', '2018-04-02 09:00-05',
         ARRAY(SELECT property_id FROM demo_hanger WHERE NOT held_out ORDER BY property_id),
         ARRAY(SELECT property_id FROM demo_hanger WHERE held_out ORDER BY property_id),
         (SELECT jsonb_agg(jsonb_build_object('property_id', property_id, 'event_type', 'conversion',
                                              'at', '2018-04-20 12:00-05', 'revenue', 11000))
            FROM demo_hanger
           WHERE r < 0.02 + 0.002 * LEAST(roof_age, 25)
                     + CASE WHEN held_out THEN 0
                            ELSE 0.012 * LEAST(roof_age, 25) + CASE WHEN persona = 'Proof_Seeker' THEN 0.08 ELSE 0 END END),
         'door_knock') IS NOT NULL AS imported;
\o
-- and a Tier1 rival's permit in two ZIPs in May 2018: past customers there who did not buy from us within a year
-- churned (simulated: most Family_Protectors called us back in September 2018, a few others did)
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at)
SELECT 'demo-rival-' || zip, zip, 'rival-roofing', 'Rival Roofing', 'Tier1', '2018-05-01 10:00-05'
  FROM (SELECT DISTINCT zip FROM stormops.properties WHERE property_id LIKE 'dfw\_%' ORDER BY zip LIMIT 2) z;
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, revenue)
SELECT h.property_id, 'conversion', 'phone', '2018-09-01 10:00-05', 9000
  FROM demo_hanger h JOIN stormops.properties p USING (property_id)
 WHERE p.is_past_customer AND h.r < CASE WHEN h.persona = 'Family_Protector' THEN 0.8 ELSE 0.2 END;

CREATE TEMP TABLE demo_ranks_before AS
SELECT b.playbook_name, t.rank, t.property_id
  FROM (VALUES ('Frisco-Alpha'), ('Expansion-Lookalike')) b(playbook_name),
       stormops.playbook_targets(b.playbook_name, 'noaa_ep_135504_hail', '2019-03-27 12:00-05') t;
SELECT kind, model_id, status, reason FROM stormops.train_and_score('2019-06-01 00:00-05');

\echo '-- the registry: rows per arm, validation figures, and why each model is or is not the active one'
SELECT model_id AS id, kind, version AS v, status, rows_treated AS treated, rows_control AS control,
       round((metrics->>'qini')::numeric, 3) AS qini, round((metrics->>'auuc')::numeric, 3) AS auuc,
       round(COALESCE(metrics->>'auc_treated', metrics->>'auc')::numeric, 3) AS auc,
       round((metrics->>'uplift_at_10')::numeric, 4) AS uplift_top10, round((metrics->>'uplift_average')::numeric, 4) AS uplift_avg,
       status_reason
  FROM stormops.models ORDER BY model_id;

\echo '-- the uplift model''s validation Qini curve: incremental conversions among the first x% ranked, against random targeting'
SELECT round(100 * share) || '%' AS ranked_first, round(qini::numeric, 1) AS model, round(random::numeric, 1) AS random,
       repeat('#', GREATEST(0, round(40 * qini / NULLIF(max(abs(qini)) OVER (), 0)))::int) AS curve
  FROM stormops.model_qini_curve((SELECT max(model_id) FROM stormops.models WHERE kind = 'uplift'));

\echo '-- what the uplift model reads most (treated arm, standardised coefficients)'
SELECT feature, round(t.standardized_coefficient::numeric, 3) AS treated, round(c.standardized_coefficient::numeric, 3) AS control
  FROM stormops.model_coefficients((SELECT max(model_id) FROM stormops.models WHERE kind = 'uplift')) t
  JOIN stormops.model_coefficients((SELECT max(model_id) FROM stormops.models WHERE kind = 'uplift')) c USING (feature)
 WHERE t.arm = 'treated' AND c.arm = 'control' AND feature <> 'intercept'
 ORDER BY abs(t.standardized_coefficient - c.standardized_coefficient) DESC LIMIT 6;

\echo '-- the job scored as of its own moment; the storm''s rankings are for 27 March 2019, so score as of then too'
SELECT stormops.score_properties('2019-03-27 12:00-05') AS properties_scored_as_of_the_storm;
\echo '-- property_scores after scoring'
SELECT model_version, count(*) AS properties, round(avg(uplift_score)::numeric, 4) AS mean_uplift,
       round(avg(response_score)::numeric, 4) AS mean_response, round(avg(churn_risk)::numeric, 4) AS mean_churn_risk,
       min(scored_at) = max(scored_at) AS one_pass
  FROM stormops.property_scores GROUP BY model_version ORDER BY 2 DESC LIMIT 3;

\echo '-- how the rankings change for the same storm: Expansion-Lookalike ranks by tract similarity, then uplift_score within a tract,'
\echo '-- so the new scores reorder it within tracts; Frisco-Alpha ranks look-alikes by similarity alone (docs/targeting.md, "Ranking"), so its order stays'
SELECT a.playbook_name, a.rank AS new_rank, b.rank AS old_rank, a.property_id, round(a.uplift_score::numeric, 4) AS uplift_score,
       round(s.churn_risk::numeric, 3) AS churn_risk
  FROM (SELECT b.playbook_name, t.* FROM (VALUES ('Frisco-Alpha'), ('Expansion-Lookalike')) b(playbook_name),
               stormops.playbook_targets(b.playbook_name, 'noaa_ep_135504_hail', '2019-03-27 12:00-05') t) a
  LEFT JOIN demo_ranks_before b USING (playbook_name, property_id)
  LEFT JOIN stormops.property_scores s USING (property_id)
 WHERE a.rank <= 5 ORDER BY a.playbook_name, a.rank;
SELECT playbook_name, count(*) FILTER (WHERE a.rank IS DISTINCT FROM b.rank) AS targets_moved, count(*) AS targets
  FROM (SELECT b.playbook_name, t.* FROM (VALUES ('Frisco-Alpha'), ('Expansion-Lookalike')) b(playbook_name),
               stormops.playbook_targets(b.playbook_name, 'noaa_ep_135504_hail', '2019-03-27 12:00-05') t) a
  FULL JOIN demo_ranks_before b USING (playbook_name, property_id)
 GROUP BY playbook_name ORDER BY playbook_name;
