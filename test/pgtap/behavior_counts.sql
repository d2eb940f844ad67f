-- The maintained behaviour counts (sql/parts/12_behavior_counts.sql) and the
-- three forms in which compiled targeting reads behaviour (docs/targeting.md,
-- "How the behavioural keys are read"): the table equals its history twin
-- after every kind of write, and every form gives the per-row reference's
-- targets and the same funnel, for a past as_of and for now(), with events
-- stamped after as_of.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SELECT plan(33);

\o /dev/null
\ir ../reference/targeting_reference.sql
\o

-- 300 properties in three ZIPs; 4,000 events of every type over three years,
-- some stamped after now() (a late feed or a clock ahead).
INSERT INTO stormops.properties (property_id, zip, is_past_customer)
SELECT 'p' || i, (ARRAY['75034', '75035', '75230'])[1 + i % 3], i % 7 = 0 FROM generate_series(1, 300) i;
SELECT setseed(0.17);
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
SELECT 'p' || (1 + (random() * 299)::int),
       (ARRAY['contact', 'contact', 'contact', 'response', 'open', 'click', 'conversion'])[1 + (random() * 6)::int],
       'email', now() - interval '3 years' * random() + interval '3 days'
  FROM generate_series(1, 4000);

-- rows of the table that differ from history, both ways
CREATE FUNCTION pg_temp.disagreements() RETURNS int LANGUAGE sql AS $$
  SELECT count(*)::int FROM (
    (SELECT * FROM stormops.behavior_counts EXCEPT ALL SELECT * FROM stormops.behavior_counts_at('infinity'))
    UNION ALL
    (SELECT * FROM stormops.behavior_counts_at('infinity') EXCEPT ALL SELECT * FROM stormops.behavior_counts)) d
$$;

SELECT cmp_ok((SELECT count(*) FROM stormops.behavior_counts), '>', 250::bigint, 'one row per property with a counted event');
SELECT is(pg_temp.disagreements(), 0, 'the maintained counts equal the history''s');
SELECT is((SELECT count(*) FROM stormops.behavior_counts WHERE last_event_at > now()) > 0, true,
  'the fixture has properties with events after now()');
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp) VALUES
  ('p1', 'contact', 'sms', '2015-01-01'), ('p1', 'response', 'sms', '2015-01-02'), ('p2', 'conversion', 'sms', now());
SELECT is(pg_temp.disagreements(), 0, '... after a second statement, old and new events');
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
  VALUES ('p299', 'open', 'email', now()), ('p300', 'click', 'email', now());
SELECT is((SELECT count(*) FROM stormops.behavior_counts WHERE property_id IN ('p299', 'p300') AND last_event_at = now()), 0::bigint,
  'opens and clicks are not counted');
UPDATE stormops.behavior_events SET event_type = 'response' WHERE property_id = 'p3' AND event_type = 'contact';
SELECT is(pg_temp.disagreements(), 0, '... after a correction of the type (UPDATE)');
UPDATE stormops.behavior_events SET event_timestamp = event_timestamp - interval '1 year' WHERE property_id = 'p4';
SELECT is(pg_temp.disagreements(), 0, '... after a correction of the time');
UPDATE stormops.behavior_events SET property_id = 'p5' WHERE property_id = 'p6';
SELECT is(pg_temp.disagreements(), 0, '... after events moved to another property');
DELETE FROM stormops.behavior_events WHERE property_id = 'p7';
SELECT is(pg_temp.disagreements(), 0, '... after a deletion');
SELECT is((SELECT count(*) FROM stormops.behavior_counts WHERE property_id IN ('p6', 'p7')), 0::bigint,
  'a property left without counted events has no row');
SET LOCAL ROLE stormops_operator;
SELECT throws_ok($$INSERT INTO stormops.behavior_counts VALUES ('p8', 100, 100, NULL, now())$$, '42501', NULL,
  'operators cannot write the counts by hand');
SELECT lives_ok($$INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
                  VALUES ('p8', 'response', 'sms', now())$$, '... but their events maintain them');
RESET ROLE;
SELECT is(pg_temp.disagreements(), 0, '... and they still agree');
UPDATE stormops.behavior_counts SET contacts = contacts + 1 WHERE property_id = 'p9';
SELECT is(pg_temp.disagreements(), 2, 'a tampered row is found (the check can fail)');
SELECT cmp_ok(stormops.behavior_counts_rebuild(), '>', 250::bigint, 'the counts can be rebuilt from history');
SELECT is(pg_temp.disagreements(), 0, '... and then agree');

