#!/usr/bin/env bash
# A large top_k is cancelled promptly by statement_timeout (issue 16, item
# 9). top_k over 3,000,000 rows with k = 3,000,000: the scan takes well
# about a second here (measured first, with k = 1), the final function
# (sorting and building 3,000,000 items) several seconds more. With
# statement_timeout 0.6 s past the scan, the timeout lands in the final
# function, which answers a cancel every 65,536 steps: SQLSTATE 57014 must
# come within 1 s of the timeout (before issue 16 the final function ran to
# its end, about 4 s later). On the throwaway cluster of
# run-tests.sh.
set -euo pipefail
db=stormops_timeout
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; }
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION stormops;
CREATE TABLE public.items AS
SELECT i::text AS id, ARRAY[(i % 1000)::float4, (i % 777)::float4] AS v FROM generate_series(1, 3000000) i;
SQL
out=$(psql -X -At -d $db 2>&1 <<'SQL' || true
\set VERBOSITY sqlstate
SELECT clock_timestamp() AS started \gset
SELECT pg_catalog.cardinality(stormops.top_k(id, v, ARRAY[1, 0]::float8[], 1, 'cosine', NULL)) FROM public.items;
SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'started'::timestamptz)) AS scan_ms \gset
SELECT :scan_ms + 600 AS timeout_ms \gset
SET statement_timeout = :timeout_ms;
SELECT clock_timestamp() AS started \gset
SELECT pg_catalog.cardinality(stormops.top_k(id, v, ARRAY[1, 0]::float8[], 3000000, 'cosine', NULL)) FROM public.items;
RESET statement_timeout;
SELECT format('scan %s ms; timeout %s ms; cancelled after %s ms', :scan_ms, :timeout_ms,
              round(1000 * extract(epoch FROM clock_timestamp() - :'started'::timestamptz)));
SQL
)
echo "$out"
echo "$out" | grep -q '^ERROR:  57014$' || { echo "no 57014"; exit 1; }
timeout=$(echo "$out" | sed -n -E 's/.*timeout ([0-9]+) ms.*/\1/p')
ms=$(echo "$out" | sed -n -E 's/.*cancelled after ([0-9]+) ms.*/\1/p')
[ -n "$ms" ] && [ "$ms" -lt $((timeout + 1000)) ] \
  || { echo "failed in statement_timeout.sh: [ -n \"\$ms\" ] && [ \"\$ms\" -lt \$((timeout + 1000)) ]"; exit 1; }
echo "ok - a top_k of 3,000,000 items is cancelled (57014) by statement_timeout $timeout ms after $ms ms"
