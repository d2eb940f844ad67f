#!/usr/bin/env bash
# retrospectives.md's truths against independent computations:
#   - the Hillstrom MineThatData file (../shared/data/uplift, never copied
#     here), loaded by bin/stormops-load hillstrom, reproduces the published
#     table to the printed digit, and its uplift, Newcombe interval and
#     p-value equal test/python/retro_reference.py's standard-library
#     computation from the CSV to 1e-9 (skipped, exit 77, without the file);
#   - sensitivity's bins equal pandas.cut (Debian's python3-pandas) on the
#     same values: the same edges to 1e-9 and the same count per bin, with a
#     value equal to the minimum, to an edge and to the maximum.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
export PGDATABASE=stormops_retro_reference
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$PGDATABASE'" >/dev/null 2>&1' EXIT
psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops"

# sensitivity against pandas.cut: incomes with a value at the minimum, one
# on an inner edge (10,000 + 2 x 18,000 = 46,000 of 5 bins over
# 10,000..100,000) and one at the maximum; and timing's fixed edges
psql -X -q -v ON_ERROR_STOP=1 -f "$repo/test/python/sensitivity_fixture.sql" >/dev/null
"$py" "$repo/test/python/retro_reference.py" sensitivity

file="$repo/../shared/data/uplift/hillstrom.csv"
if [ ! -r "$file" ]; then
  echo "skipped: no ../shared/data/uplift/hillstrom.csv (the sensitivity checks above passed)"
  exit 77
fi
"$repo/bin/stormops-load" hillstrom "$file" >/dev/null
"$py" "$repo/test/python/retro_reference.py" hillstrom "$file"
