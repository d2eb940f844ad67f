#!/usr/bin/env bash
# Variants and the bandit (docs/performance.md, "Variants and the bandit"):
#   simulation  three arms whose true response rates are 5%, 10% and 15%,
#               20,000 contacts each for epsilon-greedy (epsilon 0.1),
#               Thompson and a uniform A/B/n test, through the real claim
#               path (claim_due_contacts 100 at a time, record_contact_result
#               sent and, by a seeded draw per property, response), in the
#               same run: cumulative regret, the best arm's share of the
#               contacts after the first 5,000, and the recomputations;
#   claim cost  claim_due_contacts of 1,000 contacts with 100,000 plans
#               pending, the step with three arms (epsilon-greedy, statistics
#               current) against the same claim of the same step without
#               arms; every timed claim rolled back, medians of 4 x BENCH_RUNS.
#   BENCH_RUNS   timed runs (default 5)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${BENCH_RUNS:-5}
db=stormops_bench_variants
source "$repo/bench/fresh_db.sh"
fresh_bench_db $db with_extension
psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -d $db -f "$repo/bench/variants/variants.sql"
