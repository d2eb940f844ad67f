-- Guardrail signals from history (proposals.md): windows, thresholds, opt-outs.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SELECT plan(32);

INSERT INTO stormops.properties (property_id, zip) VALUES
  ('busy', '75001'), ('calm', '75001'), ('angry', '75001'), ('gone', '75001'),
  ('listed', '75001'), ('sms_only', '75001'), ('late_listed', '75001'), ('quiet', '75001'), ('reader', '75001');
-- as_of is 2019-04-10 12:00 UTC throughout
-- busy: 6 contacts inside 7 days, one exactly 7 days before (outside), one after as_of (not yet)
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
SELECT 'busy', 'contact', 'sms', '2019-04-10 12:00+00'::timestamptz - i * interval '1 day' FROM generate_series(0, 5) i;
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp) VALUES
  ('busy', 'contact', 'sms', '2019-04-03 12:00+00'),
  ('busy', 'contact', 'sms', '2019-04-10 12:00:01+00'),
  ('calm', 'contact', 'email', '2019-04-09 00:00+00'),
  ('calm', 'open', 'email', '2019-04-09 01:00+00'),
  ('gone', 'opt_out', 'sms', '2018-01-01 00:00+00'),
  ('reader', 'open', 'email', '2019-04-09 00:00+00'),
  ('reader', 'click', 'email', '2019-04-09 00:01+00');
-- angry: 3 complaints inside 30 days, one exactly 30 days before (outside)
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint) VALUES
  ('angry', 'complaint', 'phone', '2019-04-01 00:00+00', true),
  ('angry', 'complaint', 'phone', '2019-03-20 00:00+00', true),
  ('angry', 'response', 'phone', '2019-03-15 00:00+00', true),
  ('angry', 'complaint', 'phone', '2019-03-11 12:00+00', true);
INSERT INTO stormops.do_not_contact (property_id, channel, reason, added_at) VALUES
  ('listed', 'all', 'asked by phone', '2019-04-01 00:00+00'),
  ('sms_only', 'sms', 'STOP by text', '2019-04-01 00:00+00'),
  ('late_listed', 'all', 'asked later', '2019-04-11 00:00+00');

CREATE TEMP TABLE s AS SELECT * FROM stormops.guardrail_signals_at('2019-04-10 12:00+00');

SELECT is((SELECT contact_frequency_7d FROM s WHERE property_id = 'busy'), 6,
  'contacts in (as_of - 7 days, as_of]: as_of itself in, 7 days before and after as_of out');
SELECT is((SELECT throttle_flag FROM s WHERE property_id = 'busy'), true, '6 contacts > 5: throttled');
SELECT is((SELECT last_contact_hours_ago FROM s WHERE property_id = 'busy'), 0::float8,
  'the latest contact at as_of is 0 hours ago (a later one is not yet)');
SELECT is((SELECT (contact_frequency_7d, throttle_flag, last_contact_hours_ago) FROM s WHERE property_id = 'calm'),
  (1, false, 36::float8), 'one contact 36 hours ago: not throttled; other event types are not contacts');
SELECT is((SELECT complaint_count_30d FROM s WHERE property_id = 'angry'), 3,
  'complaints in (as_of - 30 days, as_of], whatever the event type');
SELECT is((SELECT escalate_flag FROM s WHERE property_id = 'angry'), true, '3 complaints > 2: escalated');
SELECT is((SELECT last_contact_hours_ago FROM s WHERE property_id = 'angry'), NULL::float8, 'never contacted: NULL hours');
SELECT is((SELECT opted_out FROM s WHERE property_id = 'gone'), true, 'an opt_out event, however old: opted out');
SELECT is((SELECT (opted_out, contact_frequency_7d) FROM s WHERE property_id = 'listed'), (true, 0),
  'on the do-not-contact list for all channels: opted out, with zero counts');
SELECT is((SELECT opted_out FROM s WHERE property_id = 'sms_only'), false,
  'listed for one channel only: not opted out as a whole');
SELECT ok(NOT EXISTS (SELECT FROM s WHERE property_id IN ('quiet', 'late_listed')),
  'no history and no entry by as_of: no row');
SELECT ok(NOT EXISTS (SELECT FROM s WHERE property_id = 'reader'),
  'only opens and clicks: no row (they move no signal)');
SELECT is((SELECT opted_out FROM stormops.guardrail_signals_at('2019-04-12') WHERE property_id = 'late_listed'), true,
  '... and opted out once the entry was added');

-- the thresholds are settings
SET LOCAL stormops.throttle_contacts_7d = 6;
SET LOCAL stormops.escalate_complaints_30d = 3;
SELECT is((SELECT (throttle_flag, escalate_flag) FROM stormops.guardrail_signals_at('2019-04-10 12:00+00') g
            WHERE g.property_id = 'busy'), (false, false), 'raised thresholds: 6 contacts are not > 6');
SELECT is((SELECT escalate_flag FROM stormops.guardrail_signals_at('2019-04-10 12:00+00') g WHERE g.property_id = 'angry'),
  false, '... and 3 complaints are not > 3');
SELECT throws_ok($$SET stormops.throttle_contacts_7d = -1$$, '22023', NULL, 'a negative threshold is refused');

-- the list refuses what it cannot mean
SELECT throws_ok($$INSERT INTO stormops.do_not_contact (property_id, channel, reason) VALUES ('quiet', 'fax', 'x')$$,
  '23514', NULL, 'an unknown channel is refused');
