#!/usr/bin/env bash
# Learning (docs/performance.md, "Learning"): training and scoring against
# what the seed's nightly job does instead, in the same run: get the rows
# out of PostgreSQL into Python and fit scikit-learn there (Debian's
# python3-sklearn; the job then writes the scores back).
#   1. Training: train_uplift_model over 1,000,000 rows x 20 numeric
#      features (a T-learner: two L2 logistic models on the 70% fit rows,
#      validation metrics and the registry write included) against
#      psycopg COPY -> pandas -> per arm StandardScaler + LogisticRegression
#      (C = 1, scikit-learn's default lbfgs, and newton-cg at tol 1e-10, the
#      precision ours converges to). The coefficients are compared first.
#   2. Scoring: score_properties over the 1,000,000-property market of
#      bench/targeting/generate.sql (the features of every property, both
#      arms' expressions, the update of property_scores, ml_scoring_runs)
#      against COPY of the same features out, predict_proba of both arms,
#      COPY of the scores into a temporary table and one UPDATE.
#   BENCH_RUNS   timed runs per figure (default 3)
#   BENCH_ROWS   training rows (default 1000000)
#   BENCH_SCALE  market size for scoring, 1.0 = 1,000,000 properties (default)
#   BENCH_PART   train or score: that part only
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${BENCH_RUNS:-3}
rows=${BENCH_ROWS:-1000000}
db=stormops_bench_learning
py=/usr/bin/python3
source "$repo/bench/fresh_db.sh"
fresh_bench_db $db with_extension
export PGDATABASE=$db

psql -X -q -c "CREATE TABLE bench_timing (figure text, ms float8)"
if [ "${BENCH_PART:-all}" != score ]; then
  psql -X -q -v ON_ERROR_STOP=1 -v rows="$rows" -f "$repo/bench/learning/training_rows.sql"
  echo "training rows: $(psql -X -At -c 'SELECT count(*) FROM train_rows') x 20 features"
  psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -f "$repo/bench/learning/train.sql"
  "$py" "$repo/bench/learning/sklearn_peer.py" train "$runs"
fi

[ "${BENCH_PART:-all}" = train ] && exit 0
start=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 -v scale="${BENCH_SCALE:-1.0}" -f "$repo/bench/targeting/generate.sql" >/dev/null
echo "market loaded in $(( $(date +%s) - start )) s: $(psql -X -At -c 'SELECT count(*) FROM stormops.properties') properties,"\
" $(psql -X -At -c 'SELECT count(*) FROM stormops.behavior_events') behaviour events"
psql -X -q -v ON_ERROR_STOP=1 -v runs="$runs" -f "$repo/bench/learning/score.sql"
"$py" "$repo/bench/learning/sklearn_peer.py" score "$runs"
