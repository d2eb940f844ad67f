-- What the demo shows: the market, the storm, the plays, and the guard rails
-- that keep a bad play out.
\pset footer off

\echo
\echo '== The market: generated properties over eight DFW ZIPs'
SELECT z.zip, z.city, count(p.*) AS properties,
       count(*) FILTER (WHERE p.is_past_customer) AS past_customers,
       round(avg(extract(year FROM DATE '2019-03-24') - p.roof_install_year)) AS avg_roof_age,
       c.competitor_pressure, c.white_space_score
  FROM stormops.zip_codes z
  JOIN stormops.properties p USING (zip)
  LEFT JOIN stormops.zip_competition c USING (zip)
 GROUP BY z.zip, z.city, c.competitor_pressure, c.white_space_score
 ORDER BY z.zip;

\echo '== The storm: NOAA episode 135504, Frisco/Allen, 24 March 2019 (times at UTC-6, as NOAA reports them)'
SELECT event_id, event_type, magnitude AS max_hail_in,
       to_char(begin_at AT TIME ZONE INTERVAL '-06:00', 'YYYY-MM-DD HH24:MI') AS begins,
       to_char(end_at AT TIME ZONE INTERVAL '-06:00', 'HH24:MI') AS ends,
       round(lat::numeric, 3) AS lat, round(lon::numeric, 3) AS lon, round(radius_km::numeric, 1) AS radius_km
  FROM stormops.storm_events;
SELECT report_id, to_char(reported_at AT TIME ZONE INTERVAL '-06:00', 'HH24:MI') AS at_utc_minus_6,
       to_char(reported_at AT TIME ZONE 'UTC', 'HH24:MI') AS at_utc, lat, lon, magnitude AS hail_in
  FROM stormops.storm_reports ORDER BY reported_at, report_id;

\echo '== The plays: validated at write time, served in priority order'
SELECT playbook_name, playbook_version AS version, status, priority,
       budget_allocated AS budget, stormops.playbook_cost_per_property(p) AS cost_per_property,
       floor(budget_allocated / nullif(stormops.playbook_cost_per_property(p), 0)) AS budget_covers,
       max_concurrent_properties AS capacity, holdout_share AS holdout,
       target_conversion_rate AS target_conv, target_roi
  FROM stormops.playbooks p ORDER BY priority, playbook_name;

\echo '== Whom each play targets (sections of its targeting rules)'
SELECT playbook_name, section, condition
  FROM stormops.playbooks p,
       LATERAL jsonb_each(p.targeting_rules) s(section, keys),
       LATERAL (SELECT string_agg(format('%s %s', k, v), ', ' ORDER BY k) AS condition
                  FROM jsonb_each(s.keys) kv(k, v) WHERE v <> 'null') c
 WHERE jsonb_typeof(s.keys) = 'object' AND c.condition IS NOT NULL
 ORDER BY p.priority, section;

\echo '== How each play contacts (its channel sequence)'
SELECT playbook_name,
       string_agg(format('%s. %s at %sh%s%s', st ->> 'step', st ->> 'channel', st ->> 'timing_hours',
                         coalesce(' ' || (st ->> 'condition'), ''),
                         coalesce(' [' || (st ->> 'timing_window') || ']', '')),
                  '  ->  ' ORDER BY (st ->> 'step')::int) AS sequence
  FROM stormops.playbooks p, jsonb_array_elements(p.channel_strategy -> 'sequence') st
 GROUP BY playbook_name, priority ORDER BY priority;

\echo '== What each play targets three days after the storm (as of 2019-03-27 12:00 CDT)'
\echo '-- Loyalty-DFW-HighSES: Dallas strongholds: this storm hit Frisco and Allen, and the funnel says where the play stops'
SELECT step, section, condition, remaining
  FROM stormops.targeting_funnel((SELECT targeting_rules FROM stormops.playbooks WHERE playbook_name = 'Loyalty-DFW-HighSES'),
                                 'noaa_ep_135504_hail', '2019-03-27 12:00-05');
