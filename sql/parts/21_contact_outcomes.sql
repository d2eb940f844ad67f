-- Outcomes of contacts (contact-plans.md, "Conditions and attribution";
-- adaptive.md, rewards): which step each outcome belongs to, and per sent
-- contact which outcomes it brought. A code part; conditions, claims, the
-- summaries and the bandit's rewards all read outcomes through these.

-- Outcomes (behaviour events linked to an execution, other than the
-- contacts themselves) with the plan step each belongs to: the step
-- record_contact_result wrote, else the claim's step, else the latest step
-- of that execution sent to that property before the event, else none.
CREATE OR REPLACE VIEW stormops.contact_outcomes AS
SELECT b.behavior_event_id, b.execution_id, b.property_id,
       COALESCE(b.step,
                (SELECT h.step FROM stormops.contact_step_changes h
                  WHERE h.contact_id OPERATOR(pg_catalog.=) b.contact_id
                    AND h.property_id OPERATOR(pg_catalog.=) b.property_id
                  LIMIT 1),
                (SELECT pg_catalog.max(s.step) FROM stormops.contact_steps s
                  WHERE s.execution_id OPERATOR(pg_catalog.=) b.execution_id
                    AND s.property_id OPERATOR(pg_catalog.=) b.property_id
                    AND s.status OPERATOR(pg_catalog.=) 'sent'
                    AND s.sent_at OPERATOR(pg_catalog.<=) b.event_timestamp)) AS step,
       b.contact_id, b.event_type, b.event_timestamp, b.channel, b.complaint, b.revenue,
       b.event_type OPERATOR(pg_catalog.=) ANY ('{click,response,conversion}'::pg_catalog.text[]) AS is_response,
       b.event_type OPERATOR(pg_catalog.=) ANY ('{open,click,response,conversion}'::pg_catalog.text[]) AS is_engagement
  FROM stormops.behavior_events b
 WHERE b.execution_id IS NOT NULL
   AND b.event_type OPERATOR(pg_catalog.<>) 'contact';
COMMENT ON VIEW stormops.contact_outcomes IS
  'Outcomes linked to an execution with the plan step each belongs to (docs/contact-plans.md, "Attribution"); responses are click, response, conversion; engagement adds open.';

-- Per contact step of these executions that has outcomes as of `as_of`:
-- which kinds it brought, and its first conversion (attribution windows
-- are the reader's: a reward counts a conversion within
-- stormops.attribution_days of the send).
CREATE OR REPLACE FUNCTION stormops.step_outcome_flags(execution_ids pg_catalog.uuid[], as_of pg_catalog.timestamptz)
RETURNS TABLE (execution_id pg_catalog.uuid, property_id pg_catalog.text, step pg_catalog.int4,
               engaged pg_catalog.bool, responded pg_catalog.bool, opened pg_catalog.bool, clicked pg_catalog.bool,
               converted pg_catalog.bool, complained pg_catalog.bool, opted_out pg_catalog.bool,
               first_conversion_at pg_catalog.timestamptz)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT o.execution_id, o.property_id, o.step,
         pg_catalog.bool_or(o.is_engagement), pg_catalog.bool_or(o.is_response),
         pg_catalog.bool_or(o.event_type OPERATOR(pg_catalog.=) 'open'),
         pg_catalog.bool_or(o.event_type OPERATOR(pg_catalog.=) 'click'),
         pg_catalog.bool_or(o.event_type OPERATOR(pg_catalog.=) 'conversion'),
         pg_catalog.bool_or(o.event_type OPERATOR(pg_catalog.=) 'complaint'),
         pg_catalog.bool_or(o.event_type OPERATOR(pg_catalog.=) 'opt_out'),
         pg_catalog.min(o.event_timestamp) FILTER (WHERE o.event_type OPERATOR(pg_catalog.=) 'conversion')
    FROM stormops.contact_outcomes o
   WHERE o.execution_id OPERATOR(pg_catalog.=) ANY (execution_ids)
     AND o.event_timestamp OPERATOR(pg_catalog.<=) as_of
     AND o.step IS NOT NULL
   GROUP BY o.execution_id, o.property_id, o.step;
END;
COMMENT ON FUNCTION stormops.step_outcome_flags(pg_catalog.uuid[], pg_catalog.timestamptz) IS
  'Per contact step of these executions with outcomes as of a moment: engaged, responded, opened, clicked, converted, complained, opted out, first conversion.';
