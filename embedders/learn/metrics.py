"""Validation metrics with percentile bootstrap 95 % confidence intervals
(fixed seed) over the validation predictions.

Classification metrics depend only on the confusion matrix, and a bootstrap
resample of the n (true, predicted) pairs is a multinomial draw of n pairs
from the matrix's cells: the resampled matrices are drawn directly."""
from __future__ import annotations

import numpy as np

N_BOOT = 1000
SEED = 0


def confusion(y_true, y_pred, k: int) -> np.ndarray:
    """(k, k) counts, rows true, columns predicted (predictions < 0 ignored)."""
    ok = y_pred >= 0
    return np.bincount(y_true[ok] * k + y_pred[ok], minlength=k * k).reshape(k, k)


def _scores(cm):
    """accuracy, balanced accuracy, per-class F1 of (..., k, k) matrices."""
    with np.errstate(invalid="ignore", divide="ignore"):
        tp = np.diagonal(cm, axis1=-2, axis2=-1).astype(float)
        true_n, pred_n = cm.sum(axis=-1), cm.sum(axis=-2)
        acc = tp.sum(-1) / cm.sum(axis=(-2, -1))
        recall = np.where(true_n > 0, tp / true_n, np.nan)
        bal = np.nanmean(recall, axis=-1)
        f1 = np.where(true_n + pred_n > 0, 2 * tp / (true_n + pred_n), np.nan)
    return acc, bal, f1


def _ci(samples, axis=0):
    with np.errstate(invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanpercentile(samples, [2.5, 97.5], axis=axis)
    return lo, hi


def classification_metrics(y_true, y_pred, k: int, n_boot: int = N_BOOT, seed: int = SEED) -> dict:
    """accuracy, balanced_accuracy (each {value, low, high}), f1 per class
    (lists value / low / high), the confusion matrix, n and the chance level
    of balanced accuracy (1 / number of classes present)."""
    cm = confusion(np.asarray(y_true), np.asarray(y_pred), k)
    n = int(cm.sum())
    acc, bal, f1 = _scores(cm)
    rng = np.random.default_rng(seed)
    boot = rng.multinomial(n, (cm / max(n, 1)).ravel(), size=n_boot).reshape(n_boot, k, k)
    b_acc, b_bal, b_f1 = _scores(boot)
    present = int((cm.sum(axis=1) > 0).sum())

    def entry(v, s):
        lo, hi = _ci(s)
        return {"value": float(v), "low": float(lo), "high": float(hi)}

    f1_lo, f1_hi = _ci(b_f1)
    return {"n": n, "accuracy": entry(acc, b_acc), "balanced_accuracy": entry(bal, b_bal),
            "f1": {"value": f1.tolist(), "low": f1_lo.tolist(), "high": f1_hi.tolist()},
            "support": cm.sum(axis=1).tolist(), "confusion": cm.tolist(),
            "chance_balanced_accuracy": 1.0 / present if present else float("nan"),
            "n_boot": n_boot, "seed": seed}


def _reg_scores(t, p):
    """R², MAE, RMSE along the last axis."""
    err = p - t
    ss_res = (err ** 2).sum(-1)
    ss_tot = ((t - t.mean(-1, keepdims=True)) ** 2).sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = 1.0 - ss_res / ss_tot
    return r2, np.abs(err).mean(-1), np.sqrt((err ** 2).mean(-1))


def regression_metrics(y_true, y_pred, n_boot: int = N_BOOT, seed: int = SEED, chunk: int = 50) -> dict:
    """r2, mae, rmse (each {value, low, high}) and n, over finite pairs."""
    t, p = np.asarray(y_true, float), np.asarray(y_pred, float)
    ok = np.isfinite(t) & np.isfinite(p)
    t, p = t[ok], p[ok]
    n = len(t)
    point = _reg_scores(t, p)
    rng = np.random.default_rng(seed)
    boots = [[], [], []]
    for start in range(0, n_boot, chunk):  # memory O(chunk * n)
        idx = rng.integers(0, n, size=(min(chunk, n_boot - start), n))
        for acc, s in zip(boots, _reg_scores(t[idx], p[idx])):
            acc.append(s)
    out = {"n": n, "n_boot": n_boot, "seed": seed}
    for name, v, s in zip(("r2", "mae", "rmse"), point, boots):
        lo, hi = _ci(np.concatenate(s))
        out[name] = {"value": float(v), "low": float(lo), "high": float(hi)}
    return out
