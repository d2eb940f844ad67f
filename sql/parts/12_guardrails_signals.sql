-- The guardrail signals as read (a code part, 0.2.0's form of what 0.1.0
-- wrote in 12_guardrails.sql; docs/guardrails.md): from history as of any
-- moment (guardrail_signals_at, for all properties or some), from the
-- maintained state as of now() (the view guardrail_signals), and the choice
-- between them (guardrail_signals_of).
--
-- Design: each source yields, per property, the same five facts (contacts
-- in the 7 days and complaints in the 30 days before the moment, the latest
-- contact, whether it opted out); guardrail_signal_row turns them into the
-- signals' columns, in one place (issue 16: the three bodies had three
-- copies). It is a SQL function of one SELECT, inlined into each query, so
-- the plans are what they were. It reads no table: whether a do-not-contact
-- entry for all channels opts the property out is part of the facts, tested
-- in each source's own branch, and each branch joins the function on its
-- own (two LATERAL joins under UNION ALL, not one over a UNION ALL): the
-- form Citus can run on the shards (docs/scaling.md); one node plans it as
-- before. test/pgtap/guardrail_signals.sql checks
-- that the history and the maintained state agree. Failure modes: none of
-- their own; a property with neither history nor a do-not-contact entry
-- has no row.

-- The signals' columns from one property's facts as of a moment.
CREATE OR REPLACE FUNCTION stormops.guardrail_signal_row(property_id pg_catalog.text, contacts pg_catalog.int4,
                                                         complaints pg_catalog.int4,
                                                         last_contact pg_catalog.timestamptz,
                                                         opted_out pg_catalog.bool, as_of pg_catalog.timestamptz)
RETURNS TABLE (property_id pg_catalog.text, contact_frequency_7d pg_catalog.int4,
               complaint_count_30d pg_catalog.int4, last_contact_hours_ago pg_catalog.float8,
               throttle_flag pg_catalog.bool, escalate_flag pg_catalog.bool, opted_out pg_catalog.bool)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT guardrail_signal_row.property_id, guardrail_signal_row.contacts, guardrail_signal_row.complaints,
         pg_catalog.date_part('epoch', guardrail_signal_row.as_of OPERATOR(pg_catalog.-) guardrail_signal_row.last_contact)
           OPERATOR(pg_catalog./) 3600::pg_catalog.float8,
         guardrail_signal_row.contacts OPERATOR(pg_catalog.>) stormops.throttle_contacts_7d(),
         guardrail_signal_row.complaints OPERATOR(pg_catalog.>) stormops.escalate_complaints_30d(),
         guardrail_signal_row.opted_out;
END;
COMMENT ON FUNCTION stormops.guardrail_signal_row(pg_catalog.text, pg_catalog.int4, pg_catalog.int4,
                                                  pg_catalog.timestamptz, pg_catalog.bool, pg_catalog.timestamptz) IS
  'Internal: the guardrail signals'' columns from a property''s contacts (7 days), complaints (30 days), latest contact and opt-out (an opt_out event or a do-not-contact entry for all channels) as of a moment.';

-- The signals of every property that has a contact, complaint or opt-out
-- event at or before as_of, or a do-not-contact entry added by then; any
-- other property has no row (no contacts, no complaints, no flags: opens,
-- clicks and conversions move no signal). Counts over
-- (as_of - 7 days, as_of] and (as_of - 30 days, as_of].
CREATE OR REPLACE FUNCTION stormops.guardrail_signals_at(as_of pg_catalog.timestamptz)
RETURNS TABLE (property_id pg_catalog.text, contact_frequency_7d pg_catalog.int4,
               complaint_count_30d pg_catalog.int4, last_contact_hours_ago pg_catalog.float8,
               throttle_flag pg_catalog.bool, escalate_flag pg_catalog.bool, opted_out pg_catalog.bool)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT g.*
    FROM (SELECT b.property_id,
                 (pg_catalog.count(*) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'contact'
                    AND b.event_timestamp OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) stormops.days_interval(7))))::pg_catalog.int4 AS contacts,
                 (pg_catalog.count(*) FILTER (WHERE b.complaint
                    AND b.event_timestamp OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) stormops.days_interval(30))))::pg_catalog.int4 AS complaints,
                 pg_catalog.max(b.event_timestamp) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'contact') AS last_contact,
                 (pg_catalog.bool_or(b.event_type OPERATOR(pg_catalog.=) 'opt_out')
                  OR EXISTS (SELECT FROM stormops.do_not_contact d
                              WHERE d.property_id OPERATOR(pg_catalog.=) b.property_id
                                AND d.channel OPERATOR(pg_catalog.=) 'all'
                                AND d.added_at OPERATOR(pg_catalog.<=) as_of)) AS opted_out
            FROM stormops.behavior_events b
           WHERE b.event_timestamp OPERATOR(pg_catalog.<=) as_of
             AND stormops.moves_guardrail_signal(b.event_type, b.complaint)
           GROUP BY b.property_id) s
    CROSS JOIN LATERAL stormops.guardrail_signal_row(s.property_id, s.contacts, s.complaints, s.last_contact,
                                                     s.opted_out, as_of) g
  UNION ALL
  SELECT g.*
    FROM (SELECT d.property_id, 0 AS contacts, 0 AS complaints, NULL::pg_catalog.timestamptz AS last_contact,
                 pg_catalog.bool_or(d.channel OPERATOR(pg_catalog.=) 'all') AS opted_out
            FROM stormops.do_not_contact d
           WHERE d.added_at OPERATOR(pg_catalog.<=) as_of
             AND NOT EXISTS (SELECT FROM stormops.behavior_events b
                              WHERE b.property_id OPERATOR(pg_catalog.=) d.property_id
                                AND b.event_timestamp OPERATOR(pg_catalog.<=) as_of
                                AND stormops.moves_guardrail_signal(b.event_type, b.complaint))
           GROUP BY d.property_id) s
    CROSS JOIN LATERAL stormops.guardrail_signal_row(s.property_id, s.contacts, s.complaints, s.last_contact,
                                                     s.opted_out, as_of) g;
