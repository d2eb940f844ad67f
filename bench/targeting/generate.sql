-- generate.sql: a deterministic, metro-scale Dallas-Fort Worth market for the
-- targeting benchmark and for differential tests of targeting rules.
--
--   psql -X -v ON_ERROR_STOP=1 -v scale=1.0 -f bench/targeting/generate.sql
--
-- :scale (default 1.0) scales every per-property table; tests use 0.002.
--   properties         1,000,000 * scale over ~250 ZIPs of uneven size
--   census_tracts      ~1,300 (fixed), 11-digit GEOIDs in Dallas 48113,
--                      Collin 48085, Denton 48121, Tarrant 48439 counties
--   property_impacts   300,000 * scale over 3 hail storms
--   behavior_events    ~2,000,000 * scale (two years before 2019-03-24)
--   property_scores    one row per property
--   zip_codes, zip_competition   every ZIP
--   competitor_permits 50,000 * scale
--   cohorts            'top_50_high_margin_conversions' (50 properties)
-- Needs CREATE EXTENSION stormops and empty stormops tables. Loads with
-- set-based INSERT ... SELECT (no row loops), then ANALYZE.
--
-- Typed-in published facts (as in test/demo/dfw_data.sql): the centroids of
-- the seed plays' ZIPs 75034, 75035 (Frisco), 75230, 75225 (Dallas) from the
-- 2020 Census ZCTAs, and the time and size of the 24 March 2019 Frisco/Allen
-- hailstorm (NOAA Storm Events, episode 135504). Everything else is made up.
--
-- Determinism: setseed() plus random() drawn in a fixed row order (sources
-- ordered or generate_series-driven, no parallel plans, no synchronized scans).
-- random() is always in the target list of a row-producing query (never in an
-- uncorrelated subquery or LATERAL, which would be evaluated only once).
--
-- The benchmark's evaluation context: event_id 'noaa_ep_135504_hail',
-- as_of '2019-03-27 12:00:00-05' (three days after the Frisco storm).

\if :{?scale}
\else
  \set scale 1.0
\endif
\set ON_ERROR_STOP 1

SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;   -- one fixed row order for random()
SET synchronize_seqscans = off;
SET jit = off;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM stormops.properties) OR EXISTS (SELECT 1 FROM stormops.census_tracts)
     OR EXISTS (SELECT 1 FROM stormops.zip_codes) OR EXISTS (SELECT 1 FROM stormops.storm_events) THEN
    RAISE EXCEPTION 'generate.sql needs empty stormops tables';
  END IF;
END $$;

CREATE TEMP TABLE gen_params AS
SELECT :scale::numeric                           AS scale,
       round(1000000 * :scale::numeric)::int     AS n_props,
       round(300000 * :scale::numeric)::int      AS n_impacts,
       round(50000 * :scale::numeric)::int       AS n_permits,
       1300                                      AS n_tracts_target;

SELECT FROM setseed(0.20190324);
\timing on

-- ---------------------------------------------------------------------------
-- ZIPs: about 250 of 75001-75099, 75201-75287, 76001-76099; county by range;
-- centroid inside the county's box; uneven size weights.
-- ---------------------------------------------------------------------------
\echo '== zip codes'
CREATE TEMP TABLE gen_county (county text PRIMARY KEY, name text, city text,
                              lat_min float8, lat_max float8, lon_min float8, lon_max float8,
                              income_base int);
INSERT INTO gen_county VALUES
  ('48113', 'Dallas',  'Dallas',     32.60, 32.98, -97.00, -96.55,  62000),
  ('48085', 'Collin',  'Plano',      33.00, 33.36, -96.85, -96.45, 105000),
  ('48121', 'Denton',  'Denton',     33.00, 33.36, -97.35, -96.87,  90000),
  ('48439', 'Tarrant', 'Fort Worth', 32.58, 32.98, -97.52, -97.05,  68000);

