-- check_reference.sql: hand-computed checks of the reference implementation
-- (targeting_reference.sql) on tiny hand-made datasets, each inserted inside
-- a transaction that is rolled back. Every expected value below was worked
-- out by hand from /work/shared/design/targeting.md.
--
-- Run on a database with the extension and the reference loaded and the
-- stormops tables empty:
--   psql -X -v ON_ERROR_STOP=1 -f test/reference/check_reference.sql
-- (test/reference/run_check.sh does all of it on a throwaway cluster.)
-- A mismatch raises an error naming the check; the last line says "all passed".

\set ON_ERROR_STOP 1
\o /dev/null
SET client_min_messages = notice;
SET TimeZone = 'UTC';

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM stormops.properties) THEN
    RAISE EXCEPTION 'check_reference.sql needs empty stormops tables';
  END IF;
END $$;

-- The assertion: raise unless got = want (NULLs equal).
CREATE FUNCTION pg_temp.expect(label text, got text, want text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF got IS DISTINCT FROM want THEN
    RAISE EXCEPTION 'check "%" failed', label
      USING DETAIL = format(E'got:  %s\nwant: %s', coalesce(got, '<null>'), coalesce(want, '<null>'));
  END IF;
  RAISE NOTICE 'ok: %', label;
END $$;

-- The returned property_ids, in rank order.
CREATE FUNCTION pg_temp.ids(rules jsonb, event_id text DEFAULT NULL,
                            as_of timestamptz DEFAULT '2019-04-01 12:00:00+00') RETURNS text
LANGUAGE sql AS $$
  SELECT coalesce(string_agg(t.property_id, ',' ORDER BY t.rank), '')
    FROM stormops_ref.target_properties(rules, event_id, as_of) t
$$;

-- The returned property_ids, sorted by property_id (for set comparisons).
CREATE FUNCTION pg_temp.idset(rules jsonb, event_id text DEFAULT NULL,
                              as_of timestamptz DEFAULT '2019-04-01 12:00:00+00') RETURNS text
LANGUAGE sql AS $$
  SELECT coalesce(string_agg(t.property_id, ',' ORDER BY t.property_id), '')
    FROM stormops_ref.target_properties(rules, event_id, as_of) t
$$;

-- Whole rows "rank:property_id:similarity(6 decimals):sii:uplift", rank order;
-- also checks that rank runs 1..n in the returned order.
CREATE FUNCTION pg_temp.rows(rules jsonb, event_id text DEFAULT NULL,
                             as_of timestamptz DEFAULT '2019-04-01 12:00:00+00') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  r   record;
  n   integer := 0;
  out text[] := '{}';
BEGIN
  FOR r IN SELECT * FROM stormops_ref.target_properties(rules, event_id, as_of) LOOP
    n := n + 1;
    IF r.rank IS DISTINCT FROM n THEN
      RAISE EXCEPTION 'rank % returned in position %', r.rank, n;
    END IF;
    out := out || format('%s:%s:%s:%s:%s', r.rank, r.property_id, round(r.similarity::numeric, 6),
                         r.sii_score, r.uplift_score);
  END LOOP;
  RETURN array_to_string(out, ' ');
END $$;

-- =========================================================================
-- 1. Geography: custom_polygon (edges, holes, vertices, MultiPolygon), zips
-- =========================================================================
BEGIN;
INSERT INTO stormops.properties (property_id, zip, lon, lat) VALUES
  -- square [-97,-96] x [33,34] with the hole [-96.8,-96.2] x [33.2,33.8]; zip 75001
  ('g_hole',        '75001', -96.5,  33.5),        -- inside the hole: out
  ('g_hole_inner',  '75001', -96.79, 33.5),        -- just inside the hole: out
  ('g_shell',       '75001', -96.9,  33.5),        -- shell, not hole: in
  ('g_shell_edge',  '75001', -97.0,  33.5),        -- on the shell's west edge: in
  ('g_hole_edge',   '75001', -96.8,  33.5),        -- on the hole's west edge: in
  ('g_hole_edge2',  '75001', -96.5,  33.2),        -- on the hole's south edge: in
  ('g_hole_corner', '75001', -96.2,  33.8),        -- a vertex of the hole: in
  ('g_vertex',      '75001', -96.0,  33.0),        -- a vertex of the shell: in
  ('g_ray_vertex',  '75001', -96.9,  33.8),        -- ray runs along the hole's top edge: in
  ('g_west',        '75001', -97.5,  33.8),        -- west of the shell, same ray: out
  ('g_outside',     '75001', -95.5,  33.5),        -- east of everything: out
  ('g_above',       '75001', -96.5,  34.0000001),  -- just north: out
  ('g_null_lat',    '75001', -96.9,  NULL),        -- no position: out
  ('g_null_lon',    '75001', NULL,   33.5),
  -- triangle (-96.8,33.0) (-96.7,33.2) (-96.6,33.0); zip 75002
  ('t_diag',        '75002', -96.75,  33.1),       -- on the sloped west edge (t = 0.5): in
  ('t_diag3',       '75002', -96.725, 33.15),      -- on the sloped west edge (t = 0.75): in
  ('t_diag2',       '75002', -96.65,  33.1),       -- on the sloped east edge: in
  ('t_in',          '75002', -96.74,  33.1),       -- inside: in
  ('t_out',         '75002', -96.76,  33.1),       -- just west of the edge: out
  ('t_base',        '75002', -96.61,  33.0),       -- on the base: in
  -- two overlapping squares A [-97,-96.5]x[33,33.5] and B [-96.7,-96.2]x[33.3,33.8]; zip 75003
  ('m_overlap',     '75003', -96.6,  33.4),        -- in both A and B: in (any polygon)
  ('m_a',           '75003', -96.9,  33.1),        -- in A: in
  ('m_b',           '75003', -96.3,  33.7),        -- in B: in
  ('m_none',        '75003', -96.3,  33.1),        -- in neither: out
  ('m_b_edge',      '75003', -96.2,  33.5);        -- on B's east edge: in

SELECT pg_temp.expect('polygon with a hole: edges, vertices and hole edges are inside',
  pg_temp.idset('{"geography": {"zips": ["75001"], "custom_polygon": {"type": "Polygon", "coordinates": [
      [[-97, 33], [-96, 33], [-96, 34], [-97, 34], [-97, 33]],
      [[-96.8, 33.2], [-96.2, 33.2], [-96.2, 33.8], [-96.8, 33.8], [-96.8, 33.2]]]}}}'),
  'g_hole_corner,g_hole_edge,g_hole_edge2,g_ray_vertex,g_shell,g_shell_edge,g_vertex');

