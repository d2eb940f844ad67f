-- Importing a past campaign (retrospectives.md "Importing a past
-- experiment"): its assignment as it happened becomes a run of a playbook,
-- so retrospective, playbook_history and sensitivity read it like any
-- other. A code part.
--
-- One call, one transaction: the event (an existing storm event, or a new
-- one of event_type 'campaign' that the storm worker never picks up: it has
-- neither reports nor impacts), a Completed execution, a proposal_runs row
-- with imported = true, a decision per property (proposed: treated;
-- holdout: control), a contact event per treated property when a channel is
-- given, and the outcomes as behaviour events. Refused, with nothing
-- written: an unknown playbook (42704), lists that are empty, hold NULLs or
-- an id twice, overlap or name an unknown property (22023, the first
-- offending id), an outcome that is not as documented (22023, its JSON
-- path), a second import of the same playbook and event (23505). An outcome
-- identical to one stored (property, type, time, revenue) is not stored
-- twice, so campaigns that share a control may pass its outcomes each time.

-- A timestamptz from text, or NULL when the text is not one.
CREATE OR REPLACE FUNCTION stormops.timestamptz_or_null(t pg_catalog.text)
RETURNS pg_catalog.timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN t::timestamptz;
EXCEPTION WHEN data_exception THEN
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION stormops.import_campaign(
  playbook_name pg_catalog.text, event_id pg_catalog.text, started_at pg_catalog.timestamptz,
  treated pg_catalog.text[], control pg_catalog.text[],
  outcomes pg_catalog.jsonb DEFAULT '[]', channel pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.uuid
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  play stormops.playbooks;
  bad text;
  bad_at bigint;
  run uuid := gen_random_uuid();
  exec uuid;
BEGIN
  SELECT * INTO play FROM stormops.playbooks b WHERE b.playbook_name = import_campaign.playbook_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'import_campaign: playbook "%" does not exist', import_campaign.playbook_name
      USING ERRCODE = 'undefined_object', HINT = 'Create the playbook first; stormops.playbooks lists them.';
  END IF;
  IF event_id IS NULL OR event_id = '' OR started_at IS NULL THEN
    RAISE EXCEPTION 'import_campaign: event_id and started_at are required'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Name the campaign''s event and when it started.';
  END IF;
  IF channel IS NOT NULL AND channel NOT IN (SELECT unnest(enum_range(NULL::stormops.channel))::text) THEN
    RAISE EXCEPTION 'import_campaign: unknown channel "%"', channel
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Channels: email, sms, phone, door_knock, direct_mail, paid_ads (or NULL: no contact events).';
  END IF;
  IF coalesce(cardinality(treated), 0) = 0 OR array_position(treated, NULL) IS NOT NULL
     OR control IS NULL OR array_position(control, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'import_campaign: treated must list at least one property id, and neither list may hold NULL'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'control may be empty: ''{}''.';
  END IF;
  SELECT t.id INTO bad FROM unnest(treated) WITH ORDINALITY t(id, n)
   WHERE t.id = ANY (control) ORDER BY t.n LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'import_campaign: property "%" is in both treated and control', bad
      USING ERRCODE = 'invalid_parameter_value', HINT = 'A property is treated or control, not both.';
  END IF;
  SELECT x.id INTO bad FROM (SELECT t.id, t.n FROM unnest(treated || control) WITH ORDINALITY t(id, n)) x
   GROUP BY x.id HAVING count(*) > 1 ORDER BY min(x.n) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'import_campaign: property "%" is listed twice', bad
      USING ERRCODE = 'invalid_parameter_value', HINT = 'List each property once.';
  END IF;
  SELECT t.id INTO bad FROM unnest(treated || control) WITH ORDINALITY t(id, n)
   WHERE NOT EXISTS (SELECT FROM stormops.properties p WHERE p.property_id = t.id) ORDER BY t.n LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'import_campaign: property "%" does not exist', bad
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Load the campaign''s properties into stormops.properties first.';
  END IF;

  -- outcomes: [{"property_id": ..., "event_type": ..., "at": ..., "revenue": ...}, ...]
  IF jsonb_typeof(coalesce(outcomes, '[]')) <> 'array' THEN
    RAISE EXCEPTION 'import_campaign: outcomes must be a JSON array'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = 'path: $',
            HINT = 'An array of {"property_id", "event_type", "at", "revenue"} objects.';
  END IF;
  -- the first outcome with a problem, and where
  SELECT x.n - 1, x.problem INTO bad_at, bad
    FROM (SELECT o.n, CASE
                 WHEN jsonb_typeof(o.e) <> 'object' THEN ''
                 WHEN jsonb_typeof(o.e -> 'property_id') IS DISTINCT FROM 'string'
                      OR NOT (o.e ->> 'property_id' = ANY (treated) OR o.e ->> 'property_id' = ANY (control)) THEN '.property_id'
                 WHEN o.e ->> 'event_type' IS NULL
                      OR o.e ->> 'event_type' NOT IN ('open', 'click', 'response', 'conversion', 'complaint', 'opt_out') THEN '.event_type'
                 WHEN jsonb_typeof(o.e -> 'at') IS DISTINCT FROM 'string' OR stormops.timestamptz_or_null(o.e ->> 'at') IS NULL THEN '.at'
                 WHEN o.e ? 'revenue' AND (o.e ->> 'event_type' <> 'conversion' OR jsonb_typeof(o.e -> 'revenue') <> 'number'
                                           OR (o.e ->> 'revenue')::numeric < 0 OR (o.e ->> 'revenue')::numeric > 2147483647
                                           OR (o.e ->> 'revenue')::numeric <> trunc((o.e ->> 'revenue')::numeric)) THEN '.revenue'
                 WHEN (SELECT count(*) FROM jsonb_object_keys(o.e) k
                        WHERE k NOT IN ('property_id', 'event_type', 'at', 'revenue', 'channel')) > 0 THEN '.'
                 WHEN o.e ? 'channel' AND (jsonb_typeof(o.e -> 'channel') <> 'string'
                      OR o.e ->> 'channel' NOT IN (SELECT unnest(enum_range(NULL::stormops.channel))::text)) THEN '.channel'
               END AS problem
            FROM jsonb_array_elements(coalesce(outcomes, '[]')) WITH ORDINALITY o(e, n)) x
   WHERE x.problem IS NOT NULL
   ORDER BY x.n LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'import_campaign: outcome % is not valid', bad_at
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('path: $[%s]%s', bad_at, bad),
            HINT = 'Each outcome is {"property_id": one of the listed properties, "event_type": open, click, response, '
                   'conversion, complaint or opt_out, "at": a timestamp, "revenue": whole dollars >= 0 on a '
                   'conversion only, "channel": optional}; nothing else.';
  END IF;

  INSERT INTO stormops.storm_events (event_id, event_type, begin_at, source)
  VALUES (import_campaign.event_id, 'campaign', started_at, 'import_campaign')
  ON CONFLICT ON CONSTRAINT storm_events_pkey DO NOTHING;
  IF EXISTS (SELECT FROM stormops.proposal_runs r
              WHERE r.playbook_id = play.playbook_id AND r.event_id = import_campaign.event_id) THEN
    RAISE EXCEPTION 'import_campaign: playbook "%" already has a run for event "%"', play.playbook_name, import_campaign.event_id
      USING ERRCODE = 'unique_violation', HINT = 'A playbook runs at most once per event; import under another event_id.';
  END IF;

  INSERT INTO stormops.playbook_executions (playbook_id, triggered_by_event_id, execution_start, execution_end, status,
                                            properties_targeted, playbook_version, end_reason)
  VALUES (play.playbook_id, import_campaign.event_id, started_at,
          started_at + stormops.days_interval(stormops.attribution_days()), 'Completed',
          cardinality(treated), play.playbook_version, 'imported by ' || session_user)
  RETURNING execution_id INTO exec;
  INSERT INTO stormops.proposal_runs (proposal_id, playbook_id, playbook_version, event_id, priority, trigger_reason,
                                      as_of, properties_targeted, properties_proposed, execution_id, outcome, imported)
  VALUES (run, play.playbook_id, play.playbook_version, import_campaign.event_id, play.priority,
          'imported campaign', started_at, cardinality(treated) + cardinality(control), cardinality(treated), exec,
          'execution created', true);
  INSERT INTO stormops.proposal_decisions (proposal_id, property_id, rank, decision, reason, execution_id)
  SELECT run, t.id, t.n, 'proposed'::stormops.decision, 'imported: treated', exec FROM unnest(treated) WITH ORDINALITY t(id, n)
  UNION ALL
  SELECT run, c.id, cardinality(treated) + c.n, 'holdout'::stormops.decision, 'imported: control', NULL
    FROM unnest(control) WITH ORDINALITY c(id, n);
  IF channel IS NOT NULL THEN
    INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, execution_id)
    SELECT t.id, 'contact', channel, started_at, exec FROM unnest(treated) t(id);
  END IF;
  INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, revenue, execution_id)
  SELECT o.property_id, o.event_type, o.channel, o.at, o.revenue,
         CASE WHEN o.property_id = ANY (treated) THEN exec END
    FROM (SELECT DISTINCT e ->> 'property_id' AS property_id, e ->> 'event_type' AS event_type, e ->> 'channel' AS channel,
                 (e ->> 'at')::timestamptz AS at, (e ->> 'revenue')::int4 AS revenue
            FROM jsonb_array_elements(coalesce(outcomes, '[]')) e) o
   WHERE NOT EXISTS (SELECT FROM stormops.behavior_events b
                      WHERE b.property_id = o.property_id AND b.event_timestamp = o.at
                        AND b.event_type = o.event_type AND b.revenue IS NOT DISTINCT FROM o.revenue);
  RETURN run;
END;
$$;
COMMENT ON FUNCTION stormops.import_campaign(pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text[],
                                             pg_catalog.text[], pg_catalog.jsonb, pg_catalog.text) IS
  'Admin: loads a past campaign (treated and control lists, outcomes) as an imported run of a playbook for an event; returns the proposal_id (docs/retrospectives.md).';
