-- Exact top-k search (docs/similarity.md): the aggregate stormops.top_k and
-- the searches built on it (a code part; 0.2.0's form of 0.1.0's aggregate,
-- which had no combine function; the update includes this part whole).
--
-- A parallel scan gives each worker a partial state; top_k_serialize and
-- top_k_deserialize carry it to the leader as bytea, and top_k_combine
-- offers one state's items to another, so the result (ties included) is
-- the one a single pass gives (test/pgtap/similarity_parallel.sql).
-- Failure modes: a state's bytes are checked as they are read (a corrupted
-- one is an ERROR, never a wrong answer); a cancel is answered while items
-- are combined or serialized.

CREATE OR REPLACE FUNCTION stormops.top_k_combine(state pg_catalog.internal, other pg_catalog.internal)
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'stormops_top_k_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION stormops.top_k_serialize(state pg_catalog.internal)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'stormops_top_k_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION stormops.top_k_deserialize(bytes pg_catalog.bytea, state pg_catalog.internal)
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'stormops_top_k_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The k rows scoring best against the centroid, best first (ties by
-- item_id); one pass over whatever rows the query feeds it, so every other
-- condition of a query filters before it. metric: 'cosine' or 'l2'
-- (1 / (1 + L2 distance)). Rows not comparable with the centroid are skipped.
CREATE OR REPLACE AGGREGATE stormops.top_k(item_id pg_catalog.text, embedding pg_catalog.float4[],
                                centroid pg_catalog.float8[], k pg_catalog.int4,
                                metric pg_catalog.text, min_score pg_catalog.float8) (
  SFUNC = stormops.top_k_accum,
  STYPE = pg_catalog.internal,
  FINALFUNC = stormops.top_k_final,
  FINALFUNC_MODIFY = READ_WRITE,
  COMBINEFUNC = stormops.top_k_combine,
  SERIALFUNC = stormops.top_k_serialize,
  DESERIALFUNC = stormops.top_k_deserialize,
  PARALLEL = SAFE
);

CREATE OR REPLACE FUNCTION stormops.similar_properties(centroid pg_catalog.float8[], k pg_catalog.int4,
                                            min_similarity pg_catalog.float8 DEFAULT NULL)
RETURNS TABLE (property_id pg_catalog.text, similarity pg_catalog.float8)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT s.item_id, s.score
    FROM pg_catalog.unnest((SELECT stormops.top_k(p.property_id, p.embedding, centroid, k, 'cosine', min_similarity)
                              FROM stormops.properties p)) WITH ORDINALITY AS s(item_id, score, ord)
   ORDER BY s.ord;
END;
COMMENT ON FUNCTION stormops.similar_properties(pg_catalog.float8[], pg_catalog.int4, pg_catalog.float8) IS
  'The k properties whose embedding has the highest cosine similarity to the centroid (ties by property_id).';

CREATE OR REPLACE FUNCTION stormops.similar_tracts(centroid pg_catalog.float8[], k pg_catalog.int4,
                                        min_similarity pg_catalog.float8 DEFAULT NULL)
RETURNS TABLE (tract_geoid pg_catalog.text, similarity pg_catalog.float8)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT s.item_id, s.score
    FROM pg_catalog.unnest((SELECT stormops.top_k(t.tract_geoid, t.embedding, centroid, k, 'l2', min_similarity)
                              FROM stormops.census_tracts t)) WITH ORDINALITY AS s(item_id, score, ord)
   ORDER BY s.ord;
END;
COMMENT ON FUNCTION stormops.similar_tracts(pg_catalog.float8[], pg_catalog.int4, pg_catalog.float8) IS
  'The k census tracts nearest the centroid, as similarity 1 / (1 + L2 distance) (ties by tract_geoid).';
