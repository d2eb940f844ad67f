#!/usr/bin/env bash
# Webhook deliveries per second to a local receiver (test/tools/webhook_server.py
# on 127.0.0.1, Python's threading HTTP server): 5,000 notifications committed
# at once, timed from the commit until the last is recorded delivered. Then
# the same with every tenth request hanging past the timeout (1 s here), to
# show what a slow receiver costs. Needs stormops preloaded (make bench's
# cluster). Same-run baseline: the receiver alone, the same number of POSTs
# from one Python client with 100 threads, which bounds what any sender can
# get out of this receiver on this machine.
#   BENCH_NOTIFICATIONS (default 5000)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
n=${BENCH_NOTIFICATIONS:-5000}
db=stormops_bench_webhook
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-bench-webhook.XXXXXX")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
source "$repo/bench/fresh_db.sh"
fresh_bench_db $db with_extension
settings="stormops.database stormops.webhook_url stormops.webhook_secret stormops.webhook_timeout"
trap "kill \$server 2>/dev/null; for s in $settings; do psql -X -q -d postgres -c \"ALTER SYSTEM RESET \$s\" >/dev/null 2>&1; done;
      psql -X -q -d postgres -c 'SELECT pg_reload_conf()' >/dev/null 2>&1; psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS $db' >/dev/null 2>&1; rm -rf '$work'" EXIT
echo 200 > "$work/mode"
python3 "$repo/test/tools/webhook_server.py" "$port" "$work/mode" "$work/requests.jsonl" bench-secret &
server=$!
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do sleep 0.1; done

# the receiver alone: n POSTs from 100 client threads
python3 - "$port" "$n" <<'PY'
import json, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
port, n = int(sys.argv[1]), int(sys.argv[2])
body = json.dumps({"kind": "escalation", "reason": "baseline"}).encode()
def post(i):
    req = urllib.request.Request("http://127.0.0.1:%d/hook" % port, data=body, method="POST",
                                 headers={"Content-Type": "application/json", "X-Stormops-Notification": str(-i)})
    urllib.request.urlopen(req, timeout=10).read()
t0 = time.time()
with ThreadPoolExecutor(100) as pool:
    list(pool.map(post, range(1, n + 1)))
dt = time.time() - t0
print("baseline: the receiver alone, %d POSTs from 100 Python threads: %.2f s, %.0f per second" % (n, dt, n / dt))
PY

psql -X -q -d postgres -c "ALTER SYSTEM SET stormops.database = '$db'" \
  -c "ALTER SYSTEM SET stormops.webhook_url = 'http://127.0.0.1:$port/hook'" \
  -c "ALTER SYSTEM SET stormops.webhook_secret = 'bench-secret'" -c "ALTER SYSTEM SET stormops.webhook_timeout = '1s'" \
  -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
measure() {   # measure LABEL
  psql -X -q -At -v ON_ERROR_STOP=1 -d $db <<SQL
DELETE FROM stormops.notification_outbox;
INSERT INTO stormops.notification_outbox (kind, reason, payload)
SELECT 'escalation', 'bench ' || i, jsonb_build_object('kind', 'escalation', 'property_id', 'p' || i, 'reason', 'bench')
  FROM generate_series(1, $n) i;
SELECT clock_timestamp() AS t0 \gset
DO \$\$
BEGIN
  FOR i IN 1..6000 LOOP
    -- every notification attempted once and its outcome recorded
    EXIT WHEN NOT EXISTS (SELECT FROM stormops.notification_outbox WHERE status = 'pending' AND last_error IS NULL);
    EXIT WHEN (SELECT count(*) FROM stormops.notification_outbox WHERE status = 'delivered') = $n;
    PERFORM pg_sleep(0.05);
  END LOOP;
END \$\$;
SELECT format('%s: %s notifications, %s delivered, %s waiting for a retry; %s s from the commit until every first attempt was recorded, %s delivered per second',
              '$1', count(*), count(*) FILTER (WHERE status = 'delivered'), count(*) FILTER (WHERE status = 'pending'),
              round(extract(epoch FROM max(coalesce(delivered_at, clock_timestamp())) - :'t0'::timestamptz)::numeric, 2),
              round(count(*) FILTER (WHERE status = 'delivered') / extract(epoch FROM max(delivered_at) - :'t0'::timestamptz)::numeric))
  FROM stormops.notification_outbox;
SQL
}
measure "every request answered"
psql -X -q -At -d $db -c "SELECT '  first errors: ' || coalesce(string_agg(DISTINCT last_error, '; '), 'none') FROM stormops.notification_outbox WHERE status = 'pending'"
echo hang10 > "$work/mode"
measure "every tenth request hanging past the 1 s timeout"
