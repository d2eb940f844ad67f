-- pg_dump keeps the rows of every table users fill (extension member tables
-- are otherwise dumped empty).
SELECT pg_catalog.pg_extension_config_dump('stormops.zip_codes', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.census_tracts', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.properties', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.cohorts', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.property_scores', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.storm_events', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.storm_reports', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.property_impacts', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.behavior_events', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.behavior_events_behavior_event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.competitor_permits', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.zip_competition', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.channel_costs', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.playbooks', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.playbook_versions', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.playbook_executions', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.ingest_rejects', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.ingest_rejects_reject_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.do_not_contact', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.proposal_runs', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.proposal_decisions', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.notification_outbox', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.notification_outbox_notification_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.event_proposals', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.worker_errors', '');
SELECT pg_catalog.pg_extension_config_dump('stormops.worker_errors_error_id_seq', '');
