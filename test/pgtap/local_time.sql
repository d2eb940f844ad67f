-- Local time (contact-plans.md, "Local time"): time zone names, the
-- settings of contact plans, the allowed hours of a step, and the next
-- opening of a window on the wall clock across the DST change of
-- 10 March 2019 (America/Chicago). Contact plans use these in
-- test/pgtap/contact_plans.sql.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SELECT plan(40);

-- Zone names: IANA Area/Location as the tz database spells it, or UTC.
SELECT ok(stormops.is_time_zone('America/Chicago'), 'America/Chicago is a time zone');
SELECT ok(stormops.is_time_zone('America/Denver'), 'America/Denver is a time zone');
SELECT ok(stormops.is_time_zone('America/Indiana/Indianapolis'), 'three-part names are time zones');
SELECT ok(stormops.is_time_zone('UTC'), 'UTC is a time zone');
SELECT ok(NOT stormops.is_time_zone('america/chicago'), 'a misspelt case is refused');
SELECT ok(NOT stormops.is_time_zone('CST'), 'an abbreviation is refused');
SELECT ok(NOT stormops.is_time_zone('EST5EDT,M3.2.0,M11.1.0'), 'a POSIX rule is refused');
SELECT ok(NOT stormops.is_time_zone('Mars/Olympus_Mons'), 'an unknown zone is refused');
SELECT ok(NOT stormops.is_time_zone('America/../America/Chicago'), 'a path is refused');
SELECT ok(NOT stormops.is_time_zone(''), 'the empty string is refused');

-- zip_codes.time_zone is checked.
SELECT lives_ok($$INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES ('79901', 'TX', 'America/Denver')$$,
  'El Paso''s ZIP takes America/Denver');
SELECT throws_ok($$INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES ('75034', 'TX', 'Central')$$,
  '23514', NULL, 'a time zone PostgreSQL does not know is refused');
SELECT lives_ok($$INSERT INTO stormops.zip_codes (zip, state) VALUES ('75034', 'TX')$$,
  'a ZIP without a time zone is accepted (stormops.default_time_zone applies)');

-- The settings: defaults, and policy only superusers change.
SELECT is(stormops.default_time_zone(), 'America/Chicago', 'stormops.default_time_zone defaults to America/Chicago');
SELECT is(current_setting('stormops.call_hours'), '08:00-21:00', 'stormops.call_hours defaults to 08:00-21:00');
SELECT is(current_setting('stormops.door_knock_hours'), '09:00-20:00', 'stormops.door_knock_hours defaults to 09:00-20:00');
SELECT is(stormops.step_open_hours(), 72, 'stormops.step_open_hours defaults to 72');
SELECT is(stormops.contact_max_attempts(), 3, 'stormops.contact_max_attempts defaults to 3');
SELECT is(stormops.high_ltv_threshold(), 20000::float8, 'stormops.high_ltv_threshold defaults to 20000');
SELECT is(stormops.visits_per_rep_per_day(), 20, 'stormops.visits_per_rep_per_day defaults to 20');
SELECT is(stormops.attribution_days(), 30, 'stormops.attribution_days defaults to 30');
SELECT throws_ok($$SET stormops.call_hours = '08:00-25:00'$$, '22023', NULL, 'calling hours must be a valid range');
SELECT throws_ok($$SET stormops.door_knock_hours = '20:00-09:00'$$, '22023', NULL, 'a range must not end before it starts');
SELECT throws_ok($$SET stormops.default_time_zone = 'Central'$$, '22023', NULL, 'the default zone must be an IANA name');
SET LOCAL ROLE stormops_operator;
SELECT throws_ok($$SET stormops.call_hours = '06:00-23:00'$$, '42501', NULL, 'an operator cannot widen the calling hours');
SELECT throws_ok($$SET stormops.default_time_zone = 'UTC'$$, '42501', NULL, 'an operator cannot change the default zone');
RESET ROLE;

