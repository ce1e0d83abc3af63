"""Sections of the comparison report page: provenance, the similarity
heatmap, the agreement map, the output files. Each returns HTML text."""
from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from .compare import Comparison, ModelRun, resolution_m

e = html.escape


def _m(v: float) -> str:
    return f"{v:.3g} m" if v < 100 else f"{v:.0f} m"


def resampling_text(run: ModelRun, comp: Optional[Comparison], how: str = "averaged") -> str:
    """'gse_annual averaged from 10 m to 50 m' and the like."""
    if comp is None or not run.ok:
        return ""
    common = resolution_m(comp.grid)
    crs = "" if run.crs == comp.grid.crs else f", reprojected from {run.crs} to {comp.grid.crs}"
    if math.isclose(run.res_m, common, rel_tol=0.01):
        return f"{run.model} on {_m(common)} (its native resolution){crs}"
    if run.res_m < common:
        return f"{run.model} {how} from {_m(run.res_m)} to {_m(common)}{crs}"
    return (f"{run.model} resampled from {_m(run.res_m)} to {_m(common)} (finer than its native "
            f"grid: each native pixel repeats){crs}")


def image(path, alt: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"<img alt='{e(alt)}' src='data:image/png;base64,{data}'>"


def provenance(runs: List[ModelRun], comp: Optional[Comparison], facts: Dict[str, str]) -> str:
    """Run facts, then each model's source, product version and resampling."""
    rows = "".join(f"<b>{e(k)}</b>: {e(str(v))}<br>" for k, v in facts.items())
    items = []
    for r in runs:
        if not r.ok:
            continue
        bits = [f"source: {r.source}" if r.source else "", f"product version {r.product_version}"
                if r.product_version else "", resampling_text(r, comp)]
        items.append(f"<li><b>{e(r.model)}</b>: {e('; '.join(b for b in bits if b))}</li>")
    return f"<h2>Provenance</h2><p>{rows}</p><ul>{''.join(items)}</ul>"


def heatmap(comp: Comparison, png) -> str:
    s = comp.stats
    if s is None or png is None:
        return ""
    alt = "; ".join(f"{p.a} / {p.b}: CKA {p.cka:.3f} [{p.cka_ci[0]:.3f}, {p.cka_ci[1]:.3f}] (shuffled "
                    f"{p.cka_shuffled:.3f}), {s.k}-NN overlap {p.knn_overlap:.3f} [{p.knn_ci[0]:.3f}, "
                    f"{p.knn_ci[1]:.3f}] (shuffled {p.knn_shuffled:.3f})" for p in s.pairs)
    return (
        "<h2>How alike the models are</h2>"
        f"<p><b>How to read it</b>: a cell near 1 means the two models arrange these pixels the same way; "
        f"a score only means something where it is clearly above its shuffled baseline.</p>"
        + image(png, alt) +
        f"<p><b>Method</b>: upper right, linear CKA (Kornblith et al. 2019; 1 = the same geometry up to "
        f"rotation and scale, across dimensions); lower left, {s.k}-NN overlap (the share of each pixel's "
        f"{s.k} nearest neighbours that are the same pixels in both models; chance is about "
        f"{s.k / max(1, s.sample - 1):.3f}). Common grid: {e(comp.grid_how)}, {comp.grid.width} x "
        f"{comp.grid.height} pixels in {e(comp.grid.crs)} at {_m(resolution_m(comp.grid))}; "
        f"{comp.common_pixels} pixels valid in every model, of which {s.pool} sampled (seed {s.seed}). "
        f"Each score is the mean over {s.repeats} random samples of {s.sample} of those pixels; the "
        f"interval is the 2.5-97.5 % range over the samples; the shuffled baseline is the same score with "
        f"one model's pixels paired at random. Numbers: report.csv.</p>")


def agreement(result, png, name: str) -> str:
    if result is None:
        return ""
    return ("<h2>Where the models disagree</h2><p><b>How to read it</b>: bright where the models see the "
            "same local structure around a pixel, dark where they disagree.</p>" + image(png, "agreement map") +
            f"<p><b>Method</b>: {e(result.method)}; on the common grid; mean {result.mean:.3f} over "
            f"{result.valid_pixels} pixels. Layer: {e(name)} (float32, 0..1"
            + (f"; band 1 the mean, then one band per pair: {e(', '.join(result.pairs))}" if len(result.pairs) > 1
               else "") + ").</p>")


def pca(png, reference: Optional[str], fits: Dict[str, float]) -> str:
    if png is None:
        return ""
    fit = ", ".join(f"{m} {max(0.0, v):.2f}" for m, v in fits.items() if m != reference and v == v)
    how = (f"colours aligned onto {e(reference)} (orthogonal Procrustes on the standardised PCA scores; the "
           f"same field has the same colour, here and in the PCA layers; share of {e(reference)}'s colour "
           f"variance reproduced: {e(fit)})"
           if reference and len(fits) > 1 else "each model's own colours")
    return (f"<h2>PCA maps</h2><p>Three principal components of each model as RGB on the same footprint, "
            f"{how}. Titles give each component's share of the variance.</p>" + image(png, "PCA maps"))


def files(names: Iterable[str]) -> str:
    links = "".join(f"<li><a href='{e(n)}'>{e(n)}</a></li>" for n in sorted(names))
    return f"<h2>Output files</h2><ul>{links}</ul>"
