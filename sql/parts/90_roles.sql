-- Roles: viewer reads, operator runs plays, edits playbooks and loads data,
-- admin does everything. Roles are cluster-wide: they are created once and
-- kept when the extension is dropped (docs/security.md).

DO $roles$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'stormops_viewer') THEN
    CREATE ROLE stormops_viewer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'stormops_operator') THEN
    CREATE ROLE stormops_operator NOLOGIN;
    GRANT stormops_viewer TO stormops_operator;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'stormops_admin') THEN
    CREATE ROLE stormops_admin NOLOGIN;
    GRANT stormops_operator TO stormops_admin;
  END IF;
END
$roles$;

REVOKE ALL ON SCHEMA stormops FROM PUBLIC;
GRANT USAGE ON SCHEMA stormops TO stormops_viewer;

-- Functions are callable only by the three roles; the pure ones by all three.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA stormops FROM PUBLIC;
-- (ALL FUNCTIONS leaves procedures out)
REVOKE EXECUTE ON ALL PROCEDURES IN SCHEMA stormops FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  stormops.validate_targeting_rules(pg_catalog.jsonb),
  stormops.validate_channel_strategy(pg_catalog.jsonb),
  stormops.validate_channel_costs(pg_catalog.jsonb),
  stormops.check_targeting_rules(pg_catalog.jsonb),
  stormops.check_channel_strategy(pg_catalog.jsonb),
  stormops.embedding_is_valid(pg_catalog.float4[]),
  stormops.is_zip(pg_catalog.text),
  stormops.is_tract_geoid(pg_catalog.text),
  stormops.is_semver(pg_catalog.text),
  stormops.semver_key(pg_catalog.text),
  stormops.semver_bump(pg_catalog.text, pg_catalog.text),
  stormops.default_channel_cost(stormops.channel),
  stormops.playbook_status_moves(stormops.playbook_status),
  stormops.playbook_cost_per_property(stormops.playbooks),
  stormops.cosine_similarity(pg_catalog.float4[], pg_catalog.float4[]),
  stormops.l2_distance(pg_catalog.float4[], pg_catalog.float4[]),
  stormops.cosine_to_centroid(pg_catalog.float4[], pg_catalog.float8[]),
  stormops.l2_to_centroid(pg_catalog.float4[], pg_catalog.float8[]),
  stormops.embedding_avg_accum(pg_catalog.internal, pg_catalog.float4[]),
  stormops.embedding_avg_final(pg_catalog.internal),
  stormops.embedding_avg(pg_catalog.float4[]),
  stormops.reference_centroid(pg_catalog.float8[], pg_catalog.text),
  stormops.polygon_contains(pg_catalog.jsonb, pg_catalog.float8, pg_catalog.float8),
  stormops.compile_targeting(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz),
  stormops.compile_targeting_funnel(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz),
  stormops.target_properties(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz),
  stormops.playbook_targets(pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz),
  stormops.targeting_funnel(pg_catalog.jsonb, pg_catalog.text, pg_catalog.timestamptz),
  stormops.top_k_accum(pg_catalog.internal, pg_catalog.text, pg_catalog.float4[], pg_catalog.float8[],
                       pg_catalog.int4, pg_catalog.text, pg_catalog.float8),
  stormops.top_k_final(pg_catalog.internal),
  stormops.top_k_combine(pg_catalog.internal, pg_catalog.internal),
  stormops.top_k_serialize(pg_catalog.internal),
  stormops.top_k_deserialize(pg_catalog.bytea, pg_catalog.internal),
  stormops.top_k(pg_catalog.text, pg_catalog.float4[], pg_catalog.float8[], pg_catalog.int4,
                 pg_catalog.text, pg_catalog.float8),
  stormops.similar_properties(pg_catalog.float8[], pg_catalog.int4, pg_catalog.float8),
  stormops.similar_tracts(pg_catalog.float8[], pg_catalog.int4, pg_catalog.float8),
  stormops.embedding_checksum(pg_catalog.float4[]),
  stormops.default_report_radius_km(pg_catalog.text, pg_catalog.numeric),
  stormops.report_severity(pg_catalog.text, pg_catalog.numeric),
  stormops.roof_vulnerability(pg_catalog.int4, pg_catalog.timestamptz),
  stormops.haversine_km(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.float8),
  stormops.our_contractor_id(),
  stormops.contractor_tier_weight(pg_catalog.text),
  stormops.throttle_contacts_7d(),
  stormops.moves_guardrail_signal(pg_catalog.text, pg_catalog.bool),
  stormops.is_counted_behavior(pg_catalog.text),
  stormops.behavior_counts_at(pg_catalog.timestamptz, pg_catalog.text[]),
  stormops.escalate_complaints_30d(),
  stormops.guardrail_signal_row(pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.timestamptz,
                                pg_catalog.bool, pg_catalog.timestamptz),
  stormops.guardrail_signals_at(pg_catalog.timestamptz),
  stormops.guardrail_signals_at(pg_catalog.timestamptz, pg_catalog.text[]),
  stormops.guardrail_signals_of(pg_catalog.text[], pg_catalog.timestamptz),
  stormops.channel_cost(pg_catalog.jsonb, pg_catalog.text),
  stormops.holdout_draw(pg_catalog.uuid, pg_catalog.text),
  stormops.within_numeric_12_2(pg_catalog.numeric),
  stormops.storm_events_pending(),
  stormops.worker_status(),
  stormops.event_decisions(pg_catalog.text),
  stormops.noaa_event_type(pg_catalog.text),
  stormops.default_time_zone(),
  stormops.step_open_hours(),
  stormops.contact_max_attempts(),
  stormops.high_ltv_threshold(),
  stormops.visits_per_rep_per_day(),
  stormops.attribution_days(),
  stormops.is_time_zone(pg_catalog.text),
  stormops.days_interval(pg_catalog.float8),
  stormops.local_year(pg_catalog.timestamptz),
  stormops.allowed_hours(pg_catalog.text, pg_catalog.text),
  stormops.day_is_allowed(pg_catalog.int4, pg_catalog.text),
  stormops.next_allowed_time(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.text,
                             pg_catalog.text, pg_catalog.int4, pg_catalog.int4),
  stormops.clock_text(pg_catalog.int4),
  stormops.allowed_hours_text(pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.text),
  stormops.step_condition_holds(pg_catalog.text, pg_catalog.uuid, pg_catalog.text, pg_catalog.timestamptz),
  stormops.contact_script(pg_catalog.jsonb, pg_catalog.text, pg_catalog.text),
  stormops.criterion_met(pg_catalog.text, pg_catalog.numeric),
  stormops.execution_step_summary(pg_catalog.uuid, pg_catalog.timestamptz),
  stormops.step_outcome_flags(pg_catalog.uuid[], pg_catalog.timestamptz),
  stormops.random_seed(),
  stormops.prob_b_beats_a(pg_catalog.float8, pg_catalog.float8, pg_catalog.float8, pg_catalog.float8),
  stormops.wilson_interval(pg_catalog.int8, pg_catalog.int8),
  stormops.arm_prob_best(pg_catalog.int8[], pg_catalog.int8[], pg_catalog.int8, pg_catalog.int8),
  stormops.greedy_arm(pg_catalog.int8[], pg_catalog.int8[]),
  stormops.epsilon_greedy_arm(pg_catalog.int4, pg_catalog.int4, pg_catalog.float8, pg_catalog.int8, pg_catalog.int8),
  stormops.epsilon_greedy_propensity(pg_catalog.int4, pg_catalog.int4, pg_catalog.float8, pg_catalog.int4),
  stormops.thompson_arm(pg_catalog.int8[], pg_catalog.int8[], pg_catalog.int8, pg_catalog.int8),
  stormops.arm_draw(pg_catalog.uuid, pg_catalog.text, pg_catalog.int4),
  stormops.choose_arm(pg_catalog.text, pg_catalog.text[], pg_catalog.float8, pg_catalog.int8[], pg_catalog.int8[],
                      pg_catalog.int4, pg_catalog.float8[], pg_catalog.int8, pg_catalog.uuid, pg_catalog.text,
                      pg_catalog.int4),
  stormops.arm_pool_counts(pg_catalog.int8, pg_catalog.timestamptz),
  stormops.variant_stats(pg_catalog.text, pg_catalog.timestamptz),
  stormops.contact_plan(pg_catalog.text, pg_catalog.uuid),
  stormops.contact_plan_changes(pg_catalog.text, pg_catalog.uuid),
  stormops.us_state_code(pg_catalog.text),
  stormops.us_county_time_zone(pg_catalog.text),
  stormops.noaa_timestamp(pg_catalog.text, pg_catalog.text),
  stormops.parse_decimal(pg_catalog.text),
  stormops.newcombe_interval(pg_catalog.int8, pg_catalog.int8, pg_catalog.int8, pg_catalog.int8),
  stormops.two_proportion_p_value(pg_catalog.int8, pg_catalog.int8, pg_catalog.int8, pg_catalog.int8),
  stormops.run_windows(pg_catalog.uuid[]),
  stormops.member_outcomes(pg_catalog.uuid[]),
  stormops.run_contact_costs(pg_catalog.uuid[]),
  stormops.run_outcomes(pg_catalog.uuid[]),
  stormops.uplift_figures(pg_catalog.int8, pg_catalog.int8, pg_catalog.int8, pg_catalog.int8, pg_catalog.numeric,
                          pg_catalog.numeric, pg_catalog.int8, pg_catalog.int8, pg_catalog.int8, pg_catalog.numeric),
  stormops.run_figures(pg_catalog.uuid[]),
  stormops.retrospective(pg_catalog.text),
  stormops.playbook_named(pg_catalog.text),
  stormops.targeting_ses_tiers(pg_catalog.jsonb),
  stormops.targeting_similarity_mode(pg_catalog.jsonb),
  stormops.history_runs(pg_catalog.timestamptz, pg_catalog.timestamptz),
  stormops.playbook_history(pg_catalog.text, pg_catalog.timestamptz),
  stormops.equal_width_edges(pg_catalog.float8, pg_catalog.float8, pg_catalog.int4),
  stormops.sensitivity_values(pg_catalog.uuid[], pg_catalog.text),
  stormops.sensitivity(pg_catalog.text, pg_catalog.text),
  stormops.validation_row(pg_catalog.text),
  stormops.logistic(pg_catalog.float8),
  stormops.uplift_metrics(pg_catalog.float8[], pg_catalog.bool[], pg_catalog.bool[]),
  stormops.auc(pg_catalog.float8[], pg_catalog.bool[]),
  stormops.model_linear_sql(pg_catalog.int8, pg_catalog.text),
  stormops.model_score_sql(pg_catalog.int8),
  stormops.model_named(pg_catalog.int8),
  stormops.model_scores(pg_catalog.int8, pg_catalog.regclass, pg_catalog.text),
  stormops.model_metric_on(pg_catalog.int8, pg_catalog.regclass, pg_catalog.text, pg_catalog.text, pg_catalog.text),
  stormops.model_coefficients(pg_catalog.int8),
  stormops.model_qini_curve(pg_catalog.int8),
  stormops.property_features(pg_catalog.timestamptz, pg_catalog.text[]),
  stormops.property_feature_names(),
  stormops.active_property_model(pg_catalog.text),
  stormops.playbook_kept_columns(),
  stormops.playbook_editable_columns(),
  stormops.neighbor_weight(pg_catalog.float8),
  stormops.referral_weight(),
  stormops.diffusion_seeds(pg_catalog.timestamptz),
  stormops.diffusion_scores(pg_catalog.timestamptz),
  stormops.diffusion_paths(pg_catalog.text, pg_catalog.int4, pg_catalog.int4)
