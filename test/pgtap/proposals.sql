-- The proposal engine (proposals.md): the seven decisions and their order,
-- capacity, budget, min_property_count, executions once per (playbook,
-- event), notifications and the guardrail log, holdouts, the competitor
-- trigger and the execution roll-ups. The two-session test is
-- test/shell/proposals_concurrency.sh.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = error;
SELECT plan(63);

-- p01..p20 with SII 99 down to 80: rank order is p01 first.
INSERT INTO stormops.properties (property_id, zip)
SELECT format('p%s', lpad(i::text, 2, '0')), '75001' FROM generate_series(1, 20) i;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('ev1', 'hail', '2019-04-09 18:00+00');
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
SELECT format('p%s', lpad(i::text, 2, '0')), 'ev1', 100 - i FROM generate_series(1, 20) i;

-- Signals as of 2019-04-10 12:00 UTC:
-- p02 opted out long ago, and also complains and is contacted a lot;
-- p03 on the do-not-contact list, and complains; p04 complains 3 times and
-- is contacted 6 times; p05 is contacted 6 times; p06 asked for no texts only.
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint)
SELECT p, 'contact', 'sms', '2019-04-10 12:00+00'::timestamptz - i * interval '1 day', false
  FROM unnest('{p02,p04,p05}'::text[]) p, generate_series(0, 5) i
UNION ALL
SELECT p, 'complaint', 'phone', '2019-04-01 00:00+00'::timestamptz - i * interval '1 day', true
  FROM unnest('{p02,p03,p04}'::text[]) p, generate_series(0, 2) i
UNION ALL
SELECT 'p02', 'opt_out', 'email', '2019-01-01 00:00+00', false;
INSERT INTO stormops.do_not_contact (property_id, channel, reason, added_at) VALUES
  ('p03', 'all', 'asked by phone', '2019-04-01 00:00+00'),
  ('p06', 'sms', 'STOP by text', '2019-04-01 00:00+00');

-- Four plays on one sequence (a phone call, 4.00 by default), served by priority.
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, priority, holdout_share,
                                max_concurrent_properties, budget_allocated, cost_per_contact, min_property_count,
                                target_conversion_rate, target_roi)
VALUES
  ('Alpha', '{"physics": {"min_sii_score": 95}}', '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0}]}',
   1, 0, NULL, NULL, '{}', 1, NULL, NULL),
  ('Bravo', '{"physics": {"min_sii_score": 80}}', '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0}]}',
   2, 0, 6, NULL, '{}', 1, 0.25, 4.00),
  ('Charlie', '{"physics": {"min_sii_score": 80}}', '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0}]}',
   3, 0, NULL, 20, '{"phone": 5}', 1, NULL, NULL),
  ('Delta', '{"physics": {"min_sii_score": 80}}', '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0}]}',
   4, 0, NULL, NULL, '{}', 50, NULL, NULL),
  ('Echo', '{"physics": {"min_sii_score": 80}}', '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0}]}',
   5, 0, NULL, NULL, '{}', 1, NULL, NULL);
SELECT stormops.activate_playbook(n) FROM unnest('{Alpha,Bravo,Charlie,Delta,Echo}'::text[]) n;
SELECT stormops.pause_playbook('Echo');

CREATE TEMP TABLE served AS
  SELECT * FROM stormops.generate_proposals('ev1', '2019-04-10 12:00+00')
         WITH ORDINALITY AS g(playbook_name, property_id, rank, decision, reason, execution_id, n);
CREATE TEMP VIEW first_run AS SELECT playbook_name, property_id, rank, decision, reason, execution_id FROM served;
CREATE TEMP VIEW d AS SELECT * FROM first_run;

SELECT is((SELECT array_agg(playbook_name ORDER BY first_n) FROM
            (SELECT playbook_name, min(n) first_n FROM served GROUP BY playbook_name) s),
          '{Alpha,Bravo,Charlie,Delta}', 'Active playbooks are served by priority; a Paused one is not run');
