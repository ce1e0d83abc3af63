"""Which embedding serves the user's labels best: each model (and the
concatenation of all) scored by kNN (k = 1, 3, 5) and a linear probe
(logistic regression on standardised vectors), under random and spatial-block
cross-validation, with bootstrap 95 % CIs; a ranked table and a bar chart.

All models are sampled at the same labelled pixels (the first grid's, others
warped onto it; pixels valid in every model), so the scores compare the
representations, not the samples. Called by the Compare models job with its
grids (``rank_embeddings``), then ``ranking_html`` gives the report section."""
from __future__ import annotations

import csv
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import numpy as np

from ..errors import SpecError
from ..progress import NULL_PROGRESS
from .metrics import classification_metrics
from .samples import labelled_pixels
from .stack import Stack
from .train import class_names_of, encode
from .validation import out_of_fold, splits

METHODS = ("knn1", "knn3", "knn5", "linear")
CONCAT = "all models (concatenated)"
MAX_SAMPLES = 20_000


@dataclass
class Ranking:
    rows: List[dict]                 # model, method, cv, accuracy / balanced_accuracy {value, low, high}, n
    order: List[str]                 # models, best first (by their best balanced accuracy under the ranking CV)
    ranked_by: str                   # "spatial_kfold" or "kfold"
    class_names: List[str]
    n: int
    notes: List[str] = field(default_factory=list)

    def best(self, model, cv=None):
        rows = [r for r in self.rows if r["model"] == model and r["cv"] == (cv or self.ranked_by)]
        return max(rows, key=lambda r: r["balanced_accuracy"]["value"])


def _estimator(method, seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if method == "linear":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    return make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=int(method[3:]), algorithm="brute"))


def _to_crs(features, src_crs, dst_crs):
    """Features re-projected from ``src_crs`` to ``dst_crs`` (WKT out)."""
    if not src_crs:
        return features
    from pyproj import CRS, Transformer
    from shapely import wkt as shapely_wkt
    from shapely.geometry import Point
    from shapely.ops import transform

    if CRS.from_user_input(src_crs) == CRS.from_user_input(dst_crs):
        return features
    tr = Transformer.from_crs(src_crs, dst_crs, always_xy=True).transform
    out = []
    for f in features:
        g = shapely_wkt.loads(f["wkt"]) if f.get("wkt") else Point(*f["xy"])
        out.append({"wkt": transform(tr, g).wkt, "value": f.get("value")})
    return out


def rank_embeddings(grids: Dict[str, str], features, features_crs=None, block_size=None, folds: int = 5,
                    seed: int = 0, block_mb: float = 128.0, max_samples: int = MAX_SAMPLES,
                    progress=None) -> Ranking:
    """Score every model of ``grids`` (name -> embedding raster) on the
    labelled ``features`` ({"wkt" | "xy", "value"}; in ``features_crs``, by
    default the first grid's CRS). ``block_size`` (map units of the first grid)
    sets the spatial CV blocks; default 16 pixels of the first grid."""
    progress = progress or NULL_PROGRESS
    if not grids:
        raise SpecError("Give at least one embedding raster to rank.")
    names = list(grids)
    with Stack([grids[m] for m in names]) as st:
        feats = _to_crs(features, features_crs, st.ref.crs.to_wkt())
        s = labelled_pixels(st, feats, block_mb, max_samples, seed, progress.sub(0, .1))
        dims = [sig["bands"] for sig in st.signatures]
        pixel = abs(st.ref.transform.a)
    classes = class_names_of(s.values)
    if len(classes) < 2:
        raise SpecError("The labels hold a single class; ranking needs at least two.")
    y = encode(s.values, classes)
    edges = np.cumsum([0] + dims)
    columns = {m: slice(edges[i], edges[i + 1]) for i, m in enumerate(names)}
    if len(names) > 1:
        columns[CONCAT] = slice(0, edges[-1])
    notes = []
    cvs = {"kfold": splits("kfold", y, s.xy, folds, None, seed)}
    size = float(block_size) if block_size else 16 * pixel
    try:
        cvs["spatial_kfold"] = splits("spatial_kfold", y, s.xy, folds, size, seed)
    except SpecError as exc:
        notes.append(f"Spatial cross-validation skipped: {exc}")
    rows, jobs = [], [(m, meth, cv) for m in columns for cv in cvs for meth in METHODS]
    for i, (m, meth, cv) in enumerate(jobs):
        x = np.ascontiguousarray(s.x[:, columns[m]])
        pred = out_of_fold(lambda: _estimator(meth, seed), x, y, cvs[cv])
        met = classification_metrics(y, pred, len(classes))
        rows.append({"model": m, "method": meth, "cv": cv, "accuracy": met["accuracy"],
                     "balanced_accuracy": met["balanced_accuracy"], "n": met["n"]})
        progress.update(0.1 + 0.9 * (i + 1) / len(jobs))
    ranked_by = "spatial_kfold" if "spatial_kfold" in cvs else "kfold"
    if ranked_by == "spatial_kfold":
        notes.append(f"Spatial CV: blocks of {size:g} map units, grouped {folds}-fold.")
    best = {m: max(r["balanced_accuracy"]["value"] for r in rows if r["model"] == m and r["cv"] == ranked_by)
            for m in columns}
    order = sorted(columns, key=lambda m: -best[m])
    return Ranking(rows, order, ranked_by, classes, len(y), notes)


