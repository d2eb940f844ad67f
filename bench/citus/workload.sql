-- workload.sql: the same workload on one node and on the Citus cluster
-- (bench/citus/run.sh): three targeting questions and a funnel over the
-- generated market (bench/targeting/generate.sql), and a load of behaviour
-- events through the upkeep triggers (statement triggers on one node, the
-- row trigger on Citus), rolled back after each run. Prints one row per
-- figure: its median, min and max over :runs runs.
-- (on Citus, temporary functions stay local: said once as a warning each)
SET client_min_messages = error;
\ir ../timing.sql
CREATE TEMP TABLE timing (figure text, ord int, ms float8);
CREATE TEMP TABLE questions (ord int, figure text, args text);
INSERT INTO questions VALUES
  (1, 'targets: storm + ZIPs (Frisco)', $q$'{"physics": {"min_sii_score": 60, "max_days_since_storm": 14}, "geography": {"zips": ["75034", "75035"]}}', 'noaa_ep_135504_hail', '2019-03-27 12:00:00-05'$q$),
  (2, 'targets: storm + SES tier', $q$'{"physics": {"min_sii_score": 60, "max_days_since_storm": 14}, "demographics": {"ses_tiers": ["High"]}}', 'noaa_ep_135504_hail', '2019-03-27 12:00:00-05'$q$),
  (3, 'targets: response rate, as of 2019', $q$'{"behavioral": {"response_rate_min": 0.5}}', NULL, '2019-03-27 12:00:00-05'$q$);
SELECT set_config('bench.runs', :'runs', false) \gset
DO $$
DECLARE q record; r int; load_ms float8;
BEGIN
  FOR r IN 1 .. current_setting('bench.runs')::int LOOP
    FOR q IN SELECT * FROM questions ORDER BY ord LOOP
      INSERT INTO timing VALUES (q.figure, q.ord,
        pg_temp.elapsed_ms(format('SELECT count(*) FROM stormops.target_properties(%s)', q.args)));
    END LOOP;
    INSERT INTO timing VALUES ('funnel: storm + ZIPs', 4,
      pg_temp.elapsed_ms(format('SELECT count(*) FROM stormops.targeting_funnel(%s)', (SELECT args FROM questions WHERE ord = 1))));
    -- 20,000 events for 20,000 properties in one statement, then undone
    BEGIN
      load_ms := pg_temp.elapsed_ms(
        $i$INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
           SELECT p.property_id, 'contact', 'sms', now() - interval '1 day'
             FROM stormops.properties p ORDER BY p.property_id LIMIT 20000$i$);
      RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'undo';
    EXCEPTION WHEN raise_exception THEN
      INSERT INTO timing VALUES ('load 20,000 behaviour events (upkeep triggers), undone', 5, load_ms);
    END;
  END LOOP;
END $$;
SELECT * FROM pg_temp.timing_medians();
-- the answers, which run.sh compares between the two sides
CREATE TEMP TABLE answers (ord int, figure text, targets bigint, rank_sum bigint);
DO $$
DECLARE q record; n bigint; s bigint;
BEGIN
  FOR q IN SELECT * FROM questions ORDER BY ord LOOP
    EXECUTE format('SELECT count(*), coalesce(sum(rank), 0) FROM stormops.target_properties(%s)', q.args) INTO n, s;
    INSERT INTO answers VALUES (q.ord, q.figure, n, s);
  END LOOP;
END $$;
SELECT 'answer ' || ord || ': ' || targets || ' targets, rank sum ' || rank_sum AS answer FROM answers ORDER BY ord;
