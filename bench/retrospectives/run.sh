#!/usr/bin/env bash
# Retrospectives (docs/performance.md, "Retrospectives"): retrospective(event_id)
# for one storm that 100 playbooks ran for, 1,000,000 decisions (9,000
# treated and 1,000 control each, 1,000,000 properties), 900,000 contact
# events, outcomes in and out of the 30-day window and a year of older
# history (about 2.2 million behaviour events), against a straightforward
# hand-written SQL query of the same figures in the same run (Wilson and
# Newcombe inline, the p-value from the Abramowitz-Stegun erfc); the script
# first checks both give the same figures and aborts otherwise.
#   BENCH_RUNS   timed runs (default 5)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${BENCH_RUNS:-5}
db=stormops_bench_retrospectives
source "$repo/bench/fresh_db.sh"
fresh_bench_db $db with_extension
psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -d $db -f "$repo/bench/retrospectives/retrospectives.sql"
