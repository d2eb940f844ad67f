-- Merging new behaviour events into the guardrail state (a code part:
-- 0.2.0's form of 0.1.0's guardrail_state_merge of 12_guardrails.sql; the
-- update includes this part whole). One statement per loading statement, as
-- before; its table is named at run time (stormops.colocated_target), so the
-- same merge keeps the state on one node and, on Citus, on each shard of
-- behaviour events, where it writes the co-located shard of the state
-- (docs/scaling.md). Failure modes: as before: concurrent loads take the
-- rows in property order and wait for each other, never deadlock.

-- Merges one statement's new events into the state. SECURITY DEFINER: the
-- operators who load behaviour events must not be able to write the state
-- by hand.
CREATE OR REPLACE FUNCTION stormops.guardrail_state_merge()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- the table is guardrail_state, or on Citus its shard next to the one
  -- this fires on (stormops.colocated_target, docs/scaling.md)
  EXECUTE format($merge$
    INSERT INTO %s AS g
           (property_id, first_event_at, recent_contacts, recent_complaints, last_contact_at, opted_out_at)
    SELECT n.property_id, min(n.event_timestamp),
           coalesce(array_agg(n.event_timestamp) FILTER (WHERE n.event_type = 'contact'
                      AND n.event_timestamp > now() - interval '8 days'), '{}'),
           coalesce(array_agg(n.event_timestamp) FILTER (WHERE n.complaint
                      AND n.event_timestamp > now() - interval '31 days'), '{}'),
           max(n.event_timestamp) FILTER (WHERE n.event_type = 'contact'),
           min(n.event_timestamp) FILTER (WHERE n.event_type = 'opt_out')
      FROM new_events n
     WHERE stormops.moves_guardrail_signal(n.event_type, n.complaint)
     GROUP BY n.property_id
     ORDER BY n.property_id   -- one lock order: concurrent loads wait, never deadlock
    -- arrays are appended to, and pruned of times that left their window only
    -- once they grow past 64 (readers count inside the window anyway): most
    -- merges are a cheap concatenation
    ON CONFLICT (property_id) DO UPDATE SET
      first_event_at = least(g.first_event_at, EXCLUDED.first_event_at),
      recent_contacts = CASE
        WHEN cardinality(g.recent_contacts) + cardinality(EXCLUDED.recent_contacts) <= 64
          THEN g.recent_contacts || EXCLUDED.recent_contacts
        ELSE ARRAY(SELECT t FROM unnest(g.recent_contacts || EXCLUDED.recent_contacts) t
                    WHERE t > now() - interval '8 days' ORDER BY t) END,
      recent_complaints = CASE
        WHEN cardinality(g.recent_complaints) + cardinality(EXCLUDED.recent_complaints) <= 64
          THEN g.recent_complaints || EXCLUDED.recent_complaints
        ELSE ARRAY(SELECT t FROM unnest(g.recent_complaints || EXCLUDED.recent_complaints) t
                    WHERE t > now() - interval '31 days' ORDER BY t) END,
      last_contact_at = greatest(g.last_contact_at, EXCLUDED.last_contact_at),
      opted_out_at = least(g.opted_out_at, EXCLUDED.opted_out_at)
    -- a merge that changes nothing (an old contact, outside its window and
    -- before the latest one) writes nothing
    WHERE EXCLUDED.recent_contacts <> '{}' OR EXCLUDED.recent_complaints <> '{}'
       OR EXCLUDED.first_event_at < g.first_event_at
       OR EXCLUDED.last_contact_at > g.last_contact_at OR (g.last_contact_at IS NULL AND EXCLUDED.last_contact_at IS NOT NULL)
       OR EXCLUDED.opted_out_at < g.opted_out_at OR (g.opted_out_at IS NULL AND EXCLUDED.opted_out_at IS NOT NULL)$merge$,
    stormops.colocated_target(TG_RELID, 'stormops.behavior_events', 'stormops.guardrail_state'));
  RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER guardrail_state_on_insert AFTER INSERT ON stormops.behavior_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
  EXECUTE FUNCTION stormops.guardrail_state_merge();
