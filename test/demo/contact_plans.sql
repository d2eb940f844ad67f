-- What the demo shows after the storm: the executions' contact plans worked
-- for two simulated weeks through claim_due_contacts(channel, max_rows,
-- as_of), hour by hour, by senders that report made-up outcomes (seeded:
-- every run shows the same), then the executions completed and their
-- roll-ups (docs/contact-plans.md).
\pset footer off

\echo
\echo '== The plans: every proposed property got one step row per step of its play, in the run''s transaction'
SELECT p.playbook_name, x.step, x.channel, coalesce(x.condition, '') AS condition,
       to_char(x.due_at AT TIME ZONE 'America/Chicago', 'Dy MM-DD HH24:MI') AS due_local,
       to_char(x.closes_at AT TIME ZONE 'America/Chicago', 'Dy MM-DD HH24:MI') AS closes_local,
       stormops.allowed_hours_text(x.allowed_days, x.allowed_start_min, x.allowed_end_min, 'local') AS allowed,
       count(s.*) AS plans
  FROM stormops.execution_steps x
  JOIN stormops.playbook_executions e USING (execution_id)
  JOIN stormops.playbooks p USING (playbook_id)
  JOIN stormops.contact_steps s USING (execution_id, step)
 GROUP BY p.priority, p.playbook_name, x.step, x.channel, x.condition, x.due_at, x.closes_at,
          x.allowed_days, x.allowed_start_min, x.allowed_end_min
 ORDER BY p.priority, x.step;

\echo
\echo '== Two weeks of senders: every half hour each channel''s sender claims what is due (made-up outcomes, seeded)'
\echo '-- in this demo each rep makes 3 door-knock visits a day (stormops.visits_per_rep_per_day), so crews are short'
SET stormops.visits_per_rep_per_day = 3;
-- a repeatable draw in [0, 1) for a key
CREATE FUNCTION pg_temp.draw(key text) RETURNS float8 LANGUAGE sql IMMUTABLE AS
  $$ SELECT ('x' || substr(md5('stormops demo: ' || key), 1, 8))::bit(32)::bigint / 4294967296.0 $$;
DO $$
DECLARE
  t timestamptz;
  ch text;
  c record;
  k text;
BEGIN
  FOR t IN SELECT generate_series('2019-03-27 21:30-05'::timestamptz, '2019-04-10 21:30-05', '30 minutes') LOOP
    FOREACH ch IN ARRAY '{email,sms,phone,door_knock,direct_mail,paid_ads}'::text[] LOOP
      FOR c IN SELECT * FROM stormops.claim_due_contacts(ch, 1000, t) LOOP
        k := c.property_id || ':' || c.step || ':';
        -- one attempt in fifteen fails (a bounce, nobody home) and is tried again
        IF pg_temp.draw(k || c.contact_id) < 1.0 / 15 THEN
          PERFORM stormops.record_contact_result(c.contact_id, 'failed', t + interval '5 minutes');
          CONTINUE;
        END IF;
        PERFORM stormops.record_contact_result(c.contact_id, 'sent', t + interval '5 minutes');
        CASE ch
          WHEN 'email' THEN
            IF pg_temp.draw(k || 'open') < 0.40 THEN
              PERFORM stormops.record_contact_result(c.contact_id, 'open', t + interval '3 hours');
              IF pg_temp.draw(k || 'click') < 0.30 THEN
                PERFORM stormops.record_contact_result(c.contact_id, 'click', t + interval '4 hours');
              END IF;
            END IF;
          WHEN 'sms' THEN
            IF pg_temp.draw(k || 'opt_out') < 0.05 THEN
              PERFORM stormops.record_contact_result(c.contact_id, 'opt_out', t + interval '20 minutes');
            ELSIF pg_temp.draw(k || 'response') < 0.15 THEN
              PERFORM stormops.record_contact_result(c.contact_id, 'response', t + interval '1 hour');
            END IF;
          WHEN 'phone' THEN
            IF pg_temp.draw(k || 'response') < 0.35 THEN
              PERFORM stormops.record_contact_result(c.contact_id, 'response', t + interval '10 minutes');
            END IF;
          WHEN 'door_knock' THEN
            IF pg_temp.draw(k || 'response') < 0.45 THEN
              PERFORM stormops.record_contact_result(c.contact_id, 'response', t + interval '30 minutes');
              IF pg_temp.draw(k || 'conversion') < 0.55 THEN
                PERFORM stormops.record_contact_result(c.contact_id, 'conversion', t + interval '3 days',
                                                       11000 + (pg_temp.draw(k || 'ticket') * 9000)::int);
              END IF;
            END IF;
          WHEN 'direct_mail' THEN
            IF pg_temp.draw(k || 'response') < 0.10 THEN
              PERFORM stormops.record_contact_result(c.contact_id, 'response', t + interval '3 days');
            END IF;
          WHEN 'paid_ads' THEN
            IF pg_temp.draw(k || 'click') < 0.06 THEN
              PERFORM stormops.record_contact_result(c.contact_id, 'click', t + interval '1 day');
            END IF;
        END CASE;
      END LOOP;
    END LOOP;
  END LOOP;
