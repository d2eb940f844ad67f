"""Independent computations for test/shell/diffusion_reference.sh (diffusion.md's truths).

The database holds test/python/diffusion_fixture.sql. Each check runs
stormops.refresh_diffusion as of AS_OF, then compares:
  - property_neighbors with a brute force in SQL over every pair of located
    properties (stormops.haversine_km, the neighbour search's distance
    function), ranked by distance then property id in byte order;
  - property_scores.diffusion_score with networkx.pagerank on the edges of
    stormops.diffusion_edges (parallel edges add), personalization and
    dangling uniform over stormops.diffusion_seeds(AS_OF), to 1e-8 per node;
  - diffusion_percentile with 100 * percent_rank() over the scores.
Prints TAP lines; exits 1 when one is not ok. Needs Debian's python3-networkx.
"""
import os
import subprocess
import sys

import networkx as nx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from psql_tap import finish, ok, rows  # noqa: E402

AS_OF = "'2019-04-01 00:00+00'"

BRUTE = """
  WITH pairs AS (
    SELECT a.property_id, b.property_id AS neighbor_id,
           stormops.haversine_km(a.lat, a.lon, b.lat, b.lon) * 1000.0::float8 AS distance_m
      FROM stormops.properties a, stormops.properties b
     WHERE a.property_id <> b.property_id AND a.lat IS NOT NULL AND a.lon IS NOT NULL
       AND b.lat IS NOT NULL AND b.lon IS NOT NULL
  ), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY property_id ORDER BY distance_m, neighbor_id COLLATE "C") AS r
      FROM pairs WHERE distance_m <= {radius}
  )"""


def sqlstate(sql):
    """The SQLSTATE of the error sql raises, or None."""
    out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=sqlstate",
                          "-c", "SET client_min_messages = warning", "-c", sql],
                         capture_output=True, text=True)
    if out.returncode == 0:
        return None
    return out.stderr.strip().split()[-1]


def check_neighbours(label, k, radius):
    brute = BRUTE.format(radius=radius)
    expected, stored, missing, extra, ties, alone = [int(x) for x in rows(f"""
      CREATE TEMP TABLE brute AS {brute} SELECT property_id, neighbor_id, distance_m FROM ranked WHERE r <= {k};
      {brute} SELECT (SELECT count(*) FROM brute), (SELECT count(*) FROM stormops.property_neighbors),
             (SELECT count(*) FROM (SELECT * FROM brute EXCEPT SELECT property_id, neighbor_id, distance_m FROM stormops.property_neighbors) x),
             (SELECT count(*) FROM (SELECT property_id, neighbor_id, distance_m FROM stormops.property_neighbors EXCEPT SELECT * FROM brute) y),
             (SELECT count(*) FROM ranked a JOIN ranked b USING (property_id)
               WHERE a.r = {k} AND b.r = {k} + 1 AND a.distance_m = b.distance_m),
             (SELECT count(*) FROM stormops.properties p WHERE p.lat IS NOT NULL
                 AND NOT EXISTS (SELECT FROM brute x WHERE x.property_id = p.property_id));
    """)[0]]
    ok(missing == 0 and extra == 0 and stored == expected,
       f"{label}: property_neighbors equals the brute force over every pair "
       f"({expected} rows; {missing} missing, {extra} extra)")
    ok(ties > 0 and alone > 0,
       f"{label}: the data has ties at the k-th place ({ties}) and located properties with no neighbour ({alone})")


def check_scores(label, settings=""):
    seeds = [r[0] for r in rows(f"SELECT property_id FROM stormops.diffusion_seeds({AS_OF})")]
    nodes = [r[0] for r in rows("SELECT property_id FROM stormops.properties")]
    edges = rows(f"{settings} SELECT from_property_id, to_property_id, weight FROM stormops.diffusion_edges")
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    for a, b, w in edges:
        if g.has_edge(a, b):
            g[a][b]["weight"] += float(w)
        else:
            g.add_edge(a, b, weight=float(w))
    p = {s: 1.0 / len(seeds) for s in seeds}
    ref = nx.pagerank(g, alpha=0.85, personalization=p, weight="weight", dangling=p, tol=1e-15, max_iter=10000)
    got = {r[0]: float(r[1]) for r in rows("SELECT property_id, diffusion_score FROM stormops.property_scores")}
    worst = max(abs(got[n] - ref[n]) for n in nodes)
    dangling = sum(1 for n in nodes if g.out_degree(n) == 0)
    ok(len(got) == len(nodes) and worst < 1e-8,
       f"{label}: every score equals networkx.pagerank's ({len(nodes)} nodes, {g.number_of_edges()} edges, "
       f"{len(seeds)} seeds, {dangling} dangling; largest difference {worst:.1e})")
    bad = rows("""SELECT count(*) FROM (SELECT diffusion_percentile,
                    100 * percent_rank() OVER (ORDER BY diffusion_score) AS pr FROM stormops.property_scores) s
                   WHERE diffusion_percentile IS DISTINCT FROM pr""")[0][0]
    ok(bad == "0", f"{label}: diffusion_percentile is 100 * percent_rank() of the score ({bad} differ)")


