-- Learning (learning.md): the generic trainer's refusals with nothing
-- written, its documented outcomes (constant column, NULL text, separable
-- classes, one arm), versions and the registry, scoring expressions, the
-- property entry point (uplift, response, churn from stored decisions and
-- outcomes), score_properties, train_and_score and the nightly job.
-- scikit-learn's coefficients and scikit-uplift's Qini: test/shell/learning_reference.sh.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = error;
SELECT plan(60);

-- rows with a signal: the label follows x1 more strongly when treated
CREATE TEMP TABLE t AS
SELECT i AS id,
       (abs(hashtext('x1' || i)) % 1000) / 1000.0 AS x1,
       (abs(hashtext('x2' || i)) % 100)::int AS x2,
       (ARRAY['north', 'south', 'east'])[1 + abs(hashtext('lvl' || i)) % 3] AS region,
       i % 2 = 0 AS treated,
       1.0 AS const,
       CASE WHEN i % 7 = 0 THEN NULL ELSE 'tag' || (i % 2) END AS tag,
       CURRENT_DATE AS day
  FROM generate_series(1, 3000) i;
ALTER TABLE t ADD COLUMN label int;
UPDATE t SET label = CASE WHEN (abs(hashtext('y' || id)) % 1000) / 1000.0
                               < 0.1 + CASE WHEN treated THEN 0.5 * x1 ELSE 0.1 * x1 END THEN 1 ELSE 0 END;

-- refusals, each naming what is wrong, nothing written
SELECT throws_ok($$SELECT stormops.train_uplift_model('t', 'id', '{x1,nope}', 'treated', 'label')$$,
  '42703', 'feature column "nope" does not exist in relation t', 'an unknown column: 42703');
SELECT throws_ok($$SELECT stormops.train_uplift_model('t', 'id', '{x1,day}', 'treated', 'label')$$,
  '42804', 'feature column "day" has type date', 'a date feature: 42804');
SELECT throws_ok($$SELECT stormops.train_uplift_model('t', 'id', '{}', 'treated', 'label')$$,
  '22023', 'features is empty', 'no features: 22023');
SELECT throws_ok($$SELECT stormops.train_uplift_model('t', 'id', '{x1,label}', 'treated', 'label')$$,
  '22023', 'feature "label" is also the label, treatment or weight column', 'the label as a feature: 22023');
SELECT throws_ok($$SELECT stormops.train_uplift_model('t', 'id', '{x1,x1}', 'treated', 'label')$$,
  '22023', 'features names column "x1" twice', 'a repeated feature: 22023');
SELECT throws_ok($$SELECT stormops.train_uplift_model('t', 'id', '{x1}', 'treated', 'label', -1)$$,
  '22023', 'l2 is -1', 'a negative penalty: 22023');
SELECT throws_ok($$SELECT stormops.train_uplift_model('t', 'id', '{x1}', NULL, 'label')$$,
  '22004', 'treatment_column must not be NULL', 'an uplift model without treatment: 22004');
CREATE TEMP VIEW t_null AS SELECT id, CASE WHEN id = 17 THEN NULL ELSE x1 END AS x1, treated, label FROM t;
SELECT throws_ok($$SELECT stormops.train_uplift_model('t_null', 'id', '{x1}', 'treated', 'label')$$,
  '22004', 'feature column "x1" is NULL in the row with id ''17''', 'a NULL numeric feature names the row: 22004');
CREATE TEMP VIEW t_two AS SELECT id, x1, treated, CASE WHEN id = 5 THEN 2 ELSE label END AS label FROM t;
SELECT throws_ok($$SELECT stormops.train_uplift_model('t_two', 'id', '{x1}', 'treated', 'label')$$,
  '22023', 'label column "label" is 2 in the row with id ''5''', 'a label of 2: 22023');
CREATE TEMP VIEW t_one_arm AS SELECT id, x1, true AS treated, label FROM t;
SELECT throws_ok($$SELECT stormops.train_uplift_model('t_one_arm', 'id', '{x1}', 'treated', 'label')$$,
  '22023', NULL, 'a treatment column with one value: 22023');
CREATE TEMP VIEW t_ones AS SELECT id, x1, treated, 1 AS label FROM t;
SELECT throws_ok($$SELECT stormops.train_uplift_model('t_ones', 'id', '{x1}', 'treated', 'label')$$,
  '22023', 'cannot fit the treated model: every label is 1', 'all-one labels: 22023, naming the arm');
