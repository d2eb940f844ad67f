#!/usr/bin/env bash
# The control plane's views and the example app's queries
# (docs/control-plane.md): a database with the demo's market, storm and
# plays plus test/python/control_plane_fixture.sql (guardrail history, the
# storm's runs, a morning of contacts, an imported campaign, a competitor
# permit, notifications in every delivery state), then every function of
# examples/streamlit/queries.py through Debian's python3-psycopg
# (test/python/test_control_plane_queries.py, TAP). app.py itself needs
# Streamlit, which Debian does not package: it is compiled, not run.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
if ! /usr/bin/python3 -c 'import psycopg' 2>/dev/null; then
  echo "not ok - python3-psycopg is not installed (test/tools/install-deps.sh installs it)"
  exit 1
fi
export PGDATABASE=stormops_control_plane
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$PGDATABASE'" >/dev/null 2>&1' EXIT
{ echo "SET client_min_messages = warning; CREATE EXTENSION stormops;"; echo '\o /dev/null'
  cat "$repo/test/demo/dfw_data.sql" "$repo/test/demo/time_zones.sql" "$repo/test/demo/plays.sql" \
      "$repo/test/python/control_plane_fixture.sql"; } | psql -X -q -v ON_ERROR_STOP=1 >/dev/null
/usr/bin/python3 "$repo/test/python/test_control_plane_queries.py"
