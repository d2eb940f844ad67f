-- Playbook lifecycle: permitted status moves, versioning of every change to a
-- playbook that has left Draft, history, and the operator's functions.

-- Where a playbook may go from a status (Retired is final).
CREATE FUNCTION stormops.playbook_status_moves(from_status stormops.playbook_status)
RETURNS stormops.playbook_status[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE from_status
           WHEN 'Draft' THEN '{Active,Retired}'::stormops.playbook_status[]
           WHEN 'Active' THEN '{Paused,Retired}'::stormops.playbook_status[]
           WHEN 'Paused' THEN '{Active,Retired}'::stormops.playbook_status[]
           ELSE '{}'::stormops.playbook_status[]
         END;
END;

-- (found_value, not found: PL/pgSQL's FOUND would shadow a parameter named so)
CREATE FUNCTION stormops.raise_out_of_range(playbook pg_catalog.text, col pg_catalog.text,
                                            found_value pg_catalog.numeric, accepted pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION '% of playbook "%" is out of range', col, playbook
    USING ERRCODE = 'numeric_value_out_of_range',
          DETAIL = format('Column %s; found %s.', col, found_value),
          HINT = format('Accepted: %s.', accepted);
END;
$$;

CREATE FUNCTION stormops.playbooks_before_write()
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
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TRIGGER playbooks_before_write
  BEFORE INSERT OR UPDATE ON stormops.playbooks
  FOR EACH ROW EXECUTE FUNCTION stormops.playbooks_before_write();

-- SECURITY DEFINER: operators change playbooks but may not write the history
-- themselves, so that it stays a faithful record.
CREATE FUNCTION stormops.playbooks_record_version()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO stormops.playbook_versions
         (playbook_id, playbook_version, playbook, superseded_at, superseded_by)
  VALUES (OLD.playbook_id, OLD.playbook_version, to_jsonb(OLD), now(), NEW.updated_by);
  RETURN NULL;
END;
$$;

CREATE TRIGGER playbooks_record_version
  AFTER UPDATE ON stormops.playbooks
  FOR EACH ROW
  WHEN (OLD.playbook_version OPERATOR(pg_catalog.<>) NEW.playbook_version)
  EXECUTE FUNCTION stormops.playbooks_record_version();

CREATE FUNCTION stormops.playbooks_before_delete()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF EXISTS (SELECT FROM stormops.playbook_executions e WHERE e.playbook_id = OLD.playbook_id) THEN
    RAISE EXCEPTION 'playbook "%" has executions and cannot be deleted', OLD.playbook_name
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'Table playbook_executions references it.',
            HINT = format('Retire it instead: SELECT stormops.retire_playbook(%L);', OLD.playbook_name);
  END IF;
  RETURN OLD;
END;
$$;

CREATE TRIGGER playbooks_before_delete
  BEFORE DELETE ON stormops.playbooks
  FOR EACH ROW EXECUTE FUNCTION stormops.playbooks_before_delete();

-- The playbook named `name`, locked for update; a clear error when absent.
CREATE FUNCTION stormops.lock_playbook(name pg_catalog.text)
RETURNS stormops.playbooks
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  pb stormops.playbooks;
BEGIN
  SELECT * INTO pb FROM stormops.playbooks p WHERE p.playbook_name = name FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'playbook "%" does not exist', name
      USING ERRCODE = 'undefined_object',
            HINT = 'List playbooks with: SELECT playbook_name, status FROM stormops.playbooks;';
  END IF;
  RETURN pb;
END;
$$;

CREATE FUNCTION stormops.set_playbook_status(name pg_catalog.text, new_status stormops.playbook_status)
RETURNS stormops.playbooks
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  pb stormops.playbooks := stormops.lock_playbook(name);
BEGIN
  IF pb.status = new_status THEN
    RETURN pb;                  -- already there: calling twice is harmless
  END IF;
  UPDATE stormops.playbooks p SET status = new_status
   WHERE p.playbook_id = pb.playbook_id
  RETURNING * INTO pb;
  RETURN pb;
END;
$$;
COMMENT ON FUNCTION stormops.set_playbook_status(pg_catalog.text, stormops.playbook_status) IS
  'Moves a playbook to a status (Draft -> Active <-> Paused, any -> Retired); a no-op when it is already there.';

CREATE FUNCTION stormops.activate_playbook(name pg_catalog.text)
RETURNS stormops.playbooks
LANGUAGE sql
BEGIN ATOMIC
  SELECT * FROM stormops.set_playbook_status(name, 'Active');
END;

CREATE FUNCTION stormops.pause_playbook(name pg_catalog.text)
RETURNS stormops.playbooks
LANGUAGE sql
BEGIN ATOMIC
  SELECT * FROM stormops.set_playbook_status(name, 'Paused');
END;

CREATE FUNCTION stormops.retire_playbook(name pg_catalog.text)
RETURNS stormops.playbooks
LANGUAGE sql
BEGIN ATOMIC
  SELECT * FROM stormops.set_playbook_status(name, 'Retired');
END;

-- The cost of one contact on a channel under a playbook's overrides: the
-- override, then channel_costs, then the built-in default; NULL for no
-- channel.
CREATE FUNCTION stormops.channel_cost(cost_per_contact pg_catalog.jsonb, channel pg_catalog.text)
RETURNS pg_catalog.numeric
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT COALESCE((channel_cost.cost_per_contact OPERATOR(pg_catalog.->>) channel_cost.channel)::pg_catalog.numeric,
                  (SELECT c.cost_per_contact FROM stormops.channel_costs c
                    WHERE c.channel OPERATOR(pg_catalog.=) channel_cost.channel::stormops.channel),
                  stormops.default_channel_cost(channel_cost.channel::stormops.channel));
END;

-- Cost of contacting one property through every step of a playbook's
-- sequence (the budget's worst case): playbook override, then channel_costs,
-- then the built-in default.
CREATE FUNCTION stormops.playbook_cost_per_property(pb stormops.playbooks)
RETURNS pg_catalog.numeric
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT COALESCE(pg_catalog.sum(stormops.channel_cost(pb.cost_per_contact, s.step OPERATOR(pg_catalog.->>) 'channel')), 0)
    FROM pg_catalog.jsonb_array_elements(pb.channel_strategy OPERATOR(pg_catalog.->) 'sequence') AS s(step);
END;
