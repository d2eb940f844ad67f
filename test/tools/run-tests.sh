#!/usr/bin/env bash
# make test: install what is missing, build, install, run every suite on a
# throwaway cluster, and end with one line "N passed, N failed".
#
# Counting: one per unit-test assertion (TAP), one per pg_regress test file,
# one per pgTAP assertion, one per shell test. A suite that dies without
# reporting a failure counts one failure.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

bash test/tools/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
source test/tools/cluster.sh

passed=0
failed=0
skipped=0
tally() {   # tally SUITE OK NOTOK EXIT
  local ok=$1 notok=$2 rc=$3 suite=$4
  if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then notok=1; fi
  passed=$((passed + ok)); failed=$((failed + notok))
  printf '== %-8s %d ok, %d not ok\n' "$suite" "$ok" "$notok"
}

trap 'cluster_stop' EXIT
trap 'exit 130' INT TERM

log=$(mktemp -d "${TMPDIR:-/tmp}/stormops-test.XXXXXX")
trap 'cluster_stop; rm -rf "$log"' EXIT

echo "== build"
if ! build_and_install "$repo"; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

echo "== unit (src/core under ASan, UBSan and LeakSanitizer)"
make -s unit >"$log/unit.out" 2>&1; rc=$?
grep -E '^not ok' "$log/unit.out"
[ $rc -ne 0 ] && tail -30 "$log/unit.out"
tally "$(grep -cE '^ok' "$log/unit.out")" "$(grep -cE '^not ok' "$log/unit.out")" $rc unit

cluster_start || { echo "0 passed, 1 failed"; exit 1; }

echo "== regress (pg_regress: test/sql against expected/)"
regress="$CLUSTER_DIR/regress"
mkdir -p "$regress/in" "$regress/out"
ln -s "$repo/test/sql" "$regress/in/sql"
ln -s "$repo/expected" "$regress/in/expected"
tests=$(cd test/sql && ls *.sql | sed 's/\.sql$//')
"$PG_BINDIR/../lib/pgxs/src/test/regress/pg_regress" --inputdir="$regress/in" --outputdir="$regress/out" \
  --host="$PGHOST" --port="$PGPORT" --user=postgres --dbname=stormops_regress \
  --bindir="$PG_BINDIR" $tests >"$log/regress.out" 2>&1
rc=$?
grep -E '\.\.\. ' "$log/regress.out"
if [ -s "$regress/out/regression.diffs" ]; then
  head -200 "$regress/out/regression.diffs"
  cp "$regress/out/regression.diffs" "$repo/regression.diffs" 2>/dev/null || true
else
  rm -f "$repo/regression.diffs"
fi
tally "$(grep -cE '\.\.\. ok' "$log/regress.out")" "$(grep -cE '\.\.\. FAILED' "$log/regress.out")" $rc regress

echo "== pgtap (pg_prove: test/pgtap)"
psql -q -X -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE stormops_tap' &&
psql -q -X -v ON_ERROR_STOP=1 -d stormops_tap -c 'CREATE EXTENSION pgtap; CREATE EXTENSION stormops;' \
  >"$log/pgtap-setup.out" 2>&1 || cat "$log/pgtap-setup.out"
pg_prove --verbose -d stormops_tap test/pgtap/*.sql >"$log/pgtap.out" 2>&1
rc=$?
grep -E '^(not ok|# |Failed|Parse errors)' "$log/pgtap.out" | grep -v '^# Subtest' | head -60
# "Failed X/Y subtests" also counts planned tests that never ran (a file that died).
tally "$(grep -cE '^ok ' "$log/pgtap.out")" \
  "$(grep -oE '^Failed [0-9]+/' "$log/pgtap.out" | tr -dc '0-9\n' | awk '{s+=$1} END {print s+0}')" $rc pgtap

# Scripts, one by one: exit 0 passes, 77 is a skip (their data is not in
# ../shared/data, or Citus not in ../shared/vendor: neither passed nor
# failed), anything else fails with the script's last lines.
run_scripts() {   # run_scripts SUITE DIR
  local suite=$1 t rc ok=0 notok=0
  echo "== $suite ($2)"
  for t in "$2"/*.sh; do
    [ -e "$t" ] || continue
    bash "$t" >"$log/$suite.out" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
      ok=$((ok + 1)); echo "ok - $t"
    elif [ $rc -eq 77 ]; then
      skipped=$((skipped + 1)); echo "ok - $t # SKIP $(tail -1 "$log/$suite.out")"
    else
      notok=$((notok + 1)); echo "not ok - $t"; tail -30 "$log/$suite.out"
    fi
  done
  tally $ok $notok 0 "$suite"
}
run_scripts shell test/shell
# Citus (issue 18): each script starts its own cluster of three
# (test/tools/citus_cluster.sh) on this machine
run_scripts citus test/citus

cluster_stop
[ "$skipped" -eq 0 ] || echo "$skipped skipped (their data is not in ../shared/data, or Citus not in ../shared/vendor)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
