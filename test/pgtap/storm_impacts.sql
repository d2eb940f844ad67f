-- The storm impact index: bounds, monotonicity, footprints, idempotence.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SELECT plan(25);

-- One hail report at (33.0, -97.0), 2.0 in: default footprint 3 + 2 * 2 = 7 km.
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at)
VALUES ('H', 'hail', 2.0, '2019-05-01 20:00+00'), ('BIG', 'hail', 3.0, '2019-05-02 20:00+00');
INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude) VALUES
  ('h1', 'H', '2019-05-01 20:05+00', 33.0, -97.0, 2.0),
  ('b1', 'BIG', '2019-05-02 20:05+00', 33.0, -97.0, 3.0);
-- at the report, 3 km and 6.9 km north of it, 7.1 km north (outside), and
-- old / new / unknown roofs at the report
INSERT INTO stormops.properties (property_id, zip, lat, lon, roof_install_year) VALUES
  ('at',      '75001', 33.0,                -97.0, 2000),
  ('km3',     '75001', 33.0 + 3 / 111.195,  -97.0, 2000),
  ('km6_9',   '75001', 33.0 + 6.9 / 111.195, -97.0, 2000),
  ('km7_1',   '75001', 33.0 + 7.1 / 111.195, -97.0, 2000),
  ('old',     '75001', 33.0,                -97.0, 1990),
  ('new',     '75001', 33.0,                -97.0, 2018),
  ('unknown', '75001', 33.0,                -97.0, NULL),
  ('nowhere', '75001', NULL,                NULL,  2000);
CREATE FUNCTION pg_temp.sii(pid text, ev text DEFAULT 'H') RETURNS numeric LANGUAGE sql AS
  $$ SELECT sii_score FROM stormops.property_impacts WHERE property_id = pid AND event_id = ev $$;

SELECT is(stormops.compute_impacts('H'), 6, 'every property within the footprint gets a row');
SELECT ok(NOT EXISTS (SELECT FROM stormops.property_impacts WHERE event_id = 'H' AND (sii_score < 0 OR sii_score > 100)),
  'SII stays within 0..100');
SELECT ok(pg_temp.sii('km7_1') IS NULL, 'outside every footprint: no row');
SELECT ok(pg_temp.sii('nowhere') IS NULL, 'no location: no row');
SELECT ok(pg_temp.sii('km3') < pg_temp.sii('at'), 'farther from the report: lower');
SELECT ok(pg_temp.sii('km6_9') < pg_temp.sii('km3'), 'farther still: lower still');
SELECT ok(pg_temp.sii('old') > pg_temp.sii('at') AND pg_temp.sii('at') > pg_temp.sii('new'), 'older roof: higher');
SELECT is(pg_temp.sii('unknown'), round((100 * 0.6 * 0.8)::numeric, 1), 'unknown roof year: the 0.8 factor');
SELECT is(pg_temp.sii('at'), round((100 * 0.6 * (0.6 + 0.4 * 19 / 25.0))::numeric, 1),
  'the formula: severity (2.0 in -> 0.6) x distance (at the report -> 1) x roof (19 years)');
SELECT is(stormops.compute_impacts('BIG'), 7, 'a second event, with a 9 km footprint');
SELECT ok(pg_temp.sii('at', 'BIG') > pg_temp.sii('at', 'H'), 'larger hail: higher');
SELECT ok(pg_temp.sii('km7_1', 'BIG') IS NOT NULL, 'larger hail: a wider footprint (9 km)');

-- idempotent, and a recomputation follows the reports
CREATE TEMP TABLE before AS SELECT * FROM stormops.property_impacts WHERE event_id = 'H';
SELECT is(stormops.compute_impacts('H'), 6, 'computing again gives the same count');
SELECT set_eq('SELECT property_id, sii_score FROM stormops.property_impacts WHERE event_id = ''H''',
              'SELECT property_id, sii_score FROM before', '... and the same rows');
UPDATE stormops.storm_reports SET lat = 33.0 + 5 / 111.195 WHERE report_id = 'h1';
SELECT lives_ok($$SELECT stormops.compute_impacts('H')$$, 'recompute after a report moved');
SELECT ok(pg_temp.sii('km6_9') > (SELECT sii_score FROM before WHERE property_id = 'km6_9'), 'nearer now: higher');
SELECT ok(pg_temp.sii('km7_1') IS NOT NULL, 'now inside the footprint: a row');
SELECT throws_ok($$SELECT stormops.compute_impacts('nope')$$, '42704', 'storm event "nope" does not exist',
  'an unknown event is an error');

-- the pre-filter's box must hold every point haversine puts in a footprint:
-- at the edge due north, at the widest longitude at 60 N, across the pole,
-- and across 180 degrees (10, 10, 10 and 5 km footprints)
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at)
VALUES ('EDGES', 'hail', 3.0, '2019-05-03 20:00+00');
INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude, radius_km) VALUES
  ('e1', 'EDGES', '2019-05-03 20:05+00', 33.0, -97.0, 3.0, 10),
  ('e2', 'EDGES', '2019-05-03 20:05+00', 60.0, 10.0, 3.0, 10),
  ('e3', 'EDGES', '2019-05-03 20:05+00', 89.96, 0.0, 3.0, 10),
  ('e4', 'EDGES', '2019-05-03 20:05+00', 52.0, 179.99, 3.0, 5);
INSERT INTO stormops.properties (property_id, zip, lat, lon, roof_install_year) VALUES
  ('edge_north', '75001', 33.0 + 9.9999 / 111.195, -97.0, 2000),   -- 9.9999 km
  ('edge_east60', '75001', 60.000122, 10.17986, 2000),               -- 9.9998 km
  ('edge_pole', '75001', 89.96, 180.0, 2000),                        -- 8.9 km over the pole
  ('edge_180', '75001', 52.0, -179.99, 2000);                        -- 1.4 km across 180
SELECT lives_ok($$SELECT stormops.compute_impacts('EDGES')$$, 'footprints at the edges');
SELECT is((SELECT array_agg(property_id ORDER BY property_id) FROM stormops.property_impacts
            WHERE event_id = 'EDGES' AND property_id LIKE 'edge%'),
          ARRAY['edge_180', 'edge_east60', 'edge_north', 'edge_pole'],
          'the box misses none of them');

-- building blocks
SELECT is(ARRAY[stormops.default_report_radius_km('hail', 0.75), stormops.default_report_radius_km('hail', 1.0),
                stormops.default_report_radius_km('hail', 4.5), stormops.default_report_radius_km('wind', 70),
                stormops.default_report_radius_km('tornado', NULL)],
          ARRAY[4.5, 5, 10, 8, 1]::float8[], 'default footprints by event type and magnitude');
SELECT ok(abs(stormops.haversine_km(32.7767, -96.7970, 32.7555, -97.3308) - 49.93) < 0.05,
  'haversine: Dallas to Fort Worth is about 49.9 km');
SELECT throws_ok($$SELECT stormops.haversine_km(91, 0, 0, 0)$$, '22003', NULL,
  'haversine: a latitude beyond 90 is an error, not a distance');
SELECT is(stormops.haversine_km(NULL, 0, 0, 0), NULL, 'haversine: an unknown point has no distance');
SELECT ok(abs(stormops.haversine_km(60.000122, 10.17986, 60.0, 10.0) - 9.99976) < 0.00001
          AND abs(stormops.haversine_km(89.96, 0, 89.96, 180) - 8.8956) < 0.0001,
  'haversine: the edge cases above are inside their footprints');

SELECT * FROM finish();
ROLLBACK;
