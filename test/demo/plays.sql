-- The seed's three plays, as the control plane would write them.
INSERT INTO stormops.playbooks (playbook_name, playbook_version, targeting_rules, expected_property_count,
  channel_strategy, message_variants, max_daily_contacts, max_concurrent_properties, team_size_required,
  budget_allocated, target_conversion_rate, target_avg_ticket, target_roi, requires_vector_search,
  requires_graph_analysis, requires_streaming_triggers, requires_ml_scoring, created_by, priority)
VALUES
('Frisco-Alpha', '1.0.0',
 '{"physics": {"min_sii_score": 75, "max_days_since_storm": 14},
   "geography": {"zips": ["75034", "75035"]},
   "demographics": {"ses_tiers": ["High"], "min_median_income": 100000},
   "psychographics": {"personas": ["Proof_Seeker", "Status_Conscious"]},
   "competition": {"competitor_pressure_max": 0.4, "white_space_score_min": 60},
   "similarity": {"enabled": true, "reference_property_ids": ["top_50_high_margin_conversions"],
                  "similarity_threshold": 0.8, "top_k": 300}}',
 300,
 '{"sequence": [
    {"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["analytical", "social_proof"], "offer_type": "standard", "success_criteria": "open_rate > 0.3"},
    {"step": 2, "channel": "sms", "timing_hours": 72, "condition": "if_no_response_to_step_1", "message_variant": "urgency", "offer_type": "discount"},
    {"step": 3, "channel": "door_knock", "timing_hours": 168, "condition": "if_engaged", "timing_window": "weekday_18:00-20:00", "message_variant": "premium"}],
   "adaptive": {"enabled": true, "bandit_epsilon": 0.1, "reoptimize_after_n_contacts": 100}}',
 '{"analytical": {"Proof_Seeker": "Hail up to 4.5 in hit your block on March 24: here is what the data says about your roof.",
                  "default": "The March 24 hail was among the largest in Collin County in a decade. Is your roof on the list?"},
   "social_proof": {"Status_Conscious": "Twelve of your neighbours on this street have booked their roof inspection.",
                    "default": "Homes on your street are getting their roofs checked after the March 24 hail."},
   "urgency": {"Status_Conscious": "Inspection slots in your neighbourhood close this week.",
               "default": "Free roof inspections in your street end Friday."},
   "premium": {"Status_Conscious": "A senior estimator can visit this evening.",
               "default": "We are on your street this evening: may we take a look at your roof?"}}',
 60, 300, 4, 15000, 0.25, 18000, 4.00, true, true, false, true, 'growth-team', 20),
('Loyalty-DFW-HighSES', '1.0.0',
 '{"physics": {"min_sii_score": 60, "max_days_since_storm": 45},
   "geography": {"zips": ["75230", "75225"]},
   "demographics": {"ses_tiers": ["High"], "min_median_income": 90000},
   "behavioral": {"prior_touchpoints_max": 10, "response_rate_min": 0.3, "past_customers_only": true},
   "competition": {"competitor_pressure_max": 0.8},
   "similarity": {"enabled": false}}',
 500,
 '{"sequence": [
    {"step": 1, "channel": "phone", "timing_hours": 0, "message_variant": "friendly", "offer_type": "referral"},
    {"step": 2, "channel": "direct_mail", "timing_hours": 120, "offer_type": "loyalty_discount"},
    {"step": 3, "channel": "door_knock", "timing_hours": 240, "condition": "if_high_ltv", "message_variant": "vip"}]}',
 '{"friendly": "Hi, it is your roofer from 2016: hail came through last week and we are checking on our customers.",
   "vip": {"default": "Our owner would like to inspect your roof in person, on us."}}',
 80, 500, 3, 25000, 0.80, 16000, 3.50, false, true, true, true, 'retention-team', 10),
('Expansion-Lookalike', '1.0.0',
 '{"physics": {"min_sii_score": 70, "max_days_since_storm": 30},
   "geography": {"zips": null},
   "demographics": {"ses_tiers": ["High", "Medium"]},
   "similarity": {"enabled": true, "mode": "neighborhood_embedding",
                  "reference_tract_ids": ["48113010101", "48113010102"],
                  "similarity_threshold": 0.85, "top_k_tracts": 10, "properties_per_tract": 50}}',
 500,
 '{"sequence": [
    {"step": 1, "channel": "paid_ads", "timing_hours": 0, "duration_hours": 168},
    {"step": 2, "channel": "email", "timing_hours": 72, "message_variant": "social_proof"},
    {"step": 3, "channel": "door_knock", "timing_hours": 240, "duration_hours": 240, "offer_type": "yard_sign"}]}',
 '{"social_proof": "Twelve of your neighbours have booked a free roof inspection since the March hail."}',
 100, 500, 5, 30000, 0.18, 15000, 3.00, true, true, false, true, 'growth-team', 30);

-- The plays require graph analysis: from 0.2.0 they activate once the
-- nightly diffusion job has run (docs/diffusion.md). Referrals first: each
-- of 60 past customers sent us a house of their ZIP. (0.1.0, which the
-- upgrade test loads this file into, has neither.)
SELECT pg_catalog.to_regproc('stormops.refresh_diffusion') IS NOT NULL AS has_diffusion \gset
\if :has_diffusion
INSERT INTO stormops.referrals (referrer_property_id, referred_property_id, referred_at)
SELECT DISTINCT ON (c.property_id) c.property_id, o.property_id, '2018-06-01 12:00-05'
  FROM (SELECT property_id, zip FROM stormops.properties WHERE is_past_customer ORDER BY md5(property_id) LIMIT 60) c
  JOIN stormops.properties o ON o.zip = c.zip AND NOT o.is_past_customer
 ORDER BY c.property_id, md5(o.property_id || c.property_id);
SELECT * FROM stormops.refresh_diffusion('2019-03-27 21:00-05');
\endif
SELECT playbook_name, status FROM stormops.activate_playbook('Loyalty-DFW-HighSES');
SELECT playbook_name, status FROM stormops.activate_playbook('Frisco-Alpha');
SELECT playbook_name, status FROM stormops.activate_playbook('Expansion-Lookalike');