SELECT pg_temp.expect('hole ring given clockwise, shell counter-clockwise: same answer',
  pg_temp.idset('{"geography": {"zips": ["75001"], "custom_polygon": {"type": "Polygon", "coordinates": [
      [[-97, 33], [-97, 34], [-96, 34], [-96, 33], [-97, 33]],
      [[-96.8, 33.2], [-96.8, 33.8], [-96.2, 33.8], [-96.2, 33.2], [-96.8, 33.2]]]}}}'),
  'g_hole_corner,g_hole_edge,g_hole_edge2,g_ray_vertex,g_shell,g_shell_edge,g_vertex');

SELECT pg_temp.expect('points exactly on sloped edges are inside (exact decimal arithmetic)',
  pg_temp.idset('{"geography": {"zips": ["75002"], "custom_polygon": {"type": "Polygon", "coordinates": [
      [[-96.8, 33.0], [-96.7, 33.2], [-96.6, 33.0], [-96.8, 33.0]]]}}}'),
  't_base,t_diag,t_diag2,t_diag3,t_in');

SELECT pg_temp.expect('positions with an altitude (ignored)',
  pg_temp.idset('{"geography": {"zips": ["75002"], "custom_polygon": {"type": "Polygon", "coordinates": [
      [[-96.8, 33.0, 100], [-96.7, 33.2, 120], [-96.6, 33.0, 90], [-96.8, 33.0, 100]]]}}}'),
  't_base,t_diag,t_diag2,t_diag3,t_in');

SELECT pg_temp.expect('MultiPolygon: inside any polygon, overlap included',
  pg_temp.idset('{"geography": {"zips": ["75003"], "custom_polygon": {"type": "MultiPolygon", "coordinates": [
      [[[-97, 33], [-96.5, 33], [-96.5, 33.5], [-97, 33.5], [-97, 33]]],
      [[[-96.7, 33.3], [-96.2, 33.3], [-96.2, 33.8], [-96.7, 33.8], [-96.7, 33.3]]]]}}}'),
  'm_a,m_b,m_b_edge,m_overlap');

