-- The measurements of bench/retrospectives/run.sh (timed in the server with
-- clock_timestamp(); medians of bench.runs).
SET client_min_messages = warning;
\pset footer off
SELECT FROM set_config('bench.runs', :'runs', false);
\ir ../timing.sql
CREATE TEMP TABLE timing (figure text, ord int, ms float8);

-- ---- 1,000,000 properties, one storm, 100 plays of 10,000 decisions ----------
INSERT INTO stormops.properties (property_id, zip)
SELECT format('p%s', lpad(i::text, 7, '0')), '75034' FROM generate_series(1, 1000000) i;
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at)
VALUES ('bench_storm', 'hail', 2.5, '2019-03-24 18:00-05');
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share)
SELECT format('Play-%s', lpad(k::text, 3, '0')), '{}',
       '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}, {"step": 2, "channel": "sms", "timing_hours": 48}]}', 0.1
  FROM generate_series(1, 100) k;
-- one execution and run per play, made as generate_proposals makes them
CREATE TEMP TABLE plays AS
SELECT b.playbook_id, b.playbook_version, b.priority, row_number() OVER (ORDER BY b.playbook_name)::int AS k,
       gen_random_uuid() AS execution_id, gen_random_uuid() AS proposal_id
  FROM stormops.playbooks b;
INSERT INTO stormops.playbook_executions (execution_id, playbook_id, triggered_by_event_id, execution_start, status, playbook_version)
SELECT execution_id, playbook_id, 'bench_storm', '2019-03-26 09:00-05', 'Completed', playbook_version FROM plays;
INSERT INTO stormops.proposal_runs (proposal_id, playbook_id, playbook_version, event_id, priority, trigger_reason, as_of,
                                    properties_targeted, properties_proposed, execution_id, outcome)
SELECT proposal_id, playbook_id, playbook_version, 'bench_storm', priority, 'storm', '2019-03-26 09:00-05',
       10000, 9000, execution_id, 'execution created' FROM plays;
-- play k: properties (k - 1) * 10,000 + 1 .. k * 10,000; every tenth is control
INSERT INTO stormops.proposal_decisions (proposal_id, property_id, rank, decision, reason, execution_id)
SELECT p.proposal_id, format('p%s', lpad(((p.k - 1) * 10000 + j)::text, 7, '0')), j,
       CASE WHEN j % 10 = 0 THEN 'holdout' ELSE 'proposed' END::stormops.decision, 'bench',
       CASE WHEN j % 10 <> 0 THEN p.execution_id END
  FROM plays p, generate_series(1, 10000) j;
-- contacts: an e-mail to every treated property, an SMS to a third of them
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, execution_id)
SELECT d.property_id, 'contact', c.channel, '2019-03-26 10:00-05'::timestamptz + c.later, d.execution_id
  FROM stormops.proposal_decisions d
 CROSS JOIN (VALUES ('email', interval '0'), ('sms', interval '2 days')) c(channel, later)
 WHERE d.decision = 'proposed' AND (c.channel = 'email' OR hashtext(d.property_id) % 3 = 0);
-- outcomes by a hash of the property: play k lifts conversion by k/100 points
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, revenue)
SELECT d.property_id, o.event_type, 'email', '2019-03-26 10:00-05'::timestamptz + o.later,
       CASE WHEN o.event_type = 'conversion' THEN 8000 + abs(hashtext(d.property_id)) % 12000 END
  FROM stormops.proposal_decisions d
  JOIN plays p ON p.proposal_id = d.proposal_id
 CROSS JOIN LATERAL (SELECT abs(hashtext('o' || d.property_id)) % 10000 AS h) x
 CROSS JOIN LATERAL (VALUES ('open', interval '1 hour', x.h < 3000),
                            ('response', interval '1 day', x.h < 1200),
                            ('conversion', interval '10 days',
                             x.h < 200 + CASE WHEN d.decision = 'proposed' THEN p.k ELSE 0 END),
                            -- after the 30-day window: read by nobody
                            ('conversion', interval '40 days', x.h BETWEEN 5000 AND 5099)) o(event_type, later, happens)
 WHERE o.happens;
-- a year of older history: an e-mail to each property in 2018
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
SELECT property_id, 'contact', 'email', '2018-05-01 10:00-05' FROM stormops.properties;
VACUUM ANALYZE;
SELECT (SELECT count(*) FROM stormops.proposal_decisions) AS decisions,
       (SELECT count(*) FROM stormops.behavior_events) AS behavior_events;

