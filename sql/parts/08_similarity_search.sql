-- Exact top-k similarity search (docs/similarity.md).

CREATE TYPE stormops.scored_item AS (item_id pg_catalog.text, score pg_catalog.float8);

CREATE FUNCTION stormops.top_k_accum(state pg_catalog.internal, item_id pg_catalog.text,
                                     embedding pg_catalog.float4[], centroid pg_catalog.float8[],
                                     k pg_catalog.int4, metric pg_catalog.text, min_score pg_catalog.float8)
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'stormops_top_k_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION stormops.top_k_final(state pg_catalog.internal)
RETURNS stormops.scored_item[]
AS 'MODULE_PATHNAME', 'stormops_top_k_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The k rows scoring best against the centroid, best first (ties by
-- item_id); one pass over whatever rows the query feeds it, so every other
-- condition of a query filters before it. metric: 'cosine' or 'l2'
-- (1 / (1 + L2 distance)). Rows not comparable with the centroid are skipped.
CREATE AGGREGATE stormops.top_k(item_id pg_catalog.text, embedding pg_catalog.float4[],
                                centroid pg_catalog.float8[], k pg_catalog.int4,
                                metric pg_catalog.text, min_score pg_catalog.float8) (
  SFUNC = stormops.top_k_accum,
  STYPE = pg_catalog.internal,
  FINALFUNC = stormops.top_k_final,
  FINALFUNC_MODIFY = READ_WRITE,
  PARALLEL = SAFE
);

CREATE FUNCTION stormops.similar_properties(centroid pg_catalog.float8[], k pg_catalog.int4,
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

CREATE FUNCTION stormops.similar_tracts(centroid pg_catalog.float8[], k pg_catalog.int4,
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

CREATE FUNCTION stormops.embedding_checksum(embedding pg_catalog.float4[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_embedding_checksum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.embedding_checksum(pg_catalog.float4[]) IS
  'The sum of an embedding''s elements (NULL for a malformed one): to compare a load with its source.';
