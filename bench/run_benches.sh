#!/usr/bin/env bash
# The benchmarks on a throwaway cluster, with the stormops already installed
# (bench/run.sh builds and installs it first, then runs this). Run alone when
# the installed build is the one to measure:
#   bash bench/run_benches.sh                    every benchmark
#   BENCH_ONLY=contact_plans bash bench/run_benches.sh   one (a bench/ folder name)
#   BENCH_DURABLE=1 ...                          fsync, synchronous_commit and
#       full_page_writes at PostgreSQL's defaults (on) instead of off
# The first line of output says which of the three the run had.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
source test/tools/cluster.sh
source bench/peers.sh
trap cluster_stop EXIT
trap 'exit 130' INT TERM
# Benchmarks get a realistic memory budget, not the test cluster's defaults;
# pg_cron reaches the cluster on its socket (bench/storm_worker runs a job);
# pg_net is preloaded when ../shared/vendor has it (bench/webhook's peer).
CLUSTER_DURABLE=${BENCH_DURABLE:-} cluster_start "shared_buffers = '2GB'
work_mem = '64MB'
maintenance_work_mem = '512MB'
max_wal_size = '4GB'
cron.host = '@SOCKET_DIR@'
$(peer_settings)"
psql -X -A -t -d postgres -c "SELECT format('settings: fsync=%s synchronous_commit=%s full_page_writes=%s',
  current_setting('fsync'), current_setting('synchronous_commit'), current_setting('full_page_writes'))"
for b in bench/${BENCH_ONLY:-*}/run.sh; do
  [ -e "$b" ] || continue
  echo "== $(basename "$(dirname "$b")")"
  bash "$b"
done
