-- stormops 0.1.0 install script, assembled by the Makefile from sql/0.1.0/*.sql.
--
-- Safety rules for every part: each name is schema-qualified (operators as
-- OPERATOR(pg_catalog.=)), SQL functions use SQL-standard bodies (parsed here,
-- at install time), PL/pgSQL functions pin search_path to pg_catalog, pg_temp,
-- and SECURITY DEFINER is used only where a role must write what it may not
-- touch directly (the playbook history).

\echo Use "CREATE EXTENSION stormops" to load this file. \quit
-- Enumerations and validated JSON domains of a playbook.

CREATE TYPE stormops.playbook_status AS ENUM ('Draft', 'Active', 'Paused', 'Retired');
COMMENT ON TYPE stormops.playbook_status IS
  'Lifecycle of a playbook: Draft -> Active <-> Paused, any -> Retired (final).';

CREATE TYPE stormops.execution_status AS ENUM ('Running', 'Completed', 'Aborted');

CREATE TYPE stormops.channel AS ENUM
  ('email', 'sms', 'phone', 'door_knock', 'direct_mail', 'paid_ads');

-- In the order a proposal run checks them (proposals.md).
CREATE TYPE stormops.decision AS ENUM
  ('suppressed', 'escalated', 'throttled', 'busy', 'holdout', 'over_capacity', 'proposed');

-- Validators raise SQLSTATE 22023 with DETAIL naming the JSON path and HINT
-- saying what is accepted; they return true otherwise (so a domain CHECK
-- reports the precise problem, not "violates check constraint").
CREATE FUNCTION stormops.validate_targeting_rules(rules pg_catalog.jsonb)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'stormops_validate_targeting_rules'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION stormops.validate_channel_strategy(strategy pg_catalog.jsonb)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'stormops_validate_channel_strategy'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION stormops.validate_channel_costs(costs pg_catalog.jsonb)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'stormops_validate_channel_costs'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The same checks without raising: zero rows when valid, one row naming the
-- first problem otherwise. For a control plane that shows errors in a form.
CREATE FUNCTION stormops.check_targeting_rules(rules pg_catalog.jsonb,
  OUT path pg_catalog.text, OUT problem pg_catalog.text,
  OUT expected pg_catalog.text, OUT found pg_catalog.text)
RETURNS SETOF pg_catalog.record
AS 'MODULE_PATHNAME', 'stormops_check_targeting_rules'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1;

CREATE FUNCTION stormops.check_channel_strategy(strategy pg_catalog.jsonb,
  OUT path pg_catalog.text, OUT problem pg_catalog.text,
  OUT expected pg_catalog.text, OUT found pg_catalog.text)
RETURNS SETOF pg_catalog.record
AS 'MODULE_PATHNAME', 'stormops_check_channel_strategy'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1;

CREATE DOMAIN stormops.targeting_rules AS pg_catalog.jsonb
  CONSTRAINT targeting_rules_valid CHECK (stormops.validate_targeting_rules(VALUE));
COMMENT ON DOMAIN stormops.targeting_rules IS
  'Whom a play targets: physics, geography, demographics, psychographics, behavioral, competition, similarity (docs/playbook-reference.md).';

CREATE DOMAIN stormops.channel_strategy AS pg_catalog.jsonb
  CONSTRAINT channel_strategy_valid CHECK (stormops.validate_channel_strategy(VALUE));
COMMENT ON DOMAIN stormops.channel_strategy IS
  'How a play contacts: a numbered sequence of channel steps plus adaptive settings (docs/playbook-reference.md).';

-- Embeddings: one-dimensional and not empty, no NULL, NaN or infinite element. That all rows
-- share one dimension is checked where embeddings are compared.
CREATE FUNCTION stormops.embedding_is_valid(embedding pg_catalog.float4[])
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT embedding IS NULL
      OR (COALESCE(pg_catalog.array_ndims(embedding), 0) OPERATOR(pg_catalog.=) 1
          AND pg_catalog.array_position(embedding, NULL::pg_catalog.float4) IS NULL
          AND NOT (embedding OPERATOR(pg_catalog.&&)
                   '{NaN,Infinity,-Infinity}'::pg_catalog.float4[]));
END;
-- Places: ZIP codes and census tracts (small reference tables), properties
-- and what is known about each property (per-property tables carry
-- property_id so they can be distributed by it).

CREATE FUNCTION stormops.is_zip(code pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT code OPERATOR(pg_catalog.~) '^[0-9]{5}$';
END;

CREATE FUNCTION stormops.is_tract_geoid(geoid pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT geoid OPERATOR(pg_catalog.~) '^[0-9]{11}$';
END;

CREATE TABLE stormops.zip_codes (
  zip                   pg_catalog.text PRIMARY KEY
                        CONSTRAINT zip_codes_zip_format CHECK (stormops.is_zip(zip)),
  city                  pg_catalog.text,
  state                 pg_catalog.text
                        CONSTRAINT zip_codes_state_format CHECK (state OPERATOR(pg_catalog.~) '^[A-Z]{2}$'),
  housing_units         pg_catalog.int4
                        CONSTRAINT zip_codes_housing_units_range CHECK (housing_units OPERATOR(pg_catalog.>=) 0),
  owner_occupied_units  pg_catalog.int4
                        CONSTRAINT zip_codes_owner_units_range CHECK (owner_occupied_units OPERATOR(pg_catalog.>=) 0),
  lat                   pg_catalog.float8
                        CONSTRAINT zip_codes_lat_range CHECK (lat OPERATOR(pg_catalog.>=) -90 AND lat OPERATOR(pg_catalog.<=) 90),
  lon                   pg_catalog.float8
                        CONSTRAINT zip_codes_lon_range CHECK (lon OPERATOR(pg_catalog.>=) -180 AND lon OPERATOR(pg_catalog.<=) 180)
);
COMMENT ON TABLE stormops.zip_codes IS
  'ZIP codes (ZCTAs) with housing figures; a reference table. Competition is per housing unit.';

CREATE TABLE stormops.census_tracts (
  tract_geoid              pg_catalog.text PRIMARY KEY
                           CONSTRAINT census_tracts_geoid_format CHECK (stormops.is_tract_geoid(tract_geoid)),
  median_household_income  pg_catalog.int4
                           CONSTRAINT census_tracts_income_range CHECK (median_household_income OPERATOR(pg_catalog.>=) 0),
  homeownership_rate       pg_catalog.numeric
                           CONSTRAINT census_tracts_homeownership_range
                           CHECK (homeownership_rate OPERATOR(pg_catalog.>=) 0 AND homeownership_rate OPERATOR(pg_catalog.<=) 1),
  ses_tier                 pg_catalog.text
                           CONSTRAINT census_tracts_ses_tier_known
                           CHECK (ses_tier OPERATOR(pg_catalog.=) ANY ('{High,Medium,Low}'::pg_catalog.text[])),
  embedding                pg_catalog.float4[]
                           CONSTRAINT census_tracts_embedding_valid CHECK (stormops.embedding_is_valid(embedding))
);
COMMENT ON TABLE stormops.census_tracts IS
  'Census tracts with demographics and a neighbourhood embedding; a reference table.';

CREATE TABLE stormops.properties (
  property_id        pg_catalog.text PRIMARY KEY
                     CONSTRAINT properties_id_not_empty CHECK (property_id OPERATOR(pg_catalog.<>) ''),
  zip                pg_catalog.text NOT NULL
                     CONSTRAINT properties_zip_format CHECK (stormops.is_zip(zip)),
  tract_geoid        pg_catalog.text REFERENCES stormops.census_tracts (tract_geoid),
  lat                pg_catalog.float8
                     CONSTRAINT properties_lat_range CHECK (lat OPERATOR(pg_catalog.>=) -90 AND lat OPERATOR(pg_catalog.<=) 90),
  lon                pg_catalog.float8
                     CONSTRAINT properties_lon_range CHECK (lon OPERATOR(pg_catalog.>=) -180 AND lon OPERATOR(pg_catalog.<=) 180),
  roof_install_year  pg_catalog.int4
                     CONSTRAINT properties_roof_year_range
                     CHECK (roof_install_year OPERATOR(pg_catalog.>=) 1800 AND roof_install_year OPERATOR(pg_catalog.<=) 2200),
  persona            pg_catalog.text,
  customer_id        pg_catalog.text,
  is_past_customer   pg_catalog.bool NOT NULL DEFAULT false,
  lifetime_value     pg_catalog.int4
                     CONSTRAINT properties_ltv_range CHECK (lifetime_value OPERATOR(pg_catalog.>=) 0),
  embedding          pg_catalog.float4[]
                     CONSTRAINT properties_embedding_valid CHECK (stormops.embedding_is_valid(embedding))
);
COMMENT ON TABLE stormops.properties IS
  'Every property a play may target; distributed by property_id.';
-- Embeddings stay in the row (MAIN), not in TOAST: a similarity scan then
-- reads them where they are. Measured in bench/similarity: 1,024-dimension
-- embeddings scan 2.4x faster than with the default (which moves rows over
-- 2 kB out of line); up to ~480 dimensions rows are inline either way, and
-- MAIN still moves out of line what cannot fit a page, so nothing is refused.
ALTER TABLE stormops.properties ALTER COLUMN embedding SET STORAGE MAIN;
ALTER TABLE stormops.census_tracts ALTER COLUMN embedding SET STORAGE MAIN;
CREATE INDEX properties_zip_idx ON stormops.properties (zip);
CREATE INDEX properties_tract_idx ON stormops.properties (tract_geoid);
CREATE INDEX properties_customer_idx ON stormops.properties (customer_id)
  WHERE customer_id IS NOT NULL;
-- Footprint searches (a storm report's radius) start from a latitude band.
CREATE INDEX properties_lat_lon_idx ON stormops.properties (lat, lon);

CREATE TABLE stormops.cohorts (
  cohort_name  pg_catalog.text NOT NULL
               CONSTRAINT cohorts_name_not_empty CHECK (cohort_name OPERATOR(pg_catalog.<>) ''),
  property_id  pg_catalog.text NOT NULL REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  PRIMARY KEY (cohort_name, property_id)
);
COMMENT ON TABLE stormops.cohorts IS
  'Named reference sets of properties, e.g. top_50_high_margin_conversions, used by similarity targeting.';
CREATE INDEX cohorts_property_idx ON stormops.cohorts (property_id);

CREATE TABLE stormops.property_scores (
  property_id    pg_catalog.text PRIMARY KEY REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  uplift_score   pg_catalog.float8,
  churn_risk     pg_catalog.float8
                 CONSTRAINT property_scores_churn_range
                 CHECK (churn_risk OPERATOR(pg_catalog.>=) 0 AND churn_risk OPERATOR(pg_catalog.<=) 1),
  ltv_score      pg_catalog.float8,
  model_version  pg_catalog.text,
  scored_at      pg_catalog.timestamptz
);
COMMENT ON TABLE stormops.property_scores IS 'Model outputs, one row per property.';
-- Storms: events (what a play reacts to), their point reports, and the storm
-- impact index (SII) of each property for an event.

CREATE TABLE stormops.storm_events (
  event_id    pg_catalog.text PRIMARY KEY
              CONSTRAINT storm_events_id_not_empty CHECK (event_id OPERATOR(pg_catalog.<>) ''),
  event_type  pg_catalog.text NOT NULL
              CONSTRAINT storm_events_type_format CHECK (event_type OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]*$'),
  magnitude   pg_catalog.numeric
              CONSTRAINT storm_events_magnitude_range CHECK (magnitude OPERATOR(pg_catalog.>=) 0),
  begin_at    pg_catalog.timestamptz NOT NULL,
  end_at      pg_catalog.timestamptz,
  lat         pg_catalog.float8
              CONSTRAINT storm_events_lat_range CHECK (lat OPERATOR(pg_catalog.>=) -90 AND lat OPERATOR(pg_catalog.<=) 90),
  lon         pg_catalog.float8
              CONSTRAINT storm_events_lon_range CHECK (lon OPERATOR(pg_catalog.>=) -180 AND lon OPERATOR(pg_catalog.<=) 180),
  radius_km   pg_catalog.float8
              CONSTRAINT storm_events_radius_range CHECK (radius_km OPERATOR(pg_catalog.>) 0),
  source      pg_catalog.text,
  created_at  pg_catalog.timestamptz DEFAULT pg_catalog.now(),
  CONSTRAINT storm_events_end_after_begin CHECK (end_at OPERATOR(pg_catalog.>=) begin_at)
);
COMMENT ON TABLE stormops.storm_events IS
  'Storm events (for NOAA data: one episode and event type); event_type is lower case: hail, wind, tornado, ...';
CREATE INDEX storm_events_begin_idx ON stormops.storm_events (begin_at);

CREATE TABLE stormops.storm_reports (
  report_id    pg_catalog.text PRIMARY KEY
               CONSTRAINT storm_reports_id_not_empty CHECK (report_id OPERATOR(pg_catalog.<>) ''),
  event_id     pg_catalog.text NOT NULL REFERENCES stormops.storm_events (event_id) ON DELETE CASCADE,
  reported_at  pg_catalog.timestamptz NOT NULL,
  lat          pg_catalog.float8 NOT NULL
               CONSTRAINT storm_reports_lat_range CHECK (lat OPERATOR(pg_catalog.>=) -90 AND lat OPERATOR(pg_catalog.<=) 90),
  lon          pg_catalog.float8 NOT NULL
               CONSTRAINT storm_reports_lon_range CHECK (lon OPERATOR(pg_catalog.>=) -180 AND lon OPERATOR(pg_catalog.<=) 180),
  magnitude    pg_catalog.numeric
               CONSTRAINT storm_reports_magnitude_range CHECK (magnitude OPERATOR(pg_catalog.>=) 0),
  radius_km    pg_catalog.float8
               CONSTRAINT storm_reports_radius_range CHECK (radius_km OPERATOR(pg_catalog.>) 0),
  source       pg_catalog.text
);
COMMENT ON TABLE stormops.storm_reports IS 'Point observations of a storm event.';
CREATE INDEX storm_reports_event_idx ON stormops.storm_reports (event_id);

CREATE TABLE stormops.property_impacts (
  property_id  pg_catalog.text NOT NULL REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  event_id     pg_catalog.text NOT NULL REFERENCES stormops.storm_events (event_id) ON DELETE CASCADE,
  sii_score    pg_catalog.numeric NOT NULL
               CONSTRAINT property_impacts_sii_range
               CHECK (sii_score OPERATOR(pg_catalog.>=) 0 AND sii_score OPERATOR(pg_catalog.<=) 100),
  PRIMARY KEY (property_id, event_id)
);
COMMENT ON TABLE stormops.property_impacts IS
  'Storm impact index (SII, 0..100) of a property for an event, from a vendor or compute_impacts.';
-- Event-triggered targeting reads the impacts of one event, strongest first.
CREATE INDEX property_impacts_event_sii_idx
  ON stormops.property_impacts (event_id, sii_score DESC) INCLUDE (property_id);
-- What happens around properties: every touch and reaction (append-only),
-- competitors' permits, and competition per ZIP.

CREATE TABLE stormops.behavior_events (
  behavior_event_id  pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  property_id        pg_catalog.text NOT NULL REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  customer_id        pg_catalog.text,
  event_type         pg_catalog.text NOT NULL
                     CONSTRAINT behavior_events_type_known
                     CHECK (event_type OPERATOR(pg_catalog.=) ANY
                            ('{contact,open,click,response,complaint,opt_out,conversion}'::pg_catalog.text[])),
  channel            pg_catalog.text
                     CONSTRAINT behavior_events_channel_known
                     CHECK (channel OPERATOR(pg_catalog.=) ANY
                            ('{email,sms,phone,door_knock,direct_mail,paid_ads}'::pg_catalog.text[])),
  event_timestamp    pg_catalog.timestamptz NOT NULL,
  complaint          pg_catalog.bool NOT NULL DEFAULT false,
  revenue            pg_catalog.int4
                     CONSTRAINT behavior_events_revenue_range CHECK (revenue OPERATOR(pg_catalog.>=) 0),
  execution_id       pg_catalog.uuid
);
COMMENT ON TABLE stormops.behavior_events IS
  'Every touch and reaction, append-only. channel is text (not the enum) so loads from text staging need no casts.';
CREATE INDEX behavior_events_property_time_idx
  ON stormops.behavior_events (property_id, event_timestamp);
CREATE INDEX behavior_events_execution_idx
  ON stormops.behavior_events (execution_id) WHERE execution_id IS NOT NULL;

CREATE TABLE stormops.competitor_permits (
  permit_id        pg_catalog.text PRIMARY KEY
                   CONSTRAINT competitor_permits_id_not_empty CHECK (permit_id OPERATOR(pg_catalog.<>) ''),
  zip              pg_catalog.text NOT NULL
                   CONSTRAINT competitor_permits_zip_format CHECK (stormops.is_zip(zip)),
  tract_geoid      pg_catalog.text
                   CONSTRAINT competitor_permits_geoid_format CHECK (stormops.is_tract_geoid(tract_geoid)),
  contractor_id    pg_catalog.text NOT NULL,
  contractor_name  pg_catalog.text,
  contractor_tier  pg_catalog.text
                   CONSTRAINT competitor_permits_tier_known
                   CHECK (contractor_tier OPERATOR(pg_catalog.=) ANY ('{Tier1,Tier2,Tier3}'::pg_catalog.text[])),
  filed_at         pg_catalog.timestamptz NOT NULL
);
COMMENT ON TABLE stormops.competitor_permits IS 'Building permits filed by other contractors.';
CREATE INDEX competitor_permits_zip_time_idx ON stormops.competitor_permits (zip, filed_at);

CREATE TABLE stormops.zip_competition (
  zip                  pg_catalog.text PRIMARY KEY
                       CONSTRAINT zip_competition_zip_format CHECK (stormops.is_zip(zip)),
  competitor_pressure  pg_catalog.numeric
                       CONSTRAINT zip_competition_pressure_range
                       CHECK (competitor_pressure OPERATOR(pg_catalog.>=) 0 AND competitor_pressure OPERATOR(pg_catalog.<=) 1),
  white_space_score    pg_catalog.numeric
                       CONSTRAINT zip_competition_white_space_range
                       CHECK (white_space_score OPERATOR(pg_catalog.>=) 0 AND white_space_score OPERATOR(pg_catalog.<=) 100)
);
COMMENT ON TABLE stormops.zip_competition IS 'Competition per ZIP, computed from permits or loaded; a reference table.';
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
  CONSTRAINT playbook_executions_end_after_start CHECK (execution_end OPERATOR(pg_catalog.>=) execution_start)
);
COMMENT ON TABLE stormops.playbook_executions IS
  'One run of a playbook, at most one per (playbook, storm event). roi is a ratio like target_roi; the _vs_target columns are percentage differences.';
-- Once and only once per (playbook, event).
CREATE UNIQUE INDEX playbook_executions_once_per_event
  ON stormops.playbook_executions (playbook_id, triggered_by_event_id)
  WHERE triggered_by_event_id IS NOT NULL;
CREATE INDEX playbook_executions_event_idx ON stormops.playbook_executions (triggered_by_event_id);
CREATE INDEX playbook_executions_start_idx ON stormops.playbook_executions (execution_start);
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

-- Apply `changes` (column -> new value) to a playbook as a new version.
-- bump: major, minor or patch; by default minor when the targeting rules or
-- the channel strategy change, patch otherwise.
CREATE FUNCTION stormops.revise_playbook(name pg_catalog.text, changes pg_catalog.jsonb,
                                         bump pg_catalog.text DEFAULT NULL)
RETURNS stormops.playbooks
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  editable constant text[] := '{playbook_name,targeting_rules,expected_property_count,channel_strategy,'
    'message_variants,max_daily_contacts,max_concurrent_properties,team_size_required,budget_allocated,'
    'target_conversion_rate,target_avg_ticket,target_roi,requires_vector_search,requires_graph_analysis,'
    'requires_streaming_triggers,requires_ml_scoring,min_property_count,priority,holdout_share,cost_per_contact}';
  pb stormops.playbooks := stormops.lock_playbook(name);
  k text;
  err_state text;
  err_message text;
  err_detail text;
  err_hint text;
BEGIN
  IF changes IS NULL OR jsonb_typeof(changes) <> 'object' OR changes = '{}' THEN
    RAISE EXCEPTION 'changes must be a non-empty JSON object'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('JSON path: changes; found %s.', coalesce(changes::text, 'NULL')),
            HINT = 'Pass {"column": new value, ...}, e.g. {"budget_allocated": 20000}.';
  END IF;
  IF pb.status = 'Retired' THEN
    RAISE EXCEPTION 'playbook "%" is retired and cannot change', name
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'Column status: Retired is final.',
            HINT = 'Copy it into a new playbook (INSERT ... SELECT with a new playbook_name) to run it again.';
  END IF;

  FOR k IN SELECT jsonb_object_keys(changes) ORDER BY 1 LOOP
    IF k = ANY ('{playbook_id,playbook_version,status,created_at,created_by,updated_at,updated_by}'::text[]) THEN
      RAISE EXCEPTION 'revise_playbook cannot change %', k
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = format('JSON path: changes.%s.', k),
              HINT = CASE k WHEN 'status' THEN 'Use activate_playbook, pause_playbook or retire_playbook.'
                            WHEN 'playbook_version' THEN 'The version is bumped for you; choose the part with the bump argument (major, minor, patch).'
                            ELSE 'It is kept by the database.' END;
    END IF;
    IF NOT k = ANY (editable) THEN
      RAISE EXCEPTION 'playbooks has no editable column %', quote_ident(k)
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = format('JSON path: changes.%s.', k),
              HINT = 'Editable columns: ' || array_to_string(editable, ', ') || '.';
    END IF;
    -- One key at a time, so a bad value is reported at its own path.
    BEGIN
      pb := jsonb_populate_record(pb, jsonb_build_object(k, changes -> k));
    EXCEPTION WHEN data_exception OR integrity_constraint_violation THEN
      GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT,
                              err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT;
      -- A validator's "JSON path: physics.min_sii_score; ..." becomes
      -- "JSON path: changes.targeting_rules.physics.min_sii_score; ...".
      err_detail := CASE
        WHEN err_detail LIKE 'JSON path: (top level)%' THEN
          format('JSON path: changes.%s', k) || substr(err_detail, length('JSON path: (top level)') + 1)
        WHEN err_detail LIKE 'JSON path: %' THEN
          format('JSON path: changes.%s.', k) || substr(err_detail, length('JSON path: ') + 1)
        ELSE format('JSON path: changes.%s; found %s.', k, changes -> k)
      END;
      RAISE EXCEPTION '%', err_message
        USING ERRCODE = err_state,
              DETAIL = err_detail,
              HINT = coalesce(nullif(err_hint, ''),
                              'Give a value of the column''s type; see docs/playbook-reference.md.');
    END;
  END LOOP;

  UPDATE stormops.playbooks p SET
    playbook_name = pb.playbook_name,
    targeting_rules = pb.targeting_rules,
    expected_property_count = pb.expected_property_count,
    channel_strategy = pb.channel_strategy,
    message_variants = pb.message_variants,
    max_daily_contacts = pb.max_daily_contacts,
    max_concurrent_properties = pb.max_concurrent_properties,
    team_size_required = pb.team_size_required,
    budget_allocated = pb.budget_allocated,
    target_conversion_rate = pb.target_conversion_rate,
    target_avg_ticket = pb.target_avg_ticket,
    target_roi = pb.target_roi,
    requires_vector_search = pb.requires_vector_search,
    requires_graph_analysis = pb.requires_graph_analysis,
    requires_streaming_triggers = pb.requires_streaming_triggers,
    requires_ml_scoring = pb.requires_ml_scoring,
    min_property_count = pb.min_property_count,
    priority = pb.priority,
    holdout_share = pb.holdout_share,
    cost_per_contact = pb.cost_per_contact,
    playbook_version = stormops.semver_bump(pb.playbook_version, coalesce(bump,
      CASE WHEN changes ?| '{targeting_rules,channel_strategy}'::text[] THEN 'minor' ELSE 'patch' END))
  WHERE p.playbook_id = pb.playbook_id
  RETURNING * INTO pb;
  RETURN pb;
END;
$$;
COMMENT ON FUNCTION stormops.revise_playbook(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text) IS
  'Applies {"column": value, ...} to a playbook as a new semantic version and keeps the previous one in playbook_versions.';

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
-- Targeting: vector functions, polygon containment, the compiler and the
-- functions that run what it compiles (docs/targeting.md).

CREATE FUNCTION stormops.cosine_similarity(a pg_catalog.float4[], b pg_catalog.float4[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_cosine_similarity'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION stormops.cosine_similarity(pg_catalog.float4[], pg_catalog.float4[]) IS
  'Cosine similarity of two embeddings of one dimension; NULL when either is all zeros.';

CREATE FUNCTION stormops.l2_distance(a pg_catalog.float4[], b pg_catalog.float4[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_l2_distance'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION stormops.l2_distance(pg_catalog.float4[], pg_catalog.float4[]) IS
  'Euclidean distance of two embeddings of one dimension.';

-- Against a double precision centroid (what embedding_avg returns), so the
-- mean of the references is never rounded to real before it is compared.
-- (Names of their own: overloads of cosine_similarity would make a call with
-- two array literals ambiguous.)
CREATE FUNCTION stormops.cosine_to_centroid(a pg_catalog.float4[], centroid pg_catalog.float8[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_cosine_to_centroid'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;

CREATE FUNCTION stormops.l2_to_centroid(a pg_catalog.float4[], centroid pg_catalog.float8[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_l2_to_centroid'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;

CREATE FUNCTION stormops.embedding_avg_accum(state pg_catalog.internal, embedding pg_catalog.float4[])
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'stormops_embedding_avg_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION stormops.embedding_avg_final(state pg_catalog.internal)
RETURNS pg_catalog.float8[]
AS 'MODULE_PATHNAME', 'stormops_embedding_avg_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE stormops.embedding_avg(pg_catalog.float4[]) (
  SFUNC = stormops.embedding_avg_accum,
  STYPE = pg_catalog.internal,
  FINALFUNC = stormops.embedding_avg_final
);
COMMENT ON AGGREGATE stormops.embedding_avg(pg_catalog.float4[]) IS
  'Element-wise mean (centroid) of embeddings of one dimension, in double precision; NULL embeddings are skipped.';

-- The centroid of a similarity section's references; an error when no
-- reference has an embedding (targeting.md). VOLATILE on purpose: the CTE that
-- calls it is then computed once, never inlined.
CREATE FUNCTION stormops.reference_centroid(centroid pg_catalog.float8[], json_path pg_catalog.text)
RETURNS pg_catalog.float8[]
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF centroid IS NULL THEN
    RAISE EXCEPTION 'no reference of the similarity section has an embedding'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('JSON path: %s.', json_path),
            HINT = CASE json_path
                     WHEN 'similarity.reference_tract_ids' THEN 'Name census tracts whose embedding is set.'
                     ELSE 'Name properties (or cohorts of properties) whose embedding is set.'
                   END;
  END IF;
  RETURN centroid;
END;
$$;

CREATE FUNCTION stormops.polygon_contains(geometry pg_catalog.jsonb, lon pg_catalog.float8, lat pg_catalog.float8)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'stormops_polygon_contains'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION stormops.polygon_contains(pg_catalog.jsonb, pg_catalog.float8, pg_catalog.float8) IS
  'Whether (lon, lat) lies in a GeoJSON Polygon or MultiPolygon: even-odd rule, edges inside.';

CREATE FUNCTION stormops.compile_targeting(rules pg_catalog.jsonb,
                                           event_id pg_catalog.text DEFAULT NULL,
                                           as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'stormops_compile_targeting'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.compile_targeting(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz) IS
  'The one read-only SELECT that targets what the rules say: (property_id, rank, similarity, sii_score, uplift_score).';

CREATE FUNCTION stormops.compile_targeting_funnel(rules pg_catalog.jsonb,
                                                  event_id pg_catalog.text DEFAULT NULL,
                                                  as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'stormops_compile_targeting_funnel'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION stormops.target_properties(rules pg_catalog.jsonb,
                                           event_id pg_catalog.text DEFAULT NULL,
                                           as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (property_id pg_catalog.text, rank pg_catalog.int4, similarity pg_catalog.float8,
               sii_score pg_catalog.numeric, uplift_score pg_catalog.float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN QUERY EXECUTE stormops.compile_targeting(rules, event_id, as_of);
END;
$$;
COMMENT ON FUNCTION stormops.target_properties(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz) IS
  'Runs compile_targeting(rules, event_id, as_of): the targeted properties in rank order.';

CREATE FUNCTION stormops.playbook_targets(playbook_name pg_catalog.text,
                                          event_id pg_catalog.text DEFAULT NULL,
                                          as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (property_id pg_catalog.text, rank pg_catalog.int4, similarity pg_catalog.float8,
               sii_score pg_catalog.numeric, uplift_score pg_catalog.float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  rules jsonb;
BEGIN
  SELECT pb.targeting_rules INTO rules FROM stormops.playbooks pb WHERE pb.playbook_name = playbook_targets.playbook_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'playbook "%" does not exist', playbook_targets.playbook_name
      USING ERRCODE = 'undefined_object',
            HINT = 'List playbooks with: SELECT playbook_name, status FROM stormops.playbooks;';
  END IF;
  RETURN QUERY SELECT * FROM stormops.target_properties(rules, event_id, as_of);
END;
$$;
COMMENT ON FUNCTION stormops.playbook_targets(pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz) IS
  'target_properties for the targeting rules of a playbook, by name.';

CREATE FUNCTION stormops.targeting_funnel(rules pg_catalog.jsonb,
                                          event_id pg_catalog.text DEFAULT NULL,
                                          as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (step pg_catalog.int4, section pg_catalog.text, condition pg_catalog.text,
               remaining pg_catalog.int8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN QUERY EXECUTE stormops.compile_targeting_funnel(rules, event_id, as_of);
END;
$$;
COMMENT ON FUNCTION stormops.targeting_funnel(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz) IS
  'How many properties remain after each condition of the rules, in the documented order.';
-- Exact top-k similarity search (docs/similarity.md).

CREATE TYPE stormops.scored_item AS (item_id pg_catalog.text, score pg_catalog.float8);

CREATE FUNCTION stormops.top_k_accum(state pg_catalog.internal, item_id pg_catalog.text,
                                     embedding pg_catalog.float4[], centroid pg_catalog.float8[],
                                     k pg_catalog.int4, metric pg_catalog.text, min_score pg_catalog.float8)
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'stormops_top_k_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION stormops.top_k_final(state pg_catalog.internal)
RETURNS stormops.scored_item[]
AS 'MODULE_PATHNAME', 'stormops_top_k_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The k rows scoring best against the centroid, best first (ties by
-- item_id); one pass over whatever rows the query feeds it, so every other
-- condition of a query filters before it. metric: 'cosine' or 'l2'
-- (1 / (1 + L2 distance)). Rows not comparable with the centroid are skipped.
CREATE AGGREGATE stormops.top_k(item_id pg_catalog.text, embedding pg_catalog.float4[],
                                centroid pg_catalog.float8[], k pg_catalog.int4,
                                metric pg_catalog.text, min_score pg_catalog.float8) (
  SFUNC = stormops.top_k_accum,
  STYPE = pg_catalog.internal,
  FINALFUNC = stormops.top_k_final,
  FINALFUNC_MODIFY = READ_WRITE,
  PARALLEL = SAFE
);

CREATE FUNCTION stormops.similar_properties(centroid pg_catalog.float8[], k pg_catalog.int4,
                                            min_similarity pg_catalog.float8 DEFAULT NULL)
RETURNS TABLE (property_id pg_catalog.text, similarity pg_catalog.float8)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT s.item_id, s.score
    FROM pg_catalog.unnest((SELECT stormops.top_k(p.property_id, p.embedding, centroid, k, 'cosine', min_similarity)
                              FROM stormops.properties p)) WITH ORDINALITY AS s(item_id, score, ord)
   ORDER BY s.ord;
END;
COMMENT ON FUNCTION stormops.similar_properties(pg_catalog.float8[], pg_catalog.int4, pg_catalog.float8) IS
  'The k properties whose embedding has the highest cosine similarity to the centroid (ties by property_id).';

CREATE FUNCTION stormops.similar_tracts(centroid pg_catalog.float8[], k pg_catalog.int4,
                                        min_similarity pg_catalog.float8 DEFAULT NULL)
RETURNS TABLE (tract_geoid pg_catalog.text, similarity pg_catalog.float8)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT s.item_id, s.score
    FROM pg_catalog.unnest((SELECT stormops.top_k(t.tract_geoid, t.embedding, centroid, k, 'l2', min_similarity)
                              FROM stormops.census_tracts t)) WITH ORDINALITY AS s(item_id, score, ord)
   ORDER BY s.ord;
END;
COMMENT ON FUNCTION stormops.similar_tracts(pg_catalog.float8[], pg_catalog.int4, pg_catalog.float8) IS
  'The k census tracts nearest the centroid, as similarity 1 / (1 + L2 distance) (ties by tract_geoid).';

CREATE FUNCTION stormops.embedding_checksum(embedding pg_catalog.float4[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_embedding_checksum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.embedding_checksum(pg_catalog.float4[]) IS
  'The sum of an embedding''s elements (NULL for a malformed one): to compare a load with its source.';
-- The storm impact index (SII) of each property for an event, computed from
-- the event's reports (docs/storms.md).

-- The footprint of a report when it does not give one, in km: hail swaths
-- widen with stone size (3 km for small hail, up to 10 km at 3.5 in and
-- above); wind damage spreads about 8 km from a measured gust; a tornado's
-- path is narrow (1 km); other types 5 km.
CREATE FUNCTION stormops.default_report_radius_km(event_type pg_catalog.text, magnitude pg_catalog.numeric)
RETURNS pg_catalog.float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE event_type
           WHEN 'hail' THEN LEAST(10::pg_catalog.float8,
                              GREATEST(3::pg_catalog.float8,
                                3::pg_catalog.float8 OPERATOR(pg_catalog.+)
                                (2::pg_catalog.float8 OPERATOR(pg_catalog.*) COALESCE(magnitude, 0)::pg_catalog.float8)))
           WHEN 'wind' THEN 8::pg_catalog.float8
           WHEN 'tornado' THEN 1::pg_catalog.float8
           ELSE 5::pg_catalog.float8
         END;
END;

-- How much damage a report's magnitude can do, 0..1: hail from nothing below
-- 0.5 in to full at 3 in (1 in, where asphalt shingles start to fail, gives
-- 0.2); a gust from nothing at 50 mph to full at 100 mph; a tornado in full.
CREATE FUNCTION stormops.report_severity(event_type pg_catalog.text, magnitude pg_catalog.numeric)
RETURNS pg_catalog.float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT LEAST(1::pg_catalog.float8, GREATEST(0::pg_catalog.float8,
           CASE event_type
             WHEN 'hail' THEN (COALESCE(magnitude, 0)::pg_catalog.float8 OPERATOR(pg_catalog.-) 0.5::pg_catalog.float8)
                              OPERATOR(pg_catalog./) 2.5::pg_catalog.float8
             WHEN 'wind' THEN (COALESCE(magnitude, 0)::pg_catalog.float8 OPERATOR(pg_catalog.-) 50::pg_catalog.float8)
                              OPERATOR(pg_catalog./) 50::pg_catalog.float8
             WHEN 'tornado' THEN 1::pg_catalog.float8
             ELSE 0.5::pg_catalog.float8
           END));
END;

-- How a roof's age weighs damage: a new roof 0.6, rising to 1 at 25 years
-- (older roofs fail first); an unknown roof year 0.8.
CREATE FUNCTION stormops.roof_vulnerability(roof_install_year pg_catalog.int4, at pg_catalog.timestamptz)
RETURNS pg_catalog.float8
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN roof_install_year IS NULL THEN 0.8::pg_catalog.float8
              ELSE 0.6::pg_catalog.float8 OPERATOR(pg_catalog.+) (0.4::pg_catalog.float8 OPERATOR(pg_catalog.*)
                   LEAST(1::pg_catalog.float8, GREATEST(0::pg_catalog.float8,
                     (EXTRACT(YEAR FROM at)::pg_catalog.float8 OPERATOR(pg_catalog.-) roof_install_year::pg_catalog.float8)
                     OPERATOR(pg_catalog./) 25::pg_catalog.float8)))
         END;
END;

-- Great-circle distance in km (haversine, mean Earth radius 6371.0088 km),
-- in C: compute_impacts calls it for every candidate of every report.
CREATE FUNCTION stormops.haversine_km(lat1 pg_catalog.float8, lon1 pg_catalog.float8,
                                      lat2 pg_catalog.float8, lon2 pg_catalog.float8)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_haversine_km'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.haversine_km(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.float8) IS
  'Great-circle distance in km between two points given in degrees (haversine on the mean sphere).';

-- Writes property_impacts for one event from its reports: every property
-- within a report's footprint gets
--   SII = 100 * max over reports (severity * (1 - distance / radius)) * roof factor
-- and properties no longer in any footprint lose their row for the event, so
-- calling it again changes nothing. Returns the number of impact rows the
-- event has.
CREATE FUNCTION stormops.compute_impacts(event_id pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ev stormops.storm_events;
  written int;
BEGIN
  SELECT * INTO ev FROM stormops.storm_events e WHERE e.event_id = compute_impacts.event_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'storm event "%" does not exist', compute_impacts.event_id
      USING ERRCODE = 'undefined_object',
            HINT = 'Load it into stormops.storm_events first (see docs/storms.md).';
  END IF;

  -- one statement: the fresh impacts, the rows that left every footprint
  -- removed, the others inserted or updated
  WITH fresh AS (
    -- a property's worst report (the highest severity left at its distance)
    -- weighed by its roof
    SELECT p.property_id,
           round((100 * max(stormops.report_severity(ev.event_type, r.magnitude) * (1 - d.km / r.radius))
                      * stormops.roof_vulnerability(p.roof_install_year, ev.begin_at))::numeric, 1) AS sii_score
      FROM (SELECT b.*,
                   -- a box that holds the whole footprint: 111.0 km per degree of
                   -- latitude is a little less than the sphere's 111.195, and
                   -- asin(sin(d) / cos(lat)) is the footprint's widest longitude;
                   -- near a pole or across 180 degrees it takes every longitude
                   b.lat - b.radius / 111.0 AS lat_lo, b.lat + b.radius / 111.0 AS lat_hi,
                   CASE WHEN w.every_longitude THEN -180 ELSE b.lon - w.half END AS lon_lo,
                   CASE WHEN w.every_longitude THEN 180 ELSE b.lon + w.half END AS lon_hi
              FROM (SELECT sr.lat, sr.lon, sr.magnitude,
                           COALESCE(sr.radius_km, stormops.default_report_radius_km(ev.event_type, sr.magnitude)) AS radius
                      FROM stormops.storm_reports sr WHERE sr.event_id = ev.event_id) b
              CROSS JOIN LATERAL (SELECT 1.001 * degrees(asin(least(1, sin(b.radius / 6371.0088)
                                                                  / greatest(cos(radians(b.lat)), 1e-9)))) AS half) h
              CROSS JOIN LATERAL (SELECT h.half,
                                         abs(b.lat) + b.radius / 111.0 >= 90
                                         OR b.lon - h.half < -180 OR b.lon + h.half > 180 AS every_longitude) w) r
      -- the box lets the (lat, lon) index find the candidates; haversine decides
      JOIN stormops.properties p
        ON p.lat BETWEEN r.lat_lo AND r.lat_hi AND p.lon BETWEEN r.lon_lo AND r.lon_hi
      CROSS JOIN LATERAL (SELECT stormops.haversine_km(r.lat, r.lon, p.lat, p.lon) AS km) d
     WHERE d.km <= r.radius
     GROUP BY p.property_id, p.roof_install_year
  ), removed AS (
    DELETE FROM stormops.property_impacts pi
     WHERE pi.event_id = ev.event_id
       AND NOT EXISTS (SELECT FROM fresh f WHERE f.property_id = pi.property_id)
  ), upserted AS (
    INSERT INTO stormops.property_impacts (property_id, event_id, sii_score)
    SELECT f.property_id, ev.event_id, f.sii_score FROM fresh f
    ON CONFLICT ON CONSTRAINT property_impacts_pkey DO UPDATE SET sii_score = EXCLUDED.sii_score
     WHERE stormops.property_impacts.sii_score IS DISTINCT FROM EXCLUDED.sii_score
  )
  SELECT count(*) INTO written FROM fresh;
  RETURN written;
END;
$$;
COMMENT ON FUNCTION stormops.compute_impacts(pg_catalog.text) IS
  'Computes the storm impact index of every property in the footprint of the event''s reports (docs/storms.md); idempotent.';
-- Competition per ZIP from competitors' permits (docs/storms.md).

CREATE FUNCTION stormops.our_contractor_id()
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'stormops_our_contractor_id'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.our_contractor_id() IS
  'The setting stormops.contractor_id (this company''s id in competitor_permits), or NULL when unset.';

-- Tier1 contractors weigh 3 permits, Tier2 2, Tier3 (or unknown) 1.
CREATE FUNCTION stormops.contractor_tier_weight(tier pg_catalog.text)
RETURNS pg_catalog.float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE tier WHEN 'Tier1' THEN 3::pg_catalog.float8 WHEN 'Tier2' THEN 2::pg_catalog.float8
                   ELSE 1::pg_catalog.float8 END;
END;

-- Recomputes zip_competition for every ZIP we know (zip_codes, properties,
-- permits): pressure = 1 - exp(-w / 5), w being the tier-weighted permits
-- filed by other contractors in (as_of - window_days days, as_of] per 1,000
-- housing units (zip_codes.housing_units, else the ZIP's property count);
-- white_space_score = 100 * (1 - pressure). Returns the ZIPs written.
CREATE FUNCTION stormops.refresh_competition(as_of pg_catalog.timestamptz DEFAULT pg_catalog.now(),
                                             window_days pg_catalog.int4 DEFAULT 90)
RETURNS pg_catalog.int4
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ours text := stormops.our_contractor_id();
  written int;
BEGIN
  IF as_of IS NULL OR window_days IS NULL OR window_days < 1 THEN
    RAISE EXCEPTION 'refresh_competition needs as_of and a window of at least 1 day'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('as_of %s, window_days %s.', coalesce(as_of::text, 'NULL'), coalesce(window_days::text, 'NULL')),
            HINT = 'For example refresh_competition(now(), 90).';
  END IF;
  WITH zips AS (
    SELECT zip FROM stormops.zip_codes
    UNION SELECT zip FROM stormops.properties
    UNION SELECT zip FROM stormops.competitor_permits
  ), homes AS (
    SELECT z.zip, coalesce(nullif(zc.housing_units, 0),
                           (SELECT count(*) FROM stormops.properties p WHERE p.zip = z.zip)::int) AS units
      FROM zips z LEFT JOIN stormops.zip_codes zc USING (zip)
  ), weighted AS (
    SELECT cp.zip, sum(stormops.contractor_tier_weight(cp.contractor_tier)) AS w
      FROM stormops.competitor_permits cp
     WHERE cp.filed_at > as_of - window_days * interval '86400 seconds'
       AND cp.filed_at <= as_of
       AND cp.contractor_id IS DISTINCT FROM ours
     GROUP BY cp.zip
  ), pressure AS (
    SELECT h.zip,
           CASE WHEN coalesce(w.w, 0) = 0 THEN 0
                WHEN h.units = 0 THEN 1   -- permits but no known homes: as contested as it gets
                ELSE 1 - exp(-(w.w * 1000.0 / h.units) / 5) END AS p
      FROM homes h LEFT JOIN weighted w USING (zip)
  ), upserted AS (
    INSERT INTO stormops.zip_competition (zip, competitor_pressure, white_space_score)
    SELECT zip, round(p::numeric, 4), round((100 * (1 - p))::numeric, 2) FROM pressure
    ON CONFLICT (zip) DO UPDATE SET competitor_pressure = EXCLUDED.competitor_pressure,
                                    white_space_score = EXCLUDED.white_space_score
    RETURNING 1
  )
  SELECT count(*) INTO written FROM upserted;
  RETURN written;
END;
$$;
COMMENT ON FUNCTION stormops.refresh_competition(pg_catalog.timestamptz, pg_catalog.int4) IS
  'Recomputes zip_competition from competitor_permits in a window (docs/storms.md); leaves out stormops.contractor_id''s own permits.';
-- Storm data in: NOAA Storm Events details files and SPC daily hail reports
-- (docs/storms.md). Operators \copy a file into a staging table, then call
-- the ingest function, which turns every good row into events and reports
-- (upserts: loading a file again changes nothing) and every bad row into a
-- reject with its reason. bin/stormops-load does both steps.

-- NCEI's StormEvents_details CSV, its 51 columns as text, header names in
-- lower case, in the file's order (so \copy ... CSV HEADER fills it).
CREATE TABLE stormops.noaa_details_staging (
  begin_yearmonth text, begin_day text, begin_time text, end_yearmonth text, end_day text, end_time text,
  episode_id text, event_id text, state text, state_fips text, year text, month_name text, event_type text,
  cz_type text, cz_fips text, cz_name text, wfo text, begin_date_time text, cz_timezone text, end_date_time text,
  injuries_direct text, injuries_indirect text, deaths_direct text, deaths_indirect text, damage_property text,
  damage_crops text, source text, magnitude text, magnitude_type text, flood_cause text, category text,
  tor_f_scale text, tor_length text, tor_width text, tor_other_wfo text, tor_other_cz_state text,
  tor_other_cz_fips text, tor_other_cz_name text, begin_range text, begin_azimuth text, begin_location text,
  end_range text, end_azimuth text, end_location text, begin_lat text, begin_lon text, end_lat text, end_lon text,
  episode_narrative text, event_narrative text, data_source text
);
COMMENT ON TABLE stormops.noaa_details_staging IS
  'Load with: \copy stormops.noaa_details_staging FROM ''StormEvents_details-....csv'' WITH (FORMAT csv, HEADER true, ENCODING ''LATIN1''), then SELECT * FROM stormops.ingest_noaa_details();';

-- SPC's daily hail CSV: Time,Size,Location,County,State,Lat,Lon,Comments.
CREATE TABLE stormops.spc_hail_staging (
  time text, size text, location text, county text, state text, lat text, lon text, comments text
);
COMMENT ON TABLE stormops.spc_hail_staging IS
  'Load with: \copy stormops.spc_hail_staging FROM ''190324_rpts_hail.csv'' WITH (FORMAT csv, HEADER true), then SELECT * FROM stormops.ingest_spc_hail(''2019-03-24'');';

CREATE TABLE stormops.ingest_rejects (
  reject_id    pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source       pg_catalog.text NOT NULL,
  source_id    pg_catalog.text,
  reason       pg_catalog.text NOT NULL,
  row_data     pg_catalog.jsonb NOT NULL,
  rejected_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  row_hash     pg_catalog.text NOT NULL,
  UNIQUE (source, row_hash)
);
COMMENT ON TABLE stormops.ingest_rejects IS
  'Rows of loaded storm files that could not be used, with the reason; a row rejected twice is kept once.';

-- NOAA's event types as lower-case identifiers: Hail -> hail, Thunderstorm
-- Wind -> wind, Tornado -> tornado, others lower case with underscores.
CREATE FUNCTION stormops.noaa_event_type(event_type pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE event_type
           WHEN 'Hail' THEN 'hail'
           WHEN 'Thunderstorm Wind' THEN 'wind'
           WHEN 'Tornado' THEN 'tornado'
           ELSE NULLIF(pg_catalog.btrim(pg_catalog.regexp_replace(pg_catalog.lower(event_type),
                  '[^a-z0-9]+', '_', 'g'), '_'), '')
         END;
END;

-- BEGIN_DATE_TIME like '24-MAR-19 17:35:00' read in the zone CZ_TIMEZONE
-- names ('CST-6' is UTC-6: the number is the offset in hours); NULL when
-- either cannot be read. Two-digit years 50..99 are 19xx, 00..49 20xx.
CREATE FUNCTION stormops.noaa_timestamp(date_time pg_catalog.text, zone pg_catalog.text)
RETURNS pg_catalog.timestamptz
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  d text[] := regexp_match(date_time, '^(\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$');
  offset_hours text := (regexp_match(zone, '^[A-Za-z]*([+-]?\d{1,2})$'))[1];
  month int;
  year int;
BEGIN
  IF d IS NULL OR offset_hours IS NULL THEN
    RETURN NULL;
  END IF;
  month := array_position('{JAN,FEB,MAR,APR,MAY,JUN,JUL,AUG,SEP,OCT,NOV,DEC}'::text[], upper(d[2]));
  year := d[3]::int + CASE WHEN d[3]::int >= 50 THEN 1900 ELSE 2000 END;
  -- checked field by field rather than caught: no subtransaction per row,
  -- and the function stays safe in parallel workers
  IF month IS NULL OR d[1]::int < 1
     OR d[1]::int > extract(day FROM make_date(year, month, 1) + interval '1 month - 1 day')
     OR d[4]::int > 23 OR d[5]::int > 59 OR d[6]::int > 59 THEN
    RETURN NULL;   -- 31-FEB-19 and the like
  END IF;
  -- local time minus its offset is UTC
  RETURN (make_timestamp(year, month, d[1]::int, d[4]::int, d[5]::int, d[6]::float8)
          - offset_hours::int * interval '1 hour') AT TIME ZONE 'UTC';
END;
$$;

-- A field read as a number: number NULL for an empty field, not_a_number
-- for text that is neither.
CREATE TYPE stormops.parsed_number AS (number pg_catalog.numeric, not_a_number pg_catalog.bool);

CREATE FUNCTION stormops.parse_decimal(value pg_catalog.text)
RETURNS stormops.parsed_number
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT ROW(CASE WHEN pg_catalog.btrim(value) OPERATOR(pg_catalog.~) '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$'
              THEN pg_catalog.btrim(value)::pg_catalog.numeric END,
         COALESCE(pg_catalog.btrim(value), '') OPERATOR(pg_catalog.<>) ''
           AND NOT pg_catalog.btrim(value) OPERATOR(pg_catalog.~) '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$')::stormops.parsed_number;
END;

-- Events get their centroid, footprint and time span from all their reports
-- (an episode may span files); used by both ingest functions.
CREATE FUNCTION stormops.settle_events(event_ids pg_catalog.text[])
RETURNS void
LANGUAGE sql
BEGIN ATOMIC
  UPDATE stormops.storm_events e
     SET lat = c.lat, lon = c.lon,
         radius_km = c.spread OPERATOR(pg_catalog.+) stormops.default_report_radius_km(e.event_type, c.magnitude)
    FROM (SELECT r.event_id, pg_catalog.avg(r.lat) AS lat, pg_catalog.avg(r.lon) AS lon, pg_catalog.max(r.magnitude) AS magnitude,
                 pg_catalog.max(stormops.haversine_km(a.lat, a.lon, r.lat, r.lon)) AS spread
            FROM stormops.storm_reports r
            JOIN (SELECT r2.event_id, pg_catalog.avg(r2.lat) AS lat, pg_catalog.avg(r2.lon) AS lon
                    FROM stormops.storm_reports r2 WHERE r2.event_id OPERATOR(pg_catalog.=) ANY (event_ids)
                   GROUP BY r2.event_id) a ON a.event_id OPERATOR(pg_catalog.=) r.event_id
           GROUP BY r.event_id) c
   WHERE e.event_id OPERATOR(pg_catalog.=) c.event_id;
END;

-- Turns the staged NOAA rows into storm_events (one per episode and event
-- type) and storm_reports (one per NOAA event with a location), rejects the
-- rest with their reason, and empties the staging table.
CREATE FUNCTION stormops.ingest_noaa_details()
RETURNS TABLE (events pg_catalog.int4, reports pg_catalog.int4, rejected pg_catalog.int4)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  touched text[];
BEGIN
  -- rows staged by others wait for their own ingest; loaders should lock
  -- before their \copy (bin/stormops-load does), else two can deadlock here
  LOCK TABLE stormops.noaa_details_staging IN EXCLUSIVE MODE;

  CREATE TEMP TABLE stormops_noaa_rows ON COMMIT DROP AS
  SELECT s, stormops.noaa_event_type(s.event_type) AS kind,
         stormops.noaa_timestamp(s.begin_date_time, s.cz_timezone) AS begin_at,
         stormops.noaa_timestamp(s.end_date_time, s.cz_timezone) AS end_at,
         stormops.parse_decimal(s.begin_lat) AS lat, stormops.parse_decimal(s.begin_lon) AS lon,
         stormops.parse_decimal(s.magnitude) AS mag
    FROM stormops.noaa_details_staging s;
  ALTER TABLE stormops_noaa_rows ADD COLUMN reason text;
  UPDATE stormops_noaa_rows SET reason = CASE
      WHEN NOT coalesce((s).episode_id ~ '^\d{1,18}$', false) THEN 'EPISODE_ID is missing or not a number'
      WHEN NOT coalesce((s).event_id ~ '^\d{1,18}$', false) THEN 'EVENT_ID is missing or not a number'
      WHEN kind IS NULL THEN 'EVENT_TYPE is missing'
      WHEN kind !~ '^[a-z]' THEN format('EVENT_TYPE %L does not start with a letter', (s).event_type)
      WHEN begin_at IS NULL THEN format('BEGIN_DATE_TIME %L in CZ_TIMEZONE %L cannot be read', (s).begin_date_time, (s).cz_timezone)
      WHEN (lat).not_a_number OR (lon).not_a_number THEN 'BEGIN_LAT or BEGIN_LON is not a number'
      WHEN (lat).number NOT BETWEEN -90 AND 90 THEN format('BEGIN_LAT %s is outside -90..90', (lat).number)
      WHEN (lon).number NOT BETWEEN -180 AND 180 THEN format('BEGIN_LON %s is outside -180..180', (lon).number)
      WHEN ((lat).number IS NULL) <> ((lon).number IS NULL) THEN 'only one of BEGIN_LAT and BEGIN_LON is given'
      WHEN (mag).not_a_number THEN 'MAGNITUDE is not a number'
      WHEN (mag).number < 0 THEN 'MAGNITUDE is negative'
    END;

  INSERT INTO stormops.ingest_rejects (source, source_id, reason, row_data, row_hash)
  SELECT 'noaa', (s).event_id, reason, to_jsonb(s), md5(to_jsonb(s)::text)
    FROM stormops_noaa_rows WHERE reason IS NOT NULL
  ON CONFLICT (source, row_hash) DO NOTHING;
  SELECT count(*) INTO rejected FROM stormops_noaa_rows WHERE reason IS NOT NULL;

  -- NOAA gives thunderstorm wind in knots; storm_events keeps mph
  WITH good AS (
    SELECT 'noaa_ep_' || (s).episode_id || '_' || kind AS ev, kind, begin_at,
           greatest(coalesce(end_at, begin_at), begin_at) AS end_at,
           CASE WHEN kind = 'wind' THEN round((mag).number * 1.15078, 1) ELSE (mag).number END AS magnitude
      FROM stormops_noaa_rows WHERE reason IS NULL
  ), upserted AS (
    INSERT INTO stormops.storm_events AS e (event_id, event_type, magnitude, begin_at, end_at, source)
    SELECT ev, min(kind), max(magnitude), min(begin_at), max(end_at), 'noaa' FROM good GROUP BY ev
    ON CONFLICT (event_id) DO UPDATE
      SET magnitude = greatest(e.magnitude, EXCLUDED.magnitude),
          begin_at = least(e.begin_at, EXCLUDED.begin_at),
          end_at = greatest(e.end_at, EXCLUDED.end_at)
    RETURNING e.event_id
  )
  SELECT count(*), array_agg(event_id) INTO events, touched FROM upserted;

  WITH good AS (
    SELECT 'noaa_' || (s).event_id AS report_id, 'noaa_ep_' || (s).episode_id || '_' || kind AS ev,
           begin_at, (lat).number AS lat, (lon).number AS lon,
           CASE WHEN kind = 'wind' THEN round((mag).number * 1.15078, 1) ELSE (mag).number END AS magnitude
      FROM stormops_noaa_rows WHERE reason IS NULL AND (lat).number IS NOT NULL
  )
  INSERT INTO stormops.storm_reports AS r (report_id, event_id, reported_at, lat, lon, magnitude, source)
  -- an EVENT_ID twice in one load: the later report wins, whatever the row order
  SELECT DISTINCT ON (report_id) report_id, ev, begin_at, lat, lon, magnitude, 'noaa' FROM good
   ORDER BY report_id, begin_at DESC, ev DESC, lat, lon, magnitude
  ON CONFLICT (report_id) DO UPDATE
    SET event_id = EXCLUDED.event_id, reported_at = EXCLUDED.reported_at, lat = EXCLUDED.lat,
        lon = EXCLUDED.lon, magnitude = EXCLUDED.magnitude
    WHERE (r.event_id, r.reported_at, r.lat, r.lon, r.magnitude) IS DISTINCT FROM
          (EXCLUDED.event_id, EXCLUDED.reported_at, EXCLUDED.lat, EXCLUDED.lon, EXCLUDED.magnitude);
  SELECT count(DISTINCT (s).event_id) INTO reports FROM stormops_noaa_rows WHERE reason IS NULL AND (lat).number IS NOT NULL;

  PERFORM stormops.settle_events(coalesce(touched, '{}'));
  TRUNCATE stormops.noaa_details_staging;
  DROP TABLE stormops_noaa_rows;
  RETURN NEXT;
END;
$$;
COMMENT ON FUNCTION stormops.ingest_noaa_details() IS
  'Staged NOAA Storm Events details rows to storm_events and storm_reports; bad rows to ingest_rejects (docs/storms.md).';

-- Turns staged SPC hail rows of one convective day (12:00 UTC on report_date
-- to 12:00 UTC the next day; times are UTC, HHMM) into storm_reports and one
-- storm_event per state, 'spc_<yyyymmdd>_hail_<state>'.
CREATE FUNCTION stormops.ingest_spc_hail(report_date pg_catalog.date)
RETURNS TABLE (events pg_catalog.int4, reports pg_catalog.int4, rejected pg_catalog.int4)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  day text := to_char(report_date, 'YYYYMMDD');
  touched text[];
BEGIN
  IF report_date IS NULL THEN
    RAISE EXCEPTION 'ingest_spc_hail needs the report date of the file'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'SPC names it in the file: 190324_rpts_hail.csv is 2019-03-24.';
  END IF;
  LOCK TABLE stormops.spc_hail_staging IN EXCLUSIVE MODE;
  CREATE TEMP TABLE stormops_spc_rows ON COMMIT DROP AS
  SELECT s, stormops.parse_decimal(s.lat) AS lat, stormops.parse_decimal(s.lon) AS lon,
         stormops.parse_decimal(s.size) AS size,
         CASE WHEN s.time ~ '^([01]\d|2[0-3])[0-5]\d$' THEN
           ((report_date + CASE WHEN s.time < '1200' THEN 1 ELSE 0 END)::timestamp
            + make_interval(hours => left(s.time, 2)::int, mins => right(s.time, 2)::int)) AT TIME ZONE 'UTC'
         END AS reported_at
    FROM stormops.spc_hail_staging s;
  ALTER TABLE stormops_spc_rows ADD COLUMN reason text;
  UPDATE stormops_spc_rows SET reason = CASE
      WHEN reported_at IS NULL THEN format('Time %L is not HHMM', (s).time)
      WHEN (size).number IS NULL OR (size).number < 0 THEN format('Size %L is not a number of hundredths of an inch', (s).size)
      WHEN (lat).number IS NULL OR (lon).number IS NULL THEN 'Lat or Lon is missing or not a number'
      WHEN (lat).number NOT BETWEEN -90 AND 90 THEN format('Lat %s is outside -90..90', (lat).number)
      WHEN (lon).number NOT BETWEEN -180 AND 180 THEN format('Lon %s is outside -180..180', (lon).number)
      WHEN coalesce((s).state, '') !~ '^[A-Za-z]{2}$' THEN format('State %L is not a two-letter code', (s).state)
    END;
  INSERT INTO stormops.ingest_rejects (source, source_id, reason, row_data, row_hash)
  SELECT 'spc', day, reason, to_jsonb(s), md5(day || to_jsonb(s)::text)
    FROM stormops_spc_rows WHERE reason IS NOT NULL
  ON CONFLICT (source, row_hash) DO NOTHING;
  SELECT count(*) INTO rejected FROM stormops_spc_rows WHERE reason IS NOT NULL;

  WITH good AS (
    SELECT format('spc_%s_hail_%s', day, lower((s).state)) AS ev, reported_at, round((size).number / 100, 2) AS inches,
           (lat).number AS lat, (lon).number AS lon, (s).time AS hhmm
      FROM stormops_spc_rows WHERE reason IS NULL
  ), upserted AS (
    INSERT INTO stormops.storm_events AS e (event_id, event_type, magnitude, begin_at, end_at, source)
    SELECT ev, 'hail', max(inches), min(reported_at), max(reported_at), 'spc' FROM good GROUP BY ev
    ON CONFLICT (event_id) DO UPDATE
      SET magnitude = greatest(e.magnitude, EXCLUDED.magnitude),
          begin_at = least(e.begin_at, EXCLUDED.begin_at), end_at = greatest(e.end_at, EXCLUDED.end_at)
    RETURNING e.event_id
  )
  SELECT count(*), array_agg(event_id) INTO events, touched FROM upserted;

  -- a report is its day, time, place and size: the same row loaded twice is one report
  WITH good AS (
    SELECT format('spc_%s_%s_%s_%s_%s', day, (s).time, (lat).number, (lon).number, (size).number) AS report_id,
           format('spc_%s_hail_%s', day, lower((s).state)) AS ev, reported_at, (lat).number AS lat,
           (lon).number AS lon, round((size).number / 100, 2) AS inches
      FROM stormops_spc_rows WHERE reason IS NULL
  )
  INSERT INTO stormops.storm_reports (report_id, event_id, reported_at, lat, lon, magnitude, source)
  SELECT DISTINCT ON (report_id) report_id, ev, reported_at, lat, lon, inches, 'spc' FROM good
  ON CONFLICT (report_id) DO NOTHING;
  SELECT count(DISTINCT ((s).time, (lat).number, (lon).number, (size).number)) INTO reports
    FROM stormops_spc_rows WHERE reason IS NULL;

  PERFORM stormops.settle_events(coalesce(touched, '{}'));
  TRUNCATE stormops.spc_hail_staging;
  DROP TABLE stormops_spc_rows;
  RETURN NEXT;
END;
$$;
COMMENT ON FUNCTION stormops.ingest_spc_hail(pg_catalog.date) IS
  'Staged SPC daily hail rows of one convective day to storm_events (one per state) and storm_reports (docs/storms.md).';
-- Guardrail signals per property (proposals.md, docs/guardrails.md): who
-- must not be contacted, who has had enough contacts, who complains.

CREATE FUNCTION stormops.throttle_contacts_7d()
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'stormops_throttle_contacts_7d'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.throttle_contacts_7d() IS
  'The setting stormops.throttle_contacts_7d (default 5): more contacts than this in 7 days throttle a property.';

CREATE FUNCTION stormops.escalate_complaints_30d()
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'stormops_escalate_complaints_30d'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.escalate_complaints_30d() IS
  'The setting stormops.escalate_complaints_30d (default 2): more complaints than this in 30 days escalate a property.';

-- The operator's do-not-contact list: a property on it for every channel
-- ('all') or for one.
CREATE TABLE stormops.do_not_contact (
  property_id  pg_catalog.text NOT NULL REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  channel      pg_catalog.text NOT NULL DEFAULT 'all'
               CONSTRAINT do_not_contact_channel_known
               CHECK (channel OPERATOR(pg_catalog.=) ANY
                      ('{all,email,sms,phone,door_knock,direct_mail,paid_ads}'::pg_catalog.text[])),
  reason       pg_catalog.text NOT NULL
               CONSTRAINT do_not_contact_reason_given CHECK (pg_catalog.btrim(reason) OPERATOR(pg_catalog.<>) ''),
  added_at     pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (property_id, channel)
);
COMMENT ON TABLE stormops.do_not_contact IS
  'Properties that must not be contacted, on every channel (''all'') or on one, with the reason; filled by operators.';

-- Whether a behaviour event moves a guardrail signal: contacts, opt-outs and
-- complaints do; opens, clicks, responses and conversions without a
-- complaint do not. The history function, the view and the triggers all use
-- it, so they cannot drift apart.
CREATE FUNCTION stormops.moves_guardrail_signal(event_type pg_catalog.text, complaint pg_catalog.bool)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT event_type OPERATOR(pg_catalog.=) ANY ('{contact,opt_out}'::pg_catalog.text[]) OR complaint;
END;

-- The signals of every property that has a contact, complaint or opt-out
-- event at or before as_of, or a do-not-contact entry added by then; any
-- other property has no row (no contacts, no complaints, no flags: opens,
-- clicks and conversions move no signal). Counts over
-- (as_of - 7 days, as_of] and (as_of - 30 days, as_of].
CREATE FUNCTION stormops.guardrail_signals_at(as_of pg_catalog.timestamptz)
RETURNS TABLE (property_id pg_catalog.text, contact_frequency_7d pg_catalog.int4,
               complaint_count_30d pg_catalog.int4, last_contact_hours_ago pg_catalog.float8,
               throttle_flag pg_catalog.bool, escalate_flag pg_catalog.bool, opted_out pg_catalog.bool)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT s.property_id, s.contacts, s.complaints,
         pg_catalog.date_part('epoch', as_of OPERATOR(pg_catalog.-) s.last_contact)
           OPERATOR(pg_catalog./) 3600::pg_catalog.float8,
         s.contacts OPERATOR(pg_catalog.>) stormops.throttle_contacts_7d(),
         s.complaints OPERATOR(pg_catalog.>) stormops.escalate_complaints_30d(),
         s.opted_out OR EXISTS (SELECT FROM stormops.do_not_contact d
                                 WHERE d.property_id OPERATOR(pg_catalog.=) s.property_id
                                   AND d.channel OPERATOR(pg_catalog.=) 'all'
                                   AND d.added_at OPERATOR(pg_catalog.<=) as_of)
    FROM (SELECT b.property_id,
                 (pg_catalog.count(*) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'contact'
                    AND b.event_timestamp OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) '7 days'::pg_catalog.interval)))::pg_catalog.int4 AS contacts,
                 (pg_catalog.count(*) FILTER (WHERE b.complaint
                    AND b.event_timestamp OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) '30 days'::pg_catalog.interval)))::pg_catalog.int4 AS complaints,
                 pg_catalog.max(b.event_timestamp) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'contact') AS last_contact,
                 pg_catalog.bool_or(b.event_type OPERATOR(pg_catalog.=) 'opt_out') AS opted_out
            FROM stormops.behavior_events b
           WHERE b.event_timestamp OPERATOR(pg_catalog.<=) as_of
             AND stormops.moves_guardrail_signal(b.event_type, b.complaint)
           GROUP BY b.property_id
          UNION ALL
          SELECT d.property_id, 0, 0, NULL, false
            FROM stormops.do_not_contact d
           WHERE d.added_at OPERATOR(pg_catalog.<=) as_of
             AND NOT EXISTS (SELECT FROM stormops.behavior_events b
                              WHERE b.property_id OPERATOR(pg_catalog.=) d.property_id
                                AND b.event_timestamp OPERATOR(pg_catalog.<=) as_of
                                AND stormops.moves_guardrail_signal(b.event_type, b.complaint))
           GROUP BY d.property_id) s;
END;
COMMENT ON FUNCTION stormops.guardrail_signals_at(pg_catalog.timestamptz) IS
  'Guardrail signals of every property with history or a do-not-contact entry, computed from behavior_events as of a moment (proposals.md).';

-- The same for the given properties only, as a proposal run asks for its
-- targets. A body of its own, not "property_ids IS NULL OR ..." in one body:
-- that form keeps the index on (property_id, event_timestamp) out of generic
-- plans. test/pgtap/guardrail_signals.sql checks that the two agree.
CREATE FUNCTION stormops.guardrail_signals_at(as_of pg_catalog.timestamptz, property_ids pg_catalog.text[])
RETURNS TABLE (property_id pg_catalog.text, contact_frequency_7d pg_catalog.int4,
               complaint_count_30d pg_catalog.int4, last_contact_hours_ago pg_catalog.float8,
               throttle_flag pg_catalog.bool, escalate_flag pg_catalog.bool, opted_out pg_catalog.bool)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT s.property_id, s.contacts, s.complaints,
         pg_catalog.date_part('epoch', as_of OPERATOR(pg_catalog.-) s.last_contact)
           OPERATOR(pg_catalog./) 3600::pg_catalog.float8,
         s.contacts OPERATOR(pg_catalog.>) stormops.throttle_contacts_7d(),
         s.complaints OPERATOR(pg_catalog.>) stormops.escalate_complaints_30d(),
         s.opted_out OR EXISTS (SELECT FROM stormops.do_not_contact d
                                 WHERE d.property_id OPERATOR(pg_catalog.=) s.property_id
                                   AND d.channel OPERATOR(pg_catalog.=) 'all'
                                   AND d.added_at OPERATOR(pg_catalog.<=) as_of)
    FROM (SELECT b.property_id,
                 (pg_catalog.count(*) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'contact'
                    AND b.event_timestamp OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) '7 days'::pg_catalog.interval)))::pg_catalog.int4 AS contacts,
                 (pg_catalog.count(*) FILTER (WHERE b.complaint
                    AND b.event_timestamp OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) '30 days'::pg_catalog.interval)))::pg_catalog.int4 AS complaints,
                 pg_catalog.max(b.event_timestamp) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'contact') AS last_contact,
                 pg_catalog.bool_or(b.event_type OPERATOR(pg_catalog.=) 'opt_out') AS opted_out
            FROM stormops.behavior_events b
           WHERE b.event_timestamp OPERATOR(pg_catalog.<=) as_of
             AND stormops.moves_guardrail_signal(b.event_type, b.complaint)
             AND b.property_id OPERATOR(pg_catalog.=) ANY (property_ids)
           GROUP BY b.property_id
          UNION ALL
          SELECT d.property_id, 0, 0, NULL, false
            FROM stormops.do_not_contact d
           WHERE d.added_at OPERATOR(pg_catalog.<=) as_of
             AND d.property_id OPERATOR(pg_catalog.=) ANY (property_ids)
             AND NOT EXISTS (SELECT FROM stormops.behavior_events b
                              WHERE b.property_id OPERATOR(pg_catalog.=) d.property_id
                                AND b.event_timestamp OPERATOR(pg_catalog.<=) as_of
                                AND stormops.moves_guardrail_signal(b.event_type, b.complaint))
           GROUP BY d.property_id) s;
END;
COMMENT ON FUNCTION stormops.guardrail_signals_at(pg_catalog.timestamptz, pg_catalog.text[]) IS
  'guardrail_signals_at(as_of) for the given properties only, reading only their history.';

-- The signals kept current as behaviour events arrive (the seed's streaming
-- job), so a proposal run reads them instead of rescanning history. Per
-- property: its first signal-moving event (the row shows from then on), the
-- contact times of the last 8 days and complaint times of the last 31 (a
-- day's margin over the windows, for readers whose now() is earlier than the
-- writer's; arrays may hold older times until they pass 64 entries: readers
-- count inside the window only), the latest contact and the first opt-out.
CREATE TABLE stormops.guardrail_state (
  property_id        pg_catalog.text PRIMARY KEY REFERENCES stormops.properties (property_id) ON DELETE CASCADE,
  first_event_at     pg_catalog.timestamptz NOT NULL,
  recent_contacts    pg_catalog.timestamptz[] NOT NULL DEFAULT '{}',
  recent_complaints  pg_catalog.timestamptz[] NOT NULL DEFAULT '{}',
  last_contact_at    pg_catalog.timestamptz,
  opted_out_at       pg_catalog.timestamptz
);
COMMENT ON TABLE stormops.guardrail_state IS
  'Maintained by triggers on behavior_events; read it through stormops.guardrail_signals.';

-- The state of the given properties from behavior_events, written over what
-- the state had. Used by corrections and by guardrail_state_rebuild.
CREATE FUNCTION stormops.guardrail_state_from_history(property_ids pg_catalog.text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  DELETE FROM stormops.guardrail_state g
   WHERE (property_ids IS NULL OR g.property_id = ANY (property_ids))
     AND NOT EXISTS (SELECT FROM stormops.behavior_events b
                      WHERE b.property_id = g.property_id
                        AND stormops.moves_guardrail_signal(b.event_type, b.complaint));
  INSERT INTO stormops.guardrail_state AS g
         (property_id, first_event_at, recent_contacts, recent_complaints, last_contact_at, opted_out_at)
  SELECT b.property_id, min(b.event_timestamp),
         coalesce(array_agg(b.event_timestamp ORDER BY b.event_timestamp) FILTER (WHERE b.event_type = 'contact'
                    AND b.event_timestamp > now() - interval '8 days'), '{}'),
         coalesce(array_agg(b.event_timestamp ORDER BY b.event_timestamp) FILTER (WHERE b.complaint
                    AND b.event_timestamp > now() - interval '31 days'), '{}'),
         max(b.event_timestamp) FILTER (WHERE b.event_type = 'contact'),
         min(b.event_timestamp) FILTER (WHERE b.event_type = 'opt_out')
    FROM stormops.behavior_events b
   WHERE (property_ids IS NULL OR b.property_id = ANY (property_ids))
     AND stormops.moves_guardrail_signal(b.event_type, b.complaint)
   GROUP BY b.property_id
   ORDER BY b.property_id   -- one lock order for concurrent writers
  ON CONFLICT (property_id) DO UPDATE SET
    first_event_at = EXCLUDED.first_event_at, recent_contacts = EXCLUDED.recent_contacts,
    recent_complaints = EXCLUDED.recent_complaints, last_contact_at = EXCLUDED.last_contact_at,
    opted_out_at = EXCLUDED.opted_out_at;
END;
$$;

-- Rebuilds the whole state from history: after a restore or a replication
-- apply that ran with triggers disabled, or whenever in doubt. Admins only.
CREATE FUNCTION stormops.guardrail_state_rebuild()
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  LOCK TABLE stormops.behavior_events IN SHARE MODE;   -- no events arrive meanwhile
  TRUNCATE stormops.guardrail_state;
  PERFORM stormops.guardrail_state_from_history(NULL);
  RETURN (SELECT count(*) FROM stormops.guardrail_state);
END;
$$;
COMMENT ON FUNCTION stormops.guardrail_state_rebuild() IS
  'Rebuilds stormops.guardrail_state from behavior_events (after a restore with triggers disabled); returns its rows.';

-- Merges one statement's new events into the state. SECURITY DEFINER: the
-- operators who load behaviour events must not be able to write the state
-- by hand.
CREATE FUNCTION stormops.guardrail_state_merge()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO stormops.guardrail_state AS g
         (property_id, first_event_at, recent_contacts, recent_complaints, last_contact_at, opted_out_at)
  SELECT n.property_id, min(n.event_timestamp),
         coalesce(array_agg(n.event_timestamp) FILTER (WHERE n.event_type = 'contact'
                    AND n.event_timestamp > now() - interval '8 days'), '{}'),
         coalesce(array_agg(n.event_timestamp) FILTER (WHERE n.complaint
                    AND n.event_timestamp > now() - interval '31 days'), '{}'),
         max(n.event_timestamp) FILTER (WHERE n.event_type = 'contact'),
         min(n.event_timestamp) FILTER (WHERE n.event_type = 'opt_out')
    FROM new_events n
   WHERE stormops.moves_guardrail_signal(n.event_type, n.complaint)
   GROUP BY n.property_id
   ORDER BY n.property_id   -- one lock order: concurrent loads wait, never deadlock
  -- arrays are appended to, and pruned of times that left their window only
  -- once they grow past 64 (readers count inside the window anyway): most
  -- merges are a cheap concatenation
  ON CONFLICT (property_id) DO UPDATE SET
    first_event_at = least(g.first_event_at, EXCLUDED.first_event_at),
    recent_contacts = CASE
      WHEN cardinality(g.recent_contacts) + cardinality(EXCLUDED.recent_contacts) <= 64
        THEN g.recent_contacts || EXCLUDED.recent_contacts
      ELSE ARRAY(SELECT t FROM unnest(g.recent_contacts || EXCLUDED.recent_contacts) t
                  WHERE t > now() - interval '8 days' ORDER BY t) END,
    recent_complaints = CASE
      WHEN cardinality(g.recent_complaints) + cardinality(EXCLUDED.recent_complaints) <= 64
        THEN g.recent_complaints || EXCLUDED.recent_complaints
      ELSE ARRAY(SELECT t FROM unnest(g.recent_complaints || EXCLUDED.recent_complaints) t
                  WHERE t > now() - interval '31 days' ORDER BY t) END,
    last_contact_at = greatest(g.last_contact_at, EXCLUDED.last_contact_at),
    opted_out_at = least(g.opted_out_at, EXCLUDED.opted_out_at)
  -- a merge that changes nothing (an old contact, outside its window and
  -- before the latest one) writes nothing
  WHERE EXCLUDED.recent_contacts <> '{}' OR EXCLUDED.recent_complaints <> '{}'
     OR EXCLUDED.first_event_at < g.first_event_at
     OR EXCLUDED.last_contact_at > g.last_contact_at OR (g.last_contact_at IS NULL AND EXCLUDED.last_contact_at IS NOT NULL)
     OR EXCLUDED.opted_out_at < g.opted_out_at OR (g.opted_out_at IS NULL AND EXCLUDED.opted_out_at IS NOT NULL);
  RETURN NULL;
END;
$$;

-- History corrected (UPDATE or DELETE of behaviour events, which operators
-- and admins may do): the touched properties are recomputed from history.
CREATE FUNCTION stormops.guardrail_state_recompute()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  touched text[];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(DISTINCT property_id) INTO touched
      FROM (SELECT property_id FROM old_events UNION ALL SELECT property_id FROM new_events) t;
  ELSE
    SELECT array_agg(DISTINCT property_id) INTO touched FROM old_events;
  END IF;
  PERFORM stormops.guardrail_state_from_history(coalesce(touched, '{}'));
  RETURN NULL;
END;
$$;

CREATE FUNCTION stormops.guardrail_state_clear()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  TRUNCATE stormops.guardrail_state;
  RETURN NULL;
END;
$$;

CREATE TRIGGER guardrail_state_on_insert AFTER INSERT ON stormops.behavior_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
  EXECUTE FUNCTION stormops.guardrail_state_merge();
CREATE TRIGGER guardrail_state_on_update AFTER UPDATE ON stormops.behavior_events
  REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events FOR EACH STATEMENT
  EXECUTE FUNCTION stormops.guardrail_state_recompute();
CREATE TRIGGER guardrail_state_on_delete AFTER DELETE ON stormops.behavior_events
  REFERENCING OLD TABLE AS old_events FOR EACH STATEMENT
  EXECUTE FUNCTION stormops.guardrail_state_recompute();
CREATE TRIGGER guardrail_state_on_truncate AFTER TRUNCATE ON stormops.behavior_events
  FOR EACH STATEMENT EXECUTE FUNCTION stormops.guardrail_state_clear();

-- The maintained signals as of now(): the same columns and rows as
-- guardrail_signals_at(now()) (docs/guardrails.md). Times after now() (an
-- event stamped later than the reader's transaction began) are left out;
-- when the latest contact is one of them, history gives the one before.
CREATE VIEW stormops.guardrail_signals AS
SELECT s.property_id, s.contacts AS contact_frequency_7d, s.complaints AS complaint_count_30d,
       pg_catalog.date_part('epoch', pg_catalog.now() OPERATOR(pg_catalog.-) s.last_contact)
         OPERATOR(pg_catalog./) 3600::pg_catalog.float8 AS last_contact_hours_ago,
       s.contacts OPERATOR(pg_catalog.>) stormops.throttle_contacts_7d() AS throttle_flag,
       s.complaints OPERATOR(pg_catalog.>) stormops.escalate_complaints_30d() AS escalate_flag,
       s.opted_out OR EXISTS (SELECT FROM stormops.do_not_contact d
                               WHERE d.property_id OPERATOR(pg_catalog.=) s.property_id
                                 AND d.channel OPERATOR(pg_catalog.=) 'all'
                                 AND d.added_at OPERATOR(pg_catalog.<=) pg_catalog.now()) AS opted_out
  FROM (SELECT g.property_id,
               CASE WHEN g.last_contact_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN g.last_contact_at
                    ELSE (SELECT pg_catalog.max(b.event_timestamp) FROM stormops.behavior_events b
                           WHERE b.property_id OPERATOR(pg_catalog.=) g.property_id
                             AND b.event_type OPERATOR(pg_catalog.=) 'contact'
                             AND b.event_timestamp OPERATOR(pg_catalog.<=) pg_catalog.now()) END AS last_contact,
               COALESCE(g.opted_out_at OPERATOR(pg_catalog.<=) pg_catalog.now(), false) AS opted_out,
               (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(g.recent_contacts) t
                 WHERE t OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) '7 days'::pg_catalog.interval)
                   AND t OPERATOR(pg_catalog.<=) pg_catalog.now())::pg_catalog.int4 AS contacts,
               (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(g.recent_complaints) t
                 WHERE t OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) '30 days'::pg_catalog.interval)
                   AND t OPERATOR(pg_catalog.<=) pg_catalog.now())::pg_catalog.int4 AS complaints
          FROM stormops.guardrail_state g
         WHERE g.first_event_at OPERATOR(pg_catalog.<=) pg_catalog.now()
        UNION ALL
        SELECT d.property_id, NULL, false, 0, 0
          FROM stormops.do_not_contact d
         WHERE d.added_at OPERATOR(pg_catalog.<=) pg_catalog.now()
           AND NOT EXISTS (SELECT FROM stormops.guardrail_state g
                            WHERE g.property_id OPERATOR(pg_catalog.=) d.property_id
                              AND g.first_event_at OPERATOR(pg_catalog.<=) pg_catalog.now())
         GROUP BY d.property_id) s;
COMMENT ON VIEW stormops.guardrail_signals IS
  'Guardrail signals of every property with history or a do-not-contact entry, as of now(), from the maintained state.';

-- The signals of the given properties as of as_of, as a proposal run reads
-- them: from the maintained state when as_of is the transaction's now() (the
-- default of a run), from history otherwise (a replay of the past). The two
-- agree (test/pgtap/guardrail_signals.sql), so the choice is about speed only.
-- Generic plans: the list reaches the indexes as a parameter; a plan made for
-- its values would first estimate the selectivity of every element, which
-- takes seconds for tens of thousands of targets.
CREATE FUNCTION stormops.guardrail_signals_of(property_ids pg_catalog.text[], as_of pg_catalog.timestamptz)
RETURNS TABLE (property_id pg_catalog.text, contact_frequency_7d pg_catalog.int4,
               complaint_count_30d pg_catalog.int4, last_contact_hours_ago pg_catalog.float8,
               throttle_flag pg_catalog.bool, escalate_flag pg_catalog.bool, opted_out pg_catalog.bool)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  IF as_of = now() THEN
    RETURN QUERY SELECT s.* FROM stormops.guardrail_signals s WHERE s.property_id = ANY (property_ids);
  ELSE
    RETURN QUERY SELECT h.* FROM stormops.guardrail_signals_at(as_of, property_ids) h;
  END IF;
END;
$$;
COMMENT ON FUNCTION stormops.guardrail_signals_of(pg_catalog.text[], pg_catalog.timestamptz) IS
  'Guardrail signals of some properties: maintained when as_of = now(), from history otherwise.';
-- The proposal engine (proposals.md, docs/proposals.md): when a storm hits,
-- every Active playbook takes its targets in rank order and gives each one
-- decision; the proposed ones become an execution. Everything a run decides
-- is a stored row, so a retrospective can say who was contacted, who was held
-- out and why.

-- One run of one playbook for one trigger: a storm event, or a competitor's
-- permit (the streaming trigger). At most one per (playbook, event) and per
-- (playbook, permit), also when no execution was made.
CREATE TABLE stormops.proposal_runs (
  proposal_id       pg_catalog.uuid PRIMARY KEY,
  playbook_id       pg_catalog.uuid NOT NULL REFERENCES stormops.playbooks (playbook_id),
  playbook_version  pg_catalog.text NOT NULL,
  event_id          pg_catalog.text REFERENCES stormops.storm_events (event_id),
  permit_id         pg_catalog.text REFERENCES stormops.competitor_permits (permit_id),
  priority          pg_catalog.int4 NOT NULL,
  trigger_reason    pg_catalog.text NOT NULL,
  as_of             pg_catalog.timestamptz NOT NULL,
  proposed_at       pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  proposed_by       pg_catalog.text NOT NULL DEFAULT SESSION_USER,
  properties_targeted  pg_catalog.int4 NOT NULL,
  properties_proposed  pg_catalog.int4 NOT NULL,
  execution_id      pg_catalog.uuid REFERENCES stormops.playbook_executions (execution_id),
  outcome           pg_catalog.text NOT NULL,
  CONSTRAINT proposal_runs_one_trigger
    CHECK ((event_id IS NULL) OPERATOR(pg_catalog.<>) (permit_id IS NULL))
);
COMMENT ON TABLE stormops.proposal_runs IS
  'One proposal run of a playbook for a storm event or a competitor permit: why it ran, as of when, and the execution it made or why none.';
COMMENT ON COLUMN stormops.proposal_runs.outcome IS
  'What came of the run: "execution created", or why none was (no property targeted, fewer proposed than min_property_count).';
CREATE UNIQUE INDEX proposal_runs_once_per_event ON stormops.proposal_runs (playbook_id, event_id)
  WHERE event_id IS NOT NULL;
CREATE UNIQUE INDEX proposal_runs_once_per_permit ON stormops.proposal_runs (playbook_id, permit_id)
  WHERE permit_id IS NOT NULL;
CREATE INDEX proposal_runs_event_idx ON stormops.proposal_runs (event_id);
CREATE INDEX proposal_runs_permit_idx ON stormops.proposal_runs (permit_id);

-- Every targeted property of a run with its one decision and the reason.
CREATE TABLE stormops.proposal_decisions (
  proposal_id   pg_catalog.uuid NOT NULL REFERENCES stormops.proposal_runs (proposal_id) ON DELETE CASCADE,
  -- not ON DELETE CASCADE: deleting a property must not erase the record of
  -- what was decided for it (an admin deletes its decisions first)
  property_id   pg_catalog.text NOT NULL REFERENCES stormops.properties (property_id),
  rank          pg_catalog.int4 NOT NULL,
  decision      stormops.decision NOT NULL,
  reason        pg_catalog.text NOT NULL,
  execution_id  pg_catalog.uuid REFERENCES stormops.playbook_executions (execution_id),
  decided_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (proposal_id, property_id)
);
COMMENT ON TABLE stormops.proposal_decisions IS
  'The decision of a proposal run for each property it targeted; execution_id is set on the proposed ones of a run that made an execution.';
-- "busy": which Running execution works a property.
CREATE INDEX proposal_decisions_property_idx ON stormops.proposal_decisions (property_id, execution_id)
  WHERE execution_id IS NOT NULL;
-- the roll-ups: an execution's proposed properties
CREATE INDEX proposal_decisions_execution_idx ON stormops.proposal_decisions (execution_id)
  WHERE execution_id IS NOT NULL;

-- Throttles and escalations, with reason and time (the seed's log_throttle
-- and log_escalation): the stored decisions, read as a log.
CREATE VIEW stormops.guardrail_log AS
SELECT d.decided_at AS logged_at, d.decision, p.playbook_name, r.event_id, r.permit_id,
       d.property_id, d.reason, d.proposal_id
  FROM stormops.proposal_decisions d
  JOIN stormops.proposal_runs r ON r.proposal_id OPERATOR(pg_catalog.=) d.proposal_id
  JOIN stormops.playbooks p ON p.playbook_id OPERATOR(pg_catalog.=) r.playbook_id
 WHERE d.decision OPERATOR(pg_catalog.=) ANY ('{throttled,escalated}'::stormops.decision[]);
COMMENT ON VIEW stormops.guardrail_log IS 'Every throttle and escalation of a proposal run, with its reason and time.';

-- Messages for humans, delivered by the webhook worker. A logged table:
-- what is written here is not lost on a crash.
CREATE TABLE stormops.notification_outbox (
  notification_id  pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind             pg_catalog.text NOT NULL
                   CONSTRAINT notification_outbox_kind_known
                   CHECK (kind OPERATOR(pg_catalog.=) ANY ('{escalation,competitor_threat}'::pg_catalog.text[])),
  playbook_id      pg_catalog.uuid REFERENCES stormops.playbooks (playbook_id),
  playbook_name    pg_catalog.text,
  property_id      pg_catalog.text,
  reason           pg_catalog.text NOT NULL,
  payload          pg_catalog.jsonb NOT NULL,
  created_at       pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  status           pg_catalog.text NOT NULL DEFAULT 'pending'
                   CONSTRAINT notification_outbox_status_known
                   CHECK (status OPERATOR(pg_catalog.=) ANY ('{pending,delivered,dead}'::pg_catalog.text[])),
  attempts         pg_catalog.int4 NOT NULL DEFAULT 0,
  next_attempt_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  last_error       pg_catalog.text,
  delivered_at     pg_catalog.timestamptz,
  -- the Idempotency-Key of every attempt: unique across databases and
  -- reinstalls, unlike notification_id
  delivery_key     pg_catalog.uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid()
);
COMMENT ON TABLE stormops.notification_outbox IS
  'Notifications for humans (escalations, competitor threats), delivered as webhooks; status pending, delivered or dead.';
CREATE INDEX notification_outbox_pending_idx ON stormops.notification_outbox (next_attempt_at)
  WHERE status OPERATOR(pg_catalog.=) 'pending';

-- Storm events that a proposal run has handled: when, by whom, with what
-- result. run_pending_proposals() proposes the events that are not here.
CREATE TABLE stormops.event_proposals (
  event_id        pg_catalog.text PRIMARY KEY REFERENCES stormops.storm_events (event_id) ON DELETE CASCADE,
  handled_at      pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  handled_by      pg_catalog.text NOT NULL DEFAULT SESSION_USER,
  handled_via     pg_catalog.text DEFAULT pg_catalog.current_setting('application_name'),
  as_of           pg_catalog.timestamptz NOT NULL,
  playbooks_run   pg_catalog.int4 NOT NULL,
  executions      pg_catalog.int4 NOT NULL,
  playbooks_failed  pg_catalog.int4 NOT NULL DEFAULT 0,
  outcome         pg_catalog.text NOT NULL
);
COMMENT ON TABLE stormops.event_proposals IS
  'Storm events handled by generate_proposals: when, by whom (and through which application, e.g. the storm worker), how many playbooks ran, failed and made executions.';

-- The holdout draw of a property for a playbook: a uniform number in [0, 1)
-- from a salted hash of both, the same on every run, machine and version
-- (md5, not the server's hash functions, which may differ by platform).
-- A property is held out when its draw is below the playbook's holdout_share.
CREATE FUNCTION stormops.holdout_draw(playbook_id pg_catalog.uuid, property_id pg_catalog.text)
RETURNS pg_catalog.float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT (pg_catalog.concat('x', pg_catalog.substr(pg_catalog.md5(pg_catalog.concat(
            'stormops.holdout:', playbook_id, ':', property_id)), 1, 13)))::pg_catalog.bit(52)::pg_catalog.int8::pg_catalog.float8
         OPERATOR(pg_catalog./) 4503599627370496::pg_catalog.float8;
END;
COMMENT ON FUNCTION stormops.holdout_draw(pg_catalog.uuid, pg_catalog.text) IS
  'Sticky draw in [0, 1) of a property for a playbook; held out when below the playbook''s holdout_share.';

-- One proposal run of one playbook: targets, decisions, the execution when
-- enough are proposed, notifications for escalations; all in one statement.
-- Returns the run's id, or NULL when the run already exists (once and only
-- once per trigger). The caller holds the proposal lock.
CREATE FUNCTION stormops.propose_playbook(pb stormops.playbooks, event_id pg_catalog.text,
                                          permit_id pg_catalog.text, only_zip pg_catalog.text,
                                          run_priority pg_catalog.int4, trigger_reason pg_catalog.text,
                                          as_of pg_catalog.timestamptz)
RETURNS pg_catalog.uuid
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
-- The decision statement's row estimates are far too high (the signals'
-- join), which made JIT compile it on every run: 0.7 s of a 0.85 s run on
-- 11,000 targets, for nothing (bench/proposals).
SET jit = off
-- Plans made for each run's targets: a generic plan guesses ten targets and
-- joins 79,000 of them with nested loops (77 s instead of seconds).
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
  run_id uuid := gen_random_uuid();
  new_execution_id uuid := gen_random_uuid();
  committed int;            -- properties already proposed in this playbook's Running executions
  per_property numeric := stormops.playbook_cost_per_property(pb);
  play_channels text[] := ARRAY(SELECT DISTINCT st ->> 'channel'
                                  FROM jsonb_array_elements(pb.channel_strategy -> 'sequence') st);
  target_ids text[];
  target_ranks int[];
  concurrent_room int;      -- NULL: no limit
  budget_room int8;         -- NULL: no limit
BEGIN
  IF EXISTS (SELECT FROM stormops.proposal_runs r
              WHERE r.playbook_id = pb.playbook_id
                AND (r.event_id = propose_playbook.event_id OR r.permit_id = propose_playbook.permit_id)) THEN
    RETURN NULL;
  END IF;

  SELECT coalesce(sum(e.properties_targeted), 0) INTO committed
    FROM stormops.playbook_executions e
   WHERE e.playbook_id = pb.playbook_id AND e.status = 'Running';
  IF pb.max_concurrent_properties IS NOT NULL THEN
    concurrent_room := greatest(pb.max_concurrent_properties - committed, 0);
  END IF;
  IF pb.budget_allocated IS NOT NULL AND per_property > 0 THEN
    budget_room := greatest(floor(pb.budget_allocated / per_property)::int8 - committed, 0);
  END IF;

  -- The targets as arrays, not a subquery: the signals' query then reads only
  -- those properties' state or history, through their indexes.
  SELECT coalesce(array_agg(t.property_id ORDER BY t.rank), '{}'), coalesce(array_agg(t.rank ORDER BY t.rank), '{}')
    INTO target_ids, target_ranks
    FROM stormops.target_properties(pb.targeting_rules, propose_playbook.event_id, as_of) t
   WHERE only_zip IS NULL
      OR EXISTS (SELECT FROM stormops.properties p WHERE p.property_id = t.property_id AND p.zip = only_zip);

  WITH targets AS MATERIALIZED (
    SELECT u.property_id, u.rank FROM unnest(target_ids, target_ranks) AS u(property_id, rank)
  ), signals AS MATERIALIZED (
    SELECT s.* FROM stormops.guardrail_signals_of(target_ids, as_of) s
  ), blocked AS MATERIALIZED (
    -- do-not-contact entries for single channels that, together, cover
    -- every channel this play would use
    SELECT n.property_id, string_agg(n.channel || ': ' || n.reason, '; ' ORDER BY n.channel) AS reasons
      FROM targets t
      JOIN stormops.do_not_contact n ON n.property_id = t.property_id
     WHERE n.channel = ANY (play_channels) AND n.added_at <= as_of
     GROUP BY n.property_id
    HAVING count(*) = cardinality(play_channels)
  ), busy AS MATERIALIZED (
    -- worked by a Running execution: of another playbook, or of this one
    -- for an earlier storm or permit (one play at a time, and once)
    SELECT DISTINCT ON (d.property_id) d.property_id, e.execution_id, op.playbook_name
      FROM targets t
      JOIN stormops.proposal_decisions d ON d.property_id = t.property_id AND d.execution_id IS NOT NULL
      JOIN stormops.playbook_executions e ON e.execution_id = d.execution_id
      JOIN stormops.playbooks op ON op.playbook_id = e.playbook_id
     WHERE e.status = 'Running'
     ORDER BY d.property_id, e.execution_start, e.execution_id
  ), checked AS (
    SELECT t.property_id, t.rank, s.complaint_count_30d, s.contact_frequency_7d,
           CASE WHEN s.opted_out OR bl.property_id IS NOT NULL THEN 'suppressed'
                WHEN s.escalate_flag THEN 'escalated'
                WHEN s.throttle_flag THEN 'throttled'
                WHEN b.property_id IS NOT NULL THEN 'busy'
                WHEN stormops.holdout_draw(pb.playbook_id, t.property_id) < pb.holdout_share THEN 'holdout'
           END::stormops.decision AS early_decision,
           CASE WHEN s.opted_out THEN
                  coalesce((SELECT 'on the do-not-contact list: ' || n.reason FROM stormops.do_not_contact n
                             WHERE n.property_id = t.property_id AND n.channel = 'all' AND n.added_at <= as_of),
                           'opted out')
                WHEN bl.property_id IS NOT NULL THEN
                  'on the do-not-contact list for every channel of this play: ' || bl.reasons
                WHEN s.escalate_flag THEN
                  format('%s complaints in 30 days, more than stormops.escalate_complaints_30d = %s',
                         s.complaint_count_30d, stormops.escalate_complaints_30d())
                WHEN s.throttle_flag THEN
                  format('%s contacts in 7 days, more than stormops.throttle_contacts_7d = %s',
                         s.contact_frequency_7d, stormops.throttle_contacts_7d())
                WHEN b.property_id IS NOT NULL THEN
                  format('in Running execution %s of playbook %s', b.execution_id, b.playbook_name)
                ELSE format('control group: holdout draw below holdout_share %s', pb.holdout_share)
           END AS early_reason
      FROM targets t
      LEFT JOIN signals s ON s.property_id = t.property_id
      LEFT JOIN blocked bl ON bl.property_id = t.property_id
      LEFT JOIN busy b ON b.property_id = t.property_id
  ), decided AS MATERIALIZED (
    SELECT c.property_id, c.rank, c.complaint_count_30d,
           coalesce(c.early_decision,
                    CASE WHEN c.open_position > least(concurrent_room, budget_room) THEN 'over_capacity'
                         ELSE 'proposed' END::stormops.decision) AS decision,
           CASE WHEN c.early_decision IS NOT NULL THEN c.early_reason
                WHEN c.open_position > concurrent_room THEN
                  format('beyond max_concurrent_properties %s (%s already in Running executions)',
                         pb.max_concurrent_properties, committed)
                WHEN c.open_position > budget_room THEN
                  format('beyond budget_allocated %s at %s per property (%s already in Running executions)',
                         pb.budget_allocated, per_property, committed)
                ELSE format('rank %s', c.rank)
           END AS reason
      FROM (SELECT ch.*, count(*) FILTER (WHERE ch.early_decision IS NULL)
                           OVER (ORDER BY ch.rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS open_position
              FROM checked ch) c
  ), summary AS (
    SELECT count(*)::int AS targeted, (count(*) FILTER (WHERE d.decision = 'proposed'))::int AS proposed
      FROM decided d
  ), new_execution AS (
    INSERT INTO stormops.playbook_executions
           (execution_id, playbook_id, triggered_by_event_id, execution_start, status, properties_targeted,
            playbook_version, vector_search_queries, streaming_triggers_fired)
    SELECT new_execution_id, pb.playbook_id, propose_playbook.event_id, as_of, 'Running', s.proposed,
           pb.playbook_version,
           CASE WHEN (pb.targeting_rules -> 'similarity' ->> 'enabled')::boolean THEN 1 ELSE 0 END,
           CASE WHEN propose_playbook.permit_id IS NULL THEN 0 ELSE 1 END
      FROM summary s
     WHERE s.proposed >= pb.min_property_count
    RETURNING execution_id
  ), new_run AS (
    INSERT INTO stormops.proposal_runs
           (proposal_id, playbook_id, playbook_version, event_id, permit_id, priority, trigger_reason, as_of,
            properties_targeted, properties_proposed, execution_id, outcome)
    SELECT run_id, pb.playbook_id, pb.playbook_version, propose_playbook.event_id, propose_playbook.permit_id,
           run_priority, trigger_reason, as_of, s.targeted, s.proposed,
           (SELECT x.execution_id FROM new_execution x),
           CASE WHEN s.targeted = 0 THEN 'no execution: no property targeted'
                WHEN s.proposed = 0 THEN 'no execution: no property proposed'
                WHEN s.proposed < pb.min_property_count THEN
                  format('no execution: %s proposed, fewer than min_property_count %s', s.proposed, pb.min_property_count)
                ELSE 'execution created' END
      FROM summary s
    RETURNING proposal_id, execution_id
  ), escalations AS (
    INSERT INTO stormops.notification_outbox (kind, playbook_id, playbook_name, property_id, reason, payload)
    SELECT 'escalation', pb.playbook_id, pb.playbook_name, d.property_id, d.reason,
           jsonb_build_object('kind', 'escalation', 'playbook', pb.playbook_name, 'property_id', d.property_id,
                              'event_id', propose_playbook.event_id, 'permit_id', propose_playbook.permit_id,
                              'proposal_id', run_id, 'complaint_count_30d', d.complaint_count_30d,
                              'threshold', stormops.escalate_complaints_30d(), 'reason', d.reason,
                              'as_of', as_of)
      FROM decided d
     WHERE d.decision = 'escalated'
  )
  INSERT INTO stormops.proposal_decisions (proposal_id, property_id, rank, decision, reason, execution_id)
  SELECT r.proposal_id, d.property_id, d.rank, d.decision, d.reason,
         CASE WHEN d.decision = 'proposed' THEN r.execution_id END
    FROM decided d CROSS JOIN new_run r;

  RETURN run_id;
END;
$$;
COMMENT ON FUNCTION stormops.propose_playbook(stormops.playbooks, pg_catalog.text, pg_catalog.text, pg_catalog.text,
                                              pg_catalog.int4, pg_catalog.text, pg_catalog.timestamptz) IS
  'Internal: one proposal run of one playbook (generate_proposals and the competitor trigger call it).';

-- Proposal runs change what is "busy", and what capacity is left, for the
-- next one, so they take turns: one transaction at a time, until it commits.
-- Each statement after the lock must see what the previous holder committed,
-- which READ COMMITTED gives and a snapshot taken earlier does not.
CREATE FUNCTION stormops.lock_proposals()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'proposals run only at isolation level READ COMMITTED, not %', upper(current_setting('transaction_isolation'))
      USING ERRCODE = 'invalid_transaction_state',
            DETAIL = 'Under a snapshot older than the proposal lock, runs committed meanwhile would be invisible: properties could be proposed twice and capacity exceeded.',
            HINT = 'Run it in a READ COMMITTED transaction (the default): BEGIN ISOLATION LEVEL READ COMMITTED;';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('stormops.proposals'), 6);
END;
$$;

-- The decisions of the runs of a storm event, in the order the playbooks
-- were served.
CREATE FUNCTION stormops.event_decisions(event_id pg_catalog.text)
RETURNS TABLE (playbook_name pg_catalog.text, property_id pg_catalog.text, rank pg_catalog.int4,
               decision pg_catalog.text, reason pg_catalog.text, execution_id pg_catalog.uuid)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT p.playbook_name, d.property_id, d.rank, d.decision::pg_catalog.text, d.reason, d.execution_id
    FROM stormops.proposal_runs r
    JOIN stormops.playbooks p ON p.playbook_id OPERATOR(pg_catalog.=) r.playbook_id
    JOIN stormops.proposal_decisions d ON d.proposal_id OPERATOR(pg_catalog.=) r.proposal_id
   WHERE r.event_id OPERATOR(pg_catalog.=) event_decisions.event_id
   ORDER BY r.priority, p.playbook_name, d.rank;
END;
COMMENT ON FUNCTION stormops.event_decisions(pg_catalog.text) IS
  'Every decision of the proposal runs of a storm event, playbooks in the order they were served.';

-- SECURITY DEFINER: operators run proposals, but the decisions, executions
-- and notifications are a record they must not write by hand.
CREATE FUNCTION stormops.generate_proposals(event_id pg_catalog.text,
                                            as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (playbook_name pg_catalog.text, property_id pg_catalog.text, rank pg_catalog.int4,
               decision pg_catalog.text, reason pg_catalog.text, execution_id pg_catalog.uuid)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  pb stormops.playbooks;
  ran int := 0;
  run_id uuid;
  run stormops.proposal_runs;
  failure text;
  failure_state text;
  failures text[] := '{}';
BEGIN
  IF generate_proposals.event_id IS NULL OR generate_proposals.as_of IS NULL THEN
    RAISE EXCEPTION 'generate_proposals needs an event_id and as_of'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'For example: SELECT * FROM stormops.generate_proposals(''noaa_ep_135504_hail'');';
  END IF;
  IF NOT EXISTS (SELECT FROM stormops.storm_events e WHERE e.event_id = generate_proposals.event_id) THEN
    RAISE EXCEPTION 'storm event "%" does not exist', generate_proposals.event_id
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'List events with: SELECT event_id, begin_at FROM stormops.storm_events ORDER BY begin_at DESC;';
  END IF;
  PERFORM stormops.lock_proposals();

  FOR pb IN SELECT * FROM stormops.playbooks p WHERE p.status = 'Active' ORDER BY p.priority, p.playbook_name LOOP
    -- a playbook that fails (say, its rules name a cohort that was deleted)
    -- does not stop the others; it has no run, so a later call retries it
    BEGIN
      run_id := stormops.propose_playbook(pb, generate_proposals.event_id, NULL, NULL, pb.priority,
                                          format('storm event %s', generate_proposals.event_id), generate_proposals.as_of);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_state = RETURNED_SQLSTATE;
      IF failure_state LIKE '40%' OR failure_state = '23505' THEN
        RAISE;   -- a conflict with another session, not a fault of the playbook: retry the call
      END IF;
      failures := failures || format('%s: %s (SQLSTATE %s)', pb.playbook_name, failure, failure_state);
      RAISE WARNING 'playbook "%" was not proposed for storm event %: %', pb.playbook_name, generate_proposals.event_id, failure
        USING HINT = 'Fix the playbook, then call generate_proposals for the event again: it runs the playbooks that have no run yet.';
      CONTINUE;
    END;
    CONTINUE WHEN run_id IS NULL;
    ran := ran + 1;
    SELECT * INTO run FROM stormops.proposal_runs r WHERE r.proposal_id = run_id;
    IF run.execution_id IS NULL THEN
      RAISE NOTICE 'playbook "%": %', pb.playbook_name, run.outcome;
    END IF;
  END LOOP;

  IF ran > 0 OR failures <> '{}'
     OR NOT EXISTS (SELECT FROM stormops.event_proposals e
                     WHERE e.event_id = generate_proposals.event_id AND e.playbooks_failed = 0) THEN
    INSERT INTO stormops.event_proposals AS e (event_id, as_of, playbooks_run, executions, playbooks_failed, outcome)
    SELECT generate_proposals.event_id, generate_proposals.as_of, count(*), count(r.execution_id), cardinality(failures),
           format('%s playbooks proposed, %s executions', count(*), count(r.execution_id))
             || CASE WHEN failures <> '{}' THEN '; failed: ' || array_to_string(failures, '; ') ELSE '' END
      FROM stormops.proposal_runs r WHERE r.event_id = generate_proposals.event_id
    ON CONFLICT ON CONSTRAINT event_proposals_pkey DO UPDATE SET
      handled_at = EXCLUDED.handled_at, handled_by = EXCLUDED.handled_by, handled_via = EXCLUDED.handled_via,
      as_of = EXCLUDED.as_of,
      playbooks_run = EXCLUDED.playbooks_run, executions = EXCLUDED.executions,
      playbooks_failed = EXCLUDED.playbooks_failed, outcome = EXCLUDED.outcome;
  END IF;

  RETURN QUERY SELECT * FROM stormops.event_decisions(generate_proposals.event_id);
END;
$$;
COMMENT ON FUNCTION stormops.generate_proposals(pg_catalog.text, pg_catalog.timestamptz) IS
  'Proposal runs of every Active playbook for a storm event, once per (playbook, event); returns every decision for the event.';

-- For pg_cron or by hand: does what the storm worker does, in one call:
-- every pending storm event (stormops.storm_events_pending(): impacts or
-- reports, not handled yet or a playbook failed), oldest first, through
-- stormops.handle_storm_event (impacts computed when none were loaded, then
-- generate_proposals). One event's failure does not stop the others: it is
-- reported in the result and the event stays pending.
CREATE FUNCTION stormops.run_pending_proposals()
RETURNS TABLE (event_id pg_catalog.text, playbooks_run pg_catalog.int4, executions pg_catalog.int4,
               proposed pg_catalog.int8, outcome pg_catalog.text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  pending text;
BEGIN
  FOR pending IN SELECT p FROM stormops.storm_events_pending() p LOOP
    BEGIN
      PERFORM stormops.handle_storm_event(pending);
      RETURN QUERY
        SELECT h.event_id, h.playbooks_run, h.executions,
               (SELECT coalesce(sum(r.properties_proposed), 0) FROM stormops.proposal_runs r
                 WHERE r.event_id = h.event_id AND r.execution_id IS NOT NULL)::int8,
               h.outcome
          FROM stormops.event_proposals h WHERE h.event_id = pending;
    EXCEPTION WHEN OTHERS THEN
      RETURN QUERY SELECT pending, 0, 0, 0::int8, 'failed: ' || SQLERRM;
    END;
  END LOOP;
END;
$$;
COMMENT ON FUNCTION stormops.run_pending_proposals() IS
  'handle_storm_event for every pending storm event, as the storm worker would; one row per event with what was done.';
-- The seed's streaming guardrail: a permit filed by a Tier1 contractor other
-- than us (stormops.contractor_id; with it unset, every contractor counts as
-- a rival) in a ZIP that an Active defensive playbook targets proposes that
-- playbook at priority 1, for the properties of that ZIP, in the permit's own
-- transaction, and notifies a human. A playbook is defensive when it
-- requires streaming triggers and names ZIPs in geography.zips
-- (docs/proposals.md).

-- SECURITY DEFINER: operators load permits; the runs, decisions, executions
-- and notifications the trigger writes are a record they may not write.
CREATE FUNCTION stormops.defend_against_competitor_permits()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ours text := stormops.our_contractor_id();
  threat record;
  why text;
  run_id uuid;
  run stormops.proposal_runs;
  failure text;
  failure_state text;
  locked boolean := false;
BEGIN
  FOR threat IN
    SELECT n.permit_id, n.zip, n.contractor_id, n.contractor_name, n.filed_at, pb AS playbook
      FROM new_permits n
      JOIN stormops.playbooks pb
        ON pb.status = 'Active' AND pb.requires_streaming_triggers
       AND jsonb_typeof(pb.targeting_rules -> 'geography' -> 'zips') = 'array'
       AND (pb.targeting_rules -> 'geography' -> 'zips') ? n.zip
     WHERE n.contractor_tier = 'Tier1' AND n.contractor_id IS DISTINCT FROM ours
     ORDER BY n.filed_at, n.permit_id, pb.priority, pb.playbook_name
  LOOP
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
      run_id := stormops.propose_playbook(threat.playbook, NULL, threat.permit_id, threat.zip, 1, why,
                                          least(threat.filed_at, now()));
      CONTINUE WHEN run_id IS NULL;
      SELECT r.* INTO run FROM stormops.proposal_runs r WHERE r.proposal_id = run_id;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_state = RETURNED_SQLSTATE;
      IF failure_state LIKE '40%' OR failure_state = '23505' THEN
        RAISE;
      END IF;
      RAISE WARNING 'playbook "%" was not proposed for permit %: %', (threat.playbook).playbook_name, threat.permit_id, failure
        USING HINT = 'Fix the playbook; the permit is loaded and a competitor_threat notification says what failed.';
    END;
    INSERT INTO stormops.notification_outbox (kind, playbook_id, playbook_name, property_id, reason, payload)
    VALUES ('competitor_threat', (threat.playbook).playbook_id, (threat.playbook).playbook_name, NULL, why,
            jsonb_build_object('kind', 'competitor_threat', 'playbook', (threat.playbook).playbook_name,
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

CREATE TRIGGER competitor_permits_defend AFTER INSERT ON stormops.competitor_permits
  REFERENCING NEW TABLE AS new_permits FOR EACH STATEMENT
  EXECUTE FUNCTION stormops.defend_against_competitor_permits();
-- Execution roll-ups from the behaviour events linked to each execution
-- (behavior_events.execution_id), refreshed by refresh_execution_metrics()
-- (by hand or nightly from pg_cron). Definitions in docs/proposals.md.

-- A figure for a numeric(12,2) column, or NULL when it does not fit (an ROI
-- of a million against a target of 0.01): one such execution must not stop
-- the refresh of all the others.
CREATE FUNCTION stormops.within_numeric_12_2(x pg_catalog.numeric)
RETURNS pg_catalog.numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN pg_catalog.abs(pg_catalog.round(x, 2)) OPERATOR(pg_catalog.<) 10000000000::pg_catalog.numeric
              THEN pg_catalog.round(x, 2) END;
END;

-- SECURITY DEFINER: the figures are computed, never typed in.
CREATE FUNCTION stormops.refresh_execution_metrics(only_execution pg_catalog.uuid DEFAULT NULL)
RETURNS pg_catalog.int4
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  refreshed int;
BEGIN
  UPDATE stormops.playbook_executions x SET
    properties_targeted = coalesce(m.proposed, x.properties_targeted),
    properties_contacted = m.contacted,
    properties_converted = m.converted,
    total_revenue = m.revenue,
    total_cost = round(m.cost),
    roi = stormops.within_numeric_12_2((m.revenue - m.cost) / nullif(m.cost, 0)),
    avg_ticket = round(m.converted_revenue / nullif(m.converted, 0)),
    conversion_rate = round(m.converted::numeric / nullif(m.contacted, 0), 4),
    conversion_rate_vs_target = stormops.within_numeric_12_2(
      100 * (m.converted::numeric / nullif(m.contacted, 0) - m.target_conversion_rate) / nullif(m.target_conversion_rate, 0)),
    roi_vs_target = stormops.within_numeric_12_2(
      100 * ((m.revenue - m.cost) / nullif(m.cost, 0) - m.target_roi) / nullif(m.target_roi, 0))
  FROM (
    SELECT e.execution_id, pb.target_conversion_rate, pb.target_roi,
           (SELECT nullif(count(*), 0)::int FROM stormops.proposal_decisions d
             WHERE d.execution_id = e.execution_id) AS proposed,
           count(p.*) > 0 AS has_events,
           coalesce(sum(1) FILTER (WHERE p.contacted), 0)::int AS contacted,
           coalesce(sum(1) FILTER (WHERE p.contacted AND p.converted), 0)::int AS converted,
           coalesce(sum(p.revenue), 0) AS revenue,
           coalesce(sum(p.revenue) FILTER (WHERE p.contacted AND p.converted), 0) AS converted_revenue,
           coalesce(sum(p.cost), 0) AS cost
      FROM stormops.playbook_executions e
      JOIN stormops.playbooks pb ON pb.playbook_id = e.playbook_id
      LEFT JOIN LATERAL (
        SELECT bool_or(b.event_type = 'contact') AS contacted,
               bool_or(b.event_type = 'conversion') AS converted,
               coalesce(sum(b.revenue), 0) AS revenue,
               coalesce(sum(stormops.channel_cost(pb.cost_per_contact, b.channel))
                          FILTER (WHERE b.event_type = 'contact'), 0) AS cost
          FROM stormops.behavior_events b
         WHERE b.execution_id = e.execution_id
         GROUP BY b.property_id) p ON true
     WHERE only_execution IS NULL OR e.execution_id = only_execution
     GROUP BY e.execution_id, pb.target_conversion_rate, pb.target_roi
  ) m
  -- an execution with neither decisions nor linked events (loaded from
  -- elsewhere, say) keeps the figures it has
  WHERE x.execution_id = m.execution_id AND (m.proposed IS NOT NULL OR m.has_events);
  GET DIAGNOSTICS refreshed = ROW_COUNT;
  RETURN refreshed;
END;
$$;
COMMENT ON FUNCTION stormops.refresh_execution_metrics(pg_catalog.uuid) IS
  'Recomputes the roll-ups of every execution (or one) from its linked behaviour events; returns how many.';
-- The storm-event worker's SQL side (docs/operations.md): which events are
-- pending, what handling one means, where failures go, how commits wake it,
-- and its status. The worker itself is C (src/workers).

-- Failures of the background workers, one row per failed attempt; the
-- event (or notification) stays pending and is tried again later.
CREATE TABLE stormops.worker_errors (
  error_id   pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  logged_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  worker     pg_catalog.text NOT NULL
             CONSTRAINT worker_errors_worker_known CHECK (worker OPERATOR(pg_catalog.=) ANY ('{storm,webhook}'::pg_catalog.text[])),
  event_id   pg_catalog.text,
  error      pg_catalog.text NOT NULL,
  sqlstate   pg_catalog.text
);
COMMENT ON TABLE stormops.worker_errors IS
  'Failed attempts of the background workers, with the error; the work stays pending and is tried again.';
CREATE INDEX worker_errors_event_idx ON stormops.worker_errors (event_id, logged_at);

-- Storm events to propose (by the worker, or run_pending_proposals), oldest first: those with reports
-- or impacts (an event whose reports are still to come is not ready) that
-- no run has handled, or whose last handling had a playbook fail; an event
-- that failed as a whole in the last 5 minutes waits (no tight retry loop).
CREATE FUNCTION stormops.storm_events_pending()
RETURNS SETOF pg_catalog.text
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT e.event_id FROM stormops.storm_events e
   WHERE (EXISTS (SELECT FROM stormops.storm_reports r WHERE r.event_id OPERATOR(pg_catalog.=) e.event_id)
          OR EXISTS (SELECT FROM stormops.property_impacts i WHERE i.event_id OPERATOR(pg_catalog.=) e.event_id))
     AND NOT EXISTS (SELECT FROM stormops.event_proposals h
                      WHERE h.event_id OPERATOR(pg_catalog.=) e.event_id
                        AND h.playbooks_failed OPERATOR(pg_catalog.=) 0)
     AND NOT EXISTS (SELECT FROM stormops.worker_errors w
                      WHERE w.event_id OPERATOR(pg_catalog.=) e.event_id AND w.worker OPERATOR(pg_catalog.=) 'storm'
                        AND w.logged_at OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) '5 minutes'::pg_catalog.interval))
   ORDER BY e.begin_at, e.event_id;
END;
COMMENT ON FUNCTION stormops.storm_events_pending() IS
  'Storm events the storm worker will propose next, oldest first.';

-- What the worker (and run_pending_proposals) does with one event, in one transaction: the impacts from
-- the reports when none were loaded, then generate_proposals as of now().
-- Returns the event's outcome (event_proposals.outcome).
CREATE FUNCTION stormops.handle_storm_event(event_id pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  outcome text;
BEGIN
  IF NOT EXISTS (SELECT FROM stormops.property_impacts i WHERE i.event_id = handle_storm_event.event_id)
     AND EXISTS (SELECT FROM stormops.storm_reports r WHERE r.event_id = handle_storm_event.event_id) THEN
    PERFORM stormops.compute_impacts(handle_storm_event.event_id);
  END IF;
  PERFORM FROM stormops.generate_proposals(handle_storm_event.event_id);
  SELECT e.outcome INTO outcome FROM stormops.event_proposals e WHERE e.event_id = handle_storm_event.event_id;
  RETURN outcome;
END;
$$;
COMMENT ON FUNCTION stormops.handle_storm_event(pg_catalog.text) IS
  'The storm worker''s work for one event: compute_impacts when none were loaded, then generate_proposals.';

-- Commits that add storm data wake the worker (a no-op without it).
CREATE FUNCTION stormops.wake_storm_worker()
RETURNS trigger
AS 'MODULE_PATHNAME', 'stormops_wake_storm_worker'
LANGUAGE C;
CREATE TRIGGER storm_events_wake_worker AFTER INSERT ON stormops.storm_events
  FOR EACH STATEMENT EXECUTE FUNCTION stormops.wake_storm_worker();
CREATE TRIGGER storm_reports_wake_worker AFTER INSERT ON stormops.storm_reports
  FOR EACH STATEMENT EXECUTE FUNCTION stormops.wake_storm_worker();
CREATE TRIGGER property_impacts_wake_worker AFTER INSERT ON stormops.property_impacts
  FOR EACH STATEMENT EXECUTE FUNCTION stormops.wake_storm_worker();

CREATE FUNCTION stormops.worker_status(
  OUT running pg_catalog.bool, OUT launcher_pid pg_catalog.int4, OUT started_at pg_catalog.timestamptz,
  OUT last_wake_at pg_catalog.timestamptz, OUT last_run_started_at pg_catalog.timestamptz,
  OUT last_run_finished_at pg_catalog.timestamptz, OUT runner_pid pg_catalog.int4, OUT runs pg_catalog.int8,
  OUT events_handled pg_catalog.int8, OUT events_failed pg_catalog.int8, OUT last_event_id pg_catalog.text,
  OUT last_outcome pg_catalog.text, OUT notifications_delivered pg_catalog.int8,
  OUT notifications_failed pg_catalog.int8)
AS 'MODULE_PATHNAME', 'stormops_worker_status'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION stormops.worker_status() IS
  'Whether the storm worker runs, since when, what it last did, and the webhook deliveries (since the server started).';
-- pg_cron helpers (docs/operations.md): the scheduled jobs of stormops,
-- created or updated by name, in the current database. pg_cron is optional:
-- it is called through EXECUTE, and its absence is a clear error.

-- The jobs: name, when ('proposals' or 'nightly'), command.
CREATE FUNCTION stormops.cron_job_definitions()
RETURNS TABLE (job_name pg_catalog.text, cadence pg_catalog.text, command pg_catalog.text)
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT * FROM (VALUES
    ('stormops-pending-proposals', 'proposals', 'SELECT * FROM stormops.run_pending_proposals()'),
    ('stormops-competition', 'nightly', 'SELECT stormops.refresh_competition(now(), 90)'),
    ('stormops-execution-metrics', 'nightly', 'SELECT stormops.refresh_execution_metrics()')
  ) AS j(job_name, cadence, command);
END;

CREATE FUNCTION stormops.require_pg_cron()
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
                   'or schedule stormops.run_pending_proposals() with another scheduler.';
  END IF;
END;
$$;

-- Creates the jobs, or updates their schedules; returns them. Admins only:
-- pg_cron runs a job as the role that scheduled it.
CREATE FUNCTION stormops.schedule_jobs(proposals_every pg_catalog.text DEFAULT '*/5 * * * *',
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
  'Creates or updates the pg_cron jobs of stormops (pending proposals; competition and execution metrics nightly).';

