-- stormops.distribute() on one node (docs/scaling.md): refuses without Citus,
-- admins only; where each table would go; the Citus form of SQL functions.
-- The distribution itself is tested on a Citus cluster (test/citus/distribute.sh).
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(11);

SELECT throws_ok($$SELECT * FROM stormops.distribute()$$, '0A000',
  'Citus is not installed in database ' || current_database(),
  'without Citus: 0A000, and stormops keeps working on one node');
SELECT ok((SELECT NOT has_function_privilege('stormops_operator', 'stormops.distribute(integer)', 'EXECUTE')
              AND has_function_privilege('stormops_admin', 'stormops.distribute(integer)', 'EXECUTE')),
          'admins may distribute, operators may not');

SELECT is((SELECT string_agg(relation::text, ' ' ORDER BY relation::text) FROM stormops.distribution_plan() WHERE placement = 'distributed'),
          'stormops.behavior_counts stormops.behavior_events stormops.cohorts stormops.contact_step_changes stormops.contact_steps stormops.do_not_contact stormops.guardrail_state stormops.neighbor_lists stormops.properties stormops.property_impacts stormops.property_scores stormops.proposal_decisions stormops.referrals',
          'the per-property tables are distributed');
SELECT is((SELECT relation::text || ' ' || distribution_column
             FROM stormops.distribution_plan() WITH ORDINALITY p(relation, placement, distribution_column, n)
            WHERE placement = 'distributed' ORDER BY n LIMIT 1),
          'stormops.properties property_id', 'properties first: the others are co-located with it');
SELECT is((SELECT distribution_column::text FROM stormops.distribution_plan() WHERE relation = 'stormops.referrals'::regclass),
          'referrer_property_id', 'referrals by its referrer');
SELECT is((SELECT string_agg(relation::text, ' ') FROM stormops.distribution_plan() WHERE placement = 'local'),
          'stormops.competitor_permits', 'competitor_permits stays on the coordinator, where its trigger runs once');
SELECT is((SELECT count(*)::int FROM stormops.distribution_plan() WHERE placement = 'reference'),
          (SELECT count(*)::int FROM pg_class WHERE relnamespace = 'stormops'::regnamespace AND relkind = 'r') - 14,
          'every other table is a reference table');

-- the Citus form of a SQL function: a PL/pgSQL twin, and the function calling it
SELECT is(stormops.citus_function_ddl('stormops.guardrail_state_rebuild()'::regprocedure), NULL,
          'a PL/pgSQL function has no Citus form (it needs none)');
CREATE SCHEMA stormops_citus;
SELECT lives_ok($$SELECT stormops.citus_function_ddl('stormops.behavior_counts_at(timestamptz, text[])'::regprocedure)$$,
                'the Citus form of behavior_counts_at');
INSERT INTO stormops.properties (property_id, zip) VALUES ('P1', '75034'), ('P2', '75034');
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
VALUES ('P1', 'contact', 'sms', '2019-01-01'), ('P1', 'response', 'sms', '2019-01-02'), ('P2', 'conversion', NULL, '2019-02-01');
CREATE TEMP TABLE counts_before AS SELECT * FROM stormops.behavior_counts_at('infinity');
-- contact_plan has a result column named as an argument (execution_id),
-- which PL/pgSQL refuses: its twin's columns are c1, c2, ...
DO $$
DECLARE s text;
BEGIN
  FOREACH s IN ARRAY stormops.citus_function_ddl('stormops.contact_plan(text, uuid)'::regprocedure)
              || stormops.citus_function_ddl('stormops.behavior_counts_at(timestamptz, text[])'::regprocedure)
              || stormops.citus_function_ddl('stormops.step_condition_holds(text, uuid, text, timestamptz)'::regprocedure) LOOP
    EXECUTE s;
  END LOOP;
END;
$$;
SELECT ok(pg_get_function_sqlbody('stormops.behavior_counts_at(timestamptz, text[])'::regprocedure) LIKE '%stormops_citus.behavior_counts_at(behavior_counts_at.as_of, behavior_counts_at.property_ids)%',
          'the function now calls its twin');
SELECT results_eq($$SELECT * FROM stormops.behavior_counts_at('infinity') ORDER BY 1$$,
                  $$SELECT * FROM counts_before ORDER BY 1$$,
                  'and answers as before');

SELECT * FROM finish();
ROLLBACK;
