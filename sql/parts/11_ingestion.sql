-- Storm data in: NOAA Storm Events details files and SPC daily hail reports
-- (docs/storms.md). Operators \copy a file into a staging table, then call
-- the ingest function, which turns every good row into events and reports
-- (upserts: loading a file again changes nothing) and every bad row into a
-- reject with its reason. bin/stormops-load does both steps.

-- NCEI's StormEvents_details CSV, its 51 columns as text, header names in
-- lower case, in the file's order (so \copy ... CSV HEADER fills it).
CREATE TABLE stormops.noaa_details_staging (
  begin_yearmonth text, begin_day text, begin_time text, end_yearmonth text, end_day text, end_time text,
  episode_id text, event_id text, state text, state_fips text, year text, month_name text, event_type text,
  cz_type text, cz_fips text, cz_name text, wfo text, begin_date_time text, cz_timezone text, end_date_time text,
  injuries_direct text, injuries_indirect text, deaths_direct text, deaths_indirect text, damage_property text,
  damage_crops text, source text, magnitude text, magnitude_type text, flood_cause text, category text,
  tor_f_scale text, tor_length text, tor_width text, tor_other_wfo text, tor_other_cz_state text,
  tor_other_cz_fips text, tor_other_cz_name text, begin_range text, begin_azimuth text, begin_location text,
  end_range text, end_azimuth text, end_location text, begin_lat text, begin_lon text, end_lat text, end_lon text,
  episode_narrative text, event_narrative text, data_source text
);
COMMENT ON TABLE stormops.noaa_details_staging IS
  'Load with: \copy stormops.noaa_details_staging FROM ''StormEvents_details-....csv'' WITH (FORMAT csv, HEADER true, ENCODING ''LATIN1''), then SELECT * FROM stormops.ingest_noaa_details();';

-- SPC's daily hail CSV: Time,Size,Location,County,State,Lat,Lon,Comments.
CREATE TABLE stormops.spc_hail_staging (
  time text, size text, location text, county text, state text, lat text, lon text, comments text
);
COMMENT ON TABLE stormops.spc_hail_staging IS
  'Load with: \copy stormops.spc_hail_staging FROM ''190324_rpts_hail.csv'' WITH (FORMAT csv, HEADER true), then SELECT * FROM stormops.ingest_spc_hail(''2019-03-24'');';

CREATE TABLE stormops.ingest_rejects (
  reject_id    pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source       pg_catalog.text NOT NULL,
  source_id    pg_catalog.text,
  reason       pg_catalog.text NOT NULL,
  row_data     pg_catalog.jsonb NOT NULL,
  rejected_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  row_hash     pg_catalog.text NOT NULL,
  UNIQUE (source, row_hash)
);
COMMENT ON TABLE stormops.ingest_rejects IS
  'Rows of loaded storm files that could not be used, with the reason; a row rejected twice is kept once.';

