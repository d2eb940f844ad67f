-- Views for the control plane (retrospectives.md, "For the control plane";
-- docs/control-plane.md documents every column): playbooks with their
-- lifetime figures, proposal runs, storms with their runs, executions with
-- their plan progress, guardrail activity per day, and the notifications
-- with their delivery state. A code part; a dashboard reads these with
-- plain SELECTs and filters them with WHERE.
--
-- Design: each view reads stored rows only. Figures that are costly to
-- recompute come from the stored roll-ups (playbook_executions' columns,
-- refreshed by refresh_execution_metrics nightly and when an execution
-- ends), not from behaviour events. Per-row counts are LATERAL subqueries
-- on indexed keys (storm_reports and property_impacts by event,
-- proposal_decisions by run, contact_steps by execution), so a filter on
-- the key reads only that key's rows; reading a whole view reads each
-- table once. Views are security_invoker: a reader sees through them only
-- what the tables and functions let that reader see (viewers read every
-- table, docs/security.md).
--
-- Failure modes: none write and none raise on stored data. An execution
-- without contact plans (made by 0.1.0, or imported) has NULL plan
-- columns; a playbook, storm or run with nothing below it has zeros, not
-- NULLs; ratios with a zero denominator are NULL. guardrail_activity reads
-- every guardrail decision (proposal_decisions has no index on decision):
-- its cost grows with the decisions of all runs, like guardrail_log's.

-- One row per proposal run (a storm event's or a competitor permit's),
-- with its decisions counted by kind.
CREATE OR REPLACE VIEW stormops.run_overview WITH (security_invoker = true) AS
SELECT r.proposal_id, r.event_id, r.permit_id,
       CASE WHEN r.imported THEN 'imported'
            WHEN r.permit_id IS NOT NULL THEN 'competitor_permit'
            ELSE 'storm' END AS trigger_kind,
       p.playbook_name, r.playbook_version, r.priority, r.trigger_reason, r.as_of, r.proposed_at, r.proposed_by,
       r.imported, r.properties_targeted, r.properties_proposed,
       d.holdout, d.suppressed, d.escalated, d.throttled, d.busy, d.over_capacity,
       r.outcome, r.execution_id, x.status AS execution_status
  FROM stormops.proposal_runs r
  JOIN stormops.playbooks p ON p.playbook_id OPERATOR(pg_catalog.=) r.playbook_id
  LEFT JOIN stormops.playbook_executions x ON x.execution_id OPERATOR(pg_catalog.=) r.execution_id
  LEFT JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE c.decision OPERATOR(pg_catalog.=) 'holdout') AS holdout,
           pg_catalog.count(*) FILTER (WHERE c.decision OPERATOR(pg_catalog.=) 'suppressed') AS suppressed,
           pg_catalog.count(*) FILTER (WHERE c.decision OPERATOR(pg_catalog.=) 'escalated') AS escalated,
           pg_catalog.count(*) FILTER (WHERE c.decision OPERATOR(pg_catalog.=) 'throttled') AS throttled,
           pg_catalog.count(*) FILTER (WHERE c.decision OPERATOR(pg_catalog.=) 'busy') AS busy,
           pg_catalog.count(*) FILTER (WHERE c.decision OPERATOR(pg_catalog.=) 'over_capacity') AS over_capacity
      FROM stormops.proposal_decisions c
     WHERE c.proposal_id OPERATOR(pg_catalog.=) r.proposal_id
  ) d ON true;
COMMENT ON VIEW stormops.run_overview IS
  'One row per proposal run (storm event, competitor permit or imported campaign): the playbook, what it targeted and proposed, its decisions by kind, the execution it made (docs/control-plane.md).';

