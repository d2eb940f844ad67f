-- stormops 0.1.0 -> 0.2.0: contact plans (contact-plans.md): local time, the
-- strategy snapshot of executions, plans, claims and reports, executions that
-- end; variants, A/B tests and the bandit (adaptive.md); retrospectives,
-- history, sensitivity and imported campaigns (retrospectives.md); the
-- control plane's views (docs/control-plane.md); the model registry,
-- training, validation and scoring (learning.md); the diffusion graph and
-- its scores (diffusion.md).
--
-- Schema changes to 0.1.0 objects are written here; new and changed code
-- comes from sql/parts through --@include (the Makefile inlines each part
-- whole). test/shell/upgrade.sh checks that the result has the catalog of a
-- fresh 0.2.0 install and keeps every row. Columns are added at the end of
-- their tables, where the 0.2.0 parts declare them too.

\echo Use "ALTER EXTENSION stormops UPDATE TO '0.2.0'" to load this file. \quit

--@include 01_local_time.sql
--@include 01_cluster.sql

ALTER TABLE stormops.zip_codes
  ADD COLUMN time_zone pg_catalog.text
      CONSTRAINT zip_codes_time_zone_known CHECK (stormops.is_time_zone(time_zone));
COMMENT ON COLUMN stormops.zip_codes.time_zone IS
  'IANA time zone of the ZIP, e.g. America/Chicago; NULL reads as stormops.default_time_zone. Contact windows are local to it.';

ALTER TABLE stormops.behavior_events
  ADD COLUMN contact_id pg_catalog.int8,
  ADD COLUMN step pg_catalog.int2
      CONSTRAINT behavior_events_step_range CHECK (step OPERATOR(pg_catalog.>=) 1);
COMMENT ON COLUMN stormops.behavior_events.contact_id IS
  'The claim (claim_due_contacts) this event reports on, when it came through record_contact_result.';
COMMENT ON COLUMN stormops.behavior_events.step IS
  'The contact plan step of execution_id it belongs to; NULL: attributed by time (docs/contact-plans.md).';

-- the property first in the key, so that the table can be distributed by it
-- (docs/scaling.md); behavior_event_id stays unique through its identity
ALTER TABLE stormops.behavior_events
  DROP CONSTRAINT behavior_events_pkey,
  ADD CONSTRAINT behavior_events_pkey PRIMARY KEY (property_id, behavior_event_id);

ALTER TABLE stormops.playbook_executions
  ADD COLUMN channel_strategy pg_catalog.jsonb,
  ADD COLUMN message_variants pg_catalog.jsonb,
  ADD COLUMN end_reason pg_catalog.text;
COMMENT ON COLUMN stormops.playbook_executions.channel_strategy IS
  'The playbook''s channel_strategy when the execution was made: its contact plans follow it, whatever later revisions say.';
COMMENT ON COLUMN stormops.playbook_executions.message_variants IS
  'The playbook''s message_variants when the execution was made: the scripts its contacts carry.';
COMMENT ON COLUMN stormops.playbook_executions.end_reason IS
  'Why the execution ended: completed (by whom, or every step final), or the reason it was aborted.';
-- Executions of 0.1.0 keep the strategy of the version that made them, for
-- the record; they have no plans (docs/upgrades.md).
UPDATE stormops.playbook_executions e
   SET channel_strategy = v.playbook OPERATOR(pg_catalog.->) 'channel_strategy',
       message_variants = v.playbook OPERATOR(pg_catalog.->) 'message_variants'
  FROM (SELECT p.playbook_id, p.playbook_version, pg_catalog.to_jsonb(p) AS playbook FROM stormops.playbooks p
        UNION ALL
        SELECT h.playbook_id, h.playbook_version, h.playbook FROM stormops.playbook_versions h) v
 WHERE v.playbook_id OPERATOR(pg_catalog.=) e.playbook_id
   AND v.playbook_version OPERATOR(pg_catalog.=) e.playbook_version;
UPDATE stormops.playbook_executions e
   SET message_variants = NULL
 WHERE pg_catalog.jsonb_typeof(e.message_variants) OPERATOR(pg_catalog.=) 'null';

-- (not ADD COLUMN ... DEFAULT: that stores a "missing value" in the
-- catalog, which a fresh install has not; proposal_runs is small)
ALTER TABLE stormops.proposal_runs ADD COLUMN imported pg_catalog.bool;
UPDATE stormops.proposal_runs SET imported = false;
ALTER TABLE stormops.proposal_runs ALTER COLUMN imported SET DEFAULT false,
                                   ALTER COLUMN imported SET NOT NULL;
COMMENT ON COLUMN stormops.proposal_runs.imported IS
  'True for a past campaign loaded by import_campaign (its decisions are the campaign''s assignment as it happened).';

