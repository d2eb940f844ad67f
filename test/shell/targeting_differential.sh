#!/usr/bin/env bash
# The compiler against an independent implementation of targeting.md.
#
# On a generated Dallas-Fort Worth market (bench/targeting/generate.sql at a
# small scale), 200 random rule sets, events and moments run through both
# stormops.target_properties and stormops_ref.target_properties
# (test/reference/targeting_reference.sql, a per-row PL/pgSQL loop written
# separately). Thresholds are drawn from the data itself, so boundaries are
# hit. Rows, ranks and sii_score must be identical, similarity within 1e-6,
# and an error on one side must be the same error on the other.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
db=stormops_differential
cases=${DIFFERENTIAL_CASES:-200}
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$db'" >/dev/null 2>&1' EXIT

psql -X -q -v ON_ERROR_STOP=1 -d $db -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -v scale=0.003 -d $db -f "$repo/bench/targeting/generate.sql" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$repo/test/reference/targeting_reference.sql" >/dev/null

psql -X -q -v ON_ERROR_STOP=1 -v cases="$cases" -d $db <<'SQL'
SET client_min_messages = warning;
SELECT FROM setseed(0.4242);
SELECT FROM set_config('differential.cases', :'cases', false);

-- One value from a query, at random.
CREATE FUNCTION pg_temp.pick(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
  EXECUTE 'SELECT x::text FROM (' || q || ') s(x) ORDER BY random() LIMIT 1' INTO v;
  RETURN v;
END $$;
CREATE FUNCTION pg_temp.some(q text, n int) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE v jsonb;
BEGIN
  EXECUTE 'SELECT jsonb_agg(x) FROM (SELECT x FROM (' || q || ') s(x) ORDER BY random() LIMIT ' || n || ') t' INTO v;
  RETURN v;
END $$;

-- Random rules: each section with probability 0.35, each key with 0.5.
CREATE FUNCTION pg_temp.random_rules() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := '{}';
  s jsonb;
  lat float8;
  lon float8;
  w float8;
BEGIN
  IF random() < 0.35 THEN
    s := '{}';
    IF random() < 0.5 THEN s := s || jsonb_build_object('min_sii_score', pg_temp.pick('SELECT sii_score FROM stormops.property_impacts')::numeric); END IF;
    IF random() < 0.5 THEN s := s || jsonb_build_object('max_days_since_storm', (ARRAY[1, 3, 14, 30, 90, 400, 1000])[1 + floor(random() * 7)::int]); END IF;
    IF random() < 0.3 THEN s := s || jsonb_build_object('roof_age_min', floor(random() * 30)::int); END IF;
    IF random() < 0.3 THEN s := s || jsonb_build_object('roof_age_max', 30 + floor(random() * 20)::int); END IF;
    r := r || jsonb_build_object('physics', s);
  END IF;
  IF random() < 0.35 THEN
    s := '{}';
    IF random() < 0.5 THEN s := s || jsonb_build_object('zips', pg_temp.some('SELECT DISTINCT zip FROM stormops.properties', 1 + floor(random() * 20)::int)); END IF;
    IF random() < 0.3 THEN s := s || jsonb_build_object('tracts', pg_temp.some('SELECT DISTINCT tract_geoid FROM stormops.properties WHERE tract_geoid IS NOT NULL', 1 + floor(random() * 30)::int)); END IF;
    IF random() < 0.4 THEN
      SELECT p.lat, p.lon INTO lat, lon FROM stormops.properties p WHERE p.lat IS NOT NULL ORDER BY random() LIMIT 1;
      w := 0.01 + random() * 0.2;
      s := s || jsonb_build_object('custom_polygon', jsonb_build_object('type', 'Polygon', 'coordinates', jsonb_build_array(
             jsonb_build_array(jsonb_build_array(round((lon - w)::numeric, 4), round((lat - w)::numeric, 4)),
                               jsonb_build_array(round((lon + w)::numeric, 4), round((lat - w / 2)::numeric, 4)),
                               jsonb_build_array(round(lon::numeric, 4), round((lat + w)::numeric, 4)),
                               jsonb_build_array(round((lon - w)::numeric, 4), round((lat - w)::numeric, 4))))));
    END IF;
    r := r || jsonb_build_object('geography', s);
  END IF;
  IF random() < 0.35 THEN
    s := '{}';
    IF random() < 0.5 THEN s := s || jsonb_build_object('ses_tiers', pg_temp.some('SELECT unnest(ARRAY[''High'', ''Medium'', ''Low''])', 1 + floor(random() * 2)::int)); END IF;
    IF random() < 0.5 THEN s := s || jsonb_build_object('min_median_income', pg_temp.pick('SELECT median_household_income FROM stormops.census_tracts WHERE median_household_income IS NOT NULL')::int); END IF;
    IF random() < 0.4 THEN s := s || jsonb_build_object('homeownership_rate_min', pg_temp.pick('SELECT homeownership_rate FROM stormops.census_tracts WHERE homeownership_rate IS NOT NULL')::numeric); END IF;
    r := r || jsonb_build_object('demographics', s);
  END IF;
  IF random() < 0.35 THEN
    s := '{}';
    IF random() < 0.5 THEN s := s || jsonb_build_object('personas', pg_temp.some('SELECT unnest(ARRAY[''Proof_Seeker'', ''Family_Protector'', ''Status_Conscious'', ''Procrastinator''])', 1 + floor(random() * 3)::int)); END IF;
    IF random() < 0.5 THEN s := s || jsonb_build_object('exclude_personas', pg_temp.some('SELECT unnest(ARRAY[''Proof_Seeker'', ''Family_Protector'', ''Status_Conscious'', ''Procrastinator''])', 1 + floor(random() * 2)::int)); END IF;
    r := r || jsonb_build_object('psychographics', s);
  END IF;
  IF random() < 0.35 THEN
    s := '{}';
    IF random() < 0.5 THEN s := s || jsonb_build_object('prior_touchpoints_max', floor(random() * 6)::int); END IF;
    IF random() < 0.4 THEN s := s || jsonb_build_object('response_rate_min', (ARRAY[0, 0.1, 0.2, 0.25, 0.5, 1])[1 + floor(random() * 6)::int]); END IF;
    IF random() < 0.4 THEN s := s || jsonb_build_object('exclude_recent_converts', random() < 0.7); END IF;
    IF random() < 0.3 THEN s := s || jsonb_build_object('past_customers_only', random() < 0.7); END IF;
    r := r || jsonb_build_object('behavioral', s);
  END IF;
  IF random() < 0.35 THEN
    s := '{}';
    IF random() < 0.5 THEN s := s || jsonb_build_object('competitor_pressure_max', pg_temp.pick('SELECT competitor_pressure FROM stormops.zip_competition')::numeric); END IF;
    IF random() < 0.5 THEN s := s || jsonb_build_object('white_space_score_min', pg_temp.pick('SELECT white_space_score FROM stormops.zip_competition')::numeric); END IF;
    r := r || jsonb_build_object('competition', s);
  END IF;
  IF random() < 0.3 THEN
    IF random() < 0.5 THEN
      s := jsonb_build_object('enabled', true, 'reference_property_ids',
             CASE WHEN random() < 0.3 THEN '["top_50_high_margin_conversions"]'::jsonb
                  ELSE pg_temp.some('SELECT property_id FROM stormops.properties WHERE embedding IS NOT NULL', 1 + floor(random() * 5)::int) END);
      IF random() < 0.5 THEN s := s || jsonb_build_object('similarity_threshold', round((random() * 1.2 - 0.2)::numeric, 2)); END IF;
      IF random() < 0.5 THEN s := s || jsonb_build_object('top_k', 1 + floor(random() * 50)::int); END IF;
    ELSE
      s := jsonb_build_object('enabled', true, 'mode', 'neighborhood_embedding', 'reference_tract_ids',
             pg_temp.some('SELECT tract_geoid FROM stormops.census_tracts WHERE embedding IS NOT NULL', 1 + floor(random() * 3)::int));
      IF random() < 0.4 THEN s := s || jsonb_build_object('similarity_threshold', round((random() * 0.6)::numeric, 2)); END IF;
      IF random() < 0.6 THEN s := s || jsonb_build_object('top_k_tracts', 1 + floor(random() * 40)::int); END IF;
      IF random() < 0.6 THEN s := s || jsonb_build_object('properties_per_tract', 1 + floor(random() * 5)::int); END IF;
    END IF;
    r := r || jsonb_build_object('similarity', s);
  END IF;
  -- keep roof bounds ordered
  IF (r #>> '{physics,roof_age_min}')::int > (r #>> '{physics,roof_age_max}')::int THEN
    r := jsonb_set(r, '{physics,roof_age_max}', r #> '{physics,roof_age_min}');
  END IF;
  RETURN r;
END $$;

-- Rows as text, or the error's SQLSTATE.
CREATE FUNCTION pg_temp.run(fn text, rules jsonb, event text, at timestamptz, OUT rows text[], OUT sims float8[], OUT err text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT coalesce(array_agg(property_id || '':'' || rank || '':'' || coalesce(sii_score::text, ''-'') ORDER BY rank), ''{}''),
                         coalesce(array_agg(coalesce(similarity, -9) ORDER BY rank), ''{}'')
                    FROM %s($1, $2, $3)', fn)
    INTO rows, sims USING rules, event, at;
EXCEPTION WHEN OTHERS THEN
  err := SQLSTATE;
END $$;

CREATE TEMP TABLE outcome (n int, rules jsonb, event text, at timestamptz, targets int, agree bool, why text);
DO $$
DECLARE
  c record;
  a record;
  b record;
  events text[] := ARRAY(SELECT event_id FROM stormops.storm_events ORDER BY event_id) || ARRAY[NULL::text];
  moments timestamptz[] := '{2019-03-27 12:00-05, 2019-03-10 00:00+00, 2019-06-01 00:00+00, 2018-07-01 00:00+00}';
  rules jsonb;
  event text;
  at timestamptz;
  why text;
BEGIN
  FOR n IN 1..current_setting('differential.cases')::int LOOP
    rules := pg_temp.random_rules();
    event := events[1 + floor(random() * array_length(events, 1))::int];
    at := moments[1 + floor(random() * 4)::int];
    a := pg_temp.run('stormops.target_properties', rules, event, at);
    b := pg_temp.run('stormops_ref.target_properties', rules, event, at);
    why := CASE
      WHEN a.err IS DISTINCT FROM b.err THEN format('errors differ: %s vs %s', a.err, b.err)
      WHEN a.rows IS DISTINCT FROM b.rows THEN format('rows differ: %s vs %s', left(a.rows::text, 300), left(b.rows::text, 300))
      WHEN EXISTS (SELECT FROM unnest(a.sims, b.sims) u(x, y) WHERE abs(x - y) > 1e-6) THEN 'similarity differs by more than 1e-6'
    END;
    INSERT INTO outcome VALUES (n, rules, event, at, coalesce(array_length(a.rows, 1), 0), why IS NULL, why);
  END LOOP;
END $$;

SELECT count(*) AS cases, count(*) FILTER (WHERE agree) AS agree,
       count(*) FILTER (WHERE targets > 0) AS with_targets, count(*) FILTER (WHERE targets = 0) AS empty,
       sum(targets) AS targets_compared
  FROM outcome;
SELECT n, event, at, rules, why FROM outcome WHERE NOT agree ORDER BY n LIMIT 5;
DO $$ BEGIN
  IF EXISTS (SELECT FROM outcome WHERE NOT agree) THEN
    RAISE EXCEPTION 'the compiler and the reference disagree';
  END IF;
END $$;
SQL
