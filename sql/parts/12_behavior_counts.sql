-- Behaviour counts per property, kept current as behaviour events arrive
-- (issue 17; docs/targeting.md, "How the behavioural keys are read"): the
-- contacts, responses and latest conversion that the behavioral keys of
-- targeting rules test, so that a targeting statement run as of now (the
-- storm worker's and pg_cron's case) joins one row per property instead of
-- counting each property's history.
--
-- Design: like guardrail_state (12_guardrails.sql), statement triggers on
-- behavior_events merge each INSERT into the table, and an UPDATE or DELETE
-- recomputes the properties it touched from history (the guardrail state's
-- correction trigger does both, 12_guardrails_history.sql). The table counts every
-- event of the three counted types whatever its time, and keeps the latest
-- such time (last_event_at). A compiled statement uses a property's row as
-- is when last_event_at < as_of (then every counted event is before as_of,
-- which is exactly what the rules count) and counts that property's history
-- otherwise (an event stamped at or after as_of), so the answer is the
-- history's for any as_of. behavior_counts_at is the history twin;
-- test/pgtap/behavior_counts.sql checks that the two agree after inserts,
-- corrections, deletes and truncations.
--
-- Failure modes: a load with triggers disabled (pg_restore
-- --disable-triggers, a replication apply) leaves the table behind: run
-- behavior_counts_rebuild() (admins). The table is not dumped: a restore
-- refills it through the triggers, as it does guardrail_state.

-- The event types the table counts.
CREATE FUNCTION stormops.is_counted_behavior(event_type pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT event_type OPERATOR(pg_catalog.=) ANY ('{contact,response,conversion}'::pg_catalog.text[]);
END;
COMMENT ON FUNCTION stormops.is_counted_behavior(pg_catalog.text) IS
  'Whether stormops.behavior_counts counts events of this type: contact, response and conversion.';

CREATE TABLE stormops.behavior_counts (
  property_id         pg_catalog.text PRIMARY KEY REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  contacts            pg_catalog.int8 NOT NULL,
  responses           pg_catalog.int8 NOT NULL,
  last_conversion_at  pg_catalog.timestamptz,
  last_event_at       pg_catalog.timestamptz NOT NULL
);
COMMENT ON TABLE stormops.behavior_counts IS
  'Per property: contact and response events, the latest conversion and the latest of the three, over all of history; maintained by triggers on behavior_events (docs/targeting.md).';

-- The same rows from history, counting the events before as_of; with as_of
-- 'infinity' they are what the table holds. property_ids (NULL: all) keeps
-- a correction's read to its properties' shards on Citus (docs/scaling.md).
CREATE FUNCTION stormops.behavior_counts_at(as_of pg_catalog.timestamptz,
                                            property_ids pg_catalog.text[] DEFAULT NULL)
RETURNS TABLE (property_id pg_catalog.text, contacts pg_catalog.int8, responses pg_catalog.int8,
               last_conversion_at pg_catalog.timestamptz, last_event_at pg_catalog.timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT b.property_id,
         pg_catalog.count(*) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'contact'),
         pg_catalog.count(*) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'response'),
         pg_catalog.max(b.event_timestamp) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'conversion'),
         pg_catalog.max(b.event_timestamp)
    FROM stormops.behavior_events b
   WHERE b.event_timestamp OPERATOR(pg_catalog.<) as_of
     AND stormops.is_counted_behavior(b.event_type)
     AND (property_ids IS NULL OR b.property_id OPERATOR(pg_catalog.=) ANY (property_ids))
   GROUP BY b.property_id;
END;
COMMENT ON FUNCTION stormops.behavior_counts_at(pg_catalog.timestamptz, pg_catalog.text[]) IS
  'Per property (all, or the given ones) with a contact, response or conversion before as_of: their counts, the latest conversion and the latest of the three, from behavior_events.';

