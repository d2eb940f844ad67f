"""Independent computations for test/shell/retrospectives_reference.sh.

  retro_reference.py sensitivity      pandas.cut against stormops.sensitivity
  retro_reference.py hillstrom FILE   the Hillstrom table, uplift, Newcombe
                                      interval and p-value from the CSV with
                                      the standard library only

Prints TAP lines; exits 1 when one is not ok. Talks to the database with
psql (PG* variables, test/python/psql_tap.py), so it needs no driver.
"""
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from psql_tap import finish, ok, rows  # noqa: E402

def sensitivity():
    import pandas as pd

    for dim, bins in (("income", 5), ("timing", [0, 7, 14, 30, 90])):
        values = [float(v[0]) for v in rows(
            f"SELECT coalesce(value::text, 'NaN') FROM stormops.sensitivity_values("
            f"ARRAY(SELECT r.proposal_id FROM stormops.proposal_runs r JOIN stormops.playbooks b USING (playbook_id)"
            f" WHERE b.playbook_name = 'Sens'), '{dim}')")]
        cats, edges = pd.cut(pd.Series(values), bins=bins, retbins=True)
        counts = cats.value_counts(sort=False).tolist()
        got = rows(f"SELECT lower_edge, upper_edge, treated + control FROM stormops.sensitivity('Sens', '{dim}')")
        ok(len(got) == len(edges) - 1, f"{dim}: {len(got)} bins, pandas {len(edges) - 1}")
        for i, (lo, hi, n) in enumerate(got):
            ok(abs(float(lo) - edges[i]) <= 1e-9 and abs(float(hi) - edges[i + 1]) <= 1e-9,
               f"{dim} bin {i + 1}: edges ({lo}, {hi}], pandas ({edges[i]!r}, {edges[i + 1]!r}]")
            ok(int(n) == counts[i], f"{dim} bin {i + 1}: {n} properties, pandas {counts[i]}")
        if dim == "income":
            finite = [v for v in values if v == v]
            ok(min(finite) == 10000 and max(finite) == 100000 and 46000 in finite,
               "income values include the minimum, an inner edge (46,000) and the maximum")
            ok(any(v != v for v in values), "a property without a tract has no income and is left out")
        else:
            ok(0.0 in values and 7.0 in values, "timing values include 0 (outside (0, 7]) and the edge 7")


Z = 1.959963984540054


def wilson(x, n):
    p = x / n
    z2n = Z * Z / n
    c = (p + z2n / 2) / (1 + z2n)
    h = Z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    return max(0.0, c - h), min(1.0, c + h)


def newcombe(x1, n1, x2, n2):
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    p1, p2 = x1 / n1, x2 / n2
    return (p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def p_value(x1, n1, x2, n2):
    p = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


def hillstrom(path):
    seg = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            s = seg.setdefault(r["segment"], [0, 0, 0, 0.0])
            s[0] += 1
            s[1] += int(r["visit"])
            s[2] += int(r["conversion"])
            s[3] += float(r["spend"])
    published = {"Mens E-Mail": ("18.28", "1.253", "1.42"), "Womens E-Mail": ("15.14", "0.884", "1.08"),
                 "No E-Mail": ("10.62", "0.573", "0.65")}
    for name, (visit, conv, spend) in published.items():
        n, v, c, s = seg[name]
        ok(f"{100 * v / n:.2f}" == visit and f"{100 * c / n:.3f}" == conv and f"{s / n:.2f}" == spend,
           f"the CSV itself gives the published {name} figures")
    got = {r[0]: r[1:] for r in rows(
        "SELECT playbook_name, treated, responded, converted, control_size, response_rate, control_response_rate,"
        " conversion_rate, control_conversion_rate, uplift, uplift_low, uplift_high, p_value,"
        " revenue_per_treated, revenue_per_control FROM stormops.retrospective('hillstrom-2008')")}
    nc, vc, cc, _ = seg["No E-Mail"]
    for play, name in (("Hillstrom-Mens-Email", "Mens E-Mail"), ("Hillstrom-Womens-Email", "Womens E-Mail")):
        n, v, c, _ = seg[name]
        g = got[play]
        ok([int(g[0]), int(g[1]), int(g[2]), int(g[3])] == [n, v, c, nc],
           f"{play}: {g[0]} treated, {g[1]} visits, {g[2]} conversions, control {g[3]}")
        visit_pct, control_visit_pct = 100 * float(g[4]), 100 * float(g[5])
        conv_pct, control_conv_pct = 100 * float(g[6]), 100 * float(g[7])
        ok(f"{visit_pct:.2f}" == published[name][0] and f"{control_visit_pct:.2f}" == "10.62",
           f"{play}: visit {visit_pct:.2f}% against {control_visit_pct:.2f}% (published {published[name][0]} / 10.62)")
        ok(f"{conv_pct:.3f}" == published[name][1] and f"{control_conv_pct:.3f}" == "0.573",
           f"{play}: conversion {conv_pct:.3f}% against {control_conv_pct:.3f}% (published {published[name][1]} / 0.573)")
        ok(f"{float(g[12]):.2f}" == published[name][2] and f"{float(g[13]):.2f}" == "0.65",
           f"{play}: spend per customer ${g[12]} against ${g[13]} (published {published[name][2]} / 0.65)")
        lo, hi = newcombe(c, n, cc, nc)
        pv = p_value(c, n, cc, nc)
        ok(abs(float(g[8]) - (c / n - cc / nc)) <= 1e-9, f"{play}: uplift {g[8]} (Python {c / n - cc / nc!r})")
        ok(abs(float(g[9]) - lo) <= 1e-9 and abs(float(g[10]) - hi) <= 1e-9,
           f"{play}: Newcombe interval [{g[9]}, {g[10]}] (Python [{lo!r}, {hi!r}])")
        ok(abs(float(g[11]) - pv) <= 1e-9, f"{play}: p-value {g[11]} (Python {pv!r})")


if __name__ == "__main__":
    if sys.argv[1] == "sensitivity":
        sensitivity()
    else:
        hillstrom(sys.argv[2])
    finish()