SELECT t.rank, t.property_id, p.zip, p.tract_geoid AS tract, p.persona, round(t.similarity::numeric, 3) AS similarity,
       t.sii_score, round(t.uplift_score::numeric, 3) AS uplift
  FROM stormops.playbook_targets('Loyalty-DFW-HighSES', 'noaa_ep_135504_hail', '2019-03-27 12:00-05') t
  JOIN stormops.properties p USING (property_id)
 WHERE t.rank <= 5 ORDER BY t.rank;
\echo '-- Frisco-Alpha: look-alikes of the 50 highest-margin customers, in Frisco'
SELECT step, section, condition, remaining
  FROM stormops.targeting_funnel((SELECT targeting_rules FROM stormops.playbooks WHERE playbook_name = 'Frisco-Alpha'),
                                 'noaa_ep_135504_hail', '2019-03-27 12:00-05');
SELECT t.rank, t.property_id, p.zip, p.tract_geoid AS tract, p.persona, round(t.similarity::numeric, 3) AS similarity,
       t.sii_score, round(t.uplift_score::numeric, 3) AS uplift
  FROM stormops.playbook_targets('Frisco-Alpha', 'noaa_ep_135504_hail', '2019-03-27 12:00-05') t
  JOIN stormops.properties p USING (property_id)
 WHERE t.rank <= 5 ORDER BY t.rank;
\echo '-- Expansion-Lookalike: properties in the tracts most like the two best Dallas tracts'
SELECT step, section, condition, remaining
  FROM stormops.targeting_funnel((SELECT targeting_rules FROM stormops.playbooks WHERE playbook_name = 'Expansion-Lookalike'),
                                 'noaa_ep_135504_hail', '2019-03-27 12:00-05');
SELECT t.rank, t.property_id, p.zip, p.tract_geoid AS tract, p.persona, round(t.similarity::numeric, 3) AS similarity,
       t.sii_score, round(t.uplift_score::numeric, 3) AS uplift
  FROM stormops.playbook_targets('Expansion-Lookalike', 'noaa_ep_135504_hail', '2019-03-27 12:00-05') t
  JOIN stormops.properties p USING (property_id)
 WHERE t.rank <= 5 ORDER BY t.rank;

\echo '== The storm triggers the plays: every Active play proposes, as of 2019-03-27 21:30 CDT, the evening the storm data was settled'
\echo '-- (made up for the show: four of Frisco-Alpha''s targets have a history: an opt-out, a do-not-contact'
\echo '--  entry, three complaints this month, six contacts this week)'
CREATE TEMP TABLE demo_history AS
SELECT t.property_id, t.rank FROM stormops.playbook_targets('Frisco-Alpha', 'noaa_ep_135504_hail', '2019-03-27 12:00-05') t
 WHERE t.rank <= 4;
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint)
SELECT property_id, 'opt_out', 'email', '2019-02-01 10:00-06', false FROM demo_history WHERE rank = 1
UNION ALL
SELECT property_id, 'complaint', 'phone', '2019-03-26 10:00-05'::timestamptz - i * interval '5 days', true
  FROM demo_history, generate_series(0, 2) i WHERE rank = 3
UNION ALL
SELECT property_id, 'contact', (ARRAY['email', 'sms', 'phone'])[1 + i % 3], '2019-03-27 09:00-05'::timestamptz - i * interval '1 day', false
  FROM demo_history, generate_series(0, 5) i WHERE rank = 4;
INSERT INTO stormops.do_not_contact (property_id, channel, reason, added_at)
SELECT property_id, 'all', 'asked not to be contacted at the home show', '2019-03-02 12:00-06' FROM demo_history WHERE rank = 2;

SELECT g.playbook_name, g.decision, count(*) AS properties, min(g.reason) AS example_reason
  FROM stormops.generate_proposals('noaa_ep_135504_hail', '2019-03-27 21:30-05') g
  JOIN stormops.playbooks p USING (playbook_name)
 GROUP BY p.priority, g.playbook_name, g.decision
 ORDER BY p.priority, g.decision::stormops.decision;
