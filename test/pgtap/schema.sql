-- The data model's contract: tables, columns, keys, checks and indexes.
BEGIN;
SELECT plan(124);

SELECT has_schema('stormops');
SELECT tables_are('stormops', ARRAY[
  'zip_codes', 'census_tracts', 'properties', 'cohorts', 'property_scores',
  'storm_events', 'storm_reports', 'property_impacts', 'behavior_events',
  'competitor_permits', 'zip_competition', 'channel_costs', 'playbooks',
  'playbook_versions', 'playbook_executions', 'noaa_details_staging', 'spc_hail_staging', 'ingest_rejects', 'do_not_contact', 'guardrail_state', 'behavior_counts',
  'proposal_runs', 'proposal_decisions', 'notification_outbox', 'event_proposals', 'worker_errors',
  'execution_steps', 'contact_steps', 'contact_step_changes', 'contact_day_counts', 'zcta_staging',
  'arm_pools', 'arm_statistics', 'models', 'model_terms', 'neighbor_lists', 'referrals', 'diffusion_runs']);
SELECT enum_has_labels('stormops', 'playbook_status', ARRAY['Draft', 'Active', 'Paused', 'Retired']);
SELECT enum_has_labels('stormops', 'execution_status', ARRAY['Running', 'Completed', 'Aborted']);
SELECT enum_has_labels('stormops', 'channel', ARRAY['email', 'sms', 'phone', 'door_knock', 'direct_mail', 'paid_ads']);
SELECT enum_has_labels('stormops', 'decision',
  ARRAY['suppressed', 'escalated', 'throttled', 'busy', 'holdout', 'over_capacity', 'proposed']);
SELECT has_domain('stormops', 'targeting_rules', 'domain targeting_rules exists');
SELECT has_domain('stormops', 'channel_strategy', 'domain channel_strategy exists');

-- Every column the contract names, on every table.
SELECT has_column('stormops', t, c, format('%s.%s exists', t, c))
  FROM (VALUES
    ('storm_events', 'event_id'), ('storm_events', 'event_type'), ('storm_events', 'magnitude'),
    ('storm_events', 'begin_at'), ('storm_events', 'end_at'), ('storm_events', 'lat'), ('storm_events', 'lon'),
    ('storm_events', 'radius_km'), ('storm_events', 'source'), ('storm_events', 'created_at'),
    ('storm_reports', 'report_id'), ('storm_reports', 'event_id'), ('storm_reports', 'reported_at'),
    ('storm_reports', 'lat'), ('storm_reports', 'lon'), ('storm_reports', 'magnitude'),
    ('storm_reports', 'radius_km'), ('storm_reports', 'source'),
    ('census_tracts', 'tract_geoid'), ('census_tracts', 'median_household_income'),
    ('census_tracts', 'homeownership_rate'), ('census_tracts', 'ses_tier'), ('census_tracts', 'embedding'),
    ('properties', 'property_id'), ('properties', 'zip'), ('properties', 'tract_geoid'), ('properties', 'lat'),
    ('properties', 'lon'), ('properties', 'roof_install_year'), ('properties', 'persona'),
    ('properties', 'customer_id'), ('properties', 'is_past_customer'), ('properties', 'lifetime_value'),
    ('properties', 'embedding'),
    ('property_impacts', 'property_id'), ('property_impacts', 'event_id'), ('property_impacts', 'sii_score'),
    ('behavior_events', 'behavior_event_id'), ('behavior_events', 'property_id'), ('behavior_events', 'customer_id'),
    ('behavior_events', 'event_type'), ('behavior_events', 'channel'), ('behavior_events', 'event_timestamp'),
    ('behavior_events', 'complaint'), ('behavior_events', 'revenue'), ('behavior_events', 'execution_id'),
    ('competitor_permits', 'permit_id'), ('competitor_permits', 'zip'), ('competitor_permits', 'tract_geoid'),
    ('competitor_permits', 'contractor_id'), ('competitor_permits', 'contractor_name'),
    ('competitor_permits', 'contractor_tier'), ('competitor_permits', 'filed_at'),
    ('zip_competition', 'zip'), ('zip_competition', 'competitor_pressure'), ('zip_competition', 'white_space_score'),
    ('cohorts', 'cohort_name'), ('cohorts', 'property_id'),
    ('property_scores', 'property_id'), ('property_scores', 'uplift_score'), ('property_scores', 'churn_risk'),
    ('property_scores', 'ltv_score'), ('property_scores', 'model_version'), ('property_scores', 'scored_at'),
    -- 0.2.0 (contact plans)
    ('zip_codes', 'time_zone'), ('behavior_events', 'contact_id'), ('behavior_events', 'step'),
    ('playbook_executions', 'channel_strategy'), ('playbook_executions', 'message_variants'),
    ('playbook_executions', 'end_reason'),
    -- 0.2.0 (diffusion.md)
    ('property_neighbors', 'property_id'), ('property_neighbors', 'neighbor_id'), ('property_neighbors', 'distance_m'),
    ('referrals', 'referrer_property_id'), ('referrals', 'referred_property_id'), ('referrals', 'referred_at'),
    ('property_scores', 'diffusion_score')
  ) AS contract(t, c);
