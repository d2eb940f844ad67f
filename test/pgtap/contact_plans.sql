-- Contact plans (contact-plans.md): plans and steps, local time, senders and
-- reports, bad input. Conditions, stops and caps are in
-- contact_conditions.sql; executions that end in execution_end.sql; two
-- senders at once and a sender that dies in test/shell/contact_senders.sh.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = error;
SELECT plan(71);

INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES
  ('75001', 'TX', 'America/Chicago'), ('80202', 'CO', 'America/Denver'), ('75002', 'TX', NULL), ('75003', 'TX', 'America/Chicago');
-- c1..c3 in Chicago, d1 in Denver, n1 in a ZIP without a zone; s1, s2 for the late SMS
INSERT INTO stormops.properties (property_id, zip, persona, customer_id) VALUES
  ('c1', '75001', 'Proof_Seeker', 'cust-c1'), ('c2', '75001', NULL, NULL), ('c3', '75001', 'Procrastinator', NULL),
  ('d1', '80202', NULL, NULL), ('n1', '75002', NULL, NULL), ('s1', '75003', NULL, NULL), ('s2', '75003', NULL, NULL);
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES
  ('ev_fri', 'hail', '2019-03-08 08:00-06'), ('ev_late', 'hail', '2019-03-27 20:00-05');
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score) VALUES
  ('c1', 'ev_fri', 99), ('c2', 'ev_fri', 98), ('c3', 'ev_fri', 97), ('d1', 'ev_fri', 96), ('n1', 'ev_fri', 95),
  ('s1', 'ev_late', 90), ('s2', 'ev_late', 80);

-- Evening: an email, then a door knock on weekday evenings (18:00-20:00 local),
-- then an SMS; Late: one SMS.
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, message_variants, holdout_share, priority)
VALUES
  ('Evening', '{"physics": {"min_sii_score": 95}}',
   '{"sequence": [
      {"step": 1, "channel": "email", "timing_hours": 0, "message_variant": "hello", "offer_type": "standard"},
      {"step": 2, "channel": "door_knock", "timing_hours": 2, "duration_hours": 120, "timing_window": "weekday_18:00-20:00", "message_variant": "nudge"},
      {"step": 3, "channel": "sms", "timing_hours": 200}]}',
   '{"hello": "Hello from the roofers", "nudge": {"Proof_Seeker": "Here is the data", "default": "We are in your street"}}', 0, 1),
  ('Late', '{"physics": {"min_sii_score": 80}, "geography": {"zips": ["75003"]}}',
   '{"sequence": [{"step": 1, "channel": "sms", "timing_hours": 0.5}]}', NULL, 0, 2);
SELECT stormops.activate_playbook('Evening');
SELECT stormops.activate_playbook('Late');

-- ---- Plans and steps -------------------------------------------------------
CREATE TEMP TABLE run AS SELECT * FROM stormops.generate_proposals('ev_fri', '2019-03-08 12:00-06');
SELECT is((SELECT count(*) FROM stormops.contact_steps s JOIN run r USING (execution_id, property_id)
            WHERE r.decision = 'proposed'), 15::bigint,
          'every proposed property has its plan in the same transaction: 5 properties x 3 steps');
CREATE TEMP VIEW ex AS SELECT e.* FROM stormops.playbook_executions e JOIN stormops.playbooks p USING (playbook_id)
 WHERE p.playbook_name = 'Evening';
SELECT is((SELECT channel_strategy FROM ex), (SELECT channel_strategy::jsonb FROM stormops.playbooks WHERE playbook_name = 'Evening'),
          'the execution keeps the channel strategy it was made with');
SELECT is((SELECT message_variants FROM ex), (SELECT message_variants FROM stormops.playbooks WHERE playbook_name = 'Evening'),
          'and the message variants');
