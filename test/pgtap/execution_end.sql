-- Executions end (contact-plans.md, "Executions end") and what a person
-- reads (the per-step summary, one property's plan).
BEGIN;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = error;
SELECT plan(38);

INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES ('75020', 'TX', 'America/Chicago'), ('75021', 'TX', 'America/Chicago');
INSERT INTO stormops.properties (property_id, zip) VALUES
  ('e1', '75020'), ('e2', '75020'), ('e3', '75020'), ('e4', '75020'),
  ('f1', '75021'), ('g1', '75021'), ('h1', '75021');
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES
  ('evA', 'hail', '2019-05-01 08:00-05'), ('evB', 'hail', '2019-05-20 08:00-05'), ('evC', 'hail', '2019-05-01 08:00-05');
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
SELECT p, e, 90 - right(p, 1)::int FROM unnest('{e1,e2,e3,e4}'::text[]) p, unnest('{evA,evB}'::text[]) e
UNION ALL SELECT p, 'evC', 80 FROM unnest('{f1,g1,h1}'::text[]) p;
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share, priority, max_concurrent_properties)
VALUES
  ('Short', '{"geography": {"zips": ["75020"]}}',
   '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "success_criteria": "open_rate > 0.3"},
                  {"step": 2, "channel": "email", "timing_hours": 24}]}', 0, 1, 2),
  ('Quiet', '{"geography": {"zips": ["75021"]}}',
   '{"sequence": [{"step": 1, "channel": "sms", "timing_hours": 0}]}', 0, 2, NULL);
SELECT stormops.activate_playbook(n) FROM unnest('{Short,Quiet}'::text[]) n;
CREATE FUNCTION pg_temp.send(ch text, at timestamptz, n int DEFAULT 100) RETURNS text[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(c.property_id || ':' || c.step ORDER BY c.contact_id), '{}')
    FROM stormops.claim_due_contacts(ch, n, at) c, LATERAL stormops.record_contact_result(c.contact_id, 'sent', at) r $$;
CREATE FUNCTION pg_temp.execution(pb text, ev text) RETURNS uuid LANGUAGE sql AS $$
  SELECT e.execution_id FROM stormops.playbook_executions e JOIN stormops.playbooks p USING (playbook_id)
   WHERE p.playbook_name = pb AND e.triggered_by_event_id = ev $$;

SELECT is((SELECT array_agg(property_id || ' ' || decision ORDER BY rank) FROM stormops.generate_proposals('evA', '2019-05-01 09:00-05')
            WHERE playbook_name = 'Short'), '{"e1 proposed","e2 proposed","e3 over_capacity","e4 over_capacity"}',
          'Short (max_concurrent_properties 2) proposes e1 and e2');
SELECT is(pg_temp.send('email', '2019-05-01 09:10-05'), '{e1:1,e2:1}', 'their first e-mails go out');
SELECT stormops.record_contact_result(contact_id, 'open', '2019-05-01 11:00-05')
  FROM stormops.contact_steps WHERE property_id = 'e1' AND step = 1;

-- ---- What a person reads ------------------------------------------------------
SELECT is((SELECT array_agg((step, channel, planned, waiting, leased, sent, skipped, expired, failed, engagement_rate,
                              response_rate, success_criteria, success_value, success_met)::text ORDER BY step)
             FROM stormops.execution_step_summary(pg_temp.execution('Short', 'evA'), '2019-05-02 12:00-05')),
          ARRAY['(1,email,0,0,0,2,0,0,0,0.5000,0.0000,"open_rate > 0.3",0.5000,t)',
                '(2,email,2,2,0,0,0,0,0,,,,,)'],
          'the summary: per step planned, waiting, leased, sent, skipped, expired, failed; rates of sent contacts; the success criterion met');
SELECT is((SELECT success_met FROM stormops.execution_step_summary(pg_temp.execution('Short', 'evA'), '2019-05-01 10:00-05') WHERE step = 1),
          false, 'as of before the open, open_rate 0 does not meet it');
SELECT is((SELECT array_agg((step, channel, status, reason, due_at)::text ORDER BY step) FROM stormops.contact_plan('e1')),
          ARRAY[format('(1,email,sent,"sent (contact %s)","2019-05-01 14:00:00+00")',
                       (SELECT contact_id FROM stormops.contact_steps WHERE property_id = 'e1' AND step = 1)),
                '(2,email,planned,due,"2019-05-02 14:00:00+00")'],
          'one property''s plan: every step with its status, reason and times');
SELECT is((SELECT array_agg(status ORDER BY step, changed_at) FROM stormops.contact_plan_changes('e1')), '{leased,sent}',
          'and its changes');

-- ---- complete_execution ----------------------------------------------------------
SELECT throws_ok(format($$SELECT stormops.complete_execution(%L)$$, pg_temp.execution('Short', 'evA')), '55000',
                 format('execution %s has 2 steps still planned or leased', pg_temp.execution('Short', 'evA')),
                 'complete is refused while a step is planned or leased');
