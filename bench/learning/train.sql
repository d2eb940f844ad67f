-- train_uplift_model over train_rows, :runs times (each a new version).
\ir ../timing.sql
SET client_min_messages = warning;
CREATE TEMP TABLE timing (figure text, ord int, ms float8);
SELECT format('SELECT stormops.train_uplift_model(%L, %L, %L, %L, %L)', 'train_rows', 'id',
              ARRAY(SELECT format('x%s', lpad(i::text, 2, '0')) FROM generate_series(1, 20) i), 'treated', 'label') AS train
\gset
SELECT count(*) FROM (SELECT pg_temp.elapsed_ms(:'train') AS ms FROM generate_series(1, 1)) warm \gset
INSERT INTO timing
SELECT format('train_uplift_model, %s rows x 20 features (read, fit both arms, validate, register)',
              to_char((SELECT count(*) FROM train_rows), 'FM9,999,999')), 1, pg_temp.elapsed_ms(:'train')
  FROM generate_series(1, :runs);
SELECT * FROM pg_temp.timing_medians();
SELECT m.version, m.status, fit->0->>'iterations' AS treated_steps, fit->1->>'iterations' AS control_steps,
       round((metrics->>'qini')::numeric, 4) AS qini, round((metrics->>'auc_treated')::numeric, 4) AS auc_treated
  FROM stormops.models m ORDER BY model_id DESC LIMIT 1;
-- what sklearn_peer.py compares its coefficients with
CREATE TABLE bench_coefficients AS
SELECT * FROM stormops.model_coefficients((SELECT max(model_id) FROM stormops.models));
INSERT INTO bench_timing SELECT figure, pg_temp.median(array_agg(ms)) FROM timing GROUP BY figure;
