-- A generated Dallas-Fort Worth market for the demo: 8 ZIPs, 32 tracts,
-- 4,000 properties, past customers with history, competition, and the
-- 24 March 2019 Frisco/Allen hailstorm with the impacts it computes.
--
-- Typed-in published facts: ZIP centroids, housing units and owner-occupied
-- units (Census 2020 ZCTAs, ACS 2023 B25003), median household incomes (ACS
-- 2006-2010), and the storm's NOAA Storm Events reports (episode 135504).
-- Everything else is generated, deterministically (setseed).

SELECT FROM setseed(0.2019);

INSERT INTO stormops.zip_codes (zip, city, state, housing_units, owner_occupied_units, lat, lon) VALUES
  ('75034', 'Frisco', 'TX', 23836,  8921, 33.121286, -96.838536),
  ('75035', 'Frisco', 'TX', 29198, 21312, 33.163588, -96.776622),
  ('75002', 'Allen',  'TX', 24174, 18226, 33.089854, -96.608600),
  ('75013', 'Allen',  'TX', 18341, 11162, 33.114327, -96.693964),
  ('75024', 'Plano',  'TX', 20362,  7162, 33.077854, -96.811028),
  ('75093', 'Plano',  'TX', 20852, 11732, 33.034224, -96.811608),
  ('75230', 'Dallas', 'TX', 14981,  8197, 32.902679, -96.793393),
  ('75225', 'Dallas', 'TX',  9839,  6880, 32.864887, -96.790359);

-- ZIP median household incomes (ACS 2006-2010), the base of each tract's.
CREATE TEMP TABLE demo_zip_income (zip text PRIMARY KEY, income int, county text, tract_base int);
INSERT INTO demo_zip_income VALUES
  ('75034', 108417, '48085', 30100), ('75035',  98176, '48085', 30200),
  ('75002',  93010, '48085', 31000), ('75013', 114866, '48085', 31100),
  ('75024',  98466, '48085', 31600), ('75093', 106348, '48085', 31700),
  ('75230',  97791, '48113', 10100), ('75225', 134159, '48113', 10200);

-- Four tracts per ZIP. Dallas 75230's first two are 48113010101 and
-- 48113010102, the Expansion-Lookalike play's "best tracts".
CREATE TEMP TABLE demo_tract_zip (tract_geoid text PRIMARY KEY, zip text);
INSERT INTO demo_tract_zip
SELECT z.county || lpad((z.tract_base + t)::text, 6, '0'), z.zip
  FROM demo_zip_income z, generate_series(1, 4) t;

INSERT INTO stormops.census_tracts (tract_geoid, median_household_income, homeownership_rate, ses_tier, embedding)
SELECT tz.tract_geoid, inc,
       round(least(0.95, greatest(0.25, zc.owner_occupied_units::numeric / zc.housing_units + (random()::numeric - 0.5) * 0.2)), 3),
       CASE WHEN inc >= 100000 THEN 'High' WHEN inc >= 60000 THEN 'Medium' ELSE 'Low' END,
       -- Neighbourhood embedding: income and ownership, plus a little noise,
       -- so that tracts alike in wealth and tenure are twins across counties.
       ARRAY[inc / 150000.0, zc.owner_occupied_units::float / zc.housing_units,
             random() * 0.05, random() * 0.05, random() * 0.05, random() * 0.05,
             random() * 0.05, random() * 0.05]::real[]
  FROM demo_tract_zip tz
  JOIN demo_zip_income zi USING (zip)
  JOIN stormops.zip_codes zc USING (zip)
  CROSS JOIN LATERAL (SELECT (zi.income * (0.75 + random() * 0.6))::int AS inc) i;

-- 500 properties per ZIP, spread around the ZIP's centroid, each in one of its
-- tracts. The draws are columns of one row each, so random() runs per row.
INSERT INTO stormops.properties (property_id, zip, tract_geoid, lat, lon, roof_install_year, persona,
                                 customer_id, is_past_customer, lifetime_value, embedding)
WITH draw AS (
  SELECT zc.zip, zc.lat, zc.lon, n, random() AS r_persona, random() < 0.06 AS past,
         random() AS r_lat, random() AS r_lon, random() AS r_roof, random() AS r_ltv,
         ARRAY[random(), random(), random(), random()] AS noise
    FROM stormops.zip_codes zc CROSS JOIN generate_series(1, 500) n
), persona AS (
  SELECT d.*, CASE WHEN r_persona < 0.30 THEN 'Proof_Seeker' WHEN r_persona < 0.60 THEN 'Family_Protector'
                   WHEN r_persona < 0.80 THEN 'Status_Conscious' ELSE 'Procrastinator' END AS persona
    FROM draw d
)
SELECT format('dfw_%s_%s', zip, lpad(n::text, 4, '0')), zip,
       (SELECT tract_geoid FROM demo_tract_zip tz WHERE tz.zip = p.zip ORDER BY tract_geoid OFFSET (n % 4) LIMIT 1),
       lat + (r_lat - 0.5) * 0.05, lon + (r_lon - 0.5) * 0.05,
       1988 + (r_roof ^ 0.8 * 33)::int,
       persona,
       CASE WHEN past THEN format('cust_%s_%s', zip, n) END, past,
       -- Proof seekers and the status-conscious buy the larger jobs.
       CASE WHEN past THEN (8000 + r_ltv * 20000
                            + CASE WHEN persona IN ('Proof_Seeker', 'Status_Conscious') THEN 12000 ELSE 0 END)::int END,
       -- Behavioural embedding: persona clusters, the two high-margin personas
       -- close to each other, plus noise.
       (CASE persona WHEN 'Proof_Seeker' THEN ARRAY[1, 0.8, 0, 0] WHEN 'Status_Conscious' THEN ARRAY[0.8, 1, 0, 0]
                     WHEN 'Family_Protector' THEN ARRAY[0, 0, 1, 0.3] ELSE ARRAY[0, 0, 0.3, 1] END
        || ARRAY[noise[1] * 0.3, noise[2] * 0.3, noise[3] * 0.3, noise[4] * 0.3])::real[]
  FROM persona p;

