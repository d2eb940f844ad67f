-- Corrections and rebuilds of the guardrail state (a code part: 0.2.0's
-- form of 0.1.0's functions and triggers of 12_guardrails.sql; the update includes this
-- part whole; docs/guardrails.md).
--
-- 0.1.0 read the history of the touched properties and then wrote whole rows
-- over the state: a concurrent load's merge that committed in between was
-- lost, and a row could be deleted while its property still had events.
-- Now a correction gives every touched property a row (a placeholder no
-- other session sees), locks those rows in key order, and only then reads
-- their history in a new statement: a concurrent merge is either read or
-- applies its events after (test/shell/behavior_counts_concurrency.sh races
-- both tables). The rebuild writes over the rows instead of truncating, so a
-- reader whose snapshot began earlier never finds the state empty. Under
-- REPEATABLE READ a concurrent change fails the writer with 40001 instead.

-- The state of the given properties (NULL: all) from behavior_events,
-- written over what the state had.
CREATE OR REPLACE FUNCTION stormops.guardrail_state_from_history(property_ids pg_catalog.text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF property_ids IS NOT NULL THEN
    -- a row for each touched property that still exists, then the locks
    INSERT INTO stormops.guardrail_state (property_id, first_event_at)
    SELECT p.property_id, 'infinity' FROM stormops.properties p
     WHERE p.property_id = ANY (property_ids)
     ORDER BY p.property_id
    ON CONFLICT (property_id) DO NOTHING;
    PERFORM FROM stormops.guardrail_state g WHERE g.property_id = ANY (property_ids)
      ORDER BY g.property_id FOR UPDATE;
  END IF;
  -- (a new statement, a new snapshot: every event committed before the locks)
  DELETE FROM stormops.guardrail_state g
   WHERE (property_ids IS NULL OR g.property_id = ANY (property_ids))
     AND NOT EXISTS (SELECT FROM stormops.behavior_events b
                      WHERE b.property_id = g.property_id
                        AND stormops.moves_guardrail_signal(b.event_type, b.complaint));
  INSERT INTO stormops.guardrail_state AS g
         (property_id, first_event_at, recent_contacts, recent_complaints, last_contact_at, opted_out_at)
  SELECT b.property_id, min(b.event_timestamp),
         coalesce(array_agg(b.event_timestamp ORDER BY b.event_timestamp) FILTER (WHERE b.event_type = 'contact'
                    AND b.event_timestamp > now() - interval '8 days'), '{}'),
         coalesce(array_agg(b.event_timestamp ORDER BY b.event_timestamp) FILTER (WHERE b.complaint
                    AND b.event_timestamp > now() - interval '31 days'), '{}'),
         max(b.event_timestamp) FILTER (WHERE b.event_type = 'contact'),
         min(b.event_timestamp) FILTER (WHERE b.event_type = 'opt_out')
    FROM stormops.behavior_events b
   WHERE (property_ids IS NULL OR b.property_id = ANY (property_ids))
     AND stormops.moves_guardrail_signal(b.event_type, b.complaint)
   GROUP BY b.property_id
   ORDER BY b.property_id   -- one lock order for concurrent writers
  ON CONFLICT (property_id) DO UPDATE SET
    first_event_at = EXCLUDED.first_event_at, recent_contacts = EXCLUDED.recent_contacts,
    recent_complaints = EXCLUDED.recent_complaints, last_contact_at = EXCLUDED.last_contact_at,
    opted_out_at = EXCLUDED.opted_out_at;
END;
$$;

-- Rebuilds the whole state from history: after a restore or a replication
-- apply that ran with triggers disabled, or whenever in doubt. Admins only.
CREATE OR REPLACE FUNCTION stormops.guardrail_state_rebuild()
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  LOCK TABLE stormops.behavior_events IN SHARE MODE;   -- no events arrive meanwhile
  PERFORM stormops.guardrail_state_from_history(NULL);
  RETURN (SELECT count(*) FROM stormops.guardrail_state);
END;
$$;
COMMENT ON FUNCTION stormops.guardrail_state_rebuild() IS
  'Rebuilds stormops.guardrail_state from behavior_events (after a restore with triggers disabled); returns its rows.';

-- History corrected (UPDATE or DELETE of behaviour events, which operators
-- and admins may do): the touched properties' derived state is recomputed
-- from history, the behaviour counts (12_behavior_counts.sql) and then the
-- guardrail state, in the order the insert triggers merge them (trigger
-- names), so writers lock the two tables' rows in one order. The name is
-- 0.1.0's, from when it recomputed the guardrail state alone.
CREATE OR REPLACE FUNCTION stormops.guardrail_state_recompute()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  touched text[];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(DISTINCT property_id) INTO touched
      FROM (SELECT property_id FROM old_events UNION ALL SELECT property_id FROM new_events) t;
  ELSE
    SELECT array_agg(DISTINCT property_id) INTO touched FROM old_events;
  END IF;
  PERFORM stormops.behavior_counts_from_history(coalesce(touched, '{}'));
  PERFORM stormops.guardrail_state_from_history(coalesce(touched, '{}'));
  RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER guardrail_state_on_update AFTER UPDATE ON stormops.behavior_events
  REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events FOR EACH STATEMENT
  EXECUTE FUNCTION stormops.guardrail_state_recompute();
CREATE OR REPLACE TRIGGER guardrail_state_on_delete AFTER DELETE ON stormops.behavior_events
  REFERENCING OLD TABLE AS old_events FOR EACH STATEMENT
  EXECUTE FUNCTION stormops.guardrail_state_recompute();
