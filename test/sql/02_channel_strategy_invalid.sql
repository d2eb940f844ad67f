-- Invalid channel strategies and cost overrides are refused with the JSON path.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS stormops;
\set VERBOSITY default
\set SHOW_CONTEXT never

PREPARE add_play(jsonb) AS
  INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
  VALUES ('Invalid-Channels', '{}', $1);

EXECUTE add_play('{}');
EXECUTE add_play('{"sequence": []}');
EXECUTE add_play('{"sequence": {"step": 1}}');
EXECUTE add_play('{"steps": [{"step": 1, "channel": "email", "timing_hours": 0}]}');
EXECUTE add_play('{"sequence": ["email"]}');
-- numbering, channels, timing
EXECUTE add_play('{"sequence": [{"step": 2, "channel": "email", "timing_hours": 0}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}, {"step": 3, "channel": "sms", "timing_hours": 48}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}, {"step": 1, "channel": "sms", "timing_hours": 48}]}');
EXECUTE add_play('{"sequence": [{"channel": "email", "timing_hours": 0}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "fax", "timing_hours": 0}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "Email", "timing_hours": 0}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "timing_hours": 0}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email"}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": -1}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 48}, {"step": 2, "channel": "sms", "timing_hours": 24}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "delay": 5}]}');
-- conditions
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "condition": "if_no_response_to_step_1"}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}, {"step": 2, "channel": "sms", "timing_hours": 48, "condition": "if_response_to_step_3"}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}, {"step": 2, "channel": "sms", "timing_hours": 48, "condition": "if_rain"}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}, {"step": 2, "channel": "sms", "timing_hours": 48, "condition": "if_no_response_to_step_01"}]}');
-- timing windows
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "door_knock", "timing_hours": 0, "timing_window": "weekday_18:00-17:00"}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "door_knock", "timing_hours": 0, "timing_window": "weekday_25:00-26:00"}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "door_knock", "timing_hours": 0, "timing_window": "someday_09:00-17:00"}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "door_knock", "timing_hours": 0, "timing_window": "weekday 9-5"}]}');
-- variants, offers, success criteria
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": "Analytical Tone"}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "offer_type": ""}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "success_criteria": "open_rate > 30%"}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "success_criteria": "bounce_rate < 0.1"}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "success_criteria": "open_rate > 1.5"}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "success_criteria": "open_rate = 0.3"}]}');
-- adaptive
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}], "adaptive": {"enabled": true, "bandit_epsilon": 1.2}}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}], "adaptive": {"enabled": true, "reoptimize_after_n_contacts": 0}}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}], "adaptive": {"enabled": "on"}}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}], "adaptive": {"epsilon": 0.1}}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}], "adaptive": {"enabled": true, "method": "softmax"}}');
-- arms: 2 to 10 distinct message variants
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["analytical", "social_proof", "analytical"]}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["a1","a2","a3","a4","a5","a6","a7","a8","a9","a10","a11"]}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["solo"]}]}');
EXECUTE add_play('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": 7}]}');
-- and every variant a step names is a key of message_variants, when that is set
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, message_variants)
VALUES ('Invalid-Variants', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0},
        {"step": 2, "channel": "sms", "timing_hours": 1, "message_variant": ["analytical", "urgency"]}]}',
        '{"analytical": "The data"}');
SELECT count(*) AS stored FROM stormops.playbooks WHERE playbook_name LIKE 'Invalid%';

-- Per-playbook cost overrides
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, cost_per_contact)
VALUES ('Invalid-Costs', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', '{"fax": 1}');
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, cost_per_contact)
VALUES ('Invalid-Costs', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', '{"door_knock": -3}');

SELECT count(*) AS playbooks_written FROM stormops.playbooks;
SELECT * FROM stormops.check_channel_strategy('{"sequence": [{"step": 1, "channel": "pigeon", "timing_hours": 0}]}');
DEALLOCATE add_play;
DROP EXTENSION stormops;
