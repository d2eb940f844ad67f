-- A corpus of hostile targeting rules (and event ids). Each gets either a
-- clean error naming the JSON path, or a correct, safe query: the expected
-- outcome is written next to it. Both target_properties and targeting_funnel
-- run every case; a canary table shows nothing injected ever ran, and the
-- backend stays up throughout.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SELECT plan(78);

CREATE TABLE public.canary (alive text);
INSERT INTO public.canary VALUES ('yes');

-- hp's persona is itself an injection attempt: matching it must be exact.
INSERT INTO stormops.properties (property_id, zip, lat, lon, roof_install_year, persona, embedding) VALUES
  ('hp', '75034', 33.10, -96.80, 2000, $$O'Brien"; DROP TABLE public.canary; --$$, '{1,0}'),
  ('p2', '75035', 33.20, -96.70, 2015, 'Proof_Seeker', '{0,1}');
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('E1', 'hail', '2019-03-24 23:33+00');
INSERT INTO stormops.property_impacts VALUES ('hp', 'E1', 80), ('p2', 'E1', 60);
INSERT INTO stormops.cohorts VALUES ($$co'hort$$, 'p2');

-- 'rows:N' when the rules run (N targets, and the funnel's last step counts
-- the same N: docs/targeting.md; a funnel that disagrees gives
-- 'funnel:M rows:N', failing the case),
-- 'error:<path>' for the validator's clean errors (SQLSTATE 22023),
-- 'error <SQLSTATE>' for anything else.
CREATE FUNCTION pg_temp.outcome(rules_text text, event text DEFAULT 'E1') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  last_step bigint;
  st text;
  det text;
BEGIN
  BEGIN
    SELECT count(*) INTO n FROM stormops.target_properties(rules_text::jsonb, event, '2019-03-27 12:00+00');
    SELECT f.remaining INTO last_step FROM stormops.targeting_funnel(rules_text::jsonb, event, '2019-03-27 12:00+00') f
     ORDER BY f.step DESC LIMIT 1;
    IF last_step IS DISTINCT FROM n THEN
      RETURN 'funnel:' || coalesce(last_step::text, 'no step') || ' rows:' || n;
    END IF;
    RETURN 'rows:' || n;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, det = PG_EXCEPTION_DETAIL;
    IF st = '22023' AND det LIKE 'JSON path: %' THEN
      -- a path may itself hold "; ", so take it from the validator when it has one
      RETURN 'error:' || coalesce((SELECT c.path FROM stormops.check_targeting_rules(rules_text::jsonb) c),
                                  substring(det FROM '^JSON path: (.*?)\.$'));
    END IF;
    RETURN 'error ' || st;
  END;
END $$;

-- Strings that try to leave their literal
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["'; DROP TABLE public.canary; --"]}} $$), 'rows:0', 'quote, semicolon, comment');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["O'Brien\"; DROP TABLE public.canary; --"]}} $$), 'rows:1', 'a hostile persona matches exactly');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["\\'; DROP TABLE public.canary; --"]}} $$), 'rows:0', 'backslash before the quote');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["\\\\'); DROP TABLE public.canary; --"]}} $$), 'rows:0', 'doubled backslashes');
SELECT is(pg_temp.outcome($q$ {"psychographics": {"personas": ["$$; DROP TABLE public.canary; $$"]}} $q$), 'rows:0', 'dollar quotes');
SELECT is(pg_temp.outcome($q$ {"psychographics": {"personas": ["$x$ DROP TABLE public.canary $x$"]}} $q$), 'rows:0', 'tagged dollar quotes');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["/* */ OR 1=1 --"]}} $$), 'rows:0', 'comment markers');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["*/ DROP TABLE public.canary; /*"]}} $$), 'rows:0', 'comment close and open');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["' OR '1'='1"]}} $$), 'rows:0', 'tautology');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": [")) OR TRUE OR (("]}} $$), 'rows:0', 'parentheses');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["a;b;c", "; ; ;"]}} $$), 'rows:0', 'semicolons');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["E'\\x27'", "U&'\\0027'"]}} $$), 'rows:0', 'escape-string and Unicode-string syntax');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["%s%s%s%n%x"]}} $$), 'rows:0', 'format directives');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["\n\r\t;\n"]}} $$), 'rows:0', 'control whitespace');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["\u2028\u2029\u202e"]}} $$), 'rows:0', 'Unicode separators and bidi override');
SELECT is(pg_temp.outcome($$ {"psychographics": {"personas": ["🌩️ hail ☔"]}} $$), 'rows:0', 'emoji');
SELECT is(pg_temp.outcome($$ {"psychographics": {"exclude_personas": ["'; DROP TABLE public.canary; --"]}} $$), 'rows:2', 'hostile exclude_personas');
SELECT is(pg_temp.outcome($$ {"psychographics": {"exclude_personas": ["O'Brien\"; DROP TABLE public.canary; --"]}} $$), 'rows:1', 'hostile persona excluded exactly');
SELECT is(pg_temp.outcome($$ {"similarity": {"enabled": true, "reference_property_ids": ["'; DROP TABLE public.canary; --"]}} $$),
  'error:similarity.reference_property_ids', 'hostile reference id: no embedding, clean error');
SELECT is(pg_temp.outcome($$ {"similarity": {"enabled": true, "reference_property_ids": ["hp' OR 'x'='x"]}} $$),
  'error:similarity.reference_property_ids', 'tautology as a reference id');
SELECT is(pg_temp.outcome($$ {"similarity": {"enabled": true, "reference_property_ids": ["co'hort"]}} $$), 'rows:1', 'a cohort name with a quote');
SELECT is(pg_temp.outcome($$ {"similarity": {"enabled": true, "reference_property_ids": ["co'hort"], "similarity_threshold": -0}} $$), 'rows:1', 'threshold -0');
SELECT is(pg_temp.outcome('{}', $$E1'; DROP TABLE public.canary; --$$), 'rows:0', 'hostile event id');
SELECT is(pg_temp.outcome('{}', $$\'); DROP TABLE public.canary; --$$), 'rows:0', 'hostile event id with a backslash');
SELECT is(pg_temp.outcome('{}', '%s%n'), 'rows:0', 'event id with format directives');
SELECT is(pg_temp.outcome('{}', repeat('x', 100000)), 'rows:0', 'a 100,000-character event id');
SELECT is(pg_temp.outcome('{}', 'E1'), 'rows:2', 'the plain event id');

-- Strings where the format is fixed
SELECT is(pg_temp.outcome($$ {"geography": {"zips": ["7503'"]}} $$), 'error:geography.zips[0]', 'quote in a ZIP');
SELECT is(pg_temp.outcome($$ {"geography": {"zips": ["75034", "75034; DROP TABLE public.canary"]}} $$), 'error:geography.zips[1]', 'statement in a ZIP');
SELECT is(pg_temp.outcome($$ {"geography": {"tracts": ["48085000001' OR '1'='1"]}} $$), 'error:geography.tracts[0]', 'tautology in a tract');
SELECT is(pg_temp.outcome($$ {"demographics": {"ses_tiers": ["High' OR '1'='1"]}} $$), 'error:demographics.ses_tiers[0]', 'tautology in a tier');
SELECT is(pg_temp.outcome($$ {"similarity": {"enabled": true, "mode": "property'; --", "reference_property_ids": ["x"]}} $$), 'error:similarity.mode', 'hostile mode');
SELECT is(pg_temp.outcome($$ {"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["'; --"]}} $$), 'error:similarity.reference_tract_ids[0]', 'hostile tract reference');
SELECT is(pg_temp.outcome($$ {"similarity": {"enabled": "true; DROP TABLE public.canary"}} $$), 'error:similarity.enabled', 'hostile boolean');
SELECT is(pg_temp.outcome($$ {"physics'; DROP TABLE public.canary; --": {}} $$), $$error:physics'; DROP TABLE public.canary; --$$, 'hostile section name');
SELECT is(pg_temp.outcome($$ {"physics": {"min_sii_score\"": 1}} $$), 'error:physics.min_sii_score"', 'quote in a key');
SELECT is(pg_temp.outcome($$ {"": 1} $$), 'error:""', 'empty key');
SELECT is(pg_temp.outcome($$ "'; DROP TABLE public.canary; --" $$), 'error:(top level)', 'a string instead of an object');
SELECT is(pg_temp.outcome('null'), 'error:(top level)', 'JSON null');
SELECT is(pg_temp.outcome('[{"physics": {}}]'), 'error:(top level)', 'an array');
SELECT is(pg_temp.outcome($$ {"geography": {"custom_polygon": {"type": "Polygon", "coordinates": [[["1; DROP", 33], [1, 2], [3, 4], [1, 2]]]}}} $$),
  'error:geography.custom_polygon.coordinates[0][0][0]', 'a string as a coordinate');
SELECT is(pg_temp.outcome($$ {"geography": {"zips": [[["75034"]]]}} $$), 'error:geography.zips[0]', 'nested arrays');
SELECT is(pg_temp.outcome($$ {"physics": {"min_sii_score": true}} $$), 'error:physics.min_sii_score', 'boolean as a number');

-- Size
SELECT is(pg_temp.outcome(format('{"psychographics": {"personas": ["%s"]}}', repeat('a', 100000))),
  'error:psychographics.personas[0]', 'a 100,000-character string');
SELECT is(pg_temp.outcome(format('{"physics": {"%s": 1}}', repeat('k', 100000))),
  'error:physics', 'a 100,000-character key: refused at the object that holds it');
SELECT is(pg_temp.outcome((SELECT jsonb_build_object('psychographics', jsonb_build_object('personas', jsonb_agg('p' || i)))::text
                             FROM generate_series(1, 50000) i)), 'rows:0', 'a 50,000-element persona list runs');
SELECT is(pg_temp.outcome((SELECT jsonb_build_object('geography', jsonb_build_object('zips', jsonb_agg(lpad(i::text, 5, '0'))))::text
                             FROM generate_series(30000, 79999) i)), 'rows:2', 'a 50,000-element ZIP list runs and matches');
SELECT is(pg_temp.outcome((SELECT jsonb_build_object('geography', jsonb_build_object('zips', jsonb_agg(lpad((i % 99999)::text, 5, '0'))))::text
                             FROM generate_series(1, 150000) i)), 'error:geography.zips', 'a 150,000-element list is too large');
SELECT is(pg_temp.outcome((SELECT jsonb_build_object('geography', jsonb_build_object('zips', jsonb_agg(i)))::text
                             FROM generate_series(1, 50000) i)), 'error:geography.zips[0]', '50,000 numbers where ZIP strings go');
SELECT is(pg_temp.outcome((SELECT jsonb_build_object('similarity', jsonb_build_object('enabled', true, 'reference_property_ids',
                             jsonb_agg($$'; DROP TABLE public.canary; --$$ || i)))::text FROM generate_series(1, 10000) i)),
  'error:similarity.reference_property_ids', '10,000 hostile references');
SELECT is(pg_temp.outcome('{"physics": ' || repeat('[', 10000) || repeat(']', 10000) || '}'), 'error:(top level)',
  'arrays nested 10,000 deep: refused before any path is read (the message gives the byte)');
SELECT is(pg_temp.outcome('{"physics": ' || repeat('{"a": ', 10000) || '1' || repeat('}', 10000) || '}'), 'error:(top level)',
  'objects nested 10,000 deep');
-- A MultiPolygon of 1,000 small squares marching east from hp's; and a ring of 100,001 positions.
CREATE FUNCTION pg_temp.square(lon float8, lat float8) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_array(jsonb_build_array(
           jsonb_build_array(lon - 0.01, lat - 0.01), jsonb_build_array(lon + 0.01, lat - 0.01),
           jsonb_build_array(lon + 0.01, lat + 0.01), jsonb_build_array(lon - 0.01, lat - 0.01)))
$$;
SELECT is(pg_temp.outcome(jsonb_build_object('geography', jsonb_build_object('custom_polygon', jsonb_build_object(
            'type', 'MultiPolygon',
            'coordinates', (SELECT jsonb_agg(pg_temp.square(-96.80 + n / 10.0, 33.10)) FROM generate_series(0, 999) n))))::text),
  'rows:1', 'a MultiPolygon of 1,000 parts');
SELECT is(pg_temp.outcome(jsonb_build_object('geography', jsonb_build_object('custom_polygon', jsonb_build_object(
            'type', 'Polygon',
            'coordinates', jsonb_build_array((SELECT jsonb_agg(jsonb_build_array(n % 2, 0)) FROM generate_series(1, 100001) n)))))::text),
  'error:geography.custom_polygon.coordinates[0]', 'a ring of 100,001 positions');

-- Numbers
SELECT is(pg_temp.outcome('{"physics": {"min_sii_score": 1e309}}'), 'error:physics.min_sii_score', '1e309');
SELECT is(pg_temp.outcome('{"physics": {"min_sii_score": -1e309}}'), 'error:physics.min_sii_score', '-1e309');
SELECT is(pg_temp.outcome('{"physics": {"min_sii_score": -0}}'), 'rows:2', '-0');
SELECT is(pg_temp.outcome('{"physics": {"min_sii_score": 1e-400}}'), 'rows:2', 'a number that underflows to 0');
SELECT is(pg_temp.outcome('{"physics": {"min_sii_score": 1e2}}'), 'rows:0', 'exponent notation');
SELECT is(pg_temp.outcome('{"physics": {"roof_age_min": 1e1}}'), 'rows:1', 'an integer in exponent notation');
SELECT is(pg_temp.outcome('{"behavioral": {"prior_touchpoints_max": 1.5}}'), 'error:behavioral.prior_touchpoints_max', 'a fraction where an integer goes');
SELECT is(pg_temp.outcome('{"similarity": {"enabled": true, "reference_property_ids": ["hp"], "top_k": 1e10}}'), 'error:similarity.top_k', 'top_k beyond int4');
SELECT is(pg_temp.outcome('{"similarity": {"enabled": true, "reference_property_ids": ["hp"], "top_k": 9223372036854775808}}'), 'error:similarity.top_k', 'top_k beyond int8');
SELECT is(pg_temp.outcome('{"similarity": {"enabled": true, "reference_property_ids": ["hp"], "top_k": 20000000}}'), 'error:similarity.top_k',
  'top_k beyond what the search keeps is refused when written, not at query time');
SELECT is(pg_temp.outcome('{"physics": {"max_days_since_storm": 1e-10}}'), 'rows:0', 'a tiny number of days');
SELECT is(pg_temp.outcome('{"physics": {"max_days_since_storm": 36500}}'), 'rows:2', 'a century of days');
SELECT is(pg_temp.outcome('{"physics": {"max_days_since_storm": 36501}}'), 'error:physics.max_days_since_storm', 'beyond a century of days');
SELECT is(pg_temp.outcome('{"behavioral": {"response_rate_min": 5e-324}}'), 'rows:0', 'a denormal rate');
SELECT is(pg_temp.outcome('{"demographics": {"min_median_income": 9999999999}}'), 'error:demographics.min_median_income', 'an income beyond range');
SELECT is(pg_temp.outcome('{"physics": {"min_sii_score": 100.00000000000000000001}}'), 'error:physics.min_sii_score',
  'just above 100, though its double is 100');
SELECT is(pg_temp.outcome('{"behavioral": {"response_rate_min": 1.000000000000000000001}}'), 'error:behavioral.response_rate_min',
  'just above 1, though its double is 1');
SELECT is(pg_temp.outcome('{"physics": {"min_sii_score": 99.99999999999999999999}}'), 'rows:0', 'just below 100 is accepted, as written');

-- Duplicate keys and escapes (jsonb keeps the last duplicate)
SELECT is(pg_temp.outcome('{"physics": {"min_sii_score": 101, "min_sii_score": 70}}'), 'rows:1', 'duplicate keys: the last one counts');
SELECT is(pg_temp.outcome('{"geography": {"zips": ["x"]}, "geography": {"zips": ["75034"]}}'), 'rows:1', 'duplicate sections: the last one counts');
SELECT is(pg_temp.outcome('{"\u0070hysics": {"min_sii_score": 70}}'), 'rows:1', 'an escaped key means the same key');
SELECT is(pg_temp.outcome('{"psychographics": {"personas": ["a\u0000b"]}}'), 'error 22P05', '\u0000 is refused by jsonb itself');

-- Nothing ran that should not have.
SELECT is((SELECT alive FROM public.canary), 'yes', 'the canary table is untouched');
SELECT is((SELECT count(*)::int FROM stormops.properties), 2, 'no property was added or removed');

SELECT * FROM finish();
ROLLBACK;
