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