SELECT pg_temp.expect('zips alone; no other condition; uplift all NULL so property_id order',
  pg_temp.rows('{"geography": {"zips": ["75003"]}}'),
  '1:m_a::: 2:m_b::: 3:m_b_edge::: 4:m_none::: 5:m_overlap:::');

SELECT pg_temp.expect('empty rules match every property',
  (SELECT count(*)::text FROM stormops_ref.target_properties('{}')), '25');
SELECT pg_temp.expect('null and empty sections set no condition',
  (SELECT count(*)::text FROM stormops_ref.target_properties(
     '{"physics": {}, "geography": null, "demographics": {"ses_tiers": null},
       "behavioral": {"exclude_recent_converts": false, "past_customers_only": false},
       "similarity": {"enabled": false}}')), '25');
ROLLBACK;

-- =========================================================================
-- 2. Psychographics: NULL persona and exclude_personas
-- =========================================================================
BEGIN;
INSERT INTO stormops.properties (property_id, zip, persona) VALUES
  ('p_ps', '75010', 'Proof_Seeker'), ('p_null', '75010', NULL), ('p_pro', '75010', 'Procrastinator');

SELECT pg_temp.expect('exclude_personas: a NULL persona passes',
  pg_temp.idset('{"psychographics": {"exclude_personas": ["Procrastinator"]}}'), 'p_null,p_ps');
SELECT pg_temp.expect('personas: a NULL persona fails',
  pg_temp.idset('{"psychographics": {"personas": ["Proof_Seeker", "Procrastinator"]}}'), 'p_pro,p_ps');
SELECT pg_temp.expect('personas and exclude_personas together',
  pg_temp.idset('{"psychographics": {"personas": ["Proof_Seeker", "Procrastinator"], "exclude_personas": ["Procrastinator"]}}'),
  'p_ps');
ROLLBACK;

-- =========================================================================
-- 3. Behavioral: counts before as_of, response_rate with zero contacts,
--    exact response rates, the 365-day conversion window
-- =========================================================================
BEGIN;
INSERT INTO stormops.properties (property_id, zip, is_past_customer, customer_id) VALUES
  ('b_none', '75020', false, NULL), ('b_half', '75020', false, NULL), ('b_third', '75020', false, NULL),
  ('b_late', '75020', false, NULL), ('b_conv364', '75020', false, NULL), ('b_conv365', '75020', false, NULL),
  ('b_conv366', '75020', false, NULL), ('b_convnow', '75020', false, NULL), ('b_past', '75020', true, 'c1');
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, revenue)
SELECT e.pid, e.kind, 'email', '2019-04-01 12:00:00+00'::timestamptz + e.offs, e.rev
  FROM (VALUES
    ('b_half',  'contact',  interval '-10 days', NULL::int), ('b_half',  'contact',  interval '-9 days', NULL),
    ('b_half',  'response', interval '-8 days', NULL),
    ('b_third', 'contact',  interval '-30 days', NULL), ('b_third', 'contact', interval '-20 days', NULL),
    ('b_third', 'contact',  interval '-10 days', NULL), ('b_third', 'response', interval '-5 days', NULL),
    ('b_third', 'open',     interval '-5 days', NULL),  ('b_third', 'click', interval '-5 days', NULL),
    ('b_late',  'contact',  interval '-1 day', NULL),
    ('b_late',  'response', interval '0', NULL),                       -- at as_of: not before it
    ('b_late',  'contact',  interval '1 second', NULL), ('b_late', 'contact', interval '2 days', NULL),
    ('b_conv364', 'conversion', interval '-364 days', 9000),
    ('b_conv365', 'conversion', interval '-365 days', 9000),           -- exactly as_of - 365 days: recent
    ('b_conv366', 'conversion', interval '-366 days', 9000),
    ('b_convnow', 'conversion', interval '0', 9000)                    -- at as_of: not before it
  ) AS e(pid, kind, offs, rev);

SELECT pg_temp.expect('prior_touchpoints_max 0: zero contacts passes; later contacts not counted',
  pg_temp.idset('{"geography": {"zips": ["75020"]}, "behavioral": {"prior_touchpoints_max": 0}}'),
  'b_conv364,b_conv365,b_conv366,b_convnow,b_none,b_past');
SELECT pg_temp.expect('prior_touchpoints_max 1',
  pg_temp.idset('{"behavioral": {"prior_touchpoints_max": 1}}'),
  'b_conv364,b_conv365,b_conv366,b_convnow,b_late,b_none,b_past');
SELECT pg_temp.expect('response_rate_min 0 still needs contacts > 0',
  pg_temp.idset('{"behavioral": {"response_rate_min": 0}}'), 'b_half,b_late,b_third');
SELECT pg_temp.expect('response_rate_min 0.5 (response at as_of not counted)',
  pg_temp.idset('{"behavioral": {"response_rate_min": 0.5}}'), 'b_half');
SELECT pg_temp.expect('response_rate_min 0.51',
  pg_temp.idset('{"behavioral": {"response_rate_min": 0.51}}'), '');
SELECT pg_temp.expect('response_rate_min 0.3333333333333333 <= 1/3',
  pg_temp.idset('{"behavioral": {"response_rate_min": 0.3333333333333333}}'), 'b_half,b_third');
SELECT pg_temp.expect('response_rate_min 0.33333333333333334 > 1/3 (exact, not float)',
  pg_temp.idset('{"behavioral": {"response_rate_min": 0.33333333333333334}}'), 'b_half');
SELECT pg_temp.expect('exclude_recent_converts: window [as_of - 365 days, as_of)',
  pg_temp.idset('{"behavioral": {"exclude_recent_converts": true}}'),
  'b_conv366,b_convnow,b_half,b_late,b_none,b_past,b_third');
SELECT pg_temp.expect('exclude_recent_converts false sets no condition',
  (SELECT count(*)::text FROM stormops_ref.target_properties('{"behavioral": {"exclude_recent_converts": false}}')), '9');
SELECT pg_temp.expect('past_customers_only true',
  pg_temp.idset('{"behavioral": {"past_customers_only": true}}'), 'b_past');
SELECT pg_temp.expect('past_customers_only false sets no condition',
  (SELECT count(*)::text FROM stormops_ref.target_properties('{"behavioral": {"past_customers_only": false}}')), '9');
SELECT pg_temp.expect('behavioral keys together',
  pg_temp.idset('{"behavioral": {"prior_touchpoints_max": 2, "response_rate_min": 0.3, "exclude_recent_converts": true}}'),
  'b_half');
ROLLBACK;

-- =========================================================================
-- 4. Physics: one impact row for all impact keys, event_id, days, roof age,
--    sii output and ranking
-- =========================================================================
BEGIN;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES
  ('ev_old',    'hail', '2019-04-01 12:00:00+00'::timestamptz - interval '60 days'),
  ('ev_recent', 'hail', '2019-04-01 12:00:00+00'::timestamptz - interval '5 days'),
  ('ev_future', 'hail', '2019-04-01 12:00:00+00'::timestamptz + interval '1 day'),
  ('ev_frac',   'hail', '2019-04-01 12:00:00+00'::timestamptz - interval '4 days 12 hours'),
  ('ev_frac2',  'hail', '2019-04-01 12:00:00+00'::timestamptz - interval '4 days 12:00:01');
INSERT INTO stormops.properties (property_id, zip, roof_install_year) VALUES
  ('s_split', '75030', 2009), ('s_good', '75030', 2010), ('s_none', '75030', NULL),
  ('s_future', '75030', 2000), ('s_frac', '75030', 2000), ('s_frac2', '75030', 2000);
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score) VALUES
  ('s_split', 'ev_old', 90), ('s_split', 'ev_recent', 50),   -- high sii is old, recent sii is low
  ('s_good', 'ev_recent', 80), ('s_future', 'ev_future', 95),
  ('s_frac', 'ev_frac', 72), ('s_frac2', 'ev_frac2', 73);
