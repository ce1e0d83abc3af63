"""Validation reports: a CSV of the metrics, figures drawn with matplotlib's
Agg canvas (no pyplot, no display) and a self-contained HTML page with the
figures embedded. Paths are staged by the caller (OutputSet)."""
from __future__ import annotations

import base64
import csv
import html
import math
from pathlib import Path

import numpy as np

from ..packages import require

STYLE = ("body{font-family:sans-serif;margin:1em;max-width:70em}table{border-collapse:collapse;margin:.5em 0}"
         "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#eee}img{max-width:100%}")


def _figure(w, h):
    require("matplotlib", "matplotlib", "report figures")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _fmt(v, spec="{:.3f}"):
    return "" if v is None or (isinstance(v, float) and not math.isfinite(v)) else spec.format(v)


def _ci(e):
    return f"{_fmt(e['value'])} [{_fmt(e['low'])}, {_fmt(e['high'])}]"


def confusion_png(cm, names, path) -> Path:
    cm = np.asarray(cm)
    k = len(names)
    size = min(3 + 0.45 * k, 14)
    fig = _figure(size + 1, size)
    ax = fig.add_subplot(1, 1, 1)
    with np.errstate(invalid="ignore"):
        share = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(im, ax=ax, label="share of the true class")
    ax.set_xticks(range(k), [str(n) for n in names], rotation=45, ha="right")
    ax.set_yticks(range(k), [str(n) for n in names])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if k <= 20:
        for i in range(k):
            for j in range(k):
                ax.text(j, i, str(int(cm[i, j])), ha="center", va="center", fontsize=8,
                        color="white" if share[i, j] > 0.5 else "black")
    ax.set_title("Confusion matrix (validation)")
    fig.tight_layout()
    fig.savefig(str(path), format="png", facecolor="white")
    return Path(path)


def scatter_png(observed, predicted, path, field="value") -> Path:
    fig = _figure(6, 6)
    ax = fig.add_subplot(1, 1, 1)
    o, p = np.asarray(observed, float), np.asarray(predicted, float)
    ax.scatter(o, p, s=6, alpha=0.5, edgecolors="none")
    lo, hi = float(np.nanmin([o.min(), p.min()])), float(np.nanmax([o.max(), p.max()]))
    ax.plot([lo, hi], [lo, hi], color="#b00", lw=1, label="1:1")
    ax.set_xlabel(f"observed {field}")
    ax.set_ylabel(f"predicted {field}")
    ax.set_title("Predicted versus observed (validation)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(str(path), format="png", facecolor="white")
    return Path(path)


def _img(path, alt):
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"


def _table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _page(title, parts) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{''.join(parts)}</body></html>")


def _context(context):
    e = html.escape
    return "<p>" + "<br>".join(f"<b>{e(str(k))}</b>: {e(str(v))}" for k, v in context.items()) + "</p>"


def classification_csv(path, m, names) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["metric", "class", "value", "ci95_low", "ci95_high", "support"])
        for key in ("accuracy", "balanced_accuracy"):
            w.writerow([key, "", m[key]["value"], m[key]["low"], m[key]["high"], m["n"]])
        for i, n in enumerate(names):
            w.writerow(["f1", n, m["f1"]["value"][i], m["f1"]["low"][i], m["f1"]["high"][i], m["support"][i]])
    return Path(path)


def classification_html(path, m, names, png_path, context: dict) -> Path:
    parts = [_context(context), "<h2>Validation</h2>",
             f"<p>{m['n']} validation pixels; 95 % confidence intervals from a percentile bootstrap of the "
             f"validation predictions ({m['n_boot']} resamples, seed {m['seed']}). Chance level of balanced "
             f"accuracy: {_fmt(m['chance_balanced_accuracy'])}.</p>",
             _table(["metric", "value [95 % CI]"], [["accuracy", _ci(m["accuracy"])],
                                                    ["balanced accuracy", _ci(m["balanced_accuracy"])]]),
             "<h3>Per class</h3>",
             _table(["class", "F1 [95 % CI]", "validation pixels"],
                    [[html.escape(str(n)), _ci({k: m["f1"][k][i] for k in ("value", "low", "high")}),
                      m["support"][i]] for i, n in enumerate(names)])]
    if png_path:
        parts += ["<h3>Confusion matrix</h3>", _img(png_path, "confusion matrix")]
    Path(path).write_text(_page("Classification report", parts), encoding="utf-8")
    return Path(path)


def regression_csv(path, m) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["metric", "value", "ci95_low", "ci95_high", "n"])
        for key in ("r2", "mae", "rmse"):
            w.writerow([key, m[key]["value"], m[key]["low"], m[key]["high"], m["n"]])
    return Path(path)


def regression_html(path, m, png_path, context: dict) -> Path:
    parts = [_context(context), "<h2>Validation</h2>",
             f"<p>{m['n']} validation pixels; 95 % confidence intervals from a percentile bootstrap of the "
             f"validation predictions ({m['n_boot']} resamples, seed {m['seed']}).</p>",
             _table(["metric", "value [95 % CI]"], [["R²", _ci(m["r2"])], ["MAE", _ci(m["mae"])],
                                                    ["RMSE", _ci(m["rmse"])]])]
    if png_path:
        parts += ["<h3>Predicted versus observed</h3>", _img(png_path, "predicted versus observed")]
    Path(path).write_text(_page("Regression report", parts), encoding="utf-8")
    return Path(path)
