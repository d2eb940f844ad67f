-- The diffusion graph over the generated market (bench/diffusion/run.sh).
\ir ../timing.sql
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SELECT FROM setseed(0.15);
-- referrals: past customers to properties within a few hundred metres or anywhere
INSERT INTO stormops.referrals (referrer_property_id, referred_property_id, referred_at)
SELECT DISTINCT ON (a.property_id, b.property_id) a.property_id, b.property_id, '2019-01-01 00:00+00'
  FROM (SELECT property_id, row_number() OVER (ORDER BY md5(property_id)) AS k
          FROM stormops.properties WHERE is_past_customer LIMIT 20000) a
  JOIN (SELECT property_id, row_number() OVER (ORDER BY md5(property_id || 'r')) AS k
          FROM stormops.properties LIMIT 20000) b USING (k)
 WHERE a.property_id <> b.property_id;
ANALYZE;
CREATE TEMP TABLE timing (figure text, ord int, ms float8);
SELECT format('refresh_neighbors, first build: %s properties, k 8, 250 m (the search, the reverse lists, writing every list)',
              to_char((SELECT count(*) FROM stormops.properties), 'FM9,999,999')) AS build_figure \gset

-- 1. the first build, from an empty table (emptied and checkpointed between runs, not timed)

SELECT 'TRUNCATE stormops.neighbor_lists', 'CHECKPOINT',
       format('INSERT INTO timing SELECT %L, 1, pg_temp.elapsed_ms(%L)', :'build_figure', 'SELECT stormops.refresh_neighbors()')
  FROM generate_series(1, :runs) \gexec
SELECT neighbor_rows, lists_inserted FROM stormops.refresh_neighbors();
-- 2. a nightly refresh with nothing changed (search and compare, no write)
INSERT INTO timing SELECT 'refresh_neighbors, nothing changed (search, compare, no write)', 2,
       pg_temp.elapsed_ms('SELECT stormops.refresh_neighbors()') FROM generate_series(1, :runs);
-- 3. PageRank, reading the stored graph
INSERT INTO timing SELECT 'diffusion_scores: PageRank over the stored graph (read, build, iterate, rank), not written', 3,
       pg_temp.elapsed_ms('SELECT count(*), sum(diffusion_score) FROM stormops.diffusion_scores(''2019-03-27 12:00-05'')')
  FROM generate_series(1, :runs);
-- 4. the nightly job: refresh, scores written (the first writes every score, later ones what changed)
SELECT stormops.refresh_diffusion('2019-03-27 12:00-05') IS NOT NULL AS first_refresh;
VACUUM stormops.property_scores;
INSERT INTO timing SELECT 'refresh_diffusion, the nightly job with nothing changed', 4,
       pg_temp.elapsed_ms('SELECT stormops.refresh_diffusion(''2019-03-27 12:00-05'')') FROM generate_series(1, :runs);

-- 5. the peer: the same pairs by a plain SQL lateral nearest-neighbour query
CREATE TABLE peer_sample AS
SELECT property_id FROM stormops.properties WHERE lat IS NOT NULL ORDER BY md5(property_id) LIMIT :sample;
CREATE TABLE peer_pairs (property_id text, neighbor_id text, distance_m float8, PRIMARY KEY (property_id, neighbor_id));
-- 250 m is 0.00225 degrees of latitude (with a margin); of longitude 0.00225 / cos(latitude)
SELECT $$INSERT INTO peer_pairs
SELECT p.property_id, n.property_id, n.distance_m
  FROM peer_sample s JOIN stormops.properties p USING (property_id)
  CROSS JOIN LATERAL (
    SELECT q.property_id, stormops.haversine_km(p.lat, p.lon, q.lat, q.lon) * 1000.0::float8 AS distance_m
      FROM stormops.properties q
     WHERE q.lat BETWEEN p.lat - 0.00225 AND p.lat + 0.00225
       AND q.lon BETWEEN p.lon - 0.00225 / cos(radians(p.lat)) AND p.lon + 0.00225 / cos(radians(p.lat))
       AND q.property_id <> p.property_id
       AND stormops.haversine_km(p.lat, p.lon, q.lat, q.lon) * 1000.0::float8 <= 250
     ORDER BY 2, q.property_id COLLATE "C"
     LIMIT 8) n$$ AS peer \gset
SELECT pg_temp.elapsed_ms(:'peer') IS NOT NULL AS peer_warm_up;
SELECT (SELECT count(*) FROM (SELECT * FROM peer_pairs EXCEPT
          SELECT n.property_id, n.neighbor_id, n.distance_m FROM stormops.property_neighbors n JOIN peer_sample USING (property_id)) x)
     + (SELECT count(*) FROM (SELECT n.property_id, n.neighbor_id, n.distance_m FROM stormops.property_neighbors n
                               JOIN peer_sample USING (property_id) EXCEPT SELECT * FROM peer_pairs) y) AS peer_pairs_differing,
       (SELECT count(*) FROM peer_pairs) AS peer_pairs;
SELECT format('the peer: lateral nearest-neighbour SQL inserting the pairs, %s properties, scaled x %s',
              to_char(:sample, 'FM9,999,999'),
              round((SELECT count(*) FROM stormops.properties WHERE lat IS NOT NULL)::numeric / :sample, 2)) AS peer_figure,
       (SELECT count(*) FROM stormops.properties WHERE lat IS NOT NULL)::float8 / :sample AS peer_scale \gset
INSERT INTO timing SELECT :'peer_figure', 5, pg_temp.elapsed_ms('TRUNCATE peer_pairs; ' || :'peer') * :peer_scale
  FROM generate_series(1, :runs);

SELECT * FROM pg_temp.timing_medians();
SELECT pg_temp.timing_ratio(5, 1) AS peer_over_build,
       round((SELECT pg_temp.median(array_agg(ms)) FROM timing WHERE ord = 1)::numeric / 1000, 1) AS build_s,
       round((SELECT pg_temp.median(array_agg(ms)) FROM timing WHERE ord = 3)::numeric / 1000, 1) AS pagerank_s;
SELECT seeds, referrals, neighbor_rows FROM stormops.diffusion_runs ORDER BY run_id DESC LIMIT 1;
