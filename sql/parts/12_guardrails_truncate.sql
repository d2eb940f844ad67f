-- The guardrail state when behaviour events are truncated (a code part;
-- 0.2.0's form of 0.1.0's truncate trigger; docs/operations.md, "Reloading
-- data"). The update from 0.1.0 includes this part whole.
--
-- TRUNCATE stormops.properties CASCADE truncates behavior_events and
-- guardrail_state in one statement; the AFTER TRUNCATE trigger of
-- behavior_events then truncated guardrail_state again, which PostgreSQL
-- refuses while the statement holds it open (55006). The state is cleared
-- only when there is something to clear: after a cascade it is already
-- empty. Failure modes: none new; a TRUNCATE of behavior_events alone still
-- empties the state in the same transaction. The behaviour counts
-- (12_behavior_counts.sql), derived from the same events, are cleared here too.
-- On Citus only the coordinator's firing clears them (the shards' copies of
-- the trigger return at once).
CREATE OR REPLACE FUNCTION stormops.guardrail_state_clear()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- on Citus the trigger fires on every shard of behavior_events as well,
  -- where a TRUNCATE of the derived tables (all their shards) may not run:
  -- they are emptied once, by the coordinator's table (docs/scaling.md)
  IF TG_RELID <> 'stormops.behavior_events'::regclass THEN
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM stormops.guardrail_state) THEN
    TRUNCATE stormops.guardrail_state;
  END IF;
  IF EXISTS (SELECT 1 FROM stormops.behavior_counts) THEN
    TRUNCATE stormops.behavior_counts;
  END IF;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER guardrail_state_on_truncate AFTER TRUNCATE ON stormops.behavior_events
  FOR EACH STATEMENT EXECUTE FUNCTION stormops.guardrail_state_clear();
