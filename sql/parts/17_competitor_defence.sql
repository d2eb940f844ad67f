-- The competitor defence (a code part: 0.2.0's form of 0.1.0's trigger
-- function of 17_competitor_trigger.sql; the update includes this part whole).
--
-- 0.2.0 reads the statement's rival permits into an array before joining
-- them to the playbooks, and reads each playbook's row by key: the same
-- decisions, in a form that also runs on Citus, where the permits stay a
-- table of the coordinator so that the defence runs once, in the permit's
-- transaction (docs/scaling.md). Failure modes: as 0.1.0's; a playbook that
-- fails to propose is reported, the permit is loaded.

-- SECURITY DEFINER: operators load permits; the runs, decisions, executions
-- and notifications the trigger writes are a record they may not write.
CREATE OR REPLACE FUNCTION stormops.defend_against_competitor_permits()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ours text := stormops.our_contractor_id();
  threat record;
  permits stormops.competitor_permits[];
  playbook stormops.playbooks;
  why text;
  run_id uuid;
  run stormops.proposal_runs;
  failure text;
  failure_state text;
  locked boolean := false;
BEGIN
  -- the statement's rival permits first, on their own: the transition table
  -- is never joined to another table (Citus cannot plan that next to a
  -- reference table; docs/scaling.md)
  SELECT array_agg(n) INTO permits
    FROM new_permits n
   WHERE n.contractor_tier = 'Tier1' AND n.contractor_id IS DISTINCT FROM ours;
  IF permits IS NULL THEN
    RETURN NULL;
  END IF;
  FOR threat IN
    SELECT n.permit_id, n.zip, n.contractor_id, n.contractor_name, n.filed_at, pb.playbook_id
      FROM unnest(permits) n
      JOIN stormops.playbooks pb
        ON pb.status = 'Active' AND pb.requires_streaming_triggers
       AND jsonb_typeof(pb.targeting_rules -> 'geography' -> 'zips') = 'array'
       AND (pb.targeting_rules -> 'geography' -> 'zips') ? n.zip
     ORDER BY n.filed_at, n.permit_id, pb.priority, pb.playbook_name
  LOOP
    -- the playbook's row read by key (a whole-row reference to a Citus
    -- reference table would carry its placement's type)
    SELECT p.* INTO playbook FROM stormops.playbooks p WHERE p.playbook_id = threat.playbook_id;
    IF NOT locked THEN
      PERFORM stormops.lock_proposals();
      locked := true;
    END IF;
    why := format('Tier1 competitor %s entered territory: permit %s in ZIP %s',
                  coalesce(threat.contractor_name || ' (' || threat.contractor_id || ')', threat.contractor_id),
                  threat.permit_id, threat.zip);
    -- as of the filing (a permit loaded late is judged when it was filed),
    -- never later than now. A playbook that fails must not stop the permit
    -- from being loaded: the human is told instead.
    run := NULL;
    failure := NULL;
    BEGIN
      run_id := stormops.propose_playbook(playbook, NULL, threat.permit_id, threat.zip, 1, why,
                                          least(threat.filed_at, now()));
      CONTINUE WHEN run_id IS NULL;
      SELECT r.* INTO run FROM stormops.proposal_runs r WHERE r.proposal_id = run_id;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_state = RETURNED_SQLSTATE;
      IF failure_state LIKE '40%' OR failure_state = '23505' THEN
        RAISE;
      END IF;
      RAISE WARNING 'playbook "%" was not proposed for permit %: %', playbook.playbook_name, threat.permit_id, failure
        USING HINT = 'Fix the playbook; the permit is loaded and a competitor_threat notification says what failed.';
    END;
    INSERT INTO stormops.notification_outbox (kind, playbook_id, playbook_name, property_id, reason, payload)
    VALUES ('competitor_threat', playbook.playbook_id, playbook.playbook_name, NULL, why,
            jsonb_build_object('kind', 'competitor_threat', 'playbook', playbook.playbook_name,
                               'permit_id', threat.permit_id, 'zip', threat.zip,
                               'contractor_id', threat.contractor_id, 'contractor_name', threat.contractor_name,
                               'proposal_id', run.proposal_id, 'execution_id', run.execution_id,
                               'properties_proposed', run.properties_proposed,
                               'outcome', coalesce(run.outcome, format('failed: %s (SQLSTATE %s)', failure, failure_state)),
                               'reason', why));
  END LOOP;
  RETURN NULL;
END;
$$;

