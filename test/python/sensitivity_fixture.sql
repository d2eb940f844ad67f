-- test/shell/retrospectives_reference.sh: a play with three imported runs
-- whose properties' incomes and runs' timing pandas.cut bins independently.
INSERT INTO stormops.census_tracts (tract_geoid, median_household_income)
SELECT '480850' || lpad(i::text, 5, '0'), inc
  FROM unnest('{10000,46000,100000,23000,55000,71000,88000,30000,64000,99999,46000,10000}'::int[]) WITH ORDINALITY t(inc, i);
INSERT INTO stormops.properties (property_id, zip, tract_geoid)
SELECT 's' || lpad(i::text, 3, '0'), '75034', CASE WHEN i % 13 = 0 THEN NULL ELSE '480850' || lpad((1 + i % 12)::text, 5, '0') END
  FROM generate_series(1, 60) i;
INSERT INTO stormops.storm_events (event_id, event_type, magnitude, begin_at)
VALUES ('sens_a', 'hail', 1.75, '2019-04-01 00:00+00'), ('sens_b', 'hail', 2.5, '2019-04-01 00:00+00'),
       ('sens_c', 'hail', 1.0, '2019-04-01 00:00+00');
INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share)
VALUES ('Sens', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 0);
-- 3 days after the storm, 7 days (an edge) and 0 days (outside pandas' (0, 7])
SELECT stormops.import_campaign('Sens', 'sens_a', '2019-04-04 00:00+00',
         ARRAY(SELECT 's' || lpad(i::text, 3, '0') FROM generate_series(1, 15) i),
         ARRAY(SELECT 's' || lpad(i::text, 3, '0') FROM generate_series(16, 20) i),
         '[{"property_id": "s001", "event_type": "conversion", "at": "2019-04-06 00:00+00", "revenue": 9000}]', 'email');
SELECT stormops.import_campaign('Sens', 'sens_b', '2019-04-08 00:00+00',
         ARRAY(SELECT 's' || lpad(i::text, 3, '0') FROM generate_series(21, 35) i),
         ARRAY(SELECT 's' || lpad(i::text, 3, '0') FROM generate_series(36, 40) i), '[]', 'email');
SELECT stormops.import_campaign('Sens', 'sens_c', '2019-04-01 00:00+00',
         ARRAY(SELECT 's' || lpad(i::text, 3, '0') FROM generate_series(41, 55) i),
         ARRAY(SELECT 's' || lpad(i::text, 3, '0') FROM generate_series(56, 60) i), '[]', 'email');
