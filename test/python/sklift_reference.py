"""An independent computation of the uplift metrics of src/core/uplift_metrics.c.

Written with numpy only from the formulas of scikit-uplift 0.5
(sklift.metrics: qini_curve, perfect_qini_curve with negative_effect=True,
qini_auc_score, uplift_curve, perfect_uplift_curve, uplift_auc_score,
uplift_at_k with strategy "overall") and scikit-learn (stable_cumsum,
metrics.auc, roc_curve and roc_auc_score), so neither needs installing:

  metrics(score, treated, label)  dict: qini, qini_area, auuc, auuc_area,
                                  uplift_at_10, uplift_at_30, uplift_average,
                                  treated, control
  qini_deciles(score, treated, label)
                                  the Qini curve interpolated at i * n / 10
                                  rows, i = 0..10
  auc(score, label)               the area under the ROC curve (trapezoids
                                  between distinct scores: ties count 1/2)

uplift_at_k takes the first ceil(n * k) rows (math.ceil, as the C does);
sklift 0.5 itself takes int(n * k) rows: rows=int gives its figure.
Run as a script it prints the metrics of a small example.
"""
import math

import numpy as np


def stable_cumsum(arr):
    """sklearn.utils.extmath.stable_cumsum: a float64 cumsum, checked against the sum."""
    out = np.cumsum(arr, dtype=np.float64)
    expected = np.sum(arr, dtype=np.float64)
    if out.size and not np.allclose(out[-1], expected, rtol=1e-05, atol=1e-08):
        raise RuntimeError("cumsum was found to be unstable")
    return out


def trapezoid_auc(x, y):
    """sklearn.metrics.auc: the trapezoidal rule over monotonic x."""
    x, y = np.asarray(x), np.asarray(y)
    if x.shape[0] < 2:
        raise ValueError("at least 2 points are needed")
    direction = 1
    dx = np.diff(x)
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1
        else:
            raise ValueError("x is neither increasing nor decreasing")
    return direction * np.trapz(y, x)


def _check_binary(name, a):
    if not np.array_equal(np.unique(a), np.array([0, 1])):
        raise ValueError(f"{name} is not binary with both values: {np.unique(a)}")


def _cutoffs(label, score, treated):
    """Counts at the end of each run of equal scores, in descending score order."""
    label, score, treated = np.asarray(label), np.asarray(score), np.asarray(treated)
    desc = np.argsort(score, kind="mergesort")[::-1]
    label, score, treated = label[desc], score[desc], treated[desc]
    label_ctrl, label_trmnt = label.copy(), label.copy()
    label_ctrl[treated == 1] = 0
    label_trmnt[treated == 0] = 0
    distinct = np.where(np.diff(score))[0]
    threshold = np.r_[distinct, score.size - 1]
    num_trmnt = stable_cumsum(treated)[threshold]
    y_trmnt = stable_cumsum(label_trmnt)[threshold]
    num_all = threshold + 1
    num_ctrl = num_all - num_trmnt
    y_ctrl = stable_cumsum(label_ctrl)[threshold]
    return num_all, num_trmnt, num_ctrl, y_trmnt, y_ctrl


def _from_origin(num_all, values):
    if num_all.size == 0 or values[0] != 0 or num_all[0] != 0:
        num_all = np.r_[0, num_all]
        values = np.r_[0, values]
    return num_all, values


def qini_curve(label, score, treated):
    num_all, num_trmnt, num_ctrl, y_trmnt, y_ctrl = _cutoffs(label, score, treated)
    values = y_trmnt - y_ctrl * np.divide(num_trmnt, num_ctrl, out=np.zeros_like(num_trmnt),
                                          where=num_ctrl != 0)
    return _from_origin(num_all, values)


def uplift_curve(label, score, treated):
    num_all, num_trmnt, num_ctrl, y_trmnt, y_ctrl = _cutoffs(label, score, treated)
    values = (np.divide(y_trmnt, num_trmnt, out=np.zeros_like(y_trmnt), where=num_trmnt != 0)
              - np.divide(y_ctrl, num_ctrl, out=np.zeros_like(y_ctrl), where=num_ctrl != 0)) * num_all
    return _from_origin(num_all, values)


