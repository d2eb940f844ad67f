#!/usr/bin/env bash
# Runs the reference implementation's self-check on a throwaway cluster:
#   bash test/reference/run_check.sh            check_reference.sql (hand-made datasets)
#   bash test/reference/run_check.sh SCALE      also load bench/targeting/generate.sql at
#                                               SCALE (e.g. 0.01, 1.0) and time the seed's
#                                               three plays through the reference
# Needs the extension built and installed (make install). Run as root or as a
# user who may run initdb (see test/tools/cluster.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
scale=${1:-}
source test/tools/cluster.sh
trap cluster_stop EXIT
trap 'exit 130' INT TERM
cluster_start "shared_buffers = '1GB'
work_mem = '64MB'
maintenance_work_mem = '512MB'
max_wal_size = '4GB'"

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql -d postgres -c 'CREATE DATABASE ref_check'
psql -d ref_check -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION stormops'
psql -d ref_check -c 'SET client_min_messages = warning' -f test/reference/targeting_reference.sql
if out=$(psql -d ref_check -f test/reference/check_reference.sql 2>&1); then
  echo "check_reference: all $(grep -c 'NOTICE:  ok: ' <<<"$out") checks passed"
else
  grep -v 'NOTICE:  ok: ' <<<"$out" >&2
  exit 1
fi

[ -n "$scale" ] || exit 0

echo "== generate.sql at scale $scale"
psql -d postgres -c 'CREATE DATABASE ref_bench'
psql -d ref_bench -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION stormops'
start=$(date +%s%N)
psql -d ref_bench -v scale="$scale" -f bench/targeting/generate.sql
end=$(date +%s%N)
echo "load time: $(( (end - start) / 1000000 )) ms"
psql -d ref_bench -c 'SET client_min_messages = warning' -f test/reference/targeting_reference.sql

echo "== the seed's plays through the reference (event noaa_ep_135504_hail, as_of 2019-03-27 12:00-05)"
psql -d ref_bench <<'SQL'
\timing on
\echo Frisco-Alpha
SELECT count(*) AS rows, round(min(similarity)::numeric, 4) AS min_similarity, min(sii_score) AS min_sii
  FROM stormops_ref.target_properties(
    '{"physics": {"min_sii_score": 75, "max_days_since_storm": 14}, "geography": {"zips": ["75034", "75035"]},
      "demographics": {"ses_tiers": ["High"], "min_median_income": 100000},
      "psychographics": {"personas": ["Proof_Seeker", "Status_Conscious"]},
      "competition": {"competitor_pressure_max": 0.4, "white_space_score_min": 60},
      "similarity": {"enabled": true, "reference_property_ids": ["top_50_high_margin_conversions"],
                     "similarity_threshold": 0.8, "top_k": 300}}',
    'noaa_ep_135504_hail', '2019-03-27 12:00:00-05');
\echo Loyalty-DFW-HighSES
SELECT count(*) AS rows, min(sii_score) AS min_sii
  FROM stormops_ref.target_properties(
    '{"physics": {"min_sii_score": 60, "max_days_since_storm": 45}, "geography": {"zips": ["75230", "75225"]},
      "demographics": {"ses_tiers": ["High"], "min_median_income": 90000},
      "behavioral": {"prior_touchpoints_max": 10, "response_rate_min": 0.3, "past_customers_only": true},
      "competition": {"competitor_pressure_max": 0.8}, "similarity": {"enabled": false}}',
    NULL, '2019-03-27 12:00:00-05');
\echo Expansion-Lookalike
SELECT count(*) AS rows, count(DISTINCT similarity) AS tracts, min(sii_score) AS min_sii
  FROM stormops_ref.target_properties(
    '{"physics": {"min_sii_score": 70, "max_days_since_storm": 30}, "geography": {"zips": null},
      "demographics": {"ses_tiers": ["High", "Medium"]},
      "similarity": {"enabled": true, "mode": "neighborhood_embedding",
                     "reference_tract_ids": ["48113010101", "48113010102"],
                     "similarity_threshold": 0.85, "top_k_tracts": 10, "properties_per_tract": 50}}',
    NULL, '2019-03-27 12:00:00-05');
SQL
