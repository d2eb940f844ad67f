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
