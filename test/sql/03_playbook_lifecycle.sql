-- Status moves, versions and history of a playbook, with every refusal.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS stormops;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- The seed's INSERT, naming only the seed's columns, works.
INSERT INTO stormops.playbooks (playbook_id, playbook_name, playbook_version, status,
  targeting_rules, expected_property_count, channel_strategy, max_concurrent_properties,
  budget_allocated, target_conversion_rate, target_avg_ticket, target_roi,
  requires_vector_search, requires_graph_analysis, requires_streaming_triggers, requires_ml_scoring,
  created_by)
VALUES ('00000000-0000-0000-0000-00000000f001', 'Frisco-Alpha', 'v1.2.0', 'Draft',
  '{"physics": {"min_sii_score": 75, "max_days_since_storm": 14}, "geography": {"zips": ["75034", "75035"]}}',
  300,
  '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": "analytical"},
                 {"step": 2, "channel": "sms", "timing_hours": 72, "condition": "if_no_response_to_step_1", "message_variant": "urgency"},
                 {"step": 3, "channel": "door_knock", "timing_hours": 168, "condition": "if_engaged", "message_variant": "premium"}]}',
  300, 15000, 0.25, 18000, 4.00, true, true, false, true, 'growth-team');

SELECT playbook_name, playbook_version, status, min_property_count, priority, holdout_share, cost_per_contact
  FROM stormops.playbooks;
SELECT stormops.playbook_cost_per_property(p) AS worst_case_cost_per_property FROM stormops.playbooks p;

-- Draft edits change the draft in place: no new version, no history.
UPDATE stormops.playbooks SET budget_allocated = 16000 WHERE playbook_name = 'Frisco-Alpha';
SELECT playbook_version, budget_allocated FROM stormops.playbooks;
SELECT count(*) AS history_rows FROM stormops.playbook_versions;

-- Illegal moves from Draft
UPDATE stormops.playbooks SET status = 'Paused' WHERE playbook_name = 'Frisco-Alpha';
SELECT stormops.pause_playbook('Frisco-Alpha');
-- Unknown playbook
SELECT stormops.activate_playbook('Frisco-Beta');

-- Draft -> Active; calling it twice is harmless
-- The play requires graph analysis: it waits for a diffusion score
-- (docs/diffusion.md), here over no properties.
SELECT playbook_name, status FROM stormops.activate_playbook('Frisco-Alpha');
SELECT properties, seeds FROM stormops.refresh_diffusion();
SELECT playbook_name, status FROM stormops.activate_playbook('Frisco-Alpha');
SELECT playbook_name, status FROM stormops.activate_playbook('Frisco-Alpha');
UPDATE stormops.playbooks SET status = 'Draft' WHERE playbook_name = 'Frisco-Alpha';

-- A plain UPDATE of an active play's rules is a new minor version, with history.
UPDATE stormops.playbooks
   SET targeting_rules = '{"physics": {"min_sii_score": 80}, "geography": {"zips": ["75034"]}}'
 WHERE playbook_name = 'Frisco-Alpha';
-- ... and of anything else a patch version.
UPDATE stormops.playbooks SET budget_allocated = 18000 WHERE playbook_name = 'Frisco-Alpha';
-- Status-only changes do not version.
SELECT playbook_name, status FROM stormops.pause_playbook('Frisco-Alpha');
SELECT playbook_name, status FROM stormops.activate_playbook('Frisco-Alpha');
SELECT playbook_version, budget_allocated, targeting_rules FROM stormops.playbooks;
SELECT playbook_version, playbook ->> 'budget_allocated' AS budget, superseded_by IS NOT NULL AS has_author
  FROM stormops.playbook_versions ORDER BY superseded_at, playbook_version;

-- Versions only go up; invalid versions are refused.
UPDATE stormops.playbooks SET playbook_version = 'v1.0.0' WHERE playbook_name = 'Frisco-Alpha';
UPDATE stormops.playbooks SET playbook_version = '1.3' WHERE playbook_name = 'Frisco-Alpha';
UPDATE stormops.playbooks SET playbook_id = gen_random_uuid() WHERE playbook_name = 'Frisco-Alpha';

-- revise_playbook: a named change set, bumped as asked, validated per key.
SELECT playbook_version, max_daily_contacts FROM stormops.revise_playbook('Frisco-Alpha', '{"max_daily_contacts": 40}');
SELECT playbook_version FROM stormops.revise_playbook('Frisco-Alpha', '{"channel_strategy": {"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0}]}}');
SELECT playbook_version FROM stormops.revise_playbook('Frisco-Alpha', '{"priority": 5}', 'major');
SELECT stormops.revise_playbook('Frisco-Alpha', '{}');
SELECT stormops.revise_playbook('Frisco-Alpha', '[1]');
SELECT stormops.revise_playbook('Frisco-Alpha', '{"status": "Retired"}');
SELECT stormops.revise_playbook('Frisco-Alpha', '{"playbook_version": "9.0.0"}');
SELECT stormops.revise_playbook('Frisco-Alpha', '{"budget": 5}');
SELECT stormops.revise_playbook('Frisco-Alpha', '{"max_daily_contacts": "many"}');
SELECT stormops.revise_playbook('Frisco-Alpha', '{"targeting_rules": {"physics": {"min_sii_score": 101}}}');
SELECT stormops.revise_playbook('Frisco-Alpha', '{"priority": 1}', 'huge');
SELECT stormops.revise_playbook('Frisco-Alpha', '{"holdout_share": 1}');
SELECT playbook_version FROM stormops.playbooks;
SELECT array_agg(playbook_version ORDER BY stormops.semver_key(playbook_version)) AS history
  FROM stormops.playbook_versions;

-- Active <-> Paused, then Retired is final.
SELECT playbook_name, status FROM stormops.pause_playbook('Frisco-Alpha');
SELECT playbook_name, status FROM stormops.retire_playbook('Frisco-Alpha');
SELECT playbook_name, status FROM stormops.retire_playbook('Frisco-Alpha');
SELECT stormops.activate_playbook('Frisco-Alpha');
UPDATE stormops.playbooks SET budget_allocated = 1 WHERE playbook_name = 'Frisco-Alpha';
SELECT stormops.revise_playbook('Frisco-Alpha', '{"budget_allocated": 1}');

-- A playbook with executions cannot be deleted; one without can.
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at)
VALUES ('event_2019_03_24_frisco', 'hail', 4.5, '2019-03-24 23:33:00+00');
INSERT INTO stormops.playbook_executions (playbook_id, triggered_by_event_id)
VALUES ('00000000-0000-0000-0000-00000000f001', 'event_2019_03_24_frisco');
DELETE FROM stormops.playbooks WHERE playbook_name = 'Frisco-Alpha';
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
VALUES ('Scratch', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}');
DELETE FROM stormops.playbooks WHERE playbook_name = 'Scratch';
-- Once per (playbook, event)
INSERT INTO stormops.playbook_executions (playbook_id, triggered_by_event_id)
VALUES ('00000000-0000-0000-0000-00000000f001', 'event_2019_03_24_frisco');
-- Column checks name their column
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share)
VALUES ('Bad-Holdout', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 1.5);
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
VALUES (' padded', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}');

DROP EXTENSION stormops;