SELECT is((SELECT array_agg((step, channel, due_at, closes_at)::text ORDER BY step) FROM stormops.execution_steps
            WHERE execution_id = (SELECT execution_id FROM ex)),
          ARRAY['(1,email,"2019-03-08 18:00:00+00","2019-03-11 18:00:00+00")',
                '(2,door_knock,"2019-03-08 20:00:00+00","2019-03-13 20:00:00+00")',
                '(3,sms,"2019-03-17 02:00:00+00","2019-03-20 02:00:00+00")'],
          'step n is due at plan_start (the run''s as_of) + timing_hours, open for duration_hours or stormops.step_open_hours (72)');
SELECT is((SELECT array_agg(DISTINCT (status, is_next)::text) FROM stormops.contact_steps WHERE step = 1),
          '{"(planned,t)"}', 'every plan starts planned at step 1');
SELECT is((SELECT count(*) FROM stormops.contact_steps WHERE step > 1 AND is_next), 0::bigint, 'later steps wait for it');
SELECT is((SELECT count(*) FROM stormops.contact_step_changes), 0::bigint, 'being laid is not a change');
SELECT stormops.revise_playbook('Evening', '{"channel_strategy": {"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0}]}}');
SELECT is((SELECT channel_strategy -> 'sequence' -> 0 ->> 'channel' FROM ex), 'email',
          'a later revision of the playbook never changes a running plan');
SELECT is((SELECT count(*) FROM stormops.contact_steps WHERE execution_id = (SELECT execution_id FROM ex)), 15::bigint,
          'nor its steps');

-- ---- Local time -------------------------------------------------------------
SELECT is((SELECT array_agg(property_id || ' ' || time_zone ORDER BY property_id) FROM stormops.contact_steps WHERE step = 1
            AND execution_id = (SELECT execution_id FROM ex)),
          '{"c1 America/Chicago","c2 America/Chicago","c3 America/Chicago","d1 America/Denver","n1 America/Chicago"}',
          'a property''s zone is its ZIP''s, else stormops.default_time_zone');
SELECT is((SELECT array_agg(property_id || ' ' || ready_at ORDER BY property_id) FROM stormops.contact_steps WHERE step = 2
            AND property_id IN ('c1', 'd1')),
          '{"c1 2019-03-09 00:00:00+00","d1 2019-03-09 01:00:00+00"}',
          'a door knock due Friday 14:00 waits for 18:00 local: 00:00 UTC in Chicago, 01:00 UTC in Denver');
SELECT is((SELECT reason FROM stormops.contact_steps WHERE step = 2 AND property_id = 'c1'),
          'waits for its allowed hours (weekday 18:00-20:00 America/Chicago) until 2019-03-08 18:00',
          'the wait is the step''s reason');

-- the emails go out at once (email has no quiet hours)
CREATE FUNCTION pg_temp.send(ch text, at timestamptz, n int DEFAULT 100) RETURNS text[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(c.property_id || ':' || c.step ORDER BY c.contact_id), '{}')
    FROM stormops.claim_due_contacts(ch, n, at) c, LATERAL stormops.record_contact_result(c.contact_id, 'sent', at) r $$;
CREATE TEMP TABLE first_claim AS SELECT * FROM stormops.claim_due_contacts('email', 2, '2019-03-08 12:00-06');
SELECT is((SELECT array_agg(property_id ORDER BY contact_id) FROM first_claim), '{c1,c2}',
          'a claim returns up to max_rows contacts, best rank first');
SELECT is((SELECT (playbook_name, step, channel, message_variant, offer_type, script, due_at, allowed_until)::text
             FROM first_claim WHERE property_id = 'c1'),
          '(Evening,1,email,hello,standard,"Hello from the roofers","2019-03-08 18:00:00+00","2019-03-11 18:00:00+00")',
          'with the playbook, step, channel, variant, offer, script, due_at and allowed_until');
SELECT is((SELECT array_agg((status, contact_id, lease_until)::text ORDER BY property_id) FROM stormops.contact_steps
            WHERE step = 1 AND property_id IN ('c1', 'c2')),
          (SELECT array_agg(('leased', contact_id, '2019-03-08 18:05:00+00')::text ORDER BY property_id) FROM first_claim),
          'claimed steps are leased to the claim for 5 minutes');
