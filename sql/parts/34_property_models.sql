-- The property entry point of learning.md (a code part, new in 0.2.0;
-- docs/learning.md): features of a property as of a moment, training rows
-- from stored decisions and outcomes, scoring every property into
-- property_scores, and the nightly train_and_score job.
--
-- Design: one feature query (property_features) serves training (each
-- run's properties as of the run's start, so nothing after the decision
-- leaks in) and scoring (every property as of now). Training rows go into
-- a temporary table that the generic trainer reads, so the property models
-- are trained, validated and activated exactly as any other. Scoring adds
-- a row for each property that has none, then is one UPDATE of every row
-- with each active model's expression (model_score_sql); kinds without an
-- active model keep their columns. Failure modes: a kind without enough rows (no holdout, one
-- label) is skipped by train_and_score with the reason, and the others go
-- on; the features are NULL-free (missing values become 0 with a 0/1
-- column that says so), so a model never meets a NULL it was not trained on.

CREATE OR REPLACE FUNCTION stormops.property_features(as_of pg_catalog.timestamptz,
                                                     property_ids pg_catalog.text[] DEFAULT NULL)
RETURNS TABLE (property_id pg_catalog.text, sii_score pg_catalog.float8,
               roof_age pg_catalog.float8, roof_age_known pg_catalog.bool, tract_income_k pg_catalog.float8,
               tract_income_known pg_catalog.bool, ses_tier pg_catalog.text, persona pg_catalog.text,
               competitor_pressure pg_catalog.float8, white_space pg_catalog.float8, prior_contacts pg_catalog.float8,
               prior_response_rate pg_catalog.float8, past_customer_share pg_catalog.float8,
               is_past_customer pg_catalog.bool)
LANGUAGE sql STABLE
BEGIN ATOMIC
  WITH behaviour AS (
    SELECT b.property_id,
           pg_catalog.count(*) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'contact') AS contacts,
           pg_catalog.count(*) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) ANY ('{click,response,conversion}'::pg_catalog.text[])) AS responses
      FROM stormops.behavior_events b
     WHERE b.event_timestamp OPERATOR(pg_catalog.<) property_features.as_of
       AND b.event_timestamp OPERATOR(pg_catalog.>=) (property_features.as_of OPERATOR(pg_catalog.-) stormops.days_interval(365))
       AND (property_features.property_ids IS NULL OR b.property_id OPERATOR(pg_catalog.=) ANY (property_features.property_ids))
     GROUP BY b.property_id
  ), impact AS (
    SELECT i.property_id, pg_catalog.max(i.sii_score) AS sii
      FROM stormops.property_impacts i
      JOIN stormops.storm_events e ON e.event_id OPERATOR(pg_catalog.=) i.event_id
     WHERE e.begin_at OPERATOR(pg_catalog.<=) property_features.as_of
       AND e.begin_at OPERATOR(pg_catalog.>) (property_features.as_of OPERATOR(pg_catalog.-) stormops.days_interval(365))
       AND (property_features.property_ids IS NULL OR i.property_id OPERATOR(pg_catalog.=) ANY (property_features.property_ids))
     GROUP BY i.property_id
  ), zip_share AS (
    SELECT z.zip, pg_catalog.avg(z.is_past_customer::pg_catalog.int4)::pg_catalog.float8 AS share
      FROM stormops.properties z GROUP BY z.zip
  )
  SELECT p.property_id,
         COALESCE(impact.sii, 0)::pg_catalog.float8,
         CASE WHEN p.roof_install_year IS NULL THEN 0
              ELSE GREATEST(stormops.local_year(property_features.as_of)
                            OPERATOR(pg_catalog.-) p.roof_install_year, 0) END,
         p.roof_install_year IS NOT NULL,
         COALESCE(t.median_household_income, 0)::pg_catalog.float8 OPERATOR(pg_catalog./) 1000,
         t.median_household_income IS NOT NULL,
         t.ses_tier, p.persona,
         COALESCE(zc.competitor_pressure, 0)::pg_catalog.float8,
         COALESCE(zc.white_space_score, 0)::pg_catalog.float8 OPERATOR(pg_catalog./) 100,
         COALESCE(behaviour.contacts, 0)::pg_catalog.float8,
         CASE WHEN COALESCE(behaviour.contacts, 0) OPERATOR(pg_catalog.>) 0
              THEN behaviour.responses::pg_catalog.float8 OPERATOR(pg_catalog./) behaviour.contacts ELSE 0 END,
         COALESCE(zip_share.share, 0),
         p.is_past_customer
    FROM stormops.properties p
    LEFT JOIN stormops.census_tracts t ON t.tract_geoid OPERATOR(pg_catalog.=) p.tract_geoid
    LEFT JOIN stormops.zip_competition zc ON zc.zip OPERATOR(pg_catalog.=) p.zip
    LEFT JOIN zip_share ON zip_share.zip OPERATOR(pg_catalog.=) p.zip
    LEFT JOIN behaviour ON behaviour.property_id OPERATOR(pg_catalog.=) p.property_id
    LEFT JOIN impact ON impact.property_id OPERATOR(pg_catalog.=) p.property_id
   WHERE property_features.property_ids IS NULL OR p.property_id OPERATOR(pg_catalog.=) ANY (property_features.property_ids);