CREATE FUNCTION stormops.unschedule_jobs()
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
-- The webhook delivery's SQL side (docs/operations.md): claiming due
-- notifications, recording each outcome, the retry schedule, and replaying
-- dead ones. The delivery itself is C (src/workers/webhook_delivery.c).

-- How long to wait before retry number `attempts`: the base doubled with each
-- attempt, capped at 5 minutes, with jitter (half to all of it), so that a
-- receiver that comes back is not hit by every retry at the same moment.
CREATE FUNCTION stormops.webhook_backoff(attempts pg_catalog.int4, base_ms pg_catalog.int4)
RETURNS pg_catalog.interval
LANGUAGE sql VOLATILE
BEGIN ATOMIC
  SELECT pg_catalog.make_interval(secs => (LEAST(300000::pg_catalog.float8,
           base_ms::pg_catalog.float8 OPERATOR(pg_catalog.*)
             pg_catalog.power(2::pg_catalog.float8, (GREATEST(attempts, 1) OPERATOR(pg_catalog.-) 1)::pg_catalog.float8))
         OPERATOR(pg_catalog.*) (0.5::pg_catalog.float8 OPERATOR(pg_catalog.+) pg_catalog.random() OPERATOR(pg_catalog./) 2::pg_catalog.float8))
         OPERATOR(pg_catalog./) 1000::pg_catalog.float8);