-- Webhook claims are counted apart from recorded attempts (issue 16):
-- claim_notifications and record_delivery take new arguments
-- (21_webhook_delivery.sql). Rows of 0.1.0 count every claim as recorded.
ALTER TABLE stormops.notification_outbox ADD COLUMN claims pg_catalog.int4, ADD COLUMN lost_sends pg_catalog.int4;
UPDATE stormops.notification_outbox SET claims = attempts, lost_sends = 0;
ALTER TABLE stormops.notification_outbox ALTER COLUMN claims SET DEFAULT 0,
                                         ALTER COLUMN claims SET NOT NULL,
                                         ALTER COLUMN lost_sends SET DEFAULT 0,
                                         ALTER COLUMN lost_sends SET NOT NULL,
  ADD CONSTRAINT notification_outbox_claims_counted
    CHECK ((claims OPERATOR(pg_catalog.-) attempts OPERATOR(pg_catalog.-) lost_sends) OPERATOR(pg_catalog.=) ANY ('{0,1}'::pg_catalog.int4[]));
COMMENT ON COLUMN stormops.notification_outbox.attempts IS
  'Requests sent whose outcome was recorded (delivered, or failed with last_error).';
COMMENT ON COLUMN stormops.notification_outbox.claims IS
  'Times the webhook worker claimed it to send: attempts + lost_sends, plus 1 while a claim awaits its outcome.';
COMMENT ON COLUMN stormops.notification_outbox.lost_sends IS
  'Claims whose lease ran out without a recorded outcome (the worker stopped between claiming and recording).';

--@include 14_contact_plans.sql
--@include 14_variant_tables.sql
--@include 14_variants.sql
--@include 15_contact_plan_laying.sql
--@include 16_proposal_runs.sql
--@include 20_cron_jobs.sql
--@include 21_contact_outcomes.sql
--@include 21_variant_statistics.sql
--@include 22_contact_claim_locks.sql
--@include 22_contact_claims.sql
--@include 23_contact_reports.sql
--@include 24_execution_end.sql
--@include 25_contact_summaries.sql
--@include 25_variant_stats.sql
--@include 26_zcta_staging.sql
--@include 27_zcta_ingestion.sql
-- behavior_events_execution_idx gains the property, the event type and
-- the channel (04_activity.sql); rebuilt here, which reads the whole table
DROP INDEX stormops.behavior_events_execution_idx;
CREATE INDEX behavior_events_execution_idx
  ON stormops.behavior_events (execution_id, property_id) INCLUDE (event_type, channel) WHERE execution_id IS NOT NULL;
--@include 28_retrospective_indexes.sql
--@include 28_retrospectives.sql
--@include 29_playbook_history.sql
--@include 29_sensitivity.sql
--@include 30_campaign_import.sql
--@include 31_control_plane_views.sql

ALTER TABLE stormops.property_scores
  ADD COLUMN response_score pg_catalog.float8
      CONSTRAINT property_scores_response_range
      CHECK (response_score OPERATOR(pg_catalog.>=) 0 AND response_score OPERATOR(pg_catalog.<=) 1);
COMMENT ON COLUMN stormops.property_scores.response_score IS
  'P(response | contacted) by the active response model (score_properties); NULL before one is active.';
--@include 32_models.sql
--@include 33_model_training.sql
--@include 34_property_models.sql

ALTER TABLE stormops.property_scores
  ADD COLUMN diffusion_score pg_catalog.float8
      CONSTRAINT property_scores_diffusion_range
      CHECK (diffusion_score OPERATOR(pg_catalog.>=) 0 AND diffusion_score OPERATOR(pg_catalog.<=) 1),
  ADD COLUMN diffusion_percentile pg_catalog.float8
      CONSTRAINT property_scores_diffusion_percentile_range
      CHECK (diffusion_percentile OPERATOR(pg_catalog.>=) 0 AND diffusion_percentile OPERATOR(pg_catalog.<=) 100);
COMMENT ON COLUMN stormops.property_scores.diffusion_score IS
  'Personalized PageRank of word-of-mouth diffusion from past and recent customers (refresh_diffusion, docs/diffusion.md); NULL before the first refresh.';
COMMENT ON COLUMN stormops.property_scores.diffusion_percentile IS
  '100 * percent_rank of diffusion_score among all properties at the refresh: the share (in %) of the others with a lower score. The targeting key diffusion.min_score compares with it.';
--@include 35_diffusion_tables.sql
--@include 36_diffusion.sql
--@include 12_behavior_counts.sql
-- the counts of the history loaded so far
SELECT stormops.behavior_counts_from_history(NULL);
--@include 12_guardrails_truncate.sql
--@include 12_guardrails_history.sql
--@include 12_guardrails_merge.sql
--@include 06_playbook_revision.sql
--@include 06_playbook_writes.sql
--@include 12_guardrails_signals.sql
--@include 19_storm_worker_events.sql
--@include 09_roof_vulnerability.sql
--@include 09_storm_impacts_compute.sql
--@include 08_similarity_top_k.sql

-- claim_notifications and record_delivery take new arguments (issue 16)
DROP FUNCTION stormops.claim_notifications(pg_catalog.int4, pg_catalog.int4);
DROP FUNCTION stormops.record_delivery(pg_catalog.int8, pg_catalog.int4, pg_catalog.bool, pg_catalog.bool,
                                       pg_catalog.text, pg_catalog.int4, pg_catalog.int4);
--@include 21_webhook_delivery.sql

--@include 17_competitor_defence.sql
--@include 37_distribution.sql
--@include 90_roles.sql
--@include 99_dump.sql