-- Allowed hours: a step's window within its channel's hours.
SELECT is(stormops.allowed_hours('sms', NULL), ROW('any'::text, 480, 1260)::record, 'sms: any day 08:00-21:00');
SELECT is(stormops.allowed_hours('email', NULL), ROW('any'::text, 0, 1440)::record, 'email: any time');
SELECT is(stormops.allowed_hours('door_knock', 'weekday_18:00-20:00'), ROW('weekday'::text, 1080, 1200)::record,
  'a weekday 18:00-20:00 door knock keeps its window inside 09:00-20:00');
SELECT is(stormops.allowed_hours('phone', 'any_19:00-23:00'), ROW('any'::text, 1140, 1260)::record,
  'an evening call window is cut at 21:00');
SELECT is(stormops.allowed_hours('phone', 'sat_21:30-23:00'), ROW(NULL::text, NULL::int4, NULL::int4)::record,
  'a call window after 21:00 never opens');

-- The next opening on the wall clock: a weekday 18:00-20:00 window in Chicago.
SELECT is(stormops.next_allowed_time('2019-03-08 12:00-06', '2019-03-20 00:00-05', 'America/Chicago', 'weekday', 1080, 1200),
  ROW('2019-03-08 18:00-06'::timestamptz, '2019-03-08 20:00-06'::timestamptz)::record,
  'Friday 8 March (CST): opens at 18:00 local, 00:00 UTC');
SELECT is(stormops.next_allowed_time('2019-03-08 20:30-06', '2019-03-20 00:00-05', 'America/Chicago', 'weekday', 1080, 1200),
  ROW('2019-03-11 18:00-05'::timestamptz, '2019-03-11 20:00-05'::timestamptz)::record,
  'after the window on Friday: Monday 11 March (CDT) at 18:00 local, 23:00 UTC, across the DST change');
SELECT is(stormops.next_allowed_time('2019-03-11 19:15-05', '2019-03-20 00:00-05', 'America/Chicago', 'weekday', 1080, 1200),
  ROW('2019-03-11 19:15-05'::timestamptz, '2019-03-11 20:00-05'::timestamptz)::record,
  'inside the window: now, until 20:00 local');
SELECT is(stormops.next_allowed_time('2019-03-08 12:00-06', '2019-03-11 18:00-05', 'America/Chicago', 'weekday', 1080, 1200),
  ROW('2019-03-08 18:00-06'::timestamptz, '2019-03-08 20:00-06'::timestamptz)::record,
  'the opening before the step closes');
SELECT ok((stormops.next_allowed_time('2019-03-08 20:30-06', '2019-03-11 18:00-05', 'America/Chicago', 'weekday', 1080, 1200)).opens_at IS NULL,
  'no opening before the step closes: NULL');
-- An SMS due at 22:30 waits for 08:00.
SELECT is(stormops.next_allowed_time('2019-03-27 22:30-05', '2019-03-30 22:30-05', 'America/Chicago', 'any', 480, 1260),
  ROW('2019-03-28 08:00-05'::timestamptz, '2019-03-28 21:00-05'::timestamptz)::record,
  'an SMS due at 22:30 waits for 08:00 the next morning');
-- The same instant read in Denver: 17:30 there, so the 18:00 window is still ahead.
SELECT is(stormops.next_allowed_time('2019-03-08 18:30-06', '2019-03-20 00:00-06', 'America/Denver', 'weekday', 1080, 1200),
  ROW('2019-03-08 18:00-07'::timestamptz, '2019-03-08 20:00-07'::timestamptz)::record,
  'a Denver window is read in Denver time: 18:00 MST is 19:00 in Chicago');
-- A window to midnight, and a Sunday-only window.
SELECT is(stormops.next_allowed_time('2019-03-09 23:00-06', '2019-03-20 00:00-05', 'America/Chicago', 'any', 1320, 1440),
  ROW('2019-03-09 23:00-06'::timestamptz, '2019-03-10 00:00-06'::timestamptz)::record,
  'a window to 24:00 ends at local midnight');
SELECT is(stormops.next_allowed_time('2019-03-04 12:00-06', '2019-03-20 00:00-05', 'America/Chicago', 'sun', 600, 720),
  ROW('2019-03-10 10:00-05'::timestamptz, '2019-03-10 12:00-05'::timestamptz)::record,
  'Sunday 10:00-12:00 on the day the clocks change is 10:00 CDT');

SELECT * FROM finish();
ROLLBACK;
