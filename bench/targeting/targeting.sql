-- The measurements of bench/targeting/run.sh (timed in the server with
-- clock_timestamp(); medians).
SET client_min_messages = warning;
\pset footer off
SELECT FROM set_config('bench.runs', :'runs', false);

CREATE TEMP TABLE rule_sets (name text PRIMARY KEY, ord int, rules jsonb, event_id text);
INSERT INTO rule_sets VALUES
('Frisco-Alpha', 1,
 '{"physics": {"min_sii_score": 75, "max_days_since_storm": 14}, "geography": {"zips": ["75034", "75035"]},
   "demographics": {"ses_tiers": ["High"], "min_median_income": 100000},
   "psychographics": {"personas": ["Proof_Seeker", "Status_Conscious"]},
   "competition": {"competitor_pressure_max": 0.4, "white_space_score_min": 60},
   "similarity": {"enabled": true, "reference_property_ids": ["top_50_high_margin_conversions"], "similarity_threshold": 0.8, "top_k": 300}}',
 'noaa_ep_135504_hail'),
('Loyalty-DFW-HighSES', 2,
 '{"physics": {"min_sii_score": 60, "max_days_since_storm": 45}, "geography": {"zips": ["75230", "75225"]},
   "demographics": {"ses_tiers": ["High"], "min_median_income": 90000},
   "behavioral": {"prior_touchpoints_max": 10, "response_rate_min": 0.3, "past_customers_only": true},
   "competition": {"competitor_pressure_max": 0.8}, "similarity": {"enabled": false}}',
 NULL),
('Expansion-Lookalike', 3,
 '{"physics": {"min_sii_score": 70, "max_days_since_storm": 30}, "geography": {"zips": null},
   "demographics": {"ses_tiers": ["High", "Medium"]},
   "similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48113010101", "48113010102"],
                  "similarity_threshold": 0.85, "top_k_tracts": 10, "properties_per_tract": 50}}',
 NULL),
('one ZIP, one event', 4, '{"geography": {"zips": ["75034"]}}', 'noaa_ep_135504_hail'),
('storm-wide, roofs 15+ years', 5, '{"physics": {"min_sii_score": 50, "roof_age_min": 15}}', 'noaa_ep_135504_hail'),
('recent responders, no event', 6,
 '{"physics": {"max_days_since_storm": 400}, "behavioral": {"response_rate_min": 0.5, "exclude_recent_converts": true},
   "psychographics": {"exclude_personas": ["Procrastinator"]}}', NULL);

\ir ../timing.sql

CREATE TEMP TABLE timing (name text, kind text, ms float8, n bigint);
DO $$
DECLARE
  r record;
  runs int := current_setting('bench.runs')::int;
  as_of constant timestamptz := '2019-03-27 12:00:00-05';
  n bigint;
BEGIN
  FOR r IN SELECT * FROM rule_sets ORDER BY ord LOOP
    -- compile: 2,000 calls per run on the stored rules (nothing is cached
    -- between calls: each parses the jsonb and writes the statement anew)
    FOR run IN 1..runs LOOP
      INSERT INTO timing SELECT r.name, 'compile', pg_temp.elapsed_ms(format(
        'SELECT count(stormops.compile_targeting(s.rules, s.event_id, %L)) FROM rule_sets s, generate_series(1, 2000) i WHERE s.name = %L',
        as_of, r.name)) / 2000, NULL;
    END LOOP;
    -- warm the cache once, then time
    EXECUTE 'SELECT count(*) FROM stormops.target_properties($1, $2, $3)' INTO n USING r.rules, r.event_id, as_of;
    FOR run IN 1..runs LOOP
      INSERT INTO timing SELECT r.name, 'compiled', pg_temp.elapsed_ms(format(
        'SELECT count(*) FROM stormops.target_properties(%L, %L, %L)', r.rules, r.event_id, as_of)), n;
    END LOOP;
    EXECUTE 'SELECT count(*) FROM stormops_ref.target_properties($1, $2, $3)' INTO n USING r.rules, r.event_id, as_of;
    FOR run IN 1..least(runs, 3) LOOP
      INSERT INTO timing SELECT r.name, 'per-row', pg_temp.elapsed_ms(format(
        'SELECT count(*) FROM stormops_ref.target_properties(%L, %L, %L)', r.rules, r.event_id, as_of)), n;
    END LOOP;
  END LOOP;
END $$;

\echo 'Targeting (event noaa_ep_135504_hail where given, as_of 2019-03-27 12:00-05)'
\echo 'compile: median microseconds per compile_targeting call; targets: rows returned;'
\echo 'compiled / per-row: median ms of stormops.target_properties / of the per-row PL/pgSQL baseline'
SELECT t.name AS rule_set,
       round(pg_temp.median(array_agg(ms * 1000) FILTER (WHERE kind = 'compile'))::numeric, 1) AS compile_us,
       max(n) FILTER (WHERE kind = 'compiled') AS targets,
       max(n) FILTER (WHERE kind = 'compiled') = max(n) FILTER (WHERE kind = 'per-row') AS same_count,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE kind = 'compiled'))::numeric, 1) AS compiled_ms,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE kind = 'per-row'))::numeric, 1) AS per_row_ms,
       round((pg_temp.median(array_agg(ms) FILTER (WHERE kind = 'per-row'))
            / pg_temp.median(array_agg(ms) FILTER (WHERE kind = 'compiled')))::numeric, 1) AS speedup
  FROM timing t JOIN rule_sets s USING (name)
 GROUP BY t.name, s.ord ORDER BY s.ord;