SELECT is((SELECT count(*) FROM first_run), 65::bigint, 'one row per targeted property and playbook (5 + 20 + 20 + 20)');
SELECT is((SELECT array_agg(decision ORDER BY rank) FROM d WHERE playbook_name = 'Alpha'),
          '{proposed,suppressed,suppressed,escalated,throttled}', 'Alpha: each property gets exactly one decision');
SELECT is((SELECT reason FROM d WHERE playbook_name = 'Alpha' AND property_id = 'p02'), 'opted out',
          'suppressed comes before escalated and throttled (p02 is all three)');
SELECT is((SELECT reason FROM d WHERE playbook_name = 'Alpha' AND property_id = 'p03'),
          'on the do-not-contact list: asked by phone', 'a do-not-contact entry suppresses, with its reason');
SELECT is((SELECT decision || ': ' || reason FROM d WHERE playbook_name = 'Alpha' AND property_id = 'p04'),
          'escalated: 3 complaints in 30 days, more than stormops.escalate_complaints_30d = 2',
          'escalated comes before throttled (p04 is both)');
SELECT is((SELECT reason FROM d WHERE playbook_name = 'Alpha' AND property_id = 'p05'),
          '6 contacts in 7 days, more than stormops.throttle_contacts_7d = 5', 'throttled, with the count and the setting');
SELECT is((SELECT decision || ': ' || reason FROM d WHERE playbook_name = 'Bravo' AND property_id = 'p01'),
          format('busy: in Running execution %s of playbook Alpha',
                 (SELECT execution_id FROM d WHERE playbook_name = 'Alpha' AND property_id = 'p01')),
          'busy: in a Running execution of a playbook served earlier');
SELECT is((SELECT decision FROM d WHERE playbook_name = 'Bravo' AND property_id = 'p04'), 'escalated',
          'escalated comes before busy');
SELECT is((SELECT decision FROM d WHERE playbook_name = 'Bravo' AND property_id = 'p06'), 'proposed',
          'a do-not-contact entry for one channel does not suppress the property');
SELECT is((SELECT array_agg(property_id ORDER BY rank) FROM d WHERE playbook_name = 'Bravo' AND decision = 'proposed'),
          '{p06,p07,p08,p09,p10,p11}', 'max_concurrent_properties 6: the first six open properties in rank order');
SELECT is((SELECT count(*) FROM d WHERE playbook_name = 'Bravo' AND decision = 'over_capacity'
             AND reason = 'beyond max_concurrent_properties 6 (0 already in Running executions)'), 9::bigint,
          'the rest is over_capacity, with the limit in the reason');
SELECT is((SELECT array_agg(property_id ORDER BY rank) FROM d WHERE playbook_name = 'Charlie' AND decision = 'proposed'),
          '{p12,p13,p14,p15}', 'budget 20 at 5 per property (the playbook''s phone cost) pays for four');
SELECT is((SELECT min(reason) FROM d WHERE playbook_name = 'Charlie' AND decision = 'over_capacity'),
          'beyond budget_allocated 20 at 5 per property (0 already in Running executions)', 'over budget: over_capacity with the budget in the reason');
SELECT is((SELECT count(*) FROM d WHERE playbook_name = 'Charlie' AND decision = 'busy'), 7::bigint,
          'Charlie: p01 (Alpha) and p06..p11 (Bravo) are busy');
SELECT is((SELECT outcome FROM stormops.proposal_runs r JOIN stormops.playbooks p USING (playbook_id)
            WHERE p.playbook_name = 'Delta'),
          'no execution: 5 proposed, fewer than min_property_count 50', 'below min_property_count: the run records why');
SELECT is((SELECT count(*) FROM d WHERE playbook_name = 'Delta' AND decision = 'proposed' AND execution_id IS NULL), 5::bigint,
          'its decisions are stored, without an execution');