SELECT throws_ok($$SELECT stormops.train_model('ltv', 't', 'id', '{x1}', 'label')$$,
  '22023', 'kind ''ltv'' is not a one-model kind', 'ltv is not trained: 22023');
SELECT throws_ok($$SELECT * FROM stormops.model_coefficients(999)$$, '42704', 'model 999 does not exist', 'an unknown model: 42704');
CREATE TEMP VIEW t_nan AS SELECT id, CASE WHEN id = 3 THEN 'NaN'::float8 ELSE x1 END AS x1, treated, label FROM t;
SELECT ok(stormops.validation_row('3'), 'row 3 validates (so the core never sees it)');
SELECT throws_ok($$SELECT stormops.train_uplift_model('t_nan', 'id', '{x1}', 'treated', 'label')$$,
  '22023', 'feature column "x1" is NaN in the row with id ''3''', 'a NaN feature in a validation row: 22023');
SELECT is((SELECT count(*) FROM stormops.models), 0::bigint, 'nothing written by any refusal');

-- a model: version 1, both arms, one-hot levels of the fit rows, a constant column at 0
SELECT lives_ok($$SELECT stormops.train_uplift_model('t', 'id', '{x1,x2,region,const,tag}', 'treated', 'label')$$,
  'an uplift model trains');
SELECT is((SELECT kind || ' v' || version || ' ' || rows_treated || '+' || rows_control || ' ' || (metrics->>'rows_validate')
             FROM stormops.models WHERE model_id = (SELECT max(model_id) FROM stormops.models)),
          (SELECT 'uplift v1 ' || count(*) FILTER (WHERE treated) || '+' || count(*) FILTER (WHERE NOT treated) || ' '
                  || (SELECT count(*) FROM t WHERE stormops.validation_row(id::text))
             FROM t WHERE NOT stormops.validation_row(id::text)),
          'version 1; treated and control fit rows; the md5 split');
SELECT set_eq($$SELECT arm || ':' || feature FROM stormops.model_coefficients((SELECT max(model_id) FROM stormops.models))$$,
  $$SELECT a || ':' || f FROM unnest('{treated,control}'::text[]) a,
           unnest('{intercept,x1,x2,region=east,region=north,region=south,const,tag=tag0,tag=tag1}'::text[]) f$$,
  'coefficients per arm: intercept, numbers, one column per level (NULL tags set none), none dropped');
SELECT is((SELECT count(*) FROM stormops.model_coefficients((SELECT max(model_id) FROM stormops.models))
            WHERE feature = 'const' AND coefficient = 0 AND standardized_coefficient = 0), 2::bigint,
          'a constant column gets coefficient 0 in both arms');
SELECT cmp_ok((SELECT coefficient FROM stormops.model_coefficients((SELECT max(model_id) FROM stormops.models))
                WHERE arm = 'treated' AND feature = 'x1'),
              '>', (SELECT coefficient FROM stormops.model_coefficients((SELECT max(model_id) FROM stormops.models))
                     WHERE arm = 'control' AND feature = 'x1'),
              'the treated arm learns the stronger slope');
SELECT ok((SELECT (metrics->>'qini')::float8 > 0 AND metrics ? 'auc_treated' AND metrics ? 'auuc' AND metrics ? 'uplift_at_10'
             FROM stormops.models WHERE model_id = (SELECT max(model_id) FROM stormops.models)),
          'validation metrics: Qini above zero, AUC per arm, AUUC, uplift at 10%');
SELECT is((SELECT status FROM stormops.models WHERE model_id = (SELECT max(model_id) FROM stormops.models)), 'active',
          'the first model that beats zero by more than noise is active');
SELECT is((SELECT count(*) FROM stormops.model_qini_curve((SELECT max(model_id) FROM stormops.models))), 11::bigint,
          'the Qini curve at each tenth');
