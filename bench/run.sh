#!/usr/bin/env bash
# make bench: every benchmark on a throwaway cluster. Each prints its figures
# next to a baseline measured in the same run, as a ratio.
#   BENCH_ONLY=contact_plans make bench    one benchmark (a bench/ folder name)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash test/tools/install-deps.sh bench
source test/tools/cluster.sh
source bench/peers.sh
build_and_install "$repo"
trap cluster_stop EXIT
trap 'exit 130' INT TERM
# Benchmarks get a realistic memory budget, not the test cluster's defaults.
cluster_start "shared_buffers = '2GB'
work_mem = '64MB'
maintenance_work_mem = '512MB'
max_wal_size = '4GB'
$(peer_settings)"
for b in bench/${BENCH_ONLY:-*}/run.sh; do
  [ -e "$b" ] || continue
  echo "== $(basename "$(dirname "$b")")"
  bash "$b"
done
