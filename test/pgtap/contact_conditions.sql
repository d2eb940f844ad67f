-- Contact plans (contact-plans.md): conditions, their attribution of
-- outcomes to steps, the stops, guardrails and caps checked at claim time,
-- and the order in which they are checked.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = error;
SELECT plan(58);

INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES
  ('75010', 'TX', 'America/Chicago'), ('75011', 'TX', 'America/Chicago'), ('75012', 'TX', 'America/Chicago');
INSERT INTO stormops.properties (property_id, zip)
SELECT format('k%s', lpad(i::text, 2, '0')), '75010' FROM generate_series(1, 9) i
UNION ALL SELECT format('m%s', i), '75011' FROM generate_series(1, 6) i
UNION ALL SELECT format('r%s', i), '75012' FROM generate_series(1, 3) i;
INSERT INTO stormops.property_scores (property_id, ltv_score) VALUES ('k01', 25000), ('k03', 1000);
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES
  ('ev1', 'hail', '2019-04-01 08:00-05'), ('ev_cap', 'hail', '2019-04-01 08:00-05'),
  ('ev_cap2', 'hail', '2019-04-01 09:30-05'), ('ev_crew', 'hail', '2019-04-01 08:00-05');
-- rank follows the property name: k01 first
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
SELECT p.property_id, e.event_id, 100 - row_number() OVER (PARTITION BY e.event_id ORDER BY p.property_id)
  FROM stormops.properties p
  JOIN (VALUES ('ev1', '75010'), ('ev_cap', '75011'), ('ev_crew', '75012')) e(event_id, zip) ON e.zip = p.zip
 WHERE p.property_id <> 'm6'
UNION ALL SELECT 'm6', 'ev_cap2', 90;

INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share, priority,
                                max_daily_contacts, team_size_required)
VALUES
  ('Cond', '{"geography": {"zips": ["75010"]}}',
   '{"sequence": [
      {"step": 1, "channel": "email", "timing_hours": 0},
      {"step": 2, "channel": "sms", "timing_hours": 1, "condition": "if_no_response_to_step_1"},
      {"step": 3, "channel": "phone", "timing_hours": 2, "condition": "if_response_to_step_1"},
      {"step": 4, "channel": "email", "timing_hours": 3, "condition": "if_engaged"},
      {"step": 5, "channel": "email", "timing_hours": 4, "condition": "if_high_ltv"}]}', 0, 1, NULL, NULL),
  ('Capped', '{"geography": {"zips": ["75011"]}}',
   '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 0, 2, 2, NULL),
  ('Crew', '{"geography": {"zips": ["75012"]}}',
   '{"sequence": [{"step": 1, "channel": "door_knock", "timing_hours": 0}]}', 0, 3, NULL, 1);
SELECT stormops.activate_playbook(n) FROM unnest('{Cond,Capped,Crew}'::text[]) n;
SELECT count(*) FROM stormops.generate_proposals('ev1', '2019-04-01 09:00-05');
CREATE TEMP VIEW ex AS SELECT e.execution_id FROM stormops.playbook_executions e JOIN stormops.playbooks p USING (playbook_id)
 WHERE p.playbook_name = 'Cond';
SELECT is((SELECT count(*) FROM stormops.contact_steps WHERE execution_id = (SELECT execution_id FROM ex)), 45::bigint,
          'Cond: 9 plans of 5 steps');

-- After the run: k04 asks for no e-mail; k05 is contacted six times
-- elsewhere; k06 converts; k07 opts out; k08 goes on the do-not-contact
-- list; k09 complains three times.
INSERT INTO stormops.do_not_contact (property_id, channel, reason, added_at) VALUES
  ('k04', 'email', 'unsubscribed', '2019-04-01 09:10-05'), ('k08', 'all', 'asked by phone', '2019-04-01 09:10-05');
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint)
SELECT 'k05', 'contact', 'sms', '2019-04-01 09:05-05'::timestamptz + i * interval '1 minute', false FROM generate_series(1, 6) i
UNION ALL SELECT 'k06', 'conversion', NULL, '2019-04-01 09:10-05', false
UNION ALL SELECT 'k07', 'opt_out', 'email', '2019-04-01 09:10-05', false
UNION ALL SELECT 'k09', 'complaint', 'phone', '2019-04-01 09:05-05'::timestamptz + i * interval '1 minute', true FROM generate_series(1, 3) i;

