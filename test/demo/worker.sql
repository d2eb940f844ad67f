-- The storm worker (docs/operations.md), on the demo's throwaway cluster:
-- the Frisco storm's reports again, as if the storm hit an hour ago,
-- committed; the worker proposes it on its own.
\pset footer off
\echo
\echo '== The storm worker: no one calls generate_proposals any more'
\echo '-- (the reports of 24 March 2019 replayed as if the storm hit an hour ago)'
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at, end_at, source)
VALUES ('replay_135504_now', 'hail', 4.50, now() - interval '1 hour', now() - interval '27 minutes', 'demo replay');
INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude, source)
SELECT 'replay_' || report_id, 'replay_135504_now', reported_at + (now() - interval '1 hour' - '2019-03-24 17:33-06'::timestamptz),
       lat, lon, magnitude, 'demo replay'
  FROM stormops.storm_reports WHERE event_id = 'noaa_ep_135504_hail';
SELECT clock_timestamp() AS committed_at \gset
DO $$
BEGIN
  FOR i IN 1..100 LOOP
    EXIT WHEN EXISTS (SELECT FROM stormops.event_proposals WHERE event_id = 'replay_135504_now');
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT event_id, handled_via, round(extract(epoch FROM clock_timestamp() - :'committed_at'::timestamptz) * 1000) AS ms_after_commit_seen,
       playbooks_run, executions, outcome
  FROM stormops.event_proposals WHERE event_id = 'replay_135504_now';
SELECT p.playbook_name, e.status, e.properties_targeted AS targeted, to_char(e.execution_start, 'HH24:MI:SS') AS started
  FROM stormops.playbook_executions e JOIN stormops.playbooks p USING (playbook_id)
 WHERE e.triggered_by_event_id = 'replay_135504_now' ORDER BY p.priority;
SELECT running, runs, events_handled, events_failed, last_event_id FROM stormops.worker_status();
\echo '-- and the notifications for humans (the escalation, the competitor threat) went out as signed webhooks'
DO $$
BEGIN
  FOR i IN 1..100 LOOP
    EXIT WHEN NOT EXISTS (SELECT FROM stormops.notification_outbox WHERE status = 'pending');
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT notification_id, kind, playbook_name, status, attempts, to_char(delivered_at, 'HH24:MI:SS.MS') AS delivered_at
  FROM stormops.notification_outbox ORDER BY notification_id;