-- The seed plays' ZIPs: typed-in centroids, incomes, sizes and competition.
CREATE TEMP TABLE gen_seed_zip (zip text PRIMARY KEY, county text, city text, lat float8, lon float8,
                                weight float8, income_base int, pressure numeric, white_space numeric);
INSERT INTO gen_seed_zip VALUES
  ('75230', '48113', 'Dallas', 32.902679, -96.793393, 2.0, 135000, 0.70, 30),
  ('75225', '48113', 'Dallas', 32.864887, -96.790359, 1.6, 160000, 0.75, 25),
  ('75034', '48085', 'Frisco', 33.121286, -96.838536, 3.0, 125000, 0.35, 65),
  ('75035', '48085', 'Frisco', 33.163588, -96.776622, 3.5, 118000, 0.30, 72);

CREATE TEMP TABLE gen_zip AS
WITH cand AS (
  SELECT z::text AS zip FROM generate_series(75001, 75099) z
  UNION ALL SELECT z::text FROM generate_series(75201, 75287) z
  UNION ALL SELECT z::text FROM generate_series(76001, 76099) z
), drawn AS (
  SELECT c.zip, random() AS r_keep, random() AS r_w, random() AS r_lat, random() AS r_lon,
         random() AS r_inc, random() AS r_press, random() AS r_ws, random() AS r_own
    FROM (SELECT zip FROM cand ORDER BY zip) c
), kept AS (
  SELECT d.*,
         coalesce(s.county,
                  CASE WHEN d.zip LIKE '752%' THEN '48113'
                       WHEN d.zip LIKE '760%' THEN '48439'
                       ELSE (ARRAY['48113', '48085', '48121'])[1 + d.zip::int % 3] END) AS county,
         s.zip IS NOT NULL AS is_seed, s.lat AS s_lat, s.lon AS s_lon, s.weight AS s_weight,
         s.income_base AS s_income, s.pressure AS s_pressure, s.white_space AS s_white_space, s.city AS s_city
    FROM drawn d LEFT JOIN gen_seed_zip s USING (zip)
   WHERE d.r_keep < 0.875 OR s.zip IS NOT NULL
)
SELECT k.zip, k.county, k.is_seed,
       coalesce(k.s_city, c.city) AS city,
       coalesce(k.s_lat, c.lat_min + k.r_lat * (c.lat_max - c.lat_min)) AS lat,
       coalesce(k.s_lon, c.lon_min + k.r_lon * (c.lon_max - c.lon_min)) AS lon,
       coalesce(k.s_weight, 0.3 + 2.5 * k.r_w ^ 2) AS weight,          -- uneven sizes
       coalesce(k.s_income, (c.income_base * (0.6 + 0.9 * k.r_inc))::int) AS income_base,
       coalesce(k.s_pressure, round((0.05 + 0.9 * k.r_press)::numeric, 3)) AS pressure,
       coalesce(k.s_white_space, round((100 * k.r_ws)::numeric, 1)) AS white_space,
       k.r_own,
       -- rank within the county: seed ZIPs first, so 75230 owns 48113010101/02
       row_number() OVER (PARTITION BY k.county ORDER BY NOT k.is_seed, k.zip) AS county_rank,
       count(*) OVER (PARTITION BY k.county) AS county_zips
  FROM kept k JOIN gen_county c USING (county);

-- Properties and tracts per ZIP, in proportion to the weights (cumulative
-- rounding: the property counts add up to n_props exactly).
ALTER TABLE gen_zip ADD COLUMN n_props int, ADD COLUMN first_n int, ADD COLUMN n_tracts int;
UPDATE gen_zip z
   SET first_n  = round(s.cum_lo * p.n_props)::int,
       n_props  = round(s.cum_hi * p.n_props)::int - round(s.cum_lo * p.n_props)::int,
       n_tracts = greatest(2, round(z.weight / s.total * p.n_tracts_target))::int
  FROM (SELECT zip,
               (sum(weight) OVER (ORDER BY zip) - weight) / sum(weight) OVER () AS cum_lo,
               sum(weight) OVER (ORDER BY zip) / sum(weight) OVER () AS cum_hi,
               sum(weight) OVER () AS total
          FROM gen_zip) s, gen_params p
 WHERE s.zip = z.zip;