-- Model scores, with more uplift for the personas storms move.
INSERT INTO stormops.property_scores (property_id, uplift_score, churn_risk, ltv_score, model_version, scored_at)
SELECT property_id,
       round((random() * 0.2 + CASE persona WHEN 'Proof_Seeker' THEN 0.1 WHEN 'Family_Protector' THEN 0.08 ELSE 0 END)::numeric, 4),
       round(random()::numeric, 4), coalesce(lifetime_value, 0), 'demo-0', '2019-03-01 00:00+00'
  FROM stormops.properties;

-- Past customers' history: contacts, responses and their conversion in 2018.
INSERT INTO stormops.behavior_events (property_id, customer_id, event_type, channel, event_timestamp, revenue)
SELECT property_id, customer_id, kind, 'phone', '2018-01-15 15:00+00'::timestamptz + (k * interval '20 days'),
       CASE WHEN kind = 'conversion' THEN lifetime_value END
  FROM stormops.properties p
  CROSS JOIN generate_series(1, 4) k
  CROSS JOIN LATERAL (VALUES ('contact'), ('response')) e(kind0)
  CROSS JOIN LATERAL (SELECT CASE WHEN kind0 = 'response' AND k = 4 THEN 'conversion' ELSE kind0 END AS kind) kk
 WHERE p.is_past_customer AND (kind0 = 'contact' OR random() < 0.45);

-- The high-margin converters whose look-alikes Frisco-Alpha wants.
INSERT INTO stormops.cohorts (cohort_name, property_id)
SELECT 'top_50_high_margin_conversions', property_id
  FROM stormops.properties WHERE is_past_customer
 ORDER BY lifetime_value DESC, property_id LIMIT 50;

-- Competition: Dallas strongholds are contested, Frisco has white space.
INSERT INTO stormops.zip_competition (zip, competitor_pressure, white_space_score) VALUES
  ('75034', 0.35, 65), ('75035', 0.30, 72), ('75002', 0.55, 40), ('75013', 0.50, 45),
  ('75024', 0.60, 35), ('75093', 0.45, 52), ('75230', 0.70, 30), ('75225', 0.75, 25);
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at)
SELECT format('permit_%s', n), z.zip, format('rival_%s', n % 3), format('Rival Roofing %s', n % 3),
       (ARRAY['Tier1', 'Tier2', 'Tier3'])[1 + n % 3], '2019-01-01 00:00+00'::timestamptz + n * interval '2 days'
  FROM generate_series(1, 40) n
  JOIN LATERAL (SELECT zip FROM stormops.zip_codes ORDER BY zip OFFSET (n % 8) LIMIT 1) z ON true;

-- The 24 March 2019 Frisco/Allen hailstorm: NOAA episode 135504's hail
-- reports between 33.10-33.16 N and 96.67-96.81 W, 17:33-18:06 CST (UTC-6).
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at, end_at, source)
VALUES ('noaa_ep_135504_hail', 'hail', 4.50, '2019-03-24 17:33:00-06', '2019-03-24 18:06:00-06', 'noaa');
INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude, source)
SELECT 'noaa_' || id, 'noaa_ep_135504_hail', (at || '-06')::timestamptz, lat, lon, size, 'noaa'
  FROM (VALUES
    ('813144', '2019-03-24 17:33', 33.1500, -96.8100, 1.75),   -- Frisco
    ('813145', '2019-03-24 17:35', 33.1520, -96.7675, 2.75),   -- Frisco, Coit and Main
    ('813146', '2019-03-24 17:35', 33.1590, -96.6667, 2.00),   -- Fairview
    ('813147', '2019-03-24 17:40', 33.1577, -96.7157, 2.50),   -- Allen
    ('813148', '2019-03-24 17:40', 33.1520, -96.7157, 3.00),   -- Allen
    ('813149', '2019-03-24 17:43', 33.1444, -96.7091, 4.50),   -- Allen, softball size
    ('813151', '2019-03-24 17:48', 33.1000, -96.6800, 2.00),   -- Allen
    ('815571', '2019-03-24 17:48', 33.1000, -96.6800, 2.25),   -- Allen
    ('813152', '2019-03-24 17:54', 33.1523, -96.7590, 2.00),   -- Frisco, Main and Pinebridge
    ('813153', '2019-03-24 17:57', 33.1593, -96.7158, 3.00),   -- Allen
    ('813154', '2019-03-24 18:00', 33.1300, -96.6700, 2.00),   -- Allen
    ('813155', '2019-03-24 18:06', 33.1400, -96.7000, 2.50)    -- Allen
  ) AS r(id, at, lat, lon, size);
-- The event's centroid and footprint from its reports, as loading a NOAA
-- file would settle them (stormops.settle_events, docs/storms.md).
SELECT stormops.settle_events(ARRAY['noaa_ep_135504_hail']);
-- The storm impact index of every property in the reports' footprints
-- (stormops.compute_impacts, docs/storms.md).
SELECT stormops.compute_impacts('noaa_ep_135504_hail');

DROP TABLE demo_zip_income, demo_tract_zip;