INSERT INTO stormops.property_scores (property_id, uplift_score) VALUES
  ('s_split', 0.2), ('s_good', 0.2), ('s_none', 0.5), ('s_future', 0.9), ('s_frac', NULL);
-- (s_frac2 has no score row: uplift NULL as well)

SELECT pg_temp.expect('min_sii 70 + max_days 14 on ONE impact row (s_split fails)',
  pg_temp.rows('{"physics": {"min_sii_score": 70, "max_days_since_storm": 14}}'),
  '1:s_good::80:0.2 2:s_frac2::73: 3:s_frac::72:');
SELECT pg_temp.expect('min_sii 70 alone: any impact row, also a future one; highest sii',
  pg_temp.rows('{"physics": {"min_sii_score": 70}}'),
  '1:s_future::95:0.9 2:s_split::90:0.2 3:s_good::80:0.2 4:s_frac2::73: 5:s_frac::72:');
SELECT pg_temp.expect('max_days 14 alone: sii of the recent row only',
  pg_temp.rows('{"physics": {"max_days_since_storm": 14}}'),
  '1:s_good::80:0.2 2:s_split::50:0.2 3:s_frac2::73: 4:s_frac::72:');
SELECT pg_temp.expect('max_days 4.5: exactly 4.5 days passes, one second more fails',
  pg_temp.rows('{"physics": {"max_days_since_storm": 4.5}}'), '1:s_frac::72:');