SELECT is((SELECT array_agg((p.playbook_name, e.properties_targeted, e.status, e.execution_start, e.playbook_version)::text
                            ORDER BY p.priority)
             FROM stormops.playbook_executions e JOIN stormops.playbooks p USING (playbook_id)
            WHERE e.triggered_by_event_id = 'ev1'),
          ARRAY['(Alpha,1,Running,"2019-04-10 12:00:00+00",1.0.0)', '(Bravo,6,Running,"2019-04-10 12:00:00+00",1.0.0)',
                '(Charlie,4,Running,"2019-04-10 12:00:00+00",1.0.0)'],
          'one Running execution per playbook that reached min_property_count, counting its proposed properties');
SELECT is((SELECT count(*) FROM d WHERE (decision = 'proposed' AND playbook_name <> 'Delta') <> (execution_id IS NOT NULL)),
          0::bigint, 'exactly the proposed properties of an execution carry its id');
SELECT is((SELECT count(*) FROM stormops.proposal_decisions pd JOIN stormops.proposal_runs r USING (proposal_id)
            WHERE r.event_id = 'ev1'), 65::bigint, 'every decision is a stored row');

-- Escalations notify a human; throttles and escalations are logged.
SELECT is((SELECT array_agg((playbook_name, property_id, payload ->> 'playbook', payload ->> 'event_id',
                             payload ->> 'complaint_count_30d', status)::text ORDER BY notification_id)
             FROM stormops.notification_outbox WHERE kind = 'escalation'),
          ARRAY['(Alpha,p04,Alpha,ev1,3,pending)', '(Bravo,p04,Bravo,ev1,3,pending)',
                '(Charlie,p04,Charlie,ev1,3,pending)', '(Delta,p04,Delta,ev1,3,pending)'],
          'one pending escalation notification per playbook, naming the property and the playbook');
SELECT is((SELECT count(*) FROM stormops.guardrail_log WHERE event_id = 'ev1' AND logged_at IS NOT NULL AND reason <> ''),
          8::bigint, 'four throttles and four escalations in the guardrail log, with reason and time');

-- Once and only once.
SELECT is((SELECT count(*) FROM (SELECT * FROM stormops.generate_proposals('ev1', '2019-04-10 12:00+00')
                                  EXCEPT ALL SELECT * FROM first_run) x), 0::bigint,
          'running it again returns the same decisions...');
SELECT is((SELECT count(*) FROM (SELECT * FROM first_run
                                  EXCEPT ALL SELECT * FROM stormops.generate_proposals('ev1', now())) x), 0::bigint,
          '... and all of them, whatever as_of it is given');
SELECT is((SELECT (count(*), count(execution_id)) FROM stormops.proposal_runs WHERE event_id = 'ev1'), (4::bigint, 3::bigint),
          'and makes no second run or execution');
SELECT is((SELECT count(*) FROM stormops.notification_outbox), 4::bigint, 'nor a second notification');
SELECT is((SELECT (playbooks_run, executions, as_of) FROM stormops.event_proposals WHERE event_id = 'ev1'),
          (4, 3, '2019-04-10 12:00+00'::timestamptz), 'the event is recorded as handled');
SELECT stormops.activate_playbook('Echo');
SELECT is((SELECT count(*) FROM stormops.generate_proposals('ev1', '2019-04-10 12:00+00') WHERE playbook_name = 'Echo'),
          20::bigint, 'a playbook activated later gets its own run for the event');
SELECT is((SELECT count(*) FROM stormops.proposal_runs WHERE event_id = 'ev1'), 5::bigint, 'and only it');
SELECT stormops.pause_playbook('Echo');

-- Errors.
SELECT throws_ok($$SELECT * FROM stormops.generate_proposals('no_such_event')$$, '22023',
                 'storm event "no_such_event" does not exist', 'an unknown event is an error');
SELECT throws_ok($$SELECT * FROM stormops.generate_proposals(NULL)$$, '22004', NULL, 'a NULL event is an error');

