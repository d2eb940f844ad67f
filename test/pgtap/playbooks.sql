-- Playbooks through plain SQL, as the control plane writes them.
BEGIN;
SELECT plan(27);

-- The seed's three plays, as the seed writes them.
SELECT lives_ok($$
  INSERT INTO stormops.playbooks (playbook_name, playbook_version, status, targeting_rules, channel_strategy,
    max_concurrent_properties, budget_allocated, target_conversion_rate, target_avg_ticket, target_roi)
  VALUES ('Frisco-Alpha', 'v1.0.0', 'Draft',
    '{"physics": {"min_sii_score": 75, "max_days_since_storm": 14}, "geography": {"zips": ["75034", "75035"]},
      "demographics": {"ses_tiers": ["High"], "min_median_income": 100000},
      "psychographics": {"personas": ["Proof_Seeker", "Status_Conscious"]},
      "competition": {"competitor_pressure_max": 0.4, "white_space_score_min": 60},
      "similarity": {"enabled": true, "reference_property_ids": ["top_50_high_margin_conversions"],
                     "similarity_threshold": 0.8, "top_k": 300}}',
    '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": "analytical", "offer_type": "standard", "success_criteria": "open_rate > 0.3"},
                   {"step": 2, "channel": "sms", "timing_hours": 72, "condition": "if_no_response_to_step_1", "message_variant": "urgency", "offer_type": "discount"},
                   {"step": 3, "channel": "door_knock", "timing_hours": 168, "condition": "if_engaged", "timing_window": "weekday_18:00-20:00", "message_variant": "premium"}],
      "adaptive": {"enabled": true, "bandit_epsilon": 0.1, "reoptimize_after_n_contacts": 100}}',
    300, 15000, 0.25, 18000, 4.00)$$, 'Frisco-Alpha is accepted');
SELECT lives_ok($$
  INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
  VALUES ('Loyalty-DFW-HighSES',
    '{"physics": {"min_sii_score": 60, "max_days_since_storm": 45}, "geography": {"zips": ["75230", "75225"]},
      "demographics": {"ses_tiers": ["High"], "min_median_income": 90000},
      "behavioral": {"prior_touchpoints_max": 10, "response_rate_min": 0.3, "past_customers_only": true},
      "competition": {"competitor_pressure_max": 0.8}, "similarity": {"enabled": false}}',
    '{"sequence": [{"step": 1, "channel": "phone", "timing_hours": 0, "message_variant": "friendly", "offer_type": "referral"},
                   {"step": 2, "channel": "direct_mail", "timing_hours": 120, "offer_type": "loyalty_discount"},
                   {"step": 3, "channel": "door_knock", "timing_hours": 240, "condition": "if_high_ltv", "message_variant": "vip"}]}')$$,
  'Loyalty-DFW-HighSES is accepted');
SELECT lives_ok($$
  INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
  VALUES ('Expansion-Lookalike',
    '{"physics": {"min_sii_score": 70, "max_days_since_storm": 30}, "geography": {"zips": null},
      "demographics": {"ses_tiers": ["High", "Medium"]},
      "similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48113010101", "48113010102"],
                     "similarity_threshold": 0.85, "top_k_tracts": 10, "properties_per_tract": 50}}',
    '{"sequence": [{"step": 1, "channel": "paid_ads", "timing_hours": 0, "duration_hours": 168},
                   {"step": 2, "channel": "email", "timing_hours": 72, "message_variant": "social_proof"},
                   {"step": 3, "channel": "door_knock", "timing_hours": 240, "duration_hours": 240, "offer_type": "yard_sign"}]}')$$,
  'Expansion-Lookalike is accepted');

SELECT is((SELECT count(*)::int FROM stormops.playbooks WHERE status = 'Draft'), 3, 'new playbooks are drafts');
SELECT is((SELECT min_property_count FROM stormops.playbooks WHERE playbook_name = 'Loyalty-DFW-HighSES'), 1,
  'min_property_count defaults to 1');
SELECT is((SELECT priority FROM stormops.playbooks WHERE playbook_name = 'Loyalty-DFW-HighSES'), 100,
  'priority defaults to 100');
SELECT is((SELECT holdout_share FROM stormops.playbooks WHERE playbook_name = 'Loyalty-DFW-HighSES'), 0.10,
  'holdout_share defaults to 10%');
SELECT is((SELECT playbook_version FROM stormops.playbooks WHERE playbook_name = 'Loyalty-DFW-HighSES'), '1.0.0',
  'version defaults to 1.0.0');

-- Validation on UPDATE too, and nothing half-written.
SELECT throws_ok($$UPDATE stormops.playbooks SET targeting_rules = '{"physics": {"min_sii_score": 700}}'$$,
  '22023', 'invalid targeting_rules at physics.min_sii_score: out of range', 'an UPDATE is validated');
