-- Word-of-mouth diffusion (diffusion.md; a code part, new in 0.2.0;
-- docs/diffusion.md): the seed set, the neighbour graph's refresh, the
-- scores, the edges as a view, the paths a canvasser reads, and the rule
-- that a play requiring graph analysis waits for a score.
--
-- Design: the neighbour search and PageRank are C (src/pg/neighbor_refresh.c
-- and diffusion.c over src/core): refresh_neighbors() writes only the
-- difference to neighbor_lists; diffusion_scores() reads the stored graph,
-- and diffusion_paths walks the view diffusion_edges, so the scores, the
-- edges and the paths describe one graph.
-- refresh_diffusion() is the one entry point (the nightly job calls it):
-- neighbours, then every property's score and percent rank into
-- property_scores (only rows whose values changed are written), then a
-- diffusion_runs row, in one transaction. Failure modes: a second refresh
-- waits for the first (refresh_neighbors locks neighbor_lists SHARE ROW
-- EXCLUSIVE); a cancel stops the C work between points or steps and
-- rolls everything back.

CREATE OR REPLACE FUNCTION stormops.neighbor_weight(distance_m pg_catalog.float8)
RETURNS pg_catalog.float8
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'stormops_neighbor_weight';
COMMENT ON FUNCTION stormops.neighbor_weight(pg_catalog.float8) IS
  'The weight of a neighbour edge: exp(-distance_m / stormops.neighbor_decay_m).';

CREATE OR REPLACE FUNCTION stormops.referral_weight()
RETURNS pg_catalog.float8
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'stormops_referral_weight';
COMMENT ON FUNCTION stormops.referral_weight() IS
  'The setting stormops.referral_weight (default 5): the weight of a referral edge.';

-- The seed set: past customers, and properties converted in the
-- stormops.attribution_days (24-hour days) before as_of.
CREATE OR REPLACE FUNCTION stormops.diffusion_seeds(as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (property_id pg_catalog.text)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT p.property_id FROM stormops.properties p WHERE p.is_past_customer
  UNION
  SELECT b.property_id FROM stormops.behavior_events b
   WHERE b.event_type OPERATOR(pg_catalog.=) 'conversion'
     AND b.event_timestamp OPERATOR(pg_catalog.<) diffusion_seeds.as_of
     AND b.event_timestamp OPERATOR(pg_catalog.>=) (diffusion_seeds.as_of OPERATOR(pg_catalog.-)
           stormops.days_interval(stormops.attribution_days()));
END;
COMMENT ON FUNCTION stormops.diffusion_seeds(pg_catalog.timestamptz) IS
  'The seed set of the diffusion scores: past customers, and properties with a conversion in the stormops.attribution_days before as_of.';

CREATE OR REPLACE FUNCTION stormops.refresh_neighbors(
  OUT properties pg_catalog.int8, OUT located pg_catalog.int8, OUT neighbor_rows pg_catalog.int8,
  OUT lists_inserted pg_catalog.int8, OUT lists_updated pg_catalog.int8, OUT lists_deleted pg_catalog.int8)
RETURNS record
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'stormops_refresh_neighbors';
COMMENT ON FUNCTION stormops.refresh_neighbors() IS
  'Brings neighbor_lists up to date with the properties and the settings (neighbor_k, neighbor_radius_m): computes every list, writes only the lists that changed. Returns the counts (neighbor_rows: the pairs of property_neighbors).';

-- The design's pairs: each property's list, nearest first.
CREATE OR REPLACE VIEW stormops.property_neighbors WITH (security_invoker = true) AS
  SELECT l.property_id, n.neighbor_id, n.distance_m, n.neighbor_rank::pg_catalog.int4 AS neighbor_rank
    FROM stormops.neighbor_lists l
    CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(l.neighbor_ids), pg_catalog.unnest(l.distances_m))
         WITH ORDINALITY AS n(neighbor_id, distance_m, neighbor_rank);
COMMENT ON VIEW stormops.property_neighbors IS
  'Each property''s stormops.neighbor_k nearest properties within stormops.neighbor_radius_m: (property_id, neighbor_id, distance_m), neighbor_rank 1 the nearest; from neighbor_lists.';

