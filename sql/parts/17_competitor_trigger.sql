-- The seed's streaming guardrail: a permit filed by a Tier1 contractor other
-- than us (stormops.contractor_id; with it unset, every contractor counts as
-- a rival) in a ZIP that an Active defensive playbook targets proposes that
-- playbook at priority 1, for the properties of that ZIP, in the permit's own
-- transaction, and notifies a human. A playbook is defensive when it
-- requires streaming triggers and names ZIPs in geography.zips
-- (docs/proposals.md).

-- The defence itself: 17_competitor_defence.sql (changed in 0.2.0).
CREATE TRIGGER competitor_permits_defend AFTER INSERT ON stormops.competitor_permits
  REFERENCING NEW TABLE AS new_permits FOR EACH STATEMENT
  EXECUTE FUNCTION stormops.defend_against_competitor_permits();