END;

-- Claims up to max_rows due notifications for delivery: one more attempt,
-- and a lease (next_attempt_at moved on) so that a worker that dies before
-- recording the outcome gives them back when the lease runs out. Rows
-- another worker holds are skipped.
CREATE FUNCTION stormops.claim_notifications(max_rows pg_catalog.int4, lease_ms pg_catalog.int4)
RETURNS TABLE (notification_id pg_catalog.int8, attempts pg_catalog.int4, body pg_catalog.text,
               delivery_key pg_catalog.uuid)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN QUERY
  UPDATE stormops.notification_outbox o
     SET attempts = o.attempts + 1,
         next_attempt_at = clock_timestamp() + make_interval(secs => lease_ms / 1000.0)
   WHERE o.notification_id IN (SELECT n.notification_id FROM stormops.notification_outbox n
                                WHERE n.status = 'pending' AND n.next_attempt_at <= clock_timestamp()
                                ORDER BY n.next_attempt_at, n.notification_id
                                LIMIT max_rows
                                FOR UPDATE SKIP LOCKED)
  RETURNING o.notification_id, o.attempts, o.payload::text, o.delivery_key;
END;
$$;

-- Records one attempt's outcome: delivered; retried after webhook_backoff;
-- or dead (not retryable, or max_attempts reached), keeping the last error.
-- Only for the claim it answers (the attempt number it claimed, still
-- pending): a late answer to a claim whose lease ran out changes nothing.
CREATE FUNCTION stormops.record_delivery(notification_id pg_catalog.int8, claimed_attempt pg_catalog.int4,
                                         delivered pg_catalog.bool,
                                         retryable pg_catalog.bool, error pg_catalog.text,
                                         max_attempts pg_catalog.int4, backoff_ms pg_catalog.int4)
