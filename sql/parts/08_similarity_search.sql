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

-- The aggregate stormops.top_k and the searches built on it are in
-- 08_similarity_top_k.sql (0.2.0 gave the aggregate a parallel form).

CREATE FUNCTION stormops.embedding_checksum(embedding pg_catalog.float4[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_embedding_checksum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.embedding_checksum(pg_catalog.float4[]) IS
  'The sum of an embedding''s elements (NULL for a malformed one): to compare a load with its source.';
