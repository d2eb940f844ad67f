#!/usr/bin/env bash
# Exact similarity search against an independent computation (numpy).
#
# For embeddings of 8, 64 and 384 dimensions (10,000 properties and 10,000
# tracts each, with duplicated embeddings for ties, and all-zero, missing and
# wrong-dimension rows that must be skipped), the centroid of 7 references
# and the top 500 by cosine (properties) and by 1 / (1 + L2) (tracts) must
# match numpy's: the same ids in the same order (ties by id ascending) and
# scores within 1e-6; the full ranking of every comparable row too; and the
# compiled targeting of a look-alike rule set must return numpy's top-k.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
db=stormops_similarity_numpy
work=$(mktemp -d "${TMPDIR:-/tmp}/stormops-numpy.XXXXXX")
chmod 777 "$work"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$db'" >/dev/null 2>&1; rm -rf "$work"' EXIT

psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION stormops;
SELECT FROM setseed(0.77);
-- for each dimension d: 10,000 properties 'd<d>_<i>' in ZIP 9<d padded>, and
-- 10,000 tracts; every 50th embedding repeats an earlier one (ties)
CREATE TEMP TABLE dims (d int, zip text, county text);
INSERT INTO dims VALUES (8, '90008', '01'), (64, '90064', '02'), (384, '90384', '03');
CREATE TEMP TABLE vectors AS
SELECT d.d, i, ARRAY(SELECT (random() * 2 - 1)::real FROM generate_series(1, d.d) WHERE i > 0)::real[] AS v
  FROM dims d, generate_series(1, 10000) i;
UPDATE vectors SET v = (SELECT w.v FROM vectors w WHERE w.d = vectors.d AND w.i = vectors.i - 1) WHERE i % 50 = 0;
INSERT INTO stormops.properties (property_id, zip, embedding)
SELECT format('d%s_%s', v.d, lpad(v.i::text, 5, '0')), d.zip,
       CASE WHEN v.i % 997 = 0 THEN NULL                               -- no embedding
            WHEN v.i % 991 = 0 THEN array_fill(0::real, ARRAY[v.d])    -- all zeros
            WHEN v.i % 983 = 0 THEN v.v[1:v.d - 1]                     -- another dimension
            ELSE v.v END
  FROM vectors v JOIN dims d USING (d);
INSERT INTO stormops.census_tracts (tract_geoid, embedding)
SELECT format('9%s%s', d.county, lpad(v.i::text, 8, '0')),
       CASE WHEN v.i % 983 = 0 THEN v.v[1:v.d - 1] ELSE v.v END
  FROM vectors v JOIN dims d USING (d);
SQL

# Export what numpy needs, and what the extension answers.
for d in 8 64 384; do
  zip=$(printf '9%04d' $d); county=$(case $d in 8) echo 01;; 64) echo 02;; 384) echo 03;; esac)
  refs="ARRAY['d${d}_00011','d${d}_00022','d${d}_00033','d${d}_00044','d${d}_00055','d${d}_00066','d${d}_00077']"
  tract_refs="ARRAY['9${county}00000011','9${county}00000022','9${county}00000033','9${county}00000044','9${county}00000055','9${county}00000066','9${county}00000077']"
  psql -X -q -v ON_ERROR_STOP=1 -d $db <<SQL