RETURNS pg_catalog.text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  outcome text;
BEGIN
  UPDATE stormops.notification_outbox o
     SET status = CASE WHEN delivered THEN 'delivered'
                       WHEN NOT retryable OR o.attempts >= max_attempts THEN 'dead'
                       ELSE 'pending' END,
         delivered_at = CASE WHEN delivered THEN clock_timestamp() END,
         last_error = CASE WHEN delivered THEN o.last_error
                           ELSE format('attempt %s: %s', o.attempts, error) END,
         next_attempt_at = CASE WHEN NOT delivered AND retryable AND o.attempts < max_attempts
                                THEN clock_timestamp() + stormops.webhook_backoff(o.attempts, backoff_ms)
                                ELSE o.next_attempt_at END
   WHERE o.notification_id = record_delivery.notification_id
     AND o.attempts = claimed_attempt AND o.status = 'pending'
  RETURNING o.status INTO outcome;
  RETURN outcome;
END;
$$;

-- Sends dead notifications again (all, or the given ones): pending, with
-- their attempts reset. Returns how many.
CREATE FUNCTION stormops.replay_notifications(notification_ids pg_catalog.int8[] DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  replayed bigint;
BEGIN
  UPDATE stormops.notification_outbox o
     SET status = 'pending', attempts = 0, next_attempt_at = clock_timestamp()
   WHERE o.status = 'dead'
     AND (notification_ids IS NULL OR o.notification_id = ANY (notification_ids));
  GET DIAGNOSTICS replayed = ROW_COUNT;
  RETURN replayed;
END;
$$;
COMMENT ON FUNCTION stormops.replay_notifications(pg_catalog.int8[]) IS
  'Makes dead notifications pending again (all, or the given ids), attempts reset; returns how many.';

CREATE TRIGGER notification_outbox_wake_worker AFTER INSERT ON stormops.notification_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION stormops.wake_storm_worker();
-- Roles: viewer reads, operator runs plays, edits playbooks and loads data,
-- admin does everything. Roles are cluster-wide: they are created once and
-- kept when the extension is dropped (docs/security.md).

DO $roles$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'stormops_viewer') THEN
    CREATE ROLE stormops_viewer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'stormops_operator') THEN
    CREATE ROLE stormops_operator NOLOGIN;
    GRANT stormops_viewer TO stormops_operator;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'stormops_admin') THEN
    CREATE ROLE stormops_admin NOLOGIN;
    GRANT stormops_operator TO stormops_admin;
  END IF;
