-- Similarity against the peers a careful user would pick (issue 17, items
-- 2 and 6), serially and with 2 parallel workers, in the same run as
-- similarity.sql and on its data: stormops.top_k (the aggregate, combined
-- across workers); ORDER BY stormops.cosine_to_centroid(...) DESC LIMIT 500
-- (PostgreSQL's top-N heapsort over the same C kernel); pgvector's exact
-- scan (vector(64), <=>, no index) when bench/peers.sh could build it; and
-- the floor, a scan handing every embedding to the cheapest consumer.
\ir setup.sql
SELECT FROM set_config('bench.centroid', (SELECT c::text FROM cen), false);

\if :have_pgvector
CREATE EXTENSION vector;
-- pgvector's own column type, in a table of its own (same rows, same order)
CREATE TABLE public.vec_properties AS
SELECT property_id, embedding::vector(64) AS embedding FROM stormops.properties ORDER BY property_id;
VACUUM ANALYZE public.vec_properties;
\endif

CREATE TEMP TABLE timing (figure text, ord int, ms float8);
DO $$
DECLARE
  runs int := current_setting('bench.runs')::int;
  c text := quote_literal(current_setting('bench.centroid'));
  have_vector bool := EXISTS (SELECT FROM pg_extension WHERE extname = 'vector');
  q text[];
  names text[] := ARRAY['top_k (stormops aggregate)', 'ORDER BY cosine_to_centroid LIMIT 500', 'pgvector exact scan (<=>)', 'floor: read every embedding'];
  w int;
BEGIN
  q := ARRAY[
    format('SELECT count(*) FROM stormops.similar_properties(%s::float8[], 500)', c),
    format('SELECT count(*) FROM (SELECT p.property_id FROM stormops.properties p
             ORDER BY stormops.cosine_to_centroid(p.embedding, %s::float8[]) DESC, p.property_id LIMIT 500) x', c),
    format('SELECT count(*) FROM (SELECT v.property_id FROM public.vec_properties v
             ORDER BY v.embedding OPERATOR(public.<=>) %s::float8[]::float4[]::public.vector LIMIT 500) x', c),
    'SELECT sum(stormops.embedding_checksum(embedding)) FROM stormops.properties'];
  FOREACH w IN ARRAY ARRAY[0, 2] LOOP
    PERFORM set_config('max_parallel_workers_per_gather', w::text, false);
    FOR i IN 1..4 LOOP
      CONTINUE WHEN i = 3 AND NOT have_vector;
      PERFORM pg_temp.elapsed_ms(q[i]);   -- warm
      FOR run IN 1..runs LOOP
        INSERT INTO timing VALUES (format('%s, %s', names[i], CASE w WHEN 0 THEN 'serial' ELSE '2 workers' END),
                                   (CASE w WHEN 0 THEN 0 ELSE 10 END) + i, pg_temp.elapsed_ms(q[i]));
      END LOOP;
    END LOOP;
  END LOOP;
  RESET max_parallel_workers_per_gather;
END $$;

SELECT count(*) AS properties FROM stormops.properties \gset
\echo 'Top 500 of' :properties 'properties by cosine to a 50-property centroid, serial and with 2 parallel workers (median ms)'
SELECT * FROM pg_temp.timing_medians();
\echo 'Ratios (median over median): the peer over top_k, top_k over the floor of the same mode'
SELECT mode,
       pg_temp.timing_ratio(b + 2, b + 1) AS order_by_kernel_over_top_k,
       CASE WHEN EXISTS (SELECT FROM timing WHERE ord = b + 3) THEN pg_temp.timing_ratio(b + 3, b + 1) END AS pgvector_over_top_k,
       pg_temp.timing_ratio(b + 1, b + 4) AS top_k_over_floor
  FROM (VALUES ('serial', 0), ('2 workers', 10)) m(mode, b);

\if :have_pgvector
\echo 'The same 500? (pgvector scores in single precision: the last places may differ)'
SELECT count(*) AS in_both_top_500
  FROM (SELECT property_id FROM stormops.similar_properties((SELECT c FROM cen), 500)) a
  JOIN (SELECT v.property_id FROM public.vec_properties v
         ORDER BY v.embedding OPERATOR(public.<=>) (SELECT c::float4[]::public.vector FROM cen) LIMIT 500) b USING (property_id);
\endif
