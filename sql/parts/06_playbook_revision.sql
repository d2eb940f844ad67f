-- Revising a playbook (a code part; 0.2.0's form of 0.1.0's revise_playbook;
-- docs/playbook-reference.md), with its columns from one place (issue 16):
-- the columns the database keeps are one list (playbook_kept_columns);
-- every other column of stormops.playbooks is editable, read from the
-- catalog, and the UPDATE names them from the same list, so a column added
-- to playbooks is revisable without editing this function. The update from
-- 0.1.0 includes this part whole. Failure modes: as before: each key is
-- applied alone, so a bad value is reported at its own JSON path; a kept or
-- unknown column is refused with the editable ones in the hint.

-- The columns the database keeps: not editable, and not what a play does.
CREATE OR REPLACE FUNCTION stormops.playbook_kept_columns()
RETURNS pg_catalog.text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT '{playbook_id,playbook_version,status,created_at,created_by,updated_at,updated_by}'::pg_catalog.text[];
END;

-- Every other column of stormops.playbooks, in table order.
CREATE OR REPLACE FUNCTION stormops.playbook_editable_columns()
RETURNS pg_catalog.text[]
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT pg_catalog.array_agg(a.attname::pg_catalog.text ORDER BY a.attnum)
    FROM pg_catalog.pg_attribute a
   WHERE a.attrelid OPERATOR(pg_catalog.=) 'stormops.playbooks'::pg_catalog.regclass
     AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
     AND NOT (a.attname::pg_catalog.text OPERATOR(pg_catalog.=) ANY (stormops.playbook_kept_columns()));
END;

-- Apply `changes` (column -> new value) to a playbook as a new version.
-- bump: major, minor or patch; by default minor when the targeting rules or
-- the channel strategy change, patch otherwise.
CREATE OR REPLACE FUNCTION stormops.revise_playbook(name pg_catalog.text, changes pg_catalog.jsonb,
                                         bump pg_catalog.text DEFAULT NULL)
RETURNS stormops.playbooks
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  kept constant text[] := stormops.playbook_kept_columns();
  editable constant text[] := stormops.playbook_editable_columns();
  pb stormops.playbooks := stormops.lock_playbook(name);
  k text;
  err_state text;
  err_message text;
  err_detail text;
  err_hint text;
BEGIN
  IF changes IS NULL OR jsonb_typeof(changes) <> 'object' OR changes = '{}' THEN
    RAISE EXCEPTION 'changes must be a non-empty JSON object'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('JSON path: changes; found %s.', coalesce(changes::text, 'NULL')),
            HINT = 'Pass {"column": new value, ...}, e.g. {"budget_allocated": 20000}.';
  END IF;
  IF pb.status = 'Retired' THEN
    RAISE EXCEPTION 'playbook "%" is retired and cannot change', name
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'Column status: Retired is final.',
            HINT = 'Copy it into a new playbook (INSERT ... SELECT with a new playbook_name) to run it again.';
  END IF;

  FOR k IN SELECT jsonb_object_keys(changes) ORDER BY 1 LOOP
    IF k = ANY (kept) THEN
      RAISE EXCEPTION 'revise_playbook cannot change %', k
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = format('JSON path: changes.%s.', k),
              HINT = CASE k WHEN 'status' THEN 'Use activate_playbook, pause_playbook or retire_playbook.'
                            WHEN 'playbook_version' THEN 'The version is bumped for you; choose the part with the bump argument (major, minor, patch).'
                            ELSE 'It is kept by the database.' END;
    END IF;
    IF NOT k = ANY (editable) THEN
      RAISE EXCEPTION 'playbooks has no editable column %', quote_ident(k)
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = format('JSON path: changes.%s.', k),
              HINT = 'Editable columns: ' || array_to_string(editable, ', ') || '.';
    END IF;
    -- One key at a time, so a bad value is reported at its own path.
    BEGIN
      pb := jsonb_populate_record(pb, jsonb_build_object(k, changes -> k));
    EXCEPTION WHEN data_exception OR integrity_constraint_violation THEN
      GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT,
                              err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT;
      -- A validator's "JSON path: physics.min_sii_score; ..." becomes
      -- "JSON path: changes.targeting_rules.physics.min_sii_score; ...".
      err_detail := CASE
        WHEN err_detail LIKE 'JSON path: (top level)%' THEN
          format('JSON path: changes.%s', k) || substr(err_detail, length('JSON path: (top level)') + 1)
        WHEN err_detail LIKE 'JSON path: %' THEN
          format('JSON path: changes.%s.', k) || substr(err_detail, length('JSON path: ') + 1)
        ELSE format('JSON path: changes.%s; found %s.', k, changes -> k)
      END;
      RAISE EXCEPTION '%', err_message
        USING ERRCODE = err_state,
              DETAIL = err_detail,
              HINT = coalesce(nullif(err_hint, ''),
                              'Give a value of the column''s type; see docs/playbook-reference.md.');
    END;
  END LOOP;

  -- every editable column, from the catalog: a column added to playbooks is
  -- revised without touching this function
  EXECUTE format('UPDATE stormops.playbooks p SET (%s) = (%s), playbook_version = $2'
                 ' FROM pg_catalog.jsonb_populate_record(NULL::stormops.playbooks, $1) r'
                 ' WHERE p.playbook_id OPERATOR(pg_catalog.=) $3 RETURNING p.*',
                 (SELECT string_agg(quote_ident(c), ', ' ORDER BY n) FROM unnest(editable) WITH ORDINALITY u(c, n)),
                 (SELECT string_agg('r.' || quote_ident(c), ', ' ORDER BY n) FROM unnest(editable) WITH ORDINALITY u(c, n)))
    USING to_jsonb(pb),
          stormops.semver_bump(pb.playbook_version, coalesce(bump,
            CASE WHEN changes ?| '{targeting_rules,channel_strategy}'::text[] THEN 'minor' ELSE 'patch' END)),
          pb.playbook_id
    INTO pb;
  RETURN pb;
END;
$$;
COMMENT ON FUNCTION stormops.revise_playbook(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text) IS
  'Applies {"column": value, ...} to a playbook as a new semantic version and keeps the previous one in playbook_versions.';