SELECT pg_temp.expect('max_days 0: an event at as_of passes, a future one does not',
  pg_temp.ids('{"physics": {"max_days_since_storm": 0}}', NULL,
              '2019-04-01 12:00:00+00'::timestamptz + interval '1 day'), 's_future');
SELECT pg_temp.expect('event_id with no physics key: needs an impact row for that event',
  pg_temp.rows('{}', 'ev_recent'), '1:s_good::80:0.2 2:s_split::50:0.2');
SELECT pg_temp.expect('event_id with an empty physics section',
  pg_temp.rows('{"physics": {}}', 'ev_old'), '1:s_split::90:0.2');
SELECT pg_temp.expect('event_id + min_sii: only that event''s row counts',
  pg_temp.rows('{"physics": {"min_sii_score": 60}}', 'ev_recent'), '1:s_good::80:0.2');
SELECT pg_temp.expect('event_id + max_days: the event is 60 days old',
  pg_temp.rows('{"physics": {"max_days_since_storm": 14}}', 'ev_old'), '');
SELECT pg_temp.expect('unknown event_id: nothing',
  pg_temp.rows('{}', 'no_such_event'), '');
SELECT pg_temp.expect('roof_age_min needs no impact row; sii NULL',
  pg_temp.rows('{"physics": {"roof_age_min": 10}}'),
  '1:s_future:::0.9 2:s_split:::0.2 3:s_frac::: 4:s_frac2:::');
SELECT pg_temp.expect('roof_age_max 9: NULL roof year fails',
  pg_temp.rows('{"physics": {"roof_age_max": 9}}'), '1:s_good:::0.2');
SELECT pg_temp.expect('roof_age_min = roof_age_max',
  pg_temp.ids('{"physics": {"roof_age_min": 10, "roof_age_max": 10}}'), 's_split');
SELECT pg_temp.expect('roof age follows the year of as_of',
  pg_temp.ids('{"physics": {"roof_age_min": 10, "roof_age_max": 10}}', NULL, '2020-06-01 00:00:00+00'), 's_good');
SELECT pg_temp.expect('roof_age_max with event_id: sii of that event',
  pg_temp.rows('{"physics": {"roof_age_max": 9}}', 'ev_recent'), '1:s_good::80:0.2');
SELECT pg_temp.expect('no condition: uplift desc nulls last, then property_id',
  pg_temp.rows('{}'),
  '1:s_future:::0.9 2:s_none:::0.5 3:s_good:::0.2 4:s_split:::0.2 5:s_frac::: 6:s_frac2:::');
ROLLBACK;

-- =========================================================================
-- 5. Demographics and competition: no tract, NULL data, no zip_competition
-- =========================================================================
BEGIN;
INSERT INTO stormops.census_tracts (tract_geoid, median_household_income, homeownership_rate, ses_tier) VALUES
  ('48113000001', 120000, 0.8, 'High'), ('48113000002', NULL, NULL, NULL);
INSERT INTO stormops.properties (property_id, zip, tract_geoid) VALUES
  ('d_high', '75040', '48113000001'), ('d_nulls', '75040', '48113000002'), ('d_notract', '75040', NULL),
  ('d_nocomp', '75041', '48113000001'), ('d_nullcomp', '75042', '48113000001');
