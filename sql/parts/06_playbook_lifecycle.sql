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