-- As of now(), the maintained signals decide (q1 contacted 6 times in 6 days).
INSERT INTO stormops.properties (property_id, zip) VALUES ('q1', '75001'), ('q2', '75001'), ('q3', '75001');
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('ev2', 'hail', now() - interval '1 day');
INSERT INTO stormops.property_impacts VALUES ('q1', 'ev2', 99), ('q2', 'ev2', 98), ('q3', 'ev2', 90);
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
SELECT 'q1', 'contact', 'sms', now() - i * interval '1 day' FROM generate_series(0, 5) i;
SELECT is((SELECT array_agg(decision ORDER BY rank) FROM stormops.generate_proposals('ev2') WHERE playbook_name = 'Alpha'),
          '{throttled,proposed}', 'as of now(), the maintained signals decide (q1 throttled)');
SELECT is((SELECT reason FROM stormops.proposal_decisions pd JOIN stormops.proposal_runs r USING (proposal_id)
            WHERE r.event_id = 'ev2' AND pd.property_id = 'q3' AND r.priority = 2),
          'beyond max_concurrent_properties 6 (6 already in Running executions)',
          'max_concurrent_properties counts the properties of the playbook''s Running executions');

-- Holdout: 10,000 properties, a 10% share, the same draw on every run.
SELECT stormops.pause_playbook(n) FROM unnest('{Alpha,Bravo,Charlie,Delta}'::text[]) n;
INSERT INTO stormops.properties (property_id, zip) SELECT format('h%s', i), '75002' FROM generate_series(1, 10000) i;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES
  ('evh1', 'hail', '2019-05-01 00:00+00'), ('evh2', 'hail', '2019-05-20 00:00+00');
INSERT INTO stormops.property_impacts SELECT format('h%s', i), e, 50 FROM generate_series(1, 10000) i, unnest('{evh1,evh2}'::text[]) e;
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, budget_allocated, cost_per_contact)
VALUES ('Holdout', '{"physics": {"min_sii_score": 10}}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}',
        1, '{"email": 0}');
SELECT stormops.activate_playbook('Holdout');
CREATE TEMP TABLE h1 AS SELECT property_id FROM stormops.generate_proposals('evh1', '2019-05-02 00:00+00') WHERE decision = 'holdout';
CREATE TEMP TABLE h2 AS SELECT property_id FROM stormops.generate_proposals('evh2', '2019-05-21 00:00+00') WHERE decision = 'holdout';
SELECT ok((SELECT count(*) FROM h1) BETWEEN 850 AND 1150,
          format('holdout share within 1.5 points of 10%% over 10,000 properties (%s%%)', (SELECT count(*) FROM h1)::numeric / 100));
SELECT is((SELECT count(*) FROM (SELECT * FROM h1 EXCEPT SELECT * FROM h2 UNION ALL SELECT * FROM (SELECT * FROM h2 EXCEPT SELECT * FROM h1) y) x),
          0::bigint, 'sticky: the same properties are held out on the next storm');
SELECT is((SELECT properties_proposed FROM stormops.proposal_runs WHERE event_id = 'evh1'), 10000 - (SELECT count(*)::int FROM h1),
          'a budget at a cost of 0 per property sets no limit: everyone not held out is proposed');
SELECT is((SELECT count(*) FROM stormops.properties p WHERE p.zip = '75002'
             AND (stormops.holdout_draw((SELECT playbook_id FROM stormops.playbooks WHERE playbook_name = 'Holdout'), p.property_id) < 0.10)
                 <> (p.property_id IN (SELECT property_id FROM h1))), 0::bigint,
          'held out exactly when holdout_draw(playbook, property) < holdout_share');
SELECT is((SELECT count(*) FROM h1 WHERE stormops.holdout_draw(gen_random_uuid(), property_id) < 0.10) BETWEEN 50 AND 160,
          true, 'another playbook draws independently (about 10% of these)');
-- computed independently: int(md5('stormops.holdout:<playbook id>:<property id>')[:13], 16) / 2^52
SELECT is(stormops.holdout_draw('00000000-0000-0000-0000-000000000001', 'h1'), 0.8234486895511732::float8,
          'holdout_draw is the md5 draw of docs/proposals.md, the same on any server');
