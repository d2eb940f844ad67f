-- What a person reads about contact plans (contact-plans.md, "What a person
-- reads"): an execution step by step, and one property's plan. A code part;
-- read-only functions for psql and the control plane.

-- Whether `value` meets a success criterion such as "open_rate > 0.3"
-- (validated when the playbook was written); NULL without a value.
CREATE OR REPLACE FUNCTION stormops.criterion_met(criterion pg_catalog.text, value pg_catalog.numeric)
RETURNS pg_catalog.bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE pg_catalog.split_part(criterion, ' ', 2)
           WHEN '>' THEN value OPERATOR(pg_catalog.>) pg_catalog.split_part(criterion, ' ', 3)::pg_catalog.numeric
           WHEN '>=' THEN value OPERATOR(pg_catalog.>=) pg_catalog.split_part(criterion, ' ', 3)::pg_catalog.numeric
           WHEN '<' THEN value OPERATOR(pg_catalog.<) pg_catalog.split_part(criterion, ' ', 3)::pg_catalog.numeric
           WHEN '<=' THEN value OPERATOR(pg_catalog.<=) pg_catalog.split_part(criterion, ' ', 3)::pg_catalog.numeric
         END;
END;

-- An execution step by step, as of a moment: how many steps are planned
-- (and of those, due but not out yet: waiting), leased, sent, skipped (by
-- reason), expired, failed; of the sent ones, the share with an engagement
-- (open, click, response, conversion) and with a response (click, response,
-- conversion) attributed to the step; and its success criterion, the
-- metric's value over the sent contacts and whether it is met.
CREATE OR REPLACE FUNCTION stormops.execution_step_summary(execution_id pg_catalog.uuid,
                                                          as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (step pg_catalog.int4, channel pg_catalog.text, condition pg_catalog.text,
               planned pg_catalog.int8, waiting pg_catalog.int8, leased pg_catalog.int8, sent pg_catalog.int8,
               skipped pg_catalog.int8, skipped_by_reason pg_catalog.jsonb, expired pg_catalog.int8,
               failed pg_catalog.int8, engagement_rate pg_catalog.numeric, response_rate pg_catalog.numeric,
               success_criteria pg_catalog.text, success_value pg_catalog.numeric, success_met pg_catalog.bool)
LANGUAGE sql STABLE
BEGIN ATOMIC
  WITH outcomes AS (
    SELECT f.* FROM stormops.step_outcome_flags(ARRAY[execution_step_summary.execution_id], as_of) f
  ), steps AS (
    SELECT s.step, s.status, s.reason, s.due_at, o.engaged, o.responded, o.opened, o.clicked, o.converted,
           o.complained, o.opted_out
      FROM stormops.contact_steps s
      LEFT JOIN outcomes o ON o.property_id OPERATOR(pg_catalog.=) s.property_id
                          AND o.step OPERATOR(pg_catalog.=) s.step
                          AND s.status OPERATOR(pg_catalog.=) 'sent'
     WHERE s.execution_id OPERATOR(pg_catalog.=) execution_step_summary.execution_id
  ), counts AS (
    SELECT t.step,
           pg_catalog.count(*) FILTER (WHERE t.status OPERATOR(pg_catalog.=) 'planned') AS planned,
           pg_catalog.count(*) FILTER (WHERE t.status OPERATOR(pg_catalog.=) 'planned'
                                         AND t.due_at OPERATOR(pg_catalog.<=) as_of) AS waiting,
           pg_catalog.count(*) FILTER (WHERE t.status OPERATOR(pg_catalog.=) 'leased') AS leased,
           pg_catalog.count(*) FILTER (WHERE t.status OPERATOR(pg_catalog.=) 'sent') AS sent,
           pg_catalog.count(*) FILTER (WHERE t.status OPERATOR(pg_catalog.=) 'skipped') AS skipped,
           pg_catalog.count(*) FILTER (WHERE t.status OPERATOR(pg_catalog.=) 'expired') AS expired,
           pg_catalog.count(*) FILTER (WHERE t.status OPERATOR(pg_catalog.=) 'failed') AS failed,
           pg_catalog.count(*) FILTER (WHERE t.engaged) AS engaged,
           pg_catalog.count(*) FILTER (WHERE t.responded) AS responded,
           pg_catalog.count(*) FILTER (WHERE t.opened) AS opened,
           pg_catalog.count(*) FILTER (WHERE t.clicked) AS clicked,
           pg_catalog.count(*) FILTER (WHERE t.converted) AS converted,
           pg_catalog.count(*) FILTER (WHERE t.complained) AS complained,
           pg_catalog.count(*) FILTER (WHERE t.opted_out) AS opted_out
      FROM steps t
     GROUP BY t.step
  ), reasons AS (
    SELECT r.step, pg_catalog.jsonb_object_agg(r.reason, r.n ORDER BY r.reason) AS by_reason
      FROM (SELECT t.step, t.reason, pg_catalog.count(*) AS n FROM steps t
             WHERE t.status OPERATOR(pg_catalog.=) 'skipped' GROUP BY t.step, t.reason) r
     GROUP BY r.step
  ), rates AS (
    SELECT c.*,
           pg_catalog.round(c.engaged::pg_catalog.numeric OPERATOR(pg_catalog./) NULLIF(c.sent, 0), 4) AS engagement_rate,
           pg_catalog.round(c.responded::pg_catalog.numeric OPERATOR(pg_catalog./) NULLIF(c.sent, 0), 4) AS response_rate,
           x.channel, x.condition, x.success_criteria,
           pg_catalog.round((CASE pg_catalog.split_part(x.success_criteria, ' ', 1)
                               WHEN 'open_rate' THEN c.opened
                               WHEN 'click_rate' THEN c.clicked
                               WHEN 'response_rate' THEN c.responded
                               WHEN 'conversion_rate' THEN c.converted
                               WHEN 'complaint_rate' THEN c.complained
                               WHEN 'opt_out_rate' THEN c.opted_out
                             END)::pg_catalog.numeric OPERATOR(pg_catalog./) NULLIF(c.sent, 0), 4) AS success_value
      FROM counts c
      JOIN stormops.execution_steps x ON x.execution_id OPERATOR(pg_catalog.=) execution_step_summary.execution_id
                                     AND x.step OPERATOR(pg_catalog.=) c.step
  )
  SELECT r.step, r.channel::pg_catalog.text, r.condition, r.planned, r.waiting, r.leased, r.sent, r.skipped,
         COALESCE(s.by_reason, '{}'::pg_catalog.jsonb), r.expired, r.failed, r.engagement_rate, r.response_rate,
         r.success_criteria, r.success_value, stormops.criterion_met(r.success_criteria, r.success_value)
    FROM rates r
    LEFT JOIN reasons s ON s.step OPERATOR(pg_catalog.=) r.step
   ORDER BY r.step;
END;
COMMENT ON FUNCTION stormops.execution_step_summary(pg_catalog.uuid, pg_catalog.timestamptz) IS
  'An execution step by step: planned, waiting, leased, sent, skipped by reason, expired, failed; engagement and response rates of sent contacts; success criterion met or not.';

-- One property's plan in an execution (by default its latest): every step
-- with its status, reason and times, in UTC and on the property's clock.
CREATE OR REPLACE FUNCTION stormops.contact_plan(property_id pg_catalog.text, execution_id pg_catalog.uuid DEFAULT NULL)
RETURNS TABLE (execution_id pg_catalog.uuid, playbook_name pg_catalog.text, step pg_catalog.int4,
               channel pg_catalog.text, condition pg_catalog.text, status pg_catalog.text, reason pg_catalog.text,
               due_at pg_catalog.timestamptz, ready_at pg_catalog.timestamptz, allowed_until pg_catalog.timestamptz,
               closes_at pg_catalog.timestamptz, local_due pg_catalog.text, time_zone pg_catalog.text,
               contact_id pg_catalog.int8, attempts pg_catalog.int4, sent_at pg_catalog.timestamptz,
               final_at pg_catalog.timestamptz)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT s.execution_id, p.playbook_name, s.step, s.channel::pg_catalog.text, x.condition, s.status::pg_catalog.text,
         s.reason, s.due_at,
         CASE WHEN s.status OPERATOR(pg_catalog.=) ANY ('{planned,leased}'::stormops.contact_status[]) THEN s.ready_at END,
         CASE WHEN s.status OPERATOR(pg_catalog.=) ANY ('{planned,leased}'::stormops.contact_status[]) THEN s.allowed_until END,
         x.closes_at, pg_catalog.to_char(s.due_at AT TIME ZONE s.time_zone, 'Dy YYYY-MM-DD HH24:MI'), s.time_zone,
         s.contact_id, s.attempts::pg_catalog.int4, s.sent_at, s.final_at
    FROM stormops.contact_steps s
    JOIN stormops.execution_steps x ON x.execution_id OPERATOR(pg_catalog.=) s.execution_id
                                   AND x.step OPERATOR(pg_catalog.=) s.step
    JOIN stormops.playbook_executions e ON e.execution_id OPERATOR(pg_catalog.=) s.execution_id
    JOIN stormops.playbooks p ON p.playbook_id OPERATOR(pg_catalog.=) e.playbook_id
   WHERE s.property_id OPERATOR(pg_catalog.=) contact_plan.property_id
     AND s.execution_id OPERATOR(pg_catalog.=) COALESCE(contact_plan.execution_id,
           (SELECT k.execution_id FROM stormops.proposal_decisions k
              JOIN stormops.playbook_executions ke ON ke.execution_id OPERATOR(pg_catalog.=) k.execution_id
             WHERE k.property_id OPERATOR(pg_catalog.=) contact_plan.property_id
             ORDER BY ke.execution_start DESC, ke.execution_id DESC LIMIT 1))
   ORDER BY s.step;
END;
COMMENT ON FUNCTION stormops.contact_plan(pg_catalog.text, pg_catalog.uuid) IS
  'One property''s contact plan in an execution (by default its latest): every step with its status, reason and times.';

-- Every change of that plan, in order.
CREATE OR REPLACE FUNCTION stormops.contact_plan_changes(property_id pg_catalog.text, execution_id pg_catalog.uuid DEFAULT NULL)
RETURNS TABLE (step pg_catalog.int4, changed_at pg_catalog.timestamptz, status pg_catalog.text, reason pg_catalog.text,
               contact_id pg_catalog.int8, changed_by pg_catalog.text)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT h.step, h.changed_at, h.status::pg_catalog.text, h.reason, h.contact_id, h.changed_by
    FROM stormops.contact_step_changes h
   WHERE h.property_id OPERATOR(pg_catalog.=) contact_plan_changes.property_id
     AND h.execution_id OPERATOR(pg_catalog.=) COALESCE(contact_plan_changes.execution_id,
           (SELECT k.execution_id FROM stormops.proposal_decisions k
              JOIN stormops.playbook_executions ke ON ke.execution_id OPERATOR(pg_catalog.=) k.execution_id
             WHERE k.property_id OPERATOR(pg_catalog.=) contact_plan_changes.property_id
             ORDER BY ke.execution_start DESC, ke.execution_id DESC LIMIT 1))
   ORDER BY h.change_id;
END;
COMMENT ON FUNCTION stormops.contact_plan_changes(pg_catalog.text, pg_catalog.uuid) IS
  'Every change of one property''s contact plan (by default in its latest execution), in order.';
