-- Contact plans (contact-plans.md, docs/contact-plans.md): the tables. A
-- schema part, new in 0.2.0.
--
-- An execution keeps the channel strategy it was made with
-- (playbook_executions.channel_strategy); execution_steps holds its steps
-- as rows, with when each is due, when it closes and the local hours it may
-- go out in. contact_steps holds one row per proposed property and step:
-- its status, why, and when it may be claimed next (ready_at). Every change
-- after a step is laid is a row of contact_step_changes. Senders claim
-- through claim_due_contacts and report through record_contact_result
-- (sql/parts/22_contact_claims.sql); nobody writes these tables by hand.
--
-- Scale-out: contact_steps and contact_step_changes carry property_id in
-- their keys (distributed and co-located by it); execution_steps and
-- contact_day_counts are small, per execution and per playbook.
--
-- Laying a plan reads each proposed property's ZIP (for its time zone):
-- properties_zip_of_idx answers that from the index alone (a storm-wide
-- execution's 100,000 lookups: 0.18 s instead of 0.47 s from the table).
CREATE INDEX properties_zip_of_idx ON stormops.properties (property_id) INCLUDE (zip);

-- The outcomes of an execution's contacts (opens, clicks, responses, ...;
-- contact_outcomes): the summaries and the bandit's rewards read them per
-- execution, and the contact events themselves, most of an execution's
-- events, stay out of this index (a pool of 20,000 sent contacts: its
-- rewards in 17 ms instead of 51, bench/variants). With the time, reads
-- as of a moment need no second index (the planner otherwise added
-- behavior_events_property_time_idx's whole range: 13 ms for nothing).
CREATE INDEX behavior_events_outcomes_idx ON stormops.behavior_events (execution_id, event_timestamp)
  WHERE execution_id IS NOT NULL AND event_type OPERATOR(pg_catalog.<>) 'contact';

CREATE TYPE stormops.contact_status AS ENUM ('planned', 'leased', 'sent', 'skipped', 'expired', 'failed');
COMMENT ON TYPE stormops.contact_status IS
  'Status of a contact step: planned, leased (claimed, not yet reported), or final: sent, skipped, expired, failed.';

CREATE TABLE stormops.execution_steps (
  execution_id       pg_catalog.uuid NOT NULL REFERENCES stormops.playbook_executions (execution_id) ON DELETE CASCADE,
  step               pg_catalog.int2 NOT NULL CONSTRAINT execution_steps_step_range CHECK (step OPERATOR(pg_catalog.>=) 1),
  channel            stormops.channel NOT NULL,
  condition          pg_catalog.text,
  timing_window      pg_catalog.text,
  message_variant    pg_catalog.text,
  offer_type         pg_catalog.text,
  success_criteria   pg_catalog.text,
  due_at             pg_catalog.timestamptz NOT NULL,
  closes_at          pg_catalog.timestamptz NOT NULL,
  -- the local hours it may go out in (stormops.allowed_hours); NULL days: never
  allowed_days       pg_catalog.text,
  allowed_start_min  pg_catalog.int4,
  allowed_end_min    pg_catalog.int4,
  -- the step's arms (adaptive.md): 2..10 message variants, else NULL; how a
  -- claim chooses among them (uniform: a sticky A/B/n test), and the pool
  -- of statistics the choice reads (sql/parts/14_variant_tables.sql)
  arms               pg_catalog.text[],
  arm_method         pg_catalog.text,
  bandit_epsilon     pg_catalog.float8,
  reoptimize_after   pg_catalog.int4,
  arm_pool_id        pg_catalog.int8,
  PRIMARY KEY (execution_id, step),
  CONSTRAINT execution_steps_closes_after_due CHECK (closes_at OPERATOR(pg_catalog.>) due_at),
  CONSTRAINT execution_steps_arms_shape
    CHECK (pg_catalog.cardinality(arms) OPERATOR(pg_catalog.>=) 2 AND pg_catalog.cardinality(arms) OPERATOR(pg_catalog.<=) 10),
  CONSTRAINT execution_steps_arm_method_known
    CHECK ((arms IS NULL) OPERATOR(pg_catalog.=) (arm_method IS NULL)
           AND arm_method OPERATOR(pg_catalog.=) ANY ('{uniform,epsilon_greedy,thompson}'::pg_catalog.text[]))
);
COMMENT ON TABLE stormops.execution_steps IS
  'The steps of an execution''s channel strategy: due at execution_start + timing_hours, open until closes_at, allowed in local hours.';

-- No foreign keys: the rows are written only by the plan functions, from
-- an execution's own steps and proposed properties (whose proposal_decisions
-- rows keep the properties from being deleted). Checked row by row, the two
-- keys cost 3.6 s of every 300,000 steps laid (bench/contact_plans), more
-- than the laying itself.
CREATE TABLE stormops.contact_steps (
  execution_id   pg_catalog.uuid NOT NULL,
  property_id    pg_catalog.text NOT NULL,
  step           pg_catalog.int2 NOT NULL,
  channel        stormops.channel NOT NULL,
  rank           pg_catalog.int4 NOT NULL,
  time_zone      pg_catalog.text NOT NULL,
  status         stormops.contact_status NOT NULL DEFAULT 'planned',
  reason         pg_catalog.text NOT NULL,
  -- the plan's current step: every earlier step is final
  is_next        pg_catalog.bool NOT NULL,
  due_at         pg_catalog.timestamptz NOT NULL,
  -- when it may be claimed next: the next allowed time, or the end of a lease
  ready_at       pg_catalog.timestamptz,
  -- the end of the allowed opening that ready_at falls in
  allowed_until  pg_catalog.timestamptz,
  -- the latest claim, its lease (NULL once that claim is reported) and time
  contact_id     pg_catalog.int8,
  lease_until    pg_catalog.timestamptz,
  claimed_at     pg_catalog.timestamptz,
  attempts       pg_catalog.int2 NOT NULL DEFAULT 0,
  sent_at        pg_catalog.timestamptz,
  final_at       pg_catalog.timestamptz,
  -- the arm its first claim chose (adaptive.md), kept by later claims: the
  -- method, the probability the method gave that arm then, and the
  -- statistics it read (arm_statistics; NULL for a sticky A/B/n draw)
  arm                pg_catalog.text,
  arm_method         pg_catalog.text,
  arm_propensity     pg_catalog.float8,
  arm_statistics_id  pg_catalog.int8,
  PRIMARY KEY (execution_id, property_id, step),
  CONSTRAINT contact_steps_final_has_time
    CHECK ((status OPERATOR(pg_catalog.=) ANY ('{planned,leased}'::stormops.contact_status[])) OPERATOR(pg_catalog.<>) (final_at IS NOT NULL))
);
COMMENT ON TABLE stormops.contact_steps IS
  'One row per proposed property and step of an execution''s contact plan: status, reason, times; written only by the plan functions.';
