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
  cat test/demo/dfw_data.sql test/demo/time_zones.sql test/demo/plays.sql
  echo '\o'
  cat test/demo/summary.sql test/demo/contact_plans.sql test/demo/variants.sql test/demo/retrospectives.sql test/demo/learning.sql test/demo/diffusion.sql
  echo "$finish;"
} | psql -X -q -v ON_ERROR_STOP=1 -P pager=off

# The Hillstrom e-mail test as two imported campaigns (docs/retrospectives.md),
# on the throwaway cluster only (it commits), when the public data is there.
if ! $existing; then
  echo
  echo "== An imported experiment: Hillstrom's MineThatData e-mail test (64,000 customers), two plays sharing one control"
  if [ -r ../shared/data/uplift/hillstrom.csv ]; then
    echo "-- published: visit 18.28 / 15.14 / 10.62 %, conversion 1.253 / 0.884 / 0.573 %, spend \$1.42 / \$1.08 / \$0.65"
    bin/stormops-load hillstrom ../shared/data/uplift/hillstrom.csv | sed -n '/playbook_name/,$p'
  else
    echo "-- skipped: ../shared/data/uplift/hillstrom.csv is not there"
  fi
fi

# The storm worker, on the throwaway cluster only (it is configured with
# ALTER SYSTEM, which an existing server's settings are not for the demo to change).
# A local receiver on 127.0.0.1 stands in for the webhook endpoint.
if ! $existing; then
  hooks=$(mktemp -d "${TMPDIR:-/tmp}/stormops-demo-hooks.XXXXXX")
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo 200 > "$hooks/mode"
  python3 test/tools/webhook_server.py "$port" "$hooks/mode" "$hooks/requests.jsonl" demo-secret &
  receiver=$!
  trap 'kill $receiver 2>/dev/null; rm -rf "$hooks"; cluster_stop' EXIT
  until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do sleep 0.1; done
  psql -X -q -d postgres -c "ALTER SYSTEM SET stormops.database = '$PGDATABASE'" \
    -c "ALTER SYSTEM SET stormops.webhook_url = 'http://127.0.0.1:$port/stormops'" \
    -c "ALTER SYSTEM SET stormops.webhook_secret = 'demo-secret'" -c "SELECT pg_reload_conf()" >/dev/null
  psql -X -q -v ON_ERROR_STOP=1 -P pager=off -f test/demo/worker.sql
  echo "-- what the receiver at http://127.0.0.1:$port/stormops got:"
  python3 - "$hooks/requests.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print("   notification %s, attempt %s, Idempotency-Key %s, signature %s" %
          (r["notification"], r["attempt"], r["key"], "valid" if r["signature_ok"] else "INVALID"))
PY
fi
