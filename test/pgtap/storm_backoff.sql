-- A playbook that keeps failing (issue 16, item 5): handle_storm_event
-- records the failure in worker_errors, and the event then waits like an
-- event that failed as a whole (5 minutes) instead of being proposed again
-- at every poll; once the wait is over it is pending again, and a handling
-- without failures records nothing.
BEGIN;
SET LOCAL client_min_messages = error;
SELECT plan(8);

INSERT INTO stormops.properties (property_id, zip, lat, lon) VALUES ('sb1', '75034', 33.1, -96.8), ('sb2', '75034', 33.1, -96.8);
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('sb_storm', 'hail', now() - interval '1 day');
INSERT INTO stormops.property_impacts VALUES ('sb1', 'sb_storm', 80), ('sb2', 'sb_storm', 70);
INSERT INTO stormops.cohorts (cohort_name, property_id) VALUES ('sb_gone', 'sb1');
INSERT INTO stormops.playbooks (playbook_name, playbook_version, targeting_rules, channel_strategy, min_property_count) VALUES
  ('SB-Fine', '1.0.0', '{"physics": {"min_sii_score": 10}}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 1),
  ('SB-Broken', '1.0.0', '{"similarity": {"enabled": true, "reference_property_ids": ["sb_gone"]}}',
   '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 1);
SELECT stormops.activate_playbook('SB-Fine') IS NOT NULL AS fine_active, stormops.activate_playbook('SB-Broken') IS NOT NULL AS broken_active;
DELETE FROM stormops.cohorts WHERE cohort_name = 'sb_gone';

SELECT ok('sb_storm' IN (SELECT stormops.storm_events_pending()), 'the storm is pending');
SELECT ok(stormops.handle_storm_event('sb_storm') LIKE '%failed: SB-Broken%', 'the broken play fails, the other runs');
SELECT is((SELECT count(*) FROM stormops.worker_errors WHERE event_id = 'sb_storm' AND worker = 'storm'), 1::bigint,
  'the playbook failure is recorded in worker_errors');
SELECT ok('sb_storm' NOT IN (SELECT stormops.storm_events_pending()),
  'the event waits: not pending right after the failure (no retry at every poll)');
UPDATE stormops.worker_errors SET logged_at = logged_at - interval '6 minutes' WHERE event_id = 'sb_storm';
SELECT ok('sb_storm' IN (SELECT stormops.storm_events_pending()), 'after 5 minutes it is pending again');
SELECT stormops.pause_playbook('SB-Broken') IS NOT NULL AS paused;
SELECT ok(stormops.handle_storm_event('sb_storm') NOT LIKE '%failed%', 'with the broken play paused, the handling succeeds');
SELECT is((SELECT count(*) FROM stormops.worker_errors WHERE event_id = 'sb_storm'), 1::bigint,
  'a handling without failures records nothing');

-- run_pending_proposals re-raises a conflict with another session (it used
-- to report it as the event's failure and go on): a serialization failure
-- raised while the event is handled
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('sb_conflict', 'hail', now() - interval '1 hour');
INSERT INTO stormops.property_impacts VALUES ('sb1', 'sb_conflict', 90);
CREATE FUNCTION pg_temp.conflict() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.event_id = 'sb_conflict' THEN
    RAISE EXCEPTION 'could not serialize access (test)' USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER sb_conflict BEFORE INSERT ON stormops.event_proposals FOR EACH ROW EXECUTE FUNCTION pg_temp.conflict();
SELECT throws_ok($$SELECT * FROM stormops.run_pending_proposals()$$, '40001', NULL,
  'run_pending_proposals re-raises a serialization failure for its caller to retry');

SELECT * FROM finish();
ROLLBACK;
