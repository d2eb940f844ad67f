-- Reloading (issue 16, item 18): TRUNCATE of every loaded table (the
-- tables pg_dump keeps, docs/operations.md), with CASCADE and without,
-- each in a subtransaction on a fixture with guardrail history. With
-- CASCADE every one works; without, every one works unless another table
-- references it (then PostgreSQL's 0A000). After each, the maintained
-- guardrail signals equal those computed from history.
BEGIN;
SET LOCAL client_min_messages = warning;
CREATE TEMP TABLE loaded AS
SELECT c::regclass::text AS t,
       EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.confrelid = c AND k.contype = 'f' AND k.conrelid <> c) AS referenced
  FROM pg_catalog.pg_extension e, pg_catalog.unnest(e.extconfig) c
 WHERE e.extname = 'stormops' AND (SELECT relkind FROM pg_catalog.pg_class WHERE oid = c) = 'r';
SELECT plan((SELECT 2 * count(*)::int + 2 FROM loaded));

INSERT INTO stormops.properties (property_id, zip, is_past_customer) VALUES
  ('r1', '75034', true), ('r2', '75034', false), ('r3', '75035', false);
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint) VALUES
  ('r1', 'contact', 'phone', now() - interval '2 days', false),
  ('r1', 'contact', 'email', now() - interval '1 day', false),
  ('r2', 'complaint', 'phone', now() - interval '3 days', true),
  ('r3', 'opt_out', 'email', now() - interval '10 days', false);
INSERT INTO stormops.do_not_contact (property_id, channel, reason, added_at) VALUES ('r2', 'all', 'asked', now() - interval '1 day');
SELECT is((SELECT count(*) FROM stormops.guardrail_state), 3::bigint, 'the fixture has a maintained state');

-- TRUNCATE in a subtransaction, then compare the signals; 'ok' or the error
CREATE FUNCTION pg_temp.try_truncate(t text, with_cascade bool) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  outcome text;
BEGIN
  BEGIN
    EXECUTE format('TRUNCATE %s%s', t, CASE WHEN with_cascade THEN ' CASCADE' ELSE '' END);
    outcome := CASE WHEN EXISTS (SELECT * FROM stormops.guardrail_signals
                                 EXCEPT SELECT * FROM stormops.guardrail_signals_at(now()))
                      OR EXISTS (SELECT * FROM stormops.guardrail_signals_at(now())
                                 EXCEPT SELECT * FROM stormops.guardrail_signals)
                    THEN 'the maintained signals differ from history' ELSE 'ok' END;
    RAISE EXCEPTION 'undo: %', outcome;
  EXCEPTION WHEN OTHERS THEN
    IF SQLERRM LIKE 'undo: %' THEN
      RETURN substr(SQLERRM, 7);
    END IF;
    RETURN SQLSTATE || ' ' || SQLERRM;
  END;
END $$;

SELECT is(pg_temp.try_truncate(t, true), 'ok', format('TRUNCATE %s CASCADE', t)) FROM loaded ORDER BY t;
SELECT is(left(pg_temp.try_truncate(t, false), 5), CASE WHEN referenced THEN '0A000' ELSE 'ok' END,
          format('TRUNCATE %s: %s', t, CASE WHEN referenced THEN 'referenced, refused by PostgreSQL (0A000)' ELSE 'works' END))
  FROM loaded ORDER BY t;
SELECT is((SELECT count(*) FROM stormops.guardrail_state), 3::bigint, 'every TRUNCATE was undone: the state is back');

SELECT * FROM finish();
ROLLBACK;