-- ---- The hand-written query: the same figures for this one event -------------
CREATE FUNCTION pg_temp.by_hand(event text)
RETURNS TABLE (playbook_name text, treated bigint, contacted bigint, responded bigint, converted bigint, control_size bigint,
               uplift float8, uplift_low float8, uplift_high float8, p_value float8,
               incremental_revenue numeric, cost numeric, roi numeric, roi_rank bigint)
LANGUAGE sql STABLE AS $$
  WITH members AS (
    SELECT r.proposal_id, d.property_id, d.decision = 'proposed' AS treated, r.execution_id,
           e.execution_start AS starts, e.execution_start + interval '30 days' AS ends
      FROM stormops.proposal_runs r
      JOIN stormops.playbook_executions e ON e.execution_id = r.execution_id
      JOIN stormops.proposal_decisions d ON d.proposal_id = r.proposal_id
     WHERE r.event_id = event AND d.decision IN ('proposed', 'holdout')
  ), per_property AS (
    SELECT m.proposal_id, m.treated,
           EXISTS (SELECT FROM stormops.behavior_events b WHERE b.execution_id = m.execution_id
                      AND b.property_id = m.property_id AND b.event_type = 'contact') AS contacted,
           coalesce(o.responded, false) AS responded, coalesce(o.converted, false) AS converted,
           coalesce(o.revenue, 0) AS revenue
      FROM members m
      LEFT JOIN (SELECT m2.proposal_id, m2.property_id, true AS responded, bool_or(b.event_type = 'conversion') AS converted,
                        sum(b.revenue) FILTER (WHERE b.event_type = 'conversion') AS revenue
                   FROM members m2 JOIN stormops.behavior_events b
                     ON b.property_id = m2.property_id AND b.event_timestamp >= m2.starts AND b.event_timestamp < m2.ends
                  WHERE b.event_type IN ('click', 'response', 'conversion')
                  GROUP BY 1, 2) o ON o.proposal_id = m.proposal_id AND o.property_id = m.property_id
  ), costs AS (   -- contacts per channel, at the channel's price
    SELECT k.proposal_id, sum(k.n * stormops.channel_cost(k.cost_per_contact, k.channel)) AS cost
      FROM (SELECT r.proposal_id, pb.cost_per_contact, b.channel, count(*) AS n
              FROM stormops.proposal_runs r JOIN stormops.playbooks pb ON pb.playbook_id = r.playbook_id
              JOIN stormops.behavior_events b ON b.execution_id = r.execution_id AND b.event_type = 'contact'
             WHERE r.event_id = event GROUP BY 1, 2, 3) k
     GROUP BY 1
  ), g AS (
    SELECT p.proposal_id, count(*) FILTER (WHERE treated) AS nt, count(*) FILTER (WHERE treated AND contacted) AS ct,
           count(*) FILTER (WHERE treated AND responded) AS rt,
           count(*) FILTER (WHERE treated AND converted) AS xt, sum(revenue) FILTER (WHERE treated) AS revt,
           count(*) FILTER (WHERE NOT treated) AS nc, count(*) FILTER (WHERE NOT treated AND converted) AS xc,
           sum(revenue) FILTER (WHERE NOT treated) AS revc
      FROM per_property p GROUP BY 1
  ), w AS (   -- Wilson intervals of both rates
    SELECT g.*, g.xt::float8 / g.nt AS p1, g.xc::float8 / g.nc AS p2,
           (g.xt::float8 / g.nt + 1.959963984540054 ^ 2 / g.nt / 2) / (1 + 1.959963984540054 ^ 2 / g.nt) AS c1,
           1.959963984540054 / (1 + 1.959963984540054 ^ 2 / g.nt)
             * sqrt(g.xt::float8 / g.nt * (1 - g.xt::float8 / g.nt) / g.nt + 1.959963984540054 ^ 2 / (4 * g.nt ^ 2)) AS h1,
           (g.xc::float8 / g.nc + 1.959963984540054 ^ 2 / g.nc / 2) / (1 + 1.959963984540054 ^ 2 / g.nc) AS c2,
           1.959963984540054 / (1 + 1.959963984540054 ^ 2 / g.nc)
             * sqrt(g.xc::float8 / g.nc * (1 - g.xc::float8 / g.nc) / g.nc + 1.959963984540054 ^ 2 / (4 * g.nc ^ 2)) AS h2,
           ((g.xt + g.xc)::float8 / (g.nt + g.nc)) AS pooled
      FROM g
  ), z AS (
    SELECT w.*, abs(p1 - p2) / sqrt(pooled * (1 - pooled) * (1.0 / nt + 1.0 / nc)) / sqrt(2) AS zz FROM w
  ), f AS (
    SELECT pb.playbook_name, z.nt, z.ct, z.rt, z.xt, z.nc, z.p1 - z.p2 AS uplift,
           z.p1 - z.p2 - sqrt((z.p1 - (z.c1 - z.h1)) ^ 2 + ((z.c2 + z.h2) - z.p2) ^ 2) AS low,
           z.p1 - z.p2 + sqrt(((z.c1 + z.h1) - z.p1) ^ 2 + (z.p2 - (z.c2 - z.h2)) ^ 2) AS high,
           -- Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7)
           (1 / (1 + 0.3275911 * z.zz)) * (0.254829592 + (1 / (1 + 0.3275911 * z.zz)) * (-0.284496736
             + (1 / (1 + 0.3275911 * z.zz)) * (1.421413741 + (1 / (1 + 0.3275911 * z.zz)) * (-1.453152027
             + (1 / (1 + 0.3275911 * z.zz)) * 1.061405429)))) * exp(-z.zz * z.zz) AS p_value,
           round((z.revt / z.nt - z.revc / z.nc) * z.nt, 2) AS incremental_revenue, c.cost,
           round((z.revt - c.cost) / c.cost, 4) AS roi
      FROM z JOIN costs c ON c.proposal_id = z.proposal_id
      JOIN stormops.proposal_runs r ON r.proposal_id = z.proposal_id
      JOIN stormops.playbooks pb ON pb.playbook_id = r.playbook_id
  )
  SELECT f.playbook_name, f.nt, f.ct, f.rt, f.xt, f.nc, f.uplift, f.low, f.high, f.p_value, f.incremental_revenue, f.cost, f.roi,
         rank() OVER (ORDER BY f.roi DESC) FROM f