-- NOAA's event types as lower-case identifiers: Hail -> hail, Thunderstorm
-- Wind -> wind, Tornado -> tornado, others lower case with underscores.
CREATE FUNCTION stormops.noaa_event_type(event_type pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE event_type
           WHEN 'Hail' THEN 'hail'
           WHEN 'Thunderstorm Wind' THEN 'wind'
           WHEN 'Tornado' THEN 'tornado'
           ELSE NULLIF(pg_catalog.btrim(pg_catalog.regexp_replace(pg_catalog.lower(event_type),
                  '[^a-z0-9]+', '_', 'g'), '_'), '')
         END;
END;

-- BEGIN_DATE_TIME like '24-MAR-19 17:35:00' read in the zone CZ_TIMEZONE
-- names ('CST-6' is UTC-6: the number is the offset in hours); NULL when
-- either cannot be read. Two-digit years 50..99 are 19xx, 00..49 20xx.
CREATE FUNCTION stormops.noaa_timestamp(date_time pg_catalog.text, zone pg_catalog.text)
RETURNS pg_catalog.timestamptz
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  d text[] := regexp_match(date_time, '^(\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$');
  offset_hours text := (regexp_match(zone, '^[A-Za-z]*([+-]?\d{1,2})$'))[1];
  month int;
  year int;
BEGIN
  IF d IS NULL OR offset_hours IS NULL THEN
    RETURN NULL;
  END IF;
  month := array_position('{JAN,FEB,MAR,APR,MAY,JUN,JUL,AUG,SEP,OCT,NOV,DEC}'::text[], upper(d[2]));
  year := d[3]::int + CASE WHEN d[3]::int >= 50 THEN 1900 ELSE 2000 END;
  -- checked field by field rather than caught: no subtransaction per row,
  -- and the function stays safe in parallel workers
  IF month IS NULL OR d[1]::int < 1
     OR d[1]::int > extract(day FROM make_date(year, month, 1) + interval '1 month - 1 day')
     OR d[4]::int > 23 OR d[5]::int > 59 OR d[6]::int > 59 THEN
    RETURN NULL;   -- 31-FEB-19 and the like
  END IF;
  -- local time minus its offset is UTC
  RETURN (make_timestamp(year, month, d[1]::int, d[4]::int, d[5]::int, d[6]::float8)
          - offset_hours::int * interval '1 hour') AT TIME ZONE 'UTC';
END;
$$;

-- A field read as a number: number NULL for an empty field, not_a_number
-- for text that is neither.
CREATE TYPE stormops.parsed_number AS (number pg_catalog.numeric, not_a_number pg_catalog.bool);

CREATE FUNCTION stormops.parse_decimal(value pg_catalog.text)
RETURNS stormops.parsed_number
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT ROW(CASE WHEN pg_catalog.btrim(value) OPERATOR(pg_catalog.~) '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$'
              THEN pg_catalog.btrim(value)::pg_catalog.numeric END,
         COALESCE(pg_catalog.btrim(value), '') OPERATOR(pg_catalog.<>) ''
           AND NOT pg_catalog.btrim(value) OPERATOR(pg_catalog.~) '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$')::stormops.parsed_number;
END;

-- Events get their centroid, footprint and time span from all their reports
-- (an episode may span files); used by both ingest functions.
CREATE FUNCTION stormops.settle_events(event_ids pg_catalog.text[])
RETURNS void
LANGUAGE sql
BEGIN ATOMIC
  UPDATE stormops.storm_events e
     SET lat = c.lat, lon = c.lon,
         radius_km = c.spread OPERATOR(pg_catalog.+) stormops.default_report_radius_km(e.event_type, c.magnitude)
    FROM (SELECT r.event_id, pg_catalog.avg(r.lat) AS lat, pg_catalog.avg(r.lon) AS lon, pg_catalog.max(r.magnitude) AS magnitude,
                 pg_catalog.max(stormops.haversine_km(a.lat, a.lon, r.lat, r.lon)) AS spread
            FROM stormops.storm_reports r
            JOIN (SELECT r2.event_id, pg_catalog.avg(r2.lat) AS lat, pg_catalog.avg(r2.lon) AS lon
                    FROM stormops.storm_reports r2 WHERE r2.event_id OPERATOR(pg_catalog.=) ANY (event_ids)
                   GROUP BY r2.event_id) a ON a.event_id OPERATOR(pg_catalog.=) r.event_id
           GROUP BY r.event_id) c
   WHERE e.event_id OPERATOR(pg_catalog.=) c.event_id;
END;

-- Turns the staged NOAA rows into storm_events (one per episode and event
-- type) and storm_reports (one per NOAA event with a location), rejects the
-- rest with their reason, and empties the staging table.
CREATE FUNCTION stormops.ingest_noaa_details()
RETURNS TABLE (events pg_catalog.int4, reports pg_catalog.int4, rejected pg_catalog.int4)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  touched text[];
BEGIN
  -- rows staged by others wait for their own ingest; loaders should lock
  -- before their \copy (bin/stormops-load does), else two can deadlock here
  LOCK TABLE stormops.noaa_details_staging IN EXCLUSIVE MODE;

  CREATE TEMP TABLE stormops_noaa_rows ON COMMIT DROP AS
  SELECT s, stormops.noaa_event_type(s.event_type) AS kind,
         stormops.noaa_timestamp(s.begin_date_time, s.cz_timezone) AS begin_at,
         stormops.noaa_timestamp(s.end_date_time, s.cz_timezone) AS end_at,
         stormops.parse_decimal(s.begin_lat) AS lat, stormops.parse_decimal(s.begin_lon) AS lon,
         stormops.parse_decimal(s.magnitude) AS mag
    FROM stormops.noaa_details_staging s;
  ALTER TABLE stormops_noaa_rows ADD COLUMN reason text;
  UPDATE stormops_noaa_rows SET reason = CASE
      WHEN NOT coalesce((s).episode_id ~ '^\d{1,18}$', false) THEN 'EPISODE_ID is missing or not a number'
      WHEN NOT coalesce((s).event_id ~ '^\d{1,18}$', false) THEN 'EVENT_ID is missing or not a number'
      WHEN kind IS NULL THEN 'EVENT_TYPE is missing'
      WHEN kind !~ '^[a-z]' THEN format('EVENT_TYPE %L does not start with a letter', (s).event_type)
      WHEN begin_at IS NULL THEN format('BEGIN_DATE_TIME %L in CZ_TIMEZONE %L cannot be read', (s).begin_date_time, (s).cz_timezone)
      WHEN (lat).not_a_number OR (lon).not_a_number THEN 'BEGIN_LAT or BEGIN_LON is not a number'
      WHEN (lat).number NOT BETWEEN -90 AND 90 THEN format('BEGIN_LAT %s is outside -90..90', (lat).number)
      WHEN (lon).number NOT BETWEEN -180 AND 180 THEN format('BEGIN_LON %s is outside -180..180', (lon).number)
      WHEN ((lat).number IS NULL) <> ((lon).number IS NULL) THEN 'only one of BEGIN_LAT and BEGIN_LON is given'
      WHEN (mag).not_a_number THEN 'MAGNITUDE is not a number'
      WHEN (mag).number < 0 THEN 'MAGNITUDE is negative'
    END;

  INSERT INTO stormops.ingest_rejects (source, source_id, reason, row_data, row_hash)
  SELECT 'noaa', (s).event_id, reason, to_jsonb(s), md5(to_jsonb(s)::text)
    FROM stormops_noaa_rows WHERE reason IS NOT NULL
  ON CONFLICT (source, row_hash) DO NOTHING;
  SELECT count(*) INTO rejected FROM stormops_noaa_rows WHERE reason IS NOT NULL;

  -- NOAA gives thunderstorm wind in knots; storm_events keeps mph
  WITH good AS (
    SELECT 'noaa_ep_' || (s).episode_id || '_' || kind AS ev, kind, begin_at,
           greatest(coalesce(end_at, begin_at), begin_at) AS end_at,
           CASE WHEN kind = 'wind' THEN round((mag).number * 1.15078, 1) ELSE (mag).number END AS magnitude
      FROM stormops_noaa_rows WHERE reason IS NULL
  ), upserted AS (
    INSERT INTO stormops.storm_events AS e (event_id, event_type, magnitude, begin_at, end_at, source)
    SELECT ev, min(kind), max(magnitude), min(begin_at), max(end_at), 'noaa' FROM good GROUP BY ev
    ON CONFLICT (event_id) DO UPDATE
      SET magnitude = greatest(e.magnitude, EXCLUDED.magnitude),
          begin_at = least(e.begin_at, EXCLUDED.begin_at),
          end_at = greatest(e.end_at, EXCLUDED.end_at)
    RETURNING e.event_id
  )
  SELECT count(*), array_agg(event_id) INTO events, touched FROM upserted;

  WITH good AS (
    SELECT 'noaa_' || (s).event_id AS report_id, 'noaa_ep_' || (s).episode_id || '_' || kind AS ev,
           begin_at, (lat).number AS lat, (lon).number AS lon,
           CASE WHEN kind = 'wind' THEN round((mag).number * 1.15078, 1) ELSE (mag).number END AS magnitude
      FROM stormops_noaa_rows WHERE reason IS NULL AND (lat).number IS NOT NULL
  )
  INSERT INTO stormops.storm_reports AS r (report_id, event_id, reported_at, lat, lon, magnitude, source)
  -- an EVENT_ID twice in one load: the later report wins, whatever the row order
  SELECT DISTINCT ON (report_id) report_id, ev, begin_at, lat, lon, magnitude, 'noaa' FROM good
   ORDER BY report_id, begin_at DESC, ev DESC, lat, lon, magnitude
  ON CONFLICT (report_id) DO UPDATE
    SET event_id = EXCLUDED.event_id, reported_at = EXCLUDED.reported_at, lat = EXCLUDED.lat,
        lon = EXCLUDED.lon, magnitude = EXCLUDED.magnitude
    WHERE (r.event_id, r.reported_at, r.lat, r.lon, r.magnitude) IS DISTINCT FROM
          (EXCLUDED.event_id, EXCLUDED.reported_at, EXCLUDED.lat, EXCLUDED.lon, EXCLUDED.magnitude);
  SELECT count(DISTINCT (s).event_id) INTO reports FROM stormops_noaa_rows WHERE reason IS NULL AND (lat).number IS NOT NULL;

  PERFORM stormops.settle_events(coalesce(touched, '{}'));
  TRUNCATE stormops.noaa_details_staging;
  DROP TABLE stormops_noaa_rows;
  RETURN NEXT;
END;
$$;
COMMENT ON FUNCTION stormops.ingest_noaa_details() IS
  'Staged NOAA Storm Events details rows to storm_events and storm_reports; bad rows to ingest_rejects (docs/storms.md).';

-- Turns staged SPC hail rows of one convective day (12:00 UTC on report_date
-- to 12:00 UTC the next day; times are UTC, HHMM) into storm_reports and one
-- storm_event per state, 'spc_<yyyymmdd>_hail_<state>'.
CREATE FUNCTION stormops.ingest_spc_hail(report_date pg_catalog.date)
RETURNS TABLE (events pg_catalog.int4, reports pg_catalog.int4, rejected pg_catalog.int4)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  day text := to_char(report_date, 'YYYYMMDD');
  touched text[];
BEGIN
  IF report_date IS NULL THEN
    RAISE EXCEPTION 'ingest_spc_hail needs the report date of the file'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'SPC names it in the file: 190324_rpts_hail.csv is 2019-03-24.';
  END IF;
  LOCK TABLE stormops.spc_hail_staging IN EXCLUSIVE MODE;
  CREATE TEMP TABLE stormops_spc_rows ON COMMIT DROP AS
  SELECT s, stormops.parse_decimal(s.lat) AS lat, stormops.parse_decimal(s.lon) AS lon,
         stormops.parse_decimal(s.size) AS size,
         CASE WHEN s.time ~ '^([01]\d|2[0-3])[0-5]\d$' THEN
           ((report_date + CASE WHEN s.time < '1200' THEN 1 ELSE 0 END)::timestamp
            + make_interval(hours => left(s.time, 2)::int, mins => right(s.time, 2)::int)) AT TIME ZONE 'UTC'
         END AS reported_at
    FROM stormops.spc_hail_staging s;
  ALTER TABLE stormops_spc_rows ADD COLUMN reason text;
  UPDATE stormops_spc_rows SET reason = CASE
      WHEN reported_at IS NULL THEN format('Time %L is not HHMM', (s).time)
      WHEN (size).number IS NULL OR (size).number < 0 THEN format('Size %L is not a number of hundredths of an inch', (s).size)
      WHEN (lat).number IS NULL OR (lon).number IS NULL THEN 'Lat or Lon is missing or not a number'
      WHEN (lat).number NOT BETWEEN -90 AND 90 THEN format('Lat %s is outside -90..90', (lat).number)
      WHEN (lon).number NOT BETWEEN -180 AND 180 THEN format('Lon %s is outside -180..180', (lon).number)
      WHEN coalesce((s).state, '') !~ '^[A-Za-z]{2}$' THEN format('State %L is not a two-letter code', (s).state)
    END;
  INSERT INTO stormops.ingest_rejects (source, source_id, reason, row_data, row_hash)
  SELECT 'spc', day, reason, to_jsonb(s), md5(day || to_jsonb(s)::text)
    FROM stormops_spc_rows WHERE reason IS NOT NULL
  ON CONFLICT (source, row_hash) DO NOTHING;
  SELECT count(*) INTO rejected FROM stormops_spc_rows WHERE reason IS NOT NULL;

  WITH good AS (
    SELECT format('spc_%s_hail_%s', day, lower((s).state)) AS ev, reported_at, round((size).number / 100, 2) AS inches,
           (lat).number AS lat, (lon).number AS lon, (s).time AS hhmm
      FROM stormops_spc_rows WHERE reason IS NULL
  ), upserted AS (
    INSERT INTO stormops.storm_events AS e (event_id, event_type, magnitude, begin_at, end_at, source)
    SELECT ev, 'hail', max(inches), min(reported_at), max(reported_at), 'spc' FROM good GROUP BY ev
    ON CONFLICT (event_id) DO UPDATE
      SET magnitude = greatest(e.magnitude, EXCLUDED.magnitude),
          begin_at = least(e.begin_at, EXCLUDED.begin_at), end_at = greatest(e.end_at, EXCLUDED.end_at)
    RETURNING e.event_id
  )
  SELECT count(*), array_agg(event_id) INTO events, touched FROM upserted;

  -- a report is its day, time, place and size: the same row loaded twice is one report
  WITH good AS (
    SELECT format('spc_%s_%s_%s_%s_%s', day, (s).time, (lat).number, (lon).number, (size).number) AS report_id,
           format('spc_%s_hail_%s', day, lower((s).state)) AS ev, reported_at, (lat).number AS lat,
           (lon).number AS lon, round((size).number / 100, 2) AS inches
      FROM stormops_spc_rows WHERE reason IS NULL
  )
  INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude, source)
  SELECT DISTINCT ON (report_id) report_id, ev, reported_at, lat, lon, inches, 'spc' FROM good
  ON CONFLICT (report_id) DO NOTHING;
  SELECT count(DISTINCT ((s).time, (lat).number, (lon).number, (size).number)) INTO reports
    FROM stormops_spc_rows WHERE reason IS NULL;

  PERFORM stormops.settle_events(coalesce(touched, '{}'));
  TRUNCATE stormops.spc_hail_staging;
  DROP TABLE stormops_spc_rows;
  RETURN NEXT;
END;
$$;
COMMENT ON FUNCTION stormops.ingest_spc_hail(pg_catalog.date) IS
  'Staged SPC daily hail rows of one convective day to storm_events (one per state) and storm_reports (docs/storms.md).';
