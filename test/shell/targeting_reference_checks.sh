#!/usr/bin/env bash
# The reference implementation's 68 hand-computed checks
# (test/reference/check_reference.sql), run twice: against the reference
# itself, and against the compiler's stormops.target_properties.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
db=stormops_reference_checks
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$db'" >/dev/null 2>&1' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops" \
  -f "$repo/test/reference/targeting_reference.sql" >/dev/null

status=0
for impl in stormops_ref stormops; do
  if out=$(sed "s/stormops_ref\.target_properties/$impl.target_properties/g" "$repo/test/reference/check_reference.sql" \
           | psql -X -q -v ON_ERROR_STOP=1 -d $db 2>&1); then
    echo "$impl.target_properties: $(grep -c 'NOTICE:  ok: ' <<<"$out") hand-computed checks passed"
  else
    echo "$impl.target_properties failed:"; grep -v 'NOTICE:  ok: ' <<<"$out" | head -20; status=1
  fi
done
exit $status