-- One row per playbook with its lifetime figures.
CREATE OR REPLACE VIEW stormops.playbook_overview WITH (security_invoker = true) AS
SELECT p.playbook_id, p.playbook_name, p.playbook_version, p.status, p.priority,
       COALESCE(v.earlier_versions, 0) AS earlier_versions,
       p.budget_allocated, p.max_concurrent_properties, p.holdout_share, p.target_conversion_rate, p.target_roi,
       COALESCE(r.runs, 0) AS runs,
       COALESCE(x.executions, 0) AS executions,
       COALESCE(x.running, 0) AS running_executions,
       COALESCE(r.properties_targeted, 0) AS properties_targeted,
       COALESCE(r.properties_proposed, 0) AS properties_proposed,
       COALESCE(x.properties_contacted, 0) AS properties_contacted,
       COALESCE(x.properties_converted, 0) AS properties_converted,
       COALESCE(x.total_revenue, 0) AS total_revenue,
       COALESCE(x.total_cost, 0) AS total_cost,
       pg_catalog.round(x.properties_converted::pg_catalog.numeric
                          OPERATOR(pg_catalog./) NULLIF(x.properties_contacted, 0), 4) AS conversion_rate,
       pg_catalog.round((x.total_revenue OPERATOR(pg_catalog.-) x.total_cost)::pg_catalog.numeric
                          OPERATOR(pg_catalog./) NULLIF(x.total_cost, 0), 4) AS roi,
       r.last_run_at, x.last_execution_start,
       p.created_at, p.created_by, p.updated_at, p.updated_by
  FROM stormops.playbooks p
  LEFT JOIN (SELECT h.playbook_id, pg_catalog.count(*) AS earlier_versions
               FROM stormops.playbook_versions h GROUP BY h.playbook_id) v
         ON v.playbook_id OPERATOR(pg_catalog.=) p.playbook_id
  LEFT JOIN (SELECT u.playbook_id, pg_catalog.count(*) AS runs,
                    pg_catalog.sum(u.properties_targeted) AS properties_targeted,
                    pg_catalog.sum(u.properties_proposed) AS properties_proposed,
                    pg_catalog.max(u.proposed_at) AS last_run_at
               FROM stormops.proposal_runs u GROUP BY u.playbook_id) r
         ON r.playbook_id OPERATOR(pg_catalog.=) p.playbook_id
  LEFT JOIN (SELECT e.playbook_id, pg_catalog.count(*) AS executions,
                    pg_catalog.count(*) FILTER (WHERE e.status OPERATOR(pg_catalog.=) 'Running') AS running,
                    COALESCE(pg_catalog.sum(e.properties_contacted), 0) AS properties_contacted,
                    COALESCE(pg_catalog.sum(e.properties_converted), 0) AS properties_converted,
                    COALESCE(pg_catalog.sum(e.total_revenue), 0) AS total_revenue,
                    COALESCE(pg_catalog.sum(e.total_cost), 0) AS total_cost,
                    pg_catalog.max(e.execution_start) AS last_execution_start
               FROM stormops.playbook_executions e GROUP BY e.playbook_id) x
         ON x.playbook_id OPERATOR(pg_catalog.=) p.playbook_id;
COMMENT ON VIEW stormops.playbook_overview IS
  'One row per playbook: status, version, runs, executions and lifetime figures from the executions'' roll-ups (docs/control-plane.md).';