END;
COMMENT ON FUNCTION stormops.property_features(pg_catalog.timestamptz, pg_catalog.text[]) IS
  'The features of the properties (all when property_ids is NULL) as of a moment (docs/learning.md): strongest SII of the past year, roof age, tract income, SES tier, persona, ZIP competition, contacts and response rate of the past year, the ZIP''s share of past customers; and whether each is a past customer (not a model feature: churn is scored for past customers only).';

-- The feature columns every property model reads, in one place.
CREATE OR REPLACE FUNCTION stormops.property_feature_names()
RETURNS pg_catalog.text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT '{sii_score,roof_age,roof_age_known,tract_income_k,tract_income_known,ses_tier,persona,competitor_pressure,white_space,prior_contacts,prior_response_rate,past_customer_share}'::pg_catalog.text[];
END;
COMMENT ON FUNCTION stormops.property_feature_names() IS
  'The columns of property_features that property models read.';

-- Fills pg_temp.stormops_training_rows with the rows of one kind as of a
-- moment (row_id, treated, label, then the features); returns the rows.
CREATE OR REPLACE FUNCTION stormops.property_training_rows(kind pg_catalog.text, as_of pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
  runs uuid[];
  ids text[];
  moment timestamptz;
  n bigint;
BEGIN
  DROP TABLE IF EXISTS pg_temp.stormops_training_rows;
  CREATE TEMP TABLE stormops_training_rows (row_id text, property_id text, at timestamptz, treated bool, label bool,
                                            weight float8)
    ON COMMIT DROP;
  IF kind IN ('uplift', 'response') THEN
    -- runs whose outcome window has closed by as_of
    SELECT array_agg(w.proposal_id) INTO runs
      FROM stormops.run_windows(ARRAY(SELECT r.proposal_id FROM stormops.proposal_runs r)) w
     WHERE w.ends <= as_of;
    -- Each row weighs 1/propensity (learning.md): a run's holdout share h is
    -- the share of its decisions held out (imported campaigns included,
    -- whose playbooks say nothing of it), treated rows weigh 1/(1 - h) and
    -- control rows 1/h, so that runs with rare controls do not vanish from
    -- the control arm. The response model reads the contacted only: 1.
    INSERT INTO pg_temp.stormops_training_rows (row_id, property_id, at, treated, label, weight)
    SELECT o.proposal_id::text || ':' || o.property_id, o.property_id, w.starts, o.treated,
           CASE WHEN kind = 'uplift' THEN o.converted ELSE o.responded END,
           CASE WHEN kind = 'response' THEN 1
                WHEN o.treated THEN 1 / (1 - o.share) ELSE 1 / o.share END
      FROM (SELECT r.*, avg((NOT r.treated)::int) OVER (PARTITION BY r.proposal_id)::float8 AS share
              FROM stormops.run_outcomes(COALESCE(runs, '{}')) r) o
      JOIN stormops.run_windows(COALESCE(runs, '{}')) w ON w.proposal_id = o.proposal_id
     WHERE (kind = 'uplift' AND o.share > 0 AND o.share < 1) OR (kind = 'response' AND o.treated AND o.contacted);
  ELSIF kind = 'churn' THEN
    -- past customers of a ZIP where a Tier1 competitor filed a permit one to
    -- two years before as_of; churned when they did not convert with us in
    -- the year after the first such permit
    INSERT INTO pg_temp.stormops_training_rows (row_id, property_id, at, treated, weight, label)
    SELECT p.property_id, p.property_id, f.filed_at, NULL, 1,
           NOT EXISTS (SELECT FROM stormops.behavior_events b
                        WHERE b.property_id = p.property_id AND b.event_type = 'conversion'
                          AND b.event_timestamp >= f.filed_at AND b.event_timestamp < f.filed_at + stormops.days_interval(365))
      FROM (SELECT c.zip, min(c.filed_at) AS filed_at
              FROM stormops.competitor_permits c
             WHERE c.contractor_tier = 'Tier1'
               AND c.filed_at >= as_of - stormops.days_interval(730) AND c.filed_at < as_of - stormops.days_interval(365)
               AND c.contractor_id IS DISTINCT FROM stormops.our_contractor_id()
             GROUP BY c.zip) f
      JOIN stormops.properties p ON p.zip = f.zip AND p.is_past_customer;
  ELSE
    RAISE EXCEPTION 'kind % has no property training rows', coalesce(quote_literal(kind), 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'uplift, response or churn.';
  END IF;
  -- the features of each run's properties as of its start (few distinct
  -- moments: one feature query each, with plain parameters so it is inlined)
  CREATE TEMP TABLE stormops_training_features ON COMMIT DROP AS
  SELECT r.row_id, r.treated, r.label, r.weight, r.at AS as_of, f.*
    FROM pg_temp.stormops_training_rows r, stormops.property_features(r.at, ARRAY[r.property_id]) f
   WHERE false;
  FOR moment IN SELECT DISTINCT r.at FROM pg_temp.stormops_training_rows r LOOP
    ids := ARRAY(SELECT DISTINCT r.property_id FROM pg_temp.stormops_training_rows r WHERE r.at = moment);
    INSERT INTO pg_temp.stormops_training_features
    SELECT r.row_id, r.treated, r.label, r.weight, r.at, f.*
      FROM pg_temp.stormops_training_rows r
      JOIN stormops.property_features(moment, ids) f ON f.property_id = r.property_id
     WHERE r.at = moment;
  END LOOP;
  DROP TABLE pg_temp.stormops_training_rows;
  ALTER TABLE pg_temp.stormops_training_features RENAME TO stormops_training_rows;
  SELECT count(*) INTO n FROM pg_temp.stormops_training_rows;
  RETURN n;
END;
$$;
COMMENT ON FUNCTION stormops.property_training_rows(pg_catalog.text, pg_catalog.timestamptz) IS
  'Internal: fills pg_temp.stormops_training_rows with one kind''s rows as of a moment (decisions and outcomes of closed windows; churn: past customers of contested ZIPs).';

CREATE OR REPLACE FUNCTION stormops.train_property_model(kind pg_catalog.text, as_of pg_catalog.timestamptz DEFAULT pg_catalog.now(),
                                                        l2 pg_catalog.float8 DEFAULT 1.0)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n_rows bigint := stormops.property_training_rows(kind, as_of);
  id bigint;
BEGIN
  IF n_rows = 0 THEN
    RAISE EXCEPTION 'no % training rows as of %', kind, as_of
      USING ERRCODE = 'invalid_parameter_value',
            HINT = CASE kind WHEN 'churn' THEN 'Churn rows are past customers of ZIPs with a Tier1 competitor permit filed one to two years before as_of.'
                             ELSE 'Rows are the proposed and held-out properties of runs whose outcome window (attribution_days) has closed.' END;
  END IF;
  IF kind = 'uplift' THEN
    id := stormops.train_uplift_model('pg_temp.stormops_training_rows'::regclass, 'row_id', stormops.property_feature_names(),
                                      'treated', 'label', l2, 'weight');
  ELSE
    id := stormops.train_model(kind, 'pg_temp.stormops_training_rows'::regclass, 'row_id', stormops.property_feature_names(),
                               'label', l2);
  END IF;
  UPDATE stormops.models SET source = format('stormops.property_features: %s rows as of %s', train_property_model.kind, as_of)
   WHERE model_id = id;
  RETURN id;
END;
$$;
COMMENT ON FUNCTION stormops.train_property_model(pg_catalog.text, pg_catalog.timestamptz, pg_catalog.float8) IS
  'Trains a property model (uplift: converted, treated vs holdout; response: responded among contacted; churn) from stored decisions and outcomes as of a moment; returns the model id.';

-- The active model of a kind when it reads property features only (a
-- model trained on another relation may be active; properties cannot be
-- scored with it, and that kind's column is left as it is).
CREATE OR REPLACE FUNCTION stormops.active_property_model(kind pg_catalog.text)
RETURNS pg_catalog.int8
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT m.model_id
    FROM stormops.models m
   WHERE m.kind OPERATOR(pg_catalog.=) active_property_model.kind
     AND m.status OPERATOR(pg_catalog.=) 'active'
     AND NOT EXISTS (SELECT FROM stormops.model_terms t
                      WHERE t.model_id OPERATOR(pg_catalog.=) m.model_id AND t.source_column IS NOT NULL
                        AND t.source_column OPERATOR(pg_catalog.<>) ALL (stormops.property_feature_names()));
END;
COMMENT ON FUNCTION stormops.active_property_model(pg_catalog.text) IS
  'The active model of a kind if it reads property features only (what score_properties uses), else NULL.';

-- Running executions count a scoring run (operators may score but not
-- edit executions: the one UPDATE they need runs as the owner).
CREATE OR REPLACE FUNCTION stormops.count_ml_scoring_run()
RETURNS pg_catalog.int8
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH counted AS (
    UPDATE stormops.playbook_executions
       SET ml_scoring_runs = COALESCE(ml_scoring_runs, 0) OPERATOR(pg_catalog.+) 1
     WHERE status OPERATOR(pg_catalog.=) 'Running'
    RETURNING 1)
  SELECT pg_catalog.count(*) FROM counted;
END;
COMMENT ON FUNCTION stormops.count_ml_scoring_run() IS
  'Internal: adds one to ml_scoring_runs of every running execution; returns how many.';

-- A score row for every property that has none, so that the jobs that
-- write scores (score_properties, refresh_diffusion) are one UPDATE each.
CREATE OR REPLACE FUNCTION stormops.add_score_rows()
RETURNS pg_catalog.int8
LANGUAGE sql
BEGIN ATOMIC
  WITH added AS (
    INSERT INTO stormops.property_scores (property_id)
    SELECT p.property_id FROM stormops.properties p
     WHERE NOT EXISTS (SELECT FROM stormops.property_scores x WHERE x.property_id OPERATOR(pg_catalog.=) p.property_id)
    RETURNING 1)
  SELECT pg_catalog.count(*) FROM added;
END;
COMMENT ON FUNCTION stormops.add_score_rows() IS
  'Internal: adds an empty property_scores row for every property without one; returns how many.';

CREATE OR REPLACE FUNCTION stormops.score_properties(as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
  uplift_id bigint := stormops.active_property_model('uplift');
  response_id bigint := stormops.active_property_model('response');
  churn_id bigint := stormops.active_property_model('churn');
  versions text;
  n bigint;
BEGIN
  IF uplift_id IS NULL AND response_id IS NULL AND churn_id IS NULL THEN
    RETURN 0;
  END IF;
  SELECT string_agg(kind || ':' || version, ',' ORDER BY kind) INTO versions
    FROM stormops.models WHERE model_id IN (uplift_id, response_id, churn_id);
  PERFORM stormops.add_score_rows();
  -- An UPDATE, not INSERT ... ON CONFLICT: with property_scores' fillfactor
  -- of 50 the new versions stay on their page (HOT: no index entry), 2.2 s
  -- for a million rows against 5.5 s for the upsert (docs/performance.md).
  EXECUTE format(
    'UPDATE stormops.property_scores s'
    '   SET uplift_score = %s, response_score = %s, churn_risk = %s, model_version = $1, scored_at = $2'
    '  FROM stormops.property_features($3) f WHERE f.property_id OPERATOR(pg_catalog.=) s.property_id',
    COALESCE(stormops.model_score_sql(uplift_id), 's.uplift_score'),
    COALESCE(stormops.model_score_sql(response_id), 's.response_score'),
    COALESCE('CASE WHEN f.is_past_customer THEN ' || stormops.model_score_sql(churn_id) || ' ELSE s.churn_risk END', 's.churn_risk'))
  USING versions, now(), as_of;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM stormops.count_ml_scoring_run();
  RETURN n;
END;
$$;
COMMENT ON FUNCTION stormops.score_properties(pg_catalog.timestamptz) IS
  'Scores every property with the active uplift, response and churn models in one pass into property_scores (model_version, scored_at); counts the run on running executions. Returns the properties scored.';

CREATE OR REPLACE FUNCTION stormops.train_and_score(as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (kind pg_catalog.text, model_id pg_catalog.int8, status pg_catalog.text, reason pg_catalog.text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  k text;
  scored bigint;
BEGIN
  FOREACH k IN ARRAY '{uplift,response,churn}'::text[] LOOP
    kind := k;
    BEGIN
      model_id := stormops.train_property_model(k, as_of);
      SELECT m.status, m.status_reason INTO status, reason FROM stormops.models m WHERE m.model_id = train_and_score.model_id;
    EXCEPTION WHEN invalid_parameter_value OR null_value_not_allowed THEN
      model_id := NULL;
      status := 'skipped';
      reason := SQLERRM;
    END;
    RETURN NEXT;
  END LOOP;
  scored := stormops.score_properties(as_of);
  kind := 'scoring';
  model_id := NULL;
  status := CASE WHEN scored > 0 THEN 'scored' ELSE 'skipped' END;
  reason := CASE WHEN scored > 0 THEN format('%s properties scored', scored)
                 ELSE 'no active model reads property features' END;
  RETURN NEXT;
END;
$$;
COMMENT ON FUNCTION stormops.train_and_score(pg_catalog.timestamptz) IS
  'The nightly job: trains the uplift, response and churn property models (a kind without rows is skipped with the reason), then scores every property with the active ones.';
