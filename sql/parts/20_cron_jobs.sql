-- pg_cron helpers (docs/operations.md): the scheduled jobs of stormops,
-- created or updated by name, in the current database. pg_cron is optional:
-- it is called through EXECUTE, and its absence is a clear error. A code
-- part (CREATE OR REPLACE throughout).

-- The jobs: name, when ('proposals' or 'nightly'), command.
CREATE OR REPLACE FUNCTION stormops.cron_job_definitions()
RETURNS TABLE (job_name pg_catalog.text, cadence pg_catalog.text, command pg_catalog.text)
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT * FROM (VALUES
    ('stormops-pending-proposals', 'proposals', 'CALL stormops.propose_pending_events()'),
    ('stormops-competition', 'nightly', 'SELECT stormops.refresh_competition(now(), 90)'),
    ('stormops-execution-metrics', 'nightly', 'SELECT stormops.refresh_execution_metrics()'),
    ('stormops-close-executions', 'nightly', 'SELECT count(*) FROM stormops.close_finished_executions()'),
    ('stormops-train-and-score', 'nightly', 'SELECT * FROM stormops.train_and_score()'),
    ('stormops-refresh-diffusion', 'nightly', 'SELECT * FROM stormops.refresh_diffusion()')
  ) AS j(job_name, cadence, command);
END;

CREATE OR REPLACE FUNCTION stormops.require_pg_cron()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_cron') THEN
    RAISE EXCEPTION 'pg_cron is not installed in database "%"', current_database()
      USING ERRCODE = 'undefined_object',
            DETAIL = format('pg_cron schedules jobs from the database named by cron.database_name (%s).',
                            coalesce(current_setting('cron.database_name', true), 'not set: pg_cron is not loaded')),
            HINT = 'Add pg_cron to shared_preload_libraries, restart, and CREATE EXTENSION pg_cron in that database; '
                   'or CALL stormops.propose_pending_events() from another scheduler.';
  END IF;
END;
$$;

-- Creates the jobs, or updates their schedules; returns them. Admins only:
-- pg_cron runs a job as the role that scheduled it.
CREATE OR REPLACE FUNCTION stormops.schedule_jobs(proposals_every pg_catalog.text DEFAULT '*/5 * * * *',
                                       nightly_at pg_catalog.text DEFAULT '0 3 * * *')
RETURNS TABLE (job_name pg_catalog.text, schedule pg_catalog.text, command pg_catalog.text, jobid pg_catalog.int8)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  j record;
  id bigint;
  cron_schedule text;
BEGIN
  PERFORM stormops.require_pg_cron();
  FOR j IN SELECT * FROM stormops.cron_job_definitions() LOOP
    cron_schedule := CASE j.cadence WHEN 'proposals' THEN proposals_every ELSE nightly_at END;
    BEGIN
      EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)' INTO id
        USING j.job_name, cron_schedule, j.command, current_database();
    EXCEPTION WHEN OTHERS THEN
      IF SQLERRM NOT LIKE 'invalid schedule%' THEN
        RAISE;
      END IF;
      RAISE EXCEPTION '% is not a cron schedule: %', CASE j.cadence WHEN 'proposals' THEN 'proposals_every' ELSE 'nightly_at' END,
                      coalesce(quote_literal(cron_schedule), 'NULL')
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Five fields, minute hour day-of-month month day-of-week, as in ''*/5 * * * *'' or ''0 3 * * *''; or ''[1-59] seconds''.';
    END;
    job_name := j.job_name;
    schedule := cron_schedule;
    command := j.command;
    jobid := id;
    RETURN NEXT;
  END LOOP;
END;
$$;
COMMENT ON FUNCTION stormops.schedule_jobs(pg_catalog.text, pg_catalog.text) IS
  'Creates or updates the pg_cron jobs of stormops (pending proposals; competition, execution metrics, finished executions, and training and scoring models nightly).';

CREATE OR REPLACE FUNCTION stormops.unschedule_jobs()
RETURNS SETOF pg_catalog.text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  j record;
  found_job boolean;
BEGIN
  PERFORM stormops.require_pg_cron();
  FOR j IN SELECT * FROM stormops.cron_job_definitions() LOOP
    EXECUTE 'SELECT EXISTS (SELECT FROM cron.job WHERE jobname = $1 AND username = current_user)' INTO found_job
      USING j.job_name;
    IF found_job THEN
      EXECUTE 'SELECT cron.unschedule($1)' USING j.job_name;
      RETURN NEXT j.job_name;
    END IF;
  END LOOP;
END;
$$;
COMMENT ON FUNCTION stormops.unschedule_jobs() IS
  'Removes the pg_cron jobs that schedule_jobs created; returns their names.';
