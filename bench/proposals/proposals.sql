-- The measurements of bench/proposals/run.sh (timed in the server with
-- clock_timestamp(); medians; every timed run rolled back).
SET client_min_messages = warning;
\pset footer off
SELECT FROM set_config('bench.runs', :'runs', false);
\ir ../timing.sql

CREATE TEMP TABLE timing (figure text, ord int, ms float8, rows_returned bigint);

-- Times the proposal runs of the two storms of 2019-03 (the Frisco storm,
-- which Frisco-Alpha targets, and the North Dallas one, which Loyalty and
-- Expansion target), rolled back afterwards so that every run creates its
-- executions anew; and, in the same loop, the floor: the targeting of every
-- Active play for both storms alone, with the same as_of.
CREATE FUNCTION pg_temp.time_proposals(figure text, ord int, as_of timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  runs int := current_setting('bench.runs')::int;
  ms float8;
  n bigint;
  floor_sql text;
BEGIN
  SELECT string_agg(format('SELECT count(*) FROM stormops.target_properties(%L, %L, %L)',
                           p.targeting_rules, e, as_of), ' UNION ALL ')
    INTO floor_sql
    FROM stormops.playbooks p, unnest(ARRAY['noaa_ep_135504_hail', 'bench_2019_03_08_n_dallas']) e
   WHERE p.status = 'Active';
  FOR run IN 0..runs LOOP
    BEGIN
      ms := pg_temp.elapsed_ms(format(
        'SELECT count(*) FROM stormops.generate_proposals(%L, %L) UNION ALL SELECT count(*) FROM stormops.generate_proposals(%L, %L)',
        'noaa_ep_135504_hail', as_of, 'bench_2019_03_08_n_dallas', as_of));
      SELECT count(*) INTO n FROM stormops.proposal_decisions;
      RAISE EXCEPTION USING ERRCODE = 'SB001';   -- roll the run back
    EXCEPTION WHEN SQLSTATE 'SB001' THEN
      IF run > 0 THEN   -- run 0 warms the caches
        INSERT INTO timing VALUES (figure, ord, ms, n);
      END IF;
    END;
    IF run > 0 THEN
      INSERT INTO timing VALUES ('targeting alone (floor): ' || figure, ord + 1,
                                 pg_temp.elapsed_ms(floor_sql), NULL);
    END IF;
  END LOOP;
END $$;

-- What a run decides, for the record (one run, rolled back).
CREATE FUNCTION pg_temp.show_decisions(as_of timestamptz) RETURNS TABLE (playbook text, decision text, properties bigint)
LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    CREATE TEMP TABLE decided AS
      SELECT g.playbook_name, g.decision, count(*) AS n
        FROM unnest(ARRAY['noaa_ep_135504_hail', 'bench_2019_03_08_n_dallas']) e,
             stormops.generate_proposals(e, as_of) g GROUP BY 1, 2;
    RETURN QUERY SELECT * FROM decided ORDER BY 1, 2;
    RAISE EXCEPTION USING ERRCODE = 'SB001';
  EXCEPTION WHEN SQLSTATE 'SB001' THEN NULL;
  END;
END $$;

\echo '-- decisions of the three seed plays as of 2019-03-27 12:00-05'
SELECT * FROM pg_temp.show_decisions('2019-03-27 12:00-05');
SELECT pg_temp.time_proposals('three seed plays, two storms, as of the past (signals from history)', 1, '2019-03-27 12:00-05');

-- Shift every time in the data so that the storm was three days ago, then
-- rebuild the maintained signals for the new times.
\echo '-- shifting the data to now() and rebuilding guardrail_state'
SELECT date_trunc('second', now()) - '2019-03-27 12:00:00-05'::timestamptz AS shift \gset
ALTER TABLE stormops.behavior_events DISABLE TRIGGER USER;
UPDATE stormops.behavior_events SET event_timestamp = event_timestamp + :'shift'::interval;
ALTER TABLE stormops.behavior_events ENABLE TRIGGER USER;
UPDATE stormops.storm_events SET begin_at = begin_at + :'shift'::interval, end_at = end_at + :'shift'::interval;
UPDATE stormops.storm_reports SET reported_at = reported_at + :'shift'::interval;
UPDATE stormops.competitor_permits SET filed_at = filed_at + :'shift'::interval;
SELECT stormops.guardrail_state_rebuild() AS properties_with_signals;
VACUUM ANALYZE stormops.behavior_events;
VACUUM ANALYZE stormops.guardrail_state;
CHECKPOINT;   -- the shift's writes must not be flushed during the timed runs

\echo '-- decisions of the three seed plays as of now()'
SELECT * FROM pg_temp.show_decisions(now());
SELECT pg_temp.time_proposals('three seed plays, two storms, as of now() (maintained signals)', 3, now());

-- A fourth play: every property the storm hit hard enough, no other condition.
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, priority)
VALUES ('Storm-Wide', '{"physics": {"min_sii_score": 40}}',
        '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 40);
SELECT FROM stormops.activate_playbook('Storm-Wide');
\echo '-- decisions with a fourth, storm-wide play, as of now()'
SELECT * FROM pg_temp.show_decisions(now());
SELECT pg_temp.time_proposals('four plays incl. storm-wide, two storms, as of now()', 5, now());

SELECT figure, round(pg_temp.median(array_agg(ms))::numeric, 1) AS median_ms,
       round(min(ms)::numeric, 1) AS min_ms, round(max(ms)::numeric, 1) AS max_ms,
       max(rows_returned) AS decisions_stored
  FROM timing GROUP BY figure, ord ORDER BY ord;
SELECT p.figure, round((pg_temp.median(p.ms) / pg_temp.median(f.ms))::numeric, 2) AS ratio_to_targeting_alone
  FROM (SELECT figure, ord, array_agg(ms) ms FROM timing WHERE ord % 2 = 1 GROUP BY 1, 2) p
  JOIN (SELECT ord, array_agg(ms) ms FROM timing WHERE ord % 2 = 0 GROUP BY 1) f ON f.ord = p.ord + 1
 ORDER BY p.ord;
