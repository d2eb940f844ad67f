-- Hostile objects planted in public before CREATE EXTENSION, with public
-- searched before pg_catalog, are never called by the extension's install
-- script, its triggers, checks or functions. Every trap logs its call.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS stormops;
CREATE TABLE public.hostile_calls (trap text);

CREATE FUNCTION public.trap(name text) RETURNS void
LANGUAGE sql AS $$ INSERT INTO public.hostile_calls VALUES (name) $$;

-- Functions with the exact signatures the extension uses.
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('now()'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION public.gen_random_uuid() RETURNS uuid LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('gen_random_uuid()'); RETURN pg_catalog.gen_random_uuid(); END $$;
CREATE FUNCTION public.to_jsonb(anyelement) RETURNS jsonb LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('to_jsonb()'); RETURN pg_catalog.to_jsonb($1); END $$;
CREATE FUNCTION public.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('jsonb_typeof()'); RETURN pg_catalog.jsonb_typeof($1); END $$;
CREATE FUNCTION public.jsonb_object_keys(jsonb) RETURNS SETOF text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('jsonb_object_keys()'); RETURN QUERY SELECT pg_catalog.jsonb_object_keys($1); END $$;
CREATE FUNCTION public.jsonb_populate_record(anyelement, jsonb) RETURNS anyelement LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('jsonb_populate_record()'); RETURN pg_catalog.jsonb_populate_record($1, $2); END $$;
CREATE FUNCTION public.jsonb_array_elements(jsonb) RETURNS SETOF jsonb LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('jsonb_array_elements()'); RETURN QUERY SELECT pg_catalog.jsonb_array_elements($1); END $$;
CREATE FUNCTION public.quote_literal(text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('quote_literal()'); RETURN pg_catalog.quote_literal($1); END $$;
CREATE FUNCTION public.array_to_string(anyarray, text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('array_to_string()'); RETURN pg_catalog.array_to_string($1, $2); END $$;
CREATE FUNCTION public.left(text, integer) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('left()'); RETURN pg_catalog.left($1, $2); END $$;
CREATE FUNCTION public.ltrim(text, text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('ltrim()'); RETURN pg_catalog.ltrim($1, $2); END $$;
CREATE FUNCTION public.string_to_array(text, text) RETURNS text[] LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('string_to_array()'); RETURN pg_catalog.string_to_array($1, $2); END $$;
CREATE FUNCTION public.array_ndims(anyarray) RETURNS integer LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('array_ndims()'); RETURN pg_catalog.array_ndims($1); END $$;
CREATE FUNCTION public.pg_extension_config_dump(regclass, text) RETURNS void LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('pg_extension_config_dump()'); END $$;
CREATE FUNCTION public.evil_sum_step(numeric, numeric) RETURNS numeric LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('sum(numeric)'); RETURN pg_catalog.numeric_add(coalesce($1, 0), $2); END $$;
CREATE AGGREGATE public.sum(numeric) (SFUNC = public.evil_sum_step, STYPE = numeric);

-- Operators with exact operand types, which beat pg_catalog's when public comes first.
CREATE FUNCTION public.evil_op(name text, result boolean) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap(name); RETURN result; END $$;
CREATE FUNCTION public.evil_text_eq(text, text) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('text = text', pg_catalog.texteq($1, $2)) $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.evil_text_eq);
CREATE FUNCTION public.evil_text_ne(text, text) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('text <> text', pg_catalog.textne($1, $2)) $$;
CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.evil_text_ne);
CREATE FUNCTION public.evil_regex(text, text) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('text ~ text', pg_catalog.textregexeq($1, $2)) $$;
CREATE OPERATOR public.~ (LEFTARG = text, RIGHTARG = text, FUNCTION = public.evil_regex);
CREATE FUNCTION public.evil_f8_ge_i4(float8, integer) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('float8 >= int4', pg_catalog.float8ge($1, $2::float8)) $$;
CREATE OPERATOR public.>= (LEFTARG = float8, RIGHTARG = integer, FUNCTION = public.evil_f8_ge_i4);
CREATE FUNCTION public.evil_num_ge_i4(numeric, integer) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('numeric >= int4', pg_catalog.numeric_ge($1, $2::numeric)) $$;
CREATE OPERATOR public.>= (LEFTARG = numeric, RIGHTARG = integer, FUNCTION = public.evil_num_ge_i4);
CREATE FUNCTION public.evil_i4_ge(integer, integer) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('int4 >= int4', pg_catalog.int4ge($1, $2)) $$;
CREATE OPERATOR public.>= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.evil_i4_ge);
CREATE FUNCTION public.evil_jsonb_field(jsonb, text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('jsonb ->> text'); RETURN pg_catalog.jsonb_object_field_text($1, $2); END $$;
CREATE OPERATOR public.->> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = public.evil_jsonb_field);
CREATE FUNCTION public.evil_jsonb_minus(jsonb, text[]) RETURNS jsonb LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('jsonb - text[]'); RETURN pg_catalog.jsonb_delete($1, VARIADIC $2); END $$;
CREATE OPERATOR public.- (LEFTARG = jsonb, RIGHTARG = text[], FUNCTION = public.evil_jsonb_minus);
CREATE FUNCTION public.evil_real_overlap(real[], real[]) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('real[] && real[]', pg_catalog.arrayoverlap($1, $2)) $$;
CREATE OPERATOR public.&& (LEFTARG = real[], RIGHTARG = real[], FUNCTION = public.evil_real_overlap);

-- What compiled targeting statements use.
CREATE FUNCTION public.array_length(anyarray, integer) RETURNS integer LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('array_length()'); RETURN pg_catalog.array_length($1, $2); END $$;
CREATE FUNCTION public.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('unnest()'); RETURN QUERY SELECT pg_catalog.unnest($1); END $$;
CREATE FUNCTION public.evil_max_step(numeric, numeric) RETURNS numeric LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('max(numeric)'); RETURN pg_catalog.numeric_larger($1, $2); END $$;
CREATE AGGREGATE public.max(numeric) (SFUNC = public.evil_max_step, STYPE = numeric);
CREATE FUNCTION public.evil_f8_ge(float8, float8) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('float8 >= float8', pg_catalog.float8ge($1, $2)) $$;
CREATE OPERATOR public.>= (LEFTARG = float8, RIGHTARG = float8, FUNCTION = public.evil_f8_ge);
CREATE FUNCTION public.evil_num_ge(numeric, numeric) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('numeric >= numeric', pg_catalog.numeric_ge($1, $2)) $$;
CREATE OPERATOR public.>= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.evil_num_ge);
CREATE FUNCTION public.evil_num_le(numeric, numeric) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('numeric <= numeric', pg_catalog.numeric_le($1, $2)) $$;
CREATE OPERATOR public.<= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.evil_num_le);
CREATE FUNCTION public.evil_i8_le(int8, int8) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('int8 <= int8', pg_catalog.int8le($1, $2)) $$;
CREATE OPERATOR public.<= (LEFTARG = int8, RIGHTARG = int8, FUNCTION = public.evil_i8_le);
CREATE FUNCTION public.evil_ts_lt(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql AS
  $$ SELECT public.evil_op('timestamptz < timestamptz', pg_catalog.timestamptz_lt($1, $2)) $$;
CREATE OPERATOR public.< (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.evil_ts_lt);
CREATE FUNCTION public.evil_ts_minus(timestamptz, interval) RETURNS timestamptz LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('timestamptz - interval'); RETURN pg_catalog.timestamptz_mi_interval($1, $2); END $$;
CREATE OPERATOR public.- (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = public.evil_ts_minus);
CREATE FUNCTION public.evil_f8_div(float8, float8) RETURNS float8 LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('float8 / float8'); RETURN pg_catalog.float8div($1, $2); END $$;
CREATE OPERATOR public./ (LEFTARG = float8, RIGHTARG = float8, FUNCTION = public.evil_f8_div);

-- What contact plans use.
CREATE FUNCTION public.nextval(regclass) RETURNS bigint LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('nextval()'); RETURN pg_catalog.nextval($1); END $$;
CREATE FUNCTION public.to_char(timestamp, text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('to_char()'); RETURN pg_catalog.to_char($1, $2); END $$;
CREATE FUNCTION public.make_interval(years integer DEFAULT 0, months integer DEFAULT 0, weeks integer DEFAULT 0,
    days integer DEFAULT 0, hours integer DEFAULT 0, mins integer DEFAULT 0, secs double precision DEFAULT 0)
  RETURNS interval LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('make_interval()'); RETURN pg_catalog.make_interval(years, months, weeks, days, hours, mins, secs); END $$;
CREATE FUNCTION public.generate_series(timestamp, timestamp, interval) RETURNS SETOF timestamp LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('generate_series()'); RETURN QUERY SELECT pg_catalog.generate_series($1, $2, $3); END $$;

SET search_path = public, pg_catalog;

CREATE EXTENSION stormops;

-- Exercise tables' checks and defaults, the domains' validators, triggers,
-- lifecycle functions and history: nothing here uses an operator of its own.
INSERT INTO stormops.census_tracts (tract_geoid, median_household_income, homeownership_rate, ses_tier, embedding)
VALUES ('48085030100', 120000, 0.8, 'High', '{0.1,0.2,0.3}');
INSERT INTO stormops.properties (property_id, zip, tract_geoid, lat, lon, roof_install_year, persona, embedding)
VALUES ('p1', '75034', '48085030100', 33.15, -96.8, 2005, 'Proof_Seeker', '{0.1,0.2,0.3}');
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at, lat, lon, radius_km)
VALUES ('e1', 'hail', 2.5, '2019-03-24 23:33+00', 33.1, -96.8, 5);
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score) VALUES ('p1', 'e1', 80);
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp)
VALUES ('p1', 'contact', 'email', '2019-03-25 12:00+00');
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_tier, filed_at)
VALUES ('permit1', '75034', 'rival', 'Tier1', '2019-03-26');
INSERT INTO stormops.zip_competition (zip, competitor_pressure, white_space_score) VALUES ('75034', 0.3, 70);
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, cost_per_contact)
VALUES ('Hostile-Test',
  '{"physics": {"min_sii_score": 70}, "geography": {"zips": ["75034"], "custom_polygon": {"type": "Polygon", "coordinates": [[[-97, 33], [-96, 33], [-96, 34], [-97, 33]]]}}, "similarity": {"enabled": true, "reference_property_ids": ["p1"], "top_k": 5}}',
  '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}, {"step": 2, "channel": "door_knock", "timing_hours": 48, "condition": "if_no_response_to_step_1", "timing_window": "weekday_18:00-20:00"}]}',
  '{"door_knock": 18}');