TO stormops_viewer;
GRANT EXECUTE ON FUNCTION
  stormops.ingest_noaa_details(),
  stormops.ingest_spc_hail(pg_catalog.date),
  stormops.ingest_zctas(),
  stormops.settle_events(pg_catalog.text[]),
  stormops.compute_impacts(pg_catalog.text),
  stormops.refresh_competition(pg_catalog.timestamptz, pg_catalog.int4),
  stormops.raise_out_of_range(pg_catalog.text, pg_catalog.text, pg_catalog.numeric, pg_catalog.text),
  stormops.write_time(),
  stormops.lock_playbook(pg_catalog.text),
  stormops.set_playbook_status(pg_catalog.text, stormops.playbook_status),
  stormops.activate_playbook(pg_catalog.text),
  stormops.pause_playbook(pg_catalog.text),
  stormops.retire_playbook(pg_catalog.text),
  stormops.revise_playbook(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text),
  stormops.generate_proposals(pg_catalog.text, pg_catalog.timestamptz),
  stormops.run_pending_proposals(),
  stormops.run_pending_event(pg_catalog.text),
  stormops.refresh_execution_metrics(pg_catalog.uuid),
  stormops.replay_notifications(pg_catalog.int8[]),
  stormops.claim_due_contacts(pg_catalog.text, pg_catalog.int4, pg_catalog.timestamptz, pg_catalog.interval),
  stormops.record_contact_result(pg_catalog.int8, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.int4),
  stormops.expire_contact_steps(pg_catalog.timestamptz),
  stormops.complete_execution(pg_catalog.uuid, pg_catalog.bool),
  stormops.abort_execution(pg_catalog.uuid, pg_catalog.text),
  stormops.close_finished_executions(pg_catalog.timestamptz),
  stormops.fit_model_rows(pg_catalog.regclass, pg_catalog.text, pg_catalog.text[], pg_catalog.text,
                          pg_catalog.text, pg_catalog.float8, pg_catalog.text, pg_catalog.int4),
  stormops.register_model(pg_catalog.text, pg_catalog.regclass, pg_catalog.text, pg_catalog.text,
                          pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.jsonb),
  stormops.train_uplift_model(pg_catalog.regclass, pg_catalog.text, pg_catalog.text[], pg_catalog.text,
                              pg_catalog.text, pg_catalog.float8, pg_catalog.text),
  stormops.train_model(pg_catalog.text, pg_catalog.regclass, pg_catalog.text, pg_catalog.text[],
                       pg_catalog.text, pg_catalog.float8, pg_catalog.text),
  stormops.activate_model(pg_catalog.int8, pg_catalog.text),
  stormops.retire_model(pg_catalog.int8, pg_catalog.text),
  stormops.property_training_rows(pg_catalog.text, pg_catalog.timestamptz),
  stormops.train_property_model(pg_catalog.text, pg_catalog.timestamptz, pg_catalog.float8),
  stormops.count_ml_scoring_run(),
  stormops.add_score_rows(),
  stormops.score_properties(pg_catalog.timestamptz),
  stormops.train_and_score(pg_catalog.timestamptz),
  stormops.refresh_neighbors(),
  stormops.refresh_diffusion(pg_catalog.timestamptz)
