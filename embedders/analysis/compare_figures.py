"""The figures of one comparison run and their report sections, staged with
the run's other outputs: PCA panels in comparable colours, the similarity
heatmap and the agreement map."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

from . import report_sections as rs
from .align import align_pca, write_aligned
from .blocks import open_raster
from .compare import Comparison, ModelRun

PNG_NAME = "pca_side_by_side.png"
HEATMAP_NAME = "similarity_heatmap.png"
AGREEMENT_NAME = "agreement.tif"
AGREEMENT_PNG = "agreement.png"


def explained_of(pca_path) -> List[float]:
    """Each PCA component's share of the variance (the tag the PCA writer sets)."""
    with open_raster(pca_path) as src:
        tag = src.tags().get("RS_EMBED_PCA_EXPLAINED", "")
    try:
        return [float(v) for v in tag.split(",") if v.strip()]
    except ValueError:
        return []


def panel_title(run: ModelRun, explained: List[float], reference: Optional[str], fit: float) -> str:
    shares = ", ".join(f"PC{i + 1} {v:.0%}" for i, v in enumerate(explained)) or "explained variance unknown"
    colours = ("reference colours" if run.model == reference else
               f"aligned to {reference} (fit {max(0.0, fit):.2f})" if reference else "own colours")
    return f"{run.model}: {run.dim} d, {run.res_m:.3g} m native\n{shares}\n{colours}"


def _pca_png(panels, grid, path) -> Path:
    try:
        from .figures import pca_figure

        return pca_figure(panels, grid, path)
    except ImportError:  # no matplotlib: a plain mosaic, titles in the page only
        from .report import side_by_side_png

        return side_by_side_png(panels, path)


def report_sections(outs, out_dir: Path, ok: List[ModelRun], comp: Comparison, agreement,
                    pcas: Dict[str, np.ndarray], shown, reference: str) -> Tuple[List[str], List[str]]:
    """Write the figures into ``outs`` (an OutputSet) for ``out_dir``, and
    rewrite every staged PCA layer but the reference's in the reference's
    colours; return the report's sections and the names of the files written."""
    several = len(ok) >= 2
    aligned = align_pca(pcas, reference) if several else {}
    for r in ok:   # the PCA layers in the same colours as the panels
        if several and r.model != reference:
            write_aligned(r.readable(r.pca_path), r.readable(r.pca_path), aligned[r.model], reference)
    panels = [(panel_title(r, explained_of(r.readable(r.pca_path)), reference if several else None,
                           aligned[r.model].fit if several else float("nan")),
               aligned[r.model].rgba if several else pcas[r.model]) for r in ok]
    png = _pca_png(panels, shown, outs.path(out_dir / PNG_NAME))
    sections = [rs.pca(png, reference if several else None, {m: a.fit for m, a in aligned.items()})]
    names = [PNG_NAME]
    try:
        from .figures import agreement_figure, heatmap_figure
    except ImportError:
        return sections, names
    if several and comp.stats is not None:
        heat = heatmap_figure([r.model for r in ok], comp.stats, outs.path(out_dir / HEATMAP_NAME))
        sections.append(rs.heatmap(comp, heat))
        names.append(HEATMAP_NAME)
    if agreement is not None:
        with open_raster(agreement.path) as src:
            values = src.read(1)
        fig = agreement_figure(values, comp.grid, outs.path(out_dir / AGREEMENT_PNG),
                               f"agreement of {', '.join(r.model for r in ok)}")
        sections.append(rs.agreement(agreement, fig, AGREEMENT_NAME))
        names += [AGREEMENT_NAME, AGREEMENT_PNG]
    return sections, names