SELECT playbook_name, status FROM stormops.activate_playbook('Hostile-Test');
UPDATE stormops.playbooks SET budget_allocated = 5000 WHERE playbook_name OPERATOR(pg_catalog.=) 'Hostile-Test';
SELECT playbook_version FROM stormops.revise_playbook('Hostile-Test', '{"priority": 2, "targeting_rules": {"physics": {"min_sii_score": 75}}}');
SELECT stormops.playbook_cost_per_property(p) FROM stormops.playbooks p;
SELECT playbook_name, status FROM stormops.pause_playbook('Hostile-Test');
SELECT playbook_name, status FROM stormops.retire_playbook('Hostile-Test');
SELECT count(*) FROM stormops.check_targeting_rules('{"geography": {"zips": ["7503"]}}');
SELECT stormops.semver_bump('v1.9.9', 'minor');
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
VALUES ('Hostile-Delete', '{}', '{"sequence": [{"step": 1, "channel": "sms", "timing_hours": 0}]}');
DELETE FROM stormops.playbooks WHERE playbook_name OPERATOR(pg_catalog.=) 'Hostile-Delete';

-- Targeting: every section through the compiler, its functions, and the
-- compiled text run directly by the caller (\gexec) under this search_path.
INSERT INTO stormops.properties (property_id, zip, tract_geoid, lat, lon, roof_install_year, persona, embedding)
VALUES ('p2', '75034', '48085030100', 33.16, -96.81, 2001, 'Family_Protector', '{0.2,0.1,0.3}');
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score) VALUES ('p2', 'e1', 90);
SELECT property_id, rank, round(similarity::numeric, 4) AS similarity, sii_score
  FROM stormops.target_properties(
  '{"physics": {"min_sii_score": 70, "max_days_since_storm": 30, "roof_age_min": 5},
    "geography": {"zips": ["75034"], "custom_polygon": {"type": "Polygon", "coordinates": [[[-97, 33], [-96, 33], [-96, 34], [-97, 33]]]}},
    "demographics": {"ses_tiers": ["High"], "min_median_income": 1000, "homeownership_rate_min": 0.5},
    "psychographics": {"exclude_personas": ["Procrastinator"]},
    "behavioral": {"prior_touchpoints_max": 5, "exclude_recent_converts": true},
    "competition": {"competitor_pressure_max": 0.5, "white_space_score_min": 10},
    "similarity": {"enabled": true, "reference_property_ids": ["p1"], "similarity_threshold": 0.5, "top_k": 5}}',
  'e1', '2019-03-27 12:00+00');
