#!/usr/bin/env bash
# One node against the Citus cluster of three on this same machine (issue 18,
# docs/scaling.md): the same generated market (bench/targeting/generate.sql at
# BENCH_CITUS_SCALE, default 0.2 = 200,000 properties, 400,000 behaviour events) and
# the same workload (workload.sql) on the benchmark cluster, then on a
# coordinator and two workers after stormops.distribute(). Both sides must give
# the same answers. Prints the figures, the time distribute() took, and the
# EXPLAIN of the compiled targeting statement on Citus (which steps run on the
# shards). Skipped when ../shared/vendor has no Citus.
#   BENCH_CITUS_SCALE  data size (default 0.2; 1.0 = 1,000,000 properties)
#   BENCH_RUNS   runs per figure (default 5)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
scale=${BENCH_CITUS_SCALE:-0.2}
runs=${BENCH_RUNS:-5}
db=stormops_bench_citus
cd "$repo"

one_node() {
  source bench/fresh_db.sh
  fresh_bench_db $db with_extension
  psql -X -q -v ON_ERROR_STOP=1 -v scale="$scale" -d $db -f bench/targeting/generate.sql >/dev/null
  echo "== one node (scale $scale: $(psql -X -At -d $db -c "SELECT count(*) FROM stormops.properties") properties, $(psql -X -At -d $db -c "SELECT count(*) FROM stormops.behavior_events") behaviour events)"
  psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -d $db -f bench/citus/workload.sql | tee "$work/one.out"
  psql -X -q -d postgres -c "DROP DATABASE $db"
  trap - EXIT
}

citus_side() {
  source test/tools/citus_cluster.sh
  local rc=0; citus_build >/dev/null || rc=$?
  if [ $rc -eq 77 ]; then echo "== Citus: skipped (no Citus in ../shared/vendor)"; return 0; fi
  [ $rc -eq 0 ] || { echo "Citus could not be built"; return 1; }
  trap 'citus_cluster_stop; rm -rf "$work"' EXIT
  citus_cluster_start "shared_buffers = '512MB'
work_mem = '64MB'
fsync = off
synchronous_commit = off
full_page_writes = off" >/dev/null
  psql -X -q -v ON_ERROR_STOP=1 -v scale="$scale" -f bench/targeting/generate.sql >/dev/null
  local t0; t0=$(date +%s.%N)
  psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "SELECT count(*) FROM stormops.distribute()" >/dev/null
  echo "== Citus: a coordinator and 2 workers on this machine, $(psql -X -At -c "SHOW citus.shard_count") shards per distributed table"
  echo "distribute() took $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s (copying the data into the shards)"
  psql -X -q -c "ANALYZE" >/dev/null
  psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -f bench/citus/workload.sql | tee "$work/citus.out"
  echo "== EXPLAIN of the compiled statement of the first question, on Citus"
  psql -X -At -c "SELECT stormops.compile_targeting('{\"physics\": {\"min_sii_score\": 60, \"max_days_since_storm\": 14}, \"geography\": {\"zips\": [\"75034\", \"75035\"]}}', 'noaa_ep_135504_hail', '2019-03-27 12:00:00-05')" > "$work/compiled.sql"
  psql -X -q -c "EXPLAIN (COSTS OFF) $(cat "$work/compiled.sql")"
  if [ "$(grep '^ answer' "$work/one.out")" = "$(grep '^ answer' "$work/citus.out")" ]; then
    echo "same answers on one node and on Citus"
  else
    echo "DIFFERENT ANSWERS"; diff <(grep '^ answer' "$work/one.out") <(grep '^ answer' "$work/citus.out") || true; return 1
  fi
}

work=$(mktemp -d)
one_node
citus_side