SELECT is((SELECT count(*) FROM stormops.contact_step_changes WHERE status = 'leased' AND changed_at = '2019-03-08 12:00-06'
             AND contact_id IN (SELECT contact_id FROM first_claim)), 2::bigint,
          'each lease is a change, with the claim''s time and contact');
SELECT is((SELECT status FROM stormops.record_contact_result((SELECT contact_id FROM first_claim WHERE property_id = 'c1'), 'sent',
                                                             '2019-03-08 12:01-06')), 'sent', 'sent makes the step sent');
SELECT is((SELECT (event_type, channel, execution_id, step, customer_id, event_timestamp)::text
             FROM stormops.behavior_events WHERE contact_id = (SELECT contact_id FROM first_claim WHERE property_id = 'c1')),
          format('(contact,email,%s,1,cust-c1,"2019-03-08 18:01:00+00")', (SELECT execution_id FROM ex)),
          'and writes a contact behaviour event with the channel, execution and step');
SELECT is((SELECT (status, behavior_event_id)::text FROM stormops.record_contact_result((SELECT contact_id FROM first_claim WHERE property_id = 'c1'),
                                                                                       'sent', '2019-03-08 12:09-06')),
          '(sent,)', 'reporting sent twice changes nothing');
SELECT is((SELECT count(*) FROM stormops.behavior_events WHERE event_type = 'contact'), 1::bigint, '(no second contact event)');
SELECT is((SELECT is_next FROM stormops.contact_steps WHERE property_id = 'c1' AND step = 2), true,
          'a step that is final hands the plan to the next one');
SELECT is(pg_temp.send('email', '2019-03-08 12:02-06'), '{c3:1,d1:1,n1:1}', 'the other emails go out, not c2''s: it is leased');
SELECT is(pg_temp.send('email', '2019-03-08 12:10-06'), '{c2:1}',
          'c2''s email, whose claim was never reported, comes back when the lease runs out');
SELECT is(pg_temp.send('door_knock', '2019-03-08 17:59-06'), '{}', 'no door knock before 18:00 local');
SELECT is((SELECT array_agg(property_id) FROM stormops.claim_due_contacts('door_knock', 1, '2019-03-08 18:00-06')), '{c1}',
          'at 18:00 on Friday the Chicago door knocks may go out (c1 claimed, never reported)');
-- nobody knocks again on Friday; on Monday the window has changed to CDT
SELECT is(pg_temp.send('door_knock', '2019-03-11 17:59-05'), '{}',
          'after the weekend, still none before 18:00 local (22:59 UTC, now CDT)');
SELECT is((SELECT ready_at FROM stormops.contact_steps WHERE property_id = 'c3' AND step = 2), '2019-03-11 23:00+00'::timestamptz,
          'a missed opening waits for the next one: Monday 18:00 CDT is 23:00 UTC, not 00:00');
SELECT is((SELECT reason FROM stormops.contact_steps WHERE property_id = 'c3' AND step = 2),
          'its allowed hours (weekday 18:00-20:00 America/Chicago) ended at 2019-03-08 20:00; waits for the next opening (until 2019-03-11 18:00)',
          'with the reason');
SELECT is(pg_temp.send('door_knock', '2019-03-11 18:00-05'), '{c1:2,c2:2,c3:2,n1:2}',
          'at 18:00 on Monday they go out, best rank first');
SELECT is((SELECT reason FROM stormops.contact_step_changes WHERE property_id = 'c1' AND step = 2 AND status = 'leased'
            ORDER BY change_id DESC LIMIT 1),
          format('claimed as contact %s until 2019-03-11 18:05 (the lease of contact %s ran out)',
                 (SELECT contact_id FROM stormops.contact_steps WHERE property_id = 'c1' AND step = 2),
                 (SELECT contact_id FROM stormops.contact_step_changes WHERE property_id = 'c1' AND step = 2 AND status = 'leased'
                   ORDER BY change_id LIMIT 1)),
          'c1''s Friday claim was never reported: the Monday claim says its lease ran out');
