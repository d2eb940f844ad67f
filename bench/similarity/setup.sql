-- Shared by bench/similarity's scripts: the session's settings, the timing
-- helpers, and the look-alike centroid of 50 reference properties (temp
-- tables ref and cen).
SET client_min_messages = warning;
\pset footer off
SELECT FROM set_config('bench.runs', :'runs', false);
\ir ../timing.sql
CREATE TEMP TABLE ref AS SELECT 'p' || lpad((i * 10)::text, 7, '0') AS property_id FROM generate_series(1, 50) i;
CREATE TEMP TABLE cen AS
SELECT stormops.embedding_avg(p.embedding) AS c FROM stormops.properties p JOIN ref USING (property_id);
