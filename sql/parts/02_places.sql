-- Places: ZIP codes and census tracts (small reference tables), properties
-- and what is known about each property (per-property tables carry
-- property_id so they can be distributed by it).

CREATE FUNCTION stormops.is_zip(code pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT code OPERATOR(pg_catalog.~) '^[0-9]{5}$';
END;

CREATE FUNCTION stormops.is_tract_geoid(geoid pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT geoid OPERATOR(pg_catalog.~) '^[0-9]{11}$';
END;

CREATE TABLE stormops.zip_codes (
  zip                   pg_catalog.text PRIMARY KEY
                        CONSTRAINT zip_codes_zip_format CHECK (stormops.is_zip(zip)),
  city                  pg_catalog.text,
  state                 pg_catalog.text
                        CONSTRAINT zip_codes_state_format CHECK (state OPERATOR(pg_catalog.~) '^[A-Z]{2}$'),
  housing_units         pg_catalog.int4
                        CONSTRAINT zip_codes_housing_units_range CHECK (housing_units OPERATOR(pg_catalog.>=) 0),
  owner_occupied_units  pg_catalog.int4
                        CONSTRAINT zip_codes_owner_units_range CHECK (owner_occupied_units OPERATOR(pg_catalog.>=) 0),
  lat                   pg_catalog.float8
                        CONSTRAINT zip_codes_lat_range CHECK (lat OPERATOR(pg_catalog.>=) -90 AND lat OPERATOR(pg_catalog.<=) 90),
  lon                   pg_catalog.float8
                        CONSTRAINT zip_codes_lon_range CHECK (lon OPERATOR(pg_catalog.>=) -180 AND lon OPERATOR(pg_catalog.<=) 180),
  -- 0.2.0 (sql/updates/stormops--0.1.0--0.2.0.sql adds it the same way)
  time_zone             pg_catalog.text
                        CONSTRAINT zip_codes_time_zone_known CHECK (stormops.is_time_zone(time_zone))
);
COMMENT ON TABLE stormops.zip_codes IS
  'ZIP codes (ZCTAs) with housing figures; a reference table. Competition is per housing unit.';
COMMENT ON COLUMN stormops.zip_codes.time_zone IS
  'IANA time zone of the ZIP, e.g. America/Chicago; NULL reads as stormops.default_time_zone. Contact windows are local to it.';

CREATE TABLE stormops.census_tracts (
  tract_geoid              pg_catalog.text PRIMARY KEY
                           CONSTRAINT census_tracts_geoid_format CHECK (stormops.is_tract_geoid(tract_geoid)),
  median_household_income  pg_catalog.int4
                           CONSTRAINT census_tracts_income_range CHECK (median_household_income OPERATOR(pg_catalog.>=) 0),
  homeownership_rate       pg_catalog.numeric
                           CONSTRAINT census_tracts_homeownership_range
                           CHECK (homeownership_rate OPERATOR(pg_catalog.>=) 0 AND homeownership_rate OPERATOR(pg_catalog.<=) 1),
  ses_tier                 pg_catalog.text
                           CONSTRAINT census_tracts_ses_tier_known
                           CHECK (ses_tier OPERATOR(pg_catalog.=) ANY ('{High,Medium,Low}'::pg_catalog.text[])),
  embedding                pg_catalog.float4[]
                           CONSTRAINT census_tracts_embedding_valid CHECK (stormops.embedding_is_valid(embedding))
);
COMMENT ON TABLE stormops.census_tracts IS
  'Census tracts with demographics and a neighbourhood embedding; a reference table.';

CREATE TABLE stormops.properties (
  property_id        pg_catalog.text PRIMARY KEY
                     CONSTRAINT properties_id_not_empty CHECK (property_id OPERATOR(pg_catalog.<>) ''),
  zip                pg_catalog.text NOT NULL
                     CONSTRAINT properties_zip_format CHECK (stormops.is_zip(zip)),
  tract_geoid        pg_catalog.text REFERENCES stormops.census_tracts (tract_geoid),
  lat                pg_catalog.float8
                     CONSTRAINT properties_lat_range CHECK (lat OPERATOR(pg_catalog.>=) -90 AND lat OPERATOR(pg_catalog.<=) 90),
  lon                pg_catalog.float8
                     CONSTRAINT properties_lon_range CHECK (lon OPERATOR(pg_catalog.>=) -180 AND lon OPERATOR(pg_catalog.<=) 180),
  roof_install_year  pg_catalog.int4
                     CONSTRAINT properties_roof_year_range
                     CHECK (roof_install_year OPERATOR(pg_catalog.>=) 1800 AND roof_install_year OPERATOR(pg_catalog.<=) 2200),
  persona            pg_catalog.text,
  customer_id        pg_catalog.text,
  is_past_customer   pg_catalog.bool NOT NULL DEFAULT false,
  lifetime_value     pg_catalog.int4
                     CONSTRAINT properties_ltv_range CHECK (lifetime_value OPERATOR(pg_catalog.>=) 0),
  embedding          pg_catalog.float4[]
                     CONSTRAINT properties_embedding_valid CHECK (stormops.embedding_is_valid(embedding))
);
COMMENT ON TABLE stormops.properties IS
  'Every property a play may target; distributed by property_id.';
-- Embeddings stay in the row (MAIN), not in TOAST: a similarity scan then
-- reads them where they are. Measured in bench/similarity: 1,024-dimension
-- embeddings scan 2.4x faster than with the default (which moves rows over
-- 2 kB out of line); up to ~480 dimensions rows are inline either way, and
-- MAIN still moves out of line what cannot fit a page, so nothing is refused.
ALTER TABLE stormops.properties ALTER COLUMN embedding SET STORAGE MAIN;
ALTER TABLE stormops.census_tracts ALTER COLUMN embedding SET STORAGE MAIN;
CREATE INDEX properties_zip_idx ON stormops.properties (zip);
CREATE INDEX properties_tract_idx ON stormops.properties (tract_geoid);
CREATE INDEX properties_customer_idx ON stormops.properties (customer_id)
  WHERE customer_id IS NOT NULL;
-- Footprint searches (a storm report's radius) start from a latitude band.
CREATE INDEX properties_lat_lon_idx ON stormops.properties (lat, lon);

CREATE TABLE stormops.cohorts (
  cohort_name  pg_catalog.text NOT NULL
               CONSTRAINT cohorts_name_not_empty CHECK (cohort_name OPERATOR(pg_catalog.<>) ''),
  property_id  pg_catalog.text NOT NULL REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  PRIMARY KEY (cohort_name, property_id)
);
COMMENT ON TABLE stormops.cohorts IS
  'Named reference sets of properties, e.g. top_50_high_margin_conversions, used by similarity targeting.';
CREATE INDEX cohorts_property_idx ON stormops.cohorts (property_id);

CREATE TABLE stormops.property_scores (
  property_id    pg_catalog.text PRIMARY KEY REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  uplift_score   pg_catalog.float8,
  churn_risk     pg_catalog.float8
                 CONSTRAINT property_scores_churn_range
                 CHECK (churn_risk OPERATOR(pg_catalog.>=) 0 AND churn_risk OPERATOR(pg_catalog.<=) 1),
  ltv_score      pg_catalog.float8,
  model_version  pg_catalog.text,
  scored_at      pg_catalog.timestamptz,
  -- 0.2.0 (the update script adds it the same way)
  response_score pg_catalog.float8
                 CONSTRAINT property_scores_response_range
                 CHECK (response_score OPERATOR(pg_catalog.>=) 0 AND response_score OPERATOR(pg_catalog.<=) 1),
  diffusion_score      pg_catalog.float8
                       CONSTRAINT property_scores_diffusion_range
                       CHECK (diffusion_score OPERATOR(pg_catalog.>=) 0 AND diffusion_score OPERATOR(pg_catalog.<=) 1),
  diffusion_percentile pg_catalog.float8
                       CONSTRAINT property_scores_diffusion_percentile_range
                       CHECK (diffusion_percentile OPERATOR(pg_catalog.>=) 0 AND diffusion_percentile OPERATOR(pg_catalog.<=) 100)
);
COMMENT ON TABLE stormops.property_scores IS 'Model outputs, one row per property.';
COMMENT ON COLUMN stormops.property_scores.response_score IS
  'P(response | contacted) by the active response model (score_properties); NULL before one is active.';
COMMENT ON COLUMN stormops.property_scores.diffusion_score IS
  'Personalized PageRank of word-of-mouth diffusion from past and recent customers (refresh_diffusion, docs/diffusion.md); NULL before the first refresh.';
COMMENT ON COLUMN stormops.property_scores.diffusion_percentile IS
  '100 * percent_rank of diffusion_score among all properties at the refresh: the share (in %) of the others with a lower score. The targeting key diffusion.min_score compares with it.';
