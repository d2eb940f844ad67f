-- Competition per ZIP from competitors' permits (docs/storms.md).

CREATE FUNCTION stormops.our_contractor_id()
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'stormops_our_contractor_id'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.our_contractor_id() IS
  'The setting stormops.contractor_id (this company''s id in competitor_permits), or NULL when unset.';

-- Tier1 contractors weigh 3 permits, Tier2 2, Tier3 (or unknown) 1.
CREATE FUNCTION stormops.contractor_tier_weight(tier pg_catalog.text)
RETURNS pg_catalog.float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE tier WHEN 'Tier1' THEN 3::pg_catalog.float8 WHEN 'Tier2' THEN 2::pg_catalog.float8
                   ELSE 1::pg_catalog.float8 END;
END;

-- Recomputes zip_competition for every ZIP we know (zip_codes, properties,
-- permits): pressure = 1 - exp(-w / 5), w being the tier-weighted permits
-- filed by other contractors in (as_of - window_days days, as_of] per 1,000
-- housing units (zip_codes.housing_units, else the ZIP's property count);
-- white_space_score = 100 * (1 - pressure). Returns the ZIPs written.
CREATE FUNCTION stormops.refresh_competition(as_of pg_catalog.timestamptz DEFAULT pg_catalog.now(),
                                             window_days pg_catalog.int4 DEFAULT 90)
RETURNS pg_catalog.int4
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ours text := stormops.our_contractor_id();
  written int;
BEGIN
  IF as_of IS NULL OR window_days IS NULL OR window_days < 1 THEN
    RAISE EXCEPTION 'refresh_competition needs as_of and a window of at least 1 day'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('as_of %s, window_days %s.', coalesce(as_of::text, 'NULL'), coalesce(window_days::text, 'NULL')),
            HINT = 'For example refresh_competition(now(), 90).';
  END IF;
  WITH zips AS (
    SELECT zip FROM stormops.zip_codes
    UNION SELECT zip FROM stormops.properties
    UNION SELECT zip FROM stormops.competitor_permits
  ), homes AS (
    SELECT z.zip, coalesce(nullif(zc.housing_units, 0),
                           (SELECT count(*) FROM stormops.properties p WHERE p.zip = z.zip)::int) AS units
      FROM zips z LEFT JOIN stormops.zip_codes zc USING (zip)
  ), weighted AS (
    SELECT cp.zip, sum(stormops.contractor_tier_weight(cp.contractor_tier)) AS w
      FROM stormops.competitor_permits cp
     WHERE cp.filed_at > as_of - window_days * interval '86400 seconds'
       AND cp.filed_at <= as_of
       AND cp.contractor_id IS DISTINCT FROM ours
     GROUP BY cp.zip
  ), pressure AS (
    SELECT h.zip,
           CASE WHEN coalesce(w.w, 0) = 0 THEN 0
                WHEN h.units = 0 THEN 1   -- permits but no known homes: as contested as it gets
                ELSE 1 - exp(-(w.w * 1000.0 / h.units) / 5) END AS p
      FROM homes h LEFT JOIN weighted w USING (zip)
  ), upserted AS (
    INSERT INTO stormops.zip_competition (zip, competitor_pressure, white_space_score)
    SELECT zip, round(p::numeric, 4), round((100 * (1 - p))::numeric, 2) FROM pressure
    ON CONFLICT (zip) DO UPDATE SET competitor_pressure = EXCLUDED.competitor_pressure,
                                    white_space_score = EXCLUDED.white_space_score
    RETURNING 1
  )
  SELECT count(*) INTO written FROM upserted;
  RETURN written;
END;
$$;
COMMENT ON FUNCTION stormops.refresh_competition(pg_catalog.timestamptz, pg_catalog.int4) IS
  'Recomputes zip_competition from competitor_permits in a window (docs/storms.md); leaves out stormops.contractor_id''s own permits.';