END;
COMMENT ON FUNCTION stormops.guardrail_signals_at(pg_catalog.timestamptz) IS
  'Guardrail signals of every property with history or a do-not-contact entry, computed from behavior_events as of a moment (proposals.md).';

-- The same for the given properties only, as a proposal run asks for its
-- targets. A body of its own, not "property_ids IS NULL OR ..." in one body:
-- that form keeps the index on (property_id, event_timestamp) out of generic
-- plans. test/pgtap/guardrail_signals.sql checks that the two agree.
CREATE OR REPLACE FUNCTION stormops.guardrail_signals_at(as_of pg_catalog.timestamptz, property_ids pg_catalog.text[])
RETURNS TABLE (property_id pg_catalog.text, contact_frequency_7d pg_catalog.int4,
               complaint_count_30d pg_catalog.int4, last_contact_hours_ago pg_catalog.float8,
               throttle_flag pg_catalog.bool, escalate_flag pg_catalog.bool, opted_out pg_catalog.bool)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT g.*
    FROM (SELECT b.property_id,
                 (pg_catalog.count(*) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'contact'
                    AND b.event_timestamp OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) stormops.days_interval(7))))::pg_catalog.int4 AS contacts,
                 (pg_catalog.count(*) FILTER (WHERE b.complaint
                    AND b.event_timestamp OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) stormops.days_interval(30))))::pg_catalog.int4 AS complaints,
                 pg_catalog.max(b.event_timestamp) FILTER (WHERE b.event_type OPERATOR(pg_catalog.=) 'contact') AS last_contact,
                 (pg_catalog.bool_or(b.event_type OPERATOR(pg_catalog.=) 'opt_out')
                  OR EXISTS (SELECT FROM stormops.do_not_contact d
                              WHERE d.property_id OPERATOR(pg_catalog.=) b.property_id
                                AND d.channel OPERATOR(pg_catalog.=) 'all'
                                AND d.added_at OPERATOR(pg_catalog.<=) as_of)) AS opted_out
            FROM stormops.behavior_events b
           WHERE b.event_timestamp OPERATOR(pg_catalog.<=) as_of
             AND stormops.moves_guardrail_signal(b.event_type, b.complaint)
             AND b.property_id OPERATOR(pg_catalog.=) ANY (property_ids)
           GROUP BY b.property_id) s
    CROSS JOIN LATERAL stormops.guardrail_signal_row(s.property_id, s.contacts, s.complaints, s.last_contact,
                                                     s.opted_out, as_of) g
  UNION ALL
  SELECT g.*
    FROM (SELECT d.property_id, 0 AS contacts, 0 AS complaints, NULL::pg_catalog.timestamptz AS last_contact,
                 pg_catalog.bool_or(d.channel OPERATOR(pg_catalog.=) 'all') AS opted_out
            FROM stormops.do_not_contact d
           WHERE d.added_at OPERATOR(pg_catalog.<=) as_of
             AND d.property_id OPERATOR(pg_catalog.=) ANY (property_ids)
             AND NOT EXISTS (SELECT FROM stormops.behavior_events b
                              WHERE b.property_id OPERATOR(pg_catalog.=) d.property_id
                                AND b.event_timestamp OPERATOR(pg_catalog.<=) as_of
                                AND stormops.moves_guardrail_signal(b.event_type, b.complaint))
           GROUP BY d.property_id) s
    CROSS JOIN LATERAL stormops.guardrail_signal_row(s.property_id, s.contacts, s.complaints, s.last_contact,
                                                     s.opted_out, as_of) g;
