#!/usr/bin/env bash
# make demo: show what the seed's plays do on a generated DFW market.
#
# Without PGDATABASE/PGHOST set it installs what is missing, builds, installs,
# runs on a throwaway cluster and removes it. With either set it uses that
# database instead, inside one transaction that is rolled back (DEMO_KEEP=1
# commits it), so an existing installation is left as it was.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

existing=false
if [ -n "${PGDATABASE:-}" ] || [ -n "${PGHOST:-}" ]; then existing=true; fi

bash test/tools/install-deps.sh
source test/tools/cluster.sh
build_and_install "$repo"

if $existing; then
  echo "== using the existing database ${PGDATABASE:-} on ${PGHOST:-local socket}"
  finish=ROLLBACK
  [ "${DEMO_KEEP:-0}" = 1 ] && finish=COMMIT
else
  trap cluster_stop EXIT
  trap 'exit 130' INT TERM
  cluster_start
  psql -q -X -d postgres -c 'CREATE DATABASE stormops_demo'
  export PGDATABASE=stormops_demo
  finish=COMMIT
fi

{
  echo "SET client_min_messages = warning;"
  echo "BEGIN;"
  echo "CREATE EXTENSION IF NOT EXISTS stormops;"
  echo '\o /dev/null'
  cat test/demo/dfw_data.sql test/demo/plays.sql
  echo '\o'
  cat test/demo/summary.sql
  echo "$finish;"
} | psql -X -q -v ON_ERROR_STOP=1 -P pager=off

# The storm worker, on the throwaway cluster only (it is configured with
# ALTER SYSTEM, which an existing server's settings are not for the demo to change).
if ! $existing; then
  psql -X -q -d postgres -c "ALTER SYSTEM SET stormops.database = '$PGDATABASE'" -c "SELECT pg_reload_conf()" >/dev/null
  psql -X -q -v ON_ERROR_STOP=1 -P pager=off -f test/demo/worker.sql
fi