CREATE OR REPLACE FUNCTION stormops.diffusion_scores(as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (property_id pg_catalog.text, diffusion_score pg_catalog.float8,
               diffusion_percentile pg_catalog.float8, is_seed pg_catalog.bool)
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'stormops_diffusion_scores';
COMMENT ON FUNCTION stormops.diffusion_scores(pg_catalog.timestamptz) IS
  'Personalized PageRank (damping 0.85, L1 change below 1e-10) over the stored neighbour graph and the referrals, restarting at diffusion_seeds(as_of); each property''s score, 100 * its percent_rank among all, and whether it is a seed. Writes nothing.';

-- Every edge of the graph the scores walk: a property's neighbours both
-- ways are its list and the lists that hold it (each neighbour once);
-- referrals one way.
CREATE OR REPLACE VIEW stormops.diffusion_edges WITH (security_invoker = true) AS
  SELECT l.property_id AS from_property_id, n.id AS to_property_id, 'neighbor'::pg_catalog.text AS edge_kind,
         n.d AS distance_m, stormops.neighbor_weight(n.d) AS weight
    FROM stormops.neighbor_lists l
    CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(l.neighbor_ids), pg_catalog.unnest(l.distances_m)) AS n(id, d)
  UNION ALL
  SELECT l.property_id, r.id, 'neighbor'::pg_catalog.text, r.d, stormops.neighbor_weight(r.d)
    FROM stormops.neighbor_lists l
    CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(l.listed_by_ids), pg_catalog.unnest(l.listed_by_distances_m)) AS r(id, d)
   WHERE NOT (r.id OPERATOR(pg_catalog.=) ANY (l.neighbor_ids))
  UNION ALL
  SELECT r.referrer_property_id, r.referred_property_id, 'referral'::pg_catalog.text, NULL::pg_catalog.float8,
         stormops.referral_weight()
    FROM stormops.referrals r;
COMMENT ON VIEW stormops.diffusion_edges IS
  'The directed, weighted edges of the diffusion graph as stored: neighbour edges both ways (weight neighbor_weight(distance_m)), referral edges from referrer to referred (weight referral_weight()).';

