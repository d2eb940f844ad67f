-- Targeting rules are read from jsonb directly (src/pg/jsonb_jsonc.c) unless
-- stormops.read_jsonb_directly is off, when they are printed as JSON text and
-- parsed as before. The two paths must agree on every document: the same
-- problem (path, message, expected, found) for an invalid one, the same
-- compiled statement for a valid one. The corpus: the seed plays, every
-- kind of value and number, the limits (long strings and keys, big arrays,
-- deep nesting, integers at and past int64), and documents the fast path
-- hands to the text path (a scalar root, deep nesting).
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(4);

CREATE TEMP TABLE corpus (n serial, doc jsonb);
INSERT INTO corpus (doc) VALUES
  ('{}'), ('{"physics": {}}'), ('[]'), ('5'), ('"rules"'), ('null'),
  ('{"physics": {"min_sii_score": 75, "max_days_since_storm": 14}, "geography": {"zips": ["75034", "75035"]},
     "demographics": {"ses_tiers": ["High"], "min_median_income": 100000},
     "psychographics": {"personas": ["Proof_Seeker", "Status_Conscious"]},
     "competition": {"competitor_pressure_max": 0.4, "white_space_score_min": 60},
     "similarity": {"enabled": true, "reference_property_ids": ["top_50_high_margin_conversions"], "similarity_threshold": 0.8, "top_k": 300}}'),
  ('{"physics": {"min_sii_score": 60, "max_days_since_storm": 45}, "geography": {"zips": ["75230", "75225"]},
     "demographics": {"ses_tiers": ["High"], "min_median_income": 90000},
     "behavioral": {"prior_touchpoints_max": 10, "response_rate_min": 0.3, "past_customers_only": true},
     "competition": {"competitor_pressure_max": 0.8}, "similarity": {"enabled": false}}'),
  ('{"physics": {"min_sii_score": 70, "max_days_since_storm": 30}, "geography": {"zips": null},
     "demographics": {"ses_tiers": ["High", "Medium"]},
     "similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48113010101", "48113010102"],
                    "similarity_threshold": 0.85, "top_k_tracts": 10, "properties_per_tract": 50}}'),
  ('{"physics": {"min_sii_score": 100.0}}'), ('{"physics": {"min_sii_score": 100.0000000001}}'),
  ('{"physics": {"min_sii_score": -0}}'), ('{"physics": {"min_sii_score": 0.50}}'),
  ('{"physics": {"min_sii_score": 1e2}}'), ('{"physics": {"min_sii_score": 1e400}}'),
  ('{"physics": {"roof_age_min": 9223372036854775807}}'), ('{"physics": {"roof_age_min": 9223372036854775808}}'),
  ('{"physics": {"roof_age_min": -9223372036854775809}}'), ('{"physics": {"roof_age_min": 18446744073709551616}}'),
  ('{"physics": {"roof_age_min": 123456789012345678}}'), ('{"physics": {"roof_age_min": 1234567890123456789}}'),
  ('{"physics": {"roof_age_min": 10.5}}'), ('{"physics": {"roof_age_min": "10"}}'), ('{"physics": {"roof_age_min": null}}'),
  ('{"physics": {"min_sii_score": true}}'), ('{"physics": []}'), ('{"physics": {"": 1}}'), ('{"": {}}'),
  ('{"geography": {"zips": ["7503\u00e9"]}}'), ('{"psychographics": {"personas": ["Proof_Seeker", "Proof_Seeker"]}}'),
  ('{"geography": {"custom_polygon": {"type": "Polygon", "coordinates": [[[-97, 33], [-96, 33], [-96, 34], [-97, 33]]]}}}'),
  ('{"geography": {"custom_polygon": {"type": "Polygon", "coordinates": [[[-97, 33], [-96, 33]]]}}}'),
  ('{"behavioral": {"response_rate_min": 0.30}, "diffusion": {"min_score": 75}}'),
  ('{"similarity": {"enabled": true, "top_k": 0}}'), ('{"similarity": {"enabled": "yes"}}');
-- limits and depth, generated
INSERT INTO corpus (doc) VALUES
  (format('{"psychographics": {"personas": ["%s"]}}', repeat('a', 100000))::jsonb),
  (format('{"physics": {"%s": 1}}', repeat('k', 100000))::jsonb),
  (format('{"physics": {"%s": 1}}', repeat('k', 257))::jsonb),
  (format('{"geography": {"zips": %s}}', (SELECT jsonb_agg(lpad(i::text, 5, '0')) FROM generate_series(1, 100001) i))::jsonb),
  (format('{"geography": {"zips": %s}}', (SELECT jsonb_agg(lpad(i::text, 5, '0')) FROM generate_series(1, 2000) i))::jsonb),
  ((SELECT string_agg('{"a": ', '') || '1' || repeat('}', 20) FROM generate_series(1, 20))::jsonb),
  ((SELECT string_agg('{"a": ', '') || '1' || repeat('}', 40) FROM generate_series(1, 40))::jsonb),
  ((SELECT '{"physics": ' || string_agg('[', '') || '1' || repeat(']', 15) || '}' FROM generate_series(1, 15))::jsonb);

CREATE FUNCTION pg_temp.outcome(doc jsonb, directly bool) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  problem text;
BEGIN
  PERFORM set_config('stormops.read_jsonb_directly', directly::text, true);
  SELECT string_agg(format('%s | %s | %s | %s', c.path, c.problem, c.expected, c.found), ' / ')
    INTO problem FROM stormops.check_targeting_rules(doc) c;
  IF problem IS NOT NULL THEN
    RETURN 'invalid: ' || problem;
  END IF;
  RETURN 'valid: ' || md5(stormops.compile_targeting(doc, 'ev', '2019-03-27 12:00+00'));
EXCEPTION WHEN OTHERS THEN
  RETURN 'error: ' || SQLSTATE || ' ' || SQLERRM;
END $$;

CREATE TEMP TABLE outcomes AS
SELECT n, pg_temp.outcome(doc, true) AS directly, pg_temp.outcome(doc, false) AS as_text FROM corpus;

SELECT is((SELECT count(*) FROM outcomes WHERE directly IS DISTINCT FROM as_text), 0::bigint,
          format('the direct reading and the text agree on all %s documents', (SELECT count(*) FROM corpus)));
SELECT is((SELECT string_agg(n || ': ' || directly || ' <> ' || as_text, E'\n') FROM outcomes WHERE directly IS DISTINCT FROM as_text),
          NULL, '... (the documents where they differ)');
SELECT cmp_ok((SELECT count(*) FROM outcomes WHERE directly LIKE 'valid:%'), '>=', 8::bigint,
              'the corpus has valid documents (the seed plays among them) ...');
SELECT cmp_ok((SELECT count(*) FROM outcomes WHERE directly LIKE 'invalid:%'), '>=', 20::bigint,
              '... and invalid ones');

SELECT * FROM finish();
ROLLBACK;
