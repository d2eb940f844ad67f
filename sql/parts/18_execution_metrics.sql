-- Execution roll-ups from the behaviour events linked to each execution
-- (behavior_events.execution_id), refreshed by refresh_execution_metrics()
-- (by hand or nightly from pg_cron). Definitions in docs/proposals.md.

-- A figure for a numeric(12,2) column, or NULL when it does not fit (an ROI
-- of a million against a target of 0.01): one such execution must not stop
-- the refresh of all the others.
CREATE FUNCTION stormops.within_numeric_12_2(x pg_catalog.numeric)
RETURNS pg_catalog.numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT CASE WHEN pg_catalog.abs(pg_catalog.round(x, 2)) OPERATOR(pg_catalog.<) 10000000000::pg_catalog.numeric
              THEN pg_catalog.round(x, 2) END;
END;

-- SECURITY DEFINER: the figures are computed, never typed in.
CREATE FUNCTION stormops.refresh_execution_metrics(only_execution pg_catalog.uuid DEFAULT NULL)
RETURNS pg_catalog.int4
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  refreshed int;
BEGIN
  UPDATE stormops.playbook_executions x SET
    properties_targeted = coalesce(m.proposed, x.properties_targeted),
    properties_contacted = m.contacted,
    properties_converted = m.converted,
    total_revenue = m.revenue,
    total_cost = round(m.cost),
    roi = stormops.within_numeric_12_2((m.revenue - m.cost) / nullif(m.cost, 0)),
    avg_ticket = round(m.converted_revenue / nullif(m.converted, 0)),
    conversion_rate = round(m.converted::numeric / nullif(m.contacted, 0), 4),
    conversion_rate_vs_target = stormops.within_numeric_12_2(
      100 * (m.converted::numeric / nullif(m.contacted, 0) - m.target_conversion_rate) / nullif(m.target_conversion_rate, 0)),
    roi_vs_target = stormops.within_numeric_12_2(
      100 * ((m.revenue - m.cost) / nullif(m.cost, 0) - m.target_roi) / nullif(m.target_roi, 0))
  FROM (
    SELECT e.execution_id, pb.target_conversion_rate, pb.target_roi,
           (SELECT nullif(count(*), 0)::int FROM stormops.proposal_decisions d
             WHERE d.execution_id = e.execution_id) AS proposed,
           count(p.*) > 0 AS has_events,
           coalesce(sum(1) FILTER (WHERE p.contacted), 0)::int AS contacted,
           coalesce(sum(1) FILTER (WHERE p.contacted AND p.converted), 0)::int AS converted,
           coalesce(sum(p.revenue), 0) AS revenue,
           coalesce(sum(p.revenue) FILTER (WHERE p.contacted AND p.converted), 0) AS converted_revenue,
           coalesce(sum(p.cost), 0) AS cost
      FROM stormops.playbook_executions e
      JOIN stormops.playbooks pb ON pb.playbook_id = e.playbook_id
      LEFT JOIN LATERAL (
        SELECT bool_or(b.event_type = 'contact') AS contacted,
               bool_or(b.event_type = 'conversion') AS converted,
               coalesce(sum(b.revenue), 0) AS revenue,
               coalesce(sum(stormops.channel_cost(pb.cost_per_contact, b.channel))
                          FILTER (WHERE b.event_type = 'contact'), 0) AS cost
          FROM stormops.behavior_events b
         WHERE b.execution_id = e.execution_id
         GROUP BY b.property_id) p ON true
     WHERE only_execution IS NULL OR e.execution_id = only_execution
     GROUP BY e.execution_id, pb.target_conversion_rate, pb.target_roi
  ) m
  -- an execution with neither decisions nor linked events (loaded from
  -- elsewhere, say) keeps the figures it has
  WHERE x.execution_id = m.execution_id AND (m.proposed IS NOT NULL OR m.has_events);
  GET DIAGNOSTICS refreshed = ROW_COUNT;
  RETURN refreshed;
END;
$$;
COMMENT ON FUNCTION stormops.refresh_execution_metrics(pg_catalog.uuid) IS
  'Recomputes the roll-ups of every execution (or one) from its linked behaviour events; returns how many.';
