-- The behavioural keys' three forms (docs/targeting.md, "How the behavioural
-- keys are read") on the metro market of generate.sql, each against a
-- hand-written aggregate query of the same rule (what an analyst writes for
-- it: one GROUP BY over behavior_events, hash-joined to the properties, the
-- same ranking). stormops.behavior_form forces a form; 'auto' is what users
-- get. Every form's count is checked against the hand-written query's first.
-- Medians of :runs runs, timed in the server.
SET client_min_messages = warning;
\pset footer off
SELECT FROM set_config('bench.runs', :'runs', false);
\ir ../timing.sql

-- as_of NULL: now(), the moment of the transaction that runs the case (the
-- storm worker's and pg_cron's case: auto reads behavior_counts then)
CREATE TEMP TABLE form_cases (name text PRIMARY KEY, ord int, rules jsonb, as_of timestamptz, handwritten text);
INSERT INTO form_cases VALUES
('response rate >= 0.5, as of now()', 1, '{"behavioral": {"response_rate_min": 0.5}}', NULL,
 $q$SELECT p.property_id, row_number() OVER (ORDER BY ps.uplift_score DESC NULLS LAST, p.property_id)
      FROM stormops.properties p
      JOIN (SELECT property_id FROM stormops.behavior_events
             WHERE event_type IN ('contact', 'response') AND event_timestamp < now()
             GROUP BY property_id
            HAVING count(*) FILTER (WHERE event_type = 'contact') > 0
               AND count(*) FILTER (WHERE event_type = 'response') >= 0.5 * count(*) FILTER (WHERE event_type = 'contact')) b
        ON b.property_id = p.property_id
      LEFT JOIN stormops.property_scores ps ON ps.property_id = p.property_id$q$),
('response rate >= 0.5, as of 2019-03-27', 2, '{"behavioral": {"response_rate_min": 0.5}}', '2019-03-27 12:00:00-05',
 $q$SELECT p.property_id, row_number() OVER (ORDER BY ps.uplift_score DESC NULLS LAST, p.property_id)
      FROM stormops.properties p
      JOIN (SELECT property_id FROM stormops.behavior_events
             WHERE event_type IN ('contact', 'response') AND event_timestamp < '2019-03-27 12:00:00-05'
             GROUP BY property_id
            HAVING count(*) FILTER (WHERE event_type = 'contact') > 0
               AND count(*) FILTER (WHERE event_type = 'response') >= 0.5 * count(*) FILTER (WHERE event_type = 'contact')) b
        ON b.property_id = p.property_id
      LEFT JOIN stormops.property_scores ps ON ps.property_id = p.property_id$q$),
('recent responders, no event, as of 2019-03-27', 3,
 '{"physics": {"max_days_since_storm": 400}, "behavioral": {"response_rate_min": 0.5, "exclude_recent_converts": true},
   "psychographics": {"exclude_personas": ["Procrastinator"]}}', '2019-03-27 12:00:00-05',
 $q$SELECT p.property_id, row_number() OVER (ORDER BY ps.uplift_score DESC NULLS LAST, i.sii_score DESC NULLS LAST, p.property_id)
      FROM stormops.properties p
      JOIN (SELECT pi.property_id, max(pi.sii_score) AS sii_score
              FROM stormops.property_impacts pi JOIN stormops.storm_events se ON se.event_id = pi.event_id
             WHERE se.begin_at <= '2019-03-27 12:00:00-05' AND se.begin_at >= timestamptz '2019-03-27 12:00:00-05' - 400 * interval '86400 seconds'
             GROUP BY pi.property_id) i ON i.property_id = p.property_id
      JOIN (SELECT property_id FROM stormops.behavior_events
             WHERE event_type IN ('contact', 'response') AND event_timestamp < '2019-03-27 12:00:00-05'
             GROUP BY property_id
            HAVING count(*) FILTER (WHERE event_type = 'contact') > 0
               AND count(*) FILTER (WHERE event_type = 'response') >= 0.5 * count(*) FILTER (WHERE event_type = 'contact')) b
        ON b.property_id = p.property_id
      LEFT JOIN stormops.property_scores ps ON ps.property_id = p.property_id
     WHERE p.persona IS DISTINCT FROM 'Procrastinator'
       AND NOT EXISTS (SELECT FROM stormops.behavior_events c
                        WHERE c.property_id = p.property_id AND c.event_type = 'conversion'
                          AND c.event_timestamp >= timestamptz '2019-03-27 12:00:00-05' - 365 * interval '86400 seconds'
                          AND c.event_timestamp < '2019-03-27 12:00:00-05')$q$);

CREATE TEMP TABLE form_timing (name text, form text, ms float8, n bigint);
DO $$
DECLARE
  r record;
  form text;
  runs int := current_setting('bench.runs')::int;
  expected bigint;
  n bigint;
BEGIN
  FOR r IN SELECT c.name, c.rules, coalesce(c.as_of, now()) AS as_of, c.handwritten FROM form_cases c ORDER BY ord LOOP
    EXECUTE format('SELECT count(*) FROM (%s) h', r.handwritten) INTO expected;
    FOREACH form IN ARRAY ARRAY['auto', 'counts', 'aggregate', 'lateral'] LOOP
      PERFORM set_config('stormops.behavior_form', form, false);
      EXECUTE 'SELECT count(*) FROM stormops.target_properties($1, NULL, $2)' INTO n USING r.rules, r.as_of;
      IF n <> expected THEN
        RAISE EXCEPTION '%: form % gives % targets, the hand-written query %', r.name, form, n, expected;
      END IF;
      FOR run IN 1..runs LOOP
        INSERT INTO form_timing SELECT r.name, form, pg_temp.elapsed_ms(format(
          'SELECT count(*) FROM stormops.target_properties(%L, NULL, %L)', r.rules, r.as_of)), n;
      END LOOP;
    END LOOP;
    PERFORM set_config('stormops.behavior_form', 'auto', false);
    FOR run IN 1..runs LOOP
      INSERT INTO form_timing SELECT r.name, 'hand-written', pg_temp.elapsed_ms(format('SELECT count(*) FROM (%s) h', r.handwritten)), expected;
    END LOOP;
  END LOOP;
END $$;

\echo 'Behavioural keys: median ms of count(*) over target_properties in each form, and of the hand-written aggregate query'
\echo '(auto = what users get; ratio = hand-written / auto, above 1 when the extension is faster)'
SELECT t.name AS rule_set, max(n) AS targets,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE form = 'auto'))::numeric, 1) AS auto_ms,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE form = 'counts'))::numeric, 1) AS counts_ms,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE form = 'aggregate'))::numeric, 1) AS aggregate_ms,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE form = 'lateral'))::numeric, 1) AS lateral_ms,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE form = 'hand-written'))::numeric, 1) AS handwritten_ms,
       round((pg_temp.median(array_agg(ms) FILTER (WHERE form = 'hand-written'))
            / pg_temp.median(array_agg(ms) FILTER (WHERE form = 'auto')))::numeric, 2) AS ratio
  FROM form_timing t JOIN form_cases c USING (name)
 GROUP BY t.name, c.ord ORDER BY c.ord;
