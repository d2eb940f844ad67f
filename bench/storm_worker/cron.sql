-- The pg_cron half of bench/storm_worker/run.sh: the storm worker is off for
-- this database and a pg_cron job runs CALL stormops.propose_pending_events()
-- every minute. Storm n of :cron_events is committed at a random second of
-- its own slice of the minute (slice n of :cron_events, so a few storms
-- cover the minute evenly) and timed like the worker's, by storm.sql.
SET client_min_messages = warning;
\pset footer off
\ir ../timing.sql
\ir storm.sql

SELECT format('CALL pg_temp.one_storm(''pg_cron'', %s, %s, ''150 seconds'')',
              n, round(((n - 1 + random()) * 60.0 / :cron_events)::numeric, 3))
  FROM generate_series(1, :cron_events) n \gexec

-- each storm: the second of the minute it was committed at, and its latency
SELECT n AS storm, to_char(committed_at, 'HH24:MI:SS.MS') AS committed_at,
       round(ms::numeric, 1) AS ms
  FROM public.bench_latency WHERE scheduler = 'pg_cron' ORDER BY n;

-- the two side by side: the worker's figures and the job's, and the ratios
WITH s AS (
  SELECT scheduler, count(*) AS storms, pg_temp.median(array_agg(ms)) AS median, min(ms) AS min, max(ms) AS max
    FROM public.bench_latency GROUP BY scheduler
)
SELECT CASE c.scheduler WHEN 'worker' THEN 'stormops storm worker (woken by the commit)'
                        ELSE 'pg_cron job ''* * * * *'': CALL stormops.propose_pending_events()' END AS figure,
       c.storms, round(c.median::numeric, 1) AS median_ms, round(c.min::numeric, 1) AS min_ms,
       round(c.max::numeric, 1) AS max_ms,
       round((c.median / w.median)::numeric, 0) AS median_vs_worker,
       round((c.max / w.max)::numeric, 0) AS max_vs_worker
  FROM s c, s w WHERE w.scheduler = 'worker'
 ORDER BY c.scheduler DESC;
