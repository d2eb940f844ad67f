-- Vector functions over real[] embeddings: results, and every refusal.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS stormops;
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT stormops.cosine_similarity('{1,0}', '{1,0}') AS same,
       stormops.cosine_similarity('{1,0}', '{0,1}') AS orthogonal,
       stormops.cosine_similarity('{1,0}', '{-2,0}') AS opposite,
       round(stormops.cosine_similarity('{1,2,3}', '{3,2,1}')::numeric, 12) AS some_angle;
-- a zero vector has no direction: NULL, not an error
SELECT stormops.cosine_similarity('{0,0}', '{1,0}') IS NULL AS zero_first,
       stormops.cosine_similarity('{1,0}', '{0,0}') IS NULL AS zero_second;
SELECT stormops.l2_distance('{0,0}', '{3,4}') AS five, stormops.l2_distance('{1,1}', '{1,1}') AS zero;
-- against a double precision centroid
SELECT stormops.cosine_to_centroid('{1,0}', '{0.5,0.5}') = 1 / sqrt(2::float8) AS exact_centroid,
       stormops.l2_to_centroid('{0,0}', '{3,4}') = 5 AS exact_l2;
-- the centroid is the mean, in double precision; NULL embeddings are skipped
SELECT stormops.embedding_avg(e) FROM (VALUES ('{1,0,2}'::real[]), ('{0,3,3}'), ('{3,3,1}'), (NULL)) v(e);
SELECT stormops.embedding_avg(e) IS NULL AS no_rows FROM (VALUES (NULL::real[])) v(e);
SELECT stormops.embedding_checksum('{1,2,3.5}');

-- Refusals
SELECT stormops.cosine_similarity('{1,0}', '{1,0,0}');
SELECT stormops.l2_distance('{1,0}', '{1}');
SELECT stormops.cosine_similarity('{1,NULL}', '{1,0}');
SELECT stormops.cosine_similarity('{1,0}', '{NaN,0}');
SELECT stormops.l2_distance('{Infinity,0}', '{1,0}');
SELECT stormops.cosine_similarity('{{1,0},{0,1}}', '{1,0,0,1}');
SELECT stormops.cosine_similarity('{}', '{}');
SELECT stormops.cosine_to_centroid('{1,0}', '{NaN,0}');
SELECT stormops.embedding_avg(e) FROM (VALUES ('{1,0}'::real[]), ('{1,0,0}')) v(e);

-- top_k: the k best, ties by id; what it cannot compare is skipped
SELECT (s).item_id, round((s).score::numeric, 6) AS score
  FROM (SELECT unnest(stormops.top_k(id, e, '{1,0}', 3, 'cosine', NULL)) s
          FROM (VALUES ('d', '{1,0}'::real[]), ('c', '{1,0}'), ('b', '{0,1}'), ('a', '{2,0}'),
                       ('zero', '{0,0}'), ('wide', '{1,0,0}'), ('none', NULL)) v(id, e)) x;
SELECT (s).item_id, round((s).score::numeric, 6) AS score
  FROM (SELECT unnest(stormops.top_k(id, e, '{0,0}', 5, 'l2', 0.2)) s
          FROM (VALUES ('near', '{0.1,0}'::real[]), ('far', '{9,9}'), ('mid', '{1,1}')) v(id, e)) x;
SELECT stormops.top_k(id, e, '{1,0}', 3, 'cosine', NULL) FROM (VALUES ('a', '{1,0}'::real[])) v(id, e) WHERE false;
SELECT stormops.top_k(id, e, '{1,0}', 0, 'cosine', NULL) FROM (VALUES ('a', '{1,0}'::real[])) v(id, e);
SELECT stormops.top_k(id, e, '{1,0}', 3, 'dot', NULL) FROM (VALUES ('a', '{1,0}'::real[])) v(id, e);
SELECT stormops.top_k(id, e, NULL, 3, 'cosine', NULL) FROM (VALUES ('a', '{1,0}'::real[])) v(id, e);
SELECT stormops.top_k(id, e, '{NaN,0}', 3, 'cosine', NULL) FROM (VALUES ('a', '{1,0}'::real[])) v(id, e);

-- PostgreSQL may call the final function again on the same state (a hash
-- aggregate re-scanned under a subquery): every call gives the same list
CREATE TEMP TABLE ties AS
  SELECT i % 2 AS g, 'id' || lpad(i::text, 3, '0') AS id, ARRAY[1, i]::real[] AS e FROM generate_series(1, 40) i;
SET enable_sort = off;
SELECT o.i, (SELECT array_agg(u.item_id ORDER BY s.g, u.ord)
               FROM (SELECT g, stormops.top_k(id, e, '{1,0}', 3, 'cosine', NULL) x FROM ties GROUP BY g) s,
                    unnest(s.x) WITH ORDINALITY u(item_id, score, ord)
              WHERE cardinality(s.x) > o.i - o.i) AS top3_per_group
  FROM generate_series(1, 3) o(i);
RESET enable_sort;
-- finite inputs whose squares overflow: refused by the functions, skipped by top_k
SELECT stormops.cosine_to_centroid('{3e38,1}', '{1e300,1e300}');
SELECT (s).item_id, (s).score
  FROM (SELECT unnest(stormops.top_k(id, e, '{1e300,-1e300}', 2, 'cosine', NULL)) s
          FROM (VALUES ('a', '{1,0}'::real[]), ('b', '{3e38,1}')) v(id, e)) x;
SELECT stormops.top_k(id, e, '{1,0}', 3, 'cosine', 'NaN') FROM (VALUES ('a', '{1,0}'::real[])) v(id, e);

DROP EXTENSION stormops;
