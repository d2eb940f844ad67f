-- Reloading the loaded tables by TRUNCATE (a code part, new in 0.2.0;
-- docs/operations.md, "Reloading data"): the one 0.1.0 function that stood
-- in the way, replaced here (its 0.1.0 body stays in 12_guardrails.sql, as
-- released).
--
-- TRUNCATE stormops.properties CASCADE truncates behavior_events and
-- guardrail_state in one statement; the AFTER TRUNCATE trigger of
-- behavior_events then truncated guardrail_state again, which PostgreSQL
-- refuses while the statement holds it open (55006). The state is cleared
-- only when there is something to clear: after a cascade it is already
-- empty. Failure modes: none new; a TRUNCATE of behavior_events alone still
-- empties the state in the same transaction.
CREATE OR REPLACE FUNCTION stormops.guardrail_state_clear()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF EXISTS (SELECT FROM stormops.guardrail_state) THEN
    TRUNCATE stormops.guardrail_state;
  END IF;
  RETURN NULL;
END;
$$;
