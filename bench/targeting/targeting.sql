-- The measurements of bench/targeting/run.sh (timed in the server with
-- clock_timestamp(); medians). Two baselines for each rule set: the per-row
-- PL/pgSQL loop (stormops_ref.target_properties, naive_note.md) and the query
-- an analyst would write by hand for that one play (handwritten.sql, keyed by
-- the rule set's name).
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

\ir handwritten.sql
\ir ../timing.sql

CREATE TEMP TABLE timing (name text, kind text, ms float8, n bigint);
DO $$
DECLARE
  r record;
  runs int := current_setting('bench.runs')::int;
  as_of constant timestamptz := '2019-03-27 12:00:00-05';
  n bigint;
  q text;
  only_compiled bigint; only_hand bigint; differ bigint; dup bigint; sample text;
BEGIN
  FOR r IN SELECT * FROM rule_sets ORDER BY ord LOOP
    -- compile: 2,000 calls per run on the stored rules (nothing is cached
    -- between calls: each parses the jsonb and writes the statement anew)
    FOR run IN 1..runs LOOP
      INSERT INTO timing SELECT r.name, 'compile', pg_temp.elapsed_ms(format(
        'SELECT count(stormops.compile_targeting(s.rules, s.event_id, %L)) FROM rule_sets s, generate_series(1, 2000) i WHERE s.name = %L',
        as_of, r.name)) / 2000, NULL;
    END LOOP;
    -- The hand-written query must give the same answer before it is timed:
    -- the same property_ids (and the same rank, sii_score, uplift_score;
    -- similarity within 1e-9). This also warms the cache for both.
    SELECT h.query INTO q FROM handwritten h WHERE h.name = r.name;
    IF q IS NULL THEN
      RAISE EXCEPTION 'rule set "%" has no hand-written query', r.name
        USING HINT = 'Add a row for it to handwritten in bench/targeting/handwritten.sql.';
    END IF;
    EXECUTE format($f$
      SELECT count(*) FILTER (WHERE h.property_id IS NULL),
             count(*) FILTER (WHERE c.property_id IS NULL),
             count(*) FILTER (WHERE c.property_id IS NOT NULL AND h.property_id IS NOT NULL
                                AND (c.rank IS DISTINCT FROM h.rank OR c.sii_score IS DISTINCT FROM h.sii_score
                                     OR c.uplift_score IS DISTINCT FROM h.uplift_score
                                     OR (c.similarity IS NULL) <> (h.similarity IS NULL)
                                     OR abs(c.similarity - h.similarity) > 1e-9)),
             (SELECT count(*) - count(DISTINCT x.property_id) FROM (%s) x),
             string_agg(coalesce(c.property_id, h.property_id), ', ' ORDER BY coalesce(c.property_id, h.property_id))
               FILTER (WHERE c.property_id IS NULL OR h.property_id IS NULL)
        FROM stormops.target_properties($1, $2, $3) c
        FULL JOIN (%s) h ON h.property_id = c.property_id$f$, q, q)
      INTO only_compiled, only_hand, differ, dup, sample USING r.rules, r.event_id, as_of;
    IF only_compiled + only_hand + dup > 0 THEN
      RAISE EXCEPTION 'rule set "%": the hand-written query returns other property_ids than stormops.target_properties', r.name
        USING DETAIL = format('%s only from target_properties, %s only from the hand-written query, %s duplicates; e.g. %s',
                              only_compiled, only_hand, dup, left(sample, 200)),
              HINT = 'A bench must not compare different answers: fix the query in bench/targeting/handwritten.sql.';
    END IF;
    IF differ > 0 THEN
      RAISE EXCEPTION 'rule set "%": the hand-written query returns the same property_ids but % rows differ in rank, similarity, sii_score or uplift_score', r.name, differ
        USING HINT = 'Fix the query in bench/targeting/handwritten.sql.';
    END IF;
    -- compiled and hand-written alternate, so both see the same state of a
    -- shared machine
    EXECUTE 'SELECT count(*) FROM stormops.target_properties($1, $2, $3)' INTO n USING r.rules, r.event_id, as_of;
    FOR run IN 1..runs LOOP
      INSERT INTO timing SELECT r.name, 'compiled', pg_temp.elapsed_ms(format(
        'SELECT count(*) FROM stormops.target_properties(%L, %L, %L)', r.rules, r.event_id, as_of)), n;
      -- count(h): every column of every row is computed, as target_properties does
      INSERT INTO timing SELECT r.name, 'handwritten', pg_temp.elapsed_ms(format(
        'SELECT count(h) FROM (%s) h', q)), n;
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
\echo 'compiled / handwritten / per-row: median ms of stormops.target_properties / of the'
\echo 'hand-written query (handwritten.sql; same rows, checked) / of the per-row PL/pgSQL baseline;'
\echo 'hand_ratio = handwritten / compiled (>1: the compiled statement is faster); speedup = per-row / compiled'
SELECT t.name AS rule_set,
       round(pg_temp.median(array_agg(ms * 1000) FILTER (WHERE kind = 'compile'))::numeric, 1) AS compile_us,
       max(n) FILTER (WHERE kind = 'compiled') AS targets,
       max(n) FILTER (WHERE kind = 'compiled') = max(n) FILTER (WHERE kind = 'per-row') AS same_count,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE kind = 'compiled'))::numeric, 1) AS compiled_ms,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE kind = 'handwritten'))::numeric, 1) AS handwritten_ms,
       round((pg_temp.median(array_agg(ms) FILTER (WHERE kind = 'handwritten'))
            / pg_temp.median(array_agg(ms) FILTER (WHERE kind = 'compiled')))::numeric, 2) AS hand_ratio,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE kind = 'per-row'))::numeric, 1) AS per_row_ms,
       round((pg_temp.median(array_agg(ms) FILTER (WHERE kind = 'per-row'))
            / pg_temp.median(array_agg(ms) FILTER (WHERE kind = 'compiled')))::numeric, 1) AS speedup
  FROM timing t JOIN rule_sets s USING (name)
 GROUP BY t.name, s.ord ORDER BY s.ord;