SELECT enum_has_labels('stormops', 'contact_status', ARRAY['planned', 'leased', 'sent', 'skipped', 'expired', 'failed']);
SELECT col_is_pk('stormops', 'contact_steps', ARRAY['execution_id', 'property_id', 'step'],
  'contact steps are keyed by (execution_id, property_id, step): property_id is in the key');
SELECT col_is_pk('stormops', 'contact_step_changes', ARRAY['property_id', 'execution_id', 'step', 'change_id'],
  'contact step changes are keyed with property_id');

SELECT col_is_pk('stormops', 'neighbor_lists', 'property_id', 'neighbour lists are keyed by property_id');
SELECT col_is_pk('stormops', 'referrals', ARRAY['referrer_property_id', 'referred_property_id'],
  'referrals are keyed by (referrer_property_id, referred_property_id)');
SELECT col_is_pk('stormops', 'property_impacts', ARRAY['property_id', 'event_id'], 'impacts are keyed by (property_id, event_id)');
SELECT col_is_pk('stormops', 'cohorts', ARRAY['cohort_name', 'property_id'], 'cohorts are keyed by (cohort_name, property_id)');
SELECT fk_ok('stormops', 'storm_reports', 'event_id', 'stormops', 'storm_events', 'event_id');
SELECT fk_ok('stormops', 'properties', 'tract_geoid', 'stormops', 'census_tracts', 'tract_geoid');
SELECT fk_ok('stormops', 'playbook_executions', 'playbook_id', 'stormops', 'playbooks', 'playbook_id');
SELECT fk_ok('stormops', 'playbook_executions', 'triggered_by_event_id', 'stormops', 'storm_events', 'event_id');
SELECT has_index('stormops', 'properties', 'properties_zip_idx', ARRAY['zip']);
SELECT has_index('stormops', 'properties', 'properties_tract_idx', ARRAY['tract_geoid']);
SELECT has_index('stormops', 'behavior_events', 'behavior_events_property_time_idx', ARRAY['property_id', 'event_timestamp']);
SELECT has_index('stormops', 'competitor_permits', 'competitor_permits_zip_time_idx', ARRAY['zip', 'filed_at']);
SELECT has_index('stormops', 'property_impacts', 'property_impacts_event_sii_idx', 'impacts are indexed by event');
SELECT is_indexed('stormops', 'playbook_executions', ARRAY['playbook_id', 'triggered_by_event_id'],
  'one execution per (playbook, event) is enforced by an index');

-- Range checks refuse what the data model rules out.
INSERT INTO stormops.census_tracts (tract_geoid) VALUES ('48085030100');
INSERT INTO stormops.properties (property_id, zip, tract_geoid) VALUES ('p1', '75034', '48085030100');
INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('e1', 'hail', now());
SELECT throws_ok($$INSERT INTO stormops.properties (property_id, zip) VALUES ('p2', '7503')$$,
  '23514', NULL, 'a ZIP must have 5 digits');
SELECT throws_ok($$INSERT INTO stormops.census_tracts (tract_geoid) VALUES ('4808503010')$$,
  '23514', NULL, 'a GEOID must have 11 digits');
SELECT throws_ok($$INSERT INTO stormops.property_impacts VALUES ('p1', 'e1', 100.01)$$,
  '23514', NULL, 'sii above 100 is refused');
SELECT throws_ok($$INSERT INTO stormops.property_impacts VALUES ('p1', 'e1', -0.01)$$,
  '23514', NULL, 'negative sii is refused');
SELECT lives_ok($$INSERT INTO stormops.property_impacts VALUES ('p1', 'e1', 100)$$, 'sii 100 is accepted');
SELECT throws_ok($$INSERT INTO stormops.census_tracts (tract_geoid, homeownership_rate) VALUES ('48085030101', 1.2)$$,
  '23514', NULL, 'homeownership rate above 1 is refused');
SELECT throws_ok($$INSERT INTO stormops.zip_competition VALUES ('75034', 1.01, 50)$$,
  '23514', NULL, 'competitor pressure above 1 is refused');
SELECT throws_ok($$INSERT INTO stormops.census_tracts (tract_geoid, ses_tier) VALUES ('48085030102', 'Upper')$$,
  '23514', NULL, 'unknown SES tier is refused');
SELECT throws_ok($$INSERT INTO stormops.behavior_events (property_id, event_type, event_timestamp) VALUES ('p1', 'visit', now())$$,
  '23514', NULL, 'unknown behavior event type is refused');
