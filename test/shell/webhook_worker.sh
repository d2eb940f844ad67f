#!/usr/bin/env bash
# Webhook delivery of the notification outbox (docs/operations.md), on the
# throwaway cluster of run-tests.sh, against a local receiver
# (test/tools/webhook_server.py on 127.0.0.1) that answers 200, 500, 429,
# hangs past the timeout, or is down. Deadlines, not fixed sleeps.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
db=stormops_webhook
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-webhook.XXXXXX")
secret='s3cret-for-tests'
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=""
settings="synchronous_commit stormops.database stormops.webhook_url stormops.webhook_secret stormops.webhook_timeout stormops.webhook_max_attempts stormops.webhook_backoff stormops.poll_interval"
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  for s in $settings; do psql -X -q -d postgres -c "ALTER SYSTEM RESET $s" >/dev/null 2>&1 || true; done
  psql -X -q -d postgres -c "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

source "$repo/test/tools/deadlines.sh"
on_timeout="SELECT notification_id, status, attempts, last_error FROM stormops.notification_outbox ORDER BY 1"
start_server() {
  python3 "$repo/test/tools/webhook_server.py" "$port" "$work/mode" "$work/requests.jsonl" "$secret" &
  server=$!
  local deadline=$(( $(date +%s) + 10 ))
  until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
    [ "$(date +%s)" -lt $deadline ] || { echo "the receiver did not start"; return 1; }
    sleep 0.1
  done
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
mode() { echo "$1" > "$work/mode"; }
# notify N TAG: N notifications, committed together
notify() {
  q -c "INSERT INTO stormops.notification_outbox (kind, reason, payload)
        SELECT 'escalation', '$2 ' || i, jsonb_build_object('kind', 'escalation', 'tag', '$2', 'i', i)
          FROM generate_series(1, $1) i" >/dev/null
}
# requests_summary TAG: requests received for TAG's notifications, as Python sees the log
requests() {
  python3 - "$work/requests.jsonl" "$@" <<'PY'
import json, sys
path, what = sys.argv[1], sys.argv[2]
ids = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
rows = [json.loads(l) for l in open(path)] if __import__("os").path.exists(path) else []
rows = [r for r in rows if ids is None or r["notification"] in ids]
if what == "count": print(len(rows))
elif what == "keys": print(len({r["key"] for r in rows}))
elif what == "signed": print(all(r["signature_ok"] and r["json_ok"] for r in rows) and len(rows) > 0)
elif what == "waited":   # every retry came at least MIN seconds after the attempt before
    rows.sort(key=lambda r: r["at"])
    print(all(b["at"] - a["at"] >= float(sys.argv[4]) for a, b in zip(rows, rows[1:])))
elif what == "gaps":
    rows.sort(key=lambda r: r["at"])
    print(" ".join("%s->%s %.2f s" % (a["attempt"], b["attempt"], b["at"] - a["at"]) for a, b in zip(rows, rows[1:])))
PY
}
ids_of() { q -c "SELECT string_agg(notification_id::text, ',') FROM stormops.notification_outbox WHERE reason LIKE '$1 %'"; }

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops" >/dev/null
mode 200
start_server
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
  -c "ALTER SYSTEM SET stormops.database = '$db'" -c "ALTER SYSTEM SET stormops.webhook_url = 'http://127.0.0.1:$port/hook'" \
  -c "ALTER SYSTEM SET stormops.webhook_secret = '$secret'" -c "ALTER SYSTEM SET stormops.webhook_timeout = '1s'" \
  -c "ALTER SYSTEM SET stormops.webhook_max_attempts = 3" -c "ALTER SYSTEM SET stormops.webhook_backoff = '200ms'" \
  -c "ALTER SYSTEM SET stormops.poll_interval = '1s'" \
  -c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null
# (the test cluster commits asynchronously for speed; a crash restart would
# then lose the last commits, which this test's kill -9 must not confuse with
# a lost notification)
if psql -X -q -d postgres -c "ALTER SYSTEM SET stormops.webhook_url = 'ftp://example.com/'" 2>"$work/url.err"; then
  echo "an ftp URL was accepted"; exit 1
fi
grep -q 'must start with http:// or https://' "$work/url.err"
echo "ok - stormops.webhook_url accepts http and https only"

# 1. delivered, signed, each with its own idempotency key
notify 5 ok
wait_for 5 "SELECT count(*) = 5 FROM stormops.notification_outbox WHERE reason LIKE 'ok %' AND status = 'delivered' AND attempts = 1"
[ "$(requests count "$(ids_of ok)")" = 5 ] && [ "$(requests keys "$(ids_of ok)")" = 5 ] && [ "$(requests signed "$(ids_of ok)")" = True ]
echo "ok - 5 notifications delivered once each, JSON bodies signed with HMAC-SHA256, 5 idempotency keys"

# 2. 500 every time: retried with growing waits, then dead with the last error
mode 500
notify 1 fails
wait_for 15 "SELECT status = 'dead' AND attempts = 3 AND last_error = 'attempt 3: HTTP 500' FROM stormops.notification_outbox WHERE reason LIKE 'fails %'"
[ "$(requests count "$(ids_of fails)")" = 3 ] && [ "$(requests keys "$(ids_of fails)")" = 1 ]
[ "$(requests waited "$(ids_of fails)" 0.1)" = True ]   # stormops.webhook_backoff 200 ms, jitter down to half
echo "ok - HTTP 500: 3 attempts with the same idempotency key, waits $(requests gaps "$(ids_of fails)"), then dead: $(q -c "SELECT last_error FROM stormops.notification_outbox WHERE reason LIKE 'fails %'")"

# from here on, no notification should die of its attempts
psql -X -q -d postgres -c "ALTER SYSTEM SET stormops.webhook_max_attempts = 100" -c "SELECT pg_reload_conf()" >/dev/null

# 3. 429, then the receiver recovers
mode 429
notify 1 busy
wait_for 10 "SELECT attempts >= 2 AND status = 'pending' AND last_error LIKE '%HTTP 429' FROM stormops.notification_outbox WHERE reason LIKE 'busy %'"
mode 200
wait_for 10 "SELECT status = 'delivered' FROM stormops.notification_outbox WHERE reason LIKE 'busy %'"
echo "ok - HTTP 429 is retried until delivered"

# 4. a receiver that hangs past the timeout
mode hang
notify 1 slow
wait_for 10 "SELECT attempts >= 1 AND last_error LIKE '%timed out%' FROM stormops.notification_outbox WHERE reason LIKE 'slow %'"
mode 200
wait_for 15 "SELECT status = 'delivered' FROM stormops.notification_outbox WHERE reason LIKE 'slow %'"
echo "ok - a hanging receiver times out after stormops.webhook_timeout and the retry is delivered"

# 5. replay the dead one
[ "$(q -c "SELECT stormops.replay_notifications()")" = 1 ]
wait_for 5 "SELECT status = 'delivered' FROM stormops.notification_outbox WHERE reason LIKE 'fails %'"
echo "ok - replay_notifications() sends the dead one again"

# 6. kill -9 of the worker between sending and recording: the claim's lease
#    runs out and the notification is sent again, with the same key, once
mode hang
notify 1 crash
wait_for 10 "SELECT attempts = 1 FROM stormops.notification_outbox WHERE reason LIKE 'crash %'"
deadline=$(( $(date +%s) + 10 ))
until [ "$(requests count "$(ids_of crash)")" = 1 ]; do
  [ "$(date +%s)" -lt $deadline ] || { echo "the receiver never got the request"; exit 1; }
  sleep 0.1
done
victim=$(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'stormops storm worker'")
kill -9 $victim
mode 200
wait_for_server 30
wait_for 30 "SELECT status = 'delivered' AND attempts = 2 FROM stormops.notification_outbox WHERE reason LIKE 'crash %'"
[ "$(requests count "$(ids_of crash)")" = 2 ] && [ "$(requests keys "$(ids_of crash)")" = 1 ]
echo "ok - after kill -9 between send and record (pid $victim), sent again once with the same idempotency key"

# 7. receiver down for a while, then up: every notification arrives, none lost
stop_server
notify 20 down
wait_for 10 "SELECT count(*) = 20 FROM stormops.notification_outbox WHERE reason LIKE 'down %' AND attempts >= 2 AND last_error LIKE '%onnect%'"
start_server
wait_for 20 "SELECT count(*) = 20 FROM stormops.notification_outbox WHERE reason LIKE 'down %' AND status = 'delivered'"
received=$(requests count "$(ids_of down)"); keys=$(requests keys "$(ids_of down)")
echo "receiver down then up: $received requests for 20 notifications, $keys idempotency keys"
[ "$keys" = 20 ] && [ "$received" -ge 20 ]
echo "ok - none lost while the receiver was down; any duplicate carries the same idempotency key"
[ "$(q -c "SELECT notifications_delivered >= 20 FROM stormops.worker_status()")" = t ]   # counted since the crash restart