-- every DFW ZIP is on Central time
INSERT INTO stormops.zip_codes (zip, city, state, housing_units, owner_occupied_units, lat, lon, time_zone)
SELECT z.zip, z.city, 'TX',
       (z.weight / t.total * 1100000)::int,
       (z.weight / t.total * 1100000 * (0.35 + 0.5 * z.r_own))::int,
       round(z.lat::numeric, 6), round(z.lon::numeric, 6), 'America/Chicago'
  FROM gen_zip z, (SELECT sum(weight) AS total FROM gen_zip) t
 ORDER BY z.zip;

INSERT INTO stormops.zip_competition (zip, competitor_pressure, white_space_score)
SELECT zip, pressure, white_space FROM gen_zip ORDER BY zip;

-- ---------------------------------------------------------------------------
-- Census tracts: GEOID = county || 4-digit (100 + rank of the ZIP in its
-- county) || 2-digit tract number, so Dallas' first ZIP (75230) holds
-- 48113010101 and 48113010102. Embeddings: a cluster centre per
-- (county, SES tier) plus noise, plus an income and a homeownership axis.
-- ---------------------------------------------------------------------------
\echo '== census tracts'
CREATE TEMP TABLE gen_tract_center AS
SELECT c.county, t.tier,
       ARRAY(SELECT (random() * 2 - 1) * 0.6 FROM generate_series(1, 14) d
              WHERE c.county IS NOT NULL AND t.tier IS NOT NULL) AS center   -- correlated: per row
  FROM (SELECT county FROM gen_county ORDER BY county) c
 CROSS JOIN (VALUES ('High'), ('Medium'), ('Low')) t(tier)
 ORDER BY c.county, t.tier;

CREATE TEMP TABLE gen_tract AS
WITH drawn AS (
  SELECT z.zip, z.county, z.county_rank, k, z.income_base, z.r_own,
         random() AS r_inc, random() AS r_home, random() AS r_null_inc, random() AS r_null_emb
    FROM (SELECT * FROM gen_zip ORDER BY zip) z
   CROSS JOIN LATERAL generate_series(1, z.n_tracts) k
), shaped AS (
  SELECT d.*,
         d.county || lpad(((100 + d.county_rank) * 100 + d.k)::text, 6, '0') AS tract_geoid,
         (d.income_base * (0.75 + 0.5 * d.r_inc))::int AS income
    FROM drawn d
)
SELECT s.tract_geoid, s.zip, s.county, s.income,
       s.r_null_inc, s.r_null_emb,
       round(least(0.97, greatest(0.05,
             0.30 + 0.5 * least(1.0, greatest(0.0, (s.income - 30000) / 120000.0))
                  + 0.25 * (s.r_home - 0.5)))::numeric, 3) AS homeownership,
       CASE WHEN s.income >= 100000 THEN 'High' WHEN s.income >= 55000 THEN 'Medium' ELSE 'Low' END AS tier
  FROM shaped s;

