-- Variants and the bandit's arithmetic (adaptive.md, docs/variants.md): the
-- functions of src/pg/bandit_functions.c, the sticky draw of an A/B/n test,
-- and the check that a playbook's steps name variants it has. A code part.

-- The setting stormops.random_seed (superusers set it, docs/security.md).
CREATE OR REPLACE FUNCTION stormops.random_seed()
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'stormops_random_seed'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.random_seed() IS
  'The setting stormops.random_seed (default 0): the seed of the bandit''s draws; the same seed gives the same choices.';

CREATE OR REPLACE FUNCTION stormops.prob_b_beats_a(alpha_a pg_catalog.float8, beta_a pg_catalog.float8,
                                                  alpha_b pg_catalog.float8, beta_b pg_catalog.float8)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_prob_b_beats_a'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.prob_b_beats_a(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.float8) IS
  'P(B > A) for A ~ Beta(alpha_a, beta_a), B ~ Beta(alpha_b, beta_b): Evan Miller''s closed form, exact in double precision (alpha_a or alpha_b whole).';

CREATE OR REPLACE FUNCTION stormops.wilson_interval(successes pg_catalog.int8, trials pg_catalog.int8,
                                                   OUT low pg_catalog.float8, OUT high pg_catalog.float8)
RETURNS record
AS 'MODULE_PATHNAME', 'stormops_wilson_interval'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.wilson_interval(pg_catalog.int8, pg_catalog.int8) IS
  'The 95% Wilson score interval of a rate: successes in trials (NULLs without trials).';

CREATE OR REPLACE FUNCTION stormops.arm_prob_best(contacts pg_catalog.int8[], rewards pg_catalog.int8[],
                                                 seed pg_catalog.int8, stream pg_catalog.int8)
RETURNS pg_catalog.float8[]
AS 'MODULE_PATHNAME', 'stormops_arm_prob_best'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.arm_prob_best(pg_catalog.int8[], pg_catalog.int8[], pg_catalog.int8, pg_catalog.int8) IS
  'P(each arm is the best) under Beta(1 + rewards, 1 + contacts - rewards): exact for 2 arms, 20,000 seeded draws of (seed, stream) for more.';

CREATE OR REPLACE FUNCTION stormops.greedy_arm(contacts pg_catalog.int8[], rewards pg_catalog.int8[])
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'stormops_greedy_arm'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.greedy_arm(pg_catalog.int8[], pg_catalog.int8[]) IS
  'The arm (1-based) with the highest rewards / contacts, ties to the earlier; NULL while an arm has no contact.';

CREATE OR REPLACE FUNCTION stormops.epsilon_greedy_arm(arms pg_catalog.int4, greedy pg_catalog.int4,
                                                      epsilon pg_catalog.float8, seed pg_catalog.int8,
                                                      contact_id pg_catalog.int8)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'stormops_epsilon_greedy_arm'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.epsilon_greedy_arm(pg_catalog.int4, pg_catalog.int4, pg_catalog.float8, pg_catalog.int8, pg_catalog.int8) IS
  'An epsilon-greedy choice (1-based) among `arms` from the draws of (seed, contact_id): uniform with probability epsilon or while greedy is NULL, else greedy.';

CREATE OR REPLACE FUNCTION stormops.epsilon_greedy_propensity(arms pg_catalog.int4, greedy pg_catalog.int4,
                                                             epsilon pg_catalog.float8, arm pg_catalog.int4)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'stormops_epsilon_greedy_propensity'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION stormops.epsilon_greedy_propensity(pg_catalog.int4, pg_catalog.int4, pg_catalog.float8, pg_catalog.int4) IS
  'The probability epsilon-greedy gives `arm`: 1 - epsilon + epsilon/arms for the greedy arm, epsilon/arms for another, 1/arms without a greedy arm.';