END
$roles$;

REVOKE ALL ON SCHEMA stormops FROM PUBLIC;
GRANT USAGE ON SCHEMA stormops TO stormops_viewer;

-- Functions are callable only by the three roles; the pure ones by all three.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA stormops FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  stormops.validate_targeting_rules(pg_catalog.jsonb),
  stormops.validate_channel_strategy(pg_catalog.jsonb),
  stormops.validate_channel_costs(pg_catalog.jsonb),
  stormops.check_targeting_rules(pg_catalog.jsonb),
  stormops.check_channel_strategy(pg_catalog.jsonb),
  stormops.embedding_is_valid(pg_catalog.float4[]),
  stormops.is_zip(pg_catalog.text),
  stormops.is_tract_geoid(pg_catalog.text),
  stormops.is_semver(pg_catalog.text),
  stormops.semver_key(pg_catalog.text),
  stormops.semver_bump(pg_catalog.text, pg_catalog.text),
  stormops.default_channel_cost(stormops.channel),
  stormops.playbook_status_moves(stormops.playbook_status),
  stormops.playbook_cost_per_property(stormops.playbooks),
  stormops.cosine_similarity(pg_catalog.float4[], pg_catalog.float4[]),
  stormops.l2_distance(pg_catalog.float4[], pg_catalog.float4[]),
  stormops.cosine_to_centroid(pg_catalog.float4[], pg_catalog.float8[]),
  stormops.l2_to_centroid(pg_catalog.float4[], pg_catalog.float8[]),
  stormops.embedding_avg_accum(pg_catalog.internal, pg_catalog.float4[]),
  stormops.embedding_avg_final(pg_catalog.internal),
  stormops.embedding_avg(pg_catalog.float4[]),
  stormops.reference_centroid(pg_catalog.float8[], pg_catalog.text),
  stormops.polygon_contains(pg_catalog.jsonb, pg_catalog.float8, pg_catalog.float8),
  stormops.compile_targeting(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz),
  stormops.compile_targeting_funnel(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz),
  stormops.target_properties(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz),
  stormops.playbook_targets(pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz),
  stormops.targeting_funnel(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz),
  stormops.top_k_accum(pg_catalog.internal, pg_catalog.text, pg_catalog.float4[], pg_catalog.float8[],
                       pg_catalog.int4, pg_catalog.text, pg_catalog.float8),
  stormops.top_k_final(pg_catalog.internal),
  stormops.top_k(pg_catalog.text, pg_catalog.float4[], pg_catalog.float8[], pg_catalog.int4,
                 pg_catalog.text, pg_catalog.float8),
  stormops.similar_properties(pg_catalog.float8[], pg_catalog.int4, pg_catalog.float8),
  stormops.similar_tracts(pg_catalog.float8[], pg_catalog.int4, pg_catalog.float8),
  stormops.embedding_checksum(pg_catalog.float4[]),
  stormops.default_report_radius_km(pg_catalog.text, pg_catalog.numeric),
  stormops.report_severity(pg_catalog.text, pg_catalog.numeric),
  stormops.roof_vulnerability(pg_catalog.int4, pg_catalog.timestamptz),
  stormops.haversine_km(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.float8),
  stormops.our_contractor_id(),
  stormops.contractor_tier_weight(pg_catalog.text),
  stormops.throttle_contacts_7d(),
  stormops.moves_guardrail_signal(pg_catalog.text, pg_catalog.bool),
  stormops.escalate_complaints_30d(),
  stormops.guardrail_signals_at(pg_catalog.timestamptz),
  stormops.guardrail_signals_at(pg_catalog.timestamptz, pg_catalog.text[]),
  stormops.guardrail_signals_of(pg_catalog.text[], pg_catalog.timestamptz),
  stormops.channel_cost(pg_catalog.jsonb, pg_catalog.text),
  stormops.holdout_draw(pg_catalog.uuid, pg_catalog.text),
  stormops.within_numeric_12_2(pg_catalog.numeric),
  stormops.storm_events_pending(),
  stormops.worker_status(),
  stormops.event_decisions(pg_catalog.text),
  stormops.noaa_event_type(pg_catalog.text),
  stormops.noaa_timestamp(pg_catalog.text, pg_catalog.text),
  stormops.parse_decimal(pg_catalog.text)
