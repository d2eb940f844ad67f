-- 5,000 generated properties for test/shell/diffusion_reference.sh, made to
-- test the neighbour graph's edge cases: a jittered grid (many neighbours
-- in range), exact duplicates (ties at 0 m), a regular grid whose east and
-- west neighbours tie, isolated points 2 km apart (no neighbour in range),
-- properties without coordinates, ids whose byte order is not their
-- dictionary order (ties go by bytes). Seeds: past customers, conversions
-- inside and outside the attribution window; referrals, some between
-- neighbours, some to properties without coordinates.
INSERT INTO stormops.properties (property_id, zip, lat, lon, is_past_customer)
SELECT CASE WHEN g % 3 = 0 THEN 'A-' ELSE 'a-' END || lpad(g::text, 4, '0') , '75034',
       33.10 + (g / 60) * 0.0005 + ((g * 7919) % 1000) / 1000.0 * 0.0002,
       -96.80 + (g % 60) * 0.0005 + ((g * 104729) % 1000) / 1000.0 * 0.0002,
       g % 23 = 0
  FROM generate_series(1, 3800) g;
-- exact duplicates of 300 of them
INSERT INTO stormops.properties (property_id, zip, lat, lon, is_past_customer)
SELECT 'dup-' || p.property_id, '75034', p.lat, p.lon, false
  FROM stormops.properties p ORDER BY p.property_id LIMIT 300;
-- a regular grid: a point's east and west neighbours are at the same distance
INSERT INTO stormops.properties (property_id, zip, lat, lon, is_past_customer)
SELECT 'Grid_' || g, '75035', 33.20 + (g / 20) * 0.0009, -96.70 + (g % 20) * 0.0009, g = 110
  FROM generate_series(0, 399) g;
-- isolated: nothing within 250 m
INSERT INTO stormops.properties (property_id, zip, lat, lon, is_past_customer)
SELECT 'zz-lonely-' || g, '75002', 32.50 + g * 0.02, -97.50, g % 50 = 0
  FROM generate_series(1, 300) g;
-- no coordinates
INSERT INTO stormops.properties (property_id, zip, is_past_customer)
SELECT 'nowhere-' || g, '75002', g % 40 = 0 FROM generate_series(1, 200) g;

-- conversions: 40 in the 30 days before the test's as_of (seeds), 40 older
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
SELECT 'a-' || lpad((g * 37 % 3800 + 1)::text, 4, '0'), 'conversion', 'phone',
       '2019-04-01 00:00+00'::timestamptz - (g % 29 + 1) * interval '1 day'
  FROM generate_series(1, 40) g WHERE (g * 37 % 3800 + 1) % 3 <> 0;
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
SELECT 'a-' || lpad((g * 53 % 3800 + 1)::text, 4, '0'), 'conversion', 'phone',
       '2019-04-01 00:00+00'::timestamptz - (g % 100 + 31) * interval '1 day'
  FROM generate_series(1, 40) g WHERE (g * 53 % 3800 + 1) % 3 <> 0;

-- referrals: into the grid, into properties without coordinates, between neighbours
INSERT INTO stormops.referrals (referrer_property_id, referred_property_id, referred_at)
SELECT DISTINCT r.referrer, r.referred, '2019-03-01 00:00+00'::timestamptz
  FROM (SELECT (SELECT property_id FROM stormops.properties WHERE is_past_customer ORDER BY md5(g::text || 'a') LIMIT 1) AS referrer,
               (SELECT property_id FROM stormops.properties ORDER BY md5(g::text || 'b') LIMIT 1) AS referred
          FROM generate_series(1, 120) g) r
 WHERE r.referrer <> r.referred;
INSERT INTO stormops.referrals (referrer_property_id, referred_property_id)
VALUES ('Grid_110', 'nowhere-7'), ('nowhere-40', 'Grid_111'), ('a-0002', 'a-0001')
ON CONFLICT DO NOTHING;