def perfect_qini_curve(label, treated):
    """negative_effect=True: the Qini curve of the scores y*t - y*(1-t)."""
    label, treated = np.asarray(label), np.asarray(treated)
    return qini_curve(label, label * treated - label * (1 - treated), treated)


def perfect_uplift_curve(label, treated):
    label, treated = np.asarray(label), np.asarray(treated)
    cr_num = np.sum((label == 1) & (treated == 0))
    tn_num = np.sum((label == 0) & (treated == 1))
    summand = label if cr_num > tn_num else treated
    return uplift_curve(label, 2 * (label == treated) + summand, treated)


def _normalised(curve, perfect):
    """(score, area between the curve and the random line), as qini_auc_score and uplift_auc_score."""
    x_actual, y_actual = curve
    x_perfect, y_perfect = perfect
    baseline = trapezoid_auc(np.array([0, x_perfect[-1]]), np.array([0, y_perfect[-1]]))
    perfect_area = trapezoid_auc(x_perfect, y_perfect) - baseline
    actual_area = trapezoid_auc(x_actual, y_actual) - baseline
    return actual_area / perfect_area, actual_area


def qini_auc_score(label, score, treated):
    return _normalised(qini_curve(label, score, treated), perfect_qini_curve(label, treated))[0]


def uplift_auc_score(label, score, treated):
    return _normalised(uplift_curve(label, score, treated), perfect_uplift_curve(label, treated))[0]


def uplift_at_k(label, score, treated, k, rows=math.ceil):
    """Strategy "overall": the first rows(n * k) rows of argsort(score, kind="mergesort")[::-1]."""
    label, score, treated = np.asarray(label), np.asarray(score), np.asarray(treated)
    order = np.argsort(score, kind="mergesort")[::-1]
    n_size = rows(len(label) * k)
    top_label, top_treated = label[order][:n_size], treated[order][:n_size]
    if not (np.any(top_treated == 1) and np.any(top_treated == 0)):
        return math.nan         # numpy's mean of nothing, without the warning
    return top_label[top_treated == 1].mean() - top_label[top_treated == 0].mean()


def qini_deciles(score, treated, label):
    x, y = qini_curve(label, score, treated)
    n = len(label)
    return [float(np.interp(i * n / 10, x, y)) for i in range(11)]


def auc(score, label):
    """roc_auc_score: sklearn's roc_curve (a point per distinct score) and the trapezoidal rule."""
    score, label = np.asarray(score), np.asarray(label)
    _check_binary("label", label)
    desc = np.argsort(score, kind="mergesort")[::-1]
    score, label = score[desc], label[desc]
    distinct = np.where(np.diff(score))[0]
    threshold = np.r_[distinct, label.size - 1]
    tps = stable_cumsum(label)[threshold]
    fps = 1 + threshold - tps
    tps, fps = np.r_[0, tps], np.r_[0, fps]
    return float(trapezoid_auc(fps / fps[-1], tps / tps[-1]))


def metrics(score, treated, label):
    score = np.asarray(score, dtype=np.float64)
    treated = np.asarray(treated).astype(np.int64)
    label = np.asarray(label).astype(np.int64)
    _check_binary("treated", treated)
    _check_binary("label", label)
    qini, qini_area = _normalised(qini_curve(label, score, treated), perfect_qini_curve(label, treated))
    auuc, auuc_area = _normalised(uplift_curve(label, score, treated), perfect_uplift_curve(label, treated))
    return {
        "qini": float(qini),
        "qini_area": float(qini_area),
        "auuc": float(auuc),
        "auuc_area": float(auuc_area),
        "uplift_at_10": float(uplift_at_k(label, score, treated, 0.1)),
        "uplift_at_30": float(uplift_at_k(label, score, treated, 0.3)),
        "uplift_average": float(label[treated == 1].mean() - label[treated == 0].mean()),
        "treated": int(np.sum(treated == 1)),
        "control": int(np.sum(treated == 0)),
    }


if __name__ == "__main__":
    # the hand-computed example of test/unit/test_uplift_metrics.c
    s = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    t = [1, 0, 1, 0, 1, 0]
    y = [1, 0, 0, 1, 1, 0]
    for key, value in metrics(s, t, y).items():
        print(f"{key:15} {value!r}")
    print("qini deciles   ", qini_deciles(s, t, y))
    print("auc            ", auc(s, y))