-- One row per storm event with its reports, impacts, handling and runs.
CREATE OR REPLACE VIEW stormops.storm_overview WITH (security_invoker = true) AS
SELECT e.event_id, e.event_type, e.magnitude, e.begin_at, e.end_at, e.lat, e.lon, e.radius_km, e.source,
       rep.reports, imp.impacted_properties,
       h.handled_at, h.handled_via, h.playbooks_failed, h.outcome AS handling_outcome,
       COALESCE(u.runs, 0) AS runs, COALESCE(u.executions, 0) AS executions,
       COALESCE(u.targeted, 0) AS targeted, COALESCE(u.proposed, 0) AS proposed,
       COALESCE(u.holdout, 0) AS holdout, COALESCE(u.suppressed, 0) AS suppressed,
       COALESCE(u.escalated, 0) AS escalated, COALESCE(u.throttled, 0) AS throttled,
       COALESCE(u.busy, 0) AS busy, COALESCE(u.over_capacity, 0) AS over_capacity,
       COALESCE(u.playbooks, '{}') AS playbooks
  FROM stormops.storm_events e
  LEFT JOIN stormops.event_proposals h ON h.event_id OPERATOR(pg_catalog.=) e.event_id
  LEFT JOIN LATERAL (SELECT pg_catalog.count(*) AS reports FROM stormops.storm_reports s
                      WHERE s.event_id OPERATOR(pg_catalog.=) e.event_id) rep ON true
  LEFT JOIN LATERAL (SELECT pg_catalog.count(*) AS impacted_properties FROM stormops.property_impacts i
                      WHERE i.event_id OPERATOR(pg_catalog.=) e.event_id) imp ON true
  LEFT JOIN LATERAL (
    SELECT pg_catalog.count(*) AS runs, pg_catalog.count(o.execution_id) AS executions,
           pg_catalog.sum(o.properties_targeted) AS targeted, pg_catalog.sum(o.properties_proposed) AS proposed,
           pg_catalog.sum(o.holdout)::pg_catalog.int8 AS holdout, pg_catalog.sum(o.suppressed)::pg_catalog.int8 AS suppressed,
           pg_catalog.sum(o.escalated)::pg_catalog.int8 AS escalated, pg_catalog.sum(o.throttled)::pg_catalog.int8 AS throttled,
           pg_catalog.sum(o.busy)::pg_catalog.int8 AS busy, pg_catalog.sum(o.over_capacity)::pg_catalog.int8 AS over_capacity,
           pg_catalog.array_agg(o.playbook_name ORDER BY o.priority, o.playbook_name) AS playbooks
      FROM stormops.run_overview o
     WHERE o.event_id OPERATOR(pg_catalog.=) e.event_id
  ) u ON true;
COMMENT ON VIEW stormops.storm_overview IS
  'One row per storm event: type, magnitude, time, reports, impacted properties, when it was proposed and what its runs decided (docs/control-plane.md).';

-- One row per execution with its contact plans' progress.
CREATE OR REPLACE VIEW stormops.execution_progress WITH (security_invoker = true) AS
SELECT x.execution_id, p.playbook_name, x.playbook_version,
       CASE WHEN r.imported THEN 'imported'
            WHEN r.permit_id IS NOT NULL THEN 'competitor_permit'
            ELSE 'storm' END AS trigger_kind,
       COALESCE(x.triggered_by_event_id, r.event_id) AS event_id, r.permit_id, r.proposal_id,
       x.status, x.execution_start, x.execution_end, x.end_reason,
       x.properties_targeted,
       s.properties_open, s.plan_steps, s.planned, s.leased, s.sent, s.skipped, s.expired, s.failed,
       pg_catalog.round((100::pg_catalog.numeric OPERATOR(pg_catalog.*)
                          (s.sent OPERATOR(pg_catalog.+) s.skipped OPERATOR(pg_catalog.+) s.expired
                           OPERATOR(pg_catalog.+) s.failed))
                        OPERATOR(pg_catalog./) s.plan_steps, 1) AS percent_done,
       s.next_due_at, s.last_sent_at,
       x.properties_contacted, x.properties_converted, x.total_revenue, x.total_cost, x.roi, x.conversion_rate
  FROM stormops.playbook_executions x
  JOIN stormops.playbooks p ON p.playbook_id OPERATOR(pg_catalog.=) x.playbook_id
  LEFT JOIN stormops.proposal_runs r ON r.execution_id OPERATOR(pg_catalog.=) x.execution_id
  LEFT JOIN LATERAL (
    SELECT pg_catalog.count(*) AS plan_steps,
           pg_catalog.count(*) FILTER (WHERE c.is_next AND c.status OPERATOR(pg_catalog.=) ANY
                                         ('{planned,leased}'::stormops.contact_status[])) AS properties_open,
           pg_catalog.count(*) FILTER (WHERE c.status OPERATOR(pg_catalog.=) 'planned') AS planned,
           pg_catalog.count(*) FILTER (WHERE c.status OPERATOR(pg_catalog.=) 'leased') AS leased,
           pg_catalog.count(*) FILTER (WHERE c.status OPERATOR(pg_catalog.=) 'sent') AS sent,
           pg_catalog.count(*) FILTER (WHERE c.status OPERATOR(pg_catalog.=) 'skipped') AS skipped,
           pg_catalog.count(*) FILTER (WHERE c.status OPERATOR(pg_catalog.=) 'expired') AS expired,
           pg_catalog.count(*) FILTER (WHERE c.status OPERATOR(pg_catalog.=) 'failed') AS failed,
           pg_catalog.min(c.due_at) FILTER (WHERE c.is_next AND c.status OPERATOR(pg_catalog.=) 'planned') AS next_due_at,
           pg_catalog.max(c.sent_at) AS last_sent_at
      FROM stormops.contact_steps c
     WHERE c.execution_id OPERATOR(pg_catalog.=) x.execution_id
    HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0
  ) s ON true;