CREATE OR REPLACE FUNCTION stormops.thompson_arm(contacts pg_catalog.int8[], rewards pg_catalog.int8[],
                                                seed pg_catalog.int8, contact_id pg_catalog.int8)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'stormops_thompson_arm'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION stormops.thompson_arm(pg_catalog.int8[], pg_catalog.int8[], pg_catalog.int8, pg_catalog.int8) IS
  'A Thompson choice (1-based): the largest of one Beta(1 + rewards, 1 + failures) draw per arm, from the draws of (seed, contact_id).';

-- The sticky draw of an A/B/n test: a uniform number in [0, 1) from a
-- salted hash of (playbook, property, step), the same on every run, storm
-- and machine (md5, like holdout_draw, and with its own salt so the two
-- draws are independent). Arm floor(draw * arms) + 1.
CREATE OR REPLACE FUNCTION stormops.arm_draw(playbook_id pg_catalog.uuid, property_id pg_catalog.text,
                                            step pg_catalog.int4)
RETURNS pg_catalog.float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT (('x'::pg_catalog.text OPERATOR(pg_catalog.||) pg_catalog.substr(pg_catalog.md5(pg_catalog.concat(
            'stormops.arm:', playbook_id, ':', property_id, ':', step)), 1, 13)))::pg_catalog.bit(52)::pg_catalog.int8::pg_catalog.float8
         OPERATOR(pg_catalog./) 4503599627370496.0::pg_catalog.float8;
END;
COMMENT ON FUNCTION stormops.arm_draw(pg_catalog.uuid, pg_catalog.text, pg_catalog.int4) IS
  'Sticky draw in [0, 1) of a property for a playbook''s step: an A/B/n test gives it arm floor(draw * arms) + 1 in every execution.';

-- Every variant a step names must be a key of the playbook's
-- message_variants, when that column is set: checked on every write, with
-- the JSON path of the first one missing (nothing is written).
CREATE OR REPLACE FUNCTION stormops.playbooks_check_variants()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  missing record;
  known text;
BEGIN
  IF NEW.message_variants IS NULL OR NEW.channel_strategy IS NULL THEN
    RETURN NEW;
  END IF;
  SELECT format('sequence[%s].message_variant%s', s.i - 1,
                CASE WHEN jsonb_typeof(s.st -> 'message_variant') = 'array' THEN format('[%s]', v.j - 1) ELSE '' END) AS path,
         v.name
    INTO missing
    FROM jsonb_array_elements(NEW.channel_strategy -> 'sequence') WITH ORDINALITY AS s(st, i)
   CROSS JOIN LATERAL jsonb_array_elements_text(
           CASE jsonb_typeof(s.st -> 'message_variant')
             WHEN 'array' THEN s.st -> 'message_variant'
             WHEN 'string' THEN jsonb_build_array(s.st -> 'message_variant')
             ELSE '[]'::jsonb END) WITH ORDINALITY AS v(name, j)
   WHERE NOT NEW.message_variants ? v.name
   ORDER BY s.i, v.j
   LIMIT 1;
  IF FOUND THEN
    SELECT string_agg(k, ', ' ORDER BY k) INTO known FROM jsonb_object_keys(NEW.message_variants) AS k;
    RAISE EXCEPTION 'invalid channel_strategy at %: unknown message variant', missing.path
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('JSON path: %s; found: %s. Playbook "%s" has no such key in message_variants.',
                            missing.path, to_jsonb(missing.name), NEW.playbook_name),
            HINT = format('Expected a key of message_variants (%s), or add the variant''s script there.',
                          coalesce(known, 'none'));
  END IF;
  RETURN NEW;
END;
$$;
COMMENT ON FUNCTION stormops.playbooks_check_variants() IS
  'Trigger: every message variant a step names is a key of the playbook''s message_variants, when that is set.';

CREATE OR REPLACE TRIGGER playbooks_check_variants
  BEFORE INSERT OR UPDATE OF channel_strategy, message_variants ON stormops.playbooks
  FOR EACH ROW EXECUTE FUNCTION stormops.playbooks_check_variants();