CREATE FUNCTION pg_temp.send(ch text, at timestamptz, n int DEFAULT 100) RETURNS text[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(c.property_id || ':' || c.step ORDER BY c.contact_id), '{}')
    FROM stormops.claim_due_contacts(ch, n, at) c, LATERAL stormops.record_contact_result(c.contact_id, 'sent', at) r $$;
CREATE FUNCTION pg_temp.steps(p text) RETURNS text[] LANGUAGE sql AS $$
  SELECT array_agg(s.status || ': ' || s.reason ORDER BY s.step) FROM stormops.contact_steps s
   WHERE s.property_id = p AND s.execution_id = (SELECT execution_id FROM ex) $$;

-- ---- Stops and skips, in order ---------------------------------------------
SELECT is(pg_temp.send('email', '2019-04-01 09:30-05'), '{k01:1,k02:1,k03:1}', 'the e-mails of k01..k03 go out');
SELECT is(pg_temp.steps('k06'), array_fill('skipped: converted'::text, ARRAY[5]),
          'converted (a conversion after plan_start): the step and every later one skipped');
SELECT is(pg_temp.steps('k07'), array_fill('skipped: opted out'::text, ARRAY[5]), 'an opt_out event: the rest of the plan skipped');
SELECT is(pg_temp.steps('k08'), array_fill('skipped: opted out'::text, ARRAY[5]),
          'a do-not-contact entry for every channel: opted out as well');
SELECT is(pg_temp.steps('k09'),
          array_fill('skipped: 3 complaints in 30 days, more than stormops.escalate_complaints_30d = 2'::text, ARRAY[5]),
          'the escalate flag: the rest skipped, the reason naming the complaints');
SELECT is((SELECT array_agg((kind, property_id, payload ->> 'execution_id', payload ->> 'step')::text) FROM stormops.notification_outbox),
          ARRAY[format('(escalation,k09,%s,1)', (SELECT execution_id FROM ex))], 'and one notification to a human for the plan');
SELECT is((pg_temp.steps('k04'))[1:2], ARRAY['skipped: on the do-not-contact list for email: unsubscribed', 'planned: due'],
          'a do-not-contact entry for this step''s channel: this step skipped, the plan goes on');
SELECT is((SELECT (status, ready_at, reason)::text FROM stormops.contact_steps WHERE property_id = 'k05' AND step = 1),
          '(planned,"2019-04-02 14:30:00+00","throttled: 6 contacts in 7 days, more than stormops.throttle_contacts_7d = 5; waits 24 hours (until 2019-04-02 09:30)")',
          'the throttle flag: the step waits 24 hours');
SELECT is((SELECT count(*) FROM stormops.contact_step_changes WHERE property_id IN ('k06', 'k07', 'k08', 'k09')), 20::bigint,
          'every skip is a change');

-- ---- Attribution and conditions ----------------------------------------------
-- k01 clicks, reported through record_contact_result; k02 responds in an
-- event linked to the execution only; k03 responds in an event linked to
-- nothing.
SELECT stormops.record_contact_result(contact_id, 'click', '2019-04-01 09:40-05')
  FROM stormops.contact_steps WHERE property_id = 'k01' AND step = 1;
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, execution_id) VALUES
  ('k02', 'response', 'email', '2019-04-01 09:40-05', (SELECT execution_id FROM ex));
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp) VALUES
  ('k03', 'response', 'email', '2019-04-01 09:40-05');
