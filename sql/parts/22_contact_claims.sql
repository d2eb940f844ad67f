-- Claiming due contacts (contact-plans.md, "Conditions", "Stops, guardrails
-- and caps", "Senders"): what a sender may send now, for whom, with which
-- script. A code part.
--
-- A claim takes the current steps of one channel that are due and ready,
-- earliest due and best rank first, locked with SKIP LOCKED so concurrent
-- senders never share one; checks each against the stops, the conditions,
-- the throttle and the daily caps, in the design's order; and leases the ones
-- that pass. Each batch is one statement: every change is written with its
-- reason, and a step that becomes final hands the plan to the next one.
-- A step with arms gets its arm at its first lease (21_variant_statistics.sql),
-- stored with the method, propensity and statistics the choice used. The
-- candidates and their locks come from 22_contact_claim_locks.sql (shard by
-- shard on Citus, docs/scaling.md); every statement here is in a form Citus
-- can run.
-- Failure modes: bad arguments are refused before anything is read; a
-- sender that dies leaves leases that run out (ready_at is the lease's end),
-- so its contacts come back once each; two claims of one capped playbook take
-- turns on its day counter, so the caps hold; a claim racing an abort of the
-- same execution may fail with a deadlock error (SQLSTATE 40P01): retry it.

-- Whether a step's condition holds for a plan as of `as_of`: responses and
-- engagement attributed to its steps up to then, or its ltv_score. One
-- subquery per source: on Citus every subquery of the statement is run
-- before the CASE picks one, so the outcome conditions share one pass over
-- the plan's outcomes, and the step number is cast only in its own branch
-- ('ep_1' of if_no_response_to_step_1 is no integer).
CREATE OR REPLACE FUNCTION stormops.step_condition_holds(condition pg_catalog.text, execution_id pg_catalog.uuid,
                                                        property_id pg_catalog.text, as_of pg_catalog.timestamptz)
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE
    WHEN condition IS NULL THEN true
    WHEN condition OPERATOR(pg_catalog.=) 'if_high_ltv' THEN
      COALESCE((SELECT sc.ltv_score OPERATOR(pg_catalog.>=) stormops.high_ltv_threshold()
                  FROM stormops.property_scores sc
                 WHERE sc.property_id OPERATOR(pg_catalog.=) step_condition_holds.property_id), false)
    ELSE
      (SELECT CASE
                WHEN condition OPERATOR(pg_catalog.=) 'if_engaged' THEN
                  COALESCE(pg_catalog.bool_or(o.is_engagement AND o.step IS NOT NULL), false)
                WHEN condition OPERATOR(pg_catalog.^@) 'if_response_to_step_' THEN
                  COALESCE(pg_catalog.bool_or(o.is_response AND o.step OPERATOR(pg_catalog.=)
                             CASE WHEN condition OPERATOR(pg_catalog.^@) 'if_response_to_step_'
                                  THEN pg_catalog.substr(condition, 21)::pg_catalog.int4 END), false)
                WHEN condition OPERATOR(pg_catalog.^@) 'if_no_response_to_step_' THEN
                  NOT COALESCE(pg_catalog.bool_or(o.is_response AND o.step OPERATOR(pg_catalog.=)
                                 CASE WHEN condition OPERATOR(pg_catalog.^@) 'if_no_response_to_step_'
                                      THEN pg_catalog.substr(condition, 24)::pg_catalog.int4 END), false)
              END
         FROM stormops.contact_outcomes o
        WHERE o.property_id OPERATOR(pg_catalog.=) step_condition_holds.property_id
          AND o.execution_id OPERATOR(pg_catalog.=) step_condition_holds.execution_id
          AND o.event_timestamp OPERATOR(pg_catalog.<=) as_of)
  END;
END;
COMMENT ON FUNCTION stormops.step_condition_holds(pg_catalog.text, pg_catalog.uuid, pg_catalog.text, pg_catalog.timestamptz) IS
  'Whether a step condition (if_no_response_to_step_N, if_response_to_step_N, if_engaged, if_high_ltv) holds for a plan as of a moment.';

-- The script of a contact: the message_variants entry of its variant, a
-- string, or an object by persona with a "default".
CREATE OR REPLACE FUNCTION stormops.contact_script(message_variants pg_catalog.jsonb, variant pg_catalog.text,
                                                  persona pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE pg_catalog.jsonb_typeof(message_variants OPERATOR(pg_catalog.->) variant)
           WHEN 'string' THEN message_variants OPERATOR(pg_catalog.->>) variant
           WHEN 'object' THEN COALESCE((message_variants OPERATOR(pg_catalog.->) variant) OPERATOR(pg_catalog.->>) persona,
                                       (message_variants OPERATOR(pg_catalog.->) variant) OPERATOR(pg_catalog.->>) 'default')
         END;
END;
COMMENT ON FUNCTION stormops.contact_script(pg_catalog.jsonb, pg_catalog.text, pg_catalog.text) IS
  'The script for a message variant and persona: the variant''s string, or its entry for the persona, else its "default".';

-- One batch of a claim: up to `want` candidates, each with what became of
-- it (action: lease, skip, stop, expire, wait, or reopened: waited for an
-- opening that is open now) and, for leases, what the sender needs.
-- Internal to claim_contacts, which holds the day counters of the capped
-- playbooks.
CREATE OR REPLACE FUNCTION stormops.claim_batch(ch stormops.channel, want pg_catalog.int4, as_of pg_catalog.timestamptz,
                                               lease pg_catalog.interval, today pg_catalog.date,
                                               next_day pg_catalog.timestamptz)
RETURNS TABLE (action pg_catalog.text, contact_id pg_catalog.int8, execution_id pg_catalog.uuid,
               playbook_name pg_catalog.text, property_id pg_catalog.text, step pg_catalog.int4,
               message_variant pg_catalog.text, offer_type pg_catalog.text, script pg_catalog.text,
               due_at pg_catalog.timestamptz, allowed_until pg_catalog.timestamptz)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $$
BEGIN
  RETURN QUERY
  WITH cand AS MATERIALIZED (
    SELECT s.execution_id, s.property_id, s.step, s.rank, s.due_at, s.allowed_until, s.time_zone,
           s.contact_id AS prior_contact, s.lease_until AS prior_lease, s.claimed_at AS prior_claim,
           s.arm AS prior_arm
      FROM stormops.claim_candidates(ch, want, as_of) s
  ), converted AS MATERIALIZED (
    -- the candidates' own rows, each read by property_id (on Citus, on their
    -- shards): a conversion since the execution started, a do-not-contact
    -- entry for the channel, the persona
    SELECT DISTINCT c.execution_id, c.property_id
      FROM cand c
      JOIN stormops.playbook_executions e ON e.execution_id = c.execution_id
      JOIN stormops.behavior_events b ON b.property_id = c.property_id
     WHERE b.event_type = 'conversion' AND b.event_timestamp > e.execution_start AND b.event_timestamp <= as_of
  ), blocked AS MATERIALIZED (
    SELECT n.property_id, n.reason
      FROM stormops.do_not_contact n
     WHERE n.property_id IN (SELECT c.property_id FROM cand c) AND n.channel = ch::text AND n.added_at <= as_of
  ), personas AS MATERIALIZED (
    SELECT pr.property_id, pr.persona
      FROM stormops.properties pr
     WHERE pr.property_id IN (SELECT c.property_id FROM cand c)
  ), ctx AS MATERIALIZED (
    SELECT c.*, x.closes_at, x.condition, x.message_variant, x.offer_type,
           x.allowed_days, x.allowed_start_min, x.allowed_end_min,
           x.arms, x.arm_method, x.bandit_epsilon, x.arm_pool_id,
           e.playbook_id, e.status AS execution_status, e.execution_start, e.message_variants,
           pb.playbook_name, pb.max_daily_contacts, pb.team_size_required, pr.persona,
           coalesce(g.opted_out, false) AS opted_out, coalesce(g.escalate_flag, false) AS escalate_flag,
           coalesce(g.throttle_flag, false) AS throttle_flag, g.complaint_count_30d, g.contact_frequency_7d,
           cv.property_id IS NOT NULL AS converted,
           bl.reason AS blocked_for,
           x.condition IS NULL
             OR stormops.step_condition_holds(x.condition, c.execution_id, c.property_id, as_of) AS condition_holds
      FROM cand c
      JOIN stormops.execution_steps x ON x.execution_id = c.execution_id AND x.step = c.step
      JOIN stormops.playbook_executions e ON e.execution_id = c.execution_id
      JOIN stormops.playbooks pb ON pb.playbook_id = e.playbook_id
      JOIN personas pr ON pr.property_id = c.property_id
      LEFT JOIN converted cv ON cv.execution_id = c.execution_id AND cv.property_id = c.property_id
      LEFT JOIN blocked bl ON bl.property_id = c.property_id
      LEFT JOIN stormops.guardrail_signals_of((SELECT array_agg(c2.property_id) FROM cand c2), as_of) g
             ON g.property_id = c.property_id
  ), checked AS (
    -- stops, the step's own skips, the throttle, a missed opening: in order
    SELECT t.*,
           CASE WHEN t.execution_status <> 'Running' THEN 'stop'
                WHEN t.closes_at <= as_of THEN 'expire'
                WHEN t.converted OR t.opted_out OR t.escalate_flag THEN 'stop'
                WHEN t.blocked_for IS NOT NULL OR NOT t.condition_holds THEN 'skip'
                WHEN t.throttle_flag THEN 'wait'
                WHEN t.allowed_until <= as_of THEN 'wait'
                ELSE 'ok' END AS verdict,
           CASE WHEN t.execution_status <> 'Running' THEN format('execution %s', lower(t.execution_status::text))
                WHEN t.closes_at <= as_of THEN
                  format('closed at %s unsent', to_char(t.closes_at AT TIME ZONE t.time_zone, 'YYYY-MM-DD HH24:MI'))
                WHEN t.converted THEN 'converted'
                WHEN t.opted_out THEN 'opted out'
                WHEN t.escalate_flag THEN
                  format('%s complaints in 30 days, more than stormops.escalate_complaints_30d = %s',
                         t.complaint_count_30d, stormops.escalate_complaints_30d())
                WHEN t.blocked_for IS NOT NULL THEN format('on the do-not-contact list for %s: %s', ch, t.blocked_for)
                WHEN NOT t.condition_holds THEN format('condition %s is false', t.condition)
                WHEN t.throttle_flag THEN
                  format('throttled: %s contacts in 7 days, more than stormops.throttle_contacts_7d = %s; waits 24 hours',
                         t.contact_frequency_7d, stormops.throttle_contacts_7d())
                WHEN t.allowed_until <= as_of THEN
                  format('its allowed hours (%s) ended at %s; waits for the next opening',
                         stormops.allowed_hours_text(t.allowed_days, t.allowed_start_min, t.allowed_end_min, t.time_zone),
                         to_char(t.allowed_until AT TIME ZONE t.time_zone, 'YYYY-MM-DD HH24:MI'))
           END AS why,
           CASE WHEN t.throttle_flag THEN as_of + interval '24 hours' ELSE as_of END AS wait_from,
           -- the crews' day is the property's; max_daily_contacts' is the default zone's
           (as_of AT TIME ZONE t.time_zone)::date AS knock_day,
           -- a step claimed again the same day (its lease ran out) takes no second place
           t.prior_claim IS NULL OR (t.prior_claim AT TIME ZONE stormops.default_time_zone())::date <> today AS new_contact_today,
           t.prior_claim IS NULL
             OR (t.prior_claim AT TIME ZONE t.time_zone)::date <> (as_of AT TIME ZONE t.time_zone)::date AS new_knock_today
      FROM ctx t
  ), capped AS (
    -- the daily caps, best rank first
    SELECT k.*,
           k.max_daily_contacts IS NOT NULL AND k.new_contact_today AS counts_contact,
           ch = 'door_knock' AND k.team_size_required IS NOT NULL AND k.new_knock_today AS counts_knock,
           coalesce(dc.claimed, 0) + count(*) FILTER (WHERE k.verdict = 'ok' AND k.new_contact_today)
             OVER (PARTITION BY k.playbook_id ORDER BY k.due_at, k.rank, k.property_id, k.execution_id)
             > k.max_daily_contacts AS over_contacts,
           coalesce(dk.claimed, 0) + count(*) FILTER (WHERE k.verdict = 'ok' AND k.new_knock_today)
             OVER (PARTITION BY k.playbook_id, k.knock_day ORDER BY k.due_at, k.rank, k.property_id, k.execution_id)
             > k.team_size_required * stormops.visits_per_rep_per_day() AS over_knocks
      FROM checked k
      LEFT JOIN stormops.contact_day_counts dc
             ON dc.playbook_id = k.playbook_id AND dc.day = today AND dc.kind = 'contacts'
      LEFT JOIN stormops.contact_day_counts dk
             ON dk.playbook_id = k.playbook_id AND dk.day = k.knock_day AND dk.kind = 'door_knocks'
  ), decided AS MATERIALIZED (
    SELECT d.*,
           CASE WHEN d.final_verdict = 'lease' THEN nextval('stormops.contact_id_seq') END AS new_contact
      FROM (SELECT k.*,
                   CASE WHEN k.verdict <> 'ok' THEN k.verdict
                        WHEN k.counts_contact AND k.over_contacts THEN 'wait'
                        WHEN k.counts_knock AND k.over_knocks THEN 'wait'
                        ELSE 'lease' END AS final_verdict,
                   CASE WHEN k.verdict <> 'ok' THEN k.why
                        WHEN k.counts_contact AND k.over_contacts THEN
                          format('max_daily_contacts %s of playbook %s reached on %s; waits for the next day',
                                 k.max_daily_contacts, k.playbook_name, today)
                        WHEN k.counts_knock AND k.over_knocks THEN
                          format('crews: team_size_required %s x stormops.visits_per_rep_per_day %s = %s door knocks of playbook %s claimed on %s; waits for the next day',
                                 k.team_size_required, stormops.visits_per_rep_per_day(),
                                 k.team_size_required * stormops.visits_per_rep_per_day(), k.playbook_name, k.knock_day)
                   END AS final_why,
                   CASE WHEN k.verdict <> 'ok' THEN k.wait_from
                        WHEN k.counts_contact AND k.over_contacts THEN next_day
                        WHEN k.counts_knock AND k.over_knocks THEN (k.knock_day + 1)::timestamp AT TIME ZONE k.time_zone
                   END AS final_wait_from
              FROM capped k) d
  ), stats AS MATERIALIZED (
    -- the latest statistics of the adaptive steps' pools (claim_contacts
    -- recomputed the ones that were due before this batch)
    SELECT DISTINCT ON (a.pool_id) a.pool_id, a.statistics_id, a.contacts, a.rewards, a.greedy_arm, a.prob_best
      FROM stormops.arm_statistics a
     WHERE a.pool_id IN (SELECT d.arm_pool_id FROM decided d
                          WHERE d.final_verdict = 'lease' AND d.arm_method IN ('epsilon_greedy', 'thompson'))
     ORDER BY a.pool_id, a.statistics_id DESC
  ), chosen AS MATERIALIZED (
    -- the first claim of a step with arms chooses its arm (adaptive.md);
    -- later claims of the step keep it
    SELECT d.execution_id, d.property_id, d.step, c.arm, c.propensity,
           CASE WHEN d.arm_method <> 'uniform' THEN st.statistics_id END AS statistics_id
      FROM decided d
      LEFT JOIN stats st ON st.pool_id = d.arm_pool_id
     CROSS JOIN LATERAL stormops.choose_arm(d.arm_method, d.arms, d.bandit_epsilon, st.contacts, st.rewards,
                                            st.greedy_arm, st.prob_best, d.new_contact, d.playbook_id,
                                            d.property_id, d.step) c
     WHERE d.final_verdict = 'lease' AND d.arms IS NOT NULL AND d.prior_arm IS NULL
  ), reopened AS MATERIALIZED (
    -- the next opening of each waiting step, once per (step, zone, moment)
    SELECT w.execution_id, w.step, w.time_zone, w.final_wait_from, n.opens_at, n.open_until
      FROM (SELECT DISTINCT d.execution_id, d.step, d.time_zone, d.final_wait_from, d.closes_at,
                            d.allowed_days, d.allowed_start_min, d.allowed_end_min
              FROM decided d WHERE d.final_verdict = 'wait') w
      LEFT JOIN LATERAL stormops.next_allowed_time(w.final_wait_from, w.closes_at, w.time_zone, w.allowed_days,
                                                   w.allowed_start_min, w.allowed_end_min) n ON true
  ), outcome AS MATERIALIZED (
    SELECT d.*, r.opens_at, r.open_until, ch.arm AS new_arm, ch.propensity AS new_propensity,
           as_of + lease AS lease_end,   -- computed here: Citus refuses STABLE operators in an UPDATE's CASE
           ch.statistics_id AS new_statistics_id, coalesce(ch.arm, d.prior_arm, d.message_variant) AS variant,
           CASE d.final_verdict
             WHEN 'lease' THEN 'leased'
             WHEN 'expire' THEN 'expired'
             WHEN 'wait' THEN CASE WHEN r.opens_at IS NULL THEN 'expired' ELSE 'planned' END
             ELSE 'skipped' END::stormops.contact_status AS new_status,
           CASE d.final_verdict
             WHEN 'lease' THEN
               format('claimed as contact %s until %s', d.new_contact,
                      to_char((as_of + lease) AT TIME ZONE d.time_zone, 'YYYY-MM-DD HH24:MI'))
               || CASE WHEN d.prior_lease IS NOT NULL
                       THEN format(' (the lease of contact %s ran out)', d.prior_contact) ELSE '' END
               || CASE WHEN ch.arm IS NOT NULL
                       THEN format(' with variant %s (%s, propensity %s)', ch.arm, d.arm_method,
                                   round(ch.propensity::numeric, 4))
                       WHEN d.prior_arm IS NOT NULL THEN format(' with variant %s, as before', d.prior_arm)
                       ELSE '' END
             WHEN 'wait' THEN
               CASE WHEN r.opens_at IS NULL
                    THEN format('%s; no allowed time before the step closes at %s', d.final_why,
                                to_char(d.closes_at AT TIME ZONE d.time_zone, 'YYYY-MM-DD HH24:MI'))
                    ELSE format('%s (until %s)', d.final_why, to_char(r.opens_at AT TIME ZONE d.time_zone, 'YYYY-MM-DD HH24:MI')) END
             ELSE d.final_why END AS new_reason
      FROM decided d
      LEFT JOIN reopened r ON d.final_verdict = 'wait' AND r.execution_id = d.execution_id AND r.step = d.step
                          AND r.time_zone = d.time_zone AND r.final_wait_from = d.final_wait_from
      LEFT JOIN chosen ch ON ch.execution_id = d.execution_id AND ch.property_id = d.property_id AND ch.step = d.step
  ), next_steps AS MATERIALIZED (
    -- the step each plan that goes on hands on to: its next one not final
    -- (read before this statement's changes, as every part of it is)
    SELECT n.execution_id, n.property_id, min(n.step) AS step
      FROM outcome o
      JOIN stormops.contact_steps n
        ON n.execution_id = o.execution_id AND n.property_id = o.property_id AND n.step > o.step
     WHERE o.final_verdict <> 'stop' AND o.new_status IN ('skipped', 'expired')
       AND n.status IN ('planned', 'leased')
     GROUP BY n.execution_id, n.property_id
  ), moved AS (
    UPDATE stormops.contact_steps s
       SET status = o.new_status,
           reason = o.new_reason,
           is_next = o.new_status IN ('planned', 'leased'),
           ready_at = CASE o.new_status WHEN 'leased' THEN o.lease_end WHEN 'planned' THEN o.opens_at ELSE s.ready_at END,
           allowed_until = CASE o.new_status WHEN 'planned' THEN o.open_until ELSE s.allowed_until END,
           contact_id = coalesce(o.new_contact, s.contact_id),
           -- a wait keeps an unreported claim's lease: its late report is still taken
           lease_until = CASE o.new_status WHEN 'leased' THEN o.lease_end WHEN 'planned' THEN s.lease_until END,
           claimed_at = CASE WHEN o.new_status = 'leased' THEN as_of ELSE s.claimed_at END,
           final_at = CASE WHEN o.new_status IN ('planned', 'leased') THEN NULL ELSE as_of END,
           arm = coalesce(o.new_arm, s.arm),
           arm_method = CASE WHEN o.new_arm IS NOT NULL THEN o.arm_method ELSE s.arm_method END,
           arm_propensity = CASE WHEN o.new_arm IS NOT NULL THEN o.new_propensity ELSE s.arm_propensity END,
           arm_statistics_id = CASE WHEN o.new_arm IS NOT NULL THEN o.new_statistics_id ELSE s.arm_statistics_id END
      FROM outcome o
     WHERE s.execution_id = o.execution_id AND s.property_id = o.property_id AND s.step = o.step
  ), rest AS (
    -- a stop ends the plan: every later step is skipped for the same reason
    UPDATE stormops.contact_steps s
       SET status = 'skipped', reason = o.new_reason, is_next = false, final_at = as_of
      FROM outcome o
     WHERE o.final_verdict = 'stop'
       AND s.execution_id = o.execution_id AND s.property_id = o.property_id AND s.step > o.step
       AND s.status IN ('planned', 'leased')
    RETURNING s.execution_id, s.property_id, s.step, o.new_reason
  ), handed_on AS (
    -- a step that ends alone hands the plan to its next step not final
    UPDATE stormops.contact_steps s
       SET is_next = true
      FROM next_steps n
     WHERE s.execution_id = n.execution_id AND s.property_id = n.property_id AND s.step = n.step
  ), counted AS (
    INSERT INTO stormops.contact_day_counts AS dc (playbook_id, day, kind, claimed)
    SELECT o.playbook_id, CASE k.kind WHEN 'contacts' THEN today ELSE o.knock_day END, k.kind, count(*)
      FROM outcome o
     CROSS JOIN (VALUES ('contacts'), ('door_knocks')) AS k(kind)
     WHERE o.new_status = 'leased'
       AND CASE k.kind WHEN 'contacts' THEN o.counts_contact ELSE o.counts_knock END
     GROUP BY 1, 2, 3
    ON CONFLICT (playbook_id, day, kind) DO UPDATE SET claimed = dc.claimed + EXCLUDED.claimed
  ), changes AS (
    INSERT INTO stormops.contact_step_changes (execution_id, property_id, step, status, reason, contact_id, changed_at)
    SELECT o.execution_id, o.property_id, o.step, o.new_status, o.new_reason, o.new_contact, as_of FROM outcome o
    UNION ALL
    SELECT r.execution_id, r.property_id, r.step, 'skipped', r.new_reason, NULL, as_of FROM rest r
  ), escalations AS (
    -- one notification for the plan: its plan ends here, so it is not stopped twice
    INSERT INTO stormops.notification_outbox (kind, playbook_id, playbook_name, property_id, reason, payload)
    SELECT 'escalation', o.playbook_id, o.playbook_name, o.property_id, o.new_reason,
           jsonb_build_object('kind', 'escalation', 'playbook', o.playbook_name, 'property_id', o.property_id,
                              'execution_id', o.execution_id, 'step', o.step, 'channel', ch,
                              'complaint_count_30d', o.complaint_count_30d,
                              'threshold', stormops.escalate_complaints_30d(), 'reason', o.new_reason,
                              'as_of', as_of, 'source', 'contact plan')
      FROM outcome o
     WHERE o.final_verdict = 'stop' AND o.execution_status = 'Running' AND NOT o.converted AND NOT o.opted_out
       AND o.escalate_flag
  )
  SELECT CASE WHEN o.new_status = 'planned' AND o.opens_at <= as_of THEN 'reopened' ELSE o.final_verdict END,
         o.new_contact, o.execution_id, o.playbook_name, o.property_id, o.step::int4,
         o.variant, o.offer_type, stormops.contact_script(o.message_variants, o.variant, o.persona),
         o.due_at, CASE WHEN o.new_status = 'leased' THEN least(o.allowed_until, o.closes_at) END
    FROM outcome o
   ORDER BY o.due_at, o.rank, o.property_id, o.execution_id;
END;
$$;
COMMENT ON FUNCTION stormops.claim_batch(stormops.channel, pg_catalog.int4, pg_catalog.timestamptz, pg_catalog.interval,
                                        pg_catalog.date, pg_catalog.timestamptz) IS
  'Internal: one batch of claim_due_contacts.';

-- The claim itself; claim_due_contacts below is its public face (PL/pgSQL
-- cannot name an argument and a result column both "channel").
CREATE OR REPLACE FUNCTION stormops.claim_contacts(channel pg_catalog.text, max_rows pg_catalog.int4,
                                                  as_of pg_catalog.timestamptz, lease pg_catalog.interval)
RETURNS TABLE (contact_id pg_catalog.int8, execution_id pg_catalog.uuid, playbook_name pg_catalog.text,
               property_id pg_catalog.text, step pg_catalog.int4, channel_name pg_catalog.text,
               message_variant pg_catalog.text, offer_type pg_catalog.text, script pg_catalog.text,
               due_at pg_catalog.timestamptz, allowed_until pg_catalog.timestamptz)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ch stormops.channel;
  zone text := stormops.default_time_zone();
  today date;
  next_day timestamptz;
  claimed int := 0;
  want int;
  fetched int;
  reopened int;
  lock_playbooks uuid[];
  lock_days date[];
  lock_kinds text[];
  r record;
BEGIN
  IF claim_contacts.channel IS NULL
     OR NOT claim_contacts.channel = ANY (enum_range(NULL::stormops.channel)::text[]) THEN
    RAISE EXCEPTION 'unknown channel %', coalesce(quote_literal(claim_contacts.channel), 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Parameter channel.',
            HINT = 'One of: ' || array_to_string(enum_range(NULL::stormops.channel)::text[], ', ') || '.';
  END IF;
  ch := claim_contacts.channel::stormops.channel;
  IF max_rows IS NULL OR max_rows < 1 OR max_rows > 10000 THEN
    RAISE EXCEPTION 'max_rows must be from 1 to 10000, not %', coalesce(max_rows::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Parameter max_rows.',
            HINT = 'Claim at most 10,000 contacts at a time; call again for more.';
  END IF;
  IF as_of IS NULL THEN
    RAISE EXCEPTION 'as_of must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            DETAIL = 'Parameter as_of.',
            HINT = 'Leave it out for now(), or give the moment a simulation is at.';
  END IF;
  IF lease IS NULL OR lease <= interval '0' OR lease > interval '7 days' THEN
    RAISE EXCEPTION 'lease must be more than 0 and at most 7 days, not %', coalesce(lease::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'Parameter lease.',
            HINT = 'How long the sender has to report before the contacts come back, e.g. ''5 minutes''.';
  END IF;

  today := (as_of AT TIME ZONE zone)::date;
  next_day := (today + 1)::timestamp AT TIME ZONE zone;
  -- the day counters of the playbooks with a cap on this channel, locked in
  -- one order: claims of one capped playbook take turns until they commit
  -- (the crews count the property's local day, which is within a day of
  -- the default zone's anywhere: three days' rows cover every zone)
  SELECT array_agg(c.playbook_id), array_agg(c.day), array_agg(c.kind) INTO lock_playbooks, lock_days, lock_kinds
    FROM (SELECT DISTINCT p.playbook_id, d.day, k.kind
            FROM stormops.playbooks p
            JOIN stormops.playbook_executions e ON e.playbook_id = p.playbook_id AND e.status = 'Running'
            JOIN stormops.execution_steps x ON x.execution_id = e.execution_id AND x.channel = ch
           CROSS JOIN (VALUES ('contacts'), ('door_knocks')) AS k(kind)
           CROSS JOIN LATERAL (SELECT today + o FROM generate_series(CASE k.kind WHEN 'contacts' THEN 0 ELSE -1 END,
                                                                   CASE k.kind WHEN 'contacts' THEN 0 ELSE 1 END) o) AS d(day)
           WHERE CASE k.kind WHEN 'contacts' THEN p.max_daily_contacts IS NOT NULL
                             ELSE ch = 'door_knock' AND p.team_size_required IS NOT NULL END) c;
  -- (only when there are any: on Citus the counters are a reference table,
  -- and writing or locking it makes every other claim wait, capped or not)
  IF lock_playbooks IS NOT NULL THEN
    INSERT INTO stormops.contact_day_counts (playbook_id, day, kind)
    SELECT * FROM unnest(lock_playbooks, lock_days, lock_kinds)
    ON CONFLICT (playbook_id, day, kind) DO NOTHING;
    PERFORM FROM stormops.contact_day_counts dc
      JOIN unnest(lock_playbooks, lock_days, lock_kinds) AS c(playbook_id, day, kind)
        ON dc.playbook_id = c.playbook_id AND dc.day = c.day AND dc.kind = c.kind
     ORDER BY dc.playbook_id, dc.day, dc.kind
       FOR UPDATE OF dc;
  END IF;

  -- the statistics of this channel's adaptive steps that are due for a
  -- recomputation (adaptive.md): once per claim, before its batches
  PERFORM stormops.refresh_arm_statistics(p.arm_pool_id, as_of, p.every)
     FROM (SELECT x.arm_pool_id, min(x.reoptimize_after) AS every
             FROM stormops.execution_steps x
             JOIN stormops.playbook_executions e ON e.execution_id = x.execution_id AND e.status = 'Running'
            WHERE x.channel = ch AND x.arm_method IN ('epsilon_greedy', 'thompson')
            GROUP BY x.arm_pool_id
            ORDER BY x.arm_pool_id) p;

  -- batches until max_rows are leased or no candidate is left; every
  -- candidate of a batch is leased, ends, waits past as_of, or (a missed
  -- opening followed by one open now) is reopened for the next batch
  LOOP
    fetched := 0;
    reopened := 0;
    want := max_rows - claimed;
    FOR r IN SELECT * FROM stormops.claim_batch(ch, want, as_of, lease, today, next_day) LOOP
      fetched := fetched + 1;
      reopened := reopened + (r.action = 'reopened')::int;
      CONTINUE WHEN r.action <> 'lease';
      claimed := claimed + 1;
      contact_id := r.contact_id;
      execution_id := r.execution_id;
      playbook_name := r.playbook_name;
      property_id := r.property_id;
      step := r.step;
      channel_name := ch::text;
      message_variant := r.message_variant;
      offer_type := r.offer_type;
      script := r.script;
      due_at := r.due_at;
      allowed_until := r.allowed_until;
      RETURN NEXT;
    END LOOP;
    EXIT WHEN claimed >= max_rows OR (fetched < want AND reopened = 0);
  END LOOP;
END;
$$;
COMMENT ON FUNCTION stormops.claim_contacts(pg_catalog.text, pg_catalog.int4, pg_catalog.timestamptz, pg_catalog.interval) IS
  'Internal: claim_due_contacts.';

-- SECURITY DEFINER: senders (operators) claim and report, but the plans are
-- a record they must not write by hand.
CREATE OR REPLACE FUNCTION stormops.claim_due_contacts(channel pg_catalog.text, max_rows pg_catalog.int4,
                                                      as_of pg_catalog.timestamptz DEFAULT pg_catalog.now(),
                                                      lease pg_catalog.interval DEFAULT '5 minutes')
RETURNS TABLE (contact_id pg_catalog.int8, execution_id pg_catalog.uuid, playbook_name pg_catalog.text,
               property_id pg_catalog.text, step pg_catalog.int4, channel pg_catalog.text,
               message_variant pg_catalog.text, offer_type pg_catalog.text, script pg_catalog.text,
               due_at pg_catalog.timestamptz, allowed_until pg_catalog.timestamptz)
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT * FROM stormops.claim_contacts(claim_due_contacts.channel, claim_due_contacts.max_rows,
                                        claim_due_contacts.as_of, claim_due_contacts.lease);
END;
COMMENT ON FUNCTION stormops.claim_due_contacts(pg_catalog.text, pg_catalog.int4, pg_catalog.timestamptz, pg_catalog.interval) IS
  'Up to max_rows contacts of a channel due as of as_of, leased to the caller for `lease`: earliest due, best rank first; stops, conditions, throttle and caps applied (docs/contact-plans.md).';
