-- compute_impacts (a code part: 0.2.0's form of 0.1.0's function in
-- 09_storm_impacts.sql; the update includes this part whole; docs/storms.md).
--
-- 0.2.0 writes the rows in key order: the primary key's pages and the
-- foreign-key checks' lookups of properties then go in sequence instead of
-- at random, which took about a quarter off the writing (issue 17,
-- docs/performance.md). Failure modes: those of 0.1.0 (an unknown event is
-- 42704, nothing is written); concurrent calls for one event queue on its
-- row lock.

-- Writes property_impacts for one event from its reports: every property
-- within a report's footprint gets
--   SII = 100 * max over reports (severity * (1 - distance / radius)) * roof factor
-- and properties no longer in any footprint lose their row for the event, so
-- calling it again changes nothing. Returns the number of impact rows the
-- event has.
CREATE OR REPLACE FUNCTION stormops.compute_impacts(event_id pg_catalog.text)
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
     ORDER BY f.property_id   -- the key order: index pages and key checks in sequence
    ON CONFLICT ON CONSTRAINT property_impacts_pkey DO UPDATE SET sii_score = EXCLUDED.sii_score
     WHERE stormops.property_impacts.sii_score IS DISTINCT FROM EXCLUDED.sii_score
  )
  SELECT count(*) INTO written FROM fresh;
  RETURN written;
END;
$$;
COMMENT ON FUNCTION stormops.compute_impacts(pg_catalog.text) IS
  'Computes the storm impact index of every property in the footprint of the event''s reports (docs/storms.md); idempotent.';
