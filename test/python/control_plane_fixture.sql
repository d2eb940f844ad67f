-- What test/shell/control_plane_app.sh adds to the demo's market, storm and
-- plays before test_control_plane_queries.py reads the control plane's
-- views: a history that makes guardrail decisions (an opt-out, a
-- do-not-contact entry, complaints, contacts), the storm's proposal runs,
-- a day of the executions' e-mail and phone contacts with outcomes, the
-- roll-ups, a competitor permit answered by the defensive play, and
-- notifications in each delivery state. Runs as a superuser.
SET client_min_messages = warning;

CREATE TEMP TABLE cp_history AS
SELECT t.property_id, t.rank FROM stormops.playbook_targets('Frisco-Alpha', 'noaa_ep_135504_hail', '2019-03-27 12:00-05') t
 WHERE t.rank <= 4;
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint)
SELECT property_id, 'opt_out', 'email', '2019-02-01 10:00-06', false FROM cp_history WHERE rank = 1
UNION ALL
SELECT property_id, 'complaint', 'phone', '2019-03-26 10:00-05'::timestamptz - i * interval '5 days', true
  FROM cp_history, generate_series(0, 2) i WHERE rank = 3
UNION ALL
SELECT property_id, 'contact', (ARRAY['email', 'sms', 'phone'])[1 + i % 3], '2019-03-27 09:00-05'::timestamptz - i * interval '1 day', false
  FROM cp_history, generate_series(0, 5) i WHERE rank = 4;
INSERT INTO stormops.do_not_contact (property_id, channel, reason, added_at)
SELECT property_id, 'all', 'asked not to be contacted at the home show', '2019-03-02 12:00-06' FROM cp_history WHERE rank = 2;

SELECT count(*) FROM stormops.generate_proposals('noaa_ep_135504_hail', '2019-03-27 21:30-05');

-- The first morning's contacts: every e-mail and phone call due is sent;
-- every fifth contact converts, every third other e-mail is opened.
DO $$
DECLARE
  c record;
  n int := 0;
BEGIN
  FOR c IN SELECT * FROM stormops.claim_due_contacts('email', 10000, '2019-03-28 10:00-05')
           UNION ALL
           SELECT * FROM stormops.claim_due_contacts('phone', 10000, '2019-03-28 10:00-05') LOOP
    n := n + 1;
    PERFORM stormops.record_contact_result(c.contact_id, 'sent', '2019-03-28 10:05-05');
    IF n % 5 = 0 THEN
      PERFORM stormops.record_contact_result(c.contact_id, 'conversion', '2019-03-30 12:00-05', 15000);
    ELSIF c.channel = 'email' AND n % 3 = 0 THEN
      PERFORM stormops.record_contact_result(c.contact_id, 'open', '2019-03-28 13:00-05');
    END IF;
  END LOOP;
END
$$;

-- A past campaign of the loyalty play, imported: a Completed execution
-- without contact plans.
SELECT stormops.import_campaign('Loyalty-DFW-HighSES', 'cp_spring_2018', '2018-04-02 00:00+00',
  ARRAY(SELECT property_id FROM stormops.properties ORDER BY property_id LIMIT 20),
  ARRAY(SELECT property_id FROM stormops.properties ORDER BY property_id OFFSET 20 LIMIT 10),
  '[]', 'phone');
SELECT stormops.refresh_execution_metrics();

-- A Tier1 rival's permit in a Dallas stronghold: the defensive play's run
-- and a competitor_threat notification.
SET stormops.contractor_id = 'c_our_roofing';
INSERT INTO stormops.competitor_permits (permit_id, zip, contractor_id, contractor_name, contractor_tier, filed_at)
VALUES ('cp_permit_1', '75225', 'c_lonestar', 'Lone Star Exteriors', 'Tier1', '2019-03-27 09:00-05');

-- Notifications in every delivery state: one delivered, one dead, one
-- waiting for its retry, one being sent (claimed, no outcome yet), and
-- the rest due.
INSERT INTO stormops.notification_outbox (kind, playbook_name, reason, payload)
SELECT 'escalation', 'Frisco-Alpha', 'control plane test ' || i, jsonb_build_object('kind', 'escalation', 'i', i)
  FROM generate_series(1, 4) i;
SELECT stormops.record_delivery(c.notification_id, c.claim, c.notification_id % 4 = 0, c.notification_id % 4 = 2,
                                'HTTP 500', 1 + (c.notification_id % 4 = 2)::int, 60000)
  FROM stormops.claim_notifications(1000, 60000, '{}', 10) c
 WHERE c.notification_id % 4 <> 3;
INSERT INTO stormops.notification_outbox (kind, playbook_name, reason, payload)
SELECT 'escalation', 'Frisco-Alpha', 'control plane test, due ' || i, jsonb_build_object('kind', 'escalation', 'i', i)
  FROM generate_series(1, 2) i;