SELECT is(stormops.holdout_draw('00000000-0000-0000-0000-000000000001', 'h2'), 0.2721229032257657::float8,
          '... for another property too');
SELECT stormops.pause_playbook('Holdout');

-- The competitor trigger.
SET LOCAL stormops.contractor_id = 'us';
INSERT INTO stormops.properties (property_id, zip) VALUES ('d1', '75230'), ('d2', '75230'), ('d3', '75225');
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, requires_streaming_triggers, priority,
                                holdout_share)
VALUES ('Defend', '{"geography": {"zips": ["75230", "75225"]}}',
        '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0}]}', true, 40, 0),
       ('NotDefensive', '{"geography": {"zips": ["75230"]}}',
        '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0}]}', false, 41, 0);
SELECT stormops.activate_playbook(n) FROM unnest('{Defend,NotDefensive}'::text[]) n;
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at) VALUES
  ('perm_t2', '75230', 'rival', 'Apex Roofing', 'Tier2', now()),
  ('perm_ours', '75230', 'us', 'Our Roofing', 'Tier1', now()),
  ('perm_far', '75001', 'rival', 'Apex Roofing', 'Tier1', now());
SELECT is((SELECT count(*) FROM stormops.proposal_runs WHERE permit_id IS NOT NULL), 0::bigint,
          'no proposal for a Tier2 permit, our own permit, or a ZIP no defensive play targets');
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at)
VALUES ('perm_hit', '75230', 'rival', 'Apex Roofing', 'Tier1', now());
SELECT is((SELECT (p.playbook_name, r.priority, r.trigger_reason, r.properties_proposed)::text
             FROM stormops.proposal_runs r JOIN stormops.playbooks p USING (playbook_id) WHERE r.permit_id = 'perm_hit'),
          '(Defend,1,"Tier1 competitor Apex Roofing (rival) entered territory: permit perm_hit in ZIP 75230",2)',
          'a Tier1 rival''s permit in a defended ZIP: a priority-1 proposal naming the contractor, in the same transaction');
SELECT is((SELECT array_agg(property_id ORDER BY rank) FROM stormops.proposal_decisions pd JOIN stormops.proposal_runs r USING (proposal_id)
            WHERE r.permit_id = 'perm_hit'), '{d1,d2}', 'for the properties of the permit''s ZIP');
SELECT is((SELECT (e.streaming_triggers_fired, e.triggered_by_event_id IS NULL, e.status)::text
             FROM stormops.playbook_executions e JOIN stormops.proposal_runs r USING (execution_id) WHERE r.permit_id = 'perm_hit'),
          '(1,t,Running)', 'it makes an execution, counted as a streaming trigger');
SELECT is((SELECT (playbook_name, payload ->> 'permit_id', payload ->> 'contractor_name')::text
             FROM stormops.notification_outbox WHERE kind = 'competitor_threat'),
          '(Defend,perm_hit,"Apex Roofing")', 'and notifies a human');
-- two permits in one statement: the second run finds the properties worked by the first
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at)
VALUES ('perm_a', '75225', 'rival', 'Apex Roofing', 'Tier1', now() - interval '1 minute'),
       ('perm_b', '75225', 'rival2', NULL, 'Tier1', now());
SELECT is((SELECT array_agg((r.permit_id, pd.property_id, pd.decision)::text ORDER BY r.permit_id)
             FROM stormops.proposal_decisions pd JOIN stormops.proposal_runs r USING (proposal_id)
            WHERE r.permit_id IN ('perm_a', 'perm_b')),
          '{"(perm_a,d3,proposed)","(perm_b,d3,busy)"}',
          'a property already worked by a Running execution of the same play is busy, not proposed twice');
-- a defensive play that fails does not stop the permit from loading
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, requires_streaming_triggers)
VALUES ('DefendBroken', '{"geography": {"zips": ["75230"]}, "similarity": {"enabled": true, "reference_property_ids": ["deleted_cohort"]}}',
        '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0}]}', true);
