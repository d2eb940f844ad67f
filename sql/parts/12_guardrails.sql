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
-- complaint do not. The history functions, the view (12_guardrails_signals.sql)
-- and the triggers all use it, so they cannot drift apart.
CREATE FUNCTION stormops.moves_guardrail_signal(event_type pg_catalog.text, complaint pg_catalog.bool)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT event_type OPERATOR(pg_catalog.=) ANY ('{contact,opt_out}'::pg_catalog.text[]) OR complaint;
END;

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

-- Merges of new events into the state: 12_guardrails_merge.sql.
-- Corrections (UPDATE, DELETE) and the rebuild: 12_guardrails_history.sql.
