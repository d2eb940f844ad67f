-- Execution roll-ups from the behaviour events linked to each execution
-- (behavior_events.execution_id), refreshed by refresh_execution_metrics()
-- (by hand or nightly from pg_cron). Definitions in docs/proposals.md.

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
    roi = CASE WHEN m.cost > 0 THEN round((m.revenue - m.cost) / m.cost, 2) END,
    avg_ticket = CASE WHEN m.converted > 0 THEN round(m.revenue::numeric / m.converted) END,
    conversion_rate = CASE WHEN m.contacted > 0 THEN round(m.converted::numeric / m.contacted, 4) END,
    conversion_rate_vs_target = CASE WHEN m.contacted > 0 AND m.target_conversion_rate > 0 THEN
      round(100 * (m.converted::numeric / m.contacted - m.target_conversion_rate) / m.target_conversion_rate, 2) END,
    roi_vs_target = CASE WHEN m.cost > 0 AND m.target_roi <> 0 THEN
      round(100 * ((m.revenue - m.cost) / m.cost - m.target_roi) / m.target_roi, 2) END
  FROM (
    SELECT e.execution_id, pb.target_conversion_rate, pb.target_roi,
           (SELECT nullif(count(*), 0)::int FROM stormops.proposal_decisions d
             WHERE d.execution_id = e.execution_id) AS proposed,
           coalesce(sum(1) FILTER (WHERE p.contacted), 0)::int AS contacted,
           coalesce(sum(1) FILTER (WHERE p.contacted AND p.converted), 0)::int AS converted,
           coalesce(sum(p.revenue), 0) AS revenue,
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
  WHERE x.execution_id = m.execution_id;
  GET DIAGNOSTICS refreshed = ROW_COUNT;
  RETURN refreshed;
END;
$$;
COMMENT ON FUNCTION stormops.refresh_execution_metrics(pg_catalog.uuid) IS
  'Recomputes the roll-ups of every execution (or one) from its linked behaviour events; returns how many.';
