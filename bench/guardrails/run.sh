#!/usr/bin/env bash
# What keeping guardrail signals current costs, and what it buys.
#  1. A 100,000-row INSERT into behavior_events (on top of 1,000,000 events of
#     200,000 properties) with the statement trigger that merges them into
#     guardrail_state, vs the same INSERT with that trigger disabled: the ratio
#     is the maintenance cost per event (goal <= 1.5x).
#  2. Reading every property's signals from the maintained view vs computing
#     them from history with guardrail_signals_at(now()).
# Timed inside the server with clock_timestamp(): the INSERTs 6 times each,
# rolled back after timing (a subtransaction), the two sides alternating
# which goes first; the reads 5 times each. Medians.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
db=stormops_bench_guardrails
source "$here/../fresh_db.sh"
fresh_bench_db $db
psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$here/guardrails.sql"
