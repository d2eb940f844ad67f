-- score_properties over the generated market with a property model.
\ir ../timing.sql
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SELECT FROM setseed(0.15);
-- a model that reads property features: trained on the market's own
-- features as of the benchmark's moment with a made-up assignment and label
CREATE TABLE feats AS
SELECT f.*, random() < 0.5 AS treated, 0::int AS label
  FROM stormops.property_features('2019-03-27 12:00-05') f
 ORDER BY f.property_id;
UPDATE feats SET label = (random() < 1 / (1 + exp(-(-2 + 0.02 * sii_score + 0.03 * roof_age
                                                    + CASE WHEN treated THEN 0.5 * prior_response_rate + 0.01 * roof_age ELSE 0 END))))::int;
ALTER TABLE feats ADD PRIMARY KEY (property_id);
ANALYZE feats;
SELECT stormops.train_uplift_model('feats', 'property_id', stormops.property_feature_names(), 'treated', 'label') AS model_id \gset
SELECT stormops.activate_model(:model_id, 'benchmark');
CREATE TEMP TABLE timing (figure text, ord int, ms float8);
SELECT 'SELECT stormops.score_properties(''2019-03-27 12:00-05'')' AS score \gset
-- every feature column read, so that no join is left out
SELECT 'SELECT sum(f.sii_score + f.roof_age + f.tract_income_k + f.competitor_pressure + f.white_space + f.prior_contacts'
       ' + f.prior_response_rate + f.past_customer_share), count(f.ses_tier), count(f.persona), count(*) FILTER (WHERE f.roof_age_known AND f.tract_income_known)'
       ' FROM stormops.property_features(''2019-03-27 12:00-05'') f' AS features \gset
SELECT pg_temp.elapsed_ms(:'score');
-- Nightly, autovacuum has long cleaned up the last night's old row versions
-- before the next scoring; back to back, each run also finds the previous
-- run's million dead versions on its pages. Both are timed: each run of the
-- first figure after a VACUUM of property_scores (not timed), the second
-- back to back.
SELECT format('score_properties, %s properties (features, both arms, update), after VACUUM',
              to_char((SELECT count(*) FROM stormops.properties), 'FM9,999,999')) AS figure_vacuumed \gset
VACUUM stormops.property_scores;
INSERT INTO timing SELECT :'figure_vacuumed', 1, pg_temp.elapsed_ms(:'score');
VACUUM stormops.property_scores;
INSERT INTO timing SELECT :'figure_vacuumed', 1, pg_temp.elapsed_ms(:'score');
VACUUM stormops.property_scores;
INSERT INTO timing SELECT :'figure_vacuumed', 1, pg_temp.elapsed_ms(:'score');
INSERT INTO timing SELECT 'score_properties, back to back (no VACUUM between runs)', 2, pg_temp.elapsed_ms(:'score')
  FROM generate_series(1, :runs);
SELECT format('SELECT sum(%s) FROM stormops.property_features(%L) f',
              stormops.model_score_sql(stormops.active_property_model('uplift')), '2019-03-27 12:00-05') AS computed \gset
INSERT INTO timing SELECT 'the scores of every property computed (features, both arms), not written', 3, pg_temp.elapsed_ms(:'computed')
  FROM generate_series(1, :runs);
INSERT INTO timing SELECT 'the features of every property alone', 4, pg_temp.elapsed_ms(:'features')
  FROM generate_series(1, :runs);
SELECT * FROM pg_temp.timing_medians();
INSERT INTO bench_timing SELECT figure, pg_temp.median(array_agg(ms)) FROM timing GROUP BY figure;
SELECT count(*) AS scored, count(DISTINCT model_version) AS versions, round(avg(uplift_score)::numeric, 5) AS mean_uplift
  FROM stormops.property_scores;