-- scores from the stored expression equal the coefficients applied by hand
SELECT is((SELECT round(s.score::numeric, 12) FROM stormops.model_scores((SELECT max(model_id) FROM stormops.models), 't', 'id') s
            WHERE s.row_id = '44'),
          (SELECT round((1 / (1 + exp(-(ti.coefficient + tx.coefficient * t.x1 + tx2.coefficient * t.x2 + tr.coefficient + tt.coefficient)))
                       - 1 / (1 + exp(-(ci.coefficient + cx.coefficient * t.x1 + cx2.coefficient * t.x2 + cr.coefficient + ct.coefficient))))::numeric, 12)
             FROM t, stormops.model_coefficients((SELECT max(model_id) FROM stormops.models)) ti,
                  stormops.model_coefficients((SELECT max(model_id) FROM stormops.models)) tx,
                  stormops.model_coefficients((SELECT max(model_id) FROM stormops.models)) tx2,
                  stormops.model_coefficients((SELECT max(model_id) FROM stormops.models)) tr,
                  stormops.model_coefficients((SELECT max(model_id) FROM stormops.models)) tt,
                  stormops.model_coefficients((SELECT max(model_id) FROM stormops.models)) ci,
                  stormops.model_coefficients((SELECT max(model_id) FROM stormops.models)) cx,
                  stormops.model_coefficients((SELECT max(model_id) FROM stormops.models)) cx2,
                  stormops.model_coefficients((SELECT max(model_id) FROM stormops.models)) cr,
                  stormops.model_coefficients((SELECT max(model_id) FROM stormops.models)) ct
            WHERE t.id = 44
              AND (ti.arm, ti.feature) = ('treated', 'intercept') AND (tx.arm, tx.feature) = ('treated', 'x1')
              AND (tx2.arm, tx2.feature) = ('treated', 'x2') AND (tr.arm, tr.feature) = ('treated', 'region=' || t.region)
              AND (tt.arm, tt.feature) = ('treated', 'tag=tag0')
              AND (ci.arm, ci.feature) = ('control', 'intercept') AND (cx.arm, cx.feature) = ('control', 'x1')
              AND (cx2.arm, cx2.feature) = ('control', 'x2') AND (cr.arm, cr.feature) = ('control', 'region=' || t.region)
              AND (ct.arm, ct.feature) = ('control', 'tag=tag0')),
          'a score is p_treated - p_control from the stored coefficients (row 44: tag0)');
SELECT throws_ok($$SELECT * FROM stormops.model_scores((SELECT max(model_id) FROM stormops.models), 't_null', 'id')$$,
  '42703', NULL, 'scoring a relation without the model''s columns: 42703');

-- a source the active model cannot score (NULL in a column it reads): no comparison on its rows, no failure
CREATE TEMP VIEW t_gap AS SELECT id, x1, CASE WHEN id % 5 = 0 THEN NULL ELSE x2 END AS x2, region, const, tag, treated, label FROM t;
SELECT lives_ok($$SELECT stormops.train_uplift_model('t_gap', 'id', '{x1}', 'treated', 'label')$$,
  'training on a source where the active model meets a NULL still works');
SELECT ok((SELECT status_reason LIKE '%on its own validation rows%' FROM stormops.models ORDER BY model_id DESC LIMIT 1),
          'and compares with the active model''s stored figure, saying so');
SELECT lives_ok($$SELECT stormops.activate_model(1, 'test: back to the first')$$, 'the first model active again');
-- any id type, read as text
CREATE TEMP VIEW t_uuid AS SELECT md5(id::text)::uuid AS uid, x1, treated, label FROM t;
SELECT lives_ok($$SELECT stormops.train_uplift_model('t_uuid', 'uid', '{x1}', 'treated', 'label')$$, 'a uuid id');
SELECT lives_ok($$SELECT stormops.activate_model(1, 'test: back to the first')$$, 'the first model active again');

-- a second model of the kind: a new version; no better on the same rows: a candidate
SELECT lives_ok($$SELECT stormops.train_uplift_model('t', 'id', '{x2}', 'treated', 'label')$$, 'a weaker model trains');
SELECT is((SELECT version || ' ' || status FROM stormops.models ORDER BY model_id DESC LIMIT 1), '4 candidate',
          'version 4 stays a candidate');
SELECT ok((SELECT status_reason LIKE 'candidate: validation qini %; model % (version 1) has % on the same validation rows; does not beat %'
             FROM stormops.models ORDER BY model_id DESC LIMIT 1), 'with the reason: compared on the same validation rows');

