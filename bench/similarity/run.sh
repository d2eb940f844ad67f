#!/usr/bin/env bash
# Similarity search at metro scale: 1,000,000 properties with 64-dimension
# embeddings and 20,000 tracts. Same-run baselines: the same top-k in plain
# SQL (unnest-based cosine, ORDER BY ... LIMIT), and the floor (a scan that
# hands every embedding's bytes to the cheapest consumer, embedding_checksum).
# Then the storage experiment: 100,000 embeddings of 1,024 dimensions (4 kB,
# past the 2 kB TOAST threshold) under each column storage. Then
# parallel.sql: top_k, ORDER BY cosine_to_centroid LIMIT and pgvector's
# exact scan, serial and with 2 workers.
#   BENCH_SIM_PROPERTIES (default 1000000), BENCH_RUNS (default 5)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
n=${BENCH_SIM_PROPERTIES:-1000000}
runs=${BENCH_RUNS:-5}
db=stormops_bench_similarity
source "$repo/bench/fresh_db.sh"
fresh_bench_db $db
start=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 -v n="$n" -d $db -f "$repo/bench/similarity/generate.sql"
echo "data loaded in $(( $(date +%s) - start )) s"
psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -d $db -f "$repo/bench/similarity/similarity.sql"
# the peers: pgvector built from ../shared/vendor (bench/peers.sh)
source "$repo/bench/peers.sh"
have_pgvector=false
if peer_install pgvector; then have_pgvector=true; fi
psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -v have_pgvector=$have_pgvector -d $db -f "$repo/bench/similarity/parallel.sql"