INSERT INTO stormops.zip_competition (zip, competitor_pressure, white_space_score) VALUES
  ('75040', 0.3, 70), ('75042', NULL, NULL);

SELECT pg_temp.expect('ses_tiers: no tract / NULL tier fail',
  pg_temp.idset('{"demographics": {"ses_tiers": ["High", "Medium", "Low"]}}'), 'd_high,d_nocomp,d_nullcomp');
SELECT pg_temp.expect('min_median_income >=',
  pg_temp.idset('{"demographics": {"min_median_income": 120000}}'), 'd_high,d_nocomp,d_nullcomp');
SELECT pg_temp.expect('min_median_income above',
  pg_temp.idset('{"demographics": {"min_median_income": 120001}}'), '');
SELECT pg_temp.expect('homeownership_rate_min >=',
  pg_temp.idset('{"demographics": {"homeownership_rate_min": 0.8}}'), 'd_high,d_nocomp,d_nullcomp');
SELECT pg_temp.expect('homeownership_rate_min above',
  pg_temp.idset('{"demographics": {"homeownership_rate_min": 0.81}}'), '');
SELECT pg_temp.expect('tracts',
  pg_temp.idset('{"geography": {"tracts": ["48113000001", "48113999999"]}}'), 'd_high,d_nocomp,d_nullcomp');
SELECT pg_temp.expect('competitor_pressure_max: no row / NULL fail',
  pg_temp.idset('{"competition": {"competitor_pressure_max": 0.3}}'), 'd_high,d_notract,d_nulls');
SELECT pg_temp.expect('white_space_score_min',
  pg_temp.idset('{"competition": {"white_space_score_min": 70}}'), 'd_high,d_notract,d_nulls');
SELECT pg_temp.expect('white_space_score_min above',
  pg_temp.idset('{"competition": {"white_space_score_min": 70.5}}'), '');
SELECT pg_temp.expect('demographics and competition together',
  pg_temp.idset('{"demographics": {"ses_tiers": ["High"]}, "competition": {"competitor_pressure_max": 1}}'), 'd_high');
ROLLBACK;

-- =========================================================================
-- 6. Similarity, mode property: references, ties under top_k, failures
-- =========================================================================
BEGIN;
INSERT INTO stormops.properties (property_id, zip, persona, embedding) VALUES
  ('ref_x',     '75050', 'Proof_Seeker',   '{1,0}'),
  ('ref_y',     '75050', 'Proof_Seeker',   '{0,1}'),
  ('ref_noemb', '75050', 'Proof_Seeker',   NULL),
  ('sim_a',     '75050', 'Procrastinator', '{3,0}'),
  ('sim_b',     '75050', 'Proof_Seeker',   '{1,0}'),
  ('sim_c',     '75050', 'Proof_Seeker',   '{0.5,0}'),
  ('sim_d',     '75050', 'Proof_Seeker',   '{1,1}'),
  ('sim_e',     '75050', 'Proof_Seeker',   '{0,1}'),
  ('sim_f',     '75050', 'Proof_Seeker',   '{-1,0}'),
  ('sim_null',  '75050', 'Proof_Seeker',   NULL),
  ('sim_zero',  '75050', 'Proof_Seeker',   '{0,0}'),
  ('sim_3d',    '75050', 'Proof_Seeker',   '{1,0,0}');
INSERT INTO stormops.cohorts (cohort_name, property_id) VALUES ('refs_cohort', 'ref_y'), ('refs_cohort', 'ref_noemb');
INSERT INTO stormops.property_scores (property_id, uplift_score) VALUES ('sim_a', 0.1), ('sim_b', 0.9);

SELECT pg_temp.expect('top_k 2 among three ties at similarity 1: property_id ascending',
  pg_temp.rows('{"similarity": {"enabled": true, "reference_property_ids": ["ref_x"], "top_k": 2}}'),
  '1:sim_a:1.000000::0.1 2:sim_b:1.000000::0.9');
SELECT pg_temp.expect('threshold 0.7; no embedding / zero / other dimension fail; reference not returned',
  pg_temp.ids('{"similarity": {"enabled": true, "reference_property_ids": ["ref_x"], "similarity_threshold": 0.7}}'),
  'sim_a,sim_b,sim_c,sim_d');
