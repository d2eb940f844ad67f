#!/usr/bin/env bash
# make bench: every benchmark on a throwaway cluster. Each prints its figures
# next to a baseline measured in the same run, as a ratio.
#   BENCH_ONLY=contact_plans make bench    one benchmark (a bench/ folder name)
#   BENCH_DURABLE=1 make bench             fsync, synchronous_commit and
#       full_page_writes at PostgreSQL's defaults (on) instead of off
# Builds and installs the extension, then runs bench/run_benches.sh (which
# starts the cluster, prints its settings and runs the benchmarks).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash test/tools/install-deps.sh bench
source test/tools/cluster.sh
build_and_install "$repo"
exec bash bench/run_benches.sh
