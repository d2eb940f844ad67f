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