-- separable classes without penalty: reported, never activated
CREATE TEMP VIEW t_sep AS SELECT id, x1, treated, (x1 > 0.5)::int AS label FROM t;
SELECT lives_ok($$SELECT stormops.train_model('response', 't_sep', 'id', '{x1}', 'label', 0)$$, 'separable classes, l2 = 0: trained');
SELECT ok((SELECT status = 'candidate' AND status_reason LIKE '%stopped at separable%' AND fit->0->>'status' = 'separable'
             FROM stormops.models ORDER BY model_id DESC LIMIT 1),
          'a separable fit is a candidate whose reason says so');
SELECT lives_ok($$SELECT stormops.train_model('response', 't_sep', 'id', '{x1}', 'label', 1)$$, 'with a penalty it converges');
SELECT is((SELECT kind || ' v' || version || ' ' || status || ' ' || (fit->0->>'arm') FROM stormops.models ORDER BY model_id DESC LIMIT 1),
          'response v2 active single', 'a one-model kind: arm single, versions per kind, activated by AUC');

-- by hand: activate and retire, one active per kind
SELECT lives_ok($$SELECT stormops.activate_model(4, 'test')$$, 'activate_model by hand');
SELECT is((SELECT string_agg(version || '=' || status, ' ' ORDER BY version) FROM stormops.models WHERE kind = 'uplift'),
          '1=retired 2=candidate 3=candidate 4=active', 'the previous active model is retired');
SELECT lives_ok($$SELECT stormops.activate_model(1)$$, 'and back');
SELECT is(stormops.score_properties(), 0::bigint, 'active models that read other relations score no property');
SELECT lives_ok($$SELECT stormops.retire_model(m.model_id, 'test') FROM stormops.models m WHERE m.status = 'active'$$,
  'retire_model by hand');

-- the property entry point: an imported campaign whose conversions follow roof age when treated.
-- The run's id is a random uuid and the validation split is by md5 of 'run:property', so every
-- run validates on other rows: the effect is strong enough that the first model beats zero by
-- more than the noise on any split (25 splits: qini 0.29 to 0.47, noise about 0.1; with a
-- weaker effect, 5 + 2 * (i % 30), about one split in a few hundred left it a candidate).
INSERT INTO stormops.census_tracts (tract_geoid, median_household_income, ses_tier) VALUES ('48085030100', 90000, 'High');
INSERT INTO stormops.properties (property_id, zip, tract_geoid, roof_install_year, persona, is_past_customer)
SELECT 'p' || lpad(i::text, 4, '0'), CASE WHEN i % 2 = 0 THEN '75034' ELSE '75035' END,
       CASE WHEN i % 3 = 0 THEN '48085030100' END, 1990 + i % 30,
       (ARRAY['Family', 'Retiree', NULL])[1 + i % 3], i % 10 = 0
  FROM generate_series(1, 1200) i;
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share)
VALUES ('Learn', '{}', '{"sequence": [{"step": 1, "channel": "sms", "timing_hours": 0}]}', 0);
SELECT lives_ok($$SELECT stormops.import_campaign('Learn', 'learn-2019', '2019-04-02 00:00+00',
  ARRAY(SELECT 'p' || lpad(i::text, 4, '0') FROM generate_series(1, 1200) i WHERE i % 3 <> 0),
  ARRAY(SELECT 'p' || lpad(i::text, 4, '0') FROM generate_series(1, 1200) i WHERE i % 3 = 0),
  (SELECT jsonb_agg(jsonb_build_object('property_id', 'p' || lpad(i::text, 4, '0'), 'event_type', 'conversion',
                                       'at', '2019-04-10 00:00+00', 'revenue', 9000))
     FROM generate_series(1, 1200) i
    WHERE abs(hashtext('c' || i)) % 100 < CASE WHEN i % 3 <> 0 THEN 2 + 3 * (i % 30) ELSE 10 END),
  'sms')$$, 'a campaign with a holdout and outcomes');
SELECT throws_ok($$SELECT stormops.train_property_model('uplift', '2019-04-20 00:00+00')$$, '22023',
  'no uplift training rows as of 2019-04-20 00:00:00+00', 'no run whose window has closed: 22023 with the hint');
SELECT lives_ok($$SELECT stormops.train_property_model('uplift', '2019-06-01 00:00+00')$$, 'the property uplift model trains');
SELECT is((SELECT rows_treated + rows_control + (metrics->>'rows_validate')::bigint || ' ' || status || ' ' || source
             FROM stormops.models ORDER BY model_id DESC LIMIT 1),
          '1200 active stormops.property_features: uplift rows as of 2019-06-01 00:00:00+00',
          'every decision of the closed run is a row; roof age carries the uplift; active');
