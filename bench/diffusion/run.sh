#!/usr/bin/env bash
# Diffusion (docs/performance.md, "Diffusion"): the neighbour graph and the
# scores over the 1,000,000-property market of bench/targeting/generate.sql,
# plus 20,000 referrals, against what a careful user would write instead in
# the same run: a plain SQL nearest-neighbour query (CROSS JOIN LATERAL ...
# ORDER BY distance LIMIT k over the (lat, lon) index, the same distance
# function) inserting the same pairs. The peer runs on a sample of
# properties and is scaled to the market (stated in its figure); its pairs
# are first checked equal to ours for the sample.
#   BENCH_RUNS    timed runs per figure (default 3)
#   BENCH_SCALE   market size, 1.0 = 1,000,000 properties (default)
#   BENCH_SAMPLE  properties the peer query runs for (default 20000)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
db=stormops_bench_diffusion
source "$repo/bench/fresh_db.sh"
fresh_bench_db $db with_extension
export PGDATABASE=$db

start=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 -v scale="${BENCH_SCALE:-1.0}" -f "$repo/bench/targeting/generate.sql" >/dev/null
echo "market loaded in $(( $(date +%s) - start )) s: $(psql -X -At -c 'SELECT count(*) FROM stormops.properties') properties"
psql -X -q -v ON_ERROR_STOP=1 -v runs="${BENCH_RUNS:-3}" -v sample="${BENCH_SAMPLE:-20000}" \
  -f "$repo/bench/diffusion/diffusion.sql"