END;
COMMENT ON FUNCTION stormops.guardrail_signals_at(pg_catalog.timestamptz, pg_catalog.text[]) IS
  'guardrail_signals_at(as_of) for the given properties only, reading only their history.';

-- The maintained signals as of now(): the same columns and rows as
-- guardrail_signals_at(now()) (docs/guardrails.md). Times after now() (an
-- event stamped later than the reader's transaction began) are left out;
-- when the latest contact is one of them, history gives the one before.
CREATE OR REPLACE VIEW stormops.guardrail_signals AS
SELECT g.*
  FROM (SELECT g.property_id,
               CASE WHEN g.last_contact_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN g.last_contact_at
                    ELSE (SELECT pg_catalog.max(b.event_timestamp) FROM stormops.behavior_events b
                           WHERE b.property_id OPERATOR(pg_catalog.=) g.property_id
                             AND b.event_type OPERATOR(pg_catalog.=) 'contact'
                             AND b.event_timestamp OPERATOR(pg_catalog.<=) pg_catalog.now()) END AS last_contact,
               COALESCE(g.opted_out_at OPERATOR(pg_catalog.<=) pg_catalog.now(), false)
                 OR EXISTS (SELECT FROM stormops.do_not_contact d
                             WHERE d.property_id OPERATOR(pg_catalog.=) g.property_id
                               AND d.channel OPERATOR(pg_catalog.=) 'all'
                               AND d.added_at OPERATOR(pg_catalog.<=) pg_catalog.now()) AS opted_out,
               (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(g.recent_contacts) t
                 WHERE t OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) stormops.days_interval(7))
                   AND t OPERATOR(pg_catalog.<=) pg_catalog.now())::pg_catalog.int4 AS contacts,
               (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(g.recent_complaints) t
                 WHERE t OPERATOR(pg_catalog.>) (pg_catalog.now() OPERATOR(pg_catalog.-) stormops.days_interval(30))
                   AND t OPERATOR(pg_catalog.<=) pg_catalog.now())::pg_catalog.int4 AS complaints
          FROM stormops.guardrail_state g
         WHERE g.first_event_at OPERATOR(pg_catalog.<=) pg_catalog.now()) s
  CROSS JOIN LATERAL stormops.guardrail_signal_row(s.property_id, s.contacts, s.complaints, s.last_contact,
                                                   s.opted_out, pg_catalog.now()) g
UNION ALL
SELECT g.*
  FROM (SELECT d.property_id, NULL::pg_catalog.timestamptz AS last_contact,
               pg_catalog.bool_or(d.channel OPERATOR(pg_catalog.=) 'all') AS opted_out, 0 AS contacts, 0 AS complaints
          FROM stormops.do_not_contact d
         WHERE d.added_at OPERATOR(pg_catalog.<=) pg_catalog.now()
           AND NOT EXISTS (SELECT FROM stormops.guardrail_state g
                            WHERE g.property_id OPERATOR(pg_catalog.=) d.property_id
                              AND g.first_event_at OPERATOR(pg_catalog.<=) pg_catalog.now())
         GROUP BY d.property_id) s
  CROSS JOIN LATERAL stormops.guardrail_signal_row(s.property_id, s.contacts, s.complaints, s.last_contact,
                                                   s.opted_out, pg_catalog.now()) g;
COMMENT ON VIEW stormops.guardrail_signals IS
  'Guardrail signals of every property with history or a do-not-contact entry, as of now(), from the maintained state.';

-- The signals of the given properties as of as_of, as a proposal run reads
-- them: from the maintained state when as_of is the transaction's now() (the
-- default of a run), from history otherwise (a replay of the past). The two
-- agree (test/pgtap/guardrail_signals.sql), so the choice is about speed only.
-- Generic plans: the list reaches the indexes as a parameter; a plan made for
-- its values would first estimate the selectivity of every element, which
-- takes seconds for tens of thousands of targets.
CREATE OR REPLACE FUNCTION stormops.guardrail_signals_of(property_ids pg_catalog.text[], as_of pg_catalog.timestamptz)
RETURNS TABLE (property_id pg_catalog.text, contact_frequency_7d pg_catalog.int4,
               complaint_count_30d pg_catalog.int4, last_contact_hours_ago pg_catalog.float8,
               throttle_flag pg_catalog.bool, escalate_flag pg_catalog.bool, opted_out pg_catalog.bool)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  IF as_of = now() THEN
    RETURN QUERY SELECT s.* FROM stormops.guardrail_signals s WHERE s.property_id = ANY (property_ids);
  ELSE
    RETURN QUERY SELECT h.* FROM stormops.guardrail_signals_at(as_of, property_ids) h;
  END IF;
END;
$$;
COMMENT ON FUNCTION stormops.guardrail_signals_of(pg_catalog.text[], pg_catalog.timestamptz) IS
  'Guardrail signals of some properties: maintained when as_of = now(), from history otherwise.';
