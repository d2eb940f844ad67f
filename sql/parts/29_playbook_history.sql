-- A play's history (retrospectives.md, the seed's retrospective per play):
-- one row per execution of the last year with the retrospective's figures,
-- the mean conversion rate of similar plays, and how soon a Tier1
-- competitor filed a permit in its targets' ZIPs. A code part; reads only.
--
-- Similar plays (choices documented in docs/retrospectives.md): executions
-- of other playbooks, in the same year window, for storms of the same
-- event type, whose current targeting rules' ses_tiers overlap this play's
-- (no ses_tiers counts as all three tiers) and whose similarity mode is the
-- same (none, property or neighborhood_embedding). Their conversion rate is
-- the retrospective's (intention to treat). Executions of a competitor's
-- permit have no storm: no similar plays.

-- The playbook of a name, or 42704 naming it (history and sensitivity).
CREATE OR REPLACE FUNCTION stormops.playbook_named(playbook_name pg_catalog.text)
RETURNS stormops.playbooks
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  play stormops.playbooks;
BEGIN
  SELECT * INTO play FROM stormops.playbooks b WHERE b.playbook_name = playbook_named.playbook_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'playbook "%" does not exist', playbook_named.playbook_name
      USING ERRCODE = 'undefined_object', HINT = 'stormops.playbooks lists the playbooks by playbook_name.';
  END IF;
  RETURN play;
END;
$$;

