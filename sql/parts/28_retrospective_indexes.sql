-- Retrospectives' index (a schema part, new in 0.2.0): the responses
-- (clicks, responses, conversions) by property and time. A retrospective
-- reads the responses of its runs' windows; without this it read every
-- behaviour event (contacts, opens and years of history: 2.6 million rows
-- for 154,000 in bench/retrospectives). Contacts and opens, most of the
-- events, stay out of it, so writing them costs nothing more. By property
-- first: by time first, the planner also took it for the claim's
-- "converted since the execution started" check, scanning every response
-- in the range for each candidate (claims 47 -> 52..71 ms). Each
-- execution's contacts by property come from behavior_events_execution_idx,
-- widened in 0.2.0 (04_activity.sql).
CREATE INDEX behavior_events_responses_idx ON stormops.behavior_events (property_id, event_timestamp)
  WHERE event_type OPERATOR(pg_catalog.=) ANY ('{click,response,conversion}'::pg_catalog.text[]);