SELECT throws_ok($$INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp) VALUES ('p1', 'contact', 'fax', now())$$,
  '23514', NULL, 'unknown channel is refused');
SELECT throws_ok($$INSERT INTO stormops.behavior_events (property_id, event_type, event_timestamp) VALUES ('nobody', 'contact', now())$$,
  '23503', NULL, 'behavior of an unknown property is refused');
SELECT throws_ok($$INSERT INTO stormops.properties (property_id, zip, embedding) VALUES ('p3', '75034', '{1,NULL}')$$,
  '23514', NULL, 'an embedding with a NULL element is refused');
SELECT throws_ok($$INSERT INTO stormops.properties (property_id, zip, embedding) VALUES ('p3', '75034', '{1,NaN}')$$,
  '23514', NULL, 'an embedding with NaN is refused');
SELECT throws_ok($$INSERT INTO stormops.properties (property_id, zip, embedding) VALUES ('p3', '75034', '{{1,2},{3,4}}')$$,
  '23514', NULL, 'a two-dimensional embedding is refused');
SELECT throws_ok($$INSERT INTO stormops.properties (property_id, zip, embedding) VALUES ('p3', '75034', '{}')$$,
  '23514', NULL, 'an empty embedding is refused');
SELECT throws_ok($$INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('e2', 'Hail', now())$$,
  '23514', NULL, 'event types are lower case');
SELECT throws_ok($$INSERT INTO stormops.storm_events (event_id, event_type, begin_at, end_at) VALUES ('e2', 'hail', now(), now() - interval '1 hour')$$,
  '23514', NULL, 'an event cannot end before it begins');
SELECT throws_ok($$INSERT INTO stormops.competitor_permits VALUES ('x', '75034', NULL, 'c', 'n', 'Tier4', now())$$,
  '23514', NULL, 'unknown contractor tier is refused');

-- Embeddings stay in the row (docs/similarity.md).
SELECT is((SELECT attstorage::text FROM pg_attribute WHERE attrelid = 'stormops.properties'::regclass AND attname = 'embedding'),
  'm', 'properties.embedding has storage MAIN');
SELECT is((SELECT attstorage::text FROM pg_attribute WHERE attrelid = 'stormops.census_tracts'::regclass AND attname = 'embedding'),
  'm', 'census_tracts.embedding has storage MAIN');

-- Every user table keeps its rows through pg_dump.
SELECT set_eq(
  $$SELECT c::regclass::text FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'stormops'$$,
  ARRAY['stormops.zip_codes', 'stormops.census_tracts', 'stormops.properties', 'stormops.cohorts',
        'stormops.property_scores', 'stormops.storm_events', 'stormops.storm_reports',
        'stormops.property_impacts', 'stormops.behavior_events', 'stormops.behavior_events_behavior_event_id_seq',
        'stormops.competitor_permits', 'stormops.zip_competition', 'stormops.channel_costs',
        'stormops.playbooks', 'stormops.playbook_versions', 'stormops.playbook_executions',
        'stormops.ingest_rejects', 'stormops.ingest_rejects_reject_id_seq', 'stormops.do_not_contact',
        'stormops.proposal_runs', 'stormops.proposal_decisions', 'stormops.notification_outbox',
        'stormops.notification_outbox_notification_id_seq', 'stormops.event_proposals',
        'stormops.worker_errors', 'stormops.worker_errors_error_id_seq',
        'stormops.execution_steps', 'stormops.contact_steps', 'stormops.contact_id_seq', 'stormops.contact_step_changes',
        'stormops.contact_step_changes_change_id_seq', 'stormops.contact_day_counts',
        'stormops.arm_pools', 'stormops.arm_pools_pool_id_seq', 'stormops.arm_statistics',
        'stormops.arm_statistics_statistics_id_seq', 'stormops.models', 'stormops.models_model_id_seq',
        'stormops.model_terms', 'stormops.neighbor_lists', 'stormops.referrals', 'stormops.diffusion_runs',
        'stormops.diffusion_runs_run_id_seq'],
  'pg_extension_config_dump covers every user table');

-- scale-out (docs/scaling.md): every table with a property_id column has it
-- in its primary key, so that Citus can distribute it by property_id; the
-- outbox (property_id mostly NULL) is a reference table there instead
SELECT is((SELECT string_agg(c.relname, ', ' ORDER BY c.relname)
             FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = 'property_id' AND NOT a.attisdropped
            WHERE c.relnamespace = 'stormops'::regnamespace AND c.relkind = 'r'
              AND c.relname <> 'notification_outbox'
              AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k
                               WHERE k.conrelid = c.oid AND k.contype = 'p' AND a.attnum = ANY (k.conkey))),
          NULL, 'every per-property table has property_id in its primary key');
SELECT * FROM finish();
ROLLBACK;