-- The SES tiers a playbook's targeting rules aim at (all three without a
-- list) and its similarity mode.
CREATE OR REPLACE FUNCTION stormops.targeting_ses_tiers(rules pg_catalog.jsonb)
RETURNS pg_catalog.text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN pg_catalog.jsonb_typeof(rules OPERATOR(pg_catalog.#>) '{demographics,ses_tiers}') OPERATOR(pg_catalog.=) 'array'
              THEN ARRAY(SELECT pg_catalog.jsonb_array_elements_text(rules OPERATOR(pg_catalog.#>) '{demographics,ses_tiers}'))
              ELSE '{High,Medium,Low}'::pg_catalog.text[] END;
END;

CREATE OR REPLACE FUNCTION stormops.targeting_similarity_mode(rules pg_catalog.jsonb)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN rules OPERATOR(pg_catalog.#>) '{similarity,enabled}' OPERATOR(pg_catalog.=) 'true'::pg_catalog.jsonb
              THEN COALESCE(rules OPERATOR(pg_catalog.#>>) '{similarity,mode}', 'property')
              ELSE 'none' END;
END;

-- The runs that made an execution starting in (since, until], with what
-- similarity compares.
CREATE OR REPLACE FUNCTION stormops.history_runs(since pg_catalog.timestamptz, until pg_catalog.timestamptz)
RETURNS TABLE (proposal_id pg_catalog.uuid, playbook_id pg_catalog.uuid, event_type pg_catalog.text,
               ses_tiers pg_catalog.text[], similarity_mode pg_catalog.text)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT r.proposal_id, r.playbook_id, s.event_type,
         stormops.targeting_ses_tiers(b.targeting_rules), stormops.targeting_similarity_mode(b.targeting_rules)
    FROM stormops.proposal_runs r
    JOIN stormops.playbook_executions e ON e.execution_id OPERATOR(pg_catalog.=) r.execution_id
    JOIN stormops.playbooks b ON b.playbook_id OPERATOR(pg_catalog.=) r.playbook_id
    LEFT JOIN stormops.storm_events s ON s.event_id OPERATOR(pg_catalog.=) r.event_id
   WHERE e.execution_start OPERATOR(pg_catalog.>) history_runs.since
     AND e.execution_start OPERATOR(pg_catalog.<=) history_runs.until;
END;

CREATE OR REPLACE FUNCTION stormops.playbook_history(playbook_name pg_catalog.text,
                                                    as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (execution_id pg_catalog.uuid, proposal_id pg_catalog.uuid, event_id pg_catalog.text,
               event_type pg_catalog.text, permit_id pg_catalog.text, execution_start pg_catalog.timestamptz,
               playbook_version pg_catalog.text, status stormops.execution_status, imported pg_catalog.bool,
               treated pg_catalog.int8, contacted pg_catalog.int8, responded pg_catalog.int8,
               response_rate pg_catalog.float8, control_response_rate pg_catalog.float8,
               converted pg_catalog.int8, conversion_rate pg_catalog.float8, control_size pg_catalog.int8,
               control_conversion_rate pg_catalog.float8, uplift pg_catalog.float8, uplift_low pg_catalog.float8,
               uplift_high pg_catalog.float8, p_value pg_catalog.float8, incremental_conversions pg_catalog.float8,
               revenue pg_catalog.numeric, revenue_per_treated pg_catalog.numeric,
               revenue_per_control pg_catalog.numeric, incremental_revenue pg_catalog.numeric,
               avg_ticket pg_catalog.numeric, cost pg_catalog.numeric, roi pg_catalog.numeric,
               incremental_roi pg_catalog.numeric, avg_conversion_rate_similar_plays pg_catalog.float8,
               similar_executions pg_catalog.int8, competitor_response_days pg_catalog.float8,
               note pg_catalog.text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
  play stormops.playbooks;
  since constant timestamptz := playbook_history.as_of - stormops.days_interval(365);
  mine uuid[];
  others uuid[];
BEGIN
  play := stormops.playbook_named(playbook_history.playbook_name);
  mine := ARRAY(SELECT h.proposal_id FROM stormops.history_runs(since, playbook_history.as_of) h
                 WHERE h.playbook_id = play.playbook_id);
  others := ARRAY(
    SELECT h.proposal_id FROM stormops.history_runs(since, playbook_history.as_of) h
     WHERE h.playbook_id <> play.playbook_id AND h.event_type IS NOT NULL
       AND h.similarity_mode = stormops.targeting_similarity_mode(play.targeting_rules)
       AND h.ses_tiers && stormops.targeting_ses_tiers(play.targeting_rules));
  -- EXECUTE: planned for these runs each call, never a generic plan
  RETURN QUERY EXECUTE $q$
  WITH alike AS (
    SELECT s.event_type, avg(f.conversion_rate) AS rate, count(*) AS n
      FROM stormops.run_figures($1) f
      JOIN stormops.proposal_runs r ON r.proposal_id = f.proposal_id
      JOIN stormops.storm_events s ON s.event_id = r.event_id
     WHERE f.conversion_rate IS NOT NULL
     GROUP BY s.event_type
  )
  SELECT r.execution_id, r.proposal_id, r.event_id, ev.event_type, r.permit_id, e.execution_start,
         r.playbook_version, e.status, r.imported, f.treated, f.contacted, f.responded, f.response_rate,
         f.control_response_rate, f.converted, f.conversion_rate, f.control_size, f.control_conversion_rate,
         f.uplift, f.uplift_low, f.uplift_high, f.p_value, f.incremental_conversions, f.revenue,
         f.revenue_per_treated, f.revenue_per_control, f.incremental_revenue, f.avg_ticket, f.cost, f.roi,
         f.incremental_roi, s.rate, COALESCE(s.n, 0),
         (SELECT extract(epoch FROM min(c.filed_at) - e.execution_start)::float8 / 86400
            FROM stormops.competitor_permits c
           WHERE c.contractor_tier = 'Tier1'
             AND c.filed_at >= e.execution_start AND c.filed_at < e.execution_start + stormops.days_interval(90)
             AND c.zip IN (SELECT p.zip FROM stormops.proposal_decisions d
                             JOIN stormops.properties p ON p.property_id = d.property_id
                            WHERE d.proposal_id = r.proposal_id AND d.decision = 'proposed')),
         f.note
    FROM stormops.run_figures($2) f
    JOIN stormops.proposal_runs r ON r.proposal_id = f.proposal_id
    JOIN stormops.playbook_executions e ON e.execution_id = r.execution_id
    LEFT JOIN stormops.storm_events ev ON ev.event_id = r.event_id
    LEFT JOIN alike s ON s.event_type = ev.event_type
   ORDER BY e.execution_start DESC, r.proposal_id
  $q$ USING others, mine;
END;
$$;
COMMENT ON FUNCTION stormops.playbook_history(pg_catalog.text, pg_catalog.timestamptz) IS
  'Each execution of the play in the year before as_of, newest first: the retrospective''s figures, the mean conversion rate of similar plays, and the days until a Tier1 competitor''s permit in its targets'' ZIPs (NULL: none within 90 days).';
