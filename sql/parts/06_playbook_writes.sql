-- Every write to a playbook (a code part: 0.2.0's form of 0.1.0's playbook
-- triggers of 06_playbook_lifecycle.sql; the update includes this part
-- whole): the checks and bookkeeping before it, and the version history
-- after it (docs/playbook-reference.md).
--
-- On Citus (docs/scaling.md) playbooks is a reference table, and a row
-- trigger fires on every node's copy, each node in a transaction of its
-- own: the bookkeeping time is the distributed transaction's stamp
-- (stormops.write_time), the same on every copy, and the superseded
-- version is written once, from the coordinator's copy, into the reference
-- table playbook_versions (a write from a worker's copy would be a
-- distributed query from a shard, which Citus refuses). On one node
-- nothing changes. Failure modes: a refused write (a bad value, a move that
-- is not permitted) is refused on every copy alike, so nothing is written.

CREATE OR REPLACE FUNCTION stormops.playbooks_before_write()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  -- Columns that describe a row's bookkeeping rather than what the play does.
  bookkeeping constant text[] :=
    '{playbook_version,status,created_at,created_by,updated_at,updated_by}';
  rules_changed bool;
BEGIN
  -- Friendly errors for the scalar columns; the CHECK constraints stay as the
  -- declarative record of the same ranges.
  IF NEW.playbook_name IS NOT NULL
     AND NOT NEW.playbook_name ~ '^[^[:space:][:cntrl:]]([^[:cntrl:]]{0,198}[^[:space:][:cntrl:]])?$' THEN
    RAISE EXCEPTION 'invalid playbook_name %', quote_literal(NEW.playbook_name)
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Column playbook_name.',
            HINT = 'From 1 to 200 characters, no control characters, not starting or ending with a space.';
  END IF;
  IF jsonb_typeof(NEW.message_variants) <> 'object' THEN
    RAISE EXCEPTION 'message_variants of playbook "%" must be a JSON object', NEW.playbook_name
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('Column message_variants; found %s.', jsonb_typeof(NEW.message_variants)),
            HINT = 'An object of variant name -> script, e.g. {"analytical": {"Proof_Seeker": "..."}}, or NULL.';
  END IF;
  -- Plain IFs, not a loop over to_jsonb(NEW): this runs on every write.
  IF NEW.expected_property_count < 0 THEN
    PERFORM stormops.raise_out_of_range(NEW.playbook_name, 'expected_property_count', NEW.expected_property_count,
                                        'a whole number of properties, 0 or more');
  END IF;
  IF NEW.max_daily_contacts < 0 THEN
    PERFORM stormops.raise_out_of_range(NEW.playbook_name, 'max_daily_contacts', NEW.max_daily_contacts,
                                        'a whole number of contacts per day, 0 or more');
  END IF;
  IF NEW.max_concurrent_properties < 0 THEN
    PERFORM stormops.raise_out_of_range(NEW.playbook_name, 'max_concurrent_properties', NEW.max_concurrent_properties,
                                        'a whole number of properties worked at once, 0 or more');
  END IF;
  IF NEW.team_size_required < 0 THEN
    PERFORM stormops.raise_out_of_range(NEW.playbook_name, 'team_size_required', NEW.team_size_required,
                                        'a whole number of people, 0 or more');
  END IF;
  IF NEW.budget_allocated < 0 THEN
    PERFORM stormops.raise_out_of_range(NEW.playbook_name, 'budget_allocated', NEW.budget_allocated,
                                        'whole dollars, 0 or more');
  END IF;
  IF NEW.target_conversion_rate < 0 OR NEW.target_conversion_rate > 1 THEN
    PERFORM stormops.raise_out_of_range(NEW.playbook_name, 'target_conversion_rate', NEW.target_conversion_rate,
                                        'a rate from 0 to 1, e.g. 0.25 for 25%');
  END IF;
  IF NEW.target_avg_ticket < 0 THEN
    PERFORM stormops.raise_out_of_range(NEW.playbook_name, 'target_avg_ticket', NEW.target_avg_ticket,
                                        'whole dollars, 0 or more');
  END IF;
  IF NEW.target_roi < -1 THEN
    PERFORM stormops.raise_out_of_range(NEW.playbook_name, 'target_roi', NEW.target_roi,
                                        'a ratio of -1 or more, e.g. 4.00 for 400%');
  END IF;
  IF NEW.min_property_count < 1 THEN
    PERFORM stormops.raise_out_of_range(NEW.playbook_name, 'min_property_count', NEW.min_property_count,
                                        'a whole number of properties, 1 or more');
  END IF;
  IF NEW.priority < 1 THEN
    PERFORM stormops.raise_out_of_range(NEW.playbook_name, 'priority', NEW.priority,
                                        'a whole number, 1 or more (1 is served first)');
  END IF;
  IF NEW.holdout_share < 0 OR NEW.holdout_share >= 1 THEN
    PERFORM stormops.raise_out_of_range(NEW.playbook_name, 'holdout_share', NEW.holdout_share,
                                        'a share from 0 up to but not including 1, e.g. 0.10 for 10%');
  END IF;

  IF NOT stormops.is_semver(NEW.playbook_version) THEN
    RAISE EXCEPTION 'invalid playbook_version % for playbook "%"',
                    quote_nullable(NEW.playbook_version), NEW.playbook_name
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Column playbook_version.',
            HINT = 'A semantic version MAJOR.MINOR.PATCH such as 1.0.0 or v1.2.0.';
  END IF;
  NEW.updated_by := current_user;

  IF TG_OP = 'INSERT' THEN
    RETURN NEW;
  END IF;

  IF NEW.playbook_id IS DISTINCT FROM OLD.playbook_id THEN
    RAISE EXCEPTION 'the playbook_id of playbook "%" cannot change', OLD.playbook_name
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Column playbook_id.',
            HINT = 'A playbook keeps its id for life; insert a new playbook instead.';
  END IF;
  IF OLD.status = 'Retired' THEN
    RAISE EXCEPTION 'playbook "%" is retired and cannot change', OLD.playbook_name
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'Column status: Retired is final.',
            HINT = 'Copy it into a new playbook (INSERT ... SELECT with a new playbook_name) to run it again.';
  END IF;
  IF NEW.status <> OLD.status
     AND NOT NEW.status = ANY (stormops.playbook_status_moves(OLD.status)) THEN
    RAISE EXCEPTION 'playbook "%" cannot move from % to %', OLD.playbook_name, OLD.status, NEW.status
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = format('Column status: %s -> %s is not a permitted move.', OLD.status, NEW.status),
            HINT = format('From %s a playbook may move to %s. Permitted moves: Draft -> Active, Active <-> Paused, any -> Retired.',
                          OLD.status, array_to_string(stormops.playbook_status_moves(OLD.status), ' or '));
  END IF;

  -- A change to what a play does, once it has left Draft, is a new version:
  -- executions name the version they ran, so retrospectives can tell them apart.
  IF OLD.status <> 'Draft'
     AND NEW.playbook_version = OLD.playbook_version
     AND (to_jsonb(NEW) - bookkeeping) IS DISTINCT FROM (to_jsonb(OLD) - bookkeeping) THEN
    rules_changed := NEW.targeting_rules IS DISTINCT FROM OLD.targeting_rules
                  OR NEW.channel_strategy IS DISTINCT FROM OLD.channel_strategy;
    NEW.playbook_version := stormops.semver_bump(OLD.playbook_version,
                              CASE WHEN rules_changed THEN 'minor' ELSE 'patch' END);
  END IF;
  IF NEW.playbook_version <> OLD.playbook_version
     AND NOT stormops.semver_key(NEW.playbook_version) > stormops.semver_key(OLD.playbook_version) THEN
    RAISE EXCEPTION 'playbook_version of playbook "%" must increase', OLD.playbook_name
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('Column playbook_version: %s is not later than %s.', NEW.playbook_version, OLD.playbook_version),
            HINT = format('Use stormops.revise_playbook(name, changes), or set a later version such as %s.',
                          stormops.semver_bump(OLD.playbook_version, 'patch'));
  END IF;

  NEW.created_at := OLD.created_at;
  NEW.created_by := OLD.created_by;
  NEW.updated_at := stormops.write_time();   -- the same on every node's copy on Citus
  RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER playbooks_before_write
  BEFORE INSERT OR UPDATE ON stormops.playbooks
  FOR EACH ROW EXECUTE FUNCTION stormops.playbooks_before_write();

-- SECURITY DEFINER: operators change playbooks but may not write the history
-- themselves, so that it stays a faithful record.
CREATE OR REPLACE FUNCTION stormops.playbooks_record_version()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- on Citus this fires on every node's copy of playbooks; the version is
  -- written once, from the coordinator's (and copied to every node)
  IF stormops.on_citus_worker() THEN
    RETURN NULL;
  END IF;
  INSERT INTO stormops.playbook_versions
         (playbook_id, playbook_version, playbook, superseded_at, superseded_by)
  VALUES (OLD.playbook_id, OLD.playbook_version, to_jsonb(OLD), NEW.updated_at, NEW.updated_by);
  RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER playbooks_record_version
  AFTER UPDATE ON stormops.playbooks
  FOR EACH ROW
  WHEN (OLD.playbook_version OPERATOR(pg_catalog.<>) NEW.playbook_version)
  EXECUTE FUNCTION stormops.playbooks_record_version();