SELECT is((SELECT array_agg(property_id || ' ' || event_type || ' ' || coalesce(step::text, '-') ORDER BY property_id)
             FROM stormops.contact_outcomes WHERE execution_id = (SELECT execution_id FROM ex)),
          '{"k01 click 1","k02 response 1"}',
          'outcomes belong to the contact''s step (record_contact_result), or to the latest step sent before (execution_id only); an event with neither to none');
CREATE TEMP TABLE sms AS SELECT * FROM stormops.claim_due_contacts('sms', 10, '2019-04-01 10:30-05');
SELECT is((SELECT array_agg(property_id ORDER BY contact_id) FROM sms), '{k03,k04}',
          'if_no_response_to_step_1: k03 (its response belongs to no step) and k04 (step 1 skipped)');
SELECT is((SELECT (status, reason)::text FROM stormops.contact_steps WHERE property_id = 'k01' AND step = 2),
          '(skipped,"condition if_no_response_to_step_1 is false")', 'a false condition skips the step, naming it (k01)');
SELECT is((SELECT status FROM stormops.contact_steps WHERE property_id = 'k02' AND step = 2), 'skipped',
          'and for k02, whose response came with the execution only');
SELECT stormops.record_contact_result(contact_id, 'sent', '2019-04-01 10:31-05') FROM sms WHERE property_id = 'k04';
SELECT is(pg_temp.send('phone', '2019-04-01 11:30-05'), '{k01:3,k02:3}', 'if_response_to_step_1: k01 and k02');
SELECT is((SELECT (status, is_next)::text FROM stormops.contact_steps WHERE property_id = 'k03' AND step = 3), '(planned,f)',
          'k03''s phone step, due, is not claimed while its SMS is leased: waiting never reorders a plan');
SELECT is((SELECT status || ': ' || reason FROM stormops.contact_steps WHERE property_id = 'k04' AND step = 3),
          'skipped: condition if_response_to_step_1 is false', 'k04 did not respond to step 1');
SELECT stormops.record_contact_result(contact_id, 'sent', '2019-04-01 11:31-05') FROM sms WHERE property_id = 'k03';
SELECT is(pg_temp.send('phone', '2019-04-01 11:35-05'), '{}', 'once it is sent, k03''s phone step comes up...');
SELECT is((SELECT status FROM stormops.contact_steps WHERE property_id = 'k03' AND step = 3), 'skipped',
          '... and is skipped: a response linked to nothing is no response to step 1');
SELECT is(pg_temp.send('email', '2019-04-01 12:30-05'), '{k01:4,k02:4}', 'if_engaged: an engagement attributed to any step of the plan');
SELECT is((SELECT array_agg(property_id || ' ' || status ORDER BY property_id) FROM stormops.contact_steps
            WHERE step = 4 AND property_id IN ('k03', 'k04')), '{"k03 skipped","k04 skipped"}', 'k03 and k04 never engaged');
SELECT is(pg_temp.send('email', '2019-04-01 13:30-05'), '{k01:5}', 'if_high_ltv: k01''s ltv_score 25000 is at least 20000');
SELECT is((SELECT array_agg(property_id ORDER BY property_id) FROM stormops.contact_steps
            WHERE step = 5 AND reason = 'condition if_high_ltv is false'), '{k02,k03}',
          'k03''s 1000 is below stormops.high_ltv_threshold; k02 has no score');
SELECT is((SELECT reason FROM stormops.contact_steps WHERE step = 5 AND property_id = 'k04'),
          'on the do-not-contact list for email: unsubscribed',
          'k04''s e-mail steps are skipped for its entry, which is checked before the condition');
SET LOCAL stormops.high_ltv_threshold = 500;
SELECT ok(stormops.step_condition_holds('if_high_ltv', (SELECT execution_id FROM ex), 'k03', now()),
          'the threshold is the setting''s');
