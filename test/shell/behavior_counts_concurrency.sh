#!/usr/bin/env bash
# behavior_counts and the guardrail state under concurrent writers
# (sql/parts/12_behavior_counts.sql, 12_guardrails_history.sql):
# a correction (UPDATE or DELETE of events, which recomputes from history)
# racing an insert (which adds its counts) must neither lose nor double an
# event. Each case holds one session's transaction open while the other
# writes, in both orders, and for a property that had no row yet; then each
# table must equal its history twin. Runs against the throwaway cluster of
# run-tests.sh (PGHOST/PGPORT set).
set -euo pipefail
db=stormops_counts_concurrency
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-counts.XXXXXX")
trap 'rm -rf "$work"; psql -q -X -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -q -X -v ON_ERROR_STOP=1 -d $db <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION stormops;
INSERT INTO stormops.properties (property_id, zip) SELECT 'p' || i, '75034' FROM generate_series(1, 4) i;
-- p1, p2: two contacts and a response each; p3: opens only (no row); p4: a conversion
INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp) VALUES
  ('p1', 'contact', 'sms', '2019-03-01'), ('p1', 'contact', 'sms', '2019-03-02'), ('p1', 'response', 'sms', '2019-03-03'),
  ('p2', 'contact', 'sms', '2019-03-01'), ('p2', 'contact', 'sms', '2019-03-02'), ('p2', 'response', 'sms', '2019-03-03'),
  ('p3', 'open', 'email', '2019-03-01'), ('p3', 'open', 'email', '2019-03-02'),
  ('p4', 'conversion', 'sms', '2019-03-01');
SQL

# run SQL in a background session: first waits WAIT seconds, holds its
# transaction open HOLD seconds after its statement
session() {   # name wait hold statement
  psql -X -q -v ON_ERROR_STOP=1 -d $db >"$work/$1.out" 2>"$work/$1.err" <<SQL
SELECT pg_sleep($2);
BEGIN;
$4;
SELECT pg_sleep($3);
COMMIT;
SQL
}
race() {   # label first-statement second-statement
  session first 0 2 "$2" & local one=$!
  session second 0.7 0 "$3" & local two=$!
  wait $one || { echo "not ok - $1: first session failed: $(cat "$work/first.err")"; exit 1; }
  wait $two || { echo "not ok - $1: second session failed: $(cat "$work/second.err")"; exit 1; }
  local diff
  diff=$(psql -X -At -d $db -c "SELECT count(*) FROM (
      (SELECT * FROM stormops.behavior_counts EXCEPT ALL SELECT * FROM stormops.behavior_counts_at('infinity'))
      UNION ALL
      (SELECT * FROM stormops.behavior_counts_at('infinity') EXCEPT ALL SELECT * FROM stormops.behavior_counts)) d")
  diff=$((diff + $(psql -X -At -d $db -c "SELECT count(*) FROM (
      (SELECT * FROM stormops.guardrail_signals EXCEPT ALL SELECT * FROM stormops.guardrail_signals_at(now()))
      UNION ALL
      (SELECT * FROM stormops.guardrail_signals_at(now()) EXCEPT ALL SELECT * FROM stormops.guardrail_signals)) d")))
  if [ "$diff" = 0 ]; then echo "ok - $1"; else
    echo "not ok - $1: $diff rows differ from history"
    psql -X -d $db -c "TABLE stormops.behavior_counts" -c "SELECT * FROM stormops.behavior_counts_at('infinity')" \
      -c "TABLE stormops.guardrail_signals" -c "SELECT * FROM stormops.guardrail_signals_at(now())"
    exit 1
  fi
}

race "an insert holding its row, then a deletion of another event of the property" \
  "INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp) VALUES ('p1', 'contact', 'sms', '2019-03-05')" \
  "DELETE FROM stormops.behavior_events WHERE property_id = 'p1' AND event_timestamp = '2019-03-01'"
race "a correction holding its rows, then an insert" \
  "UPDATE stormops.behavior_events SET event_type = 'response' WHERE property_id = 'p2' AND event_timestamp = '2019-03-02'" \
  "INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp) VALUES ('p2', 'contact', 'sms', '2019-03-06')"
race "an insert of a property's first counted event, then a correction that gives it another" \
  "INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp) VALUES ('p3', 'contact', 'sms', '2019-03-07')" \
  "UPDATE stormops.behavior_events SET event_type = 'response' WHERE property_id = 'p3' AND event_timestamp = '2019-03-01'"
race "two corrections of one property" \
  "DELETE FROM stormops.behavior_events WHERE property_id = 'p1' AND event_type = 'response'" \
  "UPDATE stormops.behavior_events SET event_type = 'contact' WHERE property_id = 'p1' AND event_timestamp = '2019-03-02' AND event_type = 'contact'"
race "a deletion of a property's last counted event racing an insert" \
  "DELETE FROM stormops.behavior_events WHERE property_id = 'p4'" \
  "INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp) VALUES ('p4', 'response', 'sms', '2019-03-08')"
# a complaint moves the guardrail state but no behaviour count: only the
# guardrail state's own locks order this one
race "an insert of a recent complaint holding its guardrail row, then a correction of the property" \
  "INSERT INTO stormops.behavior_events (property_id, event_type, channel, event_timestamp, complaint) VALUES ('p2', 'complaint', 'phone', now() - interval '1 hour', true)" \
  "UPDATE stormops.behavior_events SET channel = 'email' WHERE property_id = 'p2' AND event_type = 'contact'"