END $$;

\echo '-- what went out each day (Central time), by channel'
SELECT to_char(h.changed_at AT TIME ZONE 'America/Chicago', 'Dy MM-DD') AS day,
       count(*) FILTER (WHERE s.channel = 'email') AS email, count(*) FILTER (WHERE s.channel = 'sms') AS sms,
       count(*) FILTER (WHERE s.channel = 'phone') AS phone, count(*) FILTER (WHERE s.channel = 'door_knock') AS door_knock,
       count(*) FILTER (WHERE s.channel = 'direct_mail') AS direct_mail, count(*) FILTER (WHERE s.channel = 'paid_ads') AS paid_ads,
       count(*) AS total
  FROM stormops.contact_step_changes h
  JOIN stormops.contact_steps s USING (execution_id, property_id, step)
 WHERE h.status = 'sent'
 GROUP BY 1 ORDER BY min(h.changed_at);

\echo '-- what waited, and why: steps laid to wait for their allowed hours (calling hours, the door-knock window)...'
SELECT p.playbook_name, x.step, x.channel,
       to_char(x.due_at AT TIME ZONE 'America/Chicago', 'Dy MM-DD HH24:MI') AS due,
       stormops.allowed_hours_text(x.allowed_days, x.allowed_start_min, x.allowed_end_min, 'local') AS allowed,
       to_char(w.opens_at AT TIME ZONE 'America/Chicago', 'Dy MM-DD HH24:MI') AS may_go_from
  FROM stormops.execution_steps x
  JOIN stormops.playbook_executions e USING (execution_id)
  JOIN stormops.playbooks p USING (playbook_id)
 CROSS JOIN LATERAL stormops.next_allowed_time(x.due_at, x.closes_at, 'America/Chicago', x.allowed_days,
                                               x.allowed_start_min, x.allowed_end_min) w
 WHERE w.opens_at > x.due_at
 ORDER BY p.priority, x.step;
\echo '-- ... and steps that waited on the way (crews full, a failed attempt tried again, a throttle), with the reason each got'
SELECT p.playbook_name, h.step, s.channel,
       regexp_replace(h.reason, '( \(until [^)]*\)| on 2019-[0-9-]+| at 2019-[0-9-]+ [0-9:]+| \(contact [0-9]+\))', '', 'g') AS why,
       count(*) AS times,
       to_char(min(h.changed_at) AT TIME ZONE 'America/Chicago', 'Dy MM-DD') AS first,
       to_char(max(h.changed_at) AT TIME ZONE 'America/Chicago', 'Dy MM-DD') AS last
  FROM stormops.contact_step_changes h
  JOIN stormops.contact_steps s USING (execution_id, property_id, step)
  JOIN stormops.playbook_executions e USING (execution_id)
  JOIN stormops.playbooks p USING (playbook_id)
 WHERE h.status = 'planned'
 GROUP BY p.priority, p.playbook_name, h.step, s.channel, 4
 ORDER BY p.priority, h.step, times DESC;