INSERT INTO stormops.census_tracts (tract_geoid, median_household_income, homeownership_rate, ses_tier, embedding)
SELECT t.tract_geoid,
       -- about 1% of tracts without income data (never the seed plays' tracts)
       CASE WHEN t.r_null_inc < 0.01 AND t.tract_geoid NOT IN ('48113010101', '48113010102') THEN NULL ELSE t.income END,
       t.homeownership, t.tier,
       CASE WHEN t.r_null_emb < 0.01 AND t.tract_geoid NOT IN ('48113010101', '48113010102') THEN NULL
            ELSE ARRAY(SELECT (c.center[d] + 0.075 * (random() - 0.5))::real
                         FROM generate_series(1, 14) d WHERE t.tract_geoid IS NOT NULL)   -- correlated
                 || ARRAY[(t.income / 400000.0)::real, (t.homeownership * 0.5)::real]
       END
  FROM (SELECT * FROM gen_tract ORDER BY tract_geoid) t
  JOIN gen_tract_center c ON c.county = t.county AND c.tier = t.tier
 ORDER BY t.tract_geoid;

-- ---------------------------------------------------------------------------
-- Properties: per ZIP, positions around its centroid (clamped to the DFW box
-- 32.5..33.4 N, -97.6..-96.4 W), a tract of the ZIP (3% a tract of the
-- county's next ZIP, 0.5% none), roof year 1980..2023 (2% unknown), persona
-- (2% NULL), 5% past customers, 16-dim embeddings clustered by persona (1% NULL).
-- ---------------------------------------------------------------------------
\echo '== properties'
CREATE TEMP TABLE gen_persona_center AS
WITH base AS (SELECT ARRAY(SELECT 0.15 + 0.2 * random() FROM generate_series(1, 16)) AS b)
SELECT p.persona, p.ord,
       ARRAY(SELECT base.b[d] + CASE WHEN p.persona IS NULL THEN 0 ELSE (random() * 2 - 1) * 0.55 END
               FROM generate_series(1, 16) d WHERE p.ord IS NOT NULL) AS center   -- correlated: per row
  FROM base,
       (VALUES ('Proof_Seeker', 1), ('Family_Protector', 2), ('Status_Conscious', 3),
               ('Procrastinator', 4), (NULL, 5)) p(persona, ord)
 ORDER BY p.ord;

INSERT INTO stormops.properties (property_id, zip, tract_geoid, lat, lon, roof_install_year, persona,
                                 customer_id, is_past_customer, lifetime_value, embedding)
WITH drawn AS (
  SELECT z.zip, z.county, z.county_rank, z.county_zips, z.n_tracts, z.lat AS zlat, z.lon AS zlon, z.weight,
         z.first_n + g AS n,
         random() AS r_lat1, random() AS r_lat2, random() AS r_lon1, random() AS r_lon2,
         random() AS r_tract, random() AS r_cross, random() AS r_roof, random() AS r_roofnull,
         random() AS r_persona, random() AS r_past, random() AS r_ltv, random() AS r_embnull, random() AS r_posnull
    FROM (SELECT * FROM gen_zip ORDER BY zip) z
   CROSS JOIN LATERAL generate_series(1, z.n_props) g
), shaped AS (
  SELECT d.*,
         CASE WHEN d.r_persona < 0.30 THEN 'Proof_Seeker'
              WHEN d.r_persona < 0.59 THEN 'Family_Protector'
              WHEN d.r_persona < 0.79 THEN 'Status_Conscious'
              WHEN d.r_persona < 0.98 THEN 'Procrastinator' END AS persona,
         -- the tract: one of the ZIP's, else (3%) one of the county's next ZIP's
         CASE WHEN d.r_cross < 0.005 THEN NULL
              WHEN d.r_cross < 0.035 THEN
                d.county || lpad(((100 + CASE WHEN d.county_rank < d.county_zips THEN d.county_rank + 1
                                              ELSE d.county_rank - 1 END) * 100
                                  + 1 + floor(d.r_tract * 2)::int)::text, 6, '0')
              ELSE d.county || lpad(((100 + d.county_rank) * 100 + 1 + floor(d.r_tract * d.n_tracts)::int)::text, 6, '0')
         END AS tract_geoid,
         0.012 + 0.012 * sqrt(d.weight) AS spread
    FROM drawn d
)
SELECT 'P' || lpad(s.n::text, 7, '0'),
       s.zip, s.tract_geoid,
       CASE WHEN s.r_posnull >= 0.001 THEN
         round(least(33.4, greatest(32.5, s.zlat + s.spread * (s.r_lat1 + s.r_lat2 - 1)))::numeric, 6)::float8 END,
       CASE WHEN s.r_posnull >= 0.001 THEN
         round(least(-96.4, greatest(-97.6, s.zlon + 1.2 * s.spread * (s.r_lon1 + s.r_lon2 - 1)))::numeric, 6)::float8 END,
       CASE WHEN s.r_roofnull >= 0.02 THEN 1980 + floor(44 * s.r_roof ^ 0.8)::int END,
       s.persona,
       CASE WHEN s.r_past < 0.05 THEN 'C' || lpad(s.n::text, 7, '0') END,
       s.r_past < 0.05,
       CASE WHEN s.r_past < 0.05 THEN (2000 + 38000 * s.r_ltv ^ 2)::int END,
       CASE WHEN s.r_embnull >= 0.01 THEN
         ARRAY(SELECT (pc.center[d] + 0.5 * (random() - 0.5))::real
                 FROM generate_series(1, 16) d WHERE s.n IS NOT NULL) END              -- correlated: per row
  FROM shaped s
  JOIN gen_persona_center pc ON pc.persona IS NOT DISTINCT FROM s.persona
 ORDER BY s.n;

-- ---------------------------------------------------------------------------
-- Storms: three hail events; each impacts the properties nearest its
-- centroid (45% / 30% / 25% of 300,000 * scale impacts), SII falling with
-- distance, raised by hail size and roof age, skewed towards low values.
-- The Frisco storm covers 75034/75035; North Dallas covers 75230/75225; the
-- older Plano storm overlaps both Frisco and North Dallas edges.
-- ---------------------------------------------------------------------------
\echo '== storms and impacts'
CREATE TEMP TABLE gen_storm (event_id text PRIMARY KEY, magnitude numeric, begin_at timestamptz,
                             end_at timestamptz, lat float8, lon float8, share float8, strength float8);
INSERT INTO gen_storm VALUES
  ('noaa_ep_135504_hail',        4.50, '2019-03-24 17:33:00-05', '2019-03-24 18:06:00-05', 33.148, -96.790, 0.45, 1.00),
  ('bench_2019_03_08_n_dallas',  2.00, '2019-03-08 16:10:00-06', '2019-03-08 16:40:00-06', 32.885, -96.792, 0.30, 0.90),
  ('bench_2018_06_06_plano',     2.75, '2018-06-06 19:20:00-05', '2018-06-06 19:55:00-05', 33.040, -96.760, 0.25, 0.95);

CREATE TEMP TABLE gen_hit AS
SELECT h.event_id, h.property_id, h.roof_install_year, h.dist_km, h.rn
  FROM (SELECT s.event_id, p.property_id, p.roof_install_year,
               sqrt(((p.lon - s.lon) * cos(radians(s.lat)) * 111.32) ^ 2 + ((p.lat - s.lat) * 110.57) ^ 2) AS dist_km,
               row_number() OVER (PARTITION BY s.event_id
                                  ORDER BY ((p.lon - s.lon) * cos(radians(s.lat))) ^ 2 + (p.lat - s.lat) ^ 2,
                                           p.property_id) AS rn
          FROM gen_storm s CROSS JOIN stormops.properties p
         WHERE p.lat IS NOT NULL) h
  JOIN gen_storm s USING (event_id), gen_params g
 WHERE h.rn <= round(g.n_impacts * s.share);

INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at, end_at, lat, lon, radius_km, source)
SELECT s.event_id, 'hail', s.magnitude, s.begin_at, s.end_at, s.lat, s.lon,
       round(greatest(1, (SELECT max(h.dist_km) FROM gen_hit h WHERE h.event_id = s.event_id))::numeric, 2)::float8,
       CASE WHEN s.event_id LIKE 'noaa%' THEN 'noaa' ELSE 'vendor' END
  FROM gen_storm s ORDER BY s.event_id;

INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
SELECT x.property_id, x.event_id,
       round(least(100, greatest(0,
         100 * x.strength * (1 - x.dist_km / x.max_km) ^ 1.3                     -- distance
         + CASE WHEN x.roof_install_year IS NULL THEN 0
                ELSE 8 * least(1, (2019 - x.roof_install_year) / 30.0) END      -- roof age
         + 14 * (x.r1 + x.r2 - 1)))::numeric, 1)                                -- noise
  FROM (SELECT h.*, s.strength, m.max_km, random() AS r1, random() AS r2
          FROM (SELECT * FROM gen_hit ORDER BY event_id, rn) h
          JOIN gen_storm s USING (event_id)
          JOIN (SELECT event_id, greatest(0.001, max(dist_km)) AS max_km FROM gen_hit GROUP BY event_id) m USING (event_id)
         ORDER BY h.event_id, h.rn) x
 ORDER BY x.property_id, x.event_id;

-- ---------------------------------------------------------------------------
-- Behaviour: past customers have a long history (contacts, responses at a
-- per-customer rate, opens, clicks, conversions with revenue); 40% of the
-- others were contacted a few times. Timestamps over the two years before
-- 2019-03-24.
-- ---------------------------------------------------------------------------
\echo '== behavior events'
INSERT INTO stormops.behavior_events (property_id, customer_id, event_type, channel, event_timestamp,
                                      complaint, revenue)
WITH who AS (
  SELECT p.property_id, p.customer_id, p.is_past_customer, p.persona,
         random() AS r_active, random() AS r_k, random() AS r_rate
    FROM stormops.properties p ORDER BY p.property_id
), counted AS (
  SELECT w.*,
         CASE WHEN w.is_past_customer THEN 8 + floor(25 * w.r_k)::int
              WHEN w.r_active < 0.40 THEN 1 + floor(4 * w.r_k)::int
              ELSE 0 END AS k
    FROM who w
), rows AS (
  SELECT c.property_id, c.customer_id, c.is_past_customer, c.persona, c.r_rate, g,
         random() AS u, random() AS r_ch, random() AS r_ts, random() AS r_rev
    FROM counted c CROSS JOIN LATERAL generate_series(1, c.k) g
   ORDER BY c.property_id, g
), typed AS (
  SELECT r.*,
         CASE WHEN r.is_past_customer THEN
                CASE WHEN r.u < 0.42 THEN 'contact'
                     WHEN r.u < 0.42 + 0.42 * 0.8 * r.r_rate THEN 'response'
                     WHEN r.u < 0.86 THEN 'open'
                     WHEN r.u < 0.91 THEN 'click'
                     WHEN r.u < 0.99 THEN 'conversion'
                     WHEN r.u < 0.995 THEN 'complaint'
                     ELSE 'opt_out' END
              ELSE
                CASE WHEN r.u < 0.60 THEN 'contact'
                     WHEN r.u < 0.82 THEN 'open'
                     WHEN r.u < 0.90 THEN 'click'
                     WHEN r.u < 0.95 THEN 'response'
                     WHEN r.u < 0.98 THEN 'opt_out'
                     WHEN r.u < 0.99 THEN 'complaint'
                     ELSE 'conversion' END
         END AS event_type
    FROM rows r
)
SELECT t.property_id, t.customer_id, t.event_type,
       (ARRAY['email', 'sms', 'phone', 'door_knock', 'direct_mail', 'paid_ads'])[1 + floor(6 * t.r_ch)::int],
       '2019-03-24 00:00:00-05'::timestamptz - t.r_ts * interval '730 days',
       t.event_type = 'complaint',
       CASE WHEN t.event_type = 'conversion' THEN
         (4000 + 26000 * t.r_rev ^ 1.5
               * CASE t.persona WHEN 'Status_Conscious' THEN 1.4 WHEN 'Proof_Seeker' THEN 1.2 ELSE 0.8 END)::int END
  FROM typed t;

-- ---------------------------------------------------------------------------
-- Model scores for every property (2% with no uplift), the seed's cohort,
-- competitors' permits.
-- ---------------------------------------------------------------------------
\echo '== scores, cohort, permits'
INSERT INTO stormops.property_scores (property_id, uplift_score, churn_risk, ltv_score, model_version, scored_at)
SELECT x.property_id,
       CASE WHEN x.r_null >= 0.02 THEN
         round((0.02 + 0.18 * x.r_up
                + CASE x.persona WHEN 'Proof_Seeker' THEN 0.08 WHEN 'Family_Protector' THEN 0.06
                                 WHEN 'Status_Conscious' THEN 0.04 ELSE 0 END
                + CASE WHEN x.is_past_customer THEN 0.05 ELSE 0 END)::numeric, 4)::float8 END,
       round(x.r_churn::numeric, 4)::float8,
       coalesce(x.lifetime_value, round(3000 + 9000 * x.r_ltv))::float8,
       'bench-1', '2019-03-01 00:00:00+00'
  FROM (SELECT p.property_id, p.persona, p.is_past_customer, p.lifetime_value,
               random() AS r_null, random() AS r_up, random() AS r_churn, random() AS r_ltv
          FROM stormops.properties p ORDER BY p.property_id) x;

-- The 50 properties with the highest conversion revenue (ties: property_id).
INSERT INTO stormops.cohorts (cohort_name, property_id)
SELECT 'top_50_high_margin_conversions', c.property_id
  FROM (SELECT be.property_id, sum(be.revenue) AS revenue
          FROM stormops.behavior_events be
         WHERE be.event_type = 'conversion'
         GROUP BY be.property_id
         ORDER BY revenue DESC, be.property_id
         LIMIT 50) c;

INSERT INTO stormops.competitor_permits (permit_id, zip, tract_geoid, contractor_id, contractor_name,
                                         contractor_tier, filed_at)
SELECT 'permit_' || x.n, x.zip, NULL, 'rival_' || x.rival, 'Rival Roofing ' || x.rival,
       (ARRAY['Tier1', 'Tier2', 'Tier3'])[1 + x.rival % 3],
       '2019-03-24 00:00:00-05'::timestamptz - x.r_ts * interval '730 days'
  FROM (SELECT n, z.zips[1 + floor(random() * cardinality(z.zips))::int] AS zip,
               1 + floor(40 * random() ^ 2)::int AS rival, random() AS r_ts
          FROM gen_params g,
               (SELECT array_agg(zip ORDER BY zip) AS zips FROM gen_zip) z,
               generate_series(1, g.n_permits) n
         ORDER BY n) x;

DROP TABLE gen_params, gen_county, gen_seed_zip, gen_zip, gen_tract_center, gen_tract,
           gen_persona_center, gen_storm, gen_hit;

\echo '== analyze'
ANALYZE stormops.zip_codes, stormops.zip_competition, stormops.census_tracts, stormops.properties,
        stormops.storm_events, stormops.property_impacts, stormops.behavior_events,
        stormops.property_scores, stormops.cohorts, stormops.competitor_permits;
\timing off

\echo '== loaded'
SELECT v.name AS "table", v.n AS "rows",
       pg_size_pretty(pg_total_relation_size(('stormops.' || v.name)::regclass)) AS "size with indexes"
  FROM (SELECT 'zip_codes' AS name, count(*) AS n, 1 AS ord FROM stormops.zip_codes
        UNION ALL SELECT 'zip_competition', count(*), 2 FROM stormops.zip_competition
        UNION ALL SELECT 'census_tracts', count(*), 3 FROM stormops.census_tracts
        UNION ALL SELECT 'properties', count(*), 4 FROM stormops.properties
        UNION ALL SELECT 'storm_events', count(*), 5 FROM stormops.storm_events
        UNION ALL SELECT 'property_impacts', count(*), 6 FROM stormops.property_impacts
        UNION ALL SELECT 'behavior_events', count(*), 7 FROM stormops.behavior_events
        UNION ALL SELECT 'property_scores', count(*), 8 FROM stormops.property_scores
        UNION ALL SELECT 'cohorts', count(*), 9 FROM stormops.cohorts
        UNION ALL SELECT 'competitor_permits', count(*), 10 FROM stormops.competitor_permits) v
 ORDER BY v.ord;