SELECT pg_temp.expect('no threshold: every comparable property, similarity desc, then property_id',
  pg_temp.rows('{"similarity": {"enabled": true, "reference_property_ids": ["ref_x"]}}'),
  '1:sim_a:1.000000::0.1 2:sim_b:1.000000::0.9 3:sim_c:1.000000:: 4:sim_d:0.707107:: '
  || '5:ref_y:0.000000:: 6:sim_e:0.000000:: 7:sim_f:-1.000000::');
SELECT pg_temp.expect('top_k applies after the other conditions',
  pg_temp.ids('{"psychographics": {"personas": ["Proof_Seeker"]},
                "similarity": {"enabled": true, "reference_property_ids": ["ref_x"], "top_k": 2}}'),
  'sim_b,sim_c');
SELECT pg_temp.expect('property id + cohort name: union, centroid (0.5, 0.5), references never returned',
  pg_temp.rows('{"similarity": {"enabled": true, "reference_property_ids": ["ref_x", "refs_cohort"], "top_k": 1}}'),
  '1:sim_d:1.000000::');
SELECT pg_temp.expect('union centroid, threshold 0.7',
  pg_temp.idset('{"similarity": {"enabled": true, "reference_property_ids": ["refs_cohort", "ref_x", "ref_x"],
                  "similarity_threshold": 0.7}}'),
  'sim_a,sim_b,sim_c,sim_d,sim_e');
SELECT pg_temp.expect('a zero centroid: no cosine, nothing returned',
  pg_temp.ids('{"similarity": {"enabled": true, "reference_property_ids": ["ref_x", "sim_f"]}}'), '');
SELECT pg_temp.expect('a similarity condition ANDed with a physics condition (no impact: nothing)',
  pg_temp.ids('{"physics": {"min_sii_score": 0}, "similarity": {"enabled": true, "reference_property_ids": ["ref_x"]}}'), '');
DO $$
BEGIN
  PERFORM * FROM stormops_ref.target_properties(
    '{"similarity": {"enabled": true, "reference_property_ids": ["ref_noemb", "no_such_id"]}}');
  RAISE EXCEPTION 'check "no reference embedding raises" failed: no error';
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE 'ok: no reference embedding raises 22023';
END $$;
ROLLBACK;

-- =========================================================================
-- 7. Similarity, mode neighborhood_embedding: candidate tracts,
--    top_k_tracts ties, properties_per_tract
-- =========================================================================
BEGIN;
INSERT INTO stormops.census_tracts (tract_geoid, ses_tier, embedding) VALUES
  ('48085000100', 'High', '{0,0}'),     -- R, the reference tract
  ('48085000201', 'High', '{1,0}'),     -- TA: distance 1, similarity 0.5
  ('48085000202', 'High', '{0,1}'),     -- TB: distance 1, similarity 0.5 (tie with TA)
  ('48085000300', 'High', '{3,4}'),     -- TC: distance 5, similarity 1/6
  ('48085000400', 'High', NULL),        -- TD: no embedding, never a candidate
  ('48085000500', 'High', '{1,0,0}');   -- TE: other dimension, never a candidate
INSERT INTO stormops.properties (property_id, zip, tract_geoid, persona) VALUES
  ('a1', '75060', '48085000201', 'Family_Protector'), ('a2', '75060', '48085000201', 'Family_Protector'),
  ('a3', '75060', '48085000201', 'Family_Protector'), ('a4', '75060', '48085000201', 'Family_Protector'),
  ('b1', '75060', '48085000202', 'Proof_Seeker'),     ('c1', '75060', '48085000300', 'Proof_Seeker'),
  ('r1', '75060', '48085000100', 'Proof_Seeker'),     ('d1', '75060', '48085000400', 'Proof_Seeker'),
  ('e1', '75060', '48085000500', 'Proof_Seeker'),     ('n1', '75060', NULL, 'Proof_Seeker');
