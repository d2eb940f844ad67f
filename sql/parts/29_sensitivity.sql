-- Sensitivity (retrospectives.md, the seed's pandas analysis): how a play's
-- uplift and ROI vary with income, competition, hail size and timing. A
-- code part; reads only.
--
-- Property-level over all runs of the play: every treated and control
-- (run, property) pair with a value of the dimension (no value: left out,
-- as pandas.cut leaves NaN out). Equal-width bins are pandas.cut(x, bins=n)
-- to the bit: edges mn + i * ((mx - mn) / n) in float8 (numpy's linspace,
-- the last edge exactly mx), the lowest lowered by 0.1% of the range, or,
-- when every value is the same v, the range v -/+ 0.1% of |v| (0.001 for 0);
-- a value falls in bin i when edge[i-1] < value <= edge[i]. Every bin is
-- returned, also an empty one (pandas' categories).

-- pandas.cut's edges of n equal-width bins over [mn, mx]. (OPERATOR()
-- forms all bind alike, left to right: every product is parenthesized.)
CREATE OR REPLACE FUNCTION stormops.equal_width_edges(mn pg_catalog.float8, mx pg_catalog.float8, n pg_catalog.int4)
RETURNS pg_catalog.float8[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN mn OPERATOR(pg_catalog.=) mx THEN
           ARRAY(SELECT CASE WHEN i OPERATOR(pg_catalog.=) n THEN a.hi
                             ELSE (i::pg_catalog.float8 OPERATOR(pg_catalog.*)
                                   ((a.hi OPERATOR(pg_catalog.-) a.lo) OPERATOR(pg_catalog./) n)) OPERATOR(pg_catalog.+) a.lo END
                   FROM (SELECT mn OPERATOR(pg_catalog.-) CASE WHEN mn OPERATOR(pg_catalog.=) 0 THEN 0.001
                                                          ELSE 0.001 OPERATOR(pg_catalog.*) pg_catalog.abs(mn) END AS lo,
                                mx OPERATOR(pg_catalog.+) CASE WHEN mx OPERATOR(pg_catalog.=) 0 THEN 0.001
                                                          ELSE 0.001 OPERATOR(pg_catalog.*) pg_catalog.abs(mx) END AS hi) a,
                        pg_catalog.generate_series(0, n) i ORDER BY i)
         ELSE
           ARRAY(SELECT CASE WHEN i OPERATOR(pg_catalog.=) 0
                             THEN mn OPERATOR(pg_catalog.-) ((mx OPERATOR(pg_catalog.-) mn) OPERATOR(pg_catalog.*) 0.001)
                             WHEN i OPERATOR(pg_catalog.=) n THEN mx
                             ELSE (i::pg_catalog.float8 OPERATOR(pg_catalog.*)
                                   ((mx OPERATOR(pg_catalog.-) mn) OPERATOR(pg_catalog./) n)) OPERATOR(pg_catalog.+) mn END
                   FROM pg_catalog.generate_series(0, n) i ORDER BY i)
         END;
END;
COMMENT ON FUNCTION stormops.equal_width_edges(pg_catalog.float8, pg_catalog.float8, pg_catalog.int4) IS
  'The n + 1 edges pandas.cut(x, bins=n) uses for values from mn to mx (the lowest lowered by 0.1% of the range).';

-- The value of a dimension for each treated and control property of these
-- runs, with its outcome.
CREATE OR REPLACE FUNCTION stormops.sensitivity_values(proposal_ids pg_catalog.uuid[], dimension pg_catalog.text)
RETURNS TABLE (proposal_id pg_catalog.uuid, property_id pg_catalog.text, value pg_catalog.float8,
               treated pg_catalog.bool, contacted pg_catalog.bool, responded pg_catalog.bool,
               converted pg_catalog.bool, revenue pg_catalog.int8, cost pg_catalog.numeric)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT o.proposal_id, o.property_id,
         CASE sensitivity_values.dimension
           WHEN 'income' THEN t.median_household_income::pg_catalog.float8
           WHEN 'competition' THEN z.competitor_pressure::pg_catalog.float8
           WHEN 'hail_size' THEN
             CASE WHEN s.event_type OPERATOR(pg_catalog.=) 'hail' THEN
               (SELECT pg_catalog.max(m.magnitude)::pg_catalog.float8
                  FROM (SELECT s.magnitude
                        UNION ALL
                        SELECT sr.magnitude FROM stormops.storm_reports sr
                         WHERE sr.event_id OPERATOR(pg_catalog.=) s.event_id) m) END
           WHEN 'timing' THEN
             pg_catalog.date_part('epoch', COALESCE(e.execution_start, r.as_of) OPERATOR(pg_catalog.-) s.begin_at)
               OPERATOR(pg_catalog./) 86400
         END,
         o.treated, o.contacted, o.responded, o.converted, o.revenue, o.cost
    FROM stormops.run_outcomes(sensitivity_values.proposal_ids) o
    JOIN stormops.proposal_runs r ON r.proposal_id OPERATOR(pg_catalog.=) o.proposal_id
    LEFT JOIN stormops.playbook_executions e ON e.execution_id OPERATOR(pg_catalog.=) r.execution_id
    LEFT JOIN stormops.storm_events s ON s.event_id OPERATOR(pg_catalog.=) r.event_id
    JOIN stormops.properties p ON p.property_id OPERATOR(pg_catalog.=) o.property_id
    LEFT JOIN stormops.census_tracts t ON t.tract_geoid OPERATOR(pg_catalog.=) p.tract_geoid
    LEFT JOIN stormops.zip_competition z ON z.zip OPERATOR(pg_catalog.=) p.zip;
END;
COMMENT ON FUNCTION stormops.sensitivity_values(pg_catalog.uuid[], pg_catalog.text) IS
  'Internal to sensitivity: each treated and control property of these runs with its value of the dimension (NULL: none) and its outcome.';

CREATE OR REPLACE FUNCTION stormops.sensitivity(playbook_name pg_catalog.text, dimension pg_catalog.text)
RETURNS TABLE (bin pg_catalog.int4, lower_edge pg_catalog.float8, upper_edge pg_catalog.float8,
               treated pg_catalog.int8, control pg_catalog.int8, conversion_rate pg_catalog.float8,
               control_conversion_rate pg_catalog.float8, uplift pg_catalog.float8,
               revenue_per_treated pg_catalog.numeric, cost pg_catalog.numeric, roi pg_catalog.numeric,
               note pg_catalog.text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
  play uuid;
BEGIN
  IF sensitivity.dimension IS NULL OR sensitivity.dimension NOT IN ('income', 'competition', 'hail_size', 'timing') THEN
    RAISE EXCEPTION 'sensitivity: unknown dimension "%"', sensitivity.dimension
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'The dimensions are income, competition, hail_size and timing.';
  END IF;
  play := (stormops.playbook_named(sensitivity.playbook_name)).playbook_id;
  -- EXECUTE: planned for these runs each call, never a generic plan
  RETURN QUERY EXECUTE $q$
  WITH v AS MATERIALIZED (
    SELECT x.* FROM stormops.sensitivity_values($1, $2) x WHERE x.value IS NOT NULL
  ), e AS (
    SELECT CASE $2
             WHEN 'timing' THEN '{0,7,14,30,90}'::float8[]
             ELSE stormops.equal_width_edges(min(v.value), max(v.value),
                                             CASE $2 WHEN 'income' THEN 5
                                                                        WHEN 'competition' THEN 3 ELSE 4 END)
           END AS edges
      FROM v
  ), bins AS (
    SELECT i AS bin, e.edges[i] AS lo, e.edges[i + 1] AS hi
      FROM e, generate_series(1, cardinality(e.edges) - 1) i
  ), placed AS (
    SELECT v.*, (SELECT count(*) FROM unnest(e.edges) x WHERE x < v.value)::int AS bin FROM v, e
  ), g AS (
    SELECT p.bin,
           count(*) FILTER (WHERE p.treated) AS nt,
           count(*) FILTER (WHERE p.treated AND p.contacted) AS ct,
           count(*) FILTER (WHERE p.treated AND p.responded) AS rt,
           count(*) FILTER (WHERE p.treated AND p.converted) AS xt,
           COALESCE(sum(p.revenue) FILTER (WHERE p.treated), 0)::numeric AS revt,
           COALESCE(sum(p.cost) FILTER (WHERE p.treated), 0) AS cost,
           count(*) FILTER (WHERE NOT p.treated) AS nc,
           count(*) FILTER (WHERE NOT p.treated AND p.responded) AS rc,
           count(*) FILTER (WHERE NOT p.treated AND p.converted) AS xc,
           COALESCE(sum(p.revenue) FILTER (WHERE NOT p.treated), 0)::numeric AS revc
      FROM placed p GROUP BY p.bin
  )
  SELECT b.bin, b.lo, b.hi, COALESCE(g.nt, 0), COALESCE(g.nc, 0), f.conversion_rate, f.control_conversion_rate,
         f.uplift, f.revenue_per_treated, COALESCE(g.cost, 0), f.roi, f.note
    FROM bins b
    LEFT JOIN g ON g.bin = b.bin
   CROSS JOIN LATERAL stormops.uplift_figures(COALESCE(g.nt, 0), COALESCE(g.ct, 0), COALESCE(g.rt, 0),
                                              COALESCE(g.xt, 0), COALESCE(g.revt, 0), COALESCE(g.cost, 0),
                                              COALESCE(g.nc, 0), COALESCE(g.rc, 0), COALESCE(g.xc, 0),
                                              COALESCE(g.revc, 0)) f
   ORDER BY b.bin
  $q$ USING ARRAY(SELECT r.proposal_id FROM stormops.proposal_runs r WHERE r.playbook_id = play), sensitivity.dimension;
END;
$$;
COMMENT ON FUNCTION stormops.sensitivity(pg_catalog.text, pg_catalog.text) IS
  'The play''s uplift and ROI by bins of income (5 equal-width), competition (3), hail_size (4) or timing (days: 0-7-14-30-90), binned as pandas.cut; property-level over all its runs.';