SELECT ok(NOT stormops.step_condition_holds('if_engaged', (SELECT execution_id FROM ex), 'k01', '2019-04-01 09:39-05'),
          'conditions read outcomes up to the claim''s as_of only');

-- ---- The throttle waits, then the step closes -----------------------------
SELECT is(pg_temp.send('email', '2019-04-02 09:30-05'), '{}', 'k05 is still throttled a day later');
SELECT is((SELECT ready_at FROM stormops.contact_steps WHERE property_id = 'k05' AND step = 1), '2019-04-03 14:30+00'::timestamptz,
          'and waits another 24 hours');
SELECT is(pg_temp.send('email', '2019-04-03 09:30-05'), '{}', 'and again');
SELECT is((SELECT status || ': ' || reason FROM stormops.contact_steps WHERE property_id = 'k05' AND step = 1),
          'expired: throttled: 6 contacts in 7 days, more than stormops.throttle_contacts_7d = 5; waits 24 hours; no allowed time before the step closes at 2019-04-04 09:00',
          'a wait past the step''s close expires it');
SELECT is((SELECT is_next FROM stormops.contact_steps WHERE property_id = 'k05' AND step = 2), true, 'and the plan goes on');

-- ---- max_daily_contacts: per calendar day in stormops.default_time_zone -----
SELECT count(*) FROM stormops.generate_proposals('ev_cap', '2019-04-01 09:00-05');
SELECT is(pg_temp.send('email', '2019-04-01 23:00-05', 1), '{m1:1}', 'Capped (max_daily_contacts 2): m1 at 23:00');
SELECT is(pg_temp.send('email', '2019-04-01 23:30-05'), '{m2:1}', 'at 23:30 (04:30 UTC, still 1 April in Chicago) one more: m2');
SELECT is((SELECT array_agg(property_id || ' ' || ready_at ORDER BY property_id) FROM stormops.contact_steps
            WHERE property_id IN ('m3', 'm4', 'm5')),
          '{"m3 2019-04-02 05:00:00+00","m4 2019-04-02 05:00:00+00","m5 2019-04-02 05:00:00+00"}',
          'the rest wait for the next day: midnight in Chicago');
SELECT is((SELECT reason FROM stormops.contact_steps WHERE property_id = 'm3'),
          'max_daily_contacts 2 of playbook Capped reached on 2019-04-01; waits for the next day (until 2019-04-02 00:00)', 'saying why');
SELECT count(*) FROM stormops.generate_proposals('ev_cap2', '2019-04-01 23:40-05');
SELECT is(pg_temp.send('email', '2019-04-01 23:45-05'), '{}', 'the cap counts across the playbook''s Running executions (m6 waits too)');
SELECT is(pg_temp.send('email', '2019-04-02 00:00-05'), '{m3:1,m4:1}', 'on 2 April, two more, best rank first within the earliest due');
SELECT is(pg_temp.send('email', '2019-04-03 00:01-05'), '{m5:1,m6:1}', 'then the last two');
SELECT is((SELECT array_agg(day || ' ' || claimed ORDER BY day) FROM stormops.contact_day_counts c
             JOIN stormops.playbooks p USING (playbook_id) WHERE p.playbook_name = 'Capped' AND kind = 'contacts'),
          '{"2019-04-01 2","2019-04-02 2","2019-04-03 2"}', 'counted per day');

-- ---- Crews: team_size_required x stormops.visits_per_rep_per_day door knocks a day
SET LOCAL stormops.visits_per_rep_per_day = 2;
SELECT count(*) FROM stormops.generate_proposals('ev_crew', '2019-04-01 09:00-05');
CREATE TEMP TABLE knocks AS SELECT * FROM stormops.claim_due_contacts('door_knock', 10, '2019-04-01 10:00-05');
SELECT is((SELECT array_agg(property_id ORDER BY contact_id) FROM knocks), '{r1,r2}', 'Crew (1 rep, 2 visits a day): two door knocks');
SELECT is((SELECT status || ': ' || reason FROM stormops.contact_steps WHERE property_id = 'r3'),
          'planned: crews: team_size_required 1 x stormops.visits_per_rep_per_day 2 = 2 door knocks of playbook Crew claimed on 2019-04-01; waits for the next day (until 2019-04-02 09:00)',
          'the third waits for the next day''s crew hours');