TO stormops_viewer;
GRANT EXECUTE ON FUNCTION
  stormops.ingest_noaa_details(),
  stormops.ingest_spc_hail(pg_catalog.date),
  stormops.settle_events(pg_catalog.text[]),
  stormops.compute_impacts(pg_catalog.text),
  stormops.refresh_competition(pg_catalog.timestamptz, pg_catalog.int4),
  stormops.raise_out_of_range(pg_catalog.text, pg_catalog.text, pg_catalog.numeric, pg_catalog.text),
  stormops.lock_playbook(pg_catalog.text),
  stormops.set_playbook_status(pg_catalog.text, stormops.playbook_status),
  stormops.activate_playbook(pg_catalog.text),
  stormops.pause_playbook(pg_catalog.text),
  stormops.retire_playbook(pg_catalog.text),
  stormops.revise_playbook(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text),
  stormops.generate_proposals(pg_catalog.text, pg_catalog.timestamptz),
  stormops.run_pending_proposals(),
  stormops.refresh_execution_metrics(pg_catalog.uuid),
  stormops.replay_notifications(pg_catalog.int8[])
TO stormops_operator;

GRANT SELECT ON ALL TABLES IN SCHEMA stormops TO stormops_viewer;

-- Operators load the inputs and edit playbooks.
GRANT INSERT, UPDATE, DELETE ON
  stormops.zip_codes, stormops.census_tracts, stormops.properties, stormops.cohorts,
  stormops.property_scores, stormops.storm_events, stormops.storm_reports,
  stormops.property_impacts, stormops.behavior_events, stormops.competitor_permits,
  stormops.zip_competition, stormops.playbooks, stormops.do_not_contact
