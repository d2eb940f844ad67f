-- targeting.md, sentence by sentence, on a hand-built fixture whose answers
-- were worked out by hand. Every check runs target_properties AND the text of
-- compile_targeting and requires both to agree (pg_temp.ids).
BEGIN;
SET LOCAL TimeZone = 'UTC';
SELECT plan(90);

-- Fixture ------------------------------------------------------------------
INSERT INTO stormops.census_tracts VALUES
  ('48085000001', 120000, 0.8, 'High',   '{1,0,0}'),
  ('48085000002',  70000, 0.5, 'Medium', '{0,1,0}'),
  ('48085000003',   NULL, NULL, NULL,    NULL),
  ('48085000004',  90000, 0.6, 'Medium', '{0.9,0.1,0}'),
  ('48085000005',  50000, 0.3, 'Low',    '{1,1}');
INSERT INTO stormops.properties (property_id, zip, tract_geoid, lat, lon, roof_install_year, persona,
                                 is_past_customer, embedding) VALUES
  ('a', '75034', '48085000001', 33.10, -96.80, 2000, 'Proof_Seeker',     false, '{1,0,0}'),
  ('b', '75034', '48085000001', 33.20, -96.80, 2015, 'Family_Protector', true,  '{0.9,0.1,0}'),
  ('c', '75035', '48085000002', 33.10, -96.70, 1990, 'Procrastinator',   false, '{0,1,0}'),
  ('d', '75035', NULL,          33.15, -96.75, NULL, NULL,               false, NULL),
  ('e', '75002', '48085000002', NULL,  NULL,   2010, 'Status_Conscious', true,  '{0,0,0}'),
  ('f', '75002', '48085000003', 33.00, -96.60, 2005, 'Proof_Seeker',     false, '{1,1}'),
  ('g', '75093', NULL,          32.90, -96.90, 2019, 'Family_Protector', false, '{1,0,0}'),
  ('h', '75093', NULL,          32.90, -96.90, 2019, 'Status_Conscious', false, '{2,0,0}'),
  ('i', '75024', '48085000004', 33.05, -96.75, 2001, 'Proof_Seeker',     false, '{0.5,0.5,0}'),
  ('j', '75024', '48085000004', 33.06, -96.76, 2002, 'Proof_Seeker',     false, NULL);
INSERT INTO stormops.property_scores (property_id, uplift_score) VALUES
  ('a', 0.5), ('b', 0.9), ('c', NULL), ('d', 0.1), ('e', 0.2), ('g', 0.3), ('h', NULL), ('i', 0.4), ('j', 0.6);
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES
  ('E1', 'hail', '2019-03-24 23:33+00'), ('E2', 'hail', '2019-01-01 00:00+00'), ('E3', 'hail', '2019-04-01 00:00+00');
INSERT INTO stormops.property_impacts VALUES
  ('a', 'E1', 80), ('a', 'E2', 90), ('b', 'E1', 60), ('b', 'E2', 95), ('c', 'E1', 75), ('d', 'E2', 50),
  ('e', 'E3', 99), ('h', 'E1', 76), ('i', 'E1', 70), ('j', 'E1', 70);
INSERT INTO stormops.behavior_events (property_id, event_type, event_timestamp) VALUES
  ('a', 'contact', '2019-03-01'), ('a', 'contact', '2019-03-02'), ('a', 'response', '2019-03-03'),
  ('b', 'contact', '2019-02-01'), ('b', 'contact', '2019-02-02'), ('b', 'contact', '2019-02-03'),
  ('b', 'conversion', '2018-06-01'),
  ('c', 'conversion', '2017-01-01'),
  ('d', 'contact', '2019-03-28'),
  ('e', 'contact', '2019-03-01'), ('e', 'response', '2019-03-02'), ('e', 'conversion', '2019-03-27 12:00+00');
INSERT INTO stormops.zip_competition VALUES ('75034', 0.3, 70), ('75035', 0.9, 20), ('75024', 0.5, 50);
INSERT INTO stormops.cohorts VALUES ('co1', 'b');