SELECT step, remaining FROM stormops.targeting_funnel(
  '{"physics": {"min_sii_score": 70}, "behavioral": {"response_rate_min": 0.1},
    "similarity": {"enabled": true, "mode": "neighborhood_embedding", "reference_tract_ids": ["48085030100"], "top_k_tracts": 3, "properties_per_tract": 2}}',
  'e1', '2019-03-27 12:00+00');
SELECT stormops.compile_targeting(
  '{"physics": {"min_sii_score": 70, "max_days_since_storm": 30}, "geography": {"zips": ["75034"]},
    "behavioral": {"prior_touchpoints_max": 5}, "similarity": {"enabled": true, "reference_property_ids": ["p1"]}}',
  'e1', '2019-03-27 12:00+00') \gexec

-- Proposals: a storm's run, the maintained signals (as of now()), the
-- competitor trigger and the roll-ups, under this search_path.
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, requires_streaming_triggers,
                                max_concurrent_properties, budget_allocated, holdout_share, message_variants)
VALUES ('Hostile-Proposals', '{"physics": {"min_sii_score": 70}, "geography": {"zips": ["75034"]}}',
        '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0, "message_variant": ["calm", "bold"]}],
          "adaptive": {"enabled": true, "reoptimize_after_n_contacts": 1}}', true, 1, 100, 0,
        '{"calm": "Calm words", "bold": {"default": "Bold words"}}');