SELECT stormops.activate_playbook('DefendBroken');
SELECT lives_ok($$INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at)
                  VALUES ('perm_c', '75230', 'rival', 'Apex Roofing', 'Tier1', now())$$,
                'a defensive play that fails does not stop the permit''s insert');
SELECT is((SELECT payload ->> 'outcome' FROM stormops.notification_outbox WHERE payload ->> 'permit_id' = 'perm_c'
             AND playbook_name = 'DefendBroken'),
          'failed: no reference of the similarity section has an embedding (SQLSTATE 22023)',
          'the human is told what failed');
SELECT is((SELECT count(*) FROM stormops.proposal_runs WHERE permit_id = 'perm_c'), 1::bigint,
          'and the other defensive play still answers');
SELECT stormops.pause_playbook('DefendBroken');
-- with stormops.contractor_id unset, there is no "us": every Tier1 permit counts
RESET stormops.contractor_id;
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at)
VALUES ('perm_us_unset', '75230', 'us', 'Our Roofing', 'Tier1', now());
SELECT is((SELECT count(*) FROM stormops.proposal_runs WHERE permit_id = 'perm_us_unset'), 1::bigint,
          'with stormops.contractor_id unset, every Tier1 contractor is a rival');

-- a do-not-contact entry for every channel a play uses suppresses for that play
INSERT INTO stormops.properties (property_id, zip) VALUES ('t1', '75004');
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('evt', 'hail', '2019-07-01 00:00+00');
INSERT INTO stormops.property_impacts VALUES ('t1', 'evt', 99), ('p06', 'evt', 99);
INSERT INTO stormops.do_not_contact (property_id, channel, reason, added_at) VALUES ('t1', 'sms', 'STOP', '2019-06-01');
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share, priority)
VALUES ('TextOnly', '{"physics": {"min_sii_score": 90}}', '{"sequence": [{"step": 1, "channel": "sms", "timing_hours": 0}]}', 0, 1);
SELECT stormops.activate_playbook('TextOnly');
SELECT is((SELECT array_agg((property_id, decision, reason)::text ORDER BY property_id)
             FROM stormops.generate_proposals('evt', '2019-07-02 00:00+00') WHERE playbook_name = 'TextOnly'),
          '{"(p06,suppressed,\"on the do-not-contact list for every channel of this play: sms: STOP by text\")","(t1,suppressed,\"on the do-not-contact list for every channel of this play: sms: STOP\")"}',
          'an SMS-only play suppresses properties that asked for no texts');
SELECT stormops.pause_playbook('TextOnly');

-- Roll-ups of Bravo's execution for ev1 (p06..p11): contacts by phone at
-- 4.00 (p08 twice) and one email at 0.05; p06 and p07 convert; p10 converts
-- without a recorded contact (its revenue counts, it is not a converted
-- contact).
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, revenue, execution_id)
SELECT v.p, v.t, v.c, '2019-04-12 00:00+00', v.r,
       (SELECT execution_id FROM first_run WHERE playbook_name = 'Bravo' AND property_id = 'p06')
  FROM (VALUES ('p06', 'contact', 'phone', NULL), ('p07', 'contact', 'phone', NULL), ('p08', 'contact', 'phone', NULL),
               ('p08', 'contact', 'phone', NULL), ('p09', 'contact', 'email', NULL), ('p06', 'conversion', NULL, 12000),
               ('p07', 'conversion', NULL, 8000), ('p10', 'conversion', NULL, 5000), ('p09', 'open', 'email', NULL))
       AS v(p, t, c, r);
SELECT is(stormops.refresh_execution_metrics(), 8, 'refresh_execution_metrics refreshes every execution');
SELECT is((SELECT (properties_targeted, properties_contacted, properties_converted, total_revenue, total_cost, roi,
                   avg_ticket, conversion_rate, conversion_rate_vs_target, roi_vs_target)::text
             FROM stormops.playbook_executions e JOIN stormops.playbooks p USING (playbook_id)
            WHERE p.playbook_name = 'Bravo' AND e.triggered_by_event_id = 'ev1'),
          '(6,4,2,25000,16,1556.63,10000,0.5000,100.00,38815.81)',
          'targeted 6, contacted 4, converted 2, revenue 25000, cost 16.05, ROI, ticket of the converted (12000 and 8000), rate, both _vs_target figures');
