-- Roles: viewer reads only, operator runs plays and edits playbooks and data,
-- admin also owns site settings and may correct executions.
BEGIN;
SELECT plan(35);

SELECT has_role('stormops_viewer');
SELECT has_role('stormops_operator');
SELECT has_role('stormops_admin');
SELECT is_member_of('stormops_viewer', 'stormops_operator');
SELECT is_member_of('stormops_operator', 'stormops_admin');

INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
VALUES ('Role-Test', '{"geography": {"zips": ["75034"]}}',
        '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}');

-- Nobody else may even see the schema.
CREATE ROLE stormops_test_outsider NOLOGIN;
SET ROLE stormops_test_outsider;
SELECT throws_ok('SELECT count(*) FROM stormops.playbooks', '42501', NULL, 'an outsider cannot read playbooks');
SELECT throws_ok($$SELECT stormops.activate_playbook('Role-Test')$$, '42501', NULL, 'an outsider cannot run lifecycle functions');
RESET ROLE;

SET ROLE stormops_viewer;
SELECT is((SELECT count(*)::int FROM stormops.playbooks), 1, 'viewer reads playbooks');
SELECT lives_ok('SELECT count(*) FROM stormops.playbook_executions', 'viewer reads executions');
SELECT lives_ok($$SELECT * FROM stormops.check_targeting_rules('{}')$$, 'viewer may check rules');
SELECT throws_ok($$INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
  VALUES ('Viewer-Play', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}')$$,
  '42501', NULL, 'viewer cannot insert playbooks');
SELECT throws_ok($$UPDATE stormops.playbooks SET budget_allocated = 1$$, '42501', NULL, 'viewer cannot update playbooks');
SELECT throws_ok($$DELETE FROM stormops.playbooks$$, '42501', NULL, 'viewer cannot delete playbooks');
SELECT throws_ok($$SELECT stormops.activate_playbook('Role-Test')$$, '42501', NULL, 'viewer cannot activate');
SELECT throws_ok($$INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('v', 'hail', now())$$,
  '42501', NULL, 'viewer cannot load storms');
RESET ROLE;

SET ROLE stormops_operator;
SELECT lives_ok($$INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy)
  VALUES ('Operator-Play', '{}', '{"sequence": [{"step": 1, "channel": "sms", "timing_hours": 0}]}')$$,
  'operator inserts playbooks');
SELECT is((SELECT created_by FROM stormops.playbooks WHERE playbook_name = 'Operator-Play'),
  'stormops_operator', 'created_by records the role');
SELECT lives_ok($$SELECT stormops.activate_playbook('Role-Test')$$, 'operator activates');
SELECT lives_ok($$SELECT stormops.revise_playbook('Role-Test', '{"budget_allocated": 900}')$$,
  'operator revises (history is written for them)');
SELECT is((SELECT superseded_by FROM stormops.playbook_versions v JOIN stormops.playbooks p USING (playbook_id)
            WHERE p.playbook_name = 'Role-Test'),
  'stormops_operator', 'history names the operator, not the definer');
SELECT throws_ok($$INSERT INTO stormops.playbook_versions VALUES (gen_random_uuid(), '9.9.9', '{}')$$,
  '42501', NULL, 'operator cannot forge history');
SELECT lives_ok($$INSERT INTO stormops.storm_events (event_id, event_type, begin_at) VALUES ('op', 'hail', now())$$,
  'operator loads storms');
SELECT lives_ok($$DELETE FROM stormops.playbooks WHERE playbook_name = 'Operator-Play'$$, 'operator deletes a playbook');
SELECT throws_ok($$UPDATE stormops.playbooks SET max_daily_contacts = -1 WHERE playbook_name = 'Role-Test'$$,
  '22003', 'max_daily_contacts of playbook "Role-Test" is out of range',
  'an operator''s out-of-range value gets the column error, not a permission error');
SELECT throws_ok($$SELECT stormops.revise_playbook('Role-Test', '{"priority": 0}')$$,
  '22003', NULL, '... also through revise_playbook');
SELECT throws_ok($$INSERT INTO stormops.channel_costs VALUES ('email', 0.02)$$,
  '42501', NULL, 'operator cannot change site-wide costs');
SELECT throws_ok($$UPDATE stormops.playbook_executions SET status = 'Aborted'$$,
  '42501', NULL, 'operator cannot rewrite executions');
RESET ROLE;

-- Settings are policy: no stormops setting may be changed by a session
-- (issue 16: contractor_id was, and the competitor trigger, a definer,
-- trusted it to tell our permits from a rival's).
SELECT stormops.throttle_contacts_7d() IS NOT NULL AS library_loaded;
SELECT is(ARRAY(SELECT name || ' ' || context FROM pg_settings
                 WHERE name LIKE 'stormops.%' AND context NOT IN ('superuser', 'sighup', 'postmaster')
                 ORDER BY name), '{}'::text[],
  'every stormops setting is superuser, sighup or postmaster');
SET ROLE stormops_operator;
SELECT throws_ok($$SET stormops.contractor_id = 'rival_x'$$, '42501', NULL,
  'an operator cannot pretend a rival is us (stormops.contractor_id)');
RESET ROLE;

-- Routines: none callable by PUBLIC (procedures included: REVOKE ... ALL
-- FUNCTIONS leaves them out); every SECURITY DEFINER one pins its search_path.
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = 'stormops'::regnamespace
                   AND EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                                WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
                 ORDER BY 1), '{}'::text[],
  'no stormops function or procedure is executable by PUBLIC');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = 'stormops'::regnamespace AND p.prosecdef
                   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)
                 ORDER BY 1), '{}'::text[],
  'every SECURITY DEFINER routine runs with search_path pg_catalog, pg_temp');
SELECT ok(has_function_privilege('stormops_operator', 'stormops.propose_pending_events()', 'EXECUTE'),
  'an operator may CALL propose_pending_events (the pg_cron job)');
SELECT ok(NOT has_function_privilege('stormops_viewer', 'stormops.propose_pending_events()', 'EXECUTE'),
  '... a viewer may not');

SET ROLE stormops_admin;
SELECT lives_ok($$INSERT INTO stormops.channel_costs VALUES ('email', 0.02)$$, 'admin sets site-wide costs');
SELECT lives_ok($$UPDATE stormops.playbook_executions SET status = 'Aborted'$$, 'admin may correct executions');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
