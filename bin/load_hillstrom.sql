-- bin/stormops-load hillstrom FILE: Kevin Hillstrom's MineThatData e-mail
-- test (64,000 customers: Mens E-Mail, Womens E-Mail, No E-Mail) as two
-- imported campaigns sharing the no-e-mail control (docs/retrospectives.md).
-- Run by psql in one transaction after the file is in hillstrom_staging.
--
-- The customers have no address: each becomes a property
-- hillstrom-NNNNN (its line number) in ZIP 00000. The test has no dates:
-- the e-mails go out at 2008-03-01 00:00 UTC and every outcome is dated a
-- week later (inside the two weeks the test measured and the 30 days a
-- retrospective reads). A visit is a response; a conversion carries the
-- spend as revenue in whole dollars (rounded half away from zero: the
-- published spend per customer is unchanged at the printed cent).
INSERT INTO stormops.properties (property_id, zip)
SELECT pg_catalog.format('hillstrom-%s', pg_catalog.lpad(h.line::pg_catalog.text, 5, '0')), '00000'
  FROM hillstrom_staging h
ON CONFLICT (property_id) DO NOTHING;

INSERT INTO stormops.playbooks (playbook_name, targeting_rules, channel_strategy, holdout_share)
VALUES ('Hillstrom-Mens-Email', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 0),
       ('Hillstrom-Womens-Email', '{}', '{"sequence": [{"step": 1, "channel": "email", "timing_hours": 0}]}', 0)
ON CONFLICT (playbook_name) DO NOTHING;

CREATE TEMP TABLE hillstrom_people AS
SELECT pg_catalog.format('hillstrom-%s', pg_catalog.lpad(h.line::pg_catalog.text, 5, '0')) AS property_id,
       h.segment, h.visit, h.conversion, h.spend
  FROM hillstrom_staging h;

CREATE TEMP TABLE hillstrom_outcomes AS
SELECT p.segment, pg_catalog.jsonb_build_object('property_id', p.property_id, 'event_type', 'response',
                                                'at', '2008-03-08 00:00:00+00') AS outcome
  FROM hillstrom_people p WHERE p.visit = 1
UNION ALL
SELECT p.segment, pg_catalog.jsonb_build_object('property_id', p.property_id, 'event_type', 'conversion',
                                                'at', '2008-03-08 00:00:00+00', 'revenue', pg_catalog.round(p.spend))
  FROM hillstrom_people p WHERE p.conversion = 1;

SELECT stormops.import_campaign(
         m.playbook_name, 'hillstrom-2008', '2008-03-01 00:00:00+00',
         ARRAY(SELECT p.property_id FROM hillstrom_people p WHERE p.segment = m.segment ORDER BY p.property_id),
         ARRAY(SELECT p.property_id FROM hillstrom_people p WHERE p.segment = 'No E-Mail' ORDER BY p.property_id),
         (SELECT pg_catalog.jsonb_agg(o.outcome) FROM hillstrom_outcomes o
           WHERE o.segment = m.segment OR o.segment = 'No E-Mail'),
         'email') IS NOT NULL AS imported
  FROM (VALUES ('Hillstrom-Mens-Email', 'Mens E-Mail'), ('Hillstrom-Womens-Email', 'Womens E-Mail')) m(playbook_name, segment);

SELECT r.playbook_name, r.treated, r.control_size,
       pg_catalog.round((100 * r.response_rate)::pg_catalog.numeric, 2) AS visit_pct,
       pg_catalog.round((100 * r.control_response_rate)::pg_catalog.numeric, 2) AS control_visit_pct,
       pg_catalog.round((100 * r.conversion_rate)::pg_catalog.numeric, 3) AS conversion_pct,
       pg_catalog.round((100 * r.control_conversion_rate)::pg_catalog.numeric, 3) AS control_conversion_pct,
       r.revenue_per_treated AS spend_per_customer, r.revenue_per_control AS control_spend_per_customer,
       pg_catalog.round((100 * r.uplift)::pg_catalog.numeric, 3) AS uplift_pct,
       pg_catalog.round((100 * r.uplift_low)::pg_catalog.numeric, 3) AS low_pct,
       pg_catalog.round((100 * r.uplift_high)::pg_catalog.numeric, 3) AS high_pct,
       pg_catalog.to_char(r.p_value, '9.99EEEE') AS p_value
  FROM stormops.retrospective('hillstrom-2008') r
 ORDER BY r.playbook_name;