-- The ids in rank order, from target_properties; an error if the
-- independent per-row reference (test/reference/targeting_reference.sql,
-- written without the compiler) gives other rows, ranks, similarities or
-- impact scores, in the form auto picks and in each form forced. (Before issue 16 this compared with running
-- compile_targeting's text: the same code path, so it could not disagree.)
\o /dev/null
\ir ../reference/targeting_reference.sql
\o
CREATE FUNCTION pg_temp.ids(rules jsonb, event text DEFAULT NULL, at timestamptz DEFAULT '2019-03-27 12:00+00')
RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  via_function text[];
  via_reference text[];
  via_form text[];
  form text;
BEGIN
  SELECT coalesce(array_agg(t.property_id || ':' || t.rank || ':' || coalesce(round(t.similarity::numeric, 9)::text, '-') || ':'
                            || coalesce(t.sii_score::text, '-') ORDER BY t.rank), '{}')
    INTO via_function FROM stormops.target_properties(rules, event, at) t;
  SELECT coalesce(array_agg(t.property_id || ':' || t.rank || ':' || coalesce(round(t.similarity::numeric, 9)::text, '-') || ':'
                            || coalesce(t.sii_score::text, '-') ORDER BY t.rank), '{}')
    INTO via_reference FROM stormops_ref.target_properties(rules, event, at) t;
  IF via_reference IS DISTINCT FROM via_function THEN
    RAISE EXCEPTION 'the reference gives % but target_properties gives %', via_reference, via_function;
  END IF;
  -- and every form of the behavioural keys (docs/targeting.md), forced
  FOREACH form IN ARRAY ARRAY['lateral', 'aggregate', 'counts'] LOOP
    PERFORM set_config('stormops.behavior_form', form, true);
    SELECT coalesce(array_agg(t.property_id || ':' || t.rank || ':' || coalesce(round(t.similarity::numeric, 9)::text, '-') || ':'
                              || coalesce(t.sii_score::text, '-') ORDER BY t.rank), '{}')
      INTO via_form FROM stormops.target_properties(rules, event, at) t;
    PERFORM set_config('stormops.behavior_form', 'auto', true);
    IF via_reference IS DISTINCT FROM via_form THEN
      RAISE EXCEPTION 'the reference gives % but the % form gives %', via_reference, form, via_form;
    END IF;
  END LOOP;
  RETURN ARRAY(SELECT split_part(x, ':', 1) FROM unnest(via_function) WITH ORDINALITY u(x, n) ORDER BY n);
END $$;
CREATE FUNCTION pg_temp.col(rules jsonb, column_name text, event text DEFAULT NULL,
                            at timestamptz DEFAULT '2019-03-27 12:00+00')
RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE r text[];
BEGIN
  EXECUTE format('SELECT array_agg(coalesce(round(%I::numeric, 4)::text, ''NULL'') ORDER BY rank) FROM stormops.target_properties($1, $2, $3)', column_name)
    INTO r USING rules, event, at;
  RETURN r;
END $$;

-- General rules ------------------------------------------------------------
SELECT is(pg_temp.ids('{}'), '{b,j,a,i,g,e,d,c,f,h}', 'no condition at all matches every property (in ranking order)');
SELECT is(pg_temp.ids('{"geography": {"zips": ["75034"]}}'), '{b,a}', 'zips alone');
SELECT is(pg_temp.ids('{"psychographics": {"personas": ["Proof_Seeker"]}}'), '{j,a,i,f}', 'personas alone');
SELECT is(pg_temp.ids('{"geography": {"zips": ["75034"]}, "psychographics": {"personas": ["Proof_Seeker"]}}'), '{a}',
  'sections and keys are ANDed');
SELECT is(pg_temp.ids('{"geography": {"zips": null}}'), pg_temp.ids('{}'), 'a key that is null sets no condition');
SELECT is(pg_temp.ids('{"geography": {}}'), pg_temp.ids('{}'), 'a section that is {} sets no condition');
SELECT is(pg_temp.ids('{"physics": null}'), pg_temp.ids('{}'), 'a section that is null sets no condition');
SELECT throws_ok($$SELECT stormops.compile_targeting('{"physics": {"min_sii_score": 101}}')$$, '22023',
  'invalid targeting_rules at physics.min_sii_score: out of range', 'out-of-range numbers are errors before any query');
SELECT throws_ok($$SELECT * FROM stormops.target_properties('{"geography": {"zips": []}}')$$, '22023',
  'invalid targeting_rules at geography.zips: empty array', 'empty arrays are errors');
SELECT throws_ok($$SELECT * FROM stormops.target_properties('{"physics": {"roof_age_min": 5, "roof_age_max": 1}}')$$, '22023',
  NULL, 'roof_age_min > roof_age_max is an error');
SELECT throws_ok($$SELECT * FROM stormops.target_properties('{"zipcodes": ["75034"]}')$$, '22023',
  'invalid targeting_rules at zipcodes: unknown key', 'unknown sections are errors');
SELECT is(pg_temp.ids('{"physics": {"roof_age_min": 0}}'), '{b,j,a,i,g,e,c,f,h}', 'NULL roof year never satisfies a roof condition');
SELECT is(pg_temp.ids('{"psychographics": {"personas": ["Proof_Seeker", "Family_Protector", "Status_Conscious", "Procrastinator"]}}'),
  '{b,j,a,i,g,e,c,f,h}', 'NULL persona never satisfies personas');

-- physics ------------------------------------------------------------------
SELECT is(pg_temp.ids('{"physics": {"min_sii_score": 70, "max_days_since_storm": 30}}'), '{j,a,i,h,c}',
  'all physics keys hold for one and the same impact row (b has a 95 and a recent row, never both)');
SELECT is(pg_temp.ids('{"physics": {"min_sii_score": 85}}', 'E2'), '{b,a}', 'with event_id, the impact for that event');
SELECT is(pg_temp.ids('{"physics": {"min_sii_score": 85}}', 'E1'), '{}', '... and not the impact of another event');
SELECT is(pg_temp.ids('{"physics": {"min_sii_score": 85}}'), '{b,a,e}', 'without event_id, any of the impacts');
SELECT is(pg_temp.ids('{"physics": {"min_sii_score": 75}}', 'E1'), '{a,h,c}', 'min_sii_score: sii_score >= n (75 included)');
SELECT is(pg_temp.ids('{"physics": {"max_days_since_storm": 1000}}'), '{b,j,a,i,d,h,c}',
  'max_days_since_storm: begin_at <= as_of (e''s storm is after as_of)');
SELECT is(pg_temp.ids('{"physics": {"max_days_since_storm": 2}}', 'E1', '2019-03-26 23:33+00'), '{b,j,a,i,h,c}',
  'max_days_since_storm: as_of - begin_at <= d days (exactly d included)');
SELECT is(pg_temp.ids('{"physics": {"max_days_since_storm": 1.999}}', 'E1', '2019-03-26 23:33+00'), '{}',
  'max_days_since_storm: fractions of days count');
SELECT is(pg_temp.ids('{"physics": {"roof_age_min": 14}}'), '{j,a,i,c,f}', 'roof_age_min: roof_age >= a, no impact row needed (f)');
SELECT is(pg_temp.ids('{"physics": {"roof_age_max": 9}}'), '{b,g,e,h}', 'roof_age_max: roof_age <= b');
SELECT is(pg_temp.ids('{"physics": {"roof_age_max": 9}}', NULL, '2020-01-01 12:00+00'), '{b,g,h}',
  'roof_age = extract(year from as_of) - roof_install_year');
SELECT is(pg_temp.ids('{}', 'E1'), '{b,j,a,i,h,c}', 'an event-triggered run needs an impact row for that event');
SELECT is(pg_temp.ids('{"physics": {"roof_age_min": 0}}', 'E1'), '{b,j,a,i,h,c}', '... also when physics sets only roof ages');

-- geography ----------------------------------------------------------------
SELECT is(pg_temp.ids('{"geography": {"zips": ["75035"]}}'), '{d,c}', 'zips: zip is in the list');
SELECT is(pg_temp.ids('{"geography": {"tracts": ["48085000002"]}}'), '{e,c}', 'tracts: tract_geoid is in the list');
SELECT is(pg_temp.ids('{"geography": {"custom_polygon": {"type": "Polygon", "coordinates":
  [[[-96.85, 33.05], [-96.65, 33.05], [-96.65, 33.12], [-96.85, 33.12], [-96.85, 33.05]]]}}}'), '{j,a,i,c}',
  'custom_polygon: points inside (i lies on an edge), NULL lat/lon never inside');
