-- Scale-out on Citus (docs/scaling.md): stormops.distribute() turns an
-- installation on a Citus coordinator into distributed tables co-located by
-- property_id and reference tables for the rest. Citus is a deployment
-- target, never a dependency: everything here reaches Citus through dynamic
-- SQL, and distribute() refuses with 0A000 when Citus is not installed.
--
-- Which table goes where comes from the catalog, one rule: a table whose
-- primary key holds property_id is distributed by it, co-located with
-- stormops.properties (referrals by referrer_property_id); every other table
-- is a reference table (copied to every node), but competitor_permits, which
-- stays a table of the coordinator: its statement trigger (the competitor
-- defence, which proposes playbooks) then runs once, in the loading
-- transaction, where on a reference table it would run on every node's copy
-- and fail there. The key from proposal_runs to it cannot be kept (a
-- reference table may not reference a local one). schema.sql checks that every
-- table with a property_id column has it in its key (the outbox excepted:
-- its property_id is mostly NULL, a reference table).
--
-- What Citus cannot take as it is, and what distribute() does about it:
-- - Foreign keys between tables still local and tables being converted make
--   Citus convert the whole key graph into "Citus local tables", which fails
--   on the extension's own views, sequences and on the workers' copies. So
--   every foreign key is dropped first (on the coordinator and, with DDL
--   propagation off, on the workers' copies that CREATE EXTENSION made),
--   the tables are converted, and the keys are added back, which Citus then
--   enforces on the shards. Two cannot come back and are dropped for good:
--   referrals_referred_known (the referred property may live on another
--   shard) and proposal_runs_permit_id_fkey (to the coordinator's table).
-- - SQL functions (BEGIN ATOMIC) that read a distributed table fail on Citus
--   ("parameterized queries for SQL functions referencing distributed tables
--   are not supported"). Each gets a PL/pgSQL twin built from its own body,
--   which it then calls (stormops.citus_function_ddl, on every node): one
--   source, two forms; on a single node they stay SQL functions, which the
--   planner can inline.
-- - Functions pinned to generic plans (guardrail_signals_of, for one node's
--   estimates) get custom plans: Citus cannot plan a multi-shard statement
--   with unresolved parameters ("could not create distributed plan").
-- - The statement triggers that keep guardrail_state and behavior_counts
--   read transition tables. Citus runs triggers on the shards, where a Citus
--   query cannot read a transition table ("could not find named
--   tuplestore"), so the insert merges name their table at run time
--   (stormops.colocated_target): on a shard of behavior_events they write
--   the co-located shards, a plain PostgreSQL statement on the same node,
--   one per shard per loading statement. The correction trigger, which
--   recomputes from history through Citus queries, becomes a row trigger
--   (behavior_events_upkeep). The triggers are dropped before the copy and
--   created again after it, so the copied rows are not counted twice. The
--   truncate trigger stays: it acts only where it fires on the table
--   itself, the coordinator's.
--
-- Failure modes: the statements run on the workers (run_command_on_workers)
-- commit there even when distribute() fails later on the coordinator; each is
-- repeatable (DROP ... IF EXISTS, CREATE OR REPLACE), so the fix is to remove
-- the cause and call distribute() again. A second call on a distributed
-- installation changes nothing and says so.

-- The Citus form of a SQL function with a one-statement body (NULL for any
-- other function), two statements: a PL/pgSQL twin in schema stormops_citus
-- with the same name, arguments and settings, whose body is the function's
-- own, deparsed by PostgreSQL under a pinned search_path, run by RETURN
-- QUERY (set-returning) or a one-row loop (the first row, or NULL, as a SQL
-- function returns); and the function itself re-created to call its twin.
-- The twin's result columns are named c1, c2, ...: PL/pgSQL refuses a
-- result column named as an argument (contact_plan's execution_id), which
-- SQL functions allow. Callers keep the function's own columns.
CREATE FUNCTION stormops.citus_function_ddl(fn pg_catalog.regprocedure)
RETURNS pg_catalog.text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  f pg_catalog.pg_proc;
  stmt text;
  header text;
  settings text := '';
  result_type text;
  call_args text;
BEGIN
  SELECT * INTO f FROM pg_catalog.pg_proc p WHERE p.oid = fn;
  IF f.prosqlbody IS NULL OR f.prokind <> 'f' THEN
    RETURN NULL;
  END IF;
  -- one statement: "BEGIN ATOMIC\n <stmt>;\nEND"
  stmt := substring(pg_catalog.pg_get_function_sqlbody(fn) FROM '^BEGIN ATOMIC\s*(.*);\s*END\s*$');
  IF stmt IS NULL OR strpos(stmt, E';\n') > 0 THEN
    RETURN NULL;
  END IF;
  SELECT coalesce(string_agg(format(' SET %s TO %L', split_part(c, '=', 1), substr(c, strpos(c, '=') + 1)), E'\n'), '')
    INTO settings
    FROM unnest(f.proconfig) c WHERE c NOT LIKE 'search_path=%';
  -- the result: TABLE(c1 ..., c2 ...) for the columns of RETURNS TABLE / OUT
  SELECT CASE WHEN count(*) = 0 THEN NULL
              ELSE CASE WHEN f.proretset THEN 'TABLE(' ELSE '' END
                   || string_agg(format('c%s %s', o.n, pg_catalog.format_type(o.t, NULL)), ', ' ORDER BY o.n)
                   || CASE WHEN f.proretset THEN ')' ELSE '' END END
    INTO result_type
    FROM (SELECT row_number() OVER (ORDER BY a.ord) AS n, a.t
            FROM unnest(f.proallargtypes, f.proargmodes) WITH ORDINALITY a(t, m, ord)
           WHERE a.m IN ('o', 't', 'b')) o;
  IF result_type IS NOT NULL AND NOT f.proretset THEN
    RETURN NULL;   -- OUT parameters of a one-row function: none in stormops
  END IF;
  result_type := coalesce(result_type,
                          CASE WHEN f.proretset THEN 'SETOF ' ELSE '' END || pg_catalog.format_type(f.prorettype, NULL));
  -- the call: each input argument by name (as the deparsed body reads it)
  SELECT coalesce(string_agg(CASE WHEN coalesce(f.proargnames[a.ord], '') = '' THEN '$' || a.ord
                                  ELSE format('%I.%I', f.proname, f.proargnames[a.ord]) END, ', ' ORDER BY a.ord), '')
    INTO call_args
    FROM generate_series(1, f.pronargs) a(ord);
  header := format(E'CREATE OR REPLACE FUNCTION stormops_citus.%I(%s)\n RETURNS %s\n LANGUAGE plpgsql %s\n'
                   || E' SET search_path TO pg_catalog, pg_temp\n%s\n',
                   f.proname, pg_catalog.pg_get_function_arguments(fn), result_type,
                   CASE f.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END, settings);
  RETURN ARRAY[
    header || E'AS $stormops_citus$\n#variable_conflict use_column\n'
    || CASE WHEN f.proretset
            THEN E'BEGIN\n  RETURN QUERY\n' || stmt || E';\n  RETURN;\nEND\n'
            ELSE format(E'DECLARE\n  result %s;\nBEGIN\n  FOR result IN\n%s\n  LOOP\n    RETURN result;\n  END LOOP;\n  RETURN NULL;\nEND\n',
                        pg_catalog.format_type(f.prorettype, NULL), stmt) END
    || '$stormops_citus$',
    left(pg_catalog.pg_get_functiondef(fn), strpos(pg_catalog.pg_get_functiondef(fn), 'BEGIN ATOMIC') - 1)
    || E'BEGIN ATOMIC\n  SELECT '
    || CASE WHEN f.proretset THEN format('* FROM stormops_citus.%I(%s)', f.proname, call_args)
            ELSE format('stormops_citus.%I(%s)', f.proname, call_args) END
    || E';\nEND'];
END;
$$;
COMMENT ON FUNCTION stormops.citus_function_ddl(pg_catalog.regprocedure) IS
  'Internal (distribute): the statements that give a one-statement SQL function its Citus form (a PL/pgSQL twin in stormops_citus, called by the function); NULL for other functions.';

-- Corrections of behaviour events on Citus: an update or a delete
-- recomputes the touched properties from history, as the correction trigger
-- of 12_guardrails_history.sql does on one node. That trigger reads
-- transition tables and then Citus queries (the history), which a trigger on
-- a shard cannot combine, so on Citus it is this row trigger; inserts keep
-- their statement merges, which write the co-located shards
-- (stormops.colocated_target).
CREATE FUNCTION stormops.behavior_events_upkeep()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- both tables, in the insert triggers' order
  PERFORM stormops.behavior_counts_from_history(ARRAY[OLD.property_id]);
  PERFORM stormops.guardrail_state_from_history(ARRAY[OLD.property_id]);
  IF TG_OP = 'UPDATE' AND NEW.property_id IS DISTINCT FROM OLD.property_id THEN
    PERFORM stormops.behavior_counts_from_history(ARRAY[NEW.property_id]);
    PERFORM stormops.guardrail_state_from_history(ARRAY[NEW.property_id]);
  END IF;
  RETURN NULL;
END;
$$;
COMMENT ON FUNCTION stormops.behavior_events_upkeep() IS
  'Internal (on Citus, docs/scaling.md): the row trigger that recomputes behavior_counts and guardrail_state after a correction of behaviour events.';

-- The placement of every table under the one rule above.
CREATE FUNCTION stormops.distribution_plan()
RETURNS TABLE (relation pg_catalog.regclass, placement pg_catalog.text, distribution_column pg_catalog.name)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT c.oid::pg_catalog.regclass,
         CASE WHEN c.relname OPERATOR(pg_catalog.=) 'competitor_permits' THEN 'local'
              WHEN k.col IS NULL THEN 'reference' ELSE 'distributed' END,
         k.col
    FROM pg_catalog.pg_class c
    LEFT JOIN LATERAL (
      SELECT a.attname AS col
        FROM pg_catalog.pg_constraint p
        JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) p.conrelid
                                      AND a.attnum OPERATOR(pg_catalog.=) ANY (p.conkey)
       WHERE p.conrelid OPERATOR(pg_catalog.=) c.oid AND p.contype OPERATOR(pg_catalog.=) 'p'
         AND a.attname OPERATOR(pg_catalog.=) ANY ('{property_id,referrer_property_id}'::pg_catalog.name[])
       ORDER BY a.attname OPERATOR(pg_catalog.=) 'property_id' DESC
       LIMIT 1) k ON true
   WHERE c.relnamespace OPERATOR(pg_catalog.=) 'stormops'::pg_catalog.regnamespace
     AND c.relkind OPERATOR(pg_catalog.=) 'r'
     -- the extension's own tables, not the shards Citus keeps beside them
     AND EXISTS (SELECT FROM pg_catalog.pg_depend d
                  WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e'
                    AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass)
   -- properties first: the others are co-located with it
   ORDER BY k.col IS NULL DESC, c.relname OPERATOR(pg_catalog.<>) 'properties', c.relname;
END;
COMMENT ON FUNCTION stormops.distribution_plan() IS
  'Where distribute() puts each table: distributed by property_id (or referrals by referrer_property_id), co-located with properties; competitor_permits local to the coordinator; or a reference table.';

-- Makes this installation distributed (docs/scaling.md). Admins, on the Citus
-- coordinator. Returns what it did, one row per table.
CREATE FUNCTION stormops.distribute(shard_count pg_catalog.int4 DEFAULT NULL)
RETURNS TABLE (relation pg_catalog.regclass, placement pg_catalog.text, detail pg_catalog.text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  keys record;
  plan record;
  fn record;
  proc regprocedure;
  ddl text;
  fn_ddl text[];
  -- the twins' schema: the functions run with their caller's rights, so the
  -- roles that may call stormops' functions may reach them
  node_ddl text[] := ARRAY['CREATE SCHEMA IF NOT EXISTS stormops_citus',
                           'GRANT USAGE ON SCHEMA stormops_citus TO stormops_viewer, stormops_operator, stormops_admin'];
  failed text;
  kept int := 0;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension e WHERE e.extname = 'citus') THEN
    RAISE EXCEPTION 'Citus is not installed in database %', current_database()
      USING ERRCODE = 'feature_not_supported',
            HINT = 'stormops runs on one node without it. To scale out: CREATE EXTENSION citus on the coordinator and every worker, add the workers with citus_add_node(), then call stormops.distribute() on the coordinator (docs/scaling.md).';
  END IF;
  IF stormops.on_citus_worker() THEN
    RAISE EXCEPTION 'stormops.distribute() runs on the Citus coordinator, not on a worker'
      USING ERRCODE = 'feature_not_supported', HINT = 'Connect to the coordinator and call it there.';
  END IF;
  IF EXISTS (SELECT FROM pg_catalog.pg_dist_partition d WHERE d.logicalrelid = 'stormops.properties'::regclass) THEN
    RAISE NOTICE 'stormops is already distributed: nothing to do';
    RETURN QUERY
      SELECT t.relation, t.placement,
             CASE WHEN d.partmethod = 'n' THEN 'already a reference table'
                  WHEN d.partmethod IS NOT NULL
                    THEN format('already distributed by %s', pg_catalog.column_to_column_name(d.logicalrelid, d.partkey))
                  WHEN t.placement = 'local' THEN 'already on the coordinator only'
                  ELSE 'not converted: call stormops.distribute() after fixing why' END
        FROM stormops.distribution_plan() t
        LEFT JOIN pg_catalog.pg_dist_partition d ON d.logicalrelid = t.relation;
    RETURN;
  END IF;
  -- one distribution at a time
  LOCK TABLE stormops.properties IN ACCESS EXCLUSIVE MODE;

  -- 1. the foreign keys, to drop now and add back after the conversion
  CREATE TEMP TABLE stormops_citus_keys ON COMMIT DROP AS
  SELECT k.conrelid::regclass AS rel, k.conname, pg_catalog.pg_get_constraintdef(k.oid) AS def,
         k.conname <> 'referrals_referred_known'
           AND k.confrelid <> 'stormops.competitor_permits'::regclass AS restore
    FROM pg_catalog.pg_constraint k
    JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
   WHERE c.relnamespace = 'stormops'::regnamespace AND k.contype = 'f';
  FOR keys IN SELECT * FROM pg_temp.stormops_citus_keys ORDER BY rel::text, conname LOOP
    node_ddl := node_ddl || format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', keys.rel, keys.conname);
  END LOOP;
  -- 2. the triggers that read transition tables (the behaviour upkeep's
  --    statement triggers): dropped, on the workers' copies as well, and
  --    created again after the copy (step 6): before it, they would fire for
  --    the rows Citus copies into the shards and count them twice. The
  --    insert merges come back as they are (they write the co-located
  --    shards); the correction trigger comes back as a row trigger.
  CREATE TEMP TABLE stormops_citus_triggers ON COMMIT DROP AS
  SELECT t.tgname, pg_catalog.pg_get_triggerdef(t.oid) AS def, t.tgoldtable IS NULL AS restore
    FROM pg_catalog.pg_trigger t
   WHERE t.tgrelid = 'stormops.behavior_events'::regclass AND NOT t.tgisinternal
     AND (t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL);
  FOR keys IN SELECT * FROM pg_temp.stormops_citus_triggers ORDER BY tgname LOOP
    node_ddl := node_ddl || format('DROP TRIGGER IF EXISTS %I ON stormops.behavior_events', keys.tgname);
  END LOOP;
  -- 3. the SQL functions that read a distributed table: their PL/pgSQL twins
  FOR fn IN
    SELECT p.oid::regprocedure AS f
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'stormops'::regnamespace AND p.prosqlbody IS NOT NULL
       AND EXISTS (SELECT FROM pg_catalog.pg_depend d
                     JOIN stormops.distribution_plan() t ON t.relation = d.refobjid AND t.placement = 'distributed'
                    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                      AND d.refclassid = 'pg_catalog.pg_class'::regclass)
     ORDER BY p.oid::regprocedure::text
  LOOP
    fn_ddl := stormops.citus_function_ddl(fn.f);
    IF fn_ddl IS NULL THEN
      RAISE EXCEPTION 'function % reads a distributed table and has no one-statement SQL body', fn.f
        USING ERRCODE = 'feature_not_supported', HINT = 'A stormops bug: report it.';
    END IF;
    node_ddl := node_ddl || fn_ddl;
  END LOOP;
  -- 3b. functions pinned to generic plans (for one node's estimates): Citus
  --     plans a multi-shard statement only with its parameters' values
  FOR fn IN
    SELECT p.oid::regprocedure AS f
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'stormops'::regnamespace
       AND 'plan_cache_mode=force_generic_plan' = ANY (p.proconfig)
     ORDER BY p.oid::regprocedure::text
  LOOP
    node_ddl := node_ddl || format('ALTER FUNCTION %s SET plan_cache_mode = force_custom_plan', fn.f);
  END LOOP;
  -- 3c. proposing reads the shards and then writes reference tables
  --     (executions, runs) that distributed tables reference: Citus allows
  --     that only when the transaction has used one connection per node
  --     throughout, so every entry point of proposing (by hand, by the storm
  --     worker, by pg_cron) runs so
  FOREACH proc IN ARRAY ARRAY[
      'stormops.propose_playbook(stormops.playbooks, text, text, text, integer, text, timestamptz)',
      'stormops.generate_proposals(text, timestamptz)',
      'stormops.storm_events_pending()',
      'stormops.handle_storm_event(text)',
      'stormops.run_pending_event(text)',
      'stormops.run_pending_proposals()']::regprocedure[] LOOP
    node_ddl := node_ddl || format('ALTER FUNCTION %s SET citus.multi_shard_modify_mode = sequential', proc);
  END LOOP;
  -- 3d. a claim (and the expiry) updates the contact steps it has locked
  --     row by row, over many shards: Citus would otherwise take a lock on
  --     every shard it writes and make each claim wait for the one before;
  --     the row locks keep two claims apart, as on one node
  FOREACH proc IN ARRAY ARRAY[
      'stormops.claim_contacts(text, integer, timestamptz, interval)',
      'stormops.expire_contact_steps(timestamptz)']::regprocedure[] LOOP
    node_ddl := node_ddl || format('ALTER FUNCTION %s SET citus.all_modifications_commutative = on', proc);
  END LOOP;
  -- on the workers' copies of the extension (plain DDL there, not propagated),
  -- then here
  FOREACH ddl IN ARRAY node_ddl LOOP
    EXECUTE $q$SELECT string_agg(format('%s:%s: %s', r.nodename, r.nodeport, r.result), '; ')
                 FROM pg_catalog.run_command_on_workers($1) r WHERE NOT r.success$q$
      INTO failed USING 'SET citus.enable_ddl_propagation TO off; ' || ddl;
    IF failed IS NOT NULL THEN
      RAISE EXCEPTION 'a worker refused a step of stormops.distribute(): %', failed
        USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = ddl,
              HINT = 'Fix the worker (stormops must be installed there at the coordinator''s version) and call distribute() again.';
    END IF;
  END LOOP;
  PERFORM set_config('citus.enable_ddl_propagation', 'off', true);
  FOREACH ddl IN ARRAY node_ddl LOOP
    EXECUTE ddl;
  END LOOP;
  PERFORM set_config('citus.enable_ddl_propagation', 'on', true);

  -- 4. the conversions: reference tables, then properties, then the tables
  --    co-located with it. Triggers are copied to the shards (the ones left
  --    are row triggers or statement triggers without transition tables).
  PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
  -- one connection per node: the reference tables' keys are checked there
  PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
  IF shard_count IS NOT NULL THEN
    PERFORM set_config('citus.shard_count', shard_count::text, true);
  END IF;
  FOR plan IN SELECT * FROM stormops.distribution_plan() LOOP
    IF plan.placement = 'local' THEN
      relation := plan.relation; placement := 'local';
      detail := 'stays on the coordinator: its trigger runs once, in the loading transaction';
    ELSIF plan.placement = 'reference' THEN
      EXECUTE 'SELECT pg_catalog.create_reference_table($1)' USING plan.relation;
      relation := plan.relation; placement := 'reference'; detail := 'a copy on every node';
    ELSIF plan.relation = 'stormops.properties'::regclass THEN
      EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2)' USING plan.relation, plan.distribution_column::text;
      relation := plan.relation; placement := 'distributed';
      detail := format('by %s, %s shards', plan.distribution_column,
                       (SELECT count(*) FROM pg_catalog.pg_dist_shard s WHERE s.logicalrelid = plan.relation));
    ELSE
      EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2, colocate_with => $3)'
        USING plan.relation, plan.distribution_column::text, 'stormops.properties';
      relation := plan.relation; placement := 'distributed';
      detail := format('by %s, co-located with stormops.properties', plan.distribution_column);
    END IF;
    RETURN NEXT;
  END LOOP;

  -- 5. the foreign keys back, enforced by Citus on the shards
  FOR keys IN SELECT * FROM pg_temp.stormops_citus_keys WHERE restore ORDER BY rel::text, conname LOOP
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', keys.rel, keys.conname, keys.def);
    kept := kept + 1;
  END LOOP;
  -- 6. the upkeep on the shards: the insert merges as they were, the
  --    corrections as a row trigger
  FOR keys IN SELECT * FROM pg_temp.stormops_citus_triggers WHERE restore ORDER BY tgname LOOP
    EXECUTE keys.def;
  END LOOP;
  EXECUTE 'CREATE TRIGGER behavior_events_upkeep AFTER UPDATE OR DELETE ON stormops.behavior_events '
          'FOR EACH ROW EXECUTE FUNCTION stormops.behavior_events_upkeep()';
  RAISE NOTICE 'stormops distributed: % foreign keys kept; referrals_referred_known (the referred property may be on another shard) and proposal_runs_permit_id_fkey (to the coordinator''s competitor_permits) dropped', kept;
END;
$$;
COMMENT ON FUNCTION stormops.distribute(pg_catalog.int4) IS
  'Admins, on a Citus coordinator: distributes the per-property tables by property_id, co-located, and makes the others reference tables (docs/scaling.md). Refuses without Citus.';
