-- Retrospectives (retrospectives.md): outcomes in the run's window, intention
-- to treat, the notes for a small or missing control, roi_rank, history,
-- sensitivity's refusals, and import_campaign's refusals with nothing written.
-- The published Hillstrom figures and pandas.cut: test/shell/retrospectives_reference.sh.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = error;
SELECT plan(30);

INSERT INTO stormops.properties (property_id, zip)
SELECT 'r' || lpad(i::text, 3, '0'), '75034' FROM generate_series(1, 200) i;
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('ret', 'hail', '2019-04-01 00:00+00');
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share) VALUES
  ('Big', '{}', '{"sequence": [{"step": 1, "channel": "sms", "timing_hours": 0}]}', 0),
  ('Small', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 0),
  ('Alone', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 0);
-- Big: 60 treated (r001-r060) and 40 control (r061-r100); Small: 20 and 10; Alone: 10 and none
SELECT lives_ok($$SELECT stormops.import_campaign('Big', 'ret', '2019-04-02 00:00+00',
  ARRAY(SELECT 'r' || lpad(i::text, 3, '0') FROM generate_series(1, 60) i),
  ARRAY(SELECT 'r' || lpad(i::text, 3, '0') FROM generate_series(61, 100) i),
  '[{"property_id": "r001", "event_type": "conversion", "at": "2019-04-05 00:00+00", "revenue": 10000},
    {"property_id": "r002", "event_type": "conversion", "at": "2019-04-06 00:00+00", "revenue": 8000},
    {"property_id": "r003", "event_type": "conversion", "at": "2019-05-03 00:00+00", "revenue": 7000},
    {"property_id": "r004", "event_type": "click", "at": "2019-04-03 00:00+00"},
    {"property_id": "r005", "event_type": "open", "at": "2019-04-03 00:00+00"},
    {"property_id": "r061", "event_type": "conversion", "at": "2019-04-10 00:00+00", "revenue": 5000}]', 'sms')$$,
  'import_campaign loads a campaign with its outcomes');
SELECT lives_ok($$SELECT stormops.import_campaign('Small', 'ret', '2019-04-02 00:00+00',
  ARRAY(SELECT 'r' || lpad(i::text, 3, '0') FROM generate_series(101, 120) i),
  ARRAY(SELECT 'r' || lpad(i::text, 3, '0') FROM generate_series(121, 130) i), '[]', 'email')$$, 'a second play, small control');
SELECT lives_ok($$SELECT stormops.import_campaign('Alone', 'ret', '2019-04-02 00:00+00',
  ARRAY(SELECT 'r' || lpad(i::text, 3, '0') FROM generate_series(131, 140) i), '{}', '[]', 'email')$$, 'a third, no control');

CREATE TEMP TABLE r AS SELECT * FROM stormops.retrospective('ret');
SELECT is((SELECT count(*) FROM r), 3::bigint, 'one row per playbook that ran for the event');
SELECT is((SELECT treated || '/' || contacted || '/' || responded || '/' || converted FROM r WHERE playbook_name = 'Big'),
          '60/60/3/2', 'Big: 60 treated, 60 contacted, 3 responded (two conversions and a click), 2 converted in 30 days');
SELECT is((SELECT control_size || '/' || control_conversion_rate FROM r WHERE playbook_name = 'Big'), '40/0.025',
          'control: 40 properties, 1 conversion');
SELECT is((SELECT uplift FROM r WHERE playbook_name = 'Big'), 2.0::float8 / 60 - 1.0::float8 / 40, 'uplift = treated rate - control rate');
SELECT is((SELECT (uplift_low, uplift_high) FROM r WHERE playbook_name = 'Big'),
          (SELECT (low, high) FROM stormops.newcombe_interval(2, 60, 1, 40)), 'the interval is Newcombe''s');
SELECT is((SELECT p_value FROM r WHERE playbook_name = 'Big'), stormops.two_proportion_p_value(2, 60, 1, 40),
          'the p-value is the pooled z test''s');
SELECT is((SELECT revenue || '/' || revenue_per_treated || '/' || revenue_per_control || '/' || incremental_revenue
             FROM r WHERE playbook_name = 'Big'), '18000/300.00/125.00/10500.00',
          'revenue 18,000 in the window (not the conversion 31 days on), per treated 300, per control 125, incremental (300 - 125) x 60');