SELECT is((SELECT weight_column FROM stormops.models ORDER BY model_id DESC LIMIT 1), 'weight',
          'property uplift rows weigh 1/propensity (the run''s holdout share)');
SELECT is((SELECT feature FROM stormops.model_coefficients((SELECT max(model_id) FROM stormops.models))
            WHERE arm = 'treated' AND feature <> 'intercept' ORDER BY abs(standardized_coefficient) DESC LIMIT 1),
          'roof_age', 'the treated arm''s strongest feature is roof age');
SELECT lives_ok($$SELECT stormops.train_property_model('response', '2019-06-01 00:00+00')$$, 'the property response model trains');
SELECT is((SELECT rows_treated || ' ' || rows_control || ' ' || (fit->0->>'arm') FROM stormops.models ORDER BY model_id DESC LIMIT 1),
          (SELECT count(*) FILTER (WHERE NOT stormops.validation_row(id)) || ' 0 single'
             FROM (SELECT r.proposal_id || ':' || d.property_id AS id FROM stormops.proposal_runs r
                     JOIN stormops.proposal_decisions d USING (proposal_id) WHERE d.decision = 'proposed') x),
          'response rows: the contacted treated properties, one model');
UPDATE stormops.playbook_executions SET status = 'Running';
SELECT is(stormops.score_properties('2019-06-01 00:00+00'), 1200::bigint, 'score_properties scores every property');
SELECT is((SELECT count(*) FILTER (WHERE uplift_score IS NOT NULL AND response_score IS NOT NULL) || ' ' || min(model_version)
             FROM stormops.property_scores),
          '1200 ' || (SELECT string_agg(kind || ':' || version, ',' ORDER BY kind) FROM stormops.models
                       WHERE status = 'active' AND kind IN ('uplift', 'response')),
          'uplift and response scores, with the versions that made them');
SELECT is((SELECT min(ml_scoring_runs) FROM stormops.playbook_executions), 1, 'running executions count the scoring run');
SELECT cmp_ok((SELECT avg(uplift_score) FROM stormops.property_scores s JOIN stormops.properties p USING (property_id)
                WHERE p.roof_install_year < 1995),
              '<', (SELECT avg(uplift_score) FROM stormops.property_scores s JOIN stormops.properties p USING (property_id)
                     WHERE p.roof_install_year >= 2014),
              'newer installs score a larger uplift: the direction the data were made with');

-- churn: past customers of a ZIP where a Tier1 competitor filed a permit a year and a half before
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_tier, filed_at)
VALUES ('rival-1', '75034', 'rival', 'Tier1', '2018-01-01 00:00+00');
INSERT INTO stormops.behavior_events (property_id, event_type, event_timestamp, revenue)
SELECT 'p' || lpad(i::text, 4, '0'), 'conversion', '2018-06-01 00:00+00', 7000
  FROM generate_series(10, 1200, 10) i WHERE i % 30 < 15;
SELECT lives_ok($$SELECT stormops.property_training_rows('churn', '2019-06-01 00:00+00')$$, 'churn rows build');
SELECT is((SELECT count(*) || ' ' || count(*) FILTER (WHERE label) FROM pg_temp.stormops_training_rows),
          '120 40', 'every past customer of the contested ZIP; churned = no conversion in the year after the permit');

-- the nightly job: each kind trained or skipped with the reason, then scoring
SELECT is((SELECT string_agg(kind || '=' || (model_id IS NOT NULL OR status = 'scored'), ' ' ORDER BY kind)
             FROM stormops.train_and_score('2019-06-01 00:00+00')),
          'churn=true response=true scoring=true uplift=true',
          'train_and_score trains the three kinds, then scores');
SELECT is((SELECT string_agg(kind || '=' || status, ' ' ORDER BY kind) FROM stormops.train_and_score('2018-06-01 00:00+00')),
          'churn=skipped response=skipped scoring=scored uplift=skipped',
          'as of a moment without rows each kind is skipped with the reason; the active models still score');
SELECT is((SELECT command FROM stormops.cron_job_definitions() WHERE job_name = 'stormops-train-and-score'),
          'SELECT * FROM stormops.train_and_score()', 'train_and_score is a nightly job of schedule_jobs');

SELECT * FROM finish();
ROLLBACK;