INSERT INTO stormops.property_scores (property_id, uplift_score) VALUES
  ('a1', 0.9), ('a2', 0.5), ('a3', NULL), ('a4', 0.5), ('b1', 0.1), ('c1', 0.3),
  ('r1', 0.95), ('d1', 0.95), ('e1', 0.95), ('n1', 0.95);
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('ev_n', 'hail', '2019-03-30 00:00+00');
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score) VALUES
  ('a2', 'ev_n', 40), ('a4', 'ev_n', 60), ('a1', 'ev_n', 10), ('b1', 'ev_n', 99), ('c1', 'ev_n', 50);

SELECT pg_temp.expect('top_k_tracts 2 (tie: tract_geoid), properties_per_tract 2 (uplift, then id)',
  pg_temp.rows('{"similarity": {"enabled": true, "mode": "neighborhood_embedding",
                 "reference_tract_ids": ["48085000100"], "top_k_tracts": 2, "properties_per_tract": 2}}'),
  '1:a1:0.500000::0.9 2:a2:0.500000::0.5 3:b1:0.500000::0.1');
SELECT pg_temp.expect('all candidate tracts, no per-tract limit; NULL uplift last in its tract',
  pg_temp.rows('{"similarity": {"enabled": true, "mode": "neighborhood_embedding",
                 "reference_tract_ids": ["48085000100"]}}'),
  '1:a1:0.500000::0.9 2:a2:0.500000::0.5 3:a4:0.500000::0.5 4:a3:0.500000:: '
  || '5:b1:0.500000::0.1 6:c1:0.166667::0.3');
SELECT pg_temp.expect('within a tract, equal uplift: sii desc breaks the tie (event_id given)',
  pg_temp.rows('{"similarity": {"enabled": true, "mode": "neighborhood_embedding",
                 "reference_tract_ids": ["48085000100"], "properties_per_tract": 2}}', 'ev_n'),
  '1:a1:0.500000:10:0.9 2:a4:0.500000:60:0.5 3:b1:0.500000:99:0.1 4:c1:0.166667:50:0.3');
SELECT pg_temp.expect('similarity_threshold 0.2 drops TC',
  pg_temp.ids('{"similarity": {"enabled": true, "mode": "neighborhood_embedding",
                "reference_tract_ids": ["48085000100"], "similarity_threshold": 0.2}}'),
  'a1,a2,a4,a3,b1');
SELECT pg_temp.expect('similarity_threshold 0.5 keeps the 0.5 tracts (>=)',
  pg_temp.ids('{"similarity": {"enabled": true, "mode": "neighborhood_embedding",
                "reference_tract_ids": ["48085000100"], "similarity_threshold": 0.5, "properties_per_tract": 1}}'),
  'a1,b1');
SELECT pg_temp.expect('properties_per_tract 1',
  pg_temp.ids('{"similarity": {"enabled": true, "mode": "neighborhood_embedding",
                "reference_tract_ids": ["48085000100"], "properties_per_tract": 1}}'),
  'a1,b1,c1');
SELECT pg_temp.expect('properties_per_tract counts only properties meeting the other conditions',
  pg_temp.ids('{"psychographics": {"personas": ["Proof_Seeker"]},
                "similarity": {"enabled": true, "mode": "neighborhood_embedding",
                "reference_tract_ids": ["48085000100"], "top_k_tracts": 2, "properties_per_tract": 1}}'),
  'b1');
SELECT pg_temp.expect('top_k_tracts picks tracts before property conditions (TA chosen, none of it qualifies)',
  pg_temp.ids('{"psychographics": {"personas": ["Proof_Seeker"]},
                "similarity": {"enabled": true, "mode": "neighborhood_embedding",
                "reference_tract_ids": ["48085000100"], "top_k_tracts": 1}}'),
  '');
SELECT pg_temp.expect('two reference tracts: centroid (0.5, 0), both excluded',
  pg_temp.rows('{"similarity": {"enabled": true, "mode": "neighborhood_embedding",
                 "reference_tract_ids": ["48085000100", "48085000201"], "properties_per_tract": 1}}'),
  '1:b1:0.472136::0.1 2:c1:0.174917::0.3');
DO $$
BEGIN
  PERFORM * FROM stormops_ref.target_properties(
    '{"similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48085000400"]}}');
  RAISE EXCEPTION 'check "no reference tract embedding raises" failed: no error';
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE 'ok: no reference tract embedding raises 22023';
END $$;
ROLLBACK;

\o
\echo 'check_reference: all passed'
