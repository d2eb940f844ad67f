-- 1,000,000 (:n) properties with 64-dimension embeddings in 40 clusters, and
-- 20,000 tracts; deterministic.
SET client_min_messages = warning;
CREATE EXTENSION stormops;
SELECT FROM setseed(0.64);
CREATE TEMP TABLE cluster_centres AS
SELECT c, ARRAY(SELECT (random() * 2 - 1)::float8 FROM generate_series(1, 64) WHERE c >= 0) AS centre
  FROM generate_series(0, 39) c;
INSERT INTO stormops.properties (property_id, zip, embedding)
SELECT 'p' || lpad(i::text, 7, '0'), '75034',
       ARRAY(SELECT (cc.centre[j] + (random() - 0.5) * 0.6)::real FROM generate_series(1, 64) j WHERE i > 0)
  FROM generate_series(1, :n) i
  JOIN cluster_centres cc ON cc.c = i % 40;
INSERT INTO stormops.census_tracts (tract_geoid, embedding)
SELECT '48' || lpad(i::text, 9, '0'),
       ARRAY(SELECT (cc.centre[j] + (random() - 0.5) * 0.6)::real FROM generate_series(1, 64) j WHERE i > 0)
  FROM generate_series(1, 20000) i
  JOIN cluster_centres cc ON cc.c = i % 40;
VACUUM ANALYZE stormops.properties;
VACUUM ANALYZE stormops.census_tracts;