-- r1's lease runs out unreported: claiming it again the same day takes no second visit
SELECT stormops.record_contact_result(contact_id, 'sent', '2019-04-01 10:01-05') FROM knocks WHERE property_id = 'r2';
SELECT is((SELECT array_agg(property_id) FROM stormops.claim_due_contacts('door_knock', 10, '2019-04-01 10:30-05')), '{r1}',
          'a lease that ran out is claimed again the same day...');
SELECT is((SELECT claimed FROM stormops.contact_day_counts c JOIN stormops.playbooks p USING (playbook_id)
            WHERE p.playbook_name = 'Crew' AND kind = 'door_knocks' AND day = '2019-04-01'), 2, '... without counting it twice');
SELECT is(pg_temp.send('door_knock', '2019-04-02 09:00-05'), '{r3:1,r1:1}',
          'r3 goes out the next morning, and r1, whose claim was never reported (its opening passed: a second batch)');

-- ---- Crews count the property's local day ------------------------------------
-- Honolulu (UTC-10, no DST): at 00:30 on 2 April in Chicago it is 19:30 on
-- 1 April there, still door-knock hours, and still 1 April for its crew.
SET LOCAL stormops.visits_per_rep_per_day = 1;
INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES ('96813', 'HI', 'Pacific/Honolulu');
INSERT INTO stormops.properties (property_id, zip) VALUES ('h1', '96813'), ('h2', '96813');
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('ev_hnl', 'hail', '2019-04-01 08:00-10');
INSERT INTO stormops.property_impacts VALUES ('h1', 'ev_hnl', 90), ('h2', 'ev_hnl', 80);
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share, priority, team_size_required)
VALUES ('Crew-HNL', '{"geography": {"zips": ["96813"]}}',
        '{"sequence": [{"step": 1, "channel": "door_knock", "timing_hours": 0}]}', 0, 4, 1);
SELECT stormops.activate_playbook('Crew-HNL');
SELECT count(*) FROM stormops.generate_proposals('ev_hnl', '2019-04-01 12:00-10');
SELECT is(pg_temp.send('door_knock', '2019-04-01 12:00-10'), '{h1:1}', 'Crew-HNL (1 rep, 1 visit a day): h1 on 1 April');
SELECT is(pg_temp.send('door_knock', '2019-04-02 00:30-05'), '{}',
          'at 00:30 in Chicago on 2 April it is still 1 April in Honolulu: h2''s crew day is full');
SELECT is((SELECT reason FROM stormops.contact_steps WHERE property_id = 'h2'),
          'crews: team_size_required 1 x stormops.visits_per_rep_per_day 1 = 1 door knocks of playbook Crew-HNL claimed on 2019-04-01; waits for the next day (until 2019-04-02 09:00)',
          'the crews'' day is the property''s local day');
SELECT is(pg_temp.send('door_knock', '2019-04-02 09:00-10'), '{h2:1}', 'h2 goes out the next local morning');

-- ---- The order of the checks -----------------------------------------------------
-- one e-mail for high-LTV properties; each property trips two checks
INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES ('75013', 'TX', 'America/Chicago');
INSERT INTO stormops.properties (property_id, zip) SELECT 'o' || i, '75013' FROM generate_series(1, 5) i;
INSERT INTO stormops.property_scores (property_id, ltv_score) SELECT 'o' || i, 50000 FROM generate_series(1, 4) i;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('ev_order', 'hail', '2019-04-01 08:00-05');
INSERT INTO stormops.property_impacts SELECT 'o' || i, 'ev_order', 90 FROM generate_series(1, 5) i;
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share, priority, max_daily_contacts)
VALUES ('Order', '{"geography": {"zips": ["75013"]}}',
        '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "condition": "if_high_ltv"}]}', 0, 5, 0);