SELECT throws_ok($$INSERT INTO stormops.do_not_contact (property_id, reason) VALUES ('quiet', '  ')$$,
  '23514', NULL, 'a blank reason is refused');

-- the maintained signals agree with the ones computed from history, after
-- random bulk loads, a correction and a deletion (now() is fixed in a transaction)
CREATE FUNCTION pg_temp.disagreements() RETURNS int LANGUAGE sql AS $$
  SELECT count(*)::int FROM (
    (SELECT * FROM stormops.guardrail_signals EXCEPT SELECT * FROM stormops.guardrail_signals_at(now()))
    UNION ALL
    (SELECT * FROM stormops.guardrail_signals_at(now()) EXCEPT SELECT * FROM stormops.guardrail_signals)) d $$;
SELECT setseed(0.42);
INSERT INTO stormops.properties (property_id, zip) SELECT 'r' || i, '75002' FROM generate_series(1, 300) i;
DO $$
BEGIN
  FOR batch IN 1..12 LOOP
    INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint)
    SELECT 'r' || (1 + floor(random() ^ 3 * 300))::int,   -- a few properties get most events
           (ARRAY['contact', 'contact', 'contact', 'open', 'complaint', 'opt_out', 'response'])[1 + floor(random() * 7)::int],
           'email', now() - random() * interval '45 days', random() < 0.15
      FROM generate_series(1, (1 + random() * 400)::int);
  END LOOP;
END $$;
INSERT INTO stormops.do_not_contact (property_id, channel, reason, added_at)
SELECT 'r' || i, (ARRAY['all', 'sms'])[1 + i % 2], 'random', now() - random() * interval '10 days' FROM generate_series(1, 300, 17) i;
-- past 64 entries, so merges prune: 100 contacts and complaints over 20 days, in 5 statements
DO $$
BEGIN
  FOR batch IN 1..5 LOOP
    INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint)
    SELECT 'r5', 'contact', 'phone', now() - random() * interval '20 days', random() < 0.8 FROM generate_series(1, 20);
  END LOOP;
END $$;
-- stamped after now() (a clock that runs on while this transaction began earlier)
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint) VALUES
  ('r6', 'contact', 'sms', now() + interval '1 hour', true),
  ('r299', 'opt_out', 'sms', now() + interval '1 hour', false);
SELECT is(pg_temp.disagreements(), 0, 'maintained signals = signals from history, after 12 random bulk loads, pruning and late stamps');
SELECT is((SELECT count(*)::int FROM (
             (SELECT * FROM stormops.guardrail_signals_at(now() - interval '3 days', ARRAY(SELECT 'r' || i FROM generate_series(1, 300, 3) i))
              EXCEPT SELECT * FROM stormops.guardrail_signals_at(now() - interval '3 days') WHERE property_id IN (SELECT 'r' || i FROM generate_series(1, 300, 3) i))
             UNION ALL
             (SELECT * FROM stormops.guardrail_signals_at(now() - interval '3 days') WHERE property_id IN (SELECT 'r' || i FROM generate_series(1, 300, 3) i)
              EXCEPT SELECT * FROM stormops.guardrail_signals_at(now() - interval '3 days', ARRAY(SELECT 'r' || i FROM generate_series(1, 300, 3) i)))) d),
          0, 'guardrail_signals_at(as_of, property_ids) = guardrail_signals_at(as_of) for those properties');
SELECT cmp_ok((SELECT cardinality(recent_contacts) FROM stormops.guardrail_state WHERE property_id = 'r5'), '<', 100,
  '... where a long array was pruned');
SELECT cmp_ok((SELECT count(*) FROM stormops.guardrail_signals WHERE throttle_flag), '>', 0::bigint,
  '... with throttled properties among them');
SELECT cmp_ok((SELECT count(*) FROM stormops.guardrail_signals WHERE escalate_flag), '>', 0::bigint,
  '... and escalated ones');
UPDATE stormops.behavior_events SET event_type = 'open' WHERE event_type = 'contact' AND property_id LIKE 'r1%';
SELECT is(pg_temp.disagreements(), 0, '... after a correction (UPDATE)');
UPDATE stormops.behavior_events SET property_id = 'r7' WHERE property_id = 'r8';
SELECT is(pg_temp.disagreements(), 0, '... after events moved to another property');
DELETE FROM stormops.behavior_events WHERE property_id LIKE 'r2%';
SELECT is(pg_temp.disagreements(), 0, '... after a deletion');
SET LOCAL ROLE stormops_operator;
SELECT throws_ok($$SET stormops.throttle_contacts_7d = 1000$$, '42501', NULL,
  'operators cannot loosen a threshold for their session');
SELECT throws_ok($$INSERT INTO stormops.guardrail_state (property_id) VALUES ('r3')$$, '42501', NULL,
  'operators cannot write the state by hand');
SELECT lives_ok($$INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
                  VALUES ('r3', 'contact', 'sms', now())$$, '... but their events maintain it');
RESET ROLE;
SELECT is(pg_temp.disagreements(), 0, '... and it still agrees');
SELECT is(stormops.guardrail_state_rebuild() > 0, true, 'the state can be rebuilt from history');
SELECT is(pg_temp.disagreements(), 0, '... and then agrees too');

SELECT * FROM finish();
ROLLBACK;