$$;

-- ---- Both give the same figures (else the script stops here) -------------------
DO $$
DECLARE
  n int;
  bad int;
BEGIN
  SELECT count(*), count(*) FILTER (WHERE NOT (
           a.treated = h.treated AND a.contacted = h.contacted AND a.responded = h.responded
           AND a.converted = h.converted
           AND a.control_size = h.control_size AND abs(a.uplift - h.uplift) < 1e-12
           AND abs(a.uplift_low - h.uplift_low) < 1e-12 AND abs(a.uplift_high - h.uplift_high) < 1e-12
           AND abs(a.p_value - h.p_value) < 1e-6 AND a.incremental_revenue = h.incremental_revenue
           AND a.cost = h.cost AND a.roi = h.roi AND a.roi_rank = h.roi_rank))
    INTO n, bad
    FROM stormops.retrospective('bench_storm') a JOIN pg_temp.by_hand('bench_storm') h USING (playbook_name);
  IF n <> 100 OR bad <> 0 THEN
    RAISE 'retrospective and the hand-written query differ: % rows matched, % differ', n, bad;
  END IF;
END $$;
\echo '-- the two agree on all 100 plays; the first three by ROI:'
SELECT playbook_name, treated, contacted, converted, control_size, round(uplift::numeric, 5) AS uplift,
       round(uplift_low::numeric, 5) AS low, round(uplift_high::numeric, 5) AS high,
       to_char(p_value, '9.99EEEE') AS p_value, incremental_revenue, cost, roi, roi_rank, note
  FROM stormops.retrospective('bench_storm') ORDER BY roi_rank LIMIT 3;

-- ---- Timing ------------------------------------------------------------------
DO $$
BEGIN
  FOR run IN 0..current_setting('bench.runs')::int LOOP
    INSERT INTO timing SELECT 'retrospective(''bench_storm''): 100 executions, 1,000,000 decisions', 1,
                              pg_temp.elapsed_ms('SELECT count(*) FROM stormops.retrospective(''bench_storm'')')
     WHERE run > 0;
    INSERT INTO timing SELECT 'the same figures by a hand-written query (baseline)', 2,
                              pg_temp.elapsed_ms('SELECT count(*) FROM pg_temp.by_hand(''bench_storm'')')
     WHERE run > 0;
  END LOOP;
END $$;
\echo '-- medians (ms); ratio = retrospective / hand-written'
SELECT * FROM pg_temp.timing_medians();
SELECT pg_temp.timing_ratio(1, 2) AS retrospective_ratio;
