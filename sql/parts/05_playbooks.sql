-- Playbooks (the plays), their version history and their executions.

-- Semantic versions: MAJOR.MINOR.PATCH with an optional leading "v" (the
-- seed writes "v1.2.0"); compared numerically.
CREATE FUNCTION stormops.is_semver(version pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT version OPERATOR(pg_catalog.~)
         '^v?(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$';
END;

CREATE FUNCTION stormops.semver_key(version pg_catalog.text)
RETURNS pg_catalog.int8[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN stormops.is_semver(version)
              THEN pg_catalog.string_to_array(pg_catalog.ltrim(version, 'v'), '.')::pg_catalog.int8[]
         END;
END;

CREATE FUNCTION stormops.semver_bump(version pg_catalog.text, part pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  k int8[] := stormops.semver_key(version);
  prefix text := CASE WHEN left(version, 1) = 'v' THEN 'v' ELSE '' END;
BEGIN
  IF k IS NULL THEN
    RAISE EXCEPTION 'invalid playbook version %', quote_literal(version)
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'A semantic version MAJOR.MINOR.PATCH such as 1.2.0 or v1.2.0.';
  END IF;
  CASE part
    WHEN 'major' THEN k := ARRAY[k[1] + 1, 0, 0];
    WHEN 'minor' THEN k := ARRAY[k[1], k[2] + 1, 0];
    WHEN 'patch' THEN k := ARRAY[k[1], k[2], k[3] + 1];
    ELSE
      RAISE EXCEPTION 'unknown version part %', quote_literal(part)
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Bump major, minor or patch.';
  END CASE;
  RETURN prefix || array_to_string(k, '.');
END;
$$;

-- Cost of one contact by channel, in dollars. Built-in defaults, overridden
-- site-wide by channel_costs and per playbook by playbooks.cost_per_contact.
CREATE FUNCTION stormops.default_channel_cost(ch stormops.channel)
RETURNS pg_catalog.numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE ch
           WHEN 'email' THEN 0.05
           WHEN 'sms' THEN 0.10
           WHEN 'phone' THEN 4.00
           WHEN 'door_knock' THEN 20.00
           WHEN 'direct_mail' THEN 1.25
           WHEN 'paid_ads' THEN 0.50
         END::pg_catalog.numeric;
END;

CREATE TABLE stormops.channel_costs (
  channel           stormops.channel PRIMARY KEY,
  cost_per_contact  pg_catalog.numeric(10,2) NOT NULL
                    CONSTRAINT channel_costs_cost_range CHECK (cost_per_contact OPERATOR(pg_catalog.>=) 0),
  updated_at        pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE stormops.channel_costs IS
  'Site-wide cost per contact by channel; channels without a row use stormops.default_channel_cost.';

CREATE TABLE stormops.playbooks (
  playbook_id                  pg_catalog.uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
  playbook_name                pg_catalog.text NOT NULL UNIQUE
                               CONSTRAINT playbooks_name_format
                               CHECK (playbook_name OPERATOR(pg_catalog.~) '^[^[:space:][:cntrl:]]([^[:cntrl:]]{0,198}[^[:space:][:cntrl:]])?$'),
  playbook_version             pg_catalog.text NOT NULL DEFAULT '1.0.0'
                               CONSTRAINT playbooks_version_semver CHECK (stormops.is_semver(playbook_version)),
  status                       stormops.playbook_status NOT NULL DEFAULT 'Draft',
  targeting_rules              stormops.targeting_rules NOT NULL,
  expected_property_count      pg_catalog.int4
                               CONSTRAINT playbooks_expected_count_range CHECK (expected_property_count OPERATOR(pg_catalog.>=) 0),
  channel_strategy             stormops.channel_strategy NOT NULL,
  message_variants             pg_catalog.jsonb
                               CONSTRAINT playbooks_message_variants_object
                               CHECK (pg_catalog.jsonb_typeof(message_variants) OPERATOR(pg_catalog.=) 'object'),
  max_daily_contacts           pg_catalog.int4
                               CONSTRAINT playbooks_max_daily_contacts_range CHECK (max_daily_contacts OPERATOR(pg_catalog.>=) 0),
  max_concurrent_properties    pg_catalog.int4
                               CONSTRAINT playbooks_max_concurrent_range CHECK (max_concurrent_properties OPERATOR(pg_catalog.>=) 0),
  team_size_required           pg_catalog.int4
                               CONSTRAINT playbooks_team_size_range CHECK (team_size_required OPERATOR(pg_catalog.>=) 0),
  budget_allocated             pg_catalog.int4
                               CONSTRAINT playbooks_budget_range CHECK (budget_allocated OPERATOR(pg_catalog.>=) 0),
  target_conversion_rate       pg_catalog.numeric(5,4)
                               CONSTRAINT playbooks_target_conversion_range
                               CHECK (target_conversion_rate OPERATOR(pg_catalog.>=) 0 AND target_conversion_rate OPERATOR(pg_catalog.<=) 1),
  target_avg_ticket            pg_catalog.int4
                               CONSTRAINT playbooks_target_ticket_range CHECK (target_avg_ticket OPERATOR(pg_catalog.>=) 0),
  target_roi                   pg_catalog.numeric(5,2)
                               CONSTRAINT playbooks_target_roi_range CHECK (target_roi OPERATOR(pg_catalog.>=) -1),
  requires_vector_search       pg_catalog.bool DEFAULT false,
  requires_graph_analysis      pg_catalog.bool DEFAULT false,
  requires_streaming_triggers  pg_catalog.bool DEFAULT false,
  requires_ml_scoring          pg_catalog.bool DEFAULT false,
  created_by                   pg_catalog.text DEFAULT CURRENT_USER,
  created_at                   pg_catalog.timestamptz DEFAULT pg_catalog.now(),
  updated_at                   pg_catalog.timestamptz DEFAULT pg_catalog.now(),
  -- Beyond the seed's DDL; each has a default so the seed's INSERTs work.
  min_property_count           pg_catalog.int4 NOT NULL DEFAULT 1
                               CONSTRAINT playbooks_min_property_count_range CHECK (min_property_count OPERATOR(pg_catalog.>=) 1),
  priority                     pg_catalog.int4 NOT NULL DEFAULT 100
                               CONSTRAINT playbooks_priority_range CHECK (priority OPERATOR(pg_catalog.>=) 1),
  holdout_share                pg_catalog.numeric NOT NULL DEFAULT 0.10
                               CONSTRAINT playbooks_holdout_share_range
                               CHECK (holdout_share OPERATOR(pg_catalog.>=) 0 AND holdout_share OPERATOR(pg_catalog.<) 1),
  cost_per_contact             pg_catalog.jsonb NOT NULL DEFAULT '{}'
                               CONSTRAINT playbooks_cost_per_contact_valid CHECK (stormops.validate_channel_costs(cost_per_contact)),
  updated_by                   pg_catalog.text DEFAULT CURRENT_USER
);
COMMENT ON TABLE stormops.playbooks IS
  'The plays: targeting, channel mix, capacity, budget and goals. Reference: docs/playbook-reference.md.';
COMMENT ON COLUMN stormops.playbooks.target_roi IS
  'Return on investment as a ratio, (revenue - cost) / cost: 4.00 means 400%.';
COMMENT ON COLUMN stormops.playbooks.holdout_share IS
  'Share of targeted properties held out as the no-contact control group (0 <= share < 1).';
COMMENT ON COLUMN stormops.playbooks.cost_per_contact IS
  'Per-playbook cost per contact by channel in dollars, e.g. {"door_knock": 18}; overrides channel_costs.';
CREATE INDEX playbooks_status_idx ON stormops.playbooks (status, priority, playbook_name);

CREATE TABLE stormops.playbook_versions (
  playbook_id       pg_catalog.uuid NOT NULL REFERENCES stormops.playbooks (playbook_id) ON DELETE CASCADE,
  playbook_version  pg_catalog.text NOT NULL,
  playbook          pg_catalog.jsonb NOT NULL,
  superseded_at     pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  superseded_by     pg_catalog.text,
  PRIMARY KEY (playbook_id, playbook_version)
);
COMMENT ON TABLE stormops.playbook_versions IS
  'Every superseded version of a playbook, as the whole row in jsonb; written only by the playbooks trigger.';

CREATE TABLE stormops.playbook_executions (
  execution_id               pg_catalog.uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
  playbook_id                pg_catalog.uuid NOT NULL REFERENCES stormops.playbooks (playbook_id),
  triggered_by_event_id      pg_catalog.text REFERENCES stormops.storm_events (event_id),
  execution_start            pg_catalog.timestamptz DEFAULT pg_catalog.now(),
  execution_end              pg_catalog.timestamptz,
  status                     stormops.execution_status NOT NULL DEFAULT 'Running',
  properties_targeted        pg_catalog.int4 CONSTRAINT playbook_executions_targeted_range CHECK (properties_targeted OPERATOR(pg_catalog.>=) 0),
  properties_contacted       pg_catalog.int4 CONSTRAINT playbook_executions_contacted_range CHECK (properties_contacted OPERATOR(pg_catalog.>=) 0),
  properties_converted       pg_catalog.int4 CONSTRAINT playbook_executions_converted_range CHECK (properties_converted OPERATOR(pg_catalog.>=) 0),
  total_revenue              pg_catalog.int4,
  total_cost                 pg_catalog.int4,
  roi                        pg_catalog.numeric(12,2),
  avg_ticket                 pg_catalog.int4,
  conversion_rate            pg_catalog.numeric(5,4)
                             CONSTRAINT playbook_executions_conversion_range
                             CHECK (conversion_rate OPERATOR(pg_catalog.>=) 0 AND conversion_rate OPERATOR(pg_catalog.<=) 1),
  conversion_rate_vs_target  pg_catalog.numeric(12,2),
  roi_vs_target              pg_catalog.numeric(12,2),
  vector_search_queries      pg_catalog.int4 DEFAULT 0,
  ml_scoring_runs            pg_catalog.int4 DEFAULT 0,
  streaming_triggers_fired   pg_catalog.int4 DEFAULT 0,
  created_at                 pg_catalog.timestamptz DEFAULT pg_catalog.now(),
  playbook_version           pg_catalog.text,
  CONSTRAINT playbook_executions_end_after_start CHECK (execution_end OPERATOR(pg_catalog.>=) execution_start),
  -- 0.2.0: the playbook's strategy when the execution was made; its plans follow it
  channel_strategy           pg_catalog.jsonb,
  message_variants           pg_catalog.jsonb,
  end_reason                 pg_catalog.text
);
COMMENT ON COLUMN stormops.playbook_executions.channel_strategy IS
  'The playbook''s channel_strategy when the execution was made: its contact plans follow it, whatever later revisions say.';
COMMENT ON COLUMN stormops.playbook_executions.message_variants IS
  'The playbook''s message_variants when the execution was made: the scripts its contacts carry.';
COMMENT ON COLUMN stormops.playbook_executions.end_reason IS
  'Why the execution ended: completed (by whom, or every step final), or the reason it was aborted.';
COMMENT ON TABLE stormops.playbook_executions IS
  'One run of a playbook, at most one per (playbook, storm event). roi is a ratio like target_roi; the _vs_target columns are percentage differences.';
-- Once and only once per (playbook, event).
CREATE UNIQUE INDEX playbook_executions_once_per_event
  ON stormops.playbook_executions (playbook_id, triggered_by_event_id)
  WHERE triggered_by_event_id IS NOT NULL;
CREATE INDEX playbook_executions_event_idx ON stormops.playbook_executions (triggered_by_event_id);
CREATE INDEX playbook_executions_start_idx ON stormops.playbook_executions (execution_start);
