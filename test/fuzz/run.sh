#!/usr/bin/env bash
# test/fuzz/run.sh SECONDS: build the libFuzzer harness of the core and run it.
#
#   bash test/fuzz/run.sh 60          (or: make fuzz FUZZ_SECONDS=60)
#
# Builds build/fuzz/fuzz_core with clang (libFuzzer + ASan + UBSan), copies the
# seed corpus test/fuzz/corpus into the working corpus build/fuzz/corpus (new
# inputs land there, never in the repository), runs for SECONDS, and ends with
# one summary line. Crash, leak, timeout and OOM inputs are written to
# build/fuzz/artifacts/. Exit status: 0 when the run found nothing, 1 when it
# produced an artifact or libFuzzer failed, 2 on a usage or build problem.
#
# Environment:
#   CLANG=path         the compiler (default: clang, i.e. /usr/bin/clang, clang 14)
#   FUZZ_FRESH=1       empty the working corpus first (default: keep what
#                      earlier runs found, which makes later runs start deeper)
#   FUZZ_VERBOSE=1     show every libFuzzer line (default: progress lines only;
#                      the full log is always in build/fuzz/fuzz.log)
#   FUZZ_EXTRA="..."   more libFuzzer flags, e.g. "-jobs=2 -workers=2"
set -u -o pipefail

usage() {
	echo "usage: $0 SECONDS" >&2
	exit 2
}

[ $# -eq 1 ] || usage
SECONDS_ARG=$1
case "$SECONDS_ARG" in
	'' | *[!0-9]*) usage ;;
esac
[ "$SECONDS_ARG" -ge 1 ] || usage

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2

CLANG=${CLANG:-clang}
OUT=build/fuzz
BIN=$OUT/fuzz_core
WORK_CORPUS=$OUT/corpus
ARTIFACTS=$OUT/artifacts
LOG=$OUT/fuzz.log

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "fuzz: $CLANG not found; install the Debian packages clang-14 and libclang-rt-14-dev" >&2
	exit 2
fi

mkdir -p "$OUT" "$WORK_CORPUS" "$ARTIFACTS"

# ---- build ----
echo "fuzz: building $BIN with $($CLANG --version | head -n 1)"
# shellcheck disable=SC2086  # src/core/*.c is meant to glob
if ! "$CLANG" -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Isrc/core -Itest/unit test/fuzz/fuzz_core.c test/fuzz/fuzz_learning.c test/fuzz/fuzz_graph.c src/core/*.c \
	-ljson-c -lm -o "$BIN"; then
	echo "fuzz: build failed. Needs clang 14, libclang-rt-14-dev (the libFuzzer runtime)" >&2
	echo "fuzz: and libjson-c-dev; if src/core is being edited, a half-written file breaks the build too." >&2
	exit 2
fi

# ---- corpus ----
if [ "${FUZZ_FRESH:-0}" = 1 ]; then
	find "$WORK_CORPUS" -mindepth 1 -maxdepth 1 -type f -delete
fi
cp -f test/fuzz/corpus/* "$WORK_CORPUS"/
echo "fuzz: working corpus $WORK_CORPUS: $(find "$WORK_CORPUS" -type f | wc -l) inputs" \
	"($(find test/fuzz/corpus -type f | wc -l) seeds)"

# ---- run ----
MARK=$OUT/.run-start
: >"$MARK"
sleep 1 # artifacts of this run are strictly newer than the mark

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "fuzz: running for ${SECONDS_ARG}s; full log in $LOG"
# shellcheck disable=SC2086  # FUZZ_EXTRA holds several flags
"./$BIN" -max_total_time="$SECONDS_ARG" -dict=test/fuzz/dict.txt -max_len=8192 \
	-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$ARTIFACTS/" ${FUZZ_EXTRA:-} "$WORK_CORPUS" >"$LOG" 2>&1 &
FUZZ_PID=$!
if [ "${FUZZ_VERBOSE:-0}" = 1 ]; then
	tail -n +1 -f "$LOG" --pid="$FUZZ_PID" &
else
	tail -n +1 -f "$LOG" --pid="$FUZZ_PID" |
		grep --line-buffered -E 'INITED|pulse|DONE|ERROR|invariant failed|SUMMARY|Test unit written|^(stat::)' &
fi
TAIL_PID=$!
wait "$FUZZ_PID"
RC=$?
wait "$TAIL_PID" 2>/dev/null

# ---- summary ----
final_stat() {
	sed -n "s/^stat::$1: *\([0-9][0-9]*\).*/\1/p" "$LOG" | tail -n 1
}
EXECS=$(final_stat number_of_executed_units)
EXEC_S=$(final_stat average_exec_per_sec)
NEW_UNITS=$(final_stat new_units_added)
PEAK_RSS=$(final_stat peak_rss_mb)
LAST=$(grep -E '^#[0-9]+' "$LOG" | tail -n 1)
COV=$(printf '%s\n' "$LAST" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
FT=$(printf '%s\n' "$LAST" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
CORP=$(printf '%s\n' "$LAST" | sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')

mapfile -t NEW_ARTIFACTS < <(find "$ARTIFACTS" -maxdepth 1 -type f -newer "$MARK" | sort)
rm -f "$MARK"

if [ "${#NEW_ARTIFACTS[@]}" -gt 0 ]; then
	echo "fuzz: artifacts of this run:"
	printf '  %s\n' "${NEW_ARTIFACTS[@]}"
	echo "fuzz: first report in the log:"
	grep -m 1 -A 40 -E '^==[0-9]+==ERROR|runtime error|invariant failed|ERROR: libFuzzer' "$LOG" | sed 's/^/  /'
	CRASH="yes (${#NEW_ARTIFACTS[@]} artifact(s) in $ARTIFACTS/)"
else
	CRASH="no"
fi

echo "fuzz: summary: ${SECONDS_ARG}s, executions=${EXECS:-?}, exec/s=${EXEC_S:-?}," \
	"cov=${COV:-?}, ft=${FT:-?}, corpus=${CORP:-?}, new_units=${NEW_UNITS:-?}," \
	"peak_rss_mb=${PEAK_RSS:-?}, crash=${CRASH}, libfuzzer_rc=${RC}"

if [ "${#NEW_ARTIFACTS[@]}" -gt 0 ] || [ "$RC" -ne 0 ]; then
	exit 1
fi
exit 0
