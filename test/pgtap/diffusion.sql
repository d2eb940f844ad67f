-- Diffusion (diffusion.md) on a street worked by hand: five houses 100 m
-- apart along a line (A, a past customer, at one end), a house without
-- coordinates referred by A, and one far away. The neighbour lists, the
-- edge view, the targeting key and its funnel step, the paths, the
-- activation rule of plays that require graph analysis, roles, refusals.
-- networkx and an every-pair brute force on 5,000 properties:
-- test/shell/diffusion_reference.sh.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = error;
SELECT plan(36);

-- a street along a meridian: 100 m is 0.1 km / 6371.0088 km (the mean Earth radius) in radians
INSERT INTO stormops.properties (property_id, zip, lat, lon, is_past_customer)
SELECT 'st-' || chr(64 + i), '75034', 33.0 + degrees((i - 1) * 0.1 / 6371.0088), -96.8, i = 1
  FROM generate_series(1, 5) i;
INSERT INTO stormops.properties (property_id, zip, lat, lon) VALUES ('st-F', '75034', NULL, NULL),
  ('far-away', '75034', 34.0, -97.0);

-- a play that requires graph analysis cannot be activated before a score exists
INSERT INTO stormops.playbooks (playbook_name, playbook_version, targeting_rules, channel_strategy, requires_graph_analysis)
VALUES ('Word-Of-Mouth', '1.0.0', '{"diffusion": {"min_score": 75}}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', true);
SELECT throws_ok($$SELECT stormops.activate_playbook('Word-Of-Mouth')$$,
  '55000', 'playbook "Word-Of-Mouth" requires graph analysis, and no diffusion score has been computed',
  'activating a play that requires graph analysis, before any refresh: 55000');
SELECT is((SELECT status::text FROM stormops.playbooks WHERE playbook_name = 'Word-Of-Mouth'), 'Draft', '... and it stays Draft');
INSERT INTO stormops.playbooks (playbook_name, playbook_version, targeting_rules, channel_strategy)
VALUES ('Plain-Play', '1.0.0', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}');
SELECT is((SELECT status::text FROM stormops.activate_playbook('Plain-Play')), 'Active', 'a play without the requirement activates');
SELECT throws_like($$UPDATE stormops.playbooks SET requires_graph_analysis = true WHERE playbook_name = 'Plain-Play'$$,
  '%no diffusion score has been computed', 'turning the requirement on while Active is refused too');

INSERT INTO stormops.referrals (referrer_property_id, referred_property_id, referred_at)
VALUES ('st-A', 'st-F', '2019-03-01 00:00+00');
SELECT throws_ok($$INSERT INTO stormops.referrals (referrer_property_id, referred_property_id) VALUES ('st-A', 'nobody')$$,
  '23503', NULL, 'a referral to an unknown property: 23503');
SELECT throws_ok($$INSERT INTO stormops.referrals (referrer_property_id, referred_property_id) VALUES ('st-B', 'st-B')$$,
  '23514', NULL, 'a referral of a property to itself: 23514');
SELECT throws_ok($$SELECT stormops.refresh_diffusion(NULL)$$, '22023', 'as_of must be a finite timestamp',
  'refresh_diffusion(NULL): 22023');

SELECT is((SELECT properties || ' ' || located || ' ' || neighbor_rows || ' ' || referrals || ' ' || seeds
             FROM stormops.refresh_diffusion('2019-04-01 00:00+00')),
  '7 6 14 1 1', 'the first refresh: 7 properties, 6 located, 14 neighbour rows, 1 referral, 1 seed');
-- by hand: within 250 m, A: B C; B: A C D; C: A B D E; D: B C E; E: C D; far-away: none
SELECT set_eq($$SELECT property_id || '>' || neighbor_id || ' ' || round(distance_m) FROM stormops.property_neighbors$$,
  ARRAY['st-A>st-B 100', 'st-A>st-C 200', 'st-B>st-A 100', 'st-B>st-C 100', 'st-B>st-D 200',
        'st-C>st-B 100', 'st-C>st-D 100', 'st-C>st-A 200', 'st-C>st-E 200', 'st-D>st-C 100', 'st-D>st-E 100',
        'st-D>st-B 200', 'st-E>st-D 100', 'st-E>st-C 200'],
  'the neighbour lists, worked by hand');