SELECT is((SELECT targeting_rules -> 'physics' ->> 'min_sii_score' FROM stormops.playbooks WHERE playbook_name = 'Frisco-Alpha'),
  '75', 'a refused UPDATE changes nothing');
SELECT throws_ok($$UPDATE stormops.playbooks SET channel_strategy = '{"sequence": [{"step": 1, "channel": "telegram", "timing_hours": 0}]}'
  WHERE playbook_name = 'Frisco-Alpha'$$, '22023', NULL, 'channel strategy is validated on UPDATE');
SELECT throws_ok($$INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
  VALUES ('Frisco-Alpha', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}')$$,
  '23505', NULL, 'playbook names are unique');
SELECT throws_ok($$INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
  VALUES ('No-Rules', NULL, '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}')$$,
  '23502', NULL, 'targeting rules are required');

-- updated_at is maintained (now() is the transaction's start, so compare with a past value).
UPDATE stormops.playbooks SET updated_at = '2000-01-01' WHERE playbook_name = 'Frisco-Alpha';
SELECT is((SELECT updated_at FROM stormops.playbooks WHERE playbook_name = 'Frisco-Alpha'), now(),
  'updated_at is set by every UPDATE');
UPDATE stormops.playbooks SET created_at = '2000-01-01' WHERE playbook_name = 'Frisco-Alpha';
SELECT isnt((SELECT created_at FROM stormops.playbooks WHERE playbook_name = 'Frisco-Alpha'),
  '2000-01-01'::timestamptz, 'created_at is kept');

-- The non-raising checks
SELECT is((SELECT path FROM stormops.check_targeting_rules('{"geography": {"zips": ["75034", "x"]}}')),
  'geography.zips[1]', 'check_targeting_rules names the path');
SELECT is((SELECT count(*)::int FROM stormops.playbooks p, stormops.check_targeting_rules(p.targeting_rules)), 0,
  'stored rules check clean');
SELECT is((SELECT path FROM stormops.check_channel_strategy('{"sequence": [{"step": 1, "channel": "email", "timing_hours": 5}, {"step": 2, "channel": "sms", "timing_hours": 1}]}')),
  'sequence[1].timing_hours', 'check_channel_strategy names the path');

-- Costs: playbook override, then site-wide, then built-in default.
SELECT is(stormops.playbook_cost_per_property(p), 0.05 + 0.10 + 20.00, 'built-in costs')
  FROM stormops.playbooks p WHERE playbook_name = 'Frisco-Alpha';
INSERT INTO stormops.channel_costs VALUES ('door_knock', 12.50);
SELECT is(stormops.playbook_cost_per_property(p), 0.05 + 0.10 + 12.50, 'site-wide costs override defaults')
  FROM stormops.playbooks p WHERE playbook_name = 'Frisco-Alpha';
UPDATE stormops.playbooks SET cost_per_contact = '{"door_knock": 30}' WHERE playbook_name = 'Frisco-Alpha';
SELECT is(stormops.playbook_cost_per_property(p), 0.05 + 0.10 + 30, 'playbook costs override site-wide')
  FROM stormops.playbooks p WHERE playbook_name = 'Frisco-Alpha';

-- Status moves through the functions.
SELECT is((stormops.activate_playbook('Frisco-Alpha')).status, 'Active'::stormops.playbook_status, 'activate');
SELECT is((stormops.pause_playbook('Frisco-Alpha')).status, 'Paused'::stormops.playbook_status, 'pause');
SELECT throws_ok($$UPDATE stormops.playbooks SET status = 'Draft' WHERE playbook_name = 'Frisco-Alpha'$$,
  '55000', 'playbook "Frisco-Alpha" cannot move from Paused to Draft', 'back to Draft is refused');

-- revise_playbook's columns come from one place (issue 16): a column added
-- to playbooks is revisable at once, and the kept ones stay refused
ALTER TABLE stormops.playbooks ADD COLUMN test_note text;
INSERT INTO stormops.playbooks (playbook_name, playbook_version, targeting_rules, channel_strategy)
VALUES ('Revise-One-Place', '1.0.0', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}');
SELECT is((SELECT test_note || ' ' || playbook_version FROM stormops.revise_playbook('Revise-One-Place', '{"test_note": "from the catalog"}')),
  'from the catalog 1.0.1', 'a column added to playbooks is revisable (a new patch version)');
SELECT throws_ok($$SELECT stormops.revise_playbook('Revise-One-Place', '{"created_by": "someone"}')$$, '22023',
  'revise_playbook cannot change created_by', 'a kept column is still refused');
SELECT is(stormops.playbook_editable_columns() @> '{test_note,holdout_share,targeting_rules}'
          AND NOT stormops.playbook_editable_columns() && stormops.playbook_kept_columns(), true,
  'editable: every column but the kept ones');

SELECT * FROM finish();
ROLLBACK;
