-- The measurements of bench/guardrails/run.sh.
SET client_min_messages = warning;
\pset footer off
CREATE EXTENSION stormops;
\ir ../timing.sql

INSERT INTO stormops.properties (property_id, zip)
SELECT 'p' || i, '75034' FROM generate_series(1, 200000) i;
-- 1,000,000 events over the last 60 days: contacts, opens, complaints, opt-outs
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint)
SELECT 'p' || (1 + (i::int8 * 7919) % 200000),
       (ARRAY['contact', 'contact', 'open', 'click', 'response', 'complaint', 'conversion'])[1 + i % 7],
       'email', now() - (i % 86400) * interval '1 minute', i % 53 = 0
  FROM generate_series(1, 1000000) i;
VACUUM ANALYZE stormops.behavior_events;
VACUUM ANALYZE stormops.guardrail_state;

-- one 100,000-row insert, rolled back after timing
CREATE FUNCTION pg_temp.timed_insert() RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE ms float8;
BEGIN
  BEGIN
    ms := pg_temp.elapsed_ms($q$
      INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint)
      SELECT 'p' || (1 + (i::int8 * 104729) % 200000), (ARRAY['contact', 'open', 'complaint'])[1 + i % 3],
             'sms', now() - (i % 1440) * interval '1 minute', i % 3 = 2
        FROM generate_series(1, 100000) i $q$);
    RAISE SQLSTATE 'P0001' USING MESSAGE = ms::text;
  EXCEPTION WHEN SQLSTATE 'P0001' THEN
    RETURN SQLERRM::float8;
  END;
END $$;

CREATE TEMP TABLE timing (what text, ms float8);
-- Three sides: no upkeep (both insert triggers disabled), the guardrail
-- state's alone, and all upkeep (the guardrail state and behavior_counts,
-- 12_behavior_counts.sql). Rolled-back inserts leave dead index entries
-- behind, so the sides rotate which goes first and meet the same amount.
CREATE FUNCTION pg_temp.timed_side(side int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE ms float8;
BEGIN
  IF side <> 2 THEN
    ALTER TABLE stormops.behavior_events DISABLE TRIGGER behavior_counts_on_insert;
  END IF;
  IF side = 0 THEN
    ALTER TABLE stormops.behavior_events DISABLE TRIGGER guardrail_state_on_insert;
  END IF;
  ms := pg_temp.timed_insert();
  ALTER TABLE stormops.behavior_events ENABLE TRIGGER behavior_counts_on_insert;
  ALTER TABLE stormops.behavior_events ENABLE TRIGGER guardrail_state_on_insert;
  RETURN ms;
END $$;
DO $$
BEGIN
  FOR run IN 0..5 LOOP
    FOR k IN 0..2 LOOP
      INSERT INTO timing SELECT (ARRAY['no upkeep', 'guardrail state', 'all upkeep'])[1 + (run + k) % 3],
                                pg_temp.timed_side((run + k) % 3);
    END LOOP;
  END LOOP;
END $$;

\echo 'INSERT of 100,000 behaviour events (on 1,000,000 of 200,000 properties), median ms of 6, sides rotating'
\echo '(no upkeep: both insert triggers disabled; guardrail state: its trigger alone; all upkeep: it and behavior_counts)'
SELECT round(pg_temp.median(array_agg(ms) FILTER (WHERE what = 'no upkeep'))::numeric, 1) AS no_upkeep_ms,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE what = 'guardrail state'))::numeric, 1) AS guardrail_state_ms,
       round((pg_temp.median(array_agg(ms) FILTER (WHERE what = 'guardrail state'))
            / pg_temp.median(array_agg(ms) FILTER (WHERE what = 'no upkeep')))::numeric, 2) AS guardrail_ratio,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE what = 'all upkeep'))::numeric, 1) AS all_upkeep_ms,
       round((pg_temp.median(array_agg(ms) FILTER (WHERE what = 'all upkeep'))
            / pg_temp.median(array_agg(ms) FILTER (WHERE what = 'no upkeep')))::numeric, 2) AS all_ratio
  FROM timing;

SELECT count(*) AS properties_with_signals,
       (SELECT count(*) FROM ((SELECT * FROM stormops.guardrail_signals EXCEPT SELECT * FROM stormops.guardrail_signals_at(now()))
                              UNION ALL
                              (SELECT * FROM stormops.guardrail_signals_at(now()) EXCEPT SELECT * FROM stormops.guardrail_signals)) d) = 0
         AS same_signals
  FROM stormops.guardrail_signals \gset
\if :same_signals
\else
  \echo 'FAILED: maintained and recomputed signals differ'
  SELECT 1/0 AS abort_the_benchmark;
\endif
TRUNCATE timing;
DO $$
BEGIN
  FOR run IN 1..5 LOOP
    INSERT INTO timing SELECT 'maintained', pg_temp.elapsed_ms('SELECT count(*) FILTER (WHERE throttle_flag OR escalate_flag OR opted_out) FROM stormops.guardrail_signals');
    INSERT INTO timing SELECT 'recomputed', pg_temp.elapsed_ms('SELECT count(*) FILTER (WHERE throttle_flag OR escalate_flag OR opted_out) FROM stormops.guardrail_signals_at(now())');
  END LOOP;
END $$;
\echo 'Every property''s signals (' :properties_with_signals 'properties; maintained = recomputed: checked), median ms of 5'
SELECT round(pg_temp.median(array_agg(ms) FILTER (WHERE what = 'maintained'))::numeric, 1) AS maintained_ms,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE what = 'recomputed'))::numeric, 1) AS from_history_ms,
       round((pg_temp.median(array_agg(ms) FILTER (WHERE what = 'recomputed'))
            / pg_temp.median(array_agg(ms) FILTER (WHERE what = 'maintained')))::numeric, 1) AS speedup
  FROM timing;