SELECT is(pg_temp.ids('{"geography": {"custom_polygon": {"type": "Polygon", "coordinates":
  [[[-96.85, 33.10], [-96.75, 33.10], [-96.75, 33.30], [-96.85, 33.30], [-96.85, 33.10]]]}}}'), '{b,a,d}',
  'a point exactly on an edge counts as inside');
SELECT is(pg_temp.ids('{"geography": {"custom_polygon": {"type": "Polygon", "coordinates":
  [[[-96.90, 32.90], [-96.80, 32.90], [-96.90, 33.00], [-96.90, 32.90]]]}}}'), '{g,h}', 'a point on a vertex counts as inside');
SELECT is(pg_temp.ids('{"geography": {"custom_polygon": {"type": "Polygon", "coordinates":
  [[[-96.9, 33.0], [-96.6, 33.0], [-96.6, 33.3], [-96.9, 33.3], [-96.9, 33.0]],
   [[-96.81, 33.09], [-96.79, 33.09], [-96.79, 33.11], [-96.81, 33.11], [-96.81, 33.09]]]}}}'), '{b,j,i,d,c,f}',
  'further rings are holes (a is in one)');
SELECT is(pg_temp.ids('{"geography": {"custom_polygon": {"type": "Polygon", "coordinates":
  [[[-96.9, 33.0], [-96.6, 33.0], [-96.6, 33.3], [-96.9, 33.3], [-96.9, 33.0]],
   [[-96.81, 33.10], [-96.79, 33.10], [-96.79, 33.12], [-96.81, 33.12], [-96.81, 33.10]]]}}}'), '{b,j,a,i,d,c,f}',
  'a point on the edge of a hole counts as inside');