SELECT is((SELECT avg_ticket FROM r WHERE playbook_name = 'Big'), 9000.00, 'average ticket of the treated converters');
SELECT is((SELECT cost FROM r WHERE playbook_name = 'Big'), 60 * stormops.default_channel_cost('sms'),
          'cost: 60 SMS at their channel cost');
SELECT is((SELECT roi FROM r WHERE playbook_name = 'Big'),
          round((18000 - 60 * stormops.default_channel_cost('sms')) / (60 * stormops.default_channel_cost('sms')), 4),
          'ROI = (revenue - cost) / cost');
SELECT is((SELECT incremental_roi FROM r WHERE playbook_name = 'Big'),
          round((10500 - 60 * stormops.default_channel_cost('sms')) / (60 * stormops.default_channel_cost('sms')), 4),
          'incremental ROI = (incremental revenue - cost) / cost');
SELECT is((SELECT roi_rank FROM r WHERE playbook_name = 'Big'), 1::bigint, 'Big ranks first by ROI');
SELECT is((SELECT note FROM r WHERE playbook_name = 'Big'), NULL, 'Big: no note');
SELECT is((SELECT (uplift_low IS NULL AND p_value IS NULL AND control_size = 10 AND uplift IS NOT NULL) FROM r WHERE playbook_name = 'Small'),
          true, 'a control under 30: uplift shown, no interval nor p-value');
SELECT matches((SELECT note FROM r WHERE playbook_name = 'Small'), 'control of 10 properties, fewer than 30', 'and a note says why');
SELECT is((SELECT (control_size IS NULL AND control_conversion_rate IS NULL AND uplift IS NULL AND revenue_per_control IS NULL)
             FROM r WHERE playbook_name = 'Alone'), true, 'no holdout: control columns NULL');
SELECT matches((SELECT note FROM r WHERE playbook_name = 'Alone'), '^no control group', 'with the note');

SELECT throws_ok($$SELECT * FROM stormops.retrospective('nope')$$, '42704', 'storm event "nope" does not exist',
                 'an unknown event is named (42704)');
SELECT throws_ok($$SELECT * FROM stormops.playbook_history('Nope')$$, '42704', 'playbook "Nope" does not exist',
                 'an unknown playbook is named (42704)');
SELECT throws_ok($$SELECT * FROM stormops.sensitivity('Big', 'weather')$$, '22023', 'sensitivity: unknown dimension "weather"',
                 'an unknown dimension is refused (22023)');
SELECT is((SELECT count(*) FROM stormops.playbook_history('Big', '2019-06-01')), 1::bigint,
          'playbook_history: the execution of the last year');
SELECT is((SELECT count(*) FROM stormops.playbook_history('Big', '2020-06-01')), 0::bigint, 'and none a year later');
SELECT is((SELECT avg_conversion_rate_similar_plays FROM stormops.playbook_history('Big', '2019-06-01')),
          (SELECT avg(conversion_rate) FROM r WHERE playbook_name <> 'Big'),
          'similar plays: the mean conversion rate of the other plays of the same kind for hail storms');

-- refusals: the first offending id, nothing written
CREATE TEMP TABLE before AS SELECT (SELECT count(*) FROM stormops.proposal_runs) AS runs,
  (SELECT count(*) FROM stormops.behavior_events) AS events, (SELECT count(*) FROM stormops.storm_events) AS storms;
SELECT throws_ok($$SELECT stormops.import_campaign('Big', 'ret2', '2019-06-01', '{r150,r151,r152}', '{r153,r152,r151}')$$,
                 '22023', 'import_campaign: property "r151" is in both treated and control', 'overlapping lists: the first shared id');
SELECT throws_ok($$SELECT stormops.import_campaign('Big', 'ret2', '2019-06-01', '{r150,ghost,ghost2}', '{}')$$,
                 '22023', 'import_campaign: property "ghost" does not exist', 'an unknown property: the first one');
SELECT throws_ok($$SELECT stormops.import_campaign('Big', 'ret2', '2019-06-01', '{r150}', '{r151}',
                   '[{"property_id": "r150", "event_type": "conversion", "at": "2019-06-02"}, {"property_id": "r151", "event_type": "visit", "at": "2019-06-02"}]')$$,
                 '22023', 'import_campaign: outcome 1 is not valid', 'a bad outcome is refused');
SELECT is((SELECT (runs, events, storms) FROM before),
          ((SELECT count(*) FROM stormops.proposal_runs), (SELECT count(*) FROM stormops.behavior_events),
           (SELECT count(*) FROM stormops.storm_events)), 'nothing was written by the refused imports');

SELECT * FROM finish();
ROLLBACK;