def ranking_csv(path, ranking: Ranking) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["rank", "model", "method", "cv", "balanced_accuracy", "ba_ci95_low", "ba_ci95_high",
                    "accuracy", "acc_ci95_low", "acc_ci95_high", "n"])
        for rank, m in enumerate(ranking.order, start=1):
            for r in (r for r in ranking.rows if r["model"] == m):
                ba, acc = r["balanced_accuracy"], r["accuracy"]
                w.writerow([rank, m, r["method"], r["cv"], ba["value"], ba["low"], ba["high"], acc["value"],
                            acc["low"], acc["high"], r["n"]])
    return Path(path)


def ranking_png(path, ranking: Ranking) -> Path:
    """Bar chart: balanced accuracy of each model x method under each CV, with the 95 % CIs."""
    from .report import _figure

    cvs = [cv for cv in ("kfold", "spatial_kfold") if any(r["cv"] == cv for r in ranking.rows)]
    fig = _figure(max(6, 1.6 * len(ranking.order) + 2), 3.6 * len(cvs))
    width = 0.8 / len(METHODS)
    for j, cv in enumerate(cvs):
        ax = fig.add_subplot(len(cvs), 1, j + 1)
        for k, meth in enumerate(METHODS):
            rs = [next(r for r in ranking.rows if r["model"] == m and r["method"] == meth and r["cv"] == cv)
                  for m in ranking.order]
            v = np.array([r["balanced_accuracy"]["value"] for r in rs])
            err = np.array([[r["balanced_accuracy"]["value"] - r["balanced_accuracy"]["low"],
                             r["balanced_accuracy"]["high"] - r["balanced_accuracy"]["value"]] for r in rs]).T
            ax.bar(np.arange(len(rs)) + (k - (len(METHODS) - 1) / 2) * width, v, width, yerr=np.clip(err, 0, None),
                   capsize=2, label=meth)
        ax.axhline(1.0 / len(ranking.class_names), color="#888", lw=1, ls="--", label="chance")
        ax.set_xticks(range(len(ranking.order)), ranking.order, fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("balanced accuracy")
        ax.set_title({"kfold": "random K-fold", "spatial_kfold": "spatial block K-fold"}[cv], fontsize=10)
        ax.legend(fontsize=7, ncol=5, loc="lower right")
    fig.tight_layout()
    fig.savefig(str(path), format="png", facecolor="white")
    return Path(path)


def ranking_html(ranking: Ranking, png_path=None) -> str:
    """The report section: ranked table (best method per model under each CV) and the chart."""
    from .report import _img, _table

    e = html.escape

    def cell(r):
        ba = r["balanced_accuracy"]
        return f"{ba['value']:.3f} [{ba['low']:.3f}, {ba['high']:.3f}] ({e(r['method'])})"

    cvs = [cv for cv in ("spatial_kfold", "kfold") if any(r["cv"] == cv for r in ranking.rows)]
    rows = [[i, f"<b>{e(m)}</b>"] + [cell(ranking.best(m, cv)) for cv in cvs] for i, m in enumerate(ranking.order, 1)]
    head = ["rank", "model"] + [{"kfold": "random CV", "spatial_kfold": "spatial CV"}[cv] + ": best balanced "
                                 "accuracy [95 % CI]" for cv in cvs]
    parts = ["<h2>Which embedding fits your labels</h2>",
             f"<p>{ranking.n} labelled pixels in {len(ranking.class_names)} classes, the same pixels for every "
             f"model. kNN (k = 1, 3, 5) and a linear probe on standardised vectors; 95 % CIs by percentile "
             f"bootstrap of the out-of-fold predictions. Ranked by {'spatial' if ranking.ranked_by == 'spatial_kfold' else 'random'} "
             f"CV (chance = {1 / len(ranking.class_names):.3f}).</p>", _table(head, rows)]
    parts += [f"<p><i>{e(n)}</i></p>" for n in ranking.notes]
    if png_path:
        parts.append(_img(png_path, "balanced accuracy by model"))
    return "".join(parts)


def write_ranking(outs, folder, ranking: Ranking) -> dict:
    """Stage ``ranking.csv`` and ``ranking.png`` in ``folder`` through ``outs``
    (an OutputSet of the caller's run); returns their final paths and the
    report section (the chart embedded) for report.html."""
    folder = Path(folder)
    png = ranking_png(outs.path(folder / "ranking.png"), ranking)
    ranking_csv(outs.path(folder / "ranking.csv"), ranking)
    return {"csv": folder / "ranking.csv", "png": folder / "ranking.png", "html": ranking_html(ranking, png)}