\echo '-- what was skipped, expired or failed, and why'
SELECT p.playbook_name, s.step, s.channel, s.status, s.reason, count(*) AS steps
  FROM stormops.contact_steps s
  JOIN stormops.playbook_executions e USING (execution_id)
  JOIN stormops.playbooks p USING (playbook_id)
 WHERE s.status IN ('skipped', 'expired', 'failed')
 GROUP BY p.priority, p.playbook_name, s.step, s.channel, s.status, s.reason
 ORDER BY p.priority, s.step, steps DESC, s.reason;

\echo
\echo '== Each execution step by step, as of 10 April (success: the step''s success_criteria over its sent contacts)'
SELECT p.playbook_name, m.step, m.channel, coalesce(m.condition, '') AS condition, m.sent, m.skipped, m.expired,
       m.failed, m.planned, m.engagement_rate AS engaged, m.response_rate AS responded,
       coalesce(m.success_criteria, '') AS success_criteria, m.success_value AS value, m.success_met AS met
  FROM stormops.playbook_executions e
  JOIN stormops.playbooks p USING (playbook_id)
 CROSS JOIN LATERAL stormops.execution_step_summary(e.execution_id, '2019-04-10 12:00-05') m
 WHERE p.playbook_name IN ('Frisco-Alpha', 'Expansion-Lookalike')
 ORDER BY p.priority, m.step;

\echo '-- one property''s plan: Frisco-Alpha''s best-ranked target, step by step, and every change'
SELECT d.property_id AS demo_property
  FROM stormops.proposal_decisions d JOIN stormops.proposal_runs r USING (proposal_id) JOIN stormops.playbooks p USING (playbook_id)
 WHERE p.playbook_name = 'Frisco-Alpha' AND d.decision = 'proposed' ORDER BY d.rank LIMIT 1 \gset
SELECT step, channel, coalesce(condition, '') AS condition, status, reason, local_due, attempts,
       to_char(sent_at AT TIME ZONE time_zone, 'Dy MM-DD HH24:MI') AS sent_local
  FROM stormops.contact_plan(:'demo_property');
SELECT step, to_char(changed_at AT TIME ZONE 'America/Chicago', 'Dy MM-DD HH24:MI') AS at_local, status, reason
  FROM stormops.contact_plan_changes(:'demo_property');

\echo
\echo '== The executions end: close_finished_executions as of 15 May (every step final, last contact over 30 days old)'
SELECT playbook_name, end_reason FROM stormops.close_finished_executions('2019-05-15 12:00-05');
\echo '-- their roll-ups, from the contacts the senders reported'
SELECT p.playbook_name, coalesce(e.triggered_by_event_id, 'competitor permit') AS triggered_by, e.status,
       to_char(e.execution_end AT TIME ZONE 'America/Chicago', 'MM-DD') AS ended,
       e.properties_targeted AS targeted, e.properties_contacted AS contacted, e.properties_converted AS converted,
       e.total_revenue AS revenue, e.total_cost AS cost, e.roi, e.avg_ticket, e.conversion_rate,
       e.conversion_rate_vs_target AS conv_vs_target_pct, e.roi_vs_target AS roi_vs_target_pct
  FROM stormops.playbook_executions e JOIN stormops.playbooks p USING (playbook_id)
 ORDER BY p.priority, e.execution_start;
\echo '-- their properties are no longer busy: the next storm may propose them'
SELECT count(*) AS running_executions FROM stormops.playbook_executions WHERE status = 'Running';
RESET stormops.visits_per_rep_per_day;
