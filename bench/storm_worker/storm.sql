-- One storm of bench/storm_worker, shared by latency.sql (the storm worker)
-- and cron.sql (a pg_cron job): pg_temp.one_storm(scheduler, n, at_second,
-- timeout) inserts a storm event with six reports over Frisco and commits
-- it (a procedure commits mid-way), then polls every 10 ms, each look in a
-- fresh snapshot, until another session's execution of it shows; the time
-- from the commit to that look goes to bench_latency (a plain table, so the
-- last summary sees both schedulers). With at_second, it first waits for
-- that second of the minute. The storm's executions are then completed so
-- that the next storm finds its targets free.
CREATE TABLE IF NOT EXISTS public.bench_latency (scheduler text, n int, committed_at timestamptz, ms float8);

CREATE PROCEDURE pg_temp.one_storm(scheduler text, n int, at_second float8 DEFAULT NULL,
                                   timeout interval DEFAULT '60 seconds')
LANGUAGE plpgsql AS $$
DECLARE
  ev text := format('bench_%s_storm_%s', scheduler, n);
  committed_at timestamptz;
BEGIN
  IF at_second IS NOT NULL THEN
    PERFORM pg_sleep(mod(at_second::numeric - extract(second FROM clock_timestamp()) + 60, 60)::float8);
  END IF;
  INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at, end_at, source)
  VALUES (ev, 'hail', 4.5, now() - interval '1 hour', now() - interval '30 minutes', 'bench');
  INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude, source)
  SELECT ev || '_' || i, ev, now() - interval '1 hour', lat, lon, size, 'bench'
    FROM (VALUES (1, 33.1500, -96.8100, 1.75), (2, 33.1520, -96.7675, 2.75), (3, 33.1577, -96.7157, 2.50),
                 (4, 33.1444, -96.7091, 4.50), (5, 33.1523, -96.7590, 2.00), (6, 33.1593, -96.7158, 3.00)) r(i, lat, lon, size);
  COMMIT;
  committed_at := clock_timestamp();
  LOOP
    EXIT WHEN EXISTS (SELECT FROM stormops.playbook_executions e WHERE e.triggered_by_event_id = ev);
    IF clock_timestamp() > committed_at + timeout THEN
      RAISE EXCEPTION 'no execution of % after %', ev, timeout
        USING HINT = CASE scheduler WHEN 'pg_cron' THEN 'Look at cron.job_run_details in the database named by cron.database_name.' END;
    END IF;
    PERFORM pg_sleep(0.01);
    COMMIT;   -- a fresh snapshot for the next look
  END LOOP;
  INSERT INTO public.bench_latency VALUES (scheduler, n, committed_at, extract(epoch FROM clock_timestamp() - committed_at) * 1000);
  UPDATE stormops.playbook_executions SET status = 'Completed', execution_end = now() WHERE status = 'Running';
  COMMIT;
END $$;