SELECT playbook_name, status FROM stormops.activate_playbook('Hostile-Proposals');
SELECT playbook_name, property_id, rank, decision, reason
  FROM stormops.generate_proposals('e1', '2019-03-27 12:00+00');
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('e2', 'hail', pg_catalog.now());
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score) VALUES ('p2', 'e2', 95);
INSERT INTO stormops.do_not_contact (property_id, reason) VALUES ('p2', 'asked in person');
SELECT event_id, playbooks_run, executions, proposed, outcome FROM stormops.run_pending_proposals();
-- pg_cron's entry point, a procedure that commits (so it cannot pin its search_path)
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('e3', 'hail', pg_catalog.now());
INSERT INTO stormops.property_impacts (property_id, event_id, sii_score) VALUES ('p2', 'e3', 95);
CALL stormops.propose_pending_events();
SELECT event_id, playbooks_run, executions, outcome FROM stormops.event_proposals WHERE event_id OPERATOR(pg_catalog.=) 'e3';
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at)
VALUES ('permit2', '75034', 'rival', 'Rival Roofing', 'Tier1', '2019-03-28');
SELECT priority, trigger_reason, properties_targeted, properties_proposed, outcome
  FROM stormops.proposal_runs ORDER BY priority, event_id;
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, revenue, execution_id)
SELECT 'p2', t, 'email', '2019-03-29', r, execution_id
  FROM stormops.playbook_executions, (VALUES ('contact', NULL), ('conversion', 9000)) v(t, r)
 WHERE triggered_by_event_id OPERATOR(pg_catalog.=) 'e1';
SELECT stormops.refresh_execution_metrics();
SELECT properties_targeted, properties_contacted, properties_converted, total_revenue, conversion_rate
  FROM stormops.playbook_executions WHERE triggered_by_event_id OPERATOR(pg_catalog.=) 'e1';
SELECT kind, reason FROM stormops.notification_outbox ORDER BY notification_id;

-- Contact plans: local time, claims, reports, summaries and the end of an
-- execution, under this search_path.
INSERT INTO stormops.zip_codes (zip, state, time_zone) VALUES ('75034', 'TX', 'America/Chicago');
SELECT opens_at, open_until
  FROM stormops.next_allowed_time('2019-03-08 20:30-06', '2019-03-20 00:00-05', 'America/Chicago', 'weekday', 1080, 1200);
SELECT playbook_name, step, channel, status, reason, local_due FROM stormops.contact_plan('p2');
SELECT contact_id IS NOT NULL AS claimed, property_id, step, channel, due_at, allowed_until
  FROM stormops.claim_due_contacts('email', 10, '2019-03-27 12:00+00');
SELECT status FROM stormops.record_contact_result(
  (SELECT contact_id FROM stormops.contact_steps WHERE property_id OPERATOR(pg_catalog.=) 'p2'
      AND status OPERATOR(pg_catalog.=) 'leased'), 'sent', '2019-03-27 12:01+00');
