-- Reporting on contacts (contact-plans.md, "Senders"): what a sender says
-- happened to a contact it claimed, and what a customer did. A code part.
--
-- `sent` and `failed` answer the claim named by contact_id and only while
-- it holds the step (no later claim took it); a second `sent` changes
-- nothing, so a sender may retry a report it is unsure of. Outcomes (open,
-- click, response, complaint, opt_out, conversion) become behaviour events
-- linked to the execution and step, which the guardrails, the conditions
-- and the roll-ups then see like any other. Failure modes: an unknown
-- outcome or contact, revenue on anything but a conversion, or a report on
-- a claim that no longer holds its step is refused with nothing written.
-- A `sent` contact with an arm counts towards its arm pool's recomputation
-- (adaptive.md): one row per pool, updated by every such report.

CREATE OR REPLACE FUNCTION stormops.record_contact_result(contact_id pg_catalog.int8, outcome pg_catalog.text,
                                                         at pg_catalog.timestamptz DEFAULT pg_catalog.now(),
                                                         revenue pg_catalog.int4 DEFAULT NULL,
                                                         OUT status pg_catalog.text, OUT behavior_event_id pg_catalog.int8)
RETURNS record
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  outcomes constant text[] := '{sent,failed,open,click,response,complaint,opt_out,conversion}';
  id constant bigint := record_contact_result.contact_id;
  s stormops.contact_steps;
  latest bigint;
  max_attempts int := stormops.contact_max_attempts();
  why text;
