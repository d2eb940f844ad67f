-- The bandit's statistics and choices (adaptive.md): the rewards of an arm
-- pool, their recomputation, and the choice of an arm for one contact. A
-- code part; the claim (22_contact_claims.sql) calls these.
--
-- An arm's reward for one sent contact is 1 when its step's
-- success_criteria metric counts it a success (open_rate: an open belongs
-- to the contact; click_rate: a click; response_rate, also without a
-- criterion: a response; conversion_rate: a conversion within
-- stormops.attribution_days of the send; complaint_rate and opt_out_rate
-- are costs: 1 when none came). Each contact is scored by its own
-- execution's step, so versions that changed only the criterion still
-- pool. Statistics are recomputed by the first claim after every
-- reoptimize_after_n_contacts sent contacts of the pool; the cost is one
-- pass over the pool's sent contacts and outcomes, at most that often.
-- Failure modes: two claims that find a pool due take turns through an
-- advisory lock: one recomputes, the other keeps the statistics it has
-- (so a choice never waits for a recomputation, except the first).

-- Sent contacts and rewards of each arm of a pool as of a moment, in the
-- pool's arm order (arms without contacts count 0). Two aggregates, no join
-- of the sent contacts to their outcomes: the sent contacts are counted per
-- execution, step and arm; the outcomes (far fewer) find their step through
-- the primary key and are counted the same way; a cost metric's rewards are
-- the sent contacts less those with the outcome. (A join of each sent
-- contact to its outcomes was planned as a nested loop whenever
-- contact_steps' statistics knew no sent contacts yet, as for a play whose
-- first contacts go out before the next analyze: 560 ms for 6,000 contacts.)
CREATE OR REPLACE FUNCTION stormops.arm_pool_counts(pool_id pg_catalog.int8, as_of pg_catalog.timestamptz)
RETURNS TABLE (arm_no pg_catalog.int4, arm pg_catalog.text, contacts pg_catalog.int8, rewards pg_catalog.int8)
LANGUAGE sql STABLE
-- the planner's estimates for a pool of 20,000 contacts cross jit_above_cost,
-- and compiling costs 35 of 55 ms (bench/variants)
SET jit = off
BEGIN ATOMIC
  WITH steps AS (
    SELECT x.execution_id, x.step,
           pg_catalog.split_part(COALESCE(x.success_criteria, 'response_rate'), ' ', 1) AS metric
      FROM stormops.execution_steps x
     WHERE x.arm_pool_id OPERATOR(pg_catalog.=) arm_pool_counts.pool_id
  ), sent AS (
    -- each execution's steps through the primary key: the pool's executions
    -- as an array (a pool is a few executions of a table of millions; a
    -- plain join would be planned as a hash join over the whole table). Not
    -- a LATERAL subquery with OFFSET 0, which Citus cannot push down when it
    -- references a CTE (docs/scaling.md).
    SELECT t.metric, c.arm, pg_catalog.count(*) AS n
      FROM steps t
      JOIN stormops.contact_steps c
        ON c.execution_id OPERATOR(pg_catalog.=) t.execution_id AND c.step OPERATOR(pg_catalog.=) t.step
     WHERE c.execution_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT DISTINCT t.execution_id FROM steps t))
       AND c.status OPERATOR(pg_catalog.=) 'sent' AND c.arm IS NOT NULL
       AND c.sent_at OPERATOR(pg_catalog.<=) as_of
     GROUP BY t.metric, c.arm
  ), flagged AS (
    -- sent contacts with the outcome their step's metric names
    SELECT t.metric, c.arm, pg_catalog.count(*) AS n
      FROM stormops.step_outcome_flags(ARRAY(SELECT DISTINCT t.execution_id FROM steps t), as_of) f
      JOIN steps t ON t.execution_id OPERATOR(pg_catalog.=) f.execution_id AND t.step OPERATOR(pg_catalog.=) f.step
      JOIN stormops.contact_steps c
        ON c.execution_id OPERATOR(pg_catalog.=) f.execution_id
       AND c.property_id OPERATOR(pg_catalog.=) f.property_id
       AND c.step OPERATOR(pg_catalog.=) f.step
     WHERE c.status OPERATOR(pg_catalog.=) 'sent' AND c.arm IS NOT NULL
       AND c.sent_at OPERATOR(pg_catalog.<=) as_of
       AND CASE t.metric
             WHEN 'open_rate' THEN f.opened
             WHEN 'click_rate' THEN f.clicked
             WHEN 'response_rate' THEN f.responded
             WHEN 'conversion_rate' THEN
               f.first_conversion_at OPERATOR(pg_catalog.<=)
                 (c.sent_at OPERATOR(pg_catalog.+) stormops.days_interval(stormops.attribution_days()))
             WHEN 'complaint_rate' THEN f.complained
             WHEN 'opt_out_rate' THEN f.opted_out
           END
     GROUP BY t.metric, c.arm
  ), counted AS (
    SELECT s.arm, s.n AS contacts,
           CASE WHEN s.metric OPERATOR(pg_catalog.=) ANY ('{complaint_rate,opt_out_rate}')
                THEN s.n OPERATOR(pg_catalog.-) COALESCE(g.n, 0)
                ELSE COALESCE(g.n, 0) END AS rewards
      FROM sent s
      LEFT JOIN flagged g ON g.metric OPERATOR(pg_catalog.=) s.metric AND g.arm OPERATOR(pg_catalog.=) s.arm
  )
  SELECT a.n::pg_catalog.int4, a.arm, COALESCE(pg_catalog.sum(c.contacts), 0)::pg_catalog.int8,
         COALESCE(pg_catalog.sum(c.rewards), 0)::pg_catalog.int8
    FROM stormops.arm_pools p
   CROSS JOIN LATERAL pg_catalog.unnest(p.arms) WITH ORDINALITY AS a(arm, n)
    LEFT JOIN counted c ON c.arm OPERATOR(pg_catalog.=) a.arm
   WHERE p.pool_id OPERATOR(pg_catalog.=) arm_pool_counts.pool_id
   GROUP BY a.n, a.arm
   ORDER BY a.n;