SELECT is(pg_temp.send('door_knock', '2019-03-11 18:59-05'), '{}',
          'd1''s window is read in Denver time: at 18:59 in Chicago it is 17:59 there');

-- a lease that runs out: the contact comes back once, under a new contact id
CREATE TEMP TABLE d1_knock AS SELECT * FROM stormops.claim_due_contacts('door_knock', 10, '2019-03-11 18:00-06');
SELECT is((SELECT array_agg(property_id || ' ' || allowed_until) FROM d1_knock), '{"d1 2019-03-12 02:00:00+00"}',
          'at 18:00 in Denver (MDT) d1 may go out, until 20:00 there');
CREATE TEMP TABLE reclaim AS SELECT * FROM stormops.claim_due_contacts('door_knock', 10, '2019-03-11 18:10-06');
SELECT is((SELECT array_agg(property_id) FROM reclaim), '{d1}', 'a lease that ran out makes the contact claimable again, once');
SELECT isnt((SELECT contact_id FROM reclaim), (SELECT contact_id FROM d1_knock), 'under a new contact id');
SELECT is((SELECT reason FROM stormops.contact_steps WHERE property_id = 'd1' AND step = 2),
          format('claimed as contact %s until 2019-03-11 18:15 (the lease of contact %s ran out)',
                 (SELECT contact_id FROM reclaim), (SELECT contact_id FROM d1_knock)), 'saying so, in Denver time');
SELECT throws_ok(format($$SELECT stormops.record_contact_result(%s, 'sent', '2019-03-11 18:11-06')$$, (SELECT contact_id FROM d1_knock)),
                 '55000', format('contact %s is no longer leased by that claim', (SELECT contact_id FROM d1_knock)),
                 'the first claim can no longer report it sent');
SELECT is((SELECT count(*) FROM stormops.claim_due_contacts('door_knock', 10, '2019-03-11 18:11-06')), 0::bigint,
          'a live lease is not claimed twice');

-- failed: planned again until stormops.contact_max_attempts, then failed
SELECT is((SELECT status FROM stormops.record_contact_result((SELECT contact_id FROM reclaim), 'failed', '2019-03-11 18:12-06')),
          'planned', 'a failed attempt returns the step to planned');
SELECT is((SELECT (attempts, status)::text FROM stormops.contact_steps WHERE property_id = 'd1' AND step = 2), '(1,planned)',
          'counting the attempt');
SELECT throws_ok(format($$SELECT stormops.record_contact_result(%s, 'failed', '2019-03-11 18:13-06')$$, (SELECT contact_id FROM reclaim)),
                 '55000', NULL, 'a claim is reported failed once');
SELECT is((SELECT r.status FROM stormops.claim_due_contacts('door_knock', 10, '2019-03-11 18:14-06') c,
                  LATERAL stormops.record_contact_result(c.contact_id, 'failed', '2019-03-11 18:14-06') r),
          'planned', 'a second attempt fails');
SELECT is((SELECT r.status FROM stormops.claim_due_contacts('door_knock', 10, '2019-03-11 18:15-06') c,
                  LATERAL stormops.record_contact_result(c.contact_id, 'failed', '2019-03-11 18:16-06') r),
          'failed',
          'the third failed attempt (stormops.contact_max_attempts = 3) makes it failed');
SELECT is((SELECT (status, attempts, is_next, final_at)::text FROM stormops.contact_steps WHERE property_id = 'd1' AND step = 2),
          '(failed,3,f,"2019-03-12 00:16:00+00")', 'which is final');