\copy (SELECT property_id, embedding FROM stormops.properties WHERE zip = '$zip' ORDER BY property_id) TO '$work/p$d.csv' CSV
\copy (SELECT tract_geoid, embedding FROM stormops.census_tracts WHERE tract_geoid LIKE '9${county}%' ORDER BY tract_geoid) TO '$work/t$d.csv' CSV
\copy (SELECT p.property_id, p.similarity FROM stormops.similar_properties((SELECT stormops.embedding_avg(embedding) FROM stormops.properties WHERE property_id = ANY ($refs)), 500) p WHERE p.property_id LIKE 'd${d}_%') TO '$work/top_p$d.csv' CSV
\copy (SELECT (s).item_id, (s).score FROM (SELECT unnest(stormops.top_k(property_id, embedding, (SELECT stormops.embedding_avg(embedding) FROM stormops.properties WHERE property_id = ANY ($refs)), 10000, 'cosine', NULL)) s FROM stormops.properties WHERE zip = '$zip') x) TO '$work/all_p$d.csv' CSV
\copy (SELECT t.tract_geoid, t.similarity FROM stormops.similar_tracts((SELECT stormops.embedding_avg(embedding) FROM stormops.census_tracts WHERE tract_geoid = ANY ($tract_refs)), 500) t) TO '$work/top_t$d.csv' CSV
\copy (SELECT property_id, similarity FROM stormops.target_properties(jsonb_build_object('geography', jsonb_build_object('zips', jsonb_build_array('$zip')), 'similarity', jsonb_build_object('enabled', true, 'reference_property_ids', to_jsonb($refs), 'top_k', 300)))) TO '$work/targets$d.csv' CSV
SQL
done

/usr/bin/python3 - "$work" <<'PY'
import csv, sys
import numpy as np

work = sys.argv[1]
REFS = [11, 22, 33, 44, 55, 66, 77]
failures = 0

def load(path):
    rows = []
    with open(path) as f:
        for key, emb in csv.reader(f):
            vec = None if emb == "" else np.array([np.float32(x) for x in emb.strip("{}").split(",")], dtype=np.float32)
            rows.append((key, vec))
    return rows

def ranked(rows, centroid, metric):
    c = centroid.astype(np.float64)
    out = []
    for key, v in rows:
        if v is None or v.shape[0] != c.shape[0]:
            continue
        x = v.astype(np.float64)
        if metric == "cosine":
            nx = np.sqrt(np.dot(x, x)); nc = np.sqrt(np.dot(c, c))
            if nx == 0 or nc == 0:
                continue
            score = min(1.0, max(-1.0, float(np.dot(x, c) / (nx * nc))))
        else:
            score = 1.0 / (1.0 + float(np.sqrt(np.dot(x - c, x - c))))
        out.append((key, score))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out

def answer(path):
    with open(path) as f:
        return [(k, float(s)) for k, s in csv.reader(f)]

def compare(name, got, want):
    global failures
    ids_same = [k for k, _ in got] == [k for k, _ in want]
    diff = max((abs(a[1] - b[1]) for a, b in zip(got, want)), default=0.0)
    ok = ids_same and diff <= 1e-6 and len(got) == len(want)
    failures += not ok
    print(f"{'ok' if ok else 'not ok'} - {name}: {len(got)} rows, same ids in the same order: {ids_same}, max score difference {diff:.2e}")
    if not ids_same:
        for i, (a, b) in enumerate(zip(got, want)):
            if a[0] != b[0]:
                print(f"   first difference at {i}: {a} vs {b}"); break

for d in (8, 64, 384):
    props = load(f"{work}/p{d}.csv")
    tracts = load(f"{work}/t{d}.csv")
    ref = [v for k, v in props if int(k.split("_")[1]) in REFS]
    centroid = np.mean(np.array(ref, dtype=np.float64), axis=0)
    full = ranked(props, centroid, "cosine")
    compare(f"similar_properties top 500, {d} dimensions", answer(f"{work}/top_p{d}.csv"), full[:500])
    compare(f"top_k of every comparable property, {d} dimensions", answer(f"{work}/all_p{d}.csv"), full)
    not_refs = [t for t in full if int(t[0].split("_")[1]) not in REFS]
    compare(f"compiled look-alike targeting top 300, {d} dimensions", answer(f"{work}/targets{d}.csv"), not_refs[:300])
    tref = [v for k, v in tracts if int(k[3:]) in REFS]
    tcentroid = np.mean(np.array(tref, dtype=np.float64), axis=0)
    compare(f"similar_tracts top 500 by 1/(1+L2), {d} dimensions", answer(f"{work}/top_t{d}.csv"), ranked(tracts, tcentroid, "l2")[:500])
sys.exit(1 if failures else 0)
PY
