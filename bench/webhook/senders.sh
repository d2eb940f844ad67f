# Sourced by bench/webhook/run.sh: the two senders, each given the same
# payloads (the table webhook_payloads, made once in the bench database and
# copied to pg_net's) and timed the same way: from the commit that queues
# them until a query sees every outcome (polled every 50 ms).
# Needs: db, pgnet_db, n, timeout_ms set by the caller.
#   stormops_point URL              the webhook worker at URL (ALTER SYSTEM, reload)
#   pgnet_batch SIZE                pg_net.batch_size (ALTER SYSTEM, reload)
#   pgnet_limits                    the pg_net worker's limits of open files
#                                   (its sockets count): soft and hard
#   pgnet_nofile SOFT               sets its soft limit
#   send SENDER URL                 queues the payloads in one transaction
#                                   (SENDER stormops or pg_net); prints the
#                                   commit time (epoch seconds)|how long the
#                                   queueing statement took (ms)|the outbox's
#                                   last notification_id before them (stormops)
#   outcome SENDER T0 LIMIT_S MARK  waits until every notification has its
#                                   outcome or LIMIT_S seconds from T0 went by;
#                                   prints seconds|delivered|dead or failed|
#                                   pending|detail
#   settings_reset                  the settings changed here, reset (EXIT trap)

changed_settings="stormops.database stormops.webhook_url stormops.webhook_secret stormops.webhook_timeout pg_net.batch_size"

stormops_point() {
  psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "ALTER SYSTEM SET stormops.database = '$db'" \
    -c "ALTER SYSTEM SET stormops.webhook_url = '$1'" \
    -c "ALTER SYSTEM SET stormops.webhook_secret = 'bench-secret'" \
    -c "ALTER SYSTEM SET stormops.webhook_timeout = '${timeout_ms}ms'" \
    -c "SELECT pg_reload_conf()" >/dev/null
  sleep 1
}

pgnet_batch() {
  psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "ALTER SYSTEM SET pg_net.batch_size = $1" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 1
}

pgnet_worker() {
  psql -X -At -d "$pgnet_db" -c "SELECT pid FROM pg_stat_activity WHERE backend_type LIKE 'pg_net%'"
}

pgnet_limits() {
  awk '/^Max open files/ {print $4, $5}' "/proc/$(pgnet_worker)/limits"
}

pgnet_nofile() {   # as the server's user: root here may lack CAP_SYS_RESOURCE
  local pid user
  pid=$(pgnet_worker)
  user=$(stat -c %U "/proc/$pid")
  if [ "$(id -u)" -eq 0 ] && [ "$user" != root ]; then
    setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups -- prlimit --pid "$pid" --nofile="$1:"
  else
    prlimit --pid "$pid" --nofile="$1:"
  fi
}

settings_reset() {
  local s
  for s in $changed_settings; do psql -X -q -d postgres -c "ALTER SYSTEM RESET $s" >/dev/null 2>&1 || true; done
  psql -X -q -d postgres -c 'SELECT pg_reload_conf()' >/dev/null 2>&1 || true
}

send() {
  case $1 in
    stormops)
      psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<SQL
-- the outbox as it is between bursts: earlier notifications delivered
-- (kept, as stormops keeps them), analyzed (as autovacuum would, which the
-- bench turns off for it so that it cannot analyze during a run); what a
-- run cut short left undelivered is counted already
DELETE FROM stormops.notification_outbox WHERE status <> 'delivered';
ANALYZE stormops.notification_outbox;
SELECT coalesce(max(notification_id), 0) AS mark FROM stormops.notification_outbox \\gset
SELECT clock_timestamp() AS q0 \\gset
INSERT INTO stormops.notification_outbox (kind, reason, payload)
SELECT 'escalation', 'bench ' || i, payload FROM webhook_payloads ORDER BY i;
SELECT extract(epoch FROM clock_timestamp()), round(extract(epoch FROM clock_timestamp() - :'q0')::numeric * 1000, 1), :mark;
SQL
      ;;
    pg_net)
      # what a careful user writes: one http_post per payload, one commit,
      # the same timeout; the notification's number as a header
      psql -X -q -At -v ON_ERROR_STOP=1 -d "$pgnet_db" <<SQL
TRUNCATE net.http_request_queue, net._http_response;
SELECT clock_timestamp() AS q0 \\gset
SELECT count(net.http_post('$2', payload,
                           headers => jsonb_build_object('Content-Type', 'application/json', 'X-Stormops-Notification', i::text),
                           timeout_milliseconds => $timeout_ms)) AS queued
  FROM webhook_payloads \\g /dev/null
SELECT extract(epoch FROM clock_timestamp()), round(extract(epoch FROM clock_timestamp() - :'q0')::numeric * 1000, 1), 0;
SQL
      ;;
  esac
}

outcome() {
  local sender=$1 t0=$2 limit=$3 mark=${4:-0}
  case $sender in
    stormops)
      psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<SQL
DO \$\$
BEGIN
  WHILE clock_timestamp() < to_timestamp($t0) + make_interval(secs => $limit)
        AND EXISTS (SELECT FROM stormops.notification_outbox WHERE status = 'pending' AND notification_id > $mark) LOOP
    PERFORM pg_sleep(0.05);
  END LOOP;
END \$\$;
SELECT concat_ws('|', round(extract(epoch FROM clock_timestamp() - to_timestamp($t0))::numeric, 2),
                 count(*) FILTER (WHERE status = 'delivered'), count(*) FILTER (WHERE status = 'dead'),
                 count(*) FILTER (WHERE status = 'pending'),
                 format('%s requests recorded, up to %s attempts for one', sum(attempts), max(attempts)))
  FROM stormops.notification_outbox WHERE notification_id > $mark;
SQL
      ;;
    pg_net)
      psql -X -q -At -v ON_ERROR_STOP=1 -d "$pgnet_db" <<SQL
DO \$\$
BEGIN
  WHILE clock_timestamp() < to_timestamp($t0) + make_interval(secs => $limit)
        AND (SELECT count(*) FROM net._http_response) < $n LOOP
    PERFORM pg_sleep(0.05);
  END LOOP;
END \$\$;
SELECT concat_ws('|', round(extract(epoch FROM clock_timestamp() - to_timestamp($t0))::numeric, 2),
                 count(*) FILTER (WHERE status_code = 200), count(*) FILTER (WHERE status_code IS DISTINCT FROM 200),
                 $n - count(*),
                 format('%s timed out, %s other errors, %s other statuses%s', count(*) FILTER (WHERE timed_out),
                        count(*) FILTER (WHERE error_msg IS NOT NULL AND NOT coalesce(timed_out, false)),
                        count(*) FILTER (WHERE status_code <> 200),
                        ': ' || (SELECT string_agg(e || ' x' || k, '; ' ORDER BY k DESC)
                                   FROM (SELECT split_part(error_msg, '.', 1) AS e, count(*) AS k FROM net._http_response
                                          WHERE error_msg IS NOT NULL GROUP BY 1) errors)))
  FROM net._http_response;
SQL
      ;;
  esac
}
