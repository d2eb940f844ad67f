#!/usr/bin/env bash
# Storm data at metro scale:
#  1. compute_impacts for the 12-report Frisco/Allen episode over 1,000,000
#     properties, against the same function without its spatial pre-filter
#     (a copy that joins every property to every report), median of 5 and 3;
#  2. NOAA ingestion rate: bin/stormops-load of 100,000 generated rows in
#     the details format (and of the real January-March 2019 file when
#     ../shared/data has it), rows per second including \copy.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
export PGDATABASE=stormops_bench_storms
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-bench-storms.XXXXXX")
chmod 777 "$work"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$PGDATABASE'" >/dev/null 2>&1; rm -rf "$work"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -f "$repo/bench/storms/storms.sql"

# NOAA ingestion: 100,000 rows (40 per episode) written in the details format
psql -X -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT '201903', '24', '1735', '201903', '24', '1735', (i / 40)::text, (1000000 + i)::text, 'TEXAS', '48', '2019', 'March', CASE i % 3 WHEN 0 THEN 'Hail' WHEN 1 THEN 'Thunderstorm Wind' ELSE 'Tornado' END, 'C', '85', 'COLLIN', 'FWD', '24-MAR-19 17:' || lpad((i % 60)::text, 2, '0') || ':00', 'CST-6', '24-MAR-19 18:00:00', '0', '0', '0', '0', '0.00K', '0.00K', 'Public', (1 + i % 4)::text, '', '', '', '', '', '', '', '', '', '', '0', '', 'PLANO', '0', '', 'PLANO', (32.5 + (i % 1000) / 1000.0)::text, (-97.5 + (i % 997) / 1000.0)::text, '', '', 'An episode, with a comma', 'An event', 'CSV' FROM generate_series(1, 100000) i) TO '$work/noaa.csv' WITH (FORMAT csv, HEADER true)"
start=$(date +%s%N)
"$repo/bin/stormops-load" noaa "$work/noaa.csv" >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "NOAA ingestion, 100,000 generated rows: $ms ms, $(( 100000 * 1000 / ms )) rows/s (bin/stormops-load: \\copy and ingest_noaa_details)"
real=$(ls "$repo"/../shared/data/noaa/StormEvents_details-ftp_v1.0_d2019_*.csv.gz 2>/dev/null | head -1 || true)
if [ -n "$real" ]; then
  rows=$(gzip -dc "$real" | tail -n +2 | wc -l)
  start=$(date +%s%N)
  "$repo/bin/stormops-load" noaa "$real" >/dev/null
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "NOAA ingestion, the real January-March 2019 file ($rows rows, gzipped Latin-1): $ms ms, $(( rows * 1000 / ms )) rows/s"
else
  echo "NOAA ingestion of the real file: skipped (no ../shared/data/noaa)"
fi
