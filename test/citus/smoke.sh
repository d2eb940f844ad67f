#!/usr/bin/env bash
# The Citus test cluster (test/tools/citus_cluster.sh) comes up: a coordinator
# with two active workers, and stormops installed on all three nodes. Exits 77
# (skipped) when ../shared/vendor has no Citus.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
source "$repo/test/tools/citus_cluster.sh"
rc=0; citus_build || rc=$?
if [ $rc -eq 77 ]; then echo "skipped: no Citus in ../shared/vendor"; exit 77; fi
[ $rc -eq 0 ] || { echo "Citus could not be built or installed"; exit 1; }
trap citus_cluster_stop EXIT
citus_cluster_start
q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }
workers=$(q -c "SELECT count(*) FROM citus_get_active_worker_nodes()")
[ "$workers" = 2 ] || { echo "expected 2 active workers, got $workers"; exit 1; }
# the workers the coordinator knows are the ones this cluster started
known=$(q -c "SELECT string_agg(node_port::text, ' ' ORDER BY node_port) FROM citus_get_active_worker_nodes()")
[ "$known" = "$(tr ' ' '\n' <<<"$CITUS_WORKER_PORTS" | sort -n | paste -sd' ')" ] \
  || { echo "active workers at ports $known, started $CITUS_WORKER_PORTS"; exit 1; }
for port in "$PGPORT" $CITUS_WORKER_PORTS; do
  v=$(q -p "$port" -c "SELECT extversion FROM pg_extension WHERE extname = 'stormops'")
  [ -n "$v" ] || { echo "stormops is not installed on the node at port $port"; exit 1; }
  [ "$(q -p "$port" -c "SELECT count(*) FROM pg_extension WHERE extname IN ('citus', 'pg_cron')")" = 2 ] \
    || { echo "citus or pg_cron missing on the node at port $port"; exit 1; }
done
# every node answers through Citus from the coordinator
[ "$(q -c "SELECT count(*) FROM run_command_on_all_nodes(\$\$SELECT extversion FROM pg_extension WHERE extname = 'stormops'\$\$) WHERE success AND result = '$v'")" = 3 ] \
  || { echo "run_command_on_all_nodes does not see stormops $v on all three nodes"; exit 1; }
echo "Citus cluster of three (coordinator $PGPORT, workers $CITUS_WORKER_PORTS): 2 active workers, stormops $v on every node"
