-- The storm impact index (SII) of each property for an event, computed from
-- the event's reports (docs/storms.md).

-- The footprint of a report when it does not give one, in km: hail swaths
-- widen with stone size (3 km for small hail, up to 10 km at 3.5 in and
-- above); wind damage spreads about 8 km from a measured gust; a tornado's
-- path is narrow (1 km); other types 5 km.
CREATE FUNCTION stormops.default_report_radius_km(event_type pg_catalog.text, magnitude pg_catalog.numeric)
RETURNS pg_catalog.float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE event_type
           WHEN 'hail' THEN LEAST(10::pg_catalog.float8,
                              GREATEST(3::pg_catalog.float8,
                                3::pg_catalog.float8 OPERATOR(pg_catalog.+)
                                (2::pg_catalog.float8 OPERATOR(pg_catalog.*) COALESCE(magnitude, 0)::pg_catalog.float8)))
           WHEN 'wind' THEN 8::pg_catalog.float8
           WHEN 'tornado' THEN 1::pg_catalog.float8
           ELSE 5::pg_catalog.float8
         END;
END;

-- How much damage a report's magnitude can do, 0..1: hail from nothing below
-- 0.5 in to full at 3 in (1 in, where asphalt shingles start to fail, gives
-- 0.2); a gust from nothing at 50 mph to full at 100 mph; a tornado in full.
CREATE FUNCTION stormops.report_severity(event_type pg_catalog.text, magnitude pg_catalog.numeric)
RETURNS pg_catalog.float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT LEAST(1::pg_catalog.float8, GREATEST(0::pg_catalog.float8,
           CASE event_type
             WHEN 'hail' THEN (COALESCE(magnitude, 0)::pg_catalog.float8 OPERATOR(pg_catalog.-) 0.5::pg_catalog.float8)
                              OPERATOR(pg_catalog./) 2.5::pg_catalog.float8
             WHEN 'wind' THEN (COALESCE(magnitude, 0)::pg_catalog.float8 OPERATOR(pg_catalog.-) 50::pg_catalog.float8)
                              OPERATOR(pg_catalog./) 50::pg_catalog.float8
             WHEN 'tornado' THEN 1::pg_catalog.float8
             ELSE 0.5::pg_catalog.float8
           END));
END;

-- Great-circle distance in km (haversine, mean Earth radius 6371.0088 km),
-- in C: compute_impacts calls it for every candidate of every report.
CREATE FUNCTION stormops.haversine_km(lat1 pg_catalog.float8, lon1 pg_catalog.float8,
                                      lat2 pg_catalog.float8, lon2 pg_catalog.float8)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_haversine_km'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.haversine_km(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.float8) IS
  'Great-circle distance in km between two points given in degrees (haversine on the mean sphere).';

-- Writes property_impacts for one event from its reports: every property
-- within a report's footprint gets
--   SII = 100 * max over reports (severity * (1 - distance / radius)) * roof factor
-- and properties no longer in any footprint lose their row for the event, so
-- calling it again changes nothing. Returns the number of impact rows the
-- event has.
CREATE FUNCTION stormops.compute_impacts(event_id pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ev stormops.storm_events;
  written int;
BEGIN
  SELECT * INTO ev FROM stormops.storm_events e WHERE e.event_id = compute_impacts.event_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'storm event "%" does not exist', compute_impacts.event_id
      USING ERRCODE = 'undefined_object',
            HINT = 'Load it into stormops.storm_events first (see docs/storms.md).';
  END IF;

  -- one statement: the fresh impacts, the rows that left every footprint
  -- removed, the others inserted or updated
  WITH fresh AS (
    -- a property's worst report (the highest severity left at its distance)
    -- weighed by its roof
    SELECT p.property_id,
           round((100 * max(stormops.report_severity(ev.event_type, r.magnitude) * (1 - d.km / r.radius))
                      * stormops.roof_vulnerability(p.roof_install_year, ev.begin_at))::numeric, 1) AS sii_score
      FROM (SELECT b.*,
                   -- a box that holds the whole footprint: 111.0 km per degree of
                   -- latitude is a little less than the sphere's 111.195, and
                   -- asin(sin(d) / cos(lat)) is the footprint's widest longitude;
                   -- near a pole or across 180 degrees it takes every longitude
                   b.lat - b.radius / 111.0 AS lat_lo, b.lat + b.radius / 111.0 AS lat_hi,
                   CASE WHEN w.every_longitude THEN -180 ELSE b.lon - w.half END AS lon_lo,
                   CASE WHEN w.every_longitude THEN 180 ELSE b.lon + w.half END AS lon_hi
              FROM (SELECT sr.lat, sr.lon, sr.magnitude,
                           COALESCE(sr.radius_km, stormops.default_report_radius_km(ev.event_type, sr.magnitude)) AS radius
                      FROM stormops.storm_reports sr WHERE sr.event_id = ev.event_id) b
              CROSS JOIN LATERAL (SELECT 1.001 * degrees(asin(least(1, sin(b.radius / 6371.0088)
                                                                  / greatest(cos(radians(b.lat)), 1e-9)))) AS half) h
              CROSS JOIN LATERAL (SELECT h.half,
                                         abs(b.lat) + b.radius / 111.0 >= 90
                                         OR b.lon - h.half < -180 OR b.lon + h.half > 180 AS every_longitude) w) r
      -- the box lets the (lat, lon) index find the candidates; haversine decides
      JOIN stormops.properties p
        ON p.lat BETWEEN r.lat_lo AND r.lat_hi AND p.lon BETWEEN r.lon_lo AND r.lon_hi
      CROSS JOIN LATERAL (SELECT stormops.haversine_km(r.lat, r.lon, p.lat, p.lon) AS km) d
     WHERE d.km <= r.radius
     GROUP BY p.property_id, p.roof_install_year
  ), removed AS (
    DELETE FROM stormops.property_impacts pi
     WHERE pi.event_id = ev.event_id
       AND NOT EXISTS (SELECT FROM fresh f WHERE f.property_id = pi.property_id)
  ), upserted AS (
    INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
    SELECT f.property_id, ev.event_id, f.sii_score FROM fresh f
    ON CONFLICT ON CONSTRAINT property_impacts_pkey DO UPDATE SET sii_score = EXCLUDED.sii_score
     WHERE stormops.property_impacts.sii_score IS DISTINCT FROM EXCLUDED.sii_score
  )
  SELECT count(*) INTO written FROM fresh;
  RETURN written;
END;
$$;
COMMENT ON FUNCTION stormops.compute_impacts(pg_catalog.text) IS
  'Computes the storm impact index of every property in the footprint of the event''s reports (docs/storms.md); idempotent.';
