#!/usr/bin/env bash
# diffusion.md's truths on 5,000 generated properties (test/python/
# diffusion_fixture.sql: duplicates, ties, isolated points, properties
# without coordinates, ids whose byte order differs from dictionary order):
#   - property_neighbors equals a brute force in SQL over every pair with
#     the same distance function (stormops.haversine_km), ranked by distance
#     then property id in byte order, k and the radius as set; also after
#     properties move, appear and go (refresh_diffusion writes only the
#     difference) and with other settings;
#   - the scores equal networkx.pagerank (Debian's python3-networkx) on the
#     graph read from stormops.diffusion_edges, with the seed set as
#     personalization and dangling distribution, to 1e-8 per node; the
#     percentiles equal 100 * percent_rank(); an empty seed set gives every
#     score 0 (documented);
#   - bad settings and referrals are refused with their SQLSTATE, nothing stored.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
export PGDATABASE=stormops_diffusion_reference
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$PGDATABASE'" >/dev/null 2>&1' EXIT
psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "CREATE EXTENSION stormops" \
  -f "$repo/test/python/diffusion_fixture.sql"
"$py" "$repo/test/python/diffusion_reference.py"