SELECT status FROM stormops.record_contact_result(
  (SELECT contact_id FROM stormops.contact_steps WHERE property_id OPERATOR(pg_catalog.=) 'p2' AND step OPERATOR(pg_catalog.=) 1),
  'open', '2019-03-27 13:00+00');
SELECT step, channel, planned, sent, skipped, expired, engagement_rate, success_met
  FROM stormops.execution_step_summary((SELECT execution_id FROM stormops.playbook_executions
                                         WHERE triggered_by_event_id OPERATOR(pg_catalog.=) 'e1'), '2019-03-28');
SELECT step, status, reason FROM stormops.contact_plan_changes('p2');
-- Variants: the bandit's statistics and what a person reads.
SELECT step, arm, contacts, rewards, share, p_best IS NOT NULL AS has_p_best
  FROM stormops.variant_stats('Hostile-Proposals', '2019-03-28');
SELECT stormops.prob_b_beats_a(1, 2, 3, 4) AS p, w.low IS NOT NULL AS has_interval
  FROM stormops.wilson_interval(3, 10) w;
SELECT contact_id IS NOT NULL AS claimed, property_id, step FROM stormops.claim_due_contacts('email', 10, '2019-03-28 09:00+00');
SELECT status, end_reason IS NOT NULL AS has_reason
  FROM stormops.complete_execution((SELECT execution_id FROM stormops.playbook_executions
                                     WHERE triggered_by_event_id OPERATOR(pg_catalog.=) 'e1'));
\set VERBOSITY sqlstate
SELECT status FROM stormops.abort_execution((SELECT execution_id FROM stormops.playbook_executions
                                              WHERE triggered_by_event_id OPERATOR(pg_catalog.=) 'e1'), 'hostile test');
\set VERBOSITY default
SELECT count(*) AS closed FROM stormops.close_finished_executions('2030-01-01');

-- No trap was sprung.
RESET search_path;
SELECT trap, count(*) FROM public.hostile_calls GROUP BY trap ORDER BY trap;
SELECT count(*) AS config_tables_dumped
  FROM pg_catalog.pg_extension e, pg_catalog.unnest(e.extconfig) c WHERE e.extname = 'stormops';

-- Control: the traps do fire for a careless unqualified call.
SET search_path = public, pg_catalog;
SELECT now() IS NOT NULL AS careless_call;
RESET search_path;
SELECT trap, count(*) FROM public.hostile_calls GROUP BY trap ORDER BY trap;

DROP EXTENSION stormops;
DROP AGGREGATE public.sum(numeric);
DROP AGGREGATE public.max(numeric);
DROP FUNCTION public.array_length(anyarray, integer), public.unnest(anyarray), public.evil_max_step(numeric, numeric);
DROP FUNCTION public.evil_f8_ge(float8, float8), public.evil_num_ge(numeric, numeric), public.evil_num_le(numeric, numeric),
  public.evil_i8_le(int8, int8), public.evil_ts_lt(timestamptz, timestamptz), public.evil_ts_minus(timestamptz, interval),
  public.evil_f8_div(float8, float8) CASCADE;
DROP TABLE public.hostile_calls;
DROP FUNCTION public.trap(text) CASCADE;
DROP FUNCTION public.now(), public.gen_random_uuid(), public.to_jsonb(anyelement),
  public.jsonb_typeof(jsonb), public.jsonb_object_keys(jsonb), public.jsonb_populate_record(anyelement, jsonb),
  public.jsonb_array_elements(jsonb), public.quote_literal(text), public.array_to_string(anyarray, text),
  public.left(text, integer), public.ltrim(text, text), public.string_to_array(text, text),
  public.array_ndims(anyarray), public.pg_extension_config_dump(regclass, text), public.evil_sum_step(numeric, numeric);
DROP FUNCTION public.nextval(regclass), public.to_char(timestamp, text),
  public.make_interval(integer, integer, integer, integer, integer, integer, double precision),
  public.generate_series(timestamp, timestamp, interval);
DROP FUNCTION public.evil_op(text, boolean) CASCADE;
DROP FUNCTION public.evil_text_eq(text, text), public.evil_text_ne(text, text), public.evil_regex(text, text),
  public.evil_f8_ge_i4(float8, integer), public.evil_num_ge_i4(numeric, integer), public.evil_i4_ge(integer, integer),
  public.evil_jsonb_field(jsonb, text), public.evil_jsonb_minus(jsonb, text[]), public.evil_real_overlap(real[], real[]) CASCADE;