\echo '-- what each play''s run did: one run per (play, storm), an execution when enough were proposed'
SELECT p.playbook_name, r.priority, r.properties_targeted AS targeted, r.properties_proposed AS proposed, r.outcome
  FROM stormops.proposal_runs r JOIN stormops.playbooks p USING (playbook_id)
 WHERE r.event_id = 'noaa_ep_135504_hail' ORDER BY r.priority;
\echo '-- running it again changes nothing: the same decisions come back'
SELECT count(*) AS decisions, count(DISTINCT execution_id) AS executions
  FROM stormops.generate_proposals('noaa_ep_135504_hail', '2019-03-27 21:30-05');
\echo '-- a human is notified of the escalation (the outbox the webhook worker delivers); throttles and escalations are logged'
SELECT kind, playbook_name, property_id, reason, payload ->> 'complaint_count_30d' AS complaints, status
  FROM stormops.notification_outbox ORDER BY notification_id;
SELECT to_char(logged_at, 'YYYY-MM-DD HH24:MI') AS logged_at_run_time, decision, playbook_name, property_id, reason
  FROM stormops.guardrail_log ORDER BY logged_at, playbook_name, property_id;

\echo
\echo '== A Tier1 rival moves into a Dallas stronghold: the defensive play answers in the same transaction'
\echo '-- (made up for the show: a hail cell over North Dallas on 13 March, not NOAA data, and'
\echo '--  Lone Star Exteriors, a Tier1 contractor, filing a roofing permit in 75225 on 27 March)'
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at, end_at, source)
VALUES ('demo_n_dallas_hail', 'hail', 3.00, '2019-03-13 16:10-05', '2019-03-13 16:40-05', 'demo');
INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude, source) VALUES
  ('demo_1', 'demo_n_dallas_hail', '2019-03-13 16:10-05', 32.910, -96.800, 2.75, 'demo'),
  ('demo_2', 'demo_n_dallas_hail', '2019-03-13 16:15-05', 32.900, -96.785, 3.00, 'demo'),
  ('demo_3', 'demo_n_dallas_hail', '2019-03-13 16:25-05', 32.880, -96.795, 2.75, 'demo'),
  ('demo_4', 'demo_n_dallas_hail', '2019-03-13 16:35-05', 32.865, -96.790, 3.00, 'demo');
\o /dev/null
SELECT stormops.settle_events(ARRAY['demo_n_dallas_hail']);
SELECT stormops.compute_impacts('demo_n_dallas_hail');
\o
SET stormops.contractor_id = 'c_our_roofing';
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at)
VALUES ('demo_permit_1', '75225', 'c_lonestar', 'Lone Star Exteriors', 'Tier1', '2019-03-27 09:00-05');
SELECT p.playbook_name, r.priority, r.trigger_reason, r.properties_proposed AS proposed, r.outcome
  FROM stormops.proposal_runs r JOIN stormops.playbooks p USING (playbook_id) WHERE r.permit_id IS NOT NULL;
SELECT d.decision, count(*) AS properties
  FROM stormops.proposal_decisions d JOIN stormops.proposal_runs r USING (proposal_id)
 WHERE r.permit_id = 'demo_permit_1' GROUP BY d.decision ORDER BY d.decision;
SELECT kind, playbook_name, reason FROM stormops.notification_outbox WHERE kind = 'competitor_threat';

\echo '== Guard rails: a play with bad rules is refused with the path and what is accepted'
SELECT * FROM stormops.check_targeting_rules(
  '{"physics": {"min_sii_score": 170}, "geography": {"zips": ["75034"]}}');
SELECT * FROM stormops.check_channel_strategy(
  '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 48}, {"step": 2, "channel": "sms", "timing_hours": 24}]}');

\echo '== Revising an active play keeps the version it replaces'
SELECT playbook_name, playbook_version FROM stormops.revise_playbook('Frisco-Alpha', '{"budget_allocated": 18000}');
SELECT v.playbook_version AS earlier_version, v.playbook ->> 'budget_allocated' AS budget, v.superseded_by
  FROM stormops.playbook_versions v JOIN stormops.playbooks p USING (playbook_id)
 WHERE p.playbook_name = 'Frisco-Alpha';
