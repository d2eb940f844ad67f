-- top_k in parallel (issue 17, item 6): a parallel scan splits the rows
-- among workers, each keeps a partial top k, the leader combines them
-- (top_k_serialize / top_k_deserialize / top_k_combine,
-- sql/parts/08_similarity_top_k.sql). The result, order and ties included,
-- must be the one of a serial pass, for both metrics, any k, a minimum
-- score, and workers that see no comparable row.
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(9);

-- 30,000 properties over 40 distinct embeddings: every score is shared by
-- hundreds of properties, so the ties (broken by property_id) decide most
-- places; every 7th has no embedding, every 11th another dimension.
INSERT INTO stormops.properties (property_id, zip, embedding)
SELECT format('p%s', i), '75034',
       CASE WHEN i % 7 = 0 THEN NULL
            WHEN i % 11 = 0 THEN ARRAY[1, 2]::float4[]
            ELSE ARRAY[(i % 40)::float4, ((i * 3) % 40)::float4, 1] END
  FROM generate_series(1, 30000) i;
ANALYZE stormops.properties;

SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;   -- the workers scan, the leader only combines

-- top_k over the properties (those in ids, when given), serially or with 2 workers
CREATE FUNCTION pg_temp.search(metric text, k int, min_score float8, parallel bool, ids text[] DEFAULT NULL)
RETURNS stormops.scored_item[] LANGUAGE plpgsql AS $$
DECLARE
  result stormops.scored_item[];
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', CASE WHEN parallel THEN '2' ELSE '0' END, true);
  SELECT stormops.top_k(p.property_id, p.embedding, ARRAY[3, 1, 2]::float8[], k, metric, min_score)
    INTO result FROM stormops.properties p WHERE ids IS NULL OR p.property_id = ANY (ids);
  RETURN result;
END $$;
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  line text;
  plan text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
    plan := plan || line || ' / ';
  END LOOP;
  RETURN plan;
END $$;

SET LOCAL max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.plan_of($$SELECT stormops.top_k(p.property_id, p.embedding, ARRAY[3, 1, 2]::float8[], 100, 'cosine', NULL)
                                  FROM stormops.properties p$$),
               'Finalize Aggregate.*Workers Launched: [12].*Partial Aggregate',
               'top_k runs as a partial aggregate in parallel workers, finalized in the leader');
SELECT is(cardinality(pg_temp.search('cosine', 100, NULL, true)), 100, 'the parallel search keeps k items');
SELECT is(pg_temp.search('cosine', 100, NULL, true), pg_temp.search('cosine', 100, NULL, false),
          'cosine, k 100: the same items in the same order as a serial pass');
SELECT is(pg_temp.search('cosine', 1, NULL, true), pg_temp.search('cosine', 1, NULL, false), 'k 1');
SELECT is(pg_temp.search('cosine', 30000, NULL, true), pg_temp.search('cosine', 30000, NULL, false),
          'k above the comparable rows: every one of them, in the same order');
SELECT is(cardinality(pg_temp.search('cosine', 30000, NULL, true)),
          (SELECT count(*)::int FROM stormops.properties WHERE cardinality(embedding) = 3),
          '... and they are exactly the rows of the centroid''s dimension');
SELECT is(pg_temp.search('l2', 500, NULL, true), pg_temp.search('l2', 500, NULL, false), 'l2, k 500');
SELECT is(pg_temp.search('cosine', 20000, 0.99, true), pg_temp.search('cosine', 20000, 0.99, false),
          'a minimum score');
SELECT is(pg_temp.search('cosine', 10, NULL, true, '{p1,p2,p7,p22}'), pg_temp.search('cosine', 10, NULL, false, '{p1,p2,p7,p22}'),
          'a filter that leaves a worker no comparable row');

SELECT * FROM finish();
ROLLBACK;
