-- Local time (contact-plans.md, docs/contact-plans.md): the settings of
-- contact plans, time zone names, and when a step may go out in a
-- property's local time. A code part (CREATE OR REPLACE throughout).
--
-- Every window is read on the property's wall clock through PostgreSQL's
-- own time zone rules (AT TIME ZONE with an IANA name), so 18:00-20:00 is
-- 18:00-20:00 local on both sides of a DST change; nothing here adds hours
-- by hand. Failure modes: a zone name PostgreSQL does not know is refused
-- where it is stored (zip_codes, the setting), so a plan never meets one.

-- Settings (src/pg/contact_settings.c; superusers set them, docs/security.md).
CREATE OR REPLACE FUNCTION stormops.default_time_zone()
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'stormops_default_time_zone'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.default_time_zone() IS
  'The setting stormops.default_time_zone (default America/Chicago): the zone of properties whose ZIP has none, and of the days of daily caps.';

CREATE OR REPLACE FUNCTION stormops.step_open_hours()
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'stormops_step_open_hours'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.step_open_hours() IS
  'The setting stormops.step_open_hours (default 72): how long a step without duration_hours stays open after it is due.';

CREATE OR REPLACE FUNCTION stormops.contact_max_attempts()
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'stormops_contact_max_attempts'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.contact_max_attempts() IS
  'The setting stormops.contact_max_attempts (default 3): failed reports after which a step is failed.';

CREATE OR REPLACE FUNCTION stormops.high_ltv_threshold()
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_high_ltv_threshold'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.high_ltv_threshold() IS
  'The setting stormops.high_ltv_threshold (default 20000): the ltv_score from which if_high_ltv holds.';

CREATE OR REPLACE FUNCTION stormops.visits_per_rep_per_day()
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'stormops_visits_per_rep_per_day'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.visits_per_rep_per_day() IS
  'The setting stormops.visits_per_rep_per_day (default 20): door knocks a rep makes in a day.';

CREATE OR REPLACE FUNCTION stormops.attribution_days()
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'stormops_attribution_days'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.attribution_days() IS
  'The setting stormops.attribution_days (default 30): days after the last contact an execution stays open for outcomes.';

-- The time rules (docs/data-model.md, "Time"): what a day and a year are,
-- the same for every session TimeZone.
-- A window of N days is N x 86,400 seconds back from the moment: "the last
-- 7 days" is the last 168 hours on both sides of a DST change (an interval
-- of '7 days' would be 167 or 169 hours, depending on the session's zone).
CREATE OR REPLACE FUNCTION stormops.days_interval(days pg_catalog.float8)
RETURNS pg_catalog.interval
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.make_interval(secs => days OPERATOR(pg_catalog.*) 86400::pg_catalog.float8);
COMMENT ON FUNCTION stormops.days_interval(pg_catalog.float8) IS
  'N days as N x 86,400 seconds: every window of days in stormops (the same in every time zone).';