SELECT is((SELECT count(*) FROM stormops.diffusion_edges WHERE edge_kind = 'neighbor'), 14::bigint,
  'the view: 14 neighbour edges (7 pairs, both ways, each once)');
SELECT is((SELECT array_to_string(neighbor_ids, ',') || ' / ' || array_to_string(listed_by_ids, ',')
             FROM stormops.neighbor_lists WHERE property_id = 'st-A'),
  'st-B,st-C / st-B,st-C', 'A''s row: its list, and the lists that hold it (B''s and C''s), nearest first');
SELECT is((SELECT count(*) FROM (SELECT neighbor_rank, row_number() OVER (PARTITION BY property_id
                                     ORDER BY distance_m, neighbor_id COLLATE "C") AS r FROM stormops.property_neighbors) x
            WHERE neighbor_rank <> r), 0::bigint, 'neighbor_rank: by distance, then property id');
SELECT is((SELECT weight FROM stormops.diffusion_edges WHERE from_property_id = 'st-A' AND to_property_id = 'st-F'),
  5::float8, 'a referral edge weighs stormops.referral_weight (5)');
SELECT ok((SELECT round(distance_m) = 100 AND weight = exp(-distance_m / 100) FROM stormops.diffusion_edges
            WHERE from_property_id = 'st-A' AND to_property_id = 'st-B'),
  'a neighbour edge weighs exp(-distance_m / stormops.neighbor_decay_m (100))');

-- scores: the seed first, then down the street; far-away is unreachable
SELECT is((SELECT string_agg(property_id, ' ' ORDER BY diffusion_score DESC, property_id) FROM stormops.property_scores),
  'st-A st-F st-B st-C st-D st-E far-away', 'scores fall with the distance from the seed (F is referred by it)');
SELECT is((SELECT diffusion_score FROM stormops.property_scores WHERE property_id = 'far-away'), 0::float8,
  'a property no walk reaches scores 0');
SELECT ok((SELECT abs(sum(diffusion_score) - 1) < 1e-9 FROM stormops.property_scores), 'the scores sum to 1');
-- percent_rank * 100 over 7: 0, 100/6, ..., 100
SELECT is((SELECT string_agg(round(diffusion_percentile::numeric, 2)::text, ' ' ORDER BY diffusion_score) FROM stormops.property_scores),
  '0.00 16.67 33.33 50.00 66.67 83.33 100.00', 'percentiles: 100 * percent_rank()');

-- the targeting key: min_score 75 keeps the two properties above 75% of the others
SELECT set_eq($$SELECT property_id FROM stormops.target_properties('{"diffusion": {"min_score": 75}}', NULL, '2019-04-01')$$,
  ARRAY['st-A', 'st-F'], 'diffusion.min_score 75: the seed and the property it referred');
SELECT set_eq($$SELECT property_id FROM stormops.target_properties('{"diffusion": {"min_score": 0}}', NULL, '2019-04-01')$$,
  ARRAY['st-A', 'st-B', 'st-C', 'st-D', 'st-E', 'st-F', 'far-away'], 'min_score 0: every scored property');
SELECT is((SELECT count(*) FROM stormops.target_properties('{"diffusion": {"min_score": 100}}', NULL, '2019-04-01')),
  1::bigint, 'min_score 100: the top score only');
SELECT is((SELECT step || ' ' || section || ' ' || condition || ' ' || remaining
             FROM stormops.targeting_funnel('{"geography": {"zips": ["75034"]}, "diffusion": {"min_score": 50}}', NULL, '2019-04-01')
            WHERE section = 'diffusion'),
  '2 diffusion diffusion score percentile >= 50 4', 'the funnel step of the key');
SELECT throws_ok($$SELECT * FROM stormops.target_properties('{"diffusion": {"min_score": 101}}', NULL, '2019-04-01')$$,
  '22023', 'invalid targeting_rules at diffusion.min_score: out of range', 'min_score 101: 22023 naming the JSON path');
