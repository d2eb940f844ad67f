-- ZIP codes in (docs/storms.md, "ZIP codes"): the staged Census ZCTA rows
-- to zip_codes with their state and time zone. A code part.
--
-- Time zones come from the ZCTA's primary county: exactly for Texas (El Paso
-- and Hudspeth counties keep Mountain time, America/Denver; the rest of the
-- state America/Chicago) and for every state on one zone; a ZIP of a state
-- split between zones (Florida, Indiana, Kentucky, Tennessee, Michigan,
-- Kansas, Nebraska, the Dakotas, Idaho, Oregon, Arizona's Navajo Nation,
-- Alaska) gets none, and the load says how many: the operator sets those
-- (a wrong zone would put calls outside the hours the law allows). A zone
-- already set is never overwritten.

-- The USPS code of a state FIPS code; NULL for one we do not know.
CREATE OR REPLACE FUNCTION stormops.us_state_code(state_fips pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT v.code FROM (VALUES
    ('01', 'AL'), ('02', 'AK'), ('04', 'AZ'), ('05', 'AR'), ('06', 'CA'), ('08', 'CO'), ('09', 'CT'), ('10', 'DE'), ('11', 'DC'),
    ('12', 'FL'), ('13', 'GA'), ('15', 'HI'), ('16', 'ID'), ('17', 'IL'), ('18', 'IN'), ('19', 'IA'), ('20', 'KS'), ('21', 'KY'),
    ('22', 'LA'), ('23', 'ME'), ('24', 'MD'), ('25', 'MA'), ('26', 'MI'), ('27', 'MN'), ('28', 'MS'), ('29', 'MO'), ('30', 'MT'),
    ('31', 'NE'), ('32', 'NV'), ('33', 'NH'), ('34', 'NJ'), ('35', 'NM'), ('36', 'NY'), ('37', 'NC'), ('38', 'ND'), ('39', 'OH'),
    ('40', 'OK'), ('41', 'OR'), ('42', 'PA'), ('44', 'RI'), ('45', 'SC'), ('46', 'SD'), ('47', 'TN'), ('48', 'TX'), ('49', 'UT'),
    ('50', 'VT'), ('51', 'VA'), ('53', 'WA'), ('54', 'WV'), ('55', 'WI'), ('56', 'WY'), ('60', 'AS'), ('66', 'GU'), ('69', 'MP'), ('72', 'PR'),
    ('78', 'VI')) AS v(fips, code)
   WHERE v.fips OPERATOR(pg_catalog.=) state_fips;
END;

-- The IANA time zone of a county (5-digit FIPS), where one zone is sure:
-- Texas by county, single-zone states by state; NULL otherwise.
CREATE OR REPLACE FUNCTION stormops.us_county_time_zone(county_fips pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE
    -- Texas: El Paso (48141) and Hudspeth (48229) are on Mountain time
    WHEN county_fips OPERATOR(pg_catalog.=) ANY ('{48141,48229}'::pg_catalog.text[]) THEN 'America/Denver'
    WHEN pg_catalog.left(county_fips, 2) OPERATOR(pg_catalog.=) '48' THEN 'America/Chicago'
    -- the states on one zone
    ELSE (SELECT v.zone FROM (VALUES
        ('09', 'America/New_York'), ('10', 'America/New_York'), ('11', 'America/New_York'), ('13', 'America/New_York'),
        ('23', 'America/New_York'), ('24', 'America/New_York'), ('25', 'America/New_York'), ('33', 'America/New_York'),
        ('34', 'America/New_York'), ('36', 'America/New_York'), ('37', 'America/New_York'), ('39', 'America/New_York'),
        ('42', 'America/New_York'), ('44', 'America/New_York'), ('45', 'America/New_York'), ('50', 'America/New_York'),
        ('51', 'America/New_York'), ('54', 'America/New_York'), ('01', 'America/Chicago'), ('05', 'America/Chicago'),
        ('17', 'America/Chicago'), ('19', 'America/Chicago'), ('22', 'America/Chicago'), ('27', 'America/Chicago'),
        ('28', 'America/Chicago'), ('29', 'America/Chicago'), ('40', 'America/Chicago'), ('55', 'America/Chicago'),
        ('08', 'America/Denver'), ('30', 'America/Denver'), ('35', 'America/Denver'), ('49', 'America/Denver'),
        ('56', 'America/Denver'), ('06', 'America/Los_Angeles'), ('32', 'America/Los_Angeles'), ('53', 'America/Los_Angeles'),
        ('15', 'Pacific/Honolulu'), ('60', 'Pacific/Pago_Pago'), ('66', 'Pacific/Guam'), ('69', 'Pacific/Saipan'),
        ('72', 'America/Puerto_Rico'), ('78', 'America/St_Thomas')) AS v(fips, zone)
           WHERE v.fips OPERATOR(pg_catalog.=) pg_catalog.left(county_fips, 2))
  END;
END;
COMMENT ON FUNCTION stormops.us_county_time_zone(pg_catalog.text) IS
  'IANA time zone of a US county (FIPS), where the county decides it: Texas by county, one-zone states by state; NULL otherwise.';

-- Staged ZCTA rows to zip_codes (upserts: state, housing units, centroid;
-- the time zone only where none is set); bad rows to ingest_rejects.
CREATE OR REPLACE FUNCTION stormops.ingest_zctas()
RETURNS TABLE (zips pg_catalog.int4, with_time_zone pg_catalog.int4, without_time_zone pg_catalog.int4,
               rejected pg_catalog.int4)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  LOCK TABLE stormops.zcta_staging IN EXCLUSIVE MODE;
  WITH rows AS (
    SELECT s, CASE
             WHEN NOT coalesce(s.zcta5 ~ '^\d{5}$', false) THEN 'ZCTA5 is not a 5-digit code'
             WHEN NOT coalesce(s.primary_county ~ '^\d{5}$', false) THEN 'Primary County is not a 5-digit FIPS code'
             WHEN stormops.us_state_code(left(s.primary_county, 2)) IS NULL
               THEN format('Primary County %s is in no state we know', s.primary_county)
             WHEN NOT coalesce(s.housing_units ~ '^\d{1,9}$', false) THEN 'Housing Units is not a whole number'
             WHEN NOT coalesce(s.latitude ~ '^-?\d{1,2}(\.\d+)?$' AND s.latitude::numeric BETWEEN -90 AND 90, false)
               THEN 'Latitude is not a number from -90 to 90'
             WHEN NOT coalesce(s.longitude ~ '^-?\d{1,3}(\.\d+)?$' AND s.longitude::numeric BETWEEN -180 AND 180, false)
               THEN 'Longitude is not a number from -180 to 180'
           END AS reason
      FROM stormops.zcta_staging s
  ), rejects AS (
    INSERT INTO stormops.ingest_rejects (source, source_id, reason, row_data, row_hash)
    SELECT 'zcta', (r.s).zcta5, r.reason, to_jsonb(r.s), md5(to_jsonb(r.s)::text)
      FROM rows r WHERE r.reason IS NOT NULL
    ON CONFLICT (source, row_hash) DO NOTHING
  ), loaded AS (
    INSERT INTO stormops.zip_codes AS z (zip, state, housing_units, lat, lon, time_zone)
    SELECT DISTINCT ON ((r.s).zcta5) (r.s).zcta5, stormops.us_state_code(left((r.s).primary_county, 2)),
           (r.s).housing_units::int4, (r.s).latitude::float8, (r.s).longitude::float8,
           stormops.us_county_time_zone((r.s).primary_county)
      FROM rows r WHERE r.reason IS NULL
     ORDER BY (r.s).zcta5, (r.s).primary_county
    ON CONFLICT (zip) DO UPDATE
      SET state = EXCLUDED.state, housing_units = EXCLUDED.housing_units, lat = EXCLUDED.lat, lon = EXCLUDED.lon,
          time_zone = coalesce(z.time_zone, EXCLUDED.time_zone)
    RETURNING z.time_zone
  )
  SELECT (SELECT count(*) FROM loaded), (SELECT count(*) FROM loaded l WHERE l.time_zone IS NOT NULL),
         (SELECT count(*) FROM loaded l WHERE l.time_zone IS NULL),
         (SELECT count(*) FROM rows r WHERE r.reason IS NOT NULL)
    INTO zips, with_time_zone, without_time_zone, rejected;
  TRUNCATE stormops.zcta_staging;
  RETURN NEXT;
END;
$$;
COMMENT ON FUNCTION stormops.ingest_zctas() IS
  'Staged Census ZCTA rows to zip_codes with state and time zone (Texas exactly, one-zone states by state); bad rows to ingest_rejects.';
