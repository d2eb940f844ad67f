#!/usr/bin/env bash
# Webhook delivery: stormops' webhook worker against pg_net (the peer, built
# from ../shared/vendor by bench/peers.sh and preloaded by make bench's
# cluster), each given the same N payloads committed at once, timed from the
# commit until a query sees every outcome (bench/webhook/senders.sh). Both
# senders have the same timeout, 5 s (the default of each).
#
#  1. nginx from Debian answering 200 (bench/webhook/receivers.sh): the
#     receiver is not the bottleneck, so the figure measures the senders.
#     Same-run baseline: that receiver alone, N POSTs from ab (apache2-utils,
#     a C client: 100 at once, keep-alive, as stormops' window of 100).
#     pg_net at its default pg_net.batch_size and at a large one; the large
#     one twice: with the open-file limit its worker was started with, and
#     with that limit raised to the hard limit ('files+'), since each
#     request in a batch holds a socket.
#  2. test/tools/webhook_server.py hanging (30 s) on every tenth request it
#     receives, past the timeout.
#  3. the same receiver down (connection refused) for 10 s from the commit.
#     2 and 3 count what each sender loses: stormops retries from its outbox
#     with backoff, so it is waited for (BENCH_RETRY_WAIT s from the commit)
#     and its delivered/dead/pending reported; pg_net does not retry, so
#     every response that is not a 200 is a notification lost.
# Each figure is the median of BENCH_RUNS runs per sender, the senders
# taking turns. Needs stormops preloaded (make bench's cluster); pg_net is
# measured when it is preloaded too (bench/peers.sh: peer_settings).
#   BENCH_NOTIFICATIONS (default 5000), BENCH_RUNS (3),
#   BENCH_WEBHOOK_TIMEOUT_MS (5000), BENCH_PGNET_BATCH (5000),
#   BENCH_RETRY_WAIT (120), BENCH_WEBHOOK_CASES ("nginx hang down": which)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/bench/webhook
n=${BENCH_NOTIFICATIONS:-5000}
runs=${BENCH_RUNS:-3}
timeout_ms=${BENCH_WEBHOOK_TIMEOUT_MS:-5000}
big_batch=${BENCH_PGNET_BATCH:-5000}
retry_wait=${BENCH_RETRY_WAIT:-120}
cases=" ${BENCH_WEBHOOK_CASES:-nginx hang down} "
down_s=10
pgnet_wait=300   # pg_net answers every request (its timeout): a bound, not a wait
db=stormops_bench_webhook
bash "$repo/test/tools/install-deps.sh" bench
source "$repo/bench/fresh_db.sh"
source "$here/receivers.sh"
source "$here/senders.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-bench-webhook.XXXXXX")
receiver_dir "$work"
pgnet_db="" pgnet_made=false
cleanup() {
  receivers_stop
  settings_reset
  if [ -n "$pgnet_db" ]; then
    if [ -n "${pgnet_soft:-}" ]; then pgnet_nofile "$pgnet_soft" >/dev/null 2>&1 || true; fi
    psql -X -q -d "$pgnet_db" -c "DROP TABLE IF EXISTS webhook_payloads" >/dev/null 2>&1 || true
    if $pgnet_made; then psql -X -q -d "$pgnet_db" -c "DROP EXTENSION IF EXISTS pg_net" >/dev/null 2>&1 || true; fi
  fi
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
fresh_bench_db $db with_extension
trap cleanup EXIT

psql -X -q -v ON_ERROR_STOP=1 -d $db <<SQL
CREATE TABLE webhook_payloads AS
SELECT i, jsonb_build_object('kind', 'escalation', 'property_id', 'p' || i, 'reason', 'bench') AS payload
  FROM generate_series(1, $n) i;
-- stormops' outbox as the bursts before leave it: notifications delivered
-- and kept; analyzed before each run (bench/webhook/senders.sh)
INSERT INTO stormops.notification_outbox (kind, reason, payload, status, attempts, claims, delivered_at)
SELECT 'escalation', 'earlier ' || i, payload, 'delivered', 1, 1, now() FROM webhook_payloads;
ALTER TABLE stormops.notification_outbox SET (autovacuum_enabled = off);
CREATE TABLE webhook_runs (receiver text, sender text, run int, seconds float8, delivered int,
                           failed int, pending int, received int, detail text, queued_ms float8);
SQL

senders=(stormops)
if psql -X -At -d postgres -c "SHOW shared_preload_libraries" | grep -qw pg_net; then
  pgnet_db=$(psql -X -At -d postgres -c "SHOW pg_net.database_name")
  if [ "$(psql -X -At -d "$pgnet_db" -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_net'")" = 0 ]; then
    pgnet_made=true
    psql -X -q -v ON_ERROR_STOP=1 -d "$pgnet_db" -c "CREATE EXTENSION pg_net" -c "SELECT net.wait_until_running()" >/dev/null
  fi
  pgnet_default=$(psql -X -At -d postgres -c "SELECT boot_val FROM pg_settings WHERE name = 'pg_net.batch_size'")
  psql -X -q -v ON_ERROR_STOP=1 -d "$pgnet_db" -c "DROP TABLE IF EXISTS webhook_payloads" \
    -c "CREATE TABLE webhook_payloads (i int, payload jsonb)"
  psql -X -q -v ON_ERROR_STOP=1 -d $db -c "\\copy webhook_payloads TO STDOUT" \
    | psql -X -q -v ON_ERROR_STOP=1 -d "$pgnet_db" -c "\\copy webhook_payloads FROM STDIN"
  senders+=("pg_net:$pgnet_default" "pg_net:$big_batch")
  # the worker's sockets count against its open-file limit (the soft limit
  # the server was started with, 1,024 under runuser or systemd); a second
  # large batch with it raised to the hard limit, as a user would in systemd
  # (LimitNOFILE) once the first has failed
  read -r pgnet_soft pgnet_hard < <(pgnet_limits)
  if [ "$pgnet_hard" != "$pgnet_soft" ] && pgnet_nofile "$pgnet_soft" 2>/dev/null; then
    senders+=("pg_net:$big_batch:nofile")
    echo "pg_net's worker may open $pgnet_soft files (its soft limit); 'files+': raised to its hard limit, $pgnet_hard, with prlimit"
  fi
  echo "pg_net $(psql -X -At -d "$pgnet_db" -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_net'") in database $pgnet_db, batch_size $pgnet_default (its default) and $big_batch"
