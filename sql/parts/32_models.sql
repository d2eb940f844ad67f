-- The model registry (learning.md, "Validation and the registry"; a
-- schema part, new in 0.2.0; docs/learning.md). A model row keeps what
-- scores with it and why it is or is not the one in use: its kind and
-- version (increasing per kind), where it was trained from, the features
-- and their one-hot levels, the fit of each arm, the validation metrics,
-- and its status with the reason. Its coefficients are rows of
-- model_terms, one per arm and column (the intercept at position 0), so
-- that the scoring expression and model_coefficients read one source.
-- Both tables are small (reference tables under Citus). At most one model
-- per kind is active (a partial unique index): activating one retires the
-- other in the same transaction.
CREATE TABLE stormops.models (
  model_id          pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind              pg_catalog.text NOT NULL
                    CONSTRAINT models_kind_known
                    CHECK (kind OPERATOR(pg_catalog.=) ANY ('{uplift,response,churn,ltv}'::pg_catalog.text[])),
  version           pg_catalog.int4 NOT NULL CONSTRAINT models_version_range CHECK (version OPERATOR(pg_catalog.>=) 1),
  source            pg_catalog.text NOT NULL,
  id_column         pg_catalog.text NOT NULL,
  treatment_column  pg_catalog.text,
  label_column      pg_catalog.text NOT NULL,
  weight_column     pg_catalog.text,
  l2                pg_catalog.float8 NOT NULL CONSTRAINT models_l2_range CHECK (l2 OPERATOR(pg_catalog.>=) 0),
  features          pg_catalog.jsonb NOT NULL,
  rows_treated      pg_catalog.int8 NOT NULL,
  rows_control      pg_catalog.int8 NOT NULL,
  fit               pg_catalog.jsonb NOT NULL,
  metrics           pg_catalog.jsonb NOT NULL,
  status            pg_catalog.text NOT NULL DEFAULT 'candidate'
                    CONSTRAINT models_status_known
                    CHECK (status OPERATOR(pg_catalog.=) ANY ('{candidate,active,retired}'::pg_catalog.text[])),
  status_reason     pg_catalog.text,
  trained_at        pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  trained_by        pg_catalog.name NOT NULL DEFAULT CURRENT_USER,
  activated_at      pg_catalog.timestamptz,
  retired_at        pg_catalog.timestamptz,
  CONSTRAINT models_kind_version_key UNIQUE (kind, version)
);
COMMENT ON TABLE stormops.models IS
  'Trained models (learning.md): kind, version, features and levels, fit per arm, validation metrics, status (candidate, active, retired) and why.';
COMMENT ON COLUMN stormops.models.metrics IS
  'Validation metrics: qini, auuc (normalised as scikit-uplift), qini_area, auuc_area, auc_treated, auc_control, uplift_at_10, uplift_at_30, uplift_average, qini_noise, qini_deciles, rows_fit, rows_validate; auc and auc_noise for one-model kinds.';
COMMENT ON COLUMN stormops.models.rows_treated IS
  'Fit rows of the treated arm; a one-model kind counts every fit row here (rows_control 0).';
COMMENT ON COLUMN stormops.models.fit IS
  'Per arm: rows, Newton steps, status (converged, iteration cap, separable) and the objective.';
CREATE UNIQUE INDEX models_one_active_idx ON stormops.models (kind) WHERE status OPERATOR(pg_catalog.=) 'active';

CREATE TABLE stormops.model_terms (
  model_id                  pg_catalog.int8 NOT NULL REFERENCES stormops.models (model_id) ON DELETE CASCADE,
  arm                       pg_catalog.text NOT NULL
                            CONSTRAINT model_terms_arm_known
                            CHECK (arm OPERATOR(pg_catalog.=) ANY ('{treated,control,single}'::pg_catalog.text[])),
  position                  pg_catalog.int4 NOT NULL,
  feature                   pg_catalog.text NOT NULL,
  source_column             pg_catalog.text,
  level                     pg_catalog.text,
  -- finite: the scoring expression writes them as literals
  coefficient               pg_catalog.float8 NOT NULL
                            CONSTRAINT model_terms_coefficient_finite
                            CHECK (coefficient OPERATOR(pg_catalog.>) '-Infinity' AND coefficient OPERATOR(pg_catalog.<) 'Infinity'),
  standardized_coefficient  pg_catalog.float8 NOT NULL
                            CONSTRAINT model_terms_standardized_finite
                            CHECK (standardized_coefficient OPERATOR(pg_catalog.>) '-Infinity'
                                   AND standardized_coefficient OPERATOR(pg_catalog.<) 'Infinity'),
  mean                      pg_catalog.float8,
  scale                     pg_catalog.float8,
  PRIMARY KEY (model_id, arm, position)
);
COMMENT ON TABLE stormops.model_terms IS
  'A model''s coefficients per arm: position 0 the intercept, then one row per column (a numeric feature, or column=level of a one-hot text feature).';

-- Scoring rewrites every row of property_scores each night: with half of
-- each page free the new row versions stay on their page (HOT updates, no
-- index entries), 2.2 s for a million rows instead of 10.5 s at the default
-- fillfactor (docs/performance.md, "Learning").
ALTER TABLE stormops.property_scores SET (fillfactor = 50);
