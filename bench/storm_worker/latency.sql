-- The measurements of bench/storm_worker/run.sh.
SET client_min_messages = warning;
\pset footer off
\ir ../timing.sql

-- wait until the worker has handled the demo's own storm (it looks once at start)
DO $$
BEGIN
  FOR i IN 1..300 LOOP
    EXIT WHEN EXISTS (SELECT FROM stormops.event_proposals WHERE event_id = 'noaa_ep_135504_hail');
    PERFORM pg_sleep(0.1);
  END LOOP;
END $$;

\ir storm.sql

SELECT format('CALL pg_temp.one_storm(''worker'', %s)', n) FROM generate_series(1, :events) n \gexec

-- the floor: the same handling run directly, rolled back each time
CREATE TEMP TABLE floor_ms (ms float8);
DO $$
DECLARE
  runs float8[] := '{}';   -- a variable survives the rollback of each run
BEGIN
  FOR n IN 1..10 LOOP
    BEGIN
      INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at, end_at, source)
      VALUES ('bench_floor', 'hail', 4.5, now() - interval '1 hour', now() - interval '30 minutes', 'bench');
      INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude, source)
      SELECT 'bench_floor_' || i, 'bench_floor', now() - interval '1 hour', lat, lon, size, 'bench'
        FROM (VALUES (1, 33.1500, -96.8100, 1.75), (2, 33.1520, -96.7675, 2.75), (3, 33.1577, -96.7157, 2.50),
                     (4, 33.1444, -96.7091, 4.50), (5, 33.1523, -96.7590, 2.00), (6, 33.1593, -96.7158, 3.00)) r(i, lat, lon, size);
      runs := runs || pg_temp.elapsed_ms('SELECT stormops.handle_storm_event(''bench_floor'')');
      RAISE EXCEPTION USING ERRCODE = 'SB001';
    EXCEPTION WHEN SQLSTATE 'SB001' THEN NULL;
    END;
  END LOOP;
  INSERT INTO floor_ms SELECT unnest(runs);
END $$;

SELECT count(*) AS events,
       round(pg_temp.median(array_agg(ms))::numeric, 1) AS median_ms,
       round((percentile_cont(0.95) WITHIN GROUP (ORDER BY ms))::numeric, 1) AS p95_ms,
       round(min(ms)::numeric, 1) AS min_ms, round(max(ms)::numeric, 1) AS max_ms,
       (SELECT round(pg_temp.median(array_agg(ms))::numeric, 1) FROM floor_ms) AS floor_handle_storm_event_ms
  FROM public.bench_latency WHERE scheduler = 'worker';
SELECT runs, events_handled, events_failed FROM stormops.worker_status();