-- a property added since the refresh has no percentile: it does not pass
INSERT INTO stormops.properties (property_id, zip, lat, lon) VALUES ('st-G', '75034', 33.0, -96.8);
SELECT ok(NOT EXISTS (SELECT FROM stormops.target_properties('{"diffusion": {"min_score": 0}}', NULL, '2019-04-01')
                       WHERE property_id = 'st-G'), 'a property not yet scored does not pass the key');

-- paths: to E, from A along the street. By hand, with a = exp(-1) (100 m)
-- and b = exp(-2) (200 m): A's out-weight is a + b + 5, B's and D's 2a + b,
-- C's 2a + 2b; A>B>D>E has the chance 0.85^3 * a/(a+b+5) * b/(2a+b) * a/(2a+b)
-- = 0.002693, more than A>C>E's 0.85^2 * b/(a+b+5) * b/(2a+2b) = 0.002389.
SELECT is(ARRAY(SELECT array_to_string(property_ids, '>') || ' ' || array_to_string(edge_kinds, ',') || ' ' || round(strength::numeric, 9)
                  FROM stormops.diffusion_paths('st-E') ORDER BY path_rank LIMIT 2),
  ARRAY['st-A>st-B>st-D>st-E neighbor,neighbor,neighbor ' ||
          round((0.85 ^ 3 * exp(-1) / (exp(-1) + exp(-2) + 5) * exp(-2) / (2 * exp(-1) + exp(-2)) * exp(-1) / (2 * exp(-1) + exp(-2)))::numeric, 9),
        'st-A>st-C>st-E neighbor,neighbor ' ||
          round((0.85 ^ 2 * exp(-2) / (exp(-1) + exp(-2) + 5) * exp(-2) / (2 * exp(-1) + 2 * exp(-2)))::numeric, 9)],
  'the two strongest paths to E, with their chances worked by hand');
SELECT ok((SELECT bool_and(property_ids[1] = 'st-A' AND hops <= 3) FROM stormops.diffusion_paths('st-E', 3, 100)),
  'every path starts at the seed and has at most 3 edges');
SELECT is((SELECT count(*) FROM stormops.diffusion_paths('st-E', 1)), 0::bigint, 'no seed within 1 edge of E');
SELECT is((SELECT edge_kinds[1] || ' ' || round(strength::numeric, 6) FROM stormops.diffusion_paths('st-F')),
  'referral ' || round((0.85 * 5 / (5 + exp(-1) + exp(-2)))::numeric, 6),
  'the path to F: A''s referral, chance 0.85 * 5 / (A''s out-weight)');
SELECT is((SELECT count(*) FROM stormops.diffusion_paths('far-away')), 0::bigint, 'no path to an unreachable property');
SELECT throws_ok($$SELECT * FROM stormops.diffusion_paths('st-E', 0)$$, '22023', 'max_hops must be from 1 to 6, not 0',
  'max_hops 0: 22023');
SELECT throws_ok($$SELECT * FROM stormops.diffusion_paths('nobody')$$, '42704', 'property "nobody" does not exist',
  'an unknown property: 42704');

-- now the play may activate
SELECT is((SELECT status::text FROM stormops.activate_playbook('Word-Of-Mouth')), 'Active',
  'after a refresh the play activates');

-- roles: viewers read scores and paths, operators refresh
CREATE ROLE stormops_test_diffusion_viewer;
GRANT stormops_viewer TO stormops_test_diffusion_viewer;
SET ROLE stormops_test_diffusion_viewer;
SELECT ok((SELECT count(*) > 0 FROM stormops.diffusion_paths('st-E')), 'a viewer reads paths');
SELECT throws_ok($$SELECT stormops.refresh_diffusion()$$, '42501', NULL, 'a viewer cannot refresh');
RESET ROLE;
SET ROLE stormops_operator;
SELECT is((SELECT seeds FROM stormops.refresh_diffusion('2019-04-01 00:00+00')), 1::bigint, 'an operator refreshes');
RESET ROLE;

-- the nightly job
SELECT is((SELECT command FROM stormops.cron_job_definitions() WHERE job_name = 'stormops-refresh-diffusion'),
  'SELECT * FROM stormops.refresh_diffusion()', 'the nightly job refreshes the diffusion scores');

SELECT * FROM finish();
ROLLBACK;
