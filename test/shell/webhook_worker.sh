#!/usr/bin/env bash
# Webhook delivery of the notification outbox (docs/operations.md), on the
# throwaway cluster of run-tests.sh, against a local receiver
# (test/tools/webhook_server.py on 127.0.0.1) that answers 200, 500, 429,
# hangs past the timeout, or is down. Deadlines, not fixed sleeps.
set -euo pipefail
db=stormops_webhook
source "$(dirname "$0")/../tools/webhook_harness.sh"
webhook_setup
if psql -X -q -d postgres -c "ALTER SYSTEM SET stormops.webhook_url = 'ftp://example.com/'" 2>"$work/url.err"; then
  echo "an ftp URL was accepted"; exit 1
fi
grep -q 'must start with http:// or https://' "$work/url.err"
echo "ok - stormops.webhook_url accepts http and https only"

# 1. delivered, signed, each with its own idempotency key
notify 5 ok
wait_for 5 "SELECT count(*) = 5 FROM stormops.notification_outbox WHERE reason LIKE 'ok %' AND status = 'delivered' AND attempts = 1"
[ "$(requests count "$(ids_of ok)")" = 5 ] && [ "$(requests keys "$(ids_of ok)")" = 5 ] && [ "$(requests signed "$(ids_of ok)")" = True ] \
  || { echo "failed in webhook_worker.sh: [ \"\$(requests count \"\$(ids_of ok)\")\" = 5 ] && [ \"\$(requests keys \"\$(ids_of ok)\")\" = 5 ] && [ \"\$(requests signed \"\$(ids_of ok)\")\" = True ]"; exit 1; }
echo "ok - 5 notifications delivered once each, JSON bodies signed with HMAC-SHA256, 5 idempotency keys"

# 2. 500 every time: retried with growing waits, then dead with the last error
mode 500
notify 1 fails
wait_for 15 "SELECT status = 'dead' AND attempts = 3 AND last_error = 'attempt 3: HTTP 500' FROM stormops.notification_outbox WHERE reason LIKE 'fails %'"
n=$(requests count "$(ids_of fails)"); k=$(requests keys "$(ids_of fails)"); w=$(requests waited "$(ids_of fails)" 0.1)
# stormops.webhook_backoff 200 ms, jitter down to half: every retry at least 0.1 s after the one before
[ "$n" = 3 ] && [ "$k" = 1 ] && [ "$w" = True ] \
  || { echo "HTTP 500: $n requests (want 3), $k keys (want 1), waits $(requests gaps "$(ids_of fails)") (want >= 0.1 s each)"; exit 1; }
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
wait_for 10 "SELECT claims = 1 FROM stormops.notification_outbox WHERE reason LIKE 'crash %'"
wait_requests 1 crash 10
victim=$(kill_worker)
mode 200
wait_for 30 "SELECT status = 'delivered' AND attempts = 1 AND claims = 2 AND lost_sends = 1 FROM stormops.notification_outbox WHERE reason LIKE 'crash %'"
[ "$(requests count "$(ids_of crash)")" = 2 ] && [ "$(requests keys "$(ids_of crash)")" = 1 ] \
  || { echo "failed in webhook_worker.sh: [ \"\$(requests count \"\$(ids_of crash)\")\" = 2 ] && [ \"\$(requests keys \"\$(ids_of crash)\")\" = 1 ]"; exit 1; }
echo "ok - after kill -9 between send and record (pid $victim), sent again once with the same idempotency key; 1 attempt recorded, 1 send lost"

# 7. receiver down for a while, then up: every notification arrives, none lost
stop_server
notify 20 down
wait_for 10 "SELECT count(*) = 20 FROM stormops.notification_outbox WHERE reason LIKE 'down %' AND attempts >= 2 AND last_error LIKE '%onnect%'"
start_server
wait_for 20 "SELECT count(*) = 20 FROM stormops.notification_outbox WHERE reason LIKE 'down %' AND status = 'delivered'"
received=$(requests count "$(ids_of down)"); keys=$(requests keys "$(ids_of down)")
echo "receiver down then up: $received requests for 20 notifications, $keys idempotency keys"
[ "$keys" = 20 ] && [ "$received" -ge 20 ] \
  || { echo "failed in webhook_worker.sh: [ \"\$keys\" = 20 ] && [ \"\$received\" -ge 20 ]"; exit 1; }
echo "ok - none lost while the receiver was down; any duplicate carries the same idempotency key"
[ "$(q -c "SELECT notifications_delivered >= 20 FROM stormops.worker_status()")" = t ]   # counted since the crash restart