CREATE OR REPLACE FUNCTION stormops.refresh_diffusion(as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS stormops.diffusion_runs
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
  started timestamptz := clock_timestamp();
  g record;
  seed_count bigint;
  changed bigint;
  run stormops.diffusion_runs;
BEGIN
  IF as_of IS NULL OR NOT isfinite(as_of) THEN
    RAISE EXCEPTION 'as_of must be a finite timestamp'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Omit it for now(), or pass the moment whose seed set to use.';
  END IF;
  SELECT * INTO g FROM stormops.refresh_neighbors();
  PERFORM stormops.add_score_rows();
  WITH d AS MATERIALIZED (SELECT * FROM stormops.diffusion_scores(as_of)),
       u AS (UPDATE stormops.property_scores s
                SET diffusion_score = d.diffusion_score, diffusion_percentile = d.diffusion_percentile
               FROM d
              WHERE d.property_id = s.property_id
                AND (s.diffusion_score, s.diffusion_percentile) IS DISTINCT FROM (d.diffusion_score, d.diffusion_percentile)
             RETURNING 1)
  SELECT (SELECT count(*) FROM d WHERE d.is_seed), (SELECT count(*) FROM u) INTO seed_count, changed;
  INSERT INTO stormops.diffusion_runs
         (as_of, started_at, finished_at, properties, located, neighbor_rows, lists_inserted, lists_updated,
          lists_deleted, referrals, seeds, scores_changed, neighbor_k, neighbor_radius_m, neighbor_decay_m,
          referral_weight)
  VALUES (as_of, started, clock_timestamp(), g.properties, g.located, g.neighbor_rows, g.lists_inserted,
          g.lists_updated, g.lists_deleted, (SELECT count(*) FROM stormops.referrals), seed_count, changed,
          current_setting('stormops.neighbor_k')::int4, current_setting('stormops.neighbor_radius_m')::float8,
          current_setting('stormops.neighbor_decay_m')::float8, stormops.referral_weight())
  RETURNING * INTO run;
  RETURN run;
END;
$$;
COMMENT ON FUNCTION stormops.refresh_diffusion(pg_catalog.timestamptz) IS
  'The nightly diffusion job: refresh_neighbors(), then every property''s diffusion_score and diffusion_percentile (seeds as of as_of) into property_scores, then a diffusion_runs row, which it returns.';

-- The strongest paths from seeds to a property, walking its in-edges back
-- at most max_hops; a path ends at the first seed it meets. A path's
-- strength is the chance that a walk from its seed takes it: the product
-- over its edges of 0.85 * weight / (the weight of all the edges leaving
-- the edge's source). Seeds as of the last refresh (now() before any).
CREATE OR REPLACE FUNCTION stormops.diffusion_paths(property_id pg_catalog.text,
                                                    max_hops pg_catalog.int4 DEFAULT 3,
                                                    max_paths pg_catalog.int4 DEFAULT 10)
RETURNS TABLE (path_rank pg_catalog.int4, seed_property_id pg_catalog.text, hops pg_catalog.int4,
               strength pg_catalog.float8, property_ids pg_catalog.text[], edge_kinds pg_catalog.text[],
               distances_m pg_catalog.float8[])
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  target constant text := diffusion_paths.property_id;
  seeds_as_of timestamptz;
BEGIN
  IF max_hops IS NULL OR max_hops < 1 OR max_hops > 6 THEN
    RAISE EXCEPTION 'max_hops must be from 1 to 6, not %', coalesce(max_hops::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Paths of 1 to 6 edges; the default is 3.';
  END IF;
  IF max_paths IS NULL OR max_paths < 1 THEN
    RAISE EXCEPTION 'max_paths must be at least 1, not %', coalesce(max_paths::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'The number of paths to return, strongest first; the default is 10.';
  END IF;
  IF NOT EXISTS (SELECT FROM stormops.properties p WHERE p.property_id = target) THEN
    RAISE EXCEPTION 'property "%" does not exist', target
      USING ERRCODE = 'undefined_object',
            HINT = 'Name a property_id of stormops.properties.';
  END IF;
  SELECT r.as_of INTO seeds_as_of FROM stormops.diffusion_runs r ORDER BY r.run_id DESC LIMIT 1;
  seeds_as_of := coalesce(seeds_as_of, now());
  RETURN QUERY
  -- (whether a property is a seed is looked up per row: diffusion_seeds is
  -- inlined, so its two branches become key look-ups, never a scan of all)
  WITH RECURSIVE walk (node, nodes, kinds, dists, strength, hops, seed) AS (
    SELECT target, ARRAY[target], '{}'::text[], '{}'::float8[], 1.0::float8, 0, false
    UNION ALL
    SELECT e.from_property_id, e.from_property_id || w.nodes, e.edge_kind || w.kinds, e.distance_m || w.dists,
           w.strength * 0.85 * e.weight / o.out_weight, w.hops + 1,
           EXISTS (SELECT FROM stormops.diffusion_seeds(seeds_as_of) s WHERE s.property_id = e.from_property_id)
      FROM walk w
      CROSS JOIN LATERAL (
        -- the edges into w.node: neighbour edges are symmetric (the node's
        -- own edges turned round: one key look-up), referrals by referred
        SELECT x.to_property_id AS from_property_id, x.edge_kind, x.distance_m, x.weight
          FROM stormops.diffusion_edges x
         WHERE x.from_property_id = w.node AND x.edge_kind = 'neighbor'
        UNION ALL
        SELECT x.from_property_id, x.edge_kind, x.distance_m, x.weight
          FROM stormops.diffusion_edges x
         WHERE x.to_property_id = w.node AND x.edge_kind = 'referral') e
      CROSS JOIN LATERAL (SELECT sum(x.weight) AS out_weight FROM stormops.diffusion_edges x
                           WHERE x.from_property_id = e.from_property_id) o
     WHERE w.hops < max_hops
       AND NOT w.seed
       AND NOT e.from_property_id = ANY (w.nodes)
       AND o.out_weight > 0
  )
  SELECT (row_number() OVER (ORDER BY w.strength DESC, w.hops, w.nodes))::int4,
         w.node, w.hops, w.strength, w.nodes, w.kinds, w.dists
    FROM walk w
   WHERE w.seed
   ORDER BY w.strength DESC, w.hops, w.nodes
   LIMIT max_paths;
END;
$$;
COMMENT ON FUNCTION stormops.diffusion_paths(pg_catalog.text, pg_catalog.int4, pg_catalog.int4) IS
  'The strongest paths (at most max_hops edges) from seed properties to this one: the seed, the properties on the way (seed first), the edge kinds and distances, and the chance that a walk from the seed takes the path.';

-- A play that requires graph analysis activates only once a diffusion
-- score exists (a refresh_diffusion has run). Activation is a move to
-- Active (or turning the requirement on while Active); a row inserted as
-- Active is let in, as pg_restore inserts the plays of a dump before the
-- runs that allowed them.
CREATE OR REPLACE FUNCTION stormops.playbooks_graph_ready()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF (OLD.status <> 'Active' OR NOT OLD.requires_graph_analysis)
     AND NOT EXISTS (SELECT FROM stormops.diffusion_runs) THEN
    RAISE EXCEPTION 'playbook "%" requires graph analysis, and no diffusion score has been computed', NEW.playbook_name
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'Column requires_graph_analysis is true; stormops.diffusion_runs is empty.',
            HINT = 'Run SELECT * FROM stormops.refresh_diffusion(); (the nightly job stormops-refresh-diffusion does it), then activate the playbook.';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER playbooks_graph_ready
  BEFORE UPDATE OF status, requires_graph_analysis ON stormops.playbooks
  FOR EACH ROW
  WHEN (NEW.status OPERATOR(pg_catalog.=) 'Active' AND NEW.requires_graph_analysis)
  EXECUTE FUNCTION stormops.playbooks_graph_ready();
