#!/usr/bin/env bash
# learning.md's truths against independent computations:
#   - stormops.uplift_metrics and stormops.auc equal test/python/
#     sklift_reference.py (scikit-uplift's formulas in numpy) on random
#     scores with and without ties, to 1e-9;
#   - on the Hillstrom file (../shared/data/uplift, never copied here; the
#     test is skipped, exit 77, without it): the T-learner trained on the
#     men's e-mail vs no e-mail rows (label visit, features recency,
#     history, mens, womens, newbie, zip_code, channel) has scikit-learn's
#     coefficients to 1e-4 on both scales, its stored Qini coefficient and
#     AUUC equal the reference's on its own validation scores to 1e-9, its
#     Qini is above zero; and a model trained on labels shuffled at random
#     is not activated.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
export PGDATABASE=stormops_learning_reference
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$PGDATABASE'" >/dev/null 2>&1' EXIT
psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops"

"$py" "$repo/test/python/learning_reference.py" metrics

file="$repo/../shared/data/uplift/hillstrom.csv"
if [ ! -r "$file" ]; then
  echo "skipped: no ../shared/data/uplift/hillstrom.csv (the metric checks above passed)"
  exit 77
fi
psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
  -c "CREATE TABLE hillstrom (line int GENERATED ALWAYS AS IDENTITY, recency int, history_segment text,
        history numeric, mens int, womens int, zip_code text, newbie int, channel text, segment text,
        visit int, conversion int, spend numeric)" \
  -c "\\copy hillstrom (recency, history_segment, history, mens, womens, zip_code, newbie, channel, segment, visit, conversion, spend) FROM '$file' WITH (FORMAT csv, HEADER true)" \
  -c "CREATE VIEW mens AS SELECT line, recency, history, mens, womens, newbie, zip_code, channel,
        segment = 'Mens E-Mail' AS treated, visit FROM hillstrom WHERE segment IN ('Mens E-Mail', 'No E-Mail')" \
  -c "CREATE VIEW mens_shuffled AS
        SELECT m.line, m.recency, m.history, m.mens, m.womens, m.newbie, m.zip_code, m.channel, m.treated, s.visit
          FROM (SELECT *, row_number() OVER (ORDER BY line) AS k FROM mens) m
          JOIN (SELECT visit, row_number() OVER (ORDER BY md5('shuffle' || line)) AS k FROM mens) s USING (k)"
model=$(psql -X -q -At -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
  -c "SELECT stormops.train_uplift_model('mens', 'line', '{recency,history,mens,womens,newbie,zip_code,channel}', 'treated', 'visit')")
"$py" "$repo/test/python/learning_reference.py" hillstrom "$file" "$model"

# shuffled labels: as the first model of its kind (the real one retired)
# and against the real one; neither may be activated
out=$(psql -X -q -At -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
SELECT stormops.retire_model($model, 'test: the shuffled model must beat zero on its own') \\gset
SELECT stormops.train_uplift_model('mens_shuffled', 'line', '{recency,history,mens,womens,newbie,zip_code,channel}', 'treated', 'visit') AS first \\gset
SELECT status || ' ' || status_reason FROM stormops.models WHERE model_id = :first;
SELECT stormops.activate_model($model, 'test') \\gset
SELECT stormops.train_uplift_model('mens_shuffled', 'line', '{recency,history,mens,womens,newbie,zip_code,channel}', 'treated', 'visit') AS second \\gset
SELECT status || ' ' || status_reason FROM stormops.models WHERE model_id = :second;
SELECT string_agg(model_id || '=' || status, ' ' ORDER BY model_id) FROM stormops.models;
SQL
)
echo "$out" | sed 's/^/# /'
n=14
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
fail=0
first=$(echo "$out" | sed -n 1p); second=$(echo "$out" | sed -n 2p); last=$(echo "$out" | sed -n 3p)
check "shuffled labels, first of its kind: a candidate" '[[ "$first" == candidate* ]]'
check "shuffled labels against the real model: a candidate" '[[ "$second" == candidate*"does not beat"* ]]'
check "the real model is the active one at the end" '[[ "$last" == *"$model=active"* ]]'
echo "1..$n (with the Python checks above)"
exit $fail
