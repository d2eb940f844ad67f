-- Training, validating and activating models (learning.md; a code part,
-- new in 0.2.0; docs/learning.md). The arithmetic is C
-- (src/core/logistic.c, src/core/uplift_metrics.c, read and called by
-- src/pg/model_training.c); this part keeps the registry.
--
-- Design: fit_model_rows reads a relation, fits one model (or two, for the
-- T-learner) on the fit rows, scores the validation rows and returns it
-- all as jsonb; register_model writes the model and its terms and decides
-- its status by the activation rule, in the caller's transaction (a
-- failed training leaves nothing). A model scores through one SQL
-- expression built from its terms (model_score_sql): quoted identifiers
-- and float8 literals only, so it is injection-proof by construction and
-- runs set-based inside any statement.
--
-- The activation rule (docs/learning.md): a model whose fit did not
-- converge stays a candidate; otherwise its validation Qini (AUC for the
-- one-model kinds) must beat zero (AUC 0.5) by more than the 95th
-- percentile that random orders of the validation rows reach
-- (metrics.qini_noise, auc_noise) and, when a model of the kind is active,
-- beat that model's on the same validation rows by more than sqrt(2) times
-- that (the spread of a difference of two random rankings). The reason is
-- stored either way.

CREATE OR REPLACE FUNCTION stormops.validation_row(row_id pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT (('x' OPERATOR(pg_catalog.||) pg_catalog.substr(pg_catalog.md5(row_id), 1, 8))::pg_catalog.bit(32)::pg_catalog.int8
          OPERATOR(pg_catalog.%) 10) OPERATOR(pg_catalog.<) 3;
END;
COMMENT ON FUNCTION stormops.validation_row(pg_catalog.text) IS
  'True when a row validates (30%): the first 8 hex digits of md5(row id) as an unsigned integer, modulo 10, are 0, 1 or 2.';

CREATE OR REPLACE FUNCTION stormops.logistic(eta pg_catalog.float8)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_logistic'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.logistic(pg_catalog.float8) IS
  '1 / (1 + exp(-eta)) without overflow.';

CREATE OR REPLACE FUNCTION stormops.uplift_metrics(scores pg_catalog.float8[], treated pg_catalog.bool[],
                                                  labels pg_catalog.bool[])
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'stormops_uplift_metrics'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.uplift_metrics(pg_catalog.float8[], pg_catalog.bool[], pg_catalog.bool[]) IS
  'Qini coefficient, AUUC (normalised as scikit-uplift), their areas, uplift in the top 10% and 30%, and the Qini curve at deciles of scores over rows; NULL when an arm or a label value is missing.';

CREATE OR REPLACE FUNCTION stormops.auc(scores pg_catalog.float8[], labels pg_catalog.bool[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_auc'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.auc(pg_catalog.float8[], pg_catalog.bool[]) IS
  'Area under the ROC curve of scores for labels (ties count one half); NULL with one label value only.';

CREATE OR REPLACE FUNCTION stormops.fit_model_rows(source pg_catalog.regclass, id_column pg_catalog.text,
                                                  features pg_catalog.text[], treatment_column pg_catalog.text,
                                                  label_column pg_catalog.text, l2 pg_catalog.float8,
                                                  weight_column pg_catalog.text, seed pg_catalog.int4)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'stormops_fit_model_rows'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION stormops.fit_model_rows(pg_catalog.regclass, pg_catalog.text, pg_catalog.text[], pg_catalog.text,
                                            pg_catalog.text, pg_catalog.float8, pg_catalog.text, pg_catalog.int4) IS
  'Internal: fit a model (two with a treatment column) on the fit rows of source, validate it, return the fit as jsonb.';

-- A model's linear predictor for one arm, as SQL over the columns it was
-- trained on: quoted identifiers and float8 literals (shortest exact form).
-- Every term is parenthesised: OPERATOR(pg_catalog.x) forms all bind alike,
-- left to right, so a + b * c would read (a + b) * c.
CREATE OR REPLACE FUNCTION stormops.model_linear_sql(model_id pg_catalog.int8, arm pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql STABLE
SET extra_float_digits = 1
BEGIN ATOMIC
  SELECT pg_catalog.string_agg(
           CASE WHEN t.position OPERATOR(pg_catalog.=) 0
                  THEN pg_catalog.format('(%s)::pg_catalog.float8', t.coefficient)
                WHEN t.level IS NOT NULL
                  THEN pg_catalog.format('CASE WHEN (%I)::pg_catalog.text OPERATOR(pg_catalog.=) %L THEN (%s)::pg_catalog.float8 ELSE 0 END',
                                         t.source_column, t.level, t.coefficient)
                WHEN f.type OPERATOR(pg_catalog.=) 'boolean'
                  THEN pg_catalog.format('((%s)::pg_catalog.float8 OPERATOR(pg_catalog.*) (%I)::pg_catalog.int4::pg_catalog.float8)',
                                         t.coefficient, t.source_column)
                ELSE pg_catalog.format('((%s)::pg_catalog.float8 OPERATOR(pg_catalog.*) (%I)::pg_catalog.float8)',
                                       t.coefficient, t.source_column)
           END, ' OPERATOR(pg_catalog.+) ' ORDER BY t.position)
    FROM stormops.model_terms t
    JOIN stormops.models m ON m.model_id OPERATOR(pg_catalog.=) t.model_id
    LEFT JOIN LATERAL (SELECT e OPERATOR(pg_catalog.->>) 'type' AS type
                         FROM pg_catalog.jsonb_array_elements(m.features) e
                        WHERE e OPERATOR(pg_catalog.->>) 'name' OPERATOR(pg_catalog.=) t.source_column) f ON true
   WHERE t.model_id OPERATOR(pg_catalog.=) model_linear_sql.model_id
     AND t.arm OPERATOR(pg_catalog.=) model_linear_sql.arm;
END;
COMMENT ON FUNCTION stormops.model_linear_sql(pg_catalog.int8, pg_catalog.text) IS
  'Internal: the linear predictor of one arm of a model as a SQL expression over its source columns.';

-- The score as SQL: p_treated - p_control for uplift, else p.
CREATE OR REPLACE FUNCTION stormops.model_score_sql(model_id pg_catalog.int8)
RETURNS pg_catalog.text
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT CASE WHEN m.treatment_column IS NOT NULL
              THEN pg_catalog.format('(stormops.logistic(%s) OPERATOR(pg_catalog.-) stormops.logistic(%s))',
                                     stormops.model_linear_sql(m.model_id, 'treated'),
                                     stormops.model_linear_sql(m.model_id, 'control'))
              ELSE pg_catalog.format('stormops.logistic(%s)', stormops.model_linear_sql(m.model_id, 'single'))
         END
    FROM stormops.models m
   WHERE m.model_id OPERATOR(pg_catalog.=) model_score_sql.model_id;
END;
COMMENT ON FUNCTION stormops.model_score_sql(pg_catalog.int8) IS
  'Internal: a model''s score (uplift = p_treated - p_control, else the probability) as a SQL expression over its source columns.';

CREATE OR REPLACE FUNCTION stormops.model_named(model_id pg_catalog.int8)
RETURNS stormops.models
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  m stormops.models;
BEGIN
  SELECT * INTO m FROM stormops.models x WHERE x.model_id = model_named.model_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'model % does not exist', coalesce(model_id::text, 'NULL')
      USING ERRCODE = 'undefined_object',
            HINT = 'SELECT model_id, kind, version, status FROM stormops.models lists the registry.';
  END IF;
  RETURN m;
END;
$$;
COMMENT ON FUNCTION stormops.model_named(pg_catalog.int8) IS
  'Internal: the registry row of a model, or an error naming the id.';

CREATE OR REPLACE FUNCTION stormops.model_scores(model_id pg_catalog.int8, source pg_catalog.regclass,
                                                id_column pg_catalog.text)
RETURNS TABLE (row_id pg_catalog.text, score pg_catalog.float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
  m stormops.models := stormops.model_named(model_id);
  missing text;
BEGIN
  SELECT string_agg(DISTINCT quote_ident(t.source_column), ', ') INTO missing
    FROM stormops.model_terms t
   WHERE t.model_id = m.model_id AND t.source_column IS NOT NULL
     AND NOT EXISTS (SELECT FROM pg_attribute a
                      WHERE a.attrelid = source AND a.attname = t.source_column AND a.attnum > 0 AND NOT a.attisdropped);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION '% has no column % that model % reads', source, missing, m.model_id
      USING ERRCODE = 'undefined_column',
            HINT = 'Score a relation with the feature columns the model was trained on (stormops.models.features).';
  END IF;
  RETURN QUERY EXECUTE format('SELECT (%I)::pg_catalog.text, %s FROM %s', id_column, stormops.model_score_sql(m.model_id), source);
END;
$$;
COMMENT ON FUNCTION stormops.model_scores(pg_catalog.int8, pg_catalog.regclass, pg_catalog.text) IS
  'Every row of source scored by a model: uplift (p_treated - p_control) for an uplift model, else the probability.';

-- The validation metric of a model on the validation rows of a source
-- (NULL when the source lacks a column the model reads).
CREATE OR REPLACE FUNCTION stormops.model_metric_on(model_id pg_catalog.int8, source pg_catalog.regclass,
                                                   id_column pg_catalog.text, treatment_column pg_catalog.text,
                                                   label_column pg_catalog.text)
RETURNS pg_catalog.float8
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
  result float8;
BEGIN
  IF EXISTS (SELECT FROM stormops.model_terms t
              WHERE t.model_id = model_metric_on.model_id AND t.source_column IS NOT NULL
                AND NOT EXISTS (SELECT FROM pg_attribute a
                                 WHERE a.attrelid = source AND a.attname = t.source_column
                                   AND a.attnum > 0 AND NOT a.attisdropped)) THEN
    RETURN NULL;
  END IF;
  -- A source whose rows the active model cannot score (a NULL or a value
  -- of another type in a column it reads) is no reason to fail the new
  -- model's training: then there is no comparison on these rows (NULL).
  BEGIN
  IF treatment_column IS NOT NULL THEN
    EXECUTE format('SELECT (stormops.uplift_metrics(pg_catalog.array_agg(s.score), pg_catalog.array_agg(s.t), pg_catalog.array_agg(s.l))'
                   ' OPERATOR(pg_catalog.->>) ''qini'')::pg_catalog.float8'
                   '  FROM (SELECT %s AS score, (%I)::pg_catalog.int4 OPERATOR(pg_catalog.=) 1 AS t,'
                   '               (%I)::pg_catalog.int4 OPERATOR(pg_catalog.=) 1 AS l'
                   '          FROM %s WHERE stormops.validation_row((%I)::pg_catalog.text)) s',
                   stormops.model_score_sql(model_id), treatment_column, label_column, source, id_column)
      INTO result;
  ELSE
    EXECUTE format('SELECT stormops.auc(pg_catalog.array_agg(s.score), pg_catalog.array_agg(s.l))'
                   '  FROM (SELECT %s AS score, (%I)::pg_catalog.int4 OPERATOR(pg_catalog.=) 1 AS l'
                   '          FROM %s WHERE stormops.validation_row((%I)::pg_catalog.text)) s',
                   stormops.model_score_sql(model_id), label_column, source, id_column)
      INTO result;
  END IF;
  EXCEPTION WHEN data_exception OR null_value_not_allowed OR invalid_parameter_value
                 OR datatype_mismatch OR undefined_function OR cannot_coerce THEN
    RETURN NULL;
  END;
  RETURN result;
END;
$$;
COMMENT ON FUNCTION stormops.model_metric_on(pg_catalog.int8, pg_catalog.regclass, pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
  'Internal: a model''s validation Qini (AUC without a treatment column) on the validation rows of source; NULL when source lacks its columns.';

-- Writes a fitted model and its terms, then applies the activation rule.
CREATE OR REPLACE FUNCTION stormops.register_model(kind pg_catalog.text, source pg_catalog.regclass,
                                                  id_column pg_catalog.text, treatment_column pg_catalog.text,
                                                  label_column pg_catalog.text, weight_column pg_catalog.text,
                                                  l2 pg_catalog.float8, fit pg_catalog.jsonb)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  new_id bigint;
  metric text := CASE WHEN treatment_column IS NOT NULL THEN 'qini' ELSE 'auc' END;
  baseline float8 := CASE WHEN treatment_column IS NOT NULL THEN 0 ELSE 0.5 END;
  value float8 := (fit -> 'metrics' ->> metric)::float8;
  noise float8 := (fit -> 'metrics' ->> (metric || '_noise'))::float8;
  unconverged text;
  active stormops.models;
  active_value float8;
  compared_where text := 'on the same validation rows';
  verdict text;
  activate boolean := false;
BEGIN
  -- one registration at a time per kind: versions and the active model stay consistent
  PERFORM pg_advisory_xact_lock(hashtext('stormops.models'), hashtext(kind));
  INSERT INTO stormops.models (kind, version, source, id_column, treatment_column, label_column, weight_column, l2,
                               features, rows_treated, rows_control, fit, metrics)
  SELECT register_model.kind, COALESCE(max(m.version), 0) + 1, register_model.source::text, register_model.id_column,
         register_model.treatment_column, register_model.label_column, register_model.weight_column, register_model.l2,
         register_model.fit -> 'features', (register_model.fit ->> 'rows_treated')::bigint,
         (register_model.fit ->> 'rows_control')::bigint,
         (SELECT jsonb_agg(a - 'terms') FROM jsonb_array_elements(register_model.fit -> 'arms') a),
         (register_model.fit -> 'metrics') || jsonb_build_object('rows_fit', (register_model.fit ->> 'rows_fit')::bigint)
    FROM stormops.models m WHERE m.kind = register_model.kind
  RETURNING model_id INTO new_id;
  INSERT INTO stormops.model_terms (model_id, arm, position, feature, source_column, level, coefficient,
                                    standardized_coefficient, mean, scale)
  SELECT new_id, a ->> 'arm', 0, 'intercept', NULL, NULL, (a ->> 'intercept')::float8, (a ->> 'intercept_std')::float8, NULL, NULL
    FROM jsonb_array_elements(fit -> 'arms') a
  UNION ALL
  SELECT new_id, a ->> 'arm', t.ord::int, t.term ->> 'feature', t.term ->> 'source_column', t.term ->> 'level',
         (t.term ->> 'coefficient')::float8, (t.term ->> 'standardized_coefficient')::float8,
         (t.term ->> 'mean')::float8, (t.term ->> 'scale')::float8
    FROM jsonb_array_elements(fit -> 'arms') a, jsonb_array_elements(a -> 'terms') WITH ORDINALITY t(term, ord);

  SELECT string_agg(format('the %s fit stopped at %s after %s Newton steps', a ->> 'arm', a ->> 'status', a ->> 'iterations'), '; ')
    INTO unconverged
    FROM jsonb_array_elements(fit -> 'arms') a WHERE a ->> 'status' <> 'converged';
  SELECT * INTO active FROM stormops.models m
   WHERE m.kind = register_model.kind AND m.status = 'active' AND m.model_id <> new_id FOR UPDATE;
  IF unconverged IS NOT NULL THEN
    verdict := format('candidate: %s (l2 = %s); a model that did not converge is never activated', unconverged, l2);
  ELSIF value IS NULL THEN
    verdict := format('candidate: no validation %s (%s)', metric, coalesce(fit -> 'metrics' ->> 'note', 'undefined'));
  ELSIF active.model_id IS NULL THEN
    activate := value > baseline + noise;
    verdict := format('%s: the first %s model; validation %s %s %s %s by more than random orders of these rows reach (95th percentile %s)',
                      CASE WHEN activate THEN 'activated' ELSE 'candidate' END, kind, metric, round(value::numeric, 4),
                      CASE WHEN activate THEN 'beats' ELSE 'does not beat' END, baseline, round(noise::numeric, 4));
  ELSE
    active_value := stormops.model_metric_on(active.model_id, source, id_column, treatment_column, label_column);
    IF active_value IS NULL THEN
      active_value := (active.metrics ->> metric)::float8;
      compared_where := 'on its own validation rows (this source lacks a column it reads)';
    END IF;
    -- the difference of two rankings' Qini varies about sqrt(2) times one's
    activate := value > baseline + noise AND (active_value IS NULL OR value > active_value + sqrt(2) * noise);
    verdict := format('%s: validation %s %s; model %s (version %s) has %s %s; %s',
                      CASE WHEN activate THEN 'activated' ELSE 'candidate' END, metric, round(value::numeric, 4),
                      active.model_id, active.version, round(active_value::numeric, 4), compared_where,
                      CASE WHEN activate THEN format('beats it by more than random orders of these rows differ (95th percentile %s x sqrt 2) and beats %s by more than %s',
                                                     round(noise::numeric, 4), baseline, round(noise::numeric, 4))
                           WHEN value <= baseline + noise THEN format('does not beat %s by more than random orders of these rows reach (95th percentile %s)',
                                                                      baseline, round(noise::numeric, 4))
                           ELSE format('does not beat it by more than random orders of these rows differ (95th percentile %s x sqrt 2)',
                                       round(noise::numeric, 4)) END);
  END IF;
  IF activate AND active.model_id IS NOT NULL THEN
    UPDATE stormops.models SET status = 'retired', retired_at = now(),
                               status_reason = format('retired: model %s (version %s) replaced it', new_id,
                                                      (SELECT version FROM stormops.models WHERE model_id = new_id))
     WHERE model_id = active.model_id;
  END IF;
  UPDATE stormops.models
     SET status = CASE WHEN activate THEN 'active' ELSE 'candidate' END,
         status_reason = verdict,
         activated_at = CASE WHEN activate THEN now() END
   WHERE model_id = new_id;
  RAISE NOTICE 'model % (%): %', new_id, kind, verdict;
  RETURN new_id;
END;
$$;
COMMENT ON FUNCTION stormops.register_model(pg_catalog.text, pg_catalog.regclass, pg_catalog.text, pg_catalog.text,
                                            pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.jsonb) IS
  'Internal: writes a fitted model and its terms and applies the activation rule (docs/learning.md).';

CREATE OR REPLACE FUNCTION stormops.train_uplift_model(source pg_catalog.regclass, id_column pg_catalog.text,
                                                      features pg_catalog.text[], treatment_column pg_catalog.text,
                                                      label_column pg_catalog.text, l2 pg_catalog.float8 DEFAULT 1.0,
                                                      weight_column pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF treatment_column IS NULL THEN
    RAISE EXCEPTION 'treatment_column must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'An uplift model compares treated and control rows; stormops.train_model(kind, ...) fits a one-model kind.';
  END IF;
  RETURN stormops.register_model('uplift', source, id_column, treatment_column, label_column, weight_column, l2,
           stormops.fit_model_rows(source, id_column, features, treatment_column, label_column, l2, weight_column,
                                   COALESCE(current_setting('stormops.random_seed', true), '0')::int));
END;
$$;
COMMENT ON FUNCTION stormops.train_uplift_model(pg_catalog.regclass, pg_catalog.text, pg_catalog.text[], pg_catalog.text,
                                                pg_catalog.text, pg_catalog.float8, pg_catalog.text) IS
  'Trains a T-learner uplift model (L2 logistic regression per arm) on any relation, validates it, registers it; returns the model id.';

CREATE OR REPLACE FUNCTION stormops.train_model(kind pg_catalog.text, source pg_catalog.regclass, id_column pg_catalog.text,
                                               features pg_catalog.text[], label_column pg_catalog.text,
                                               l2 pg_catalog.float8 DEFAULT 1.0, weight_column pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF kind IS NULL OR kind NOT IN ('response', 'churn') THEN
    RAISE EXCEPTION 'kind % is not a one-model kind', coalesce(quote_literal(kind), 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = CASE WHEN kind = 'uplift' THEN 'Uplift models are trained by stormops.train_uplift_model.'
                        WHEN kind = 'ltv' THEN 'ltv_score is loaded, not trained (docs/learning.md).'
                        ELSE 'response or churn.' END;
  END IF;
  RETURN stormops.register_model(kind, source, id_column, NULL, label_column, weight_column, l2,
           stormops.fit_model_rows(source, id_column, features, NULL, label_column, l2, weight_column,
                                   COALESCE(current_setting('stormops.random_seed', true), '0')::int));
END;
$$;
COMMENT ON FUNCTION stormops.train_model(pg_catalog.text, pg_catalog.regclass, pg_catalog.text, pg_catalog.text[],
                                         pg_catalog.text, pg_catalog.float8, pg_catalog.text) IS
  'Trains a one-model kind (response, churn: L2 logistic regression) on any relation, validates it, registers it; returns the model id.';

CREATE OR REPLACE FUNCTION stormops.model_coefficients(model_id pg_catalog.int8)
RETURNS TABLE (arm pg_catalog.text, feature pg_catalog.text, coefficient pg_catalog.float8,
               standardized_coefficient pg_catalog.float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM stormops.model_named(model_id);
  RETURN QUERY
  SELECT t.arm, t.feature, t.coefficient, t.standardized_coefficient
    FROM stormops.model_terms t
   WHERE t.model_id = model_coefficients.model_id
   ORDER BY array_position('{treated,control,single}'::text[], t.arm), t.position;
END;
$$;
COMMENT ON FUNCTION stormops.model_coefficients(pg_catalog.int8) IS
  'A model''s coefficients per arm (treated, control, or single): intercept, then each column or column=level, on the original and the standardised scale.';

CREATE OR REPLACE FUNCTION stormops.model_qini_curve(model_id pg_catalog.int8)
RETURNS TABLE (share pg_catalog.float8, qini pg_catalog.float8, random pg_catalog.float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  m stormops.models := stormops.model_named(model_id);
BEGIN
  RETURN QUERY
  SELECT (d.i - 1) / 10.0::float8, d.v::float8,
         (m.metrics -> 'qini_deciles' ->> 10)::float8 * (d.i - 1) / 10.0
    FROM jsonb_array_elements_text(m.metrics -> 'qini_deciles') WITH ORDINALITY d(v, i)
   ORDER BY d.i;
END;
$$;
COMMENT ON FUNCTION stormops.model_qini_curve(pg_catalog.int8) IS
  'The validation Qini curve of an uplift model at each tenth of the rows (incremental responders), with the random line.';

CREATE OR REPLACE FUNCTION stormops.activate_model(model_id pg_catalog.int8, reason pg_catalog.text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  m stormops.models := stormops.model_named(model_id);
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('stormops.models'), hashtext(m.kind));
  IF m.status = 'active' THEN
    RETURN;
  END IF;
  UPDATE stormops.models SET status = 'retired', retired_at = now(),
                             status_reason = format('retired: %s activated model %s by hand', current_user, m.model_id)
   WHERE kind = m.kind AND status = 'active';
  UPDATE stormops.models SET status = 'active', activated_at = now(), retired_at = NULL,
                             status_reason = format('activated by hand by %s%s', current_user,
                                                    CASE WHEN reason IS NOT NULL THEN ': ' || reason ELSE '' END)
   WHERE models.model_id = m.model_id;
END;
$$;
COMMENT ON FUNCTION stormops.activate_model(pg_catalog.int8, pg_catalog.text) IS
  'Makes a model its kind''s active one by hand (the previous one is retired); the reason is kept.';

CREATE OR REPLACE FUNCTION stormops.retire_model(model_id pg_catalog.int8, reason pg_catalog.text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  m stormops.models := stormops.model_named(model_id);
BEGIN
  UPDATE stormops.models SET status = 'retired', retired_at = now(),
                             status_reason = format('retired by hand by %s%s', current_user,
                                                    CASE WHEN reason IS NOT NULL THEN ': ' || reason ELSE '' END)
   WHERE models.model_id = m.model_id AND status <> 'retired';
END;
$$;
COMMENT ON FUNCTION stormops.retire_model(pg_catalog.int8, pg_catalog.text) IS
  'Retires a model by hand (its kind then has no active model until another is activated); the reason is kept.';
