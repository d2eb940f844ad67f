# Sourced by the benchmarks' run.sh: fresh_bench_db NAME [with_extension]
# (re)creates database NAME on the running cluster, drops it again when the
# script exits, and with a second argument creates the extension in it.
fresh_bench_db() {
  local db=$1
  psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  # shellcheck disable=SC2064  # expand $db now
  trap "psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS $db' >/dev/null 2>&1" EXIT
  if [ -n "${2:-}" ]; then
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops" >/dev/null
  fi
}