-- Targets and funnels in every form against the per-row reference. The
-- ids with their ranks, or an error naming the form that disagrees.
CREATE FUNCTION pg_temp.agree(rules jsonb, at timestamptz) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  reference text[];
  got text[];
  funnel text[];
  first_funnel text[];
  form text;
BEGIN
  SELECT coalesce(array_agg(t.property_id || ':' || t.rank ORDER BY t.rank), '{}') INTO reference
    FROM stormops_ref.target_properties(rules, NULL, at) t;
  FOREACH form IN ARRAY ARRAY['auto', 'lateral', 'aggregate', 'counts'] LOOP
    PERFORM set_config('stormops.behavior_form', form, true);
    SELECT coalesce(array_agg(t.property_id || ':' || t.rank ORDER BY t.rank), '{}') INTO got
      FROM stormops.target_properties(rules, NULL, at) t;
    SELECT array_agg(f.step || ':' || f.remaining ORDER BY f.step) INTO funnel
      FROM stormops.targeting_funnel(rules, NULL, at) f;
    IF got IS DISTINCT FROM reference THEN
      RAISE EXCEPTION 'form %: % targets, the reference %', form, cardinality(got), cardinality(reference);
    END IF;
    IF first_funnel IS NULL THEN
      first_funnel := funnel;
    ELSIF funnel IS DISTINCT FROM first_funnel THEN
      RAISE EXCEPTION 'form %: funnel % against %', form, funnel, first_funnel;
    END IF;
  END LOOP;
  PERFORM set_config('stormops.behavior_form', 'auto', true);
  RETURN cardinality(reference);
END $$;

CREATE TEMP TABLE cases (n int, rules jsonb);
INSERT INTO cases VALUES
  (1, '{"behavioral": {"response_rate_min": 0.5}}'),
  (2, '{"behavioral": {"prior_touchpoints_max": 2}}'),
  (3, '{"behavioral": {"exclude_recent_converts": true}}'),
  (4, '{"behavioral": {"response_rate_min": 0.2, "prior_touchpoints_max": 8, "exclude_recent_converts": true, "past_customers_only": true}}'),
  (5, '{"behavioral": {"response_rate_min": 0.34, "exclude_recent_converts": true}, "geography": {"zips": ["75034"]}}'),
  (6, '{"behavioral": {"prior_touchpoints_max": 0}, "geography": {"zips": ["75035", "75230"]}}');
-- as of a year ago (many properties have later events: the counts form
-- falls back to history for them), and as of now() (a few have)
SELECT cmp_ok(pg_temp.agree(rules, now() - interval '1 year'), '>', 0,
              format('case %s, a year ago: every form gives the reference''s targets and one funnel', n))
  FROM cases ORDER BY n;
SELECT cmp_ok(pg_temp.agree(rules, now()), '>', 0,
              format('case %s, now(): every form gives the reference''s targets and one funnel', n))
  FROM cases ORDER BY n;

-- which form auto picks
SELECT ok(stormops.compile_targeting('{"behavioral": {"response_rate_min": 0.5}}', NULL, now()) LIKE '%stormops.behavior_counts bc%',
  'auto, as of now(): the maintained counts');
SELECT ok(stormops.compile_targeting('{"behavioral": {"response_rate_min": 0.5}}', NULL, now() - interval '1 second') LIKE '%beh_all%',
  'auto, as of a past moment, not selective: the aggregate');
SELECT ok(stormops.compile_targeting('{"behavioral": {"response_rate_min": 0.5}, "geography": {"zips": ["75034"]}}', NULL,
                                     now() - interval '1 second') LIKE '%LEFT JOIN LATERAL (SELECT pg_catalog.count%',
  'auto, as of a past moment, a ZIP list: counted by index');
SET LOCAL ROLE stormops_operator;
SELECT throws_ok($$SET stormops.behavior_form = 'lateral'$$, '42501', NULL, 'the form is a superuser''s setting');
RESET ROLE;

-- TRUNCATE empties the counts with the events
TRUNCATE stormops.behavior_events;
SELECT is((SELECT count(*) FROM stormops.behavior_counts), 0::bigint, 'TRUNCATE of the events empties the counts');

SELECT * FROM finish();
ROLLBACK;