SELECT is(pg_temp.ids('{"geography": {"custom_polygon": {"type": "MultiPolygon", "coordinates":
  [[[[-96.91, 32.89], [-96.89, 32.89], [-96.89, 32.91], [-96.91, 32.91], [-96.91, 32.89]]],
   [[[-96.71, 33.09], [-96.69, 33.09], [-96.69, 33.11], [-96.71, 33.11], [-96.71, 33.09]]]]}}}'), '{g,c,h}',
  'MultiPolygon: inside any of its polygons');

-- demographics -------------------------------------------------------------
SELECT is(pg_temp.ids('{"demographics": {"ses_tiers": ["High"]}}'), '{b,a}', 'ses_tiers: tract ses_tier in the list');
SELECT is(pg_temp.ids('{"demographics": {"ses_tiers": ["Medium"]}}'), '{j,i,e,c}', 'ses_tiers: Medium');
SELECT is(pg_temp.ids('{"demographics": {"min_median_income": 100000}}'), '{b,a}', 'min_median_income: >= n');
SELECT is(pg_temp.ids('{"demographics": {"min_median_income": 70000}}'), '{b,j,a,i,e,c}', 'min_median_income: n included');
SELECT is(pg_temp.ids('{"demographics": {"homeownership_rate_min": 0.5}}'), '{b,j,a,i,e,c}', 'homeownership_rate_min: r included');
SELECT is(pg_temp.ids('{"demographics": {"homeownership_rate_min": 0.6}}'), '{b,j,a,i}', 'homeownership_rate_min: >= r');
SELECT is(pg_temp.ids('{"demographics": {"min_median_income": 0}}'), '{b,j,a,i,e,c}',
  'a property with no tract (d, g, h) or a NULL figure (f) fails every demographic condition');

-- psychographics -----------------------------------------------------------
SELECT is(pg_temp.ids('{"psychographics": {"exclude_personas": ["Proof_Seeker"]}}'), '{b,g,e,d,c,h}',
  'exclude_personas: not in the list, and a NULL persona (d) passes');

