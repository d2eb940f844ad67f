-- The measurements of bench/similarity/run.sh (clock_timestamp() in the
-- server; medians).
\ir setup.sql

CREATE TEMP TABLE timing (what text, ms float8);
DO $$
DECLARE
  runs int := current_setting('bench.runs')::int;
  topk text := 'SELECT count(*) FROM stormops.similar_properties((SELECT c FROM cen), 500)';
  plain text := $q$
    SELECT count(*) FROM (
      SELECT p.property_id,
             (SELECT sum(a::float8 * b) FROM unnest(p.embedding, cen.c) AS t(a, b))
             / (sqrt((SELECT sum(a::float8 * a) FROM unnest(p.embedding) AS u(a)))
                * sqrt((SELECT sum(b * b) FROM unnest(cen.c) AS v(b)))) AS similarity
        FROM stormops.properties p, cen
       ORDER BY similarity DESC, p.property_id LIMIT 500) x$q$;
  floor_scan text := 'SELECT sum(stormops.embedding_checksum(embedding)) FROM stormops.properties';
  compiled text := $q$SELECT count(*) FROM stormops.target_properties(
      jsonb_build_object('similarity', jsonb_build_object('enabled', true, 'top_k', 500,
        'reference_property_ids', (SELECT jsonb_agg(property_id) FROM ref))))$q$;
  tracts text := 'SELECT count(*) FROM stormops.similar_tracts((SELECT c FROM cen), 10)';
BEGIN
  PERFORM pg_temp.elapsed_ms(floor_scan);   -- warm the buffers once
  FOR run IN 1..runs LOOP
    INSERT INTO timing SELECT 'top_k', pg_temp.elapsed_ms(topk);
    INSERT INTO timing SELECT 'floor', pg_temp.elapsed_ms(floor_scan);
    INSERT INTO timing SELECT 'compiled', pg_temp.elapsed_ms(compiled);
    INSERT INTO timing SELECT 'tracts', pg_temp.elapsed_ms(tracts);
  END LOOP;
  FOR run IN 1..least(runs, 3) LOOP
    INSERT INTO timing SELECT 'plain', pg_temp.elapsed_ms(plain);
  END LOOP;
END $$;

-- The plain SQL top 500 is the same list.
CREATE TEMP TABLE plain_ids AS
SELECT p.property_id, row_number() OVER () AS n FROM (
  SELECT p.property_id,
         (SELECT sum(a::float8 * b) FROM unnest(p.embedding, cen.c) AS t(a, b))
         / (sqrt((SELECT sum(a::float8 * a) FROM unnest(p.embedding) AS u(a)))
            * sqrt((SELECT sum(b * b) FROM unnest(cen.c) AS v(b)))) AS similarity
    FROM stormops.properties p, cen ORDER BY similarity DESC, p.property_id LIMIT 500) p;

\echo 'Look-alike search over the properties (top 500 of every property by cosine to a 50-property centroid), median ms'
SELECT (SELECT count(*) FROM stormops.properties) AS properties,
       (SELECT array_length(c, 1) FROM cen) AS dimensions,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE what = 'top_k'))::numeric, 1) AS top_k_ms,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE what = 'plain'))::numeric, 1) AS plain_sql_ms,
       round((pg_temp.median(array_agg(ms) FILTER (WHERE what = 'plain'))
            / pg_temp.median(array_agg(ms) FILTER (WHERE what = 'top_k')))::numeric, 1) AS speedup,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE what = 'floor'))::numeric, 1) AS read_bytes_ms,
       round((pg_temp.median(array_agg(ms) FILTER (WHERE what = 'top_k'))
            / pg_temp.median(array_agg(ms) FILTER (WHERE what = 'floor')))::numeric, 2) AS x_floor,
       (SELECT array_agg(property_id ORDER BY n) FROM plain_ids)
         = (SELECT array_agg(property_id) FROM stormops.similar_properties((SELECT c FROM cen), 500)) AS same_500
  FROM timing;
\echo 'End to end: target_properties with similarity top_k 500 (centroid of the 50 references included); tracts: similar_tracts top 10 of 20,000'
SELECT round(pg_temp.median(array_agg(ms) FILTER (WHERE what = 'compiled'))::numeric, 1) AS compiled_lookalike_ms,
       round(pg_temp.median(array_agg(ms) FILTER (WHERE what = 'tracts'))::numeric, 1) AS tracts_ms
  FROM timing;

-- Storage: 100,000 embeddings of 1,024 dimensions (4 kB each) under each
-- column storage; the top_k time over each, and the table's size.
CREATE TEMP TABLE wide_source AS
SELECT 'w' || i AS id, ARRAY(SELECT (random() * 2 - 1)::real FROM generate_series(1, 1024) WHERE i > 0) AS embedding
  FROM generate_series(1, 100000) i;
CREATE TEMP TABLE storage_timing (storage text, ms float8, mb float8);
DO $$
DECLARE
  st text;
  runs int := current_setting('bench.runs')::int;
  centroid float8[] := (SELECT stormops.embedding_avg(embedding) FROM wide_source WHERE id IN ('w1', 'w2', 'w3'));
BEGIN
  FOREACH st IN ARRAY ARRAY['extended', 'main', 'external', 'plain'] LOOP
    EXECUTE format('CREATE TABLE wide_%s (id text, embedding real[])', st);
    EXECUTE format('ALTER TABLE wide_%s ALTER COLUMN embedding SET STORAGE %s', st, st);
    EXECUTE format('INSERT INTO wide_%s SELECT * FROM wide_source', st);
    EXECUTE format('ANALYZE wide_%s', st);
    PERFORM pg_temp.elapsed_ms(format('SELECT count(*) FROM (SELECT unnest(stormops.top_k(id, embedding, %L, 500, ''cosine'', NULL)) FROM wide_%s) x', centroid, st));
    FOR run IN 1..runs LOOP
      INSERT INTO storage_timing SELECT st, pg_temp.elapsed_ms(format(
        'SELECT count(*) FROM (SELECT unnest(stormops.top_k(id, embedding, %L, 500, ''cosine'', NULL)) FROM wide_%s) x', centroid, st)),
        pg_total_relation_size(format('wide_%s', st)::regclass) / 1048576.0;
    END LOOP;
  END LOOP;
END $$;
\echo 'Column storage of 100,000 embeddings of 1,024 dimensions: top_k 500 time (median ms) and size with TOAST'
SELECT storage, round(pg_temp.median(array_agg(ms))::numeric, 1) AS top_k_ms, round(max(mb)::numeric) AS mb
  FROM storage_timing GROUP BY storage ORDER BY top_k_ms;
