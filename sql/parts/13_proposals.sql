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
    CHECK ((event_id IS NULL) OPERATOR(pg_catalog.<>) (permit_id IS NULL)),
  -- 0.2.0: loaded by import_campaign, not decided here
  imported          pg_catalog.bool NOT NULL DEFAULT false
);
COMMENT ON COLUMN stormops.proposal_runs.imported IS
  'True for a past campaign loaded by import_campaign (its decisions are the campaign''s assignment as it happened).';
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
  delivery_key     pg_catalog.uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
  -- (0.2.0) times the worker claimed it to send, and claims whose outcome
  -- was never recorded; attempts counts the recorded ones (21_webhook_delivery.sql)
  claims           pg_catalog.int4 NOT NULL DEFAULT 0,
  lost_sends       pg_catalog.int4 NOT NULL DEFAULT 0,
  CONSTRAINT notification_outbox_claims_counted
    CHECK ((claims OPERATOR(pg_catalog.-) attempts OPERATOR(pg_catalog.-) lost_sends) OPERATOR(pg_catalog.=) ANY ('{0,1}'::pg_catalog.int4[]))
);
COMMENT ON TABLE stormops.notification_outbox IS
  'Notifications for humans (escalations, competitor threats), delivered as webhooks; status pending, delivered or dead.';
COMMENT ON COLUMN stormops.notification_outbox.attempts IS
  'Requests sent whose outcome was recorded (delivered, or failed with last_error).';
COMMENT ON COLUMN stormops.notification_outbox.claims IS
  'Times the webhook worker claimed it to send: attempts + lost_sends, plus 1 while a claim awaits its outcome.';
COMMENT ON COLUMN stormops.notification_outbox.lost_sends IS
  'Claims whose lease ran out without a recorded outcome (the worker stopped between claiming and recording).';
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