-- The rows of the given properties (NULL: all) from history, written over
-- what the table had. For a list (a correction), concurrent writers are
-- serialised on the rows before history is read: every touched property
-- first gets a row (a placeholder, never visible to others, when it had
-- none), the rows are locked in key order, and only then does a new
-- statement, with a new snapshot, read history. A merge that inserted or
-- counted an event of one of them either committed before (its event is
-- read) or waits on the lock and adds its own counts after (its event is not
-- read): no event is counted twice or lost (test/shell/behavior_counts_concurrency.sh).
-- Under REPEATABLE READ a concurrent change fails the writer with 40001
-- instead. The whole table (NULL) is written only under a lock that keeps
-- events out (behavior_counts_rebuild, the update's fill).
CREATE FUNCTION stormops.behavior_counts_from_history(property_ids pg_catalog.text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ids text[];
  n_contacts bigint[];
  n_responses bigint[];
  conversions timestamptz[];
  latest timestamptz[];
BEGIN
  IF property_ids IS NULL THEN
    DELETE FROM stormops.behavior_counts c
     WHERE NOT EXISTS (SELECT FROM stormops.behavior_events b
                        WHERE b.property_id = c.property_id AND stormops.is_counted_behavior(b.event_type));
    INSERT INTO stormops.behavior_counts AS c
           (property_id, contacts, responses, last_conversion_at, last_event_at)
    SELECT h.* FROM stormops.behavior_counts_at('infinity') h
     ORDER BY h.property_id
    ON CONFLICT (property_id) DO UPDATE SET
      contacts = EXCLUDED.contacts, responses = EXCLUDED.responses,
      last_conversion_at = EXCLUDED.last_conversion_at, last_event_at = EXCLUDED.last_event_at;
    RETURN;
  END IF;
  -- a row for each touched property that still exists (a property being
  -- deleted loses its row with it)
  INSERT INTO stormops.behavior_counts (property_id, contacts, responses, last_conversion_at, last_event_at)
  SELECT p.property_id, 0, 0, NULL, '-infinity' FROM stormops.properties p
   WHERE p.property_id = ANY (property_ids)
   ORDER BY p.property_id
  ON CONFLICT (property_id) DO NOTHING;
  PERFORM FROM stormops.behavior_counts c WHERE c.property_id = ANY (property_ids)
    ORDER BY c.property_id FOR UPDATE;
  -- history read in a statement of its own, then written: on Citus a
  -- correction runs on a shard, where a statement may read and write only
  -- the shards of its properties (docs/scaling.md)
  SELECT array_agg(h.property_id), array_agg(h.contacts), array_agg(h.responses),
         array_agg(h.last_conversion_at), array_agg(h.last_event_at)
    INTO ids, n_contacts, n_responses, conversions, latest
    FROM stormops.behavior_counts_at('infinity', property_ids) h;
  UPDATE stormops.behavior_counts c
     SET contacts = h.contacts, responses = h.responses,
         last_conversion_at = h.last_conversion_at, last_event_at = h.last_event_at
    FROM unnest(ids, n_contacts, n_responses, conversions, latest)
         AS h(property_id, contacts, responses, last_conversion_at, last_event_at)
   WHERE c.property_id = ANY (property_ids) AND c.property_id = h.property_id;
  DELETE FROM stormops.behavior_counts c
   WHERE c.property_id = ANY (property_ids)
     AND NOT EXISTS (SELECT FROM stormops.behavior_events b
                      WHERE b.property_id = c.property_id AND stormops.is_counted_behavior(b.event_type));
END;
$$;

-- Rebuilds the whole table from history. Admins only.
CREATE FUNCTION stormops.behavior_counts_rebuild()
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  LOCK TABLE stormops.behavior_events IN SHARE MODE;   -- no events arrive meanwhile
  -- written over row by row, not truncated: a reader whose snapshot began
  -- earlier would find a truncated table empty
  PERFORM stormops.behavior_counts_from_history(NULL);
  RETURN (SELECT count(*) FROM stormops.behavior_counts);
END;
$$;
COMMENT ON FUNCTION stormops.behavior_counts_rebuild() IS
  'Rebuilds stormops.behavior_counts from behavior_events (after a load with triggers disabled); returns its rows.';

-- Merges one statement's new events. SECURITY DEFINER: operators load
-- events but must not write the counts by hand.
CREATE FUNCTION stormops.behavior_counts_merge()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- the table is behavior_counts, or on Citus its shard next to the one
  -- this fires on (stormops.colocated_target, docs/scaling.md)
  EXECUTE format($merge$
    INSERT INTO %s AS c (property_id, contacts, responses, last_conversion_at, last_event_at)
    SELECT n.property_id,
           count(*) FILTER (WHERE n.event_type = 'contact'),
           count(*) FILTER (WHERE n.event_type = 'response'),
           max(n.event_timestamp) FILTER (WHERE n.event_type = 'conversion'),
           max(n.event_timestamp)
      FROM new_events n
     WHERE stormops.is_counted_behavior(n.event_type)
     GROUP BY n.property_id
     ORDER BY n.property_id   -- one lock order: concurrent loads of one statement each wait, never deadlock
    ON CONFLICT (property_id) DO UPDATE SET
      contacts = c.contacts + EXCLUDED.contacts,
      responses = c.responses + EXCLUDED.responses,
      last_conversion_at = greatest(c.last_conversion_at, EXCLUDED.last_conversion_at),
      last_event_at = greatest(c.last_event_at, EXCLUDED.last_event_at)$merge$,
    stormops.colocated_target(TG_RELID, 'stormops.behavior_events', 'stormops.behavior_counts'));
  RETURN NULL;
END;
$$;

CREATE TRIGGER behavior_counts_on_insert AFTER INSERT ON stormops.behavior_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
  EXECUTE FUNCTION stormops.behavior_counts_merge();
-- An UPDATE or DELETE (a correction) recomputes the touched properties
-- through the guardrail state's correction trigger, which recomputes both
-- (12_guardrails_history.sql): one reading of the transition tables, and one
-- lock order across the two tables (the counts, then the guardrail state).
-- A TRUNCATE empties both through the guardrail state's truncate trigger
-- (12_guardrails_truncate.sql).