SELECT is((SELECT status FROM stormops.complete_execution(pg_temp.execution('Short', 'evA'), force => true)), 'Completed',
          'unless force => true');
SELECT is((SELECT array_agg(DISTINCT status || ': ' || reason) FROM stormops.contact_steps WHERE step = 2
            AND execution_id = pg_temp.execution('Short', 'evA')),
          '{"skipped: execution completed with force by postgres"}', 'which skips them');
SELECT is((SELECT (execution_end IS NOT NULL, end_reason, properties_contacted)::text FROM stormops.playbook_executions
            WHERE execution_id = pg_temp.execution('Short', 'evA')),
          '(t,"completed by postgres with force (2 steps skipped)",2)', 'it sets execution_end and its reason, and refreshes the roll-ups');
SELECT throws_ok(format($$SELECT stormops.complete_execution(%L)$$, pg_temp.execution('Short', 'evA')), '55000', NULL,
                 'only Running moves, and only once');
SELECT throws_ok(format($$SELECT stormops.abort_execution(%L, 'late')$$, pg_temp.execution('Short', 'evA')), '55000', NULL,
                 'a Completed execution cannot be aborted');
SELECT throws_ok($$SELECT stormops.complete_execution('00000000-0000-0000-0000-000000000000')$$, '22023', NULL,
                 'an unknown execution is refused');

-- the budget is freed too: Budgeted pays for two properties at 10 each
INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES ('75022', 'TX', 'America/Chicago');
INSERT INTO stormops.properties (property_id, zip) VALUES ('b1', '75022'), ('b2', '75022'), ('b3', '75022');
INSERT INTO stormops.property_impacts SELECT p, e, 80 FROM unnest('{b1,b2,b3}'::text[]) p, unnest('{evA,evB}'::text[]) e;
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share, priority, budget_allocated,
                                cost_per_contact)
VALUES ('Budgeted', '{"geography": {"zips": ["75022"]}}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}',
        0, 3, 20, '{"email": 10}');
SELECT stormops.activate_playbook('Budgeted');
CREATE TEMP TABLE budget_a AS SELECT * FROM stormops.generate_proposals('evA', '2019-05-01 09:00-05') WHERE playbook_name = 'Budgeted';
SELECT is((SELECT array_agg(decision ORDER BY property_id) FROM budget_a), '{proposed,proposed,over_capacity}',
          'Budgeted (budget 20 at 10 per property) proposes two');
SELECT stormops.complete_execution((SELECT DISTINCT execution_id FROM budget_a WHERE execution_id IS NOT NULL), force => true);
SELECT is((SELECT array_agg(decision || ': ' || reason ORDER BY property_id) FROM stormops.event_decisions('evB')
            WHERE playbook_name = 'Budgeted'),
          NULL, '(evB is not proposed yet)');

-- ---- Completed: no longer busy, capacity free ------------------------------------
CREATE TEMP TABLE run_b AS SELECT * FROM stormops.generate_proposals('evB', '2019-05-20 09:00-05');
SELECT is((SELECT array_agg(property_id || ' ' || decision ORDER BY rank) FROM run_b WHERE playbook_name = 'Short'),
          '{"e1 proposed","e2 proposed","e3 over_capacity","e4 over_capacity"}',
          'a later storm proposes e1 and e2 again: not busy, and the capacity of the Completed execution is free');
SELECT is((SELECT array_agg(decision || ': ' || reason ORDER BY property_id) FROM run_b WHERE playbook_name = 'Budgeted'),
          '{"proposed: rank 1","proposed: rank 2","over_capacity: beyond budget_allocated 20 at 10 per property (0 already in Running executions)"}',
          'and the budget the Completed execution had committed is free again');
SELECT stormops.abort_execution(execution_id, 'budget checked')
  FROM (SELECT DISTINCT execution_id FROM run_b WHERE playbook_name = 'Budgeted' AND execution_id IS NOT NULL) x;

-- ---- abort_execution ---------------------------------------------------------------
SELECT throws_ok(format($$SELECT stormops.abort_execution(%L, ' ')$$, pg_temp.execution('Short', 'evB')), '22023',
                 'an abort needs a reason', 'an abort needs a reason');
SELECT is((SELECT (status, end_reason)::text FROM stormops.abort_execution(pg_temp.execution('Short', 'evB'), 'the storm data was wrong')),
          '(Aborted,"aborted by postgres: the storm data was wrong")', 'abort sets the status and why');
SELECT is((SELECT array_agg(DISTINCT status || ': ' || reason) FROM stormops.contact_steps WHERE execution_id = pg_temp.execution('Short', 'evB')),
          '{"skipped: execution aborted: the storm data was wrong"}', 'and skips every step not final');
