-- Which contact steps a claim takes, and how they are locked (a code part;
-- contact-plans.md, "Senders"; docs/scaling.md, "Contact claims"): the due
-- and ready current steps of a channel, earliest due and best rank first,
-- each locked FOR UPDATE SKIP LOCKED so that concurrent senders never share
-- one. On one node that is one statement. On Citus, which locks rows only in
-- a statement on one shard, the steps are read in order without a lock and
-- then locked shard by shard, and checked again as locked. The claim
-- (22_contact_claims.sql) and the expiry (24_execution_end.sql) lock
-- through these. Failure modes: a step another transaction holds is left
-- out, never waited for; a step that changed before it was locked is
-- checked again on its locked row, so it is never taken twice.

-- The given steps (three arrays of one length: execution_id, property_id,
-- step) that are still current (the next of their plan, planned or leased),
-- locked FOR UPDATE SKIP LOCKED: a step another transaction holds is left
-- out. The rows are returned as they are once locked, for the caller to
-- check its own conditions on. On one node one statement; on Citus one
-- statement per shard, as Citus locks rows in a statement on one shard only.
CREATE OR REPLACE FUNCTION stormops.lock_current_steps(execution_ids pg_catalog.uuid[],
                                                      property_ids pg_catalog.text[],
                                                      steps pg_catalog.int2[])
RETURNS SETOF stormops.contact_steps
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  lock_sql constant text :=
    'SELECT s.* FROM stormops.contact_steps s
      WHERE s.property_id = ANY ($2)
        AND (s.execution_id, s.property_id, s.step) IN (SELECT * FROM unnest($1, $2, $3))
        AND s.is_next AND s.status IN (''planned'', ''leased'')
        FOR UPDATE SKIP LOCKED';
  g record;
BEGIN
  IF NOT stormops.is_distributed('stormops.contact_steps') THEN
    RETURN QUERY EXECUTE lock_sql USING execution_ids, property_ids, steps;
    RETURN;
  END IF;
  FOR g IN SELECT get_shard_id_for_distribution_column('stormops.contact_steps', k.p) AS shard,
                  array_agg(k.e) AS e, array_agg(k.p) AS p, array_agg(k.s) AS s
             FROM unnest(execution_ids, property_ids, steps) AS k(e, p, s)
            GROUP BY 1 ORDER BY 1 LOOP
    RETURN QUERY EXECUTE lock_sql USING g.e, g.p, g.s;   -- the values name one shard
  END LOOP;
END;
$$;
COMMENT ON FUNCTION stormops.lock_current_steps(pg_catalog.uuid[], pg_catalog.text[], pg_catalog.int2[]) IS
  'Internal: the given contact steps still current, locked (SKIP LOCKED); per shard on Citus.';

-- The candidates of one batch of a claim, locked: up to `want` current steps
-- of a channel that are due and ready, earliest due and best rank first,
-- each locked FOR UPDATE SKIP LOCKED, so concurrent claims never share one.
-- On one node that is one statement. On Citus the candidates are read in
-- order without a lock (one statement over the shards), then locked per
-- shard (lock_current_steps) and checked again as locked; a page with steps
-- another claim holds is followed by the next page (keyset order), until
-- `want` are locked or no candidate is left. The rows come in no particular
-- order.
CREATE OR REPLACE FUNCTION stormops.claim_candidates(ch stormops.channel, want pg_catalog.int4,
                                                    as_of pg_catalog.timestamptz)
RETURNS SETOF stormops.contact_steps
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
  got int := 0;
  page int;
  locked int;
  es uuid[];
  ps text[];
  sts int2[];
  dues timestamptz[];
  ranks int4[];
  n int;
BEGIN
  IF NOT stormops.is_distributed('stormops.contact_steps') THEN
    RETURN QUERY
      SELECT s.* FROM stormops.contact_steps s
       WHERE s.channel = ch AND s.is_next AND s.status IN ('planned', 'leased')
         AND s.due_at <= as_of AND s.ready_at <= as_of
       ORDER BY s.due_at, s.rank, s.property_id, s.execution_id
       LIMIT want
         FOR UPDATE SKIP LOCKED;
    RETURN;
  END IF;

  LOOP
    page := want - got;
    -- the next page, after the last key of the one before (n of its rows)
    -- (the order and limit go to every shard, and the coordinator merges)
    SELECT array_agg(k.execution_id ORDER BY k.due_at, k.rank, k.property_id, k.execution_id),
           array_agg(k.property_id ORDER BY k.due_at, k.rank, k.property_id, k.execution_id),
           array_agg(k.step ORDER BY k.due_at, k.rank, k.property_id, k.execution_id),
           array_agg(k.due_at ORDER BY k.due_at, k.rank, k.property_id, k.execution_id),
           array_agg(k.rank ORDER BY k.due_at, k.rank, k.property_id, k.execution_id)
      INTO es, ps, sts, dues, ranks
      FROM (SELECT s.execution_id, s.property_id, s.step, s.due_at, s.rank
              FROM stormops.contact_steps s
             WHERE s.channel = ch AND s.is_next AND s.status IN ('planned', 'leased')
               AND s.due_at <= as_of AND s.ready_at <= as_of
               AND (n IS NULL OR (s.due_at, s.rank, s.property_id, s.execution_id)
                                 > (dues[n], ranks[n], ps[n], es[n]))
             ORDER BY s.due_at, s.rank, s.property_id, s.execution_id
             LIMIT page) k;
    EXIT WHEN es IS NULL;
    RETURN QUERY
      SELECT l.* FROM stormops.lock_current_steps(es, ps, sts) l
       WHERE l.due_at <= as_of AND l.ready_at <= as_of;
    GET DIAGNOSTICS locked = ROW_COUNT;
    got := got + locked;
    n := cardinality(es);
    EXIT WHEN got >= want OR n < page;
  END LOOP;
END;
$$;
COMMENT ON FUNCTION stormops.claim_candidates(stormops.channel, pg_catalog.int4, pg_catalog.timestamptz) IS
  'Internal: the locked candidates of one batch of claim_due_contacts.';