SELECT is((SELECT is_next FROM stormops.contact_steps WHERE property_id = 'd1' AND step = 3), true, 'and the plan goes on');
SELECT is((SELECT array_agg(status || ': ' || reason ORDER BY change_id) FROM stormops.contact_step_changes
            WHERE property_id = 'd1' AND step = 2 AND reason ~ 'attempt'),
          ARRAY[format('planned: attempt 1 of 3 failed (contact %s); claimable again', (SELECT contact_id FROM reclaim)),
                format('planned: attempt 2 of 3 failed (contact %s); claimable again', (SELECT contact_id FROM reclaim) + 1),
                format('failed: 3 attempts failed (last: contact %s)', (SELECT contact_id FROM reclaim) + 2)],
          'every change is kept with its reason');
SELECT throws_ok(format($$SELECT stormops.record_contact_result(%s, 'sent', '2019-03-11 19:00-06')$$, (SELECT contact_id FROM reclaim) + 2),
                 '55000', NULL, 'failed is final: it cannot be reported sent');

-- outcomes are behaviour events linked to the execution and the step
CREATE TEMP TABLE complained AS
  SELECT * FROM stormops.record_contact_result((SELECT contact_id FROM first_claim WHERE property_id = 'c1'), 'complaint',
                                               '2019-03-09 10:00-06');
SELECT is((SELECT (r.status, b.event_type, b.complaint, b.step, b.execution_id = (SELECT execution_id FROM ex))::text
             FROM complained r JOIN stormops.behavior_events b USING (behavior_event_id)),
          '(sent,complaint,t,1,t)', 'a complaint is an event of the step, with complaint set');
CREATE TEMP TABLE converted AS
  SELECT * FROM stormops.record_contact_result((SELECT contact_id FROM first_claim WHERE property_id = 'c1'), 'conversion',
                                               '2019-03-20 10:00-05', 14500);
SELECT is((SELECT (b.event_type, b.revenue)::text FROM converted r JOIN stormops.behavior_events b USING (behavior_event_id)),
          '(conversion,14500)', 'a conversion carries its revenue');
SELECT is((SELECT contact_frequency_7d FROM stormops.guardrail_signals_at('2019-03-12 00:00+00') WHERE property_id = 'c1'), 2,
          'guardrail signals see the contacts sent through plans');

-- scripts: a string, an entry per persona, the default, none
SELECT is(stormops.contact_script('{"hello": "Hi"}', 'hello', 'Anyone'), 'Hi', 'a string variant is the script');
SELECT is(stormops.contact_script('{"nudge": {"Proof_Seeker": "Data", "default": "Street"}}', 'nudge', 'Proof_Seeker'), 'Data',
          'an object variant gives the persona''s entry');
SELECT is(stormops.contact_script('{"nudge": {"Proof_Seeker": "Data", "default": "Street"}}', 'nudge', 'Procrastinator'), 'Street',
          'or its default');
SELECT is(stormops.contact_script('{"nudge": {"Proof_Seeker": "Data"}}', 'nudge', NULL), NULL, 'or nothing');
SELECT is((SELECT array_agg(c.property_id || ' ' || coalesce(c.script, '-') ORDER BY c.property_id)
             FROM stormops.claim_due_contacts('sms', 10, '2019-03-17 09:00-05') c),
          '{"c1 -","c2 -","c3 -","d1 -","n1 -"}', 'a step without a message variant has no script');

-- ---- An SMS due at 22:30 waits for 08:00 ------------------------------------
SELECT is((SELECT count(*) FROM stormops.generate_proposals('ev_late', '2019-03-27 22:00-05') WHERE decision = 'proposed'),
          2::bigint, 'Late proposes s1 and s2 at 22:00 (their SMS due at 22:30)');
SELECT is((SELECT array_agg((due_at, ready_at, reason)::text) FROM stormops.contact_steps WHERE property_id = 's1'),
          '{"(\"2019-03-28 03:30:00+00\",\"2019-03-28 13:00:00+00\",\"waits for its allowed hours (any 08:00-21:00 America/Chicago) until 2019-03-28 08:00\")"}',
          'an SMS due at 22:30 waits for 08:00 (stormops.call_hours)');
