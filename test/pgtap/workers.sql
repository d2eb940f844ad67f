-- The SQL side of the background workers and the pg_cron helpers
-- (docs/operations.md). The workers themselves: test/shell/storm_worker.sh.
BEGIN;
SET LOCAL client_min_messages = error;
SELECT plan(16);

SELECT is((SELECT running FROM stormops.worker_status()), true,
          'the storm launcher runs (stormops is preloaded on the test cluster)');
SELECT throws_ok($$SELECT * FROM stormops.schedule_jobs()$$, '42704',
                 format('pg_cron is not installed in database "%s"', current_database()),
                 'schedule_jobs says so when pg_cron is missing here');
SELECT throws_ok($$SELECT * FROM stormops.unschedule_jobs()$$, '42704', NULL, '... and so does unschedule_jobs');

-- pending: events with reports or impacts, not yet handled
INSERT INTO stormops.properties (property_id, zip, lat, lon, roof_install_year) VALUES ('w1', '75034', 33.15, -96.80, 2000);
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at) VALUES
  ('w_reports', 'hail', 3.0, now() - interval '1 hour'), ('w_bare', 'hail', 3.0, now() - interval '1 hour'),
  ('w_impacts', 'hail', 3.0, now() - interval '2 hours');
INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude)
VALUES ('w_r1', 'w_reports', now() - interval '1 hour', 33.15, -96.80, 3.0);
INSERT INTO stormops.property_impacts VALUES ('w1', 'w_impacts', 80);
SELECT is((SELECT array_agg(e) FROM stormops.storm_events_pending() e WHERE e LIKE 'w\_%'), '{w_impacts,w_reports}',
          'pending: events with impacts or reports, oldest first; an event without either waits for them');
SELECT is(stormops.handle_storm_event('w_reports'), '0 playbooks proposed, 0 executions',
          'handle_storm_event proposes the event (no Active playbook here) ...');
SELECT is((SELECT count(*) FROM stormops.property_impacts WHERE event_id = 'w_reports'), 1::bigint,
          '... after computing its impacts from its reports, none having been loaded');
SELECT is((SELECT array_agg(e) FROM stormops.storm_events_pending() e WHERE e LIKE 'w\_%'), '{w_impacts}',
          'a handled event is no longer pending');
INSERT INTO stormops.worker_errors (worker, event_id, error) VALUES ('storm', 'w_impacts', 'test');
SELECT is((SELECT count(*) FROM stormops.storm_events_pending() e WHERE e = 'w_impacts'), 0::bigint,
          'an event that failed in the last 5 minutes waits before it is tried again');

-- claims, recorded attempts and lost sends (21_webhook_delivery.sql)
INSERT INTO stormops.notification_outbox (kind, reason, payload) VALUES ('escalation', 'late', '{}'), ('escalation', 'held', '{}');
SELECT is((SELECT count(*) FROM stormops.claim_notifications(10, 0, ARRAY[(SELECT notification_id FROM stormops.notification_outbox WHERE reason = 'held')], 3) c
            WHERE c.body = '{}' AND c.claim = 1 AND c.delivery_key IS NOT NULL), 1::bigint,
          'claim_notifications takes a due notification, counts the claim, and gives its delivery key; not one the caller holds');
SELECT is(stormops.record_delivery((SELECT notification_id FROM stormops.notification_outbox WHERE reason = 'late'),
                                   7, true, true, NULL, 10, 1000), NULL,
          'an outcome for another claim than the last one is not recorded');
-- lease_ms 0: the lease has run out at once, as when the worker died
SELECT is((SELECT array_agg(c.claim ORDER BY o.reason) FROM stormops.claim_notifications(10, 0, '{}', 3) c
            JOIN stormops.notification_outbox o USING (notification_id) WHERE o.reason IN ('late', 'held')),
          '{1,2}'::int[], 'a claim whose lease ran out unrecorded is claimed again');
SELECT is((SELECT (attempts, claims, lost_sends, status)::text FROM stormops.notification_outbox WHERE reason = 'late'),
          '(0,2,1,pending)', '... and its lost send is counted apart from the recorded attempts');
SELECT is(stormops.record_delivery((SELECT notification_id FROM stormops.notification_outbox WHERE reason = 'late'),
                                   1, true, true, NULL, 10, 1000), NULL,
          'the outcome of a claim counted lost is not recorded');
SELECT stormops.record_delivery((SELECT notification_id FROM stormops.notification_outbox WHERE reason = 'late'),
                                2, false, true, 'HTTP 500', 3, 1000);
SELECT is((SELECT (attempts, claims, lost_sends, status, last_error)::text FROM stormops.notification_outbox WHERE reason = 'late'),
          '(1,2,1,pending,"attempt 1: HTTP 500")', 'a recorded failure is attempt 1, though it was the second send');
-- a notification whose sends are lost max_attempts times is dead
SELECT count(*) FROM stormops.claim_notifications(10, 0, '{}', 3);   -- held: lost 1
SELECT count(*) FROM stormops.claim_notifications(10, 0, '{}', 3);   -- held: lost 2
SELECT count(*) FROM stormops.claim_notifications(10, 0, '{}', 3);   -- held: lost 3
SELECT is((SELECT (status, attempts, lost_sends, last_error)::text FROM stormops.notification_outbox WHERE reason = 'held'),
          '(dead,0,3,"3 sends without a recorded outcome (the worker stopped before recording)")',
          'three sends lost with webhook_max_attempts 3: dead, saying why');
-- the webhook settings are for superusers only, also to read
SET LOCAL ROLE stormops_admin;
SELECT throws_ok($$SHOW stormops.webhook_secret$$, '42501', NULL, 'an admin who is not a superuser cannot read the webhook secret (or URL)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