COMMENT ON VIEW stormops.execution_progress IS
  'One row per execution: playbook, trigger, status, its contact plans'' steps by status and percent done (NULL without plans), and its roll-ups (docs/control-plane.md).';

-- Guardrail activity per local day (stormops.default_time_zone): the
-- proposal runs' suppressions, escalations and throttles by playbook, and
-- the do-not-contact entries added.
CREATE OR REPLACE VIEW stormops.guardrail_activity WITH (security_invoker = true) AS
SELECT a.day, a.kind, a.playbook_name, pg_catalog.count(*) AS entries,
       pg_catalog.count(DISTINCT a.property_id) AS properties,
       pg_catalog.min(a.at) AS first_at, pg_catalog.max(a.at) AS last_at
  FROM (SELECT (d.decided_at AT TIME ZONE stormops.default_time_zone())::pg_catalog.date AS day,
               d.decision::pg_catalog.text AS kind, p.playbook_name, d.property_id, d.decided_at AS at
          FROM stormops.proposal_decisions d
          JOIN stormops.proposal_runs r ON r.proposal_id OPERATOR(pg_catalog.=) d.proposal_id
          JOIN stormops.playbooks p ON p.playbook_id OPERATOR(pg_catalog.=) r.playbook_id
         WHERE d.decision OPERATOR(pg_catalog.=) ANY ('{suppressed,escalated,throttled}'::stormops.decision[])
        UNION ALL
        SELECT (n.added_at AT TIME ZONE stormops.default_time_zone())::pg_catalog.date,
               'do_not_contact', NULL, n.property_id, n.added_at
          FROM stormops.do_not_contact n) a
 GROUP BY a.day, a.kind, a.playbook_name;
COMMENT ON VIEW stormops.guardrail_activity IS
  'Per local day: suppressions, escalations and throttles of proposal runs by playbook, and do-not-contact entries added (docs/control-plane.md).';

-- The notification outbox with each notification's delivery state.
CREATE OR REPLACE VIEW stormops.notifications WITH (security_invoker = true) AS
SELECT n.notification_id, n.kind, n.playbook_name, n.property_id,
       n.payload OPERATOR(pg_catalog.->>) 'event_id' AS event_id,
       n.payload OPERATOR(pg_catalog.->>) 'permit_id' AS permit_id,
       n.reason, n.created_at, n.status,
       CASE WHEN n.status OPERATOR(pg_catalog.<>) 'pending' THEN n.status
            WHEN n.next_attempt_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN 'due'
            WHEN n.claims OPERATOR(pg_catalog.>) (n.attempts OPERATOR(pg_catalog.+) n.lost_sends) THEN 'sending'
            WHEN n.attempts OPERATOR(pg_catalog.>) 0 THEN 'retry_scheduled'
            ELSE 'scheduled' END AS delivery_state,
       n.attempts,
       CASE WHEN n.status OPERATOR(pg_catalog.=) 'pending' THEN n.next_attempt_at END AS next_attempt_at,
       n.last_error, n.delivered_at, n.delivery_key, n.payload
  FROM stormops.notification_outbox n;
COMMENT ON VIEW stormops.notifications IS
  'The notification outbox with each notification''s delivery state: due, sending, retry_scheduled, scheduled, delivered or dead (docs/control-plane.md).';
