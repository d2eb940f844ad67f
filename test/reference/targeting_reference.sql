-- targeting_reference.sql: the per-row REFERENCE implementation of targeting
-- rules (docs: /work/shared/design/targeting.md, "Targeting rules: exact
-- semantics").
--
-- This is written the way a developer without a rule compiler would write it:
-- one loop over every property, the jsonb rules read again for every row, and
-- every condition tested with its own per-row lookup. It is deliberately plain
-- and independent of the compiler; it serves
--   (a) as the naive baseline of bench/targeting, and
--   (b) as the oracle of differential tests against the compiled SQL.
--
-- Usage (after CREATE EXTENSION stormops):
--   \i test/reference/targeting_reference.sql
--   SELECT * FROM stormops_ref.target_properties(rules, event_id, as_of);
--
-- The rules are assumed valid (the extension validates them when a playbook is
-- written); nothing here re-validates them.
--
-- Choices made where the page leaves room:
--  * roof_age counts from the year of as_of in stormops.default_time_zone
--    (the contractor's zone; docs/data-model.md, "Time"), whatever the
--    session's TimeZone.
--  * max_days_since_storm d: (as_of - begin_at) <= d::float8 * interval '1 day'
--    (intervals compare with 1 day = 24 h) and begin_at <= as_of.
--  * exclude_recent_converts window: as_of - 365 days of 24 hours (interval
--    '8760 hours', whatever the session's TimeZone) <= event_timestamp < as_of.
--  * response_rate_min r: responses >= r * contacts in numeric, r being the JSON
--    number's exact decimal.
--  * similarity thresholds are compared in double precision (the JSON number
--    converted to the nearest float8).
--  * custom_polygon: every coordinate (the property's lon/lat and each vertex,
--    the vertex first rounded to float8 like any GeoJSON reader) is taken as
--    the shortest decimal that round-trips its float8, and the geometry is
--    decided EXACTLY in numeric arithmetic, so "exactly on an edge" means
--    exactly on the edge as written in decimals.
--  * references (property ids, cohort members, tract ids) form a set: a
--    reference named twice, or directly and through a cohort, counts once in
--    the centroid. Reference embeddings of different dimensions are an error
--    (22023), like no reference embedding at all.
--  * MultiPolygon: inside any of its polygons (their union; the even-odd rule
--    applies within each polygon's rings, not across polygons).
--  * neighborhood_embedding: the top_k_tracts candidate tracts are chosen from
--    the tracts alone (before any property condition), so a candidate tract in
--    which no property qualifies still uses one of the top_k_tracts places.
--  * centroids are element-wise means in double precision and stay double
--    (not rounded to real); cosine and L2 are computed in double precision.
--    A centroid of all zeros has no cosine: nothing qualifies (no error).
--  * min_sii_score without max_days_since_storm accepts any impact row of the
--    property, also one of an event that begins after as_of (the page puts no
--    time condition on it).
--  * property_id / tract_geoid ties sort by the database's default collation.

CREATE SCHEMA IF NOT EXISTS stormops_ref;

-- ---------------------------------------------------------------------------
-- Small helpers
-- ---------------------------------------------------------------------------

-- The value of rules.<section>.<key>, or NULL when the section or the key is
-- absent or JSON null (both set no condition).
CREATE OR REPLACE FUNCTION stormops_ref.rule(rules jsonb, section text, key text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
  SELECT CASE
           WHEN jsonb_typeof(rules -> section) = 'object'
            AND jsonb_typeof(rules -> section -> key) <> 'null'
           THEN rules -> section -> key
         END
$$;

-- Is a text value one of the strings of a JSON array? A NULL value is in no list.
CREATE OR REPLACE FUNCTION stormops_ref.in_list(value text, list jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$
  SELECT value IS NOT NULL
     AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(list) AS e(item) WHERE e.item = value)
$$;

-- Cosine similarity of a property embedding and a centroid, in double
-- precision; NULL (no cosine) when either is missing, the dimensions differ,
-- or either vector is all zeros. Elements are paired by position, whatever the
-- arrays' lower bounds.
CREATE OR REPLACE FUNCTION stormops_ref.cosine_similarity(a real[], c double precision[])
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  dot    double precision := 0;
  norm_a double precision := 0;
  norm_c double precision := 0;
BEGIN
  IF a IS NULL OR c IS NULL OR cardinality(a) <> cardinality(c) THEN
    RETURN NULL;
  END IF;
  SELECT sum(x::float8 * y), sum(x::float8 * x::float8), sum(y * y)
    INTO dot, norm_a, norm_c
    FROM unnest(a, c) AS u(x, y);
  IF norm_a = 0 OR norm_c = 0 THEN
    RETURN NULL;
  END IF;
  RETURN dot / (sqrt(norm_a) * sqrt(norm_c));
END;
$$;

-- Euclidean (L2) distance of a tract embedding and a centroid; NULL when the
-- dimensions differ or either is missing.
CREATE OR REPLACE FUNCTION stormops_ref.l2_distance(a real[], c double precision[])
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  total double precision;
BEGIN
  IF a IS NULL OR c IS NULL OR cardinality(a) <> cardinality(c) THEN
    RETURN NULL;
  END IF;
  SELECT sum((x::float8 - y) * (x::float8 - y)) INTO total FROM unnest(a, c) AS u(x, y);
  RETURN sqrt(total);
END;
$$;

-- Centroid of the reference properties (ids), NULL if none has an embedding.
CREATE OR REPLACE FUNCTION stormops_ref.centroid_of_properties(ids text[])
RETURNS double precision[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  dims     integer;
  centroid double precision[];
BEGIN
  SELECT count(DISTINCT cardinality(p.embedding)) INTO dims
    FROM stormops.properties p
   WHERE p.property_id = ANY (ids) AND p.embedding IS NOT NULL;
  IF dims > 1 THEN
    RAISE EXCEPTION 'reference properties have embeddings of different dimensions'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT array_agg(m.mean ORDER BY m.ord) INTO centroid
    FROM (SELECT u.ord, avg(u.x::float8) AS mean
            FROM stormops.properties p
           CROSS JOIN LATERAL unnest(p.embedding) WITH ORDINALITY AS u(x, ord)
           WHERE p.property_id = ANY (ids) AND p.embedding IS NOT NULL
           GROUP BY u.ord) m;
  RETURN centroid;
END;
$$;

-- Centroid of the reference tracts (geoids), NULL if none has an embedding.
CREATE OR REPLACE FUNCTION stormops_ref.centroid_of_tracts(geoids text[])
RETURNS double precision[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  dims     integer;
  centroid double precision[];
BEGIN
  SELECT count(DISTINCT cardinality(t.embedding)) INTO dims
    FROM stormops.census_tracts t
   WHERE t.tract_geoid = ANY (geoids) AND t.embedding IS NOT NULL;
  IF dims > 1 THEN
    RAISE EXCEPTION 'reference tracts have embeddings of different dimensions'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT array_agg(m.mean ORDER BY m.ord) INTO centroid
    FROM (SELECT u.ord, avg(u.x::float8) AS mean
            FROM stormops.census_tracts t
           CROSS JOIN LATERAL unnest(t.embedding) WITH ORDINALITY AS u(x, ord)
           WHERE t.tract_geoid = ANY (geoids) AND t.embedding IS NOT NULL
           GROUP BY u.ord) m;
  RETURN centroid;
END;
$$;

-- ---------------------------------------------------------------------------
-- Point in polygon, by hand
-- ---------------------------------------------------------------------------

-- A double as the shortest decimal that reads back as the same double.
-- (extra_float_digits = 1 makes float8 output shortest-exact; set on callers.)
CREATE OR REPLACE FUNCTION stormops_ref.exact_decimal(x double precision)
RETURNS numeric
LANGUAGE sql IMMUTABLE
AS $$ SELECT x::text::numeric $$;

-- Is (px, py) on the closed segment (x1, y1)-(x2, y2)? Exact (numeric).
CREATE OR REPLACE FUNCTION stormops_ref.on_segment(px numeric, py numeric,
                                                   x1 numeric, y1 numeric,
                                                   x2 numeric, y2 numeric)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$
  SELECT (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1) = 0       -- collinear
     AND px BETWEEN least(x1, x2) AND greatest(x1, x2)           -- within the
     AND py BETWEEN least(y1, y2) AND greatest(y1, y2)           -- segment's box
$$;

-- Is the point (lon, lat) inside a GeoJSON Polygon or MultiPolygon?
-- Even-odd rule over all rings of a polygon (shell and holes alike), by ray
-- casting towards +x; a point exactly on any edge of any ring is inside; for a
-- MultiPolygon, inside any of its polygons. NULL coordinates are outside.
CREATE OR REPLACE FUNCTION stormops_ref.point_in_polygon(lon double precision,
                                                         lat double precision,
                                                         geometry jsonb)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 1
AS $$
DECLARE
  x        numeric;
  y        numeric;
  polygons jsonb;
  poly     jsonb;
  ring     jsonb;
  xs       numeric[];
  ys       numeric[];
  inside   boolean;
  x1 numeric; y1 numeric; x2 numeric; y2 numeric;
BEGIN
  IF lon IS NULL OR lat IS NULL THEN
    RETURN false;
  END IF;
  x := stormops_ref.exact_decimal(lon);
  y := stormops_ref.exact_decimal(lat);

  IF geometry ->> 'type' = 'Polygon' THEN
    polygons := jsonb_build_array(geometry -> 'coordinates');
  ELSE  -- MultiPolygon
    polygons := geometry -> 'coordinates';
  END IF;

  FOR poly IN SELECT value FROM jsonb_array_elements(polygons) LOOP
    inside := false;
    FOR ring IN SELECT value FROM jsonb_array_elements(poly) LOOP
      -- the ring's vertices, in order (a third number, altitude, is ignored)
      SELECT array_agg(stormops_ref.exact_decimal((pos -> 0)::float8) ORDER BY i),
             array_agg(stormops_ref.exact_decimal((pos -> 1)::float8) ORDER BY i)
        INTO xs, ys
        FROM jsonb_array_elements(ring) WITH ORDINALITY AS v(pos, i);
      -- the ring is closed (last position = first), so its edges are i -> i+1
      FOR i IN 1 .. cardinality(xs) - 1 LOOP
        x1 := xs[i]; y1 := ys[i]; x2 := xs[i + 1]; y2 := ys[i + 1];
        IF stormops_ref.on_segment(x, y, x1, y1, x2, y2) THEN
          RETURN true;                            -- on an edge: inside
        END IF;
        -- does the ray from (x, y) towards +x cross this edge?
        IF (y1 > y) <> (y2 > y) THEN
          -- crossing at xc = x1 + (x2 - x1) * (y - y1) / (y2 - y1); x < xc,
          -- multiplied out by (y2 - y1) to stay exact (flip when negative)
          IF (y2 > y1 AND (x - x1) * (y2 - y1) < (x2 - x1) * (y - y1))
             OR (y2 < y1 AND (x - x1) * (y2 - y1) > (x2 - x1) * (y - y1)) THEN
            inside := NOT inside;
          END IF;
        END IF;
      END LOOP;
    END LOOP;
    IF inside THEN
      RETURN true;
    END IF;
  END LOOP;
  RETURN false;
END;
$$;

-- ---------------------------------------------------------------------------
-- The per-row loop: every property that meets every condition except top_k
-- and properties_per_tract, with its similarity, sii and uplift.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION stormops_ref.qualifying_properties(rules jsonb,
                                                              event_id text,
                                                              as_of timestamptz)
RETURNS TABLE(q_property_id text, q_similarity double precision, q_sii_score numeric,
              q_uplift_score double precision, q_tract_geoid text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_event_id   text        := qualifying_properties.event_id;
  v_as_of      timestamptz := qualifying_properties.as_of;
  p            record;
  t            record;
  z            record;
  -- similarity, prepared once (a centroid is an aggregate over all references)
  sim_on       boolean;
  sim_mode     text;
  ref_ids      text[];
  centroid     double precision[];
  cand_tracts  text[];
  cand_sims    double precision[];
  -- polygon bounding box, prepared once (a quick exact pre-test)
  poly_min_lon double precision;
  poly_max_lon double precision;
  poly_min_lat double precision;
  poly_max_lat double precision;
  -- per row
  impact_required boolean;
  best_sii     numeric;
  roof_age     numeric;
  contacts     bigint;
  responses    bigint;
  sim          double precision;
  uplift       double precision;
BEGIN
  -- ---- similarity set-up ----
  sim_on := coalesce(stormops_ref.rule(rules, 'similarity', 'enabled') = 'true'::jsonb, false);
  sim_mode := coalesce(stormops_ref.rule(rules, 'similarity', 'mode') #>> '{}', 'property');
  IF sim_on AND sim_mode = 'property' THEN
    -- references: each entry a property_id or a cohort name (or both); a set
    SELECT array_agg(DISTINCT r.property_id) INTO ref_ids
      FROM (SELECT pr.property_id
              FROM stormops.properties pr
             WHERE pr.property_id IN (SELECT jsonb_array_elements_text(
                                        stormops_ref.rule(rules, 'similarity', 'reference_property_ids')))
            UNION
            SELECT c.property_id
              FROM stormops.cohorts c
             WHERE c.cohort_name IN (SELECT jsonb_array_elements_text(
                                       stormops_ref.rule(rules, 'similarity', 'reference_property_ids')))) r;
    centroid := stormops_ref.centroid_of_properties(coalesce(ref_ids, '{}'));
    IF centroid IS NULL THEN
      RAISE EXCEPTION 'no reference property has an embedding'
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = 'similarity.reference_property_ids: '
                       || stormops_ref.rule(rules, 'similarity', 'reference_property_ids')::text;
    END IF;
  ELSIF sim_on AND sim_mode = 'neighborhood_embedding' THEN
    centroid := stormops_ref.centroid_of_tracts(ARRAY(
                  SELECT jsonb_array_elements_text(
                           stormops_ref.rule(rules, 'similarity', 'reference_tract_ids'))));
    IF centroid IS NULL THEN
      RAISE EXCEPTION 'no reference tract has an embedding'
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = 'similarity.reference_tract_ids: '
                       || stormops_ref.rule(rules, 'similarity', 'reference_tract_ids')::text;
    END IF;
    -- candidate tracts, best first, at most top_k_tracts of them
    SELECT array_agg(c.tract_geoid ORDER BY c.tract_sim DESC, c.tract_geoid),
           array_agg(c.tract_sim ORDER BY c.tract_sim DESC, c.tract_geoid)
      INTO cand_tracts, cand_sims
      FROM (SELECT s.tract_geoid, s.tract_sim
              FROM (SELECT ct.tract_geoid,
                           1.0::float8 / (1.0::float8 + stormops_ref.l2_distance(ct.embedding, centroid)) AS tract_sim
                      FROM stormops.census_tracts ct
                     WHERE ct.embedding IS NOT NULL
                       AND cardinality(ct.embedding) = cardinality(centroid)
                       AND ct.tract_geoid NOT IN (SELECT jsonb_array_elements_text(
                                                    stormops_ref.rule(rules, 'similarity', 'reference_tract_ids')))) s
             WHERE stormops_ref.rule(rules, 'similarity', 'similarity_threshold') IS NULL
                OR s.tract_sim >= (stormops_ref.rule(rules, 'similarity', 'similarity_threshold'))::float8
             ORDER BY s.tract_sim DESC, s.tract_geoid
             LIMIT (stormops_ref.rule(rules, 'similarity', 'top_k_tracts'))::bigint) c;
    cand_tracts := coalesce(cand_tracts, '{}');
  END IF;

  -- ---- polygon set-up: its bounding box ----
  IF stormops_ref.rule(rules, 'geography', 'custom_polygon') IS NOT NULL THEN
    SELECT min((pos -> 0)::float8), max((pos -> 0)::float8), min((pos -> 1)::float8), max((pos -> 1)::float8)
      INTO poly_min_lon, poly_max_lon, poly_min_lat, poly_max_lat
      FROM jsonb_path_query(stormops_ref.rule(rules, 'geography', 'custom_polygon') -> 'coordinates',
                            CASE WHEN stormops_ref.rule(rules, 'geography', 'custom_polygon') ->> 'type' = 'Polygon'
                                 THEN '$[*][*]'::jsonpath ELSE '$[*][*][*]'::jsonpath END) AS pos;
  END IF;

  -- ---- the loop over every property ----
  FOR p IN SELECT pr.* FROM stormops.properties pr LOOP

    -- physics: roof age (needs no impact row)
    IF stormops_ref.rule(rules, 'physics', 'roof_age_min') IS NOT NULL
       OR stormops_ref.rule(rules, 'physics', 'roof_age_max') IS NOT NULL THEN
      roof_age := extract(year FROM v_as_of AT TIME ZONE coalesce(current_setting('stormops.default_time_zone', true), 'America/Chicago'))
                  - p.roof_install_year;   -- NULL year: NULL age
      IF stormops_ref.rule(rules, 'physics', 'roof_age_min') IS NOT NULL
         AND (roof_age >= (stormops_ref.rule(rules, 'physics', 'roof_age_min'))::numeric) IS NOT TRUE THEN
        CONTINUE;
      END IF;
      IF stormops_ref.rule(rules, 'physics', 'roof_age_max') IS NOT NULL
         AND (roof_age <= (stormops_ref.rule(rules, 'physics', 'roof_age_max'))::numeric) IS NOT TRUE THEN
        CONTINUE;
      END IF;
    END IF;

    -- physics: one impact row meeting every impact key (and of the event, if given)
    impact_required := stormops_ref.rule(rules, 'physics', 'min_sii_score') IS NOT NULL
                    OR stormops_ref.rule(rules, 'physics', 'max_days_since_storm') IS NOT NULL
                    OR v_event_id IS NOT NULL;
    best_sii := NULL;
    IF impact_required THEN
      SELECT max(pi.sii_score) INTO best_sii
        FROM stormops.property_impacts pi
        JOIN stormops.storm_events se ON se.event_id = pi.event_id
       WHERE pi.property_id = p.property_id
         AND (v_event_id IS NULL OR pi.event_id = v_event_id)
         AND (stormops_ref.rule(rules, 'physics', 'min_sii_score') IS NULL
              OR pi.sii_score >= (stormops_ref.rule(rules, 'physics', 'min_sii_score'))::numeric)
         AND (stormops_ref.rule(rules, 'physics', 'max_days_since_storm') IS NULL
              OR (v_as_of - se.begin_at
                    <= (stormops_ref.rule(rules, 'physics', 'max_days_since_storm'))::float8 * interval '1 day'
                  AND se.begin_at <= v_as_of));
      IF best_sii IS NULL THEN      -- sii_score is NOT NULL: no qualifying row
        CONTINUE;
      END IF;
    END IF;

    -- geography
    IF stormops_ref.rule(rules, 'geography', 'zips') IS NOT NULL
       AND NOT stormops_ref.in_list(p.zip, stormops_ref.rule(rules, 'geography', 'zips')) THEN
      CONTINUE;
    END IF;
    IF stormops_ref.rule(rules, 'geography', 'tracts') IS NOT NULL
       AND NOT stormops_ref.in_list(p.tract_geoid, stormops_ref.rule(rules, 'geography', 'tracts')) THEN
      CONTINUE;
    END IF;
    IF stormops_ref.rule(rules, 'geography', 'custom_polygon') IS NOT NULL THEN
      IF p.lon IS NULL OR p.lat IS NULL
         OR p.lon < poly_min_lon OR p.lon > poly_max_lon
         OR p.lat < poly_min_lat OR p.lat > poly_max_lat
         OR NOT stormops_ref.point_in_polygon(p.lon, p.lat,
                                              stormops_ref.rule(rules, 'geography', 'custom_polygon')) THEN
        CONTINUE;
      END IF;
    END IF;

    -- demographics, through the property's tract
    IF stormops_ref.rule(rules, 'demographics', 'ses_tiers') IS NOT NULL
       OR stormops_ref.rule(rules, 'demographics', 'min_median_income') IS NOT NULL
       OR stormops_ref.rule(rules, 'demographics', 'homeownership_rate_min') IS NOT NULL THEN
      SELECT ct.* INTO t FROM stormops.census_tracts ct WHERE ct.tract_geoid = p.tract_geoid;
      IF NOT FOUND THEN                     -- no tract fails every demographic condition
        CONTINUE;
      END IF;
      IF stormops_ref.rule(rules, 'demographics', 'ses_tiers') IS NOT NULL
         AND NOT stormops_ref.in_list(t.ses_tier, stormops_ref.rule(rules, 'demographics', 'ses_tiers')) THEN
        CONTINUE;
      END IF;
      IF stormops_ref.rule(rules, 'demographics', 'min_median_income') IS NOT NULL
         AND (t.median_household_income
                >= (stormops_ref.rule(rules, 'demographics', 'min_median_income'))::numeric) IS NOT TRUE THEN
        CONTINUE;
      END IF;
      IF stormops_ref.rule(rules, 'demographics', 'homeownership_rate_min') IS NOT NULL
         AND (t.homeownership_rate
                >= (stormops_ref.rule(rules, 'demographics', 'homeownership_rate_min'))::numeric) IS NOT TRUE THEN
        CONTINUE;
      END IF;
    END IF;

    -- psychographics
    IF stormops_ref.rule(rules, 'psychographics', 'personas') IS NOT NULL
       AND NOT stormops_ref.in_list(p.persona, stormops_ref.rule(rules, 'psychographics', 'personas')) THEN
      CONTINUE;
    END IF;
    IF stormops_ref.rule(rules, 'psychographics', 'exclude_personas') IS NOT NULL
       AND p.persona IS NOT NULL           -- a NULL persona passes this one
       AND stormops_ref.in_list(p.persona, stormops_ref.rule(rules, 'psychographics', 'exclude_personas')) THEN
      CONTINUE;
    END IF;

    -- behavioral: only events before as_of
    IF stormops_ref.rule(rules, 'behavioral', 'prior_touchpoints_max') IS NOT NULL
       OR stormops_ref.rule(rules, 'behavioral', 'response_rate_min') IS NOT NULL THEN
      SELECT count(*) FILTER (WHERE be.event_type = 'contact'),
             count(*) FILTER (WHERE be.event_type = 'response')
        INTO contacts, responses
        FROM stormops.behavior_events be
       WHERE be.property_id = p.property_id
         AND be.event_timestamp < v_as_of;
      IF stormops_ref.rule(rules, 'behavioral', 'prior_touchpoints_max') IS NOT NULL
         AND NOT (contacts <= (stormops_ref.rule(rules, 'behavioral', 'prior_touchpoints_max'))::numeric) THEN
        CONTINUE;
      END IF;
      IF stormops_ref.rule(rules, 'behavioral', 'response_rate_min') IS NOT NULL
         AND NOT (contacts > 0
                  AND responses::numeric
                      >= (stormops_ref.rule(rules, 'behavioral', 'response_rate_min'))::numeric * contacts) THEN
        CONTINUE;
      END IF;
    END IF;
    IF stormops_ref.rule(rules, 'behavioral', 'exclude_recent_converts') = 'true'::jsonb
       AND EXISTS (SELECT 1 FROM stormops.behavior_events be
                    WHERE be.property_id = p.property_id
                      AND be.event_type = 'conversion'
                      AND be.event_timestamp >= v_as_of - interval '8760 hours'
                      AND be.event_timestamp < v_as_of) THEN
      CONTINUE;
    END IF;
    IF stormops_ref.rule(rules, 'behavioral', 'past_customers_only') = 'true'::jsonb
       AND NOT p.is_past_customer THEN
      CONTINUE;
    END IF;

    -- competition, through zip_competition on the property's zip
    IF stormops_ref.rule(rules, 'competition', 'competitor_pressure_max') IS NOT NULL
       OR stormops_ref.rule(rules, 'competition', 'white_space_score_min') IS NOT NULL THEN
      SELECT zc.* INTO z FROM stormops.zip_competition zc WHERE zc.zip = p.zip;
      IF NOT FOUND THEN
        CONTINUE;
      END IF;
      IF stormops_ref.rule(rules, 'competition', 'competitor_pressure_max') IS NOT NULL
         AND (z.competitor_pressure
                <= (stormops_ref.rule(rules, 'competition', 'competitor_pressure_max'))::numeric) IS NOT TRUE THEN
        CONTINUE;
      END IF;
      IF stormops_ref.rule(rules, 'competition', 'white_space_score_min') IS NOT NULL
         AND (z.white_space_score
                >= (stormops_ref.rule(rules, 'competition', 'white_space_score_min'))::numeric) IS NOT TRUE THEN
        CONTINUE;
      END IF;
    END IF;

    -- similarity
    sim := NULL;
    IF sim_on AND sim_mode = 'property' THEN
      IF p.property_id = ANY (ref_ids) THEN  -- references are never returned
        CONTINUE;
      END IF;
      sim := stormops_ref.cosine_similarity(p.embedding, centroid);
      IF sim IS NULL THEN                    -- no embedding, other dimension, all zeros
        CONTINUE;
      END IF;
      IF stormops_ref.rule(rules, 'similarity', 'similarity_threshold') IS NOT NULL
         AND NOT (sim >= (stormops_ref.rule(rules, 'similarity', 'similarity_threshold'))::float8) THEN
        CONTINUE;
      END IF;
    ELSIF sim_on AND sim_mode = 'neighborhood_embedding' THEN
      IF p.tract_geoid IS NULL OR array_position(cand_tracts, p.tract_geoid) IS NULL THEN
        CONTINUE;
      END IF;
      sim := cand_sims[array_position(cand_tracts, p.tract_geoid)];
    END IF;

    -- passed: emit it with its uplift (no score row: NULL)
    uplift := NULL;
    SELECT ps.uplift_score INTO uplift FROM stormops.property_scores ps WHERE ps.property_id = p.property_id;

    q_property_id  := p.property_id;
    q_similarity   := sim;
    q_sii_score    := best_sii;
    q_uplift_score := uplift;
    q_tract_geoid  := p.tract_geoid;
    RETURN NEXT;
  END LOOP;
END;
$$;

-- ---------------------------------------------------------------------------
-- The entry point: qualifying rows, then top_k / properties_per_tract, ranked.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION stormops_ref.target_properties(rules jsonb,
                                                          event_id text DEFAULT NULL,
                                                          as_of timestamptz DEFAULT now())
RETURNS TABLE(property_id text, rank integer, similarity double precision,
              sii_score numeric, uplift_score double precision)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_rules    jsonb       := target_properties.rules;
  v_event_id text        := target_properties.event_id;
  v_as_of    timestamptz := target_properties.as_of;
  sim_on     boolean;
  sim_mode   text;
BEGIN
  sim_on := coalesce(stormops_ref.rule(v_rules, 'similarity', 'enabled') = 'true'::jsonb, false);
  sim_mode := coalesce(stormops_ref.rule(v_rules, 'similarity', 'mode') #>> '{}', 'property');

  IF NOT sim_on THEN
    -- uplift desc nulls last, sii desc nulls last, property_id
    RETURN QUERY
      SELECT q.q_property_id,
             (row_number() OVER (ORDER BY q.q_uplift_score DESC NULLS LAST,
                                          q.q_sii_score DESC NULLS LAST,
                                          q.q_property_id))::integer AS r,
             NULL::double precision, q.q_sii_score, q.q_uplift_score
        FROM stormops_ref.qualifying_properties(v_rules, v_event_id, v_as_of) q
       ORDER BY r;
  ELSIF sim_mode = 'property' THEN
    -- similarity desc, property_id; top_k keeps the first k of that order
    RETURN QUERY
      SELECT ranked.q_property_id, ranked.r, ranked.q_similarity, ranked.q_sii_score, ranked.q_uplift_score
        FROM (SELECT q.*,
                     (row_number() OVER (ORDER BY q.q_similarity DESC, q.q_property_id))::integer AS r
                FROM stormops_ref.qualifying_properties(v_rules, v_event_id, v_as_of) q) ranked
       WHERE stormops_ref.rule(v_rules, 'similarity', 'top_k') IS NULL
          OR ranked.r <= (stormops_ref.rule(v_rules, 'similarity', 'top_k'))::bigint
       ORDER BY ranked.r;
  ELSE
    -- neighborhood_embedding: at most properties_per_tract per tract, in the
    -- ranking order; tracts by similarity desc, tract_geoid
    RETURN QUERY
      SELECT kept.q_property_id,
             (row_number() OVER (ORDER BY kept.q_similarity DESC, kept.q_tract_geoid, kept.in_tract))::integer AS r,
             kept.q_similarity, kept.q_sii_score, kept.q_uplift_score
        FROM (SELECT q.*,
                     row_number() OVER (PARTITION BY q.q_tract_geoid
                                        ORDER BY q.q_uplift_score DESC NULLS LAST,
                                                 q.q_sii_score DESC NULLS LAST,
                                                 q.q_property_id) AS in_tract
                FROM stormops_ref.qualifying_properties(v_rules, v_event_id, v_as_of) q) kept
       WHERE stormops_ref.rule(v_rules, 'similarity', 'properties_per_tract') IS NULL
          OR kept.in_tract <= (stormops_ref.rule(v_rules, 'similarity', 'properties_per_tract'))::bigint
       ORDER BY r;
  END IF;
END;
$$;