SELECT is((SELECT count(*) FROM stormops.contact_step_changes WHERE execution_id = pg_temp.execution('Short', 'evB')), 4::bigint,
          'each skip is a change');
SELECT is((SELECT count(*) FROM stormops.claim_due_contacts('email', 10, '2019-05-21 09:00-05')), 0::bigint, 'nothing of it is claimed');

-- ---- close_finished_executions ------------------------------------------------------
-- Quiet: f1 is sent an SMS; g1 asks for no SMS after the run; h1's sender dies
SELECT is((SELECT count(*) FROM stormops.generate_proposals('evC', '2019-05-01 09:00-05') WHERE decision = 'proposed'), 3::bigint,
          'Quiet proposes f1, g1, h1');
INSERT INTO stormops.do_not_contact (property_id, channel, reason, added_at) VALUES ('g1', 'sms', 'STOP', '2019-05-01 09:05-05');
CREATE TEMP TABLE quiet AS SELECT * FROM stormops.claim_due_contacts('sms', 10, '2019-05-01 09:10-05');
SELECT is((SELECT array_agg(property_id ORDER BY contact_id) FROM quiet), '{f1,h1}', 'f1 and h1 are claimed; g1''s SMS is skipped');
SELECT stormops.record_contact_result(contact_id, 'sent', '2019-05-01 09:10-05') FROM quiet WHERE property_id = 'f1';
SELECT is((SELECT count(*) FROM stormops.close_finished_executions('2019-05-02 09:00-05')), 0::bigint,
          'not finished while a step is planned');
SELECT is((SELECT count(*) FROM stormops.close_finished_executions('2019-05-10 09:00-05')), 0::bigint,
          'h1''s step, whose lease ran out, expired when it closed (72 hours), but the last contact is 9 days old');
SELECT is((SELECT status || ': ' || reason FROM stormops.contact_steps WHERE property_id = 'h1'),
          'expired: closed at 2019-05-04 09:00 unsent', 'the sweep expired it');
SELECT is((SELECT array_agg((playbook_name, end_reason)::text) FROM stormops.close_finished_executions('2019-06-01 09:00-05')),
          '{"(Quiet,\"every step final; last contact 2019-05-01 14:10:00+00, more than stormops.attribution_days = 30 before 2019-06-01 14:00:00+00\")"}',
          'completed when every step is final and the last contact is more than stormops.attribution_days old');
SELECT is((SELECT (status, execution_end)::text FROM stormops.playbook_executions WHERE execution_id = pg_temp.execution('Quiet', 'evC')),
          '(Completed,"2019-06-01 14:00:00+00")', 'at as_of');
SELECT is((SELECT count(*) FROM stormops.close_finished_executions('2019-07-01')), 0::bigint, 'and only once');
-- an execution that made no contact completes as soon as its steps are final
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('evD', 'hail', '2019-07-01 08:00-05');
INSERT INTO stormops.property_impacts VALUES ('h1', 'evD', 80);
SELECT is((SELECT count(*) FROM stormops.generate_proposals('evD', '2019-07-01 09:00-05') WHERE decision = 'proposed'), 1::bigint,
          'Quiet proposes h1 again');
INSERT INTO stormops.do_not_contact (property_id, channel, reason, added_at) VALUES ('h1', 'sms', 'STOP', '2019-07-01 09:05-05');
SELECT is(pg_temp.send('sms', '2019-07-01 09:10-05'), '{}', 'its SMS is skipped (do-not-contact)');
SELECT is((SELECT array_agg(end_reason) FROM stormops.close_finished_executions('2019-07-01 09:11-05')),
          '{"every step final; no contact was made"}', 'an execution that made no contact completes at once');
-- an execution made before 0.2.0 has no plan
INSERT INTO stormops.playbook_executions (playbook_id, execution_start, status)
SELECT playbook_id, '2019-01-01 00:00+00', 'Running' FROM stormops.playbooks WHERE playbook_name = 'Quiet';
SELECT is((SELECT count(*) FROM stormops.close_finished_executions('2019-01-20')), 0::bigint,
          'an execution without a plan (made before 0.2.0) stays open for attribution_days after its start');
SELECT is((SELECT array_agg(end_reason) FROM stormops.close_finished_executions('2019-02-15')),
          '{"no contact plan (made before 0.2.0); started 2019-01-01 00:00:00+00, more than stormops.attribution_days = 30 before 2019-02-15 00:00:00+00"}',
          'then it completes');
SELECT is((SELECT count(*) FROM stormops.playbook_executions WHERE status = 'Running'), 0::bigint, 'nothing is left Running');

SELECT throws_ok($$SELECT * FROM stormops.close_finished_executions(NULL)$$, '22004', NULL, 'a NULL as_of is refused');
SET LOCAL ROLE stormops_viewer;
SELECT throws_ok($$SELECT * FROM stormops.close_finished_executions()$$, '42501', NULL, 'viewers do not end executions');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
