-- Targeting: vector functions, polygon containment, the compiler and the
-- functions that run what it compiles (docs/targeting.md).

CREATE FUNCTION stormops.cosine_similarity(a pg_catalog.float4[], b pg_catalog.float4[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_cosine_similarity'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION stormops.cosine_similarity(pg_catalog.float4[], pg_catalog.float4[]) IS
  'Cosine similarity of two embeddings of one dimension; NULL when either is all zeros.';

CREATE FUNCTION stormops.l2_distance(a pg_catalog.float4[], b pg_catalog.float4[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_l2_distance'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;
COMMENT ON FUNCTION stormops.l2_distance(pg_catalog.float4[], pg_catalog.float4[]) IS
  'Euclidean distance of two embeddings of one dimension.';

-- Against a double precision centroid (what embedding_avg returns), so the
-- mean of the references is never rounded to real before it is compared.
-- (Names of their own: overloads of cosine_similarity would make a call with
-- two array literals ambiguous.)
CREATE FUNCTION stormops.cosine_to_centroid(a pg_catalog.float4[], centroid pg_catalog.float8[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_cosine_to_centroid'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;

CREATE FUNCTION stormops.l2_to_centroid(a pg_catalog.float4[], centroid pg_catalog.float8[])
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_l2_to_centroid'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 50;

CREATE FUNCTION stormops.embedding_avg_accum(state pg_catalog.internal, embedding pg_catalog.float4[])
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'stormops_embedding_avg_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION stormops.embedding_avg_final(state pg_catalog.internal)
RETURNS pg_catalog.float8[]
AS 'MODULE_PATHNAME', 'stormops_embedding_avg_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE stormops.embedding_avg(pg_catalog.float4[]) (
  SFUNC = stormops.embedding_avg_accum,
  STYPE = pg_catalog.internal,
  FINALFUNC = stormops.embedding_avg_final
);
COMMENT ON AGGREGATE stormops.embedding_avg(pg_catalog.float4[]) IS
  'Element-wise mean (centroid) of embeddings of one dimension, in double precision; NULL embeddings are skipped.';

-- The centroid of a similarity section's references; an error when no
-- reference has an embedding (targeting.md). VOLATILE on purpose: the CTE that
-- calls it is then computed once, never inlined.
CREATE FUNCTION stormops.reference_centroid(centroid pg_catalog.float8[], json_path pg_catalog.text)
RETURNS pg_catalog.float8[]
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF centroid IS NULL THEN
    RAISE EXCEPTION 'no reference of the similarity section has an embedding'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('JSON path: %s.', json_path),
            HINT = CASE json_path
                     WHEN 'similarity.reference_tract_ids' THEN 'Name census tracts whose embedding is set.'
                     ELSE 'Name properties (or cohorts of properties) whose embedding is set.'
                   END;
  END IF;
  RETURN centroid;
END;
$$;

CREATE FUNCTION stormops.polygon_contains(geometry pg_catalog.jsonb, lon pg_catalog.float8, lat pg_catalog.float8)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'stormops_polygon_contains'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION stormops.polygon_contains(pg_catalog.jsonb, pg_catalog.float8, pg_catalog.float8) IS
  'Whether (lon, lat) lies in a GeoJSON Polygon or MultiPolygon: even-odd rule, edges inside.';

CREATE FUNCTION stormops.compile_targeting(rules pg_catalog.jsonb,
                                           event_id pg_catalog.text DEFAULT NULL,
                                           as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'stormops_compile_targeting'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.compile_targeting(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz) IS
  'The one read-only SELECT that targets what the rules say: (property_id, rank, similarity, sii_score, uplift_score).';

CREATE FUNCTION stormops.compile_targeting_funnel(rules pg_catalog.jsonb,
                                                  event_id pg_catalog.text DEFAULT NULL,
                                                  as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'stormops_compile_targeting_funnel'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION stormops.target_properties(rules pg_catalog.jsonb,
                                           event_id pg_catalog.text DEFAULT NULL,
                                           as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (property_id pg_catalog.text, rank pg_catalog.int4, similarity pg_catalog.float8,
               sii_score pg_catalog.numeric, uplift_score pg_catalog.float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN QUERY EXECUTE stormops.compile_targeting(rules, event_id, as_of);
END;
$$;
COMMENT ON FUNCTION stormops.target_properties(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz) IS
  'Runs compile_targeting(rules, event_id, as_of): the targeted properties in rank order.';

CREATE FUNCTION stormops.playbook_targets(playbook_name pg_catalog.text,
                                          event_id pg_catalog.text DEFAULT NULL,
                                          as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (property_id pg_catalog.text, rank pg_catalog.int4, similarity pg_catalog.float8,
               sii_score pg_catalog.numeric, uplift_score pg_catalog.float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  rules jsonb;
BEGIN
  SELECT pb.targeting_rules INTO rules FROM stormops.playbooks pb WHERE pb.playbook_name = playbook_targets.playbook_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'playbook "%" does not exist', playbook_targets.playbook_name
      USING ERRCODE = 'undefined_object',
            HINT = 'List playbooks with: SELECT playbook_name, status FROM stormops.playbooks;';
  END IF;
  RETURN QUERY SELECT * FROM stormops.target_properties(rules, event_id, as_of);
END;
$$;
COMMENT ON FUNCTION stormops.playbook_targets(pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz) IS
  'target_properties for the targeting rules of a playbook, by name.';

CREATE FUNCTION stormops.targeting_funnel(rules pg_catalog.jsonb,
                                          event_id pg_catalog.text DEFAULT NULL,
                                          as_of pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (step pg_catalog.int4, section pg_catalog.text, condition pg_catalog.text,
               remaining pg_catalog.int8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN QUERY EXECUTE stormops.compile_targeting_funnel(rules, event_id, as_of);
END;
$$;
COMMENT ON FUNCTION stormops.targeting_funnel(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz) IS
  'How many properties remain after each condition of the rules, in the documented order.';
