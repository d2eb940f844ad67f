# Sourced by the webhook shell tests (test/shell/webhook_*.sh): a database
# of its own ($db, set by the caller), a local receiver
# (test/tools/webhook_server.py on 127.0.0.1), the worker's settings for
# it, and clean-up on exit. Deadlines, not fixed sleeps (deadlines.sh).
#   start_server / stop_server   the receiver
#   mode MODE                    how it answers from now on (see webhook_server.py)
#   notify N TAG                 N notifications, committed together
#   requests WHAT TAG_IDS [ARG]  what the receiver got, as Python reads its log
#   ids_of TAG                   the ids of TAG's notifications, comma-separated
#   webhook_setup                the database, stormops, the receiver and the settings
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-webhook.XXXXXX")
secret='s3cret-for-tests'
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=""
settings="synchronous_commit stormops.database stormops.webhook_url stormops.webhook_secret stormops.webhook_timeout stormops.webhook_max_attempts stormops.webhook_backoff stormops.poll_interval"
webhook_cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  for s in $settings; do psql -X -q -d postgres -c "ALTER SYSTEM RESET $s" >/dev/null 2>&1 || true; done
  psql -X -q -d postgres -c "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap webhook_cleanup EXIT

source "$repo/test/tools/deadlines.sh"
on_timeout="SELECT notification_id, status, attempts, claims, lost_sends, last_error FROM stormops.notification_outbox ORDER BY 1"
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
notify() {
  q -c "INSERT INTO stormops.notification_outbox (kind, reason, payload)
        SELECT 'escalation', '$2 ' || i, jsonb_build_object('kind', 'escalation', 'tag', '$2', 'i', i)
          FROM generate_series(1, $1) i" >/dev/null
}
requests() {
  python3 - "$work/requests.jsonl" "$@" <<'PY'
import collections, json, os, sys
path, what = sys.argv[1], sys.argv[2]
ids = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
rows = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
rows = [r for r in rows if ids is None or r["notification"] in ids]
if what == "count": print(len(rows))
elif what == "keys": print(len({r["key"] for r in rows}))
elif what == "signed": print(all(r["signature_ok"] and r["json_ok"] for r in rows) and len(rows) > 0)
elif what == "most":     # the most requests any one notification got
    print(max(collections.Counter(r["notification"] for r in rows).values(), default=0))
elif what == "waited":   # every retry came at least MIN seconds after the attempt before
    rows.sort(key=lambda r: r["at"])
    print(all(b["at"] - a["at"] >= float(sys.argv[4]) for a, b in zip(rows, rows[1:])))
elif what == "gaps":
    rows.sort(key=lambda r: r["at"])
    print(" ".join("%s->%s %.2f s" % (a["attempt"], b["attempt"], b["at"] - a["at"]) for a, b in zip(rows, rows[1:])))
PY
}
ids_of() { q -c "SELECT string_agg(notification_id::text, ',') FROM stormops.notification_outbox WHERE reason LIKE '$1 %'"; }
# wait_requests N TAG SECONDS: until the receiver got N requests for TAG
wait_requests() {
  local deadline=$(( $(date +%s) + $3 ))
  until [ "$(requests count "$(ids_of "$2")")" -ge "$1" ]; do
    [ "$(date +%s)" -lt $deadline ] || { echo "the receiver never got $1 requests for $2"; return 1; }
    sleep 0.1
  done
}

# The database, stormops in it, the receiver answering 200, and the worker
# pointed at both: timeout 1 s (so a lease is 6 s), 3 attempts, backoff 200 ms.
webhook_setup() {
  psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  q -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops" >/dev/null
  mode 200
  start_server
  # (the test cluster commits asynchronously for speed; a crash restart would
  # then lose the last commits, which a kill -9 here must not confuse with
  # a lost notification)
  psql -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c "ALTER SYSTEM SET stormops.database = '$db'" -c "ALTER SYSTEM SET stormops.webhook_url = 'http://127.0.0.1:$port/hook'" \
    -c "ALTER SYSTEM SET stormops.webhook_secret = '$secret'" -c "ALTER SYSTEM SET stormops.webhook_timeout = '1s'" \
    -c "ALTER SYSTEM SET stormops.webhook_max_attempts = 3" -c "ALTER SYSTEM SET stormops.webhook_backoff = '200ms'" \
    -c "ALTER SYSTEM SET stormops.poll_interval = '1s'" \
    -c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null
}
# kill_worker: kill -9 of the storm worker's runner, then wait for the restart
kill_worker() {
  local victim
  victim=$(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'stormops storm worker'")
  [ -n "$victim" ] || { echo "no storm worker runner to kill"; return 1; }
  kill -9 $victim
  wait_for_server 30
  echo "$victim"
}
