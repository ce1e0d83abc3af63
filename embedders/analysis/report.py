"""The model comparison report: a CSV table, a side-by-side PNG of PCA maps
(a plain mosaic without matplotlib) and a self-contained HTML page (figures
embedded; its sections are in report_sections.py), all written atomically."""
from __future__ import annotations

import csv
import html
import math
import warnings
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np

from ..fileio import atomic_path
from .compare import Comparison, ModelRun

CSV_COLUMNS = ["record", "model", "model_b", "status", "dim", "crs", "native_resolution",
               "native_res_m", "coverage", "common_grid_coverage", "run_time_s", "source", "product_version",
               "n_pixels", "cka", "cka_ci95_low", "cka_ci95_high", "cka_shuffled", "knn_jaccard", "knn_overlap",
               "knn_overlap_ci95_low", "knn_overlap_ci95_high", "knn_overlap_shuffled", "k", "repeats",
               "sample", "seed", "message"]


def _num(v, fmt="{:.4f}"):
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)


def write_csv(path, runs: List[ModelRun], comp: Optional[Comparison]) -> Path:
    """One row per model (record=model) and one per pair (record=pair)."""
    cov = comp.coverage if comp else {}
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, CSV_COLUMNS)
        w.writeheader()
        for r in runs:
            w.writerow({"record": "model", "model": r.model, "status": "ok" if r.ok else "skipped",
                        "dim": r.dim or "", "crs": r.crs, "native_resolution": r.res_native,
                        "native_res_m": _num(r.res_m, "{:.2f}"), "coverage": _num(r.coverage),
                        "common_grid_coverage": _num(cov.get(r.model)),
                        "run_time_s": _num(r.seconds, "{:.2f}"), "source": r.source,
                        "product_version": r.product_version, "message": r.error or ""})
        stats = comp.stats if comp else None
        for p in comp.pairs if comp else []:
            row = {"record": "pair", "model": p.a, "model_b": p.b, "status": "ok",
                   "n_pixels": p.n_pixels, "cka": _num(p.cka), "knn_jaccard": _num(p.knn_jaccard),
                   "knn_overlap": _num(p.knn_overlap), "k": comp.k}
            if stats is not None:
                s = stats.get(p.a, p.b)
                row.update({"cka_ci95_low": _num(s.cka_ci[0]), "cka_ci95_high": _num(s.cka_ci[1]),
                            "cka_shuffled": _num(s.cka_shuffled), "knn_overlap_ci95_low": _num(s.knn_ci[0]),
                            "knn_overlap_ci95_high": _num(s.knn_ci[1]), "knn_overlap_shuffled": _num(s.knn_shuffled),
                            "repeats": stats.repeats, "sample": stats.sample, "seed": stats.seed})
            w.writerow(row)
    return Path(path)


def side_by_side_png(panels: Sequence[Tuple[str, np.ndarray]], path) -> Path:
    """Panels (title, (H, W, 4) uint8 RGBA) side by side in one PNG. Uses
    matplotlib's Agg canvas (no pyplot, no display) when installed, else a
    plain mosaic written by GDAL (titles then only in the HTML)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return _mosaic_png(panels, path)
    n = len(panels)
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(3.2 * cols, 3.4 * rows), dpi=100)
    FigureCanvasAgg(fig)
    for i, (title, rgba) in enumerate(panels):
        ax = fig.add_subplot(rows, cols, i + 1)
        # matplotlib takes floats as 0..1: PCA maps of 1..255 in a float raster came out white
        ax.imshow(np.clip(np.nan_to_num(np.asarray(rgba, dtype=np.float64)), 0, 255).astype(np.uint8),
                  interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", facecolor="white")
    return Path(path)


def _mosaic_png(panels, path, gap: int = 8) -> Path:
    import rasterio
    from rasterio.errors import NotGeoreferencedWarning

    h = max(p[1].shape[0] for p in panels)
    w = sum(p[1].shape[1] for p in panels) + gap * (len(panels) - 1)
    out = np.full((4, h, w), 255, dtype=np.uint8)
    x = 0
    for _, rgba in panels:
        out[:, :rgba.shape[0], x:x + rgba.shape[1]] = np.moveaxis(rgba, -1, 0)
        x += rgba.shape[1] + gap
    with atomic_path(path) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(
                tmp, "w", driver="PNG", width=w, height=h, count=4, dtype="uint8") as dst:
            dst.write(out)
    return Path(path)


def _table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def write_html(path, runs: List[ModelRun], comp: Optional[Comparison], png_path=None,
               title="Model comparison", context: dict = None, sections: Sequence[str] = (),
               lead: str = "") -> Path:
    """A self-contained report page (figures embedded as data URIs):
    ``context`` facts, ``lead`` (HTML, e.g. the provenance), the models table, the PCA figure (``png_path``, unless
    ``sections`` bring their own) and further ``sections`` (report_sections.py)."""
    from . import report_sections

    e = html.escape
    parts = [f"<h1>{e(title)}</h1>"]
    if context:
        parts.append("<p>" + "<br>".join(f"<b>{e(k)}</b>: {e(str(v))}" for k, v in context.items()) + "</p>")
    parts.append(lead)
    parts.append("<h2>Models</h2>")
    cov = comp.coverage if comp else {}
    parts.append(_table(
        ["model", "status", "dim", "CRS", "native resolution", "native resolution (m)", "coverage",
         "coverage of common grid", "run time (s)"],
        [[e(r.model), "ok" if r.ok else f"<span style='color:#b00'>skipped</span>: {e(r.error or '')}",
          r.dim or "", e(r.crs), e(r.res_native), _num(r.res_m, "{:.1f} m"), _num(r.coverage, "{:.1%}"),
          _num(cov.get(r.model), "{:.1%}"), _num(r.seconds, "{:.1f}")] for r in runs]))
    for note in comp.notes if comp else []:
        parts.append(f"<p><i>{e(note)}</i></p>")
    if not sections and png_path and Path(png_path).exists():
        parts.append(report_sections.pca(png_path, None, {}))
    parts.extend(sections)
    style = ("body{font-family:sans-serif;margin:1em;max-width:1200px}table{border-collapse:collapse;margin:.5em 0}"
             "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#eee}"
             "img{max-width:100%}")
    doc = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title>"
           f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")
    with atomic_path(path) as tmp:
        Path(tmp).write_text(doc, encoding="utf-8")
    return Path(path)