SELECT stormops.activate_playbook('Order');
SELECT count(*) FROM stormops.generate_proposals('ev_order', '2019-04-01 09:00-05');
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint)
SELECT 'o1', 'conversion', NULL, '2019-04-01 09:10-05'::timestamptz, false
UNION ALL SELECT 'o1', 'opt_out', 'email', '2019-04-01 09:10-05', false
UNION ALL SELECT 'o2', 'opt_out', 'email', '2019-04-01 09:10-05', false
UNION ALL SELECT p, 'complaint', 'phone', '2019-04-01 09:05-05'::timestamptz + i * interval '1 minute', true
  FROM unnest('{o2,o3}'::text[]) p, generate_series(1, 3) i
UNION ALL SELECT p, 'contact', 'sms', '2019-04-01 09:05-05'::timestamptz + i * interval '1 minute', false
  FROM unnest('{o4,o5}'::text[]) p, generate_series(1, 6) i;
INSERT INTO stormops.do_not_contact (property_id, channel, reason, added_at) VALUES ('o3', 'email', 'unsubscribed', '2019-04-01 09:10-05');
SELECT is(pg_temp.send('email', '2019-04-01 09:30-05'), '{}', 'Order (max_daily_contacts 0): nothing goes out');
SELECT is((SELECT array_agg(property_id || ' ' || status || ': ' || regexp_replace(reason, ' \(until.*', '') ORDER BY property_id)
             FROM stormops.contact_steps WHERE property_id ~ '^o'),
          ARRAY['o1 skipped: converted',
                'o2 skipped: opted out',
                'o3 skipped: 3 complaints in 30 days, more than stormops.escalate_complaints_30d = 2',
                'o4 planned: throttled: 6 contacts in 7 days, more than stormops.throttle_contacts_7d = 5; waits 24 hours',
                'o5 skipped: condition if_high_ltv is false'],
          'converted before opted out, opted out before escalated, escalated before the channel''s entry, the condition before the throttle, the throttle before the cap');

-- ---- The escalation notifies once per plan ----------------------------------
SELECT is((SELECT count(*) FROM stormops.notification_outbox WHERE property_id = 'k09'), 1::bigint,
          'claims after the stop notify no one again');

-- ---- Operators claim and report; viewers read --------------------------------
SET LOCAL ROLE stormops_viewer;
SELECT lives_ok($$SELECT * FROM stormops.contact_plan('k01')$$, 'a viewer reads a plan');
SELECT lives_ok($$SELECT * FROM stormops.execution_step_summary((SELECT execution_id FROM stormops.playbook_executions LIMIT 1))$$,
                'and an execution''s summary');
SELECT throws_ok($$SELECT * FROM stormops.claim_due_contacts('email', 1)$$, '42501', NULL, 'but cannot claim');
SELECT throws_ok($$SELECT * FROM stormops.record_contact_result(1, 'open')$$, '42501', NULL, 'nor report');
RESET ROLE;
SET LOCAL ROLE stormops_operator;
SELECT lives_ok($$SELECT * FROM stormops.claim_due_contacts('email', 1, '2019-04-10')$$, 'an operator claims');
SELECT throws_ok($$UPDATE stormops.contact_steps SET status = 'sent'$$, '42501', NULL, 'but writes no plan by hand');
SELECT throws_ok($$INSERT INTO stormops.contact_step_changes (execution_id, property_id, step, status, reason, changed_at)
                   VALUES (gen_random_uuid(), 'k01', 1, 'sent', 'forged', now())$$, '42501', NULL, 'nor its history');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