run = rows(f"SELECT properties, located, lists_inserted, neighbor_rows, seeds FROM stormops.refresh_diffusion({AS_OF})")[0]
ok(run[0] == "5000" and run[1] == "4800" and int(run[4]) > 0,
   f"the first refresh: 5000 properties, 4800 located, {run[2]} lists ({run[3]} pairs) written, {run[4]} seeds")
check_neighbours("k 8, 250 m", 8, 250)
check_scores("k 8, 250 m")

# properties move, go and come: only the difference is written
rows("""UPDATE stormops.properties SET lon = lon + 0.0004 WHERE property_id IN
          (SELECT property_id FROM stormops.properties WHERE lat IS NOT NULL ORDER BY md5(property_id) LIMIT 50);
        DELETE FROM stormops.properties WHERE property_id IN
          (SELECT property_id FROM stormops.properties WHERE property_id LIKE 'a-%' ORDER BY md5(property_id || 'x') LIMIT 20);
        INSERT INTO stormops.properties (property_id, zip, lat, lon)
        SELECT 'new-' || g, '75034', 33.11 + g * 0.0003, -96.79 FROM generate_series(1, 30) g;""")
run = rows(f"SELECT lists_inserted, lists_updated, lists_deleted, located FROM stormops.refresh_diffusion({AS_OF})")[0]
ins, upd, dele, total = (int(x) for x in run)
ok(0 < ins + upd + dele < total / 5,
   f"after 50 moves, 20 deletions, 30 additions: {ins} lists inserted, {upd} updated, {dele} deleted of {total}")
check_neighbours("after changes", 8, 250)
check_scores("after changes")
again = rows(f"SELECT lists_inserted + lists_updated + lists_deleted, scores_changed FROM stormops.refresh_diffusion({AS_OF})")[0]
ok(again == ["0", "0"], f"a refresh with nothing changed writes nothing ({again})")

# other settings (a superuser's, as ALTER DATABASE would set them)
settings = ("SET stormops.neighbor_k = 3; SET stormops.neighbor_radius_m = 120; "
            "SET stormops.neighbor_decay_m = 60; SET stormops.referral_weight = 2;")
rows(f"{settings} SELECT run_id FROM stormops.refresh_diffusion({AS_OF})")
check_neighbours("k 3, 120 m", 3, 120)
check_scores("k 3, 120 m, decay 60 m, referral weight 2", settings)
rows(f"SELECT run_id FROM stormops.refresh_diffusion({AS_OF})")
check_neighbours("back to k 8, 250 m", 8, 250)

# bad input: refused with its SQLSTATE, nothing stored
before = rows("SELECT count(*) FROM stormops.referrals")[0][0]
ok(sqlstate("SET stormops.neighbor_k = 65") == "22023", "neighbor_k 65: 22023")
ok(sqlstate("SET stormops.neighbor_k = 0") == "22023", "neighbor_k 0: 22023")
ok(sqlstate("SET stormops.neighbor_radius_m = -1") == "22023", "a negative radius: 22023")
ok(sqlstate("INSERT INTO stormops.referrals (referrer_property_id, referred_property_id) VALUES ('a-0001', 'no-such')")
   == "23503", "a referral to an unknown property: 23503")
ok(sqlstate("INSERT INTO stormops.referrals (referrer_property_id, referred_property_id) VALUES ('a-0001', 'a-0001')")
   == "23514", "a referral of a property to itself: 23514")
ok(sqlstate("SELECT * FROM stormops.diffusion_paths('a-0001', 7)") == "22023", "diffusion_paths with max_hops 7: 22023")
ok(sqlstate("SELECT * FROM stormops.diffusion_paths('no-such')") == "42704", "diffusion_paths of an unknown property: 42704")
ok(rows("SELECT count(*) FROM stormops.referrals")[0][0] == before, "no referral was stored")

# paths: each ends at the property, starts at a seed, follows edges of the graph
paths = rows(f"""SELECT d.property_ids[1] = d.seed_property_id
                        AND d.property_ids[array_length(d.property_ids, 1)] = 'Grid_111'
                        AND EXISTS (SELECT FROM stormops.diffusion_seeds({AS_OF}) s WHERE s.property_id = d.seed_property_id)
                        AND (SELECT bool_and(EXISTS (SELECT FROM stormops.diffusion_edges e
                                                      WHERE e.from_property_id = d.property_ids[i]
                                                        AND e.to_property_id = d.property_ids[i + 1]
                                                        AND e.edge_kind = d.edge_kinds[i]))
                               FROM generate_series(1, d.hops) i),
                        d.strength
                   FROM stormops.diffusion_paths('Grid_111') d ORDER BY d.path_rank""")
ok(len(paths) > 0 and all(p[0] == "t" for p in paths)
   and all(float(a[1]) >= float(b[1]) for a, b in zip(paths, paths[1:])),
   f"diffusion_paths('Grid_111'): {len(paths)} paths from seeds along the graph's edges, strongest first")

# no seed at all: every score 0
rows("UPDATE stormops.properties SET is_past_customer = false; DELETE FROM stormops.behavior_events;")
run = rows(f"SELECT seeds FROM stormops.refresh_diffusion({AS_OF})")[0][0]
zero = rows("SELECT count(*) FILTER (WHERE diffusion_score <> 0), count(*) FILTER (WHERE diffusion_percentile <> 0) "
            "FROM stormops.property_scores")[0]
ok(run == "0" and zero == ["0", "0"], "an empty seed set: every score and percentile 0")
finish()