BEGIN
  IF outcome IS NULL OR NOT outcome = ANY (outcomes) THEN
    RAISE EXCEPTION 'unknown outcome %', coalesce(quote_literal(outcome), 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Parameter outcome.',
            HINT = 'One of: ' || array_to_string(outcomes, ', ') || '.';
  END IF;
  IF record_contact_result.at IS NULL THEN
    RAISE EXCEPTION 'at must not be NULL'
      USING ERRCODE = 'null_value_not_allowed', DETAIL = 'Parameter at.',
            HINT = 'Leave it out for now(), or give when it happened.';
  END IF;
  IF revenue IS NOT NULL AND outcome <> 'conversion' THEN
    RAISE EXCEPTION 'revenue is reported with a conversion only, not with %', outcome
      USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Parameter revenue.',
            HINT = 'Report revenue => NULL, or the outcome conversion.';
  END IF;
  IF revenue < 0 THEN
    RAISE EXCEPTION 'revenue must not be negative, not %', revenue
      USING ERRCODE = 'numeric_value_out_of_range', DETAIL = 'Parameter revenue.',
            HINT = 'Whole dollars, 0 or more.';
  END IF;

  -- the step of the claim (its lease is a change that names it), then the
  -- step locked by its key; the step says which claim holds it now. (Two
  -- statements: on Citus a statement may lock rows of one shard only, and
  -- the change is found by contact_id, which does not name the shard.)
  SELECT h.execution_id, h.property_id, h.step INTO s.execution_id, s.property_id, s.step
    FROM stormops.contact_step_changes h
   WHERE h.contact_id = id
   LIMIT 1;
  SELECT c.* INTO s
    FROM stormops.contact_steps c
   WHERE c.execution_id = s.execution_id AND c.property_id = s.property_id AND c.step = s.step
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'contact % does not exist', coalesce(id::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Parameter contact_id.',
            HINT = 'Report on a contact_id that stormops.claim_due_contacts returned.';
  END IF;
  latest := s.contact_id;

  IF outcome IN ('sent', 'failed') THEN
    IF latest IS DISTINCT FROM id THEN
      RAISE EXCEPTION 'contact % is no longer leased by that claim', id
        USING ERRCODE = 'object_not_in_prerequisite_state',
              DETAIL = format('Its lease ran out and step %s of property %s was claimed again as contact %s (status %s).',
                              s.step, s.property_id, latest, s.status),
              HINT = 'Do not send it: the later claim holds it. Report on the contact the latest claim returned.';
    END IF;
    IF s.status = 'sent' AND outcome = 'sent' THEN
      status := 'sent';       -- reported twice: nothing changes
      RETURN;
    END IF;
    IF s.lease_until IS NULL OR s.status NOT IN ('planned', 'leased') THEN
      RAISE EXCEPTION 'contact % was already reported: its step is %', id, s.status
        USING ERRCODE = 'object_not_in_prerequisite_state',
              DETAIL = format('Step %s of property %s: %s.', s.step, s.property_id, s.reason),
              HINT = 'A claim is reported sent or failed once; a failed step comes back through claim_due_contacts.';
    END IF;
  END IF;

  -- sent; failed (planned again, or final after contact_max_attempts); or
  -- an outcome, which leaves the step as it is
  IF outcome IN ('sent', 'failed') THEN
    status := CASE WHEN outcome = 'sent' THEN 'sent'
                   WHEN s.attempts + 1 >= max_attempts THEN 'failed' ELSE 'planned' END;
    -- (the reason is made here: Citus refuses STABLE functions such as
    -- format() in an UPDATE's CASE)
    why := CASE status
             WHEN 'sent' THEN format('sent (contact %s)', id)
             WHEN 'failed' THEN format('%s attempts failed (last: contact %s)', s.attempts + 1, id)
             ELSE format('attempt %s of %s failed (contact %s); claimable again', s.attempts + 1, max_attempts, id)
           END;
    UPDATE stormops.contact_steps c
       SET status = record_contact_result.status::stormops.contact_status,
           reason = why,
           is_next = record_contact_result.status = 'planned', lease_until = NULL, attempts = c.attempts + 1,
           ready_at = CASE WHEN record_contact_result.status = 'planned' THEN record_contact_result.at ELSE c.ready_at END,
           sent_at = CASE WHEN record_contact_result.status = 'sent' THEN record_contact_result.at END,
           final_at = CASE WHEN record_contact_result.status = 'planned' THEN NULL ELSE record_contact_result.at END
     WHERE c.execution_id = s.execution_id AND c.property_id = s.property_id AND c.step = s.step;
    IF status = 'sent' AND s.arm IS NOT NULL THEN
      -- one more sent contact of its arm pool: the bandit recomputes its
      -- statistics every reoptimize_after_n_contacts of these
      UPDATE stormops.arm_pools p SET sent_contacts = p.sent_contacts + 1
        FROM stormops.execution_steps x
       WHERE x.execution_id = s.execution_id AND x.step = s.step AND p.pool_id = x.arm_pool_id;
    END IF;
    IF status <> 'planned' THEN
      -- final: the plan goes on with its next step not final
      UPDATE stormops.contact_steps c SET is_next = true
       WHERE c.execution_id = s.execution_id AND c.property_id = s.property_id
         AND c.step = (SELECT min(n.step) FROM stormops.contact_steps n
                        WHERE n.execution_id = s.execution_id AND n.property_id = s.property_id
                          AND n.step > s.step AND n.status IN ('planned', 'leased'));
    END IF;
  ELSE
    status := s.status::text;
  END IF;

  IF outcome = 'failed' THEN
    NULL;   -- nothing happened at the property
  ELSE
    INSERT INTO stormops.behavior_events (property_id, customer_id, event_type, channel, event_timestamp, complaint,
                                          revenue, execution_id, contact_id, step)
    SELECT s.property_id, p.customer_id, CASE outcome WHEN 'sent' THEN 'contact' ELSE outcome END, s.channel::text,
           record_contact_result.at, outcome = 'complaint', revenue, s.execution_id, id, s.step
      FROM stormops.properties p WHERE p.property_id = s.property_id
    RETURNING behavior_events.behavior_event_id INTO behavior_event_id;
  END IF;

  IF outcome IN ('sent', 'failed') THEN
    INSERT INTO stormops.contact_step_changes (execution_id, property_id, step, status, reason, contact_id, changed_at)
    SELECT c.execution_id, c.property_id, c.step, c.status, c.reason, id, record_contact_result.at
      FROM stormops.contact_steps c
     WHERE c.execution_id = s.execution_id AND c.property_id = s.property_id AND c.step = s.step;
  END IF;
END;
$$;
COMMENT ON FUNCTION stormops.record_contact_result(pg_catalog.int8, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.int4) IS
  'What happened to a claimed contact (sent, failed) or what the customer did (open, click, response, complaint, opt_out, conversion); returns the step''s status and the behaviour event written.';