END;
COMMENT ON FUNCTION stormops.arm_pool_counts(pg_catalog.int8, pg_catalog.timestamptz) IS
  'Per arm of a pool, in order: its sent contacts and their rewards (by each step''s success_criteria metric) as of a moment.';

-- The statistics a claim's choices read for a pool: the latest, or new
-- ones when the pool has had `every` more sent contacts since (or has
-- none yet). Returns the statistics_id.
CREATE OR REPLACE FUNCTION stormops.refresh_arm_statistics(pool_id pg_catalog.int8, as_of pg_catalog.timestamptz,
                                                          every pg_catalog.int4)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  id constant bigint := refresh_arm_statistics.pool_id;
  latest stormops.arm_statistics;
  sent bigint;
  c bigint[];
  r bigint[];
  made bigint;
BEGIN
  SELECT p.sent_contacts INTO sent FROM stormops.arm_pools p WHERE p.pool_id = id;
  SELECT * INTO latest FROM stormops.arm_statistics a WHERE a.pool_id = id ORDER BY a.statistics_id DESC LIMIT 1;
  IF FOUND AND sent < latest.sent_contacts + every THEN
    RETURN latest.statistics_id;
  END IF;
  IF latest.statistics_id IS NOT NULL THEN
    -- due: one claim recomputes, the others keep what they have
    IF NOT pg_try_advisory_xact_lock(hashtext('stormops.arm_statistics'), (id % 2147483647)::int4) THEN
      RETURN latest.statistics_id;
    END IF;
  ELSE
    PERFORM pg_advisory_xact_lock(hashtext('stormops.arm_statistics'), (id % 2147483647)::int4);
  END IF;
  -- another claim may have recomputed while this one waited
  SELECT p.sent_contacts INTO sent FROM stormops.arm_pools p WHERE p.pool_id = id;
  SELECT * INTO latest FROM stormops.arm_statistics a WHERE a.pool_id = id ORDER BY a.statistics_id DESC LIMIT 1;
  IF FOUND AND sent < latest.sent_contacts + every THEN
    RETURN latest.statistics_id;
  END IF;

  SELECT array_agg(k.contacts ORDER BY k.arm_no), array_agg(k.rewards ORDER BY k.arm_no) INTO c, r
    FROM stormops.arm_pool_counts(id, as_of) k;
  INSERT INTO stormops.arm_statistics (pool_id, sent_contacts, computed_at, contacts, rewards, greedy_arm, prob_best)
  VALUES (id, sent, as_of, c, r, stormops.greedy_arm(c, r),
          stormops.arm_prob_best(c, r, stormops.random_seed(), id * 4294967296 + sent))
  RETURNING statistics_id INTO made;
  RETURN made;