COMMENT ON COLUMN stormops.contact_steps.ready_at IS
  'When the step may be claimed next: its next allowed time in local time, later after a wait, or the end of its lease.';
COMMENT ON COLUMN stormops.contact_steps.arm IS
  'The message variant chosen for this contact among its step''s arms (NULL when the step has one variant or none).';
COMMENT ON COLUMN stormops.contact_steps.arm_propensity IS
  'The probability that the step''s method gave this arm when it was chosen: retrospectives and models weigh by 1 / propensity.';
COMMENT ON COLUMN stormops.contact_steps.contact_id IS
  'The latest claim of the step (claim_due_contacts); reports name it.';
-- what claim_due_contacts reads: the current steps not final, by channel,
-- earliest due and best rank first; ready_at is checked inside the index
CREATE INDEX contact_steps_claim_idx ON stormops.contact_steps
  (channel, due_at, rank, property_id, execution_id, ready_at)
  WHERE is_next AND status OPERATOR(pg_catalog.=) ANY ('{planned,leased}'::stormops.contact_status[]);
-- what the sweeps read: the current steps of an execution's plans. A plan
-- has a step not final exactly when its current step (is_next) is one, so
-- this also says whether an execution has anything left to do.
CREATE INDEX contact_steps_current_idx ON stormops.contact_steps (execution_id)
  WHERE is_next AND status OPERATOR(pg_catalog.=) ANY ('{planned,leased}'::stormops.contact_status[]);

CREATE SEQUENCE stormops.contact_id_seq AS pg_catalog.int8;
COMMENT ON SEQUENCE stormops.contact_id_seq IS 'Contact ids: one per claim of a step.';

-- Append-only; written by the plan functions only (no foreign key, like
-- contact_steps: a claim writes a thousand at a time).
CREATE TABLE stormops.contact_step_changes (
  change_id     pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
  execution_id  pg_catalog.uuid NOT NULL,
  property_id   pg_catalog.text NOT NULL,
  step          pg_catalog.int2 NOT NULL,
  -- the status after the change (planned for a wait)
  status        stormops.contact_status NOT NULL,
  reason        pg_catalog.text NOT NULL,
  contact_id    pg_catalog.int8,
  -- on the plan's clock: the claim's as_of, the report's at
  changed_at    pg_catalog.timestamptz NOT NULL,
  recorded_at   pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
  changed_by    pg_catalog.text NOT NULL DEFAULT SESSION_USER,
  PRIMARY KEY (property_id, execution_id, step, change_id)
);
COMMENT ON TABLE stormops.contact_step_changes IS
  'Every change of a contact step after it was laid: the new status, why, when on the plan''s clock, by whom, with the claim it concerns.';
-- a contact id to its step (every claim is a change): reports and
-- attribution find the step through it, so claims keep no such index on
-- contact_steps (one index entry less for each of a claim's thousand leases)
CREATE INDEX contact_step_changes_contact_idx
  ON stormops.contact_step_changes (contact_id) WHERE contact_id IS NOT NULL;

-- Contacts claimed per playbook and calendar day, for max_daily_contacts
-- ('contacts', days in stormops.default_time_zone) and the crews
-- ('door_knocks', days in the property's zone). Claims of one capped
-- playbook lock its rows, so the caps hold with concurrent senders.
CREATE TABLE stormops.contact_day_counts (
  playbook_id  pg_catalog.uuid NOT NULL REFERENCES stormops.playbooks (playbook_id) ON DELETE CASCADE,
  day          pg_catalog.date NOT NULL,
  kind         pg_catalog.text NOT NULL
               CONSTRAINT contact_day_counts_kind_known
               CHECK (kind OPERATOR(pg_catalog.=) ANY ('{contacts,door_knocks}'::pg_catalog.text[])),
  claimed      pg_catalog.int4 NOT NULL DEFAULT 0,
  PRIMARY KEY (playbook_id, day, kind)
);
COMMENT ON TABLE stormops.contact_day_counts IS
  'Steps claimed per playbook and day: all contacts (max_daily_contacts) and door knocks (crews).';