-- behavioral ---------------------------------------------------------------
SELECT is(pg_temp.ids('{"behavioral": {"prior_touchpoints_max": 0}}'), '{j,i,g,d,c,f,h}',
  'prior_touchpoints_max 0: zero contacts passes; events at or after as_of do not count (d)');
SELECT is(pg_temp.ids('{"behavioral": {"prior_touchpoints_max": 2}}'), '{j,a,i,g,e,d,c,f,h}', 'prior_touchpoints_max: contacts <= n');
SELECT is(pg_temp.ids('{"behavioral": {"response_rate_min": 0.5}}'), '{a,e}',
  'response_rate_min: responses / contacts >= r, and contacts > 0');
SELECT is(pg_temp.ids('{"behavioral": {"response_rate_min": 0.51}}'), '{e}', 'response_rate_min: just above a rate');
SELECT is(pg_temp.ids('{"behavioral": {"exclude_recent_converts": true}}'), '{j,a,i,g,e,d,c,f,h}',
  'exclude_recent_converts: a conversion in the 365 days before as_of excludes (b), older (c) or at as_of (e) does not');
SELECT is(pg_temp.ids('{"behavioral": {"exclude_recent_converts": false}}'), pg_temp.ids('{}'), 'exclude_recent_converts false: no condition');
SELECT is(pg_temp.ids('{"behavioral": {"past_customers_only": true}}'), '{b,e}', 'past_customers_only: is_past_customer');
SELECT is(pg_temp.ids('{"behavioral": {"past_customers_only": false}}'), pg_temp.ids('{}'), 'past_customers_only false: no condition');

-- competition --------------------------------------------------------------
SELECT is(pg_temp.ids('{"competition": {"competitor_pressure_max": 0.5}}'), '{b,j,a,i}',
  'competitor_pressure_max: <= p (0.5 included); a zip without a row fails');
SELECT is(pg_temp.ids('{"competition": {"white_space_score_min": 20}}'), '{b,j,a,i,d,c}',
  'white_space_score_min: >= s (20 included); a zip without a row fails');

-- similarity, mode property ------------------------------------------------
SELECT is(pg_temp.ids('{"similarity": {"enabled": false, "reference_property_ids": ["a"]}}'), pg_temp.ids('{}'),
  'enabled false sets no condition');
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "reference_property_ids": ["a", "co1"]}}'), '{g,h,i,c}',
  'references are property ids and cohort names; without embedding, other dimension or all zeros fails; ties by id');
SELECT is(pg_temp.col('{"similarity": {"enabled": true, "reference_property_ids": ["a", "co1"]}}', 'similarity'),
  '{0.9986,0.9986,0.7433,0.0526}', 'similarity is the cosine to the centroid (element-wise mean of the references)');
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "mode": "property", "reference_property_ids": ["a"]}}'), '{g,h,b,i,c}',
  'mode property is the default; the reference properties are never returned');
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "reference_property_ids": ["a", "co1"], "similarity_threshold": 0.99}}'),
  '{g,h}', 'similarity_threshold: similarity >= t');
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "reference_property_ids": ["a"], "top_k": 2}}'), '{g,h}',
  'top_k: the k rows of highest similarity');
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "reference_property_ids": ["a"], "top_k": 1},
                        "psychographics": {"personas": ["Proof_Seeker", "Procrastinator"]}}'), '{i}',
  'top_k applies after all other conditions');
SELECT throws_ok($$SELECT * FROM stormops.target_properties('{"similarity": {"enabled": true, "reference_property_ids": ["d"]}}')$$,
  '22023', 'no reference of the similarity section has an embedding', 'a reference without an embedding only: error');
SELECT throws_ok($$SELECT * FROM stormops.target_properties('{"similarity": {"enabled": true, "reference_property_ids": ["nobody"]}}')$$,
  '22023', NULL, 'an unknown reference only: error');

-- similarity, mode neighborhood_embedding ----------------------------------
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48085000001"]}}'),
  '{j,i,e,c}', 'neighborhood: candidate tracts by similarity, then the ranking order within a tract');
