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