else
  echo "pg_net is not preloaded (make bench preloads it when bench/peers.sh can build it from ../shared/vendor): stormops alone"
fi
echo "$n notifications a run, $runs runs per sender; timeout ${timeout_ms} ms for both senders"

record() {   # record RECEIVER SENDER RUN RECEIVED "seconds|delivered|failed|pending|detail" [QUEUED_MS]
  local seconds delivered failed pending detail
  IFS='|' read -r seconds delivered failed pending detail <<<"$5"
  psql -X -q -v ON_ERROR_STOP=1 -d $db -v receiver="$1" -v sender="$2" -v detail="$detail" <<SQL
INSERT INTO webhook_runs VALUES (:'receiver', :'sender', $3, $seconds, $delivered, $failed, $pending, $4, :'detail', ${6:-NULL});
SQL
}

# the receiver alone: n POSTs from ab, 100 at once; AB_OPTIONS -k: over
# kept-alive connections (ab's HTTP/1.0 keep-alive: nginx, not the Python
# receiver, which leaves ab waiting)
receiver_alone() {   # receiver_alone RECEIVER URL [AB_OPTION...]
  local r out receiver=$1 url=$2
  shift 2
  echo '{"kind": "escalation", "reason": "baseline", "property_id": "p0"}' >"$work/body.json"
  for r in $(seq 1 "$runs"); do
    out=$(ab "$@" -q -n "$n" -c 100 -p "$work/body.json" -T application/json "$url")
    record "$receiver" "ab" "$r" "$n" "$(awk -v n="$n" '/^Time taken for tests/ {s = $5} /^Failed requests/ {f = $3} /^Non-2xx responses/ {x = $3}
      END {printf "%s|%d|%d|0|%d failed, %d not 2xx", s, n - f - x, f + x, f, x}' <<<"$out")"
  done
}

# one run of every sender against the receiver at URL; COUNT prints the
# requests the receiver logged; DOWN: the receiver is stopped for down_s
# seconds from the commit (the python receiver)
one_round() {   # one_round RECEIVER URL COUNT RUN [down]
  local receiver=$1 url=$2 count=$3 run=$4 down=${5:-} s sender limit t0 queued mark before pause
  for s in "${senders[@]}"; do
    sender=${s%%:*}
    limit=$retry_wait
    if [ "$sender" = pg_net ]; then
      limit=$pgnet_wait
      pgnet_batch "$(cut -d: -f2 <<<"$s")"
      if [ "${s##*:}" = nofile ]; then pgnet_nofile "$pgnet_hard"; else pgnet_nofile "$pgnet_soft"; fi
    fi
    if [ -n "$down" ]; then receiver_stop "$python_pid"; fi
    before=$($count "$work")
    IFS='|' read -r t0 queued mark <<<"$(send "$sender" "$url")"
    if [ -n "$down" ]; then
      outcome "$sender" "$t0" "$limit" "$mark" >"$work/outcome" &
      local waiter=$!
      pause=$(awk -v t0="$t0" -v now="$(date +%s.%N)" -v d="$down_s" 'BEGIN {p = t0 + d - now; print (p > 0 ? p : 0)}')
      sleep "$pause"
      python_start "$work" "$python_port"
      wait "$waiter"
      record "$receiver" "$s" "$run" $(( $($count "$work") - before )) "$(cat "$work/outcome")" "$queued"
    else
      record "$receiver" "$s" "$run" 0 "$(outcome "$sender" "$t0" "$limit" "$mark")" "$queued"
      psql -X -q -d $db -c "UPDATE webhook_runs SET received = $(( $($count "$work") - before )) WHERE receiver = '$receiver' AND sender = '$s' AND run = $run"
    fi
  done
}