TO stormops_operator;
-- pg_cron's entry point: run_pending_proposals committed event by event
GRANT EXECUTE ON PROCEDURE stormops.propose_pending_events() TO stormops_operator;

-- Tables and views alike (the control plane's views, docs/control-plane.md,
-- are security_invoker: they show a reader only what the tables let it read).
GRANT SELECT ON ALL TABLES IN SCHEMA stormops TO stormops_viewer;

-- Operators load the inputs and edit playbooks.
GRANT INSERT, UPDATE, DELETE ON
  stormops.zip_codes, stormops.census_tracts, stormops.properties, stormops.cohorts,
  stormops.property_scores, stormops.storm_events, stormops.storm_reports,
  stormops.property_impacts, stormops.behavior_events, stormops.competitor_permits,
  stormops.zip_competition, stormops.playbooks, stormops.do_not_contact,
  stormops.models, stormops.model_terms, stormops.neighbor_lists, stormops.referrals,
  stormops.diffusion_runs
TO stormops_operator;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA stormops TO stormops_operator;
-- Loading storm files: \copy into staging, then the ingest functions.
GRANT INSERT, TRUNCATE ON stormops.noaa_details_staging, stormops.spc_hail_staging, stormops.zcta_staging TO stormops_operator;
GRANT INSERT ON stormops.ingest_rejects TO stormops_operator;

-- Admins also own the site settings and may correct executions and history.
GRANT ALL ON ALL TABLES IN SCHEMA stormops TO stormops_admin;
GRANT ALL ON ALL SEQUENCES IN SCHEMA stormops TO stormops_admin;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA stormops TO stormops_admin;
