-- Retrospectives' index (a schema part, new in 0.2.0): the responses of
-- any property by time. (Each execution's contacts by property come from
-- behavior_events_execution_idx, widened in 0.2.0: 04_activity.sql.) A retrospective reads the clicks, responses and
-- conversions of its runs' windows; without this it read every behaviour
-- event (contacts, opens and years of history: 2.6 million rows for 154,000
-- in bench/retrospectives). Contacts and opens, most of the events, stay
-- out of it, so it costs an insert of those nothing.
CREATE INDEX behavior_events_responses_idx ON stormops.behavior_events (event_timestamp) INCLUDE (property_id)
  WHERE event_type OPERATOR(pg_catalog.=) ANY ('{click,response,conversion}'::pg_catalog.text[]);