summary() {   # summary RECEIVER: medians, and each peer against stormops
  psql -X -q -At -v ON_ERROR_STOP=1 -d $db -v receiver="$1" <<'SQL'
CREATE TEMP TABLE m AS
  SELECT sender, count(*) AS runs,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS seconds,
         string_agg(round(seconds::numeric, 2)::text, ', ' ORDER BY run) AS each,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY delivered) AS delivered,
         string_agg(delivered::text, ', ' ORDER BY run) AS delivered_each,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY n - delivered) AS lost,
         string_agg(failed || '/' || pending, ', ' ORDER BY run) AS failed_pending,
         string_agg(received::text, ', ' ORDER BY run) AS received_each,
         (array_agg(detail ORDER BY run DESC))[1] AS last_detail,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY queued_ms) AS queued_ms
    FROM webhook_runs, LATERAL (SELECT count(*) AS n FROM webhook_payloads) p
   WHERE receiver = :'receiver' GROUP BY sender;
SELECT format('  %-30s %8s s, %6s delivered per second (median of %s: %s s); delivered %s (each run) of %s, not delivered %s (median); %s %s; the receiver logged %s;%s last run: %s',
              CASE WHEN sender = 'ab' THEN 'receiver alone (ab)' WHEN sender LIKE 'pg_net:%' THEN 'peer pg_net batch ' || split_part(sender, ':', 2)
                                || CASE WHEN sender LIKE '%:nofile' THEN ' files+' ELSE '' END ELSE sender END,
              round(seconds::numeric, 2), round((delivered / nullif(seconds, 0))::numeric), runs, each,
              delivered_each, (SELECT count(*) FROM webhook_payloads), lost,
              CASE WHEN sender = 'stormops' THEN 'dead/pending' WHEN sender = 'ab' THEN 'failed/-' ELSE 'failed/unanswered' END,
              failed_pending, received_each, ' queued in ' || round(queued_ms::numeric) || ' ms;', last_detail)
  FROM m ORDER BY sender = 'ab' DESC, sender = 'stormops' DESC, length(sender), sender;
SELECT format('  ratio stormops / %-24s time to every outcome %s; not delivered %s against %s',
              CASE WHEN p.sender = 'ab' THEN 'receiver alone' ELSE 'pg_net batch ' || split_part(p.sender, ':', 2)
                                || CASE WHEN p.sender LIKE '%:nofile' THEN ' files+' ELSE '' END END,
              round((s.seconds / nullif(p.seconds, 0))::numeric, 2), s.lost, p.lost)
  FROM m s, m p WHERE s.sender = 'stormops' AND p.sender <> 'stormops'
 ORDER BY p.sender = 'ab' DESC, length(p.sender), p.sender;
SQL
}

if [[ $cases == *" nginx "* ]]; then
  echo "== nginx answering 200: the senders' own speed"
  nginx_port=$(free_port)
  nginx_start "$work" "$nginx_port"
  nginx_url="http://127.0.0.1:$nginx_port/hook"
  receiver_alone nginx "$nginx_url" -k
  stormops_point "$nginx_url"
  for r in $(seq 1 "$runs"); do one_round nginx "$nginx_url" nginx_requests "$r"; done
  summary nginx
  receiver_stop "$nginx_pid"
fi

[[ $cases == *" hang "* || $cases == *" down "* ]] || exit 0
python_port=$(free_port)
python_url="http://127.0.0.1:$python_port/hook"
echo 200 >"$work/mode"
python_start "$work" "$python_port"
stormops_point "$python_url"
if [[ $cases == *" hang "* ]]; then
  echo "== the Python receiver hanging (30 s) on every tenth request, past the ${timeout_ms} ms timeout; stormops waited for up to ${retry_wait} s"
  echo hang1in10 >"$work/mode"
  for r in $(seq 1 "$runs"); do one_round hang1in10 "$python_url" python_requests "$r"; done
  summary hang1in10
  echo 200 >"$work/mode"
fi
if [[ $cases == *" down "* ]]; then
  echo "== the Python receiver down (connection refused) for ${down_s} s from the commit; stormops waited for up to ${retry_wait} s"
  for r in $(seq 1 "$runs"); do one_round down "$python_url" python_requests "$r" down; done
  summary down
fi
echo "== the Python receiver alone, answering 200 (for the cases above): a new connection for each request"
receiver_alone python "$python_url"
summary python
