"""The peer of bench/learning: what the seed's nightly job does with scikit-learn.

  sklearn_peer.py train RUNS   the rows of train_rows out of PostgreSQL
                               (COPY ... TO STDOUT in CSV through psycopg
                               into pandas), the same md5 split, then per arm
                               StandardScaler + LogisticRegression(C = 1):
                               scikit-learn's default solver (lbfgs) and
                               newton-cg at tol 1e-10; compares the newton-cg
                               coefficients with bench_coefficients first.
  sklearn_peer.py score RUNS   every property's features out (the same
                               stormops.property_features call), both arms'
                               predict_proba, the scores back by COPY into a
                               temporary table and one UPDATE of
                               property_scores.
Prints the median of RUNS timed runs per figure and the ratio to the
figure bench_timing holds for stormops. Runs under /usr/bin/python3 with
Debian's python3-psycopg, -pandas, -numpy and -sklearn.
"""
import io
import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd
import psycopg
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore")
FEATURES = [f"x{i:02d}" for i in range(1, 21)]


def copy_frame(conn, query):
    buf = io.BytesIO()
    with conn.cursor() as cur:
        with cur.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
            for block in copy:
                buf.write(block)
    buf.seek(0)
    frame = pd.read_csv(buf)
    for column in frame.columns:  # CSV booleans are t/f
        if frame[column].dtype == object and set(frame[column].dropna().unique()) <= {"t", "f"}:
            frame[column] = frame[column] == "t"
    return frame


def fit_arms(frame, features, solver, tol):
    models = {}
    for arm, mask in (("treated", frame["treated"]), ("control", ~frame["treated"])):
        part = frame[mask]
        scaler = StandardScaler().fit(part[features].to_numpy(dtype=float))
        model = LogisticRegression(C=1.0, solver=solver, tol=tol, max_iter=1000)
        model.fit(scaler.transform(part[features].to_numpy(dtype=float)), part["label"].to_numpy())
        models[arm] = (scaler, model)
    return models


def ours(conn, like):
    with conn.cursor() as cur:
        cur.execute("SELECT ms FROM bench_timing WHERE figure LIKE %s", (like,))
        return cur.fetchone()[0]


def report(figure, times, baseline):
    med = statistics.median(times)
    print(f"  {figure:<78} {med:10.1f} ms  (stormops {baseline:.1f} ms: {baseline / med:.2f}x of this)")


def train(runs):
    conn = psycopg.connect()
    query = ("SELECT stormops.validation_row(id::text) AS validate, treated, label, "
             + ", ".join(FEATURES) + " FROM train_rows")
    # same fit first: newton-cg's coefficients against the model the database stored
    frame = copy_frame(conn, query)
    fit = frame[~frame["validate"]]
    models = fit_arms(fit, FEATURES, "newton-cg", 1e-10)
    with conn.cursor() as cur:
        cur.execute("SELECT arm, feature, standardized_coefficient FROM bench_coefficients")
        stored = {(a, f): c for a, f, c in cur.fetchall()}
    worst = 0.0
    for arm, (scaler, model) in models.items():
        worst = max(worst, abs(stored[(arm, "intercept")] - model.intercept_[0]))
        for f, c in zip(FEATURES, model.coef_[0]):
            worst = max(worst, abs(stored[(arm, f)] - c))
    print(f"  same fit: largest difference of a standardised coefficient from scikit-learn's newton-cg: {worst:.1e}")
    if worst > 1e-4:
        sys.exit("the fits differ: the comparison would not be of the same fit")
    baseline = ours(conn, "train_uplift_model%")
    for solver, tol, label in (("lbfgs", 1e-4, "default lbfgs"), ("newton-cg", 1e-10, "newton-cg, tol 1e-10")):
        fetch, total = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            frame = copy_frame(conn, query)
            t1 = time.perf_counter()
            fit_arms(frame[~frame["validate"]], FEATURES, solver, tol)
            t2 = time.perf_counter()
            fetch.append((t1 - t0) * 1000)
            total.append((t2 - t0) * 1000)
        report(f"scikit-learn {label}: rows out of PostgreSQL + fit both arms", total, baseline)
        print(f"    of which getting the rows out: {statistics.median(fetch):.1f} ms")


def score(runs):
    conn = psycopg.connect()
    names = ["sii_score", "roof_age", "roof_age_known", "tract_income_k", "tract_income_known", "ses_tier",
             "persona", "competitor_pressure", "white_space", "prior_contacts", "prior_response_rate",
             "past_customer_share"]
    features_query = "SELECT f.* FROM stormops.property_features('2019-03-27 12:00-05') f"
    train = copy_frame(conn, "SELECT * FROM feats WHERE NOT stormops.validation_row(property_id)")

    def design(frame):
        x = frame[[n for n in names if n not in ("ses_tier", "persona")]].astype(float)
        return pd.concat([x, pd.get_dummies(frame[["ses_tier", "persona"]], dtype=float)], axis=1)

    xt = design(train)
    models = {}
    for arm, mask in (("treated", train["treated"]), ("control", ~train["treated"])):
        scaler = StandardScaler().fit(xt[mask])
        models[arm] = (scaler, LogisticRegression(C=1.0).fit(scaler.transform(xt[mask]), train["label"][mask]))
    baseline = ours(conn, "score_properties%after VACUUM")
    total, fetch = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        frame = copy_frame(conn, features_query)
        t1 = time.perf_counter()
        x = design(frame).reindex(columns=xt.columns, fill_value=0.0)
        p = {arm: m.predict_proba(s.transform(x))[:, 1] for arm, (s, m) in models.items()}
        out = io.StringIO()
        pd.DataFrame({"property_id": frame["property_id"], "score": p["treated"] - p["control"]}).to_csv(out, index=False, header=False)
        with conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE peer_scores (property_id text, score float8)")
            with cur.copy("COPY peer_scores FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(out.getvalue())
            cur.execute("UPDATE stormops.property_scores s SET uplift_score = p.score, scored_at = now() "
                        "FROM peer_scores p WHERE p.property_id = s.property_id")
            cur.execute("DROP TABLE peer_scores")
        conn.commit()
        t2 = time.perf_counter()
        fetch.append((t1 - t0) * 1000)
        total.append((t2 - t0) * 1000)
    report("scikit-learn: features out + predict both arms + scores back (COPY, UPDATE)", total, baseline)
    print(f"    of which getting the features out: {statistics.median(fetch):.1f} ms")


if __name__ == "__main__":
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    {"train": train, "score": score}[sys.argv[1]](runs)
