#!/usr/bin/env bash
# CREATE EXTENSION stormops works on a cluster that preloads nothing (no
# stormops, no pg_cron) and where pg_cron was never created: validation,
# lifecycle and roles need neither.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
source "$repo/test/tools/cluster.sh"
trap cluster_stop EXIT
cluster_start "shared_preload_libraries = ''"
[ "$(psql -X -At -c 'SHOW shared_preload_libraries')" = "" ]
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION stormops;
SELECT 1 / (count(*) = 0)::int FROM pg_extension WHERE extname = 'pg_cron';
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
VALUES ('No-Preload', '{"geography": {"zips": ["75034"]}}',
        '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}');
SELECT stormops.activate_playbook('No-Preload');
DO $$
BEGIN
  INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
  VALUES ('Bad', '{"geography": {"zips": ["7503"]}}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}');
  RAISE EXCEPTION 'invalid rules were accepted';
EXCEPTION WHEN invalid_parameter_value THEN
  NULL;
END $$;
-- storm data still loads (the worker's wake trigger does nothing) ...
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('no_worker', 'hail', now());
-- ... and asking for the worker says what to add
DO $$
DECLARE
  hint text;
BEGIN
  PERFORM stormops.worker_status();
  RAISE EXCEPTION 'worker_status() answered without the worker';
EXCEPTION WHEN object_not_in_prerequisite_state THEN
  GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
  IF hint NOT LIKE 'Add stormops to shared_preload_libraries%' THEN
    RAISE EXCEPTION 'unexpected hint: %', hint;
  END IF;
END $$;
SQL
echo "CREATE EXTENSION, validation and lifecycle work without any preloaded library; worker_status() says what to add"