TO stormops_operator;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA stormops TO stormops_operator;
-- Loading storm files: \copy into staging, then the ingest functions.
GRANT INSERT, TRUNCATE ON stormops.noaa_details_staging, stormops.spc_hail_staging TO stormops_operator;
GRANT INSERT ON stormops.ingest_rejects TO stormops_operator;

-- Admins also own the site settings and may correct executions and history.
GRANT ALL ON ALL TABLES IN SCHEMA stormops TO stormops_admin;
GRANT ALL ON ALL SEQUENCES IN SCHEMA stormops TO stormops_admin;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA stormops TO stormops_admin;
-- pg_dump keeps the rows of every table users fill (extension member tables
-- are otherwise dumped empty).
SELECT pg_catalog.pg_extension_config_dump('stormops.zip_codes', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.census_tracts', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.properties', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.cohorts', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.property_scores', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.storm_events', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.storm_reports', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.property_impacts', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.behavior_events', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.behavior_events_behavior_event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.competitor_permits', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.zip_competition', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.channel_costs', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.playbooks', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.playbook_versions', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.playbook_executions', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.ingest_rejects', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.ingest_rejects_reject_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.do_not_contact', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.proposal_runs', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.proposal_decisions', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.notification_outbox', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.notification_outbox_notification_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.event_proposals', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.worker_errors', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.worker_errors_error_id_seq', '');