SELECT is((SELECT (properties_contacted, total_revenue, roi, conversion_rate, conversion_rate_vs_target)::text
             FROM stormops.playbook_executions e JOIN stormops.playbooks p USING (playbook_id)
            WHERE p.playbook_name = 'Alpha' AND e.triggered_by_event_id = 'ev1'),
          '(0,0,,,)', 'no linked events: zero counts, no ratios');

-- run_pending_proposals: events with impacts not handled yet; a failing
-- playbook does not stop the others.
SELECT stormops.pause_playbook(n) FROM unnest('{Defend,NotDefensive}'::text[]) n;
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, priority, holdout_share) VALUES
  ('Broken', '{"physics": {"min_sii_score": 10}, "similarity": {"enabled": true, "reference_property_ids": ["deleted_cohort"]}}',
   '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 1, 0),
  ('Fine', '{"physics": {"min_sii_score": 10}}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 2, 0);
SELECT stormops.activate_playbook(n) FROM unnest('{Broken,Fine}'::text[]) n;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES
  ('evp', 'hail', '2019-06-01 00:00+00'), ('evq', 'hail', '2019-06-02 00:00+00');
INSERT INTO stormops.properties (property_id, zip) VALUES ('r1', '75003'), ('r2', '75003');
INSERT INTO stormops.property_impacts VALUES ('r1', 'evp', 60), ('r2', 'evp', 70);
SELECT is((SELECT array_agg((event_id, playbooks_run, executions, proposed, outcome)::text) FROM stormops.run_pending_proposals()),
          ARRAY['(evp,1,1,2,"1 playbooks proposed, 1 executions; failed: Broken: no reference of the similarity section has an embedding (SQLSTATE 22023)")'],
          'run_pending_proposals proposes the one event with impacts not yet handled; a failing playbook is reported, the next one runs');
SELECT is((SELECT array_agg(event_id) FROM stormops.run_pending_proposals()), NULL,
          'an event whose playbook failed waits (recorded in worker_errors): the next call does not retry it at once');
-- the wait is over (its record moved 6 minutes back)
UPDATE stormops.worker_errors SET logged_at = logged_at - interval '6 minutes' WHERE event_id = 'evp';
SELECT stormops.pause_playbook('Broken');
SELECT is((SELECT array_agg((event_id, playbooks_run, executions, outcome)::text) FROM stormops.run_pending_proposals()),
          '{"(evp,1,1,\"1 playbooks proposed, 1 executions\")"}', 'once the playbook is fixed (here: paused) the event is handled');
SELECT is((SELECT count(*) FROM stormops.run_pending_proposals()), 0::bigint, 'and nothing is pending after that');
SELECT is((SELECT count(*) FROM stormops.generate_proposals('evp') WHERE playbook_name = 'Fine'), 2::bigint,
          'the runs that were made stay as they were');

-- Operators run proposals but cannot write the record by hand.
SET LOCAL ROLE stormops_operator;
SELECT lives_ok($$SELECT stormops.refresh_execution_metrics()$$, 'an operator may refresh the roll-ups');
SELECT throws_ok($$INSERT INTO stormops.proposal_decisions (proposal_id, property_id, rank, decision, reason)
                   SELECT proposal_id, 'p01', 1, 'proposed', 'forged' FROM stormops.proposal_runs LIMIT 1$$,
                 '42501', NULL, 'an operator cannot write decisions');
SELECT throws_ok($$UPDATE stormops.notification_outbox SET status = 'delivered'$$, '42501', NULL,
                 'nor mark notifications delivered');
SELECT throws_ok($$DELETE FROM stormops.properties WHERE property_id = 'p01'$$, '23503', NULL,
                 'nor erase decisions by deleting their property');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