SELECT is(pg_temp.col('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48085000001"]}}', 'similarity'),
  '{0.8761,0.8761,0.4142,0.4142}', 'each row''s similarity is its tract''s 1 / (1 + L2 distance)');
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48085000001"], "similarity_threshold": 0.5}}'),
  '{j,i}', 'candidate tracts: similarity >= similarity_threshold');
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48085000001"], "top_k_tracts": 1}}'),
  '{j,i}', 'top_k_tracts: the most similar tracts');
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48085000001"], "properties_per_tract": 1}}'),
  '{j,e}', 'properties_per_tract: at most that many per tract, in ranking order');
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48085000001"], "properties_per_tract": 1},
                        "psychographics": {"personas": ["Procrastinator", "Status_Conscious"]}}'), '{e}',
  'properties_per_tract counts properties that meet every other condition');
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48085000002"]}}'),
  '{j,i,b,a}', 'reference tracts are excluded; tracts without an embedding are never candidates (T4 at L2 1.27 before T1 at 1.41)');
SELECT is(pg_temp.ids('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48085000005"]}}'),
  '{}', 'tracts of another dimension than the centroid are never candidates');
SELECT throws_ok($$SELECT * FROM stormops.target_properties('{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48085000003"]}}')$$,
  '22023', 'no reference of the similarity section has an embedding', 'reference tracts without embeddings: error');

-- Precision and time zones (each with rows added and removed here) --------
-- A day is 24 hours, whatever the session's zone: 13 days 23:30 across the
-- US daylight-saving change of 10 March 2019 is within 14 days.
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('E4', 'hail', '2019-03-06 17:30+00');
INSERT INTO stormops.property_impacts VALUES ('g', 'E4', 60);
SET LOCAL TimeZone = 'America/Chicago';
SELECT is(pg_temp.ids('{"physics": {"max_days_since_storm": 14}}', 'E4', '2019-03-20 17:00+00'), '{g}',
  'max_days_since_storm counts 24-hour days under a zone with daylight saving');
SET LOCAL TimeZone = 'UTC';
DELETE FROM stormops.property_impacts WHERE event_id = 'E4';
DELETE FROM stormops.storm_events WHERE event_id = 'E4';
-- The centroid is the exact mean: (4/3, 2, 2) against x (0, 3, 0) has cosine
-- 0.6396021490668313 in double precision, less when 4/3 is rounded to real.
INSERT INTO stormops.properties (property_id, zip, embedding) VALUES
  ('r1', '99999', '{1,0,2}'), ('r2', '99999', '{0,3,3}'), ('r3', '99999', '{3,3,1}'), ('x', '99999', '{0,3,0}');
SELECT is(pg_temp.ids('{"geography": {"zips": ["99999"]}, "similarity": {"enabled": true, "reference_property_ids": ["r1", "r2", "r3"],
                        "similarity_threshold": 0.6396021490668313}}'), '{x}',
  'the centroid is not rounded to real before it is compared');
DELETE FROM stormops.properties WHERE zip = '99999';

-- Result and ranking -------------------------------------------------------
SELECT is((SELECT array_agg(rank ORDER BY rank) FROM stormops.target_properties('{}', NULL, '2019-03-27 12:00+00')),
  '{1,2,3,4,5,6,7,8,9,10}', 'rank is 1..n');
SELECT is(pg_temp.col('{}', 'similarity'), array_fill('NULL'::text, ARRAY[10]), 'similarity is NULL without similarity');
SELECT is(pg_temp.ids('{"physics": {"min_sii_score": 50}}'), '{b,j,a,i,e,d,h,c}', 'order: uplift desc nulls last, then sii desc (h before c)');
SELECT is(pg_temp.col('{"physics": {"min_sii_score": 50}}', 'sii_score'),
  '{95.0000,70.0000,90.0000,70.0000,99.0000,50.0000,76.0000,75.0000}', 'sii_score: the highest qualifying impact');
SELECT is(pg_temp.col('{"physics": {"min_sii_score": 50, "max_days_since_storm": 30}}', 'sii_score'),
  '{60.0000,70.0000,80.0000,70.0000,76.0000,75.0000}', 'sii_score: of the qualifying impact only (a: 80, not its older 90)');
SELECT is(pg_temp.col('{"physics": {"roof_age_min": 0}}', 'sii_score'), array_fill('NULL'::text, ARRAY[9]),
  'sii_score is NULL when no impact row is required');