SELECT is(pg_temp.send('sms', '2019-03-27 22:31-05'), '{}', 'none goes out at 22:31');
SELECT is(pg_temp.send('sms', '2019-03-28 07:59-05'), '{}', 'nor at 07:59');
SELECT is(pg_temp.send('sms', '2019-03-28 08:00-05'), '{s1:1,s2:1}', 'at 08:00 both');

-- ---- A step whose allowed time never falls inside its open period -----------
INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES ('75004', 'TX', 'America/Chicago');
INSERT INTO stormops.properties (property_id, zip) VALUES ('w1', '75004');
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('ev_weekend', 'hail', '2019-03-09 08:00-06');
INSERT INTO stormops.property_impacts VALUES ('w1', 'ev_weekend', 60);
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share, priority) VALUES
  ('Weekend', '{"physics": {"min_sii_score": 50}, "geography": {"zips": ["75004"]}}',
   '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0, "duration_hours": 12, "timing_window": "weekday_09:00-17:00"},
                  {"step": 2, "channel": "email", "timing_hours": 1}]}', 0, 3);
SELECT stormops.activate_playbook('Weekend');
SELECT is((SELECT count(*) FROM stormops.generate_proposals('ev_weekend', '2019-03-09 09:00-06') WHERE decision = 'proposed'), 1::bigint,
          'Weekend proposes w1 on a Saturday');
SELECT is((SELECT array_agg((step, status, reason, is_next)::text ORDER BY step) FROM stormops.contact_steps WHERE property_id = 'w1'),
          '{"(1,skipped,\"no allowed time before the step closes\",f)","(2,planned,due,t)"}',
          'a weekday-only call open for 12 hours of a Saturday is skipped with the reason; the plan goes on');
SELECT is((SELECT (status, reason, changed_at)::text FROM stormops.contact_step_changes WHERE property_id = 'w1'),
          '(skipped,"no allowed time before the step closes","2019-03-09 15:00:00+00")', 'recorded as a change');

-- ---- Bad input: a clear error, nothing changed -------------------------------
CREATE TEMP TABLE before AS SELECT count(*) AS n, max(change_id) AS last FROM stormops.contact_step_changes;
SELECT throws_ok($$SELECT * FROM stormops.claim_due_contacts('fax', 10)$$, '22023', 'unknown channel ''fax''',
                 'an unknown channel is refused');
SELECT throws_ok($$SELECT * FROM stormops.claim_due_contacts('email', 0)$$, '22023', 'max_rows must be from 1 to 10000, not 0',
                 'max_rows below 1 is refused');
SELECT throws_ok($$SELECT * FROM stormops.claim_due_contacts('email', 10001)$$, '22023', NULL, 'max_rows above 10,000 is refused');
SELECT throws_ok($$SELECT * FROM stormops.claim_due_contacts('email', 10, NULL)$$, '22004', NULL, 'a NULL as_of is refused');
SELECT throws_ok($$SELECT * FROM stormops.claim_due_contacts('email', 10, now(), '0 seconds')$$, '22023', NULL, 'an empty lease is refused');
SELECT throws_ok($$SELECT stormops.record_contact_result(987654321, 'sent')$$, '22023', 'contact 987654321 does not exist',
                 'an unknown contact is refused');
SELECT throws_ok(format($$SELECT stormops.record_contact_result(%s, 'bounced')$$, (SELECT contact_id FROM first_claim WHERE property_id = 'c1')),
                 '22023', 'unknown outcome ''bounced''', 'an unknown outcome is refused');
SELECT throws_ok(format($$SELECT stormops.record_contact_result(%s, 'open', now(), 100)$$, (SELECT contact_id FROM first_claim WHERE property_id = 'c1')),
                 '22023', 'revenue is reported with a conversion only, not with open', 'revenue on an open is refused');
SELECT is((SELECT (count(*), max(change_id)) FROM stormops.contact_step_changes), (SELECT (n, last) FROM before),
          'and nothing was written');

SELECT * FROM finish();
ROLLBACK;
