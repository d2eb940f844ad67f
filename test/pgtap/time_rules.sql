-- The time rules (docs/data-model.md, "Time"; issue 16, item 11): a window
-- of N days is N x 86,400 seconds; a roof's age counts from the calendar
-- year of the moment in stormops.default_time_zone (America/Chicago here).
-- The same decisions, worked by hand, come out of sessions in three
-- different TimeZones, on both sides of the 2019 DST change (10 March, in
-- Chicago) and of New Year 2020.
BEGIN;
SET LOCAL client_min_messages = error;
SELECT plan(8);

INSERT INTO stormops.properties (property_id, zip, lat, lon, roof_install_year) VALUES
  ('roof09', '75001', 33.0, -97.0, 2009),     -- 10 years old in 2019, 11 in 2020
  ('roof95', '75001', 33.0, -97.0, 1995),     -- 24 years old in 2019: roof factor 0.984; 25 in 2020: 1
  ('edge',   '75001', 33.5, -97.5, NULL);     -- contacted 6 times, the oldest at the edge of 7 days

-- New Year: a storm at 21:00 on 31 December 2019 in Chicago (03:00 UTC on 1 January 2020)
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at)
VALUES ('ny', 'hail', 2.0, '2020-01-01 03:00+00');
INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude)
VALUES ('ny1', 'ny', '2020-01-01 03:00+00', 33.0, -97.0, 2.0);

-- DST: as of 12:00 CDT on 15 March 2019 (17:00 UTC), 7 x 24 hours back is
-- 17:00 UTC on 8 March (11:00 CST); a calendar '7 days' in Chicago would
-- be 18:00 UTC. The sixth contact, at 17:30 UTC on 8 March, is inside the
-- rule's window: more than stormops.throttle_contacts_7d (5) contacts throttle.
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
SELECT 'edge', 'contact', 'email', t
  FROM unnest(ARRAY['2019-03-08 17:30+00', '2019-03-11 12:00+00', '2019-03-12 12:00+00',
                    '2019-03-13 12:00+00', '2019-03-14 12:00+00', '2019-03-15 12:00+00']::timestamptz[]) t;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('dst', 'hail', '2019-03-15 16:00+00');
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score) VALUES ('edge', 'dst', 90);
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share, cost_per_contact)
VALUES ('Time-Rules', '{"physics": {"min_sii_score": 50, "max_days_since_storm": 7}}',
        '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 0, '{"email": 0}');
SELECT stormops.activate_playbook('Time-Rules');

-- Every decision that depends on a day or a year, as one line.
CREATE FUNCTION pg_temp.decisions() RETURNS text LANGUAGE sql AS $$
  SELECT stormops.compute_impacts('ny');
  SELECT concat_ws(' | ',
    'roof_age_max 10 at New Year: ' || (SELECT coalesce(string_agg(t.property_id, ',' ORDER BY t.property_id), '-')
                                          FROM stormops.target_properties('{"physics": {"roof_age_max": 10}}', NULL,
                                                                          '2020-01-01 03:00+00') t),
    'roof_age_min 25 at New Year: ' || (SELECT coalesce(string_agg(t.property_id, ',' ORDER BY t.property_id), '-')
                                          FROM stormops.target_properties('{"physics": {"roof_age_min": 25}}', NULL,
                                                                          '2020-01-01 03:00+00') t),
    'SII: ' || (SELECT count(*) || ' rows, roof95 ' || max(sii_score) FILTER (WHERE property_id = 'roof95')
                  FROM stormops.property_impacts WHERE event_id = 'ny'),
    'features: ' || (SELECT string_agg(f.property_id || ' ' || f.roof_age, ',' ORDER BY f.property_id)
                       FROM stormops.property_features('2020-01-01 03:00+00', '{roof09,roof95}') f),
    'contacts in 7 days: ' || (SELECT s.contact_frequency_7d || CASE WHEN s.throttle_flag THEN ' throttled' ELSE '' END
                                 FROM stormops.guardrail_signals_at('2019-03-15 17:00+00', '{edge}') s),
    'proposal: ' || (SELECT d.decision || ' ' || coalesce(d.reason, '')
                       FROM stormops.generate_proposals('dst', '2019-03-15 17:00+00') d WHERE d.property_id = 'edge'))
$$;

SAVEPOINT zone;
SET LOCAL TimeZone = 'America/Chicago';
SELECT pg_temp.decisions() AS chicago \gset
ROLLBACK TO SAVEPOINT zone;
SET LOCAL TimeZone = 'UTC';
SELECT pg_temp.decisions() AS utc \gset
ROLLBACK TO SAVEPOINT zone;
SET LOCAL TimeZone = 'Asia/Tokyo';
SELECT pg_temp.decisions() AS tokyo \gset
ROLLBACK TO SAVEPOINT zone;

SELECT is(:'utc'::text, :'chicago'::text, 'a session in UTC decides as one in Chicago');
SELECT is(:'tokyo'::text, :'chicago'::text, 'a session in Tokyo decides as one in Chicago');
SELECT is(split_part(:'chicago', ' | ', 1), 'roof_age_max 10 at New Year: roof09',
  'New Year: 21:00 on 31 December in Chicago is still 2019, so the 2009 roof is 10 years old');
SELECT is(split_part(:'chicago', ' | ', 2), 'roof_age_min 25 at New Year: -',
  '... and the 1995 roof 24');
SELECT is(split_part(:'chicago', ' | ', 3), format('SII: 2 rows, roof95 %s', round((100 * 0.6 * (0.6 + 0.4 * 24 / 25.0))::numeric, 1)),
  'the storm impact index weighs the 1995 roof as 24 years old');
SELECT is(split_part(:'chicago', ' | ', 4), 'features: roof09 10,roof95 24', 'the model features count roof ages the same way');
SELECT is(split_part(:'chicago', ' | ', 5), 'contacts in 7 days: 6 throttled',
  'DST: the contact 7 x 24 hours before is inside the window, so 6 contacts throttle');
SELECT is(split_part(:'chicago', ' | ', 6), 'proposal: throttled 6 contacts in 7 days, more than stormops.throttle_contacts_7d = 5',
  '... and the proposal run throttles the property');

SELECT * FROM finish();
ROLLBACK;