-- The calendar year of a moment in stormops.default_time_zone (the
-- contractor's), which roof ages count from: 23:00 on 31 December in Dallas
-- is still that year, whatever the session's TimeZone.
-- (In C, as the targeting compiler computes it: one implementation.)
CREATE OR REPLACE FUNCTION stormops.local_year(at pg_catalog.timestamptz)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'stormops_local_year_of'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.local_year(pg_catalog.timestamptz) IS
  'The calendar year of a moment in stormops.default_time_zone: the year roof ages count from.';

-- Whether a name is an IANA time zone (Area/Location, or UTC) that
-- PostgreSQL loads, spelt exactly as the tz database spells it.
CREATE OR REPLACE FUNCTION stormops.is_time_zone(name pg_catalog.text)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'stormops_is_time_zone'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.is_time_zone(pg_catalog.text) IS
  'Whether name is an IANA time zone name PostgreSQL knows, e.g. America/Chicago.';

-- When a step on `channel` with `timing_window` may go out, in local time:
-- (days, start_min, end_min), its window intersected with the channel's
-- hours (stormops.call_hours, stormops.door_knock_hours); NULLs when they
-- never meet. Days: any, weekday, weekend, mon .. sun.
CREATE OR REPLACE FUNCTION stormops.allowed_hours(channel pg_catalog.text, timing_window pg_catalog.text,
  OUT days pg_catalog.text, OUT start_min pg_catalog.int4, OUT end_min pg_catalog.int4)
RETURNS record
AS 'MODULE_PATHNAME', 'stormops_allowed_hours'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.allowed_hours(pg_catalog.text, pg_catalog.text) IS
  'The local hours a step may go out in: its timing_window within its channel''s hours; NULLs when they never meet.';

-- Whether local day `d` (ISO day of week, 1 = Monday) is one of `days`.
CREATE OR REPLACE FUNCTION stormops.day_is_allowed(isodow pg_catalog.int4, days pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE days
           WHEN 'any' THEN true
           WHEN 'weekday' THEN isodow OPERATOR(pg_catalog.<=) 5
           WHEN 'weekend' THEN isodow OPERATOR(pg_catalog.>=) 6
           ELSE isodow OPERATOR(pg_catalog.=)
                pg_catalog.array_position('{mon,tue,wed,thu,fri,sat,sun}'::pg_catalog.text[], days)
         END;
END;

-- The first time in [from_at, until_at) at which a step allowed on `days`
-- from start_min to end_min (minutes after local midnight) may go out in
-- `time_zone`, and until when that opening lasts (opens_at, open_until;
-- all-day hours run on over the following allowed days); NULLs when there
-- is none. Local days are walked on the wall clock
-- (date + minutes, then AT TIME ZONE), so a DST change moves the instants,
-- never the local hours; eight days cover every weekly pattern.
CREATE OR REPLACE FUNCTION stormops.next_allowed_time(from_at pg_catalog.timestamptz, until_at pg_catalog.timestamptz,
  time_zone pg_catalog.text, days pg_catalog.text, start_min pg_catalog.int4, end_min pg_catalog.int4,
  OUT opens_at pg_catalog.timestamptz, OUT open_until pg_catalog.timestamptz)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT GREATEST(w.opens, from_at), LEAST(w.closes, until_at)
    FROM (SELECT (d.day OPERATOR(pg_catalog.+) pg_catalog.make_interval(mins => start_min)) AT TIME ZONE time_zone AS opens,
                 CASE WHEN start_min OPERATOR(pg_catalog.=) 0 AND end_min OPERATOR(pg_catalog.=) 1440 THEN
                        -- all day: one opening until the next day that is not allowed
                        COALESCE((SELECT pg_catalog.min(n.day) AT TIME ZONE time_zone
                                    FROM pg_catalog.generate_series(d.day OPERATOR(pg_catalog.+) '1 day'::pg_catalog.interval,
                                                                    d.day OPERATOR(pg_catalog.+) '7 days'::pg_catalog.interval,
                                                                    '1 day'::pg_catalog.interval) AS n(day)
                                   WHERE NOT stormops.day_is_allowed(pg_catalog.date_part('isodow', n.day)::pg_catalog.int4, days)),
                                 'infinity'::pg_catalog.timestamptz)
                      ELSE (d.day OPERATOR(pg_catalog.+) pg_catalog.make_interval(mins => end_min)) AT TIME ZONE time_zone
                 END AS closes
            FROM pg_catalog.generate_series(pg_catalog.date_trunc('day', from_at AT TIME ZONE time_zone),
                                            pg_catalog.date_trunc('day', from_at AT TIME ZONE time_zone)
                                              OPERATOR(pg_catalog.+) '7 days'::pg_catalog.interval,
                                            '1 day'::pg_catalog.interval) AS d(day)
           WHERE stormops.day_is_allowed(pg_catalog.date_part('isodow', d.day)::pg_catalog.int4, days)) w
   WHERE w.closes OPERATOR(pg_catalog.>) from_at
     AND GREATEST(w.opens, from_at) OPERATOR(pg_catalog.<) LEAST(w.closes, until_at)
   ORDER BY w.opens
   LIMIT 1;
END;
COMMENT ON FUNCTION stormops.next_allowed_time(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.text,
                                               pg_catalog.text, pg_catalog.int4, pg_catalog.int4) IS
  'The first allowed opening in [from_at, until_at) in a zone''s local time, and its end; NULLs when none.';

-- Minutes after midnight as HH:MM (1440 is 24:00).
CREATE OR REPLACE FUNCTION stormops.clock_text(minutes pg_catalog.int4)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT pg_catalog.format('%s:%s', pg_catalog.lpad((minutes OPERATOR(pg_catalog./) 60)::pg_catalog.text, 2, '0'),
                           pg_catalog.lpad((minutes OPERATOR(pg_catalog.%) 60)::pg_catalog.text, 2, '0'));
END;

-- Allowed hours in words, as a reason names them: "weekday 18:00-20:00
-- America/Chicago", or "never" when they never meet.
CREATE OR REPLACE FUNCTION stormops.allowed_hours_text(days pg_catalog.text, start_min pg_catalog.int4,
                                                      end_min pg_catalog.int4, time_zone pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN days IS NULL THEN 'never'
              ELSE pg_catalog.format('%s %s-%s %s', days, stormops.clock_text(start_min), stormops.clock_text(end_min), time_zone)
         END;
END;
