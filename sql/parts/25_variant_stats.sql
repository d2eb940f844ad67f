-- What a person reads about a playbook's variants (adaptive.md, "What a
-- person reads"): per step and arm, how it is doing. A code part; read-only.

-- Per step with arms and per arm, as of a moment: sent contacts, rewards
-- (by the step's success_criteria metric, response_rate without one), the
-- mean reward and its 95% Wilson interval, the arm's share of the step's
-- sent contacts, and the probability that it is the best arm under
-- Beta(1 + rewards, 1 + failures) posteriors (exact for two arms, else
-- 20,000 draws seeded by stormops.random_seed). A step whose arms changed
-- across versions has one set of rows per list of arms (column arms).
CREATE OR REPLACE FUNCTION stormops.variant_stats(playbook_name pg_catalog.text,
                                                 as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (step pg_catalog.int4, channel pg_catalog.text, arm pg_catalog.text, contacts pg_catalog.int8,
               rewards pg_catalog.int8, mean pg_catalog.float8, wilson_low pg_catalog.float8,
               wilson_high pg_catalog.float8, share pg_catalog.float8, p_best pg_catalog.float8,
               arms pg_catalog.text[])
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  pb uuid;
BEGIN
  SELECT p.playbook_id INTO pb FROM stormops.playbooks p WHERE p.playbook_name = variant_stats.playbook_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'playbook "%" does not exist', variant_stats.playbook_name
      USING ERRCODE = 'undefined_object',
            HINT = 'List playbooks with: SELECT playbook_name, status FROM stormops.playbooks;';
  END IF;
  IF as_of IS NULL THEN
    RAISE EXCEPTION 'as_of must not be NULL'
      USING ERRCODE = 'null_value_not_allowed', DETAIL = 'Parameter as_of.',
            HINT = 'Leave it out for now(), or give the moment a simulation is at.';
  END IF;
  RETURN QUERY
  WITH counts AS (
    SELECT p.pool_id, p.step, p.channel, p.arms AS pool_arms, k.arm_no, k.arm, k.contacts, k.rewards
      FROM stormops.arm_pools p
     CROSS JOIN LATERAL stormops.arm_pool_counts(p.pool_id, as_of) k
     WHERE p.playbook_id = pb
  ), pools AS (
    SELECT c.pool_id, sum(c.contacts) AS total,
           stormops.arm_prob_best(array_agg(c.contacts ORDER BY c.arm_no), array_agg(c.rewards ORDER BY c.arm_no),
                                  stormops.random_seed(), c.pool_id) AS best
      FROM counts c GROUP BY c.pool_id
  )
  SELECT c.step::int4, c.channel::text, c.arm, c.contacts, c.rewards,
         CASE WHEN c.contacts > 0 THEN c.rewards::float8 / c.contacts END,
         w.low, w.high,
         CASE WHEN t.total > 0 THEN c.contacts::float8 / t.total END,
         t.best[c.arm_no], c.pool_arms
    FROM counts c
    JOIN pools t ON t.pool_id = c.pool_id
   CROSS JOIN LATERAL stormops.wilson_interval(c.rewards, c.contacts) w
   ORDER BY c.step, c.pool_id, c.arm_no;
END;
$$;
COMMENT ON FUNCTION stormops.variant_stats(pg_catalog.text, pg_catalog.timestamptz) IS
  'Per step with arms and per arm: sent contacts, rewards, mean, 95% Wilson interval, share of the step''s contacts, P(best) (docs/variants.md).';
