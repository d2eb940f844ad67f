-- Where this node stands in a Citus cluster (docs/scaling.md), for the
-- code that must act differently there. Citus is never required: each
-- function reads Citus' catalog through dynamic SQL, only where it exists,
-- and without Citus gives the single-node answer. A code part.
--
-- Failure modes: none of these fail without Citus; with Citus they read
-- its local metadata (pg_dist_local_group, pg_dist_partition), which every
-- node of a cluster with metadata sync has.

-- Whether this node is a Citus worker (in a cluster, and not the
-- coordinator): triggers on reference tables fire on every node's copy, and
-- what they write elsewhere is written once, from the coordinator's.
CREATE OR REPLACE FUNCTION stormops.on_citus_worker()
RETURNS pg_catalog.bool
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  worker bool;
BEGIN
  IF to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
    RETURN false;
  END IF;
  EXECUTE 'SELECT groupid <> 0 FROM pg_catalog.pg_dist_local_group' INTO worker;
  RETURN coalesce(worker, false);
END;
$$;
COMMENT ON FUNCTION stormops.on_citus_worker() IS
  'Whether this node is a Citus worker (false without Citus, and on the coordinator).';

-- Whether a table is distributed (or a reference table) by Citus.
CREATE OR REPLACE FUNCTION stormops.is_distributed(rel pg_catalog.regclass)
RETURNS pg_catalog.bool
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  distributed bool := false;
BEGIN
  IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
    EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1)'
       INTO distributed USING rel;
  END IF;
  RETURN distributed;
END;
$$;
COMMENT ON FUNCTION stormops.is_distributed(pg_catalog.regclass) IS
  'Whether a table is a Citus table (distributed or reference); false without Citus.';

-- The time a write of this transaction is stamped with: now(), or on Citus
-- the distributed transaction's own stamp once it has one. A row trigger on
-- a reference table runs on every node's copy, each in a transaction of its
-- own that began at another moment; the stamp is the same on all of them,
-- so the copies stay equal.
CREATE OR REPLACE FUNCTION stormops.write_time()
RETURNS pg_catalog.timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  stamp timestamptz;
BEGIN
  IF to_regprocedure('pg_catalog.get_current_transaction_id()') IS NOT NULL THEN
    EXECUTE 'SELECT (pg_catalog.get_current_transaction_id()).transaction_stamp' INTO stamp;
  END IF;
  RETURN coalesce(stamp, now());
END;
$$;
COMMENT ON FUNCTION stormops.write_time() IS
  'now(), or on Citus the distributed transaction''s stamp, the same on every node.';

-- The table a statement trigger's merge writes for `target`: the target
-- itself, or, when the trigger fires on a shard of `base` (on Citus, where
-- triggers run on the shards), the shard of `target` co-located with it
-- (the same hash range, on the same node). A statement over shards is plain
-- PostgreSQL, so the trigger's transition table stays in reach, which a
-- statement over the distributed table would not have ("could not find
-- named tuplestore"). Fails when Citus has no such shard (not co-located).
CREATE OR REPLACE FUNCTION stormops.colocated_target(fired_on pg_catalog.regclass, base pg_catalog.regclass,
                                                    target pg_catalog.regclass)
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  shard bigint;
  twin text;
BEGIN
  IF fired_on = base THEN
    RETURN target::text;
  END IF;
  -- a shard is named after its table and its shard id
  shard := substring((SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = fired_on) FROM '_([0-9]+)$')::bigint;
  EXECUTE 'SELECT pg_catalog.format(''%I.%I'', n.nspname, c.relname || ''_'' || t.shardid)
             FROM pg_catalog.pg_dist_shard s
             JOIN pg_catalog.pg_dist_shard t ON t.logicalrelid = $2 AND t.shardminvalue = s.shardminvalue
             JOIN pg_catalog.pg_class c ON c.oid = t.logicalrelid
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE s.shardid = $1 AND s.logicalrelid = $3'
     INTO twin USING shard, target, base;
  IF twin IS NULL THEN
    RAISE EXCEPTION 'no shard of % is co-located with %', target, fired_on
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Distribute with stormops.distribute(), which co-locates every per-property table.';
  END IF;
  RETURN twin;
END;
$$;
COMMENT ON FUNCTION stormops.colocated_target(pg_catalog.regclass, pg_catalog.regclass, pg_catalog.regclass) IS
  'Internal: the table a trigger fired on `fired_on` writes for `target`: the target, or on Citus its shard co-located with the firing shard.';
