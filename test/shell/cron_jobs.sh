#!/usr/bin/env bash
# stormops.schedule_jobs / unschedule_jobs with pg_cron (docs/operations.md),
# on the throwaway cluster of run-tests.sh, whose cron.database_name is
# postgres: create, update by name, refuse a bad schedule, remove.
set -euo pipefail
q() { psql -X -At -v ON_ERROR_STOP=1 -d postgres "$@"; }
cleanup() {
  psql -X -q -d postgres -c "DROP EXTENSION IF EXISTS stormops CASCADE" -c "DROP EXTENSION IF EXISTS pg_cron" >/dev/null 2>&1 || true
}
trap cleanup EXIT
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pg_cron" -c "CREATE EXTENSION stormops" >/dev/null

q -c "SELECT count(*) FROM stormops.schedule_jobs()" >/dev/null
jobs=$(q -c "SELECT string_agg(format('%s=%s@%s', jobname, schedule, database), ' ' ORDER BY jobname) FROM cron.job")
echo "$jobs"
[ "$jobs" = "stormops-close-executions=0 3 * * *@postgres stormops-competition=0 3 * * *@postgres stormops-execution-metrics=0 3 * * *@postgres stormops-pending-proposals=*/5 * * * *@postgres stormops-refresh-diffusion=0 3 * * *@postgres stormops-train-and-score=0 3 * * *@postgres" ]

q -c "SELECT count(*) FROM stormops.schedule_jobs('*/2 * * * *', '30 4 * * *')" >/dev/null
jobs=$(q -c "SELECT string_agg(format('%s=%s', jobname, schedule), ' ' ORDER BY jobname) FROM cron.job")
echo "$jobs"
[ "$jobs" = "stormops-close-executions=30 4 * * * stormops-competition=30 4 * * * stormops-execution-metrics=30 4 * * * stormops-pending-proposals=*/2 * * * * stormops-refresh-diffusion=30 4 * * * stormops-train-and-score=30 4 * * *" ]
echo "ok - scheduling again updates the jobs by name"

if q -c "SELECT * FROM stormops.schedule_jobs('every five minutes')" >/dev/null 2>/tmp/cron_jobs.$$; then
  echo "a bad schedule was accepted"; exit 1
fi
grep -q "proposals_every is not a cron schedule: 'every five minutes'" /tmp/cron_jobs.$$ || { cat /tmp/cron_jobs.$$; exit 1; }
rm -f /tmp/cron_jobs.$$
[ "$(q -c "SELECT count(*) FROM cron.job WHERE schedule = '*/2 * * * *'")" = 1 ]
echo "ok - a bad schedule is refused, naming the argument, and changes nothing"

[ "$(q -c "SELECT string_agg(j, ' ' ORDER BY j) FROM stormops.unschedule_jobs() j")" = "stormops-close-executions stormops-competition stormops-execution-metrics stormops-pending-proposals stormops-refresh-diffusion stormops-train-and-score" ]
[ "$(q -c "SELECT count(*) FROM cron.job")" = 0 ]
[ "$(q -c "SELECT count(*) FROM stormops.unschedule_jobs()")" = 0 ]
echo "ok - unschedule_jobs removes them, and is harmless when there are none"

# Every job's command runs as it is (what pg_cron will run).
q -c "SELECT count(*) FROM stormops.schedule_jobs()" >/dev/null
while IFS= read -r command; do
  q -c "$command" >/dev/null || { echo "not ok - the job command failed: $command"; exit 1; }
done < <(q -c "SELECT command FROM cron.job ORDER BY jobname")
echo "ok - every job's command runs (close_finished_executions among them)"
q -c "SELECT count(*) FROM stormops.unschedule_jobs()" >/dev/null