END;
$$;
COMMENT ON FUNCTION stormops.refresh_arm_statistics(pg_catalog.int8, pg_catalog.timestamptz, pg_catalog.int4) IS
  'Internal: the arm statistics a claim reads for a pool, recomputed when `every` more contacts were sent since the latest.';

-- The arm of one contact and its propensity: uniform (a sticky A/B/n draw
-- of playbook, property and step), epsilon_greedy or thompson (draws of
-- stormops.random_seed and the contact id, on the pool's statistics; none
-- yet: every arm alike).
CREATE OR REPLACE FUNCTION stormops.choose_arm(method pg_catalog.text, arms pg_catalog.text[], epsilon pg_catalog.float8,
                                              contacts pg_catalog.int8[], rewards pg_catalog.int8[],
                                              greedy pg_catalog.int4, prob_best pg_catalog.float8[],
                                              contact_id pg_catalog.int8, playbook_id pg_catalog.uuid,
                                              property_id pg_catalog.text, step pg_catalog.int4)
RETURNS TABLE (arm pg_catalog.text, propensity pg_catalog.float8)
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT arms[c.i],
         CASE method
           WHEN 'uniform' THEN 1.0::pg_catalog.float8 OPERATOR(pg_catalog./) c.k
           WHEN 'epsilon_greedy' THEN stormops.epsilon_greedy_propensity(c.k, greedy, epsilon, c.i)
           ELSE COALESCE(prob_best[c.i], 1.0::pg_catalog.float8 OPERATOR(pg_catalog./) c.k)
         END
    FROM (SELECT k.k,
                 CASE method
                   WHEN 'uniform' THEN
                     pg_catalog.floor(stormops.arm_draw(playbook_id, property_id, step) OPERATOR(pg_catalog.*) k.k)::pg_catalog.int4
                       OPERATOR(pg_catalog.+) 1
                   WHEN 'epsilon_greedy' THEN
                     stormops.epsilon_greedy_arm(k.k, greedy, epsilon, stormops.random_seed(), contact_id)
                   WHEN 'thompson' THEN
                     stormops.thompson_arm(COALESCE(contacts, pg_catalog.array_fill(0::pg_catalog.int8, ARRAY[k.k])),
                                           COALESCE(rewards, pg_catalog.array_fill(0::pg_catalog.int8, ARRAY[k.k])),
                                           stormops.random_seed(), contact_id)
                 END AS i
            FROM (SELECT pg_catalog.cardinality(arms) AS k) k) c;
END;
COMMENT ON FUNCTION stormops.choose_arm(pg_catalog.text, pg_catalog.text[], pg_catalog.float8, pg_catalog.int8[],
                                       pg_catalog.int8[], pg_catalog.int4, pg_catalog.float8[], pg_catalog.int8,
                                       pg_catalog.uuid, pg_catalog.text, pg_catalog.int4) IS
  'The arm (message variant) of one contact among a step''s arms, and the probability its method gave that arm.';
