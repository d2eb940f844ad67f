# Sourced by the workers' shell tests: waiting with deadlines, not fixed
# sleeps. Queries go to the database in $db.
#   q ARGS...               psql on $db, unaligned, stopping on errors
#   wait_for SECONDS SQL    until SQL returns t; else print SQL, run
#                           "$on_timeout" (a query that shows the state, if set) and fail
#   wait_for_server SECONDS until the server accepts connections again
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
wait_for() {
  local deadline=$(( $(date +%s) + $1 ))
  until [ "$(q -c "$2" 2>/dev/null)" = t ]; do
    if [ "$(date +%s)" -ge $deadline ]; then
      echo "timed out after $1 s waiting for: $2"
      [ -z "${on_timeout:-}" ] || q -c "$on_timeout" || true
      return 1
    fi
    sleep 0.1
  done
}
wait_for_server() {
  local deadline=$(( $(date +%s) + $1 ))
  until psql -X -At -d postgres -c 'SELECT 1' >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge $deadline ]; then echo "server not back after $1 s"; return 1; fi
    sleep 0.2
  done
}