SELECT is(pg_temp.col('{}', 'sii_score', 'E1'), '{60.0000,70.0000,80.0000,70.0000,76.0000,75.0000}',
  'sii_score is set when event_id requires an impact row');
SELECT is(pg_temp.col('{}', 'uplift_score'), '{0.9000,0.6000,0.5000,0.4000,0.3000,0.2000,0.1000,"NULL","NULL","NULL"}',
  'uplift_score comes from property_scores and may be NULL');
SELECT is(pg_temp.ids('{}', 'E1'), '{b,j,a,i,h,c}', 'sii_score desc breaks uplift ties, property_id breaks the rest');

-- The funnel -----------------------------------------------------------------
SELECT results_eq(
  $$SELECT step, section, remaining FROM stormops.targeting_funnel(
      '{"physics": {"min_sii_score": 70}, "geography": {"zips": ["75034", "75035", "75024"]},
        "psychographics": {"personas": ["Proof_Seeker"]}}', 'E1', '2019-03-27 12:00+00')$$,
  $$VALUES (0, 'all', 10::bigint), (1, 'physics', 6), (2, 'physics', 5), (3, 'geography', 4), (4, 'psychographics', 3)$$,
  'the funnel counts what remains after each condition, in order');
SELECT is((SELECT condition FROM stormops.targeting_funnel('{"geography": {"zips": ["75034"]}}') WHERE step = 1),
  'zip in 75034', 'funnel conditions say what they test');
SELECT results_eq(
  $$SELECT step, remaining FROM stormops.targeting_funnel(
      '{"similarity": {"enabled": true, "reference_property_ids": ["a"], "top_k": 2}}', NULL, '2019-03-27 12:00+00')$$,
  $$VALUES (0, 10::bigint), (1, 9), (2, 5), (3, 2)$$,
  'the funnel ends with top_k, counted from the result');
SELECT is((SELECT remaining FROM stormops.targeting_funnel('{"physics": {"min_sii_score": 70}}', 'E1', '2019-03-27 12:00+00')
            ORDER BY step DESC LIMIT 1),
          (SELECT count(*) FROM stormops.target_properties('{"physics": {"min_sii_score": 70}}', 'E1', '2019-03-27 12:00+00')),
  'the last step of the funnel is the number of targets');

-- Playbooks ----------------------------------------------------------------
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
VALUES ('Semantics-Play', '{"geography": {"zips": ["75034"]}}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}');
SELECT is((SELECT array_agg(property_id ORDER BY rank) FROM stormops.playbook_targets('Semantics-Play', NULL, '2019-03-27 12:00+00')),
  '{b,a}', 'playbook_targets runs the playbook''s rules');
SELECT throws_ok($$SELECT * FROM stormops.playbook_targets('No-Such-Play')$$, '42704',
  'playbook "No-Such-Play" does not exist', 'playbook_targets of an unknown playbook');
SELECT throws_ok($$SELECT stormops.compile_targeting('{}', NULL, 'infinity')$$, '22023', NULL, 'as_of must be finite');
SELECT throws_ok($$SELECT stormops.compile_targeting('{}', NULL, NULL)$$, '22004', NULL, 'as_of must not be NULL');

-- polygon_contains with a geometry that changes from row to row (built
-- per row, so its bytes may sit at the same address each time): the cache
-- must look at the value, not trust the address (issue 16, item 10)
SELECT is((SELECT array_agg(stormops.polygon_contains(
                     jsonb_build_object('type', 'Polygon', 'coordinates', jsonb_build_array(jsonb_build_array(
                       jsonb_build_array(c, 0), jsonb_build_array(c + 1, 0), jsonb_build_array(c + 1, 1),
                       jsonb_build_array(c, 1), jsonb_build_array(c, 0)))),
                     0.5, 0.5) ORDER BY i)
             FROM (SELECT i, (i % 2) * 10 AS c FROM generate_series(1, 6) i) x),
  '{f,t,f,t,f,t}'::boolean[], 'polygon_contains follows a geometry that changes from row to row');

SELECT * FROM finish();
ROLLBACK;
