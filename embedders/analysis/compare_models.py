"""One comparison run: embed the ROI with every model, compare them on a
common grid, write grids, PCA maps and the report into one folder. Every
file of the run appears together at the end (staged, then renamed), or none."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, List, Optional

from ..errors import DataUnavailableError
from ..progress import NULL_PROGRESS
from .compare import (
    Comparison, ModelRun, common_grid, compare_rasters, display_grid, grid_of, render_on_grid, run_models,
)
from . import report_sections as rs
from .compare_figures import AGREEMENT_NAME, PNG_NAME, report_sections
from .report import write_csv, write_html


@dataclass
class ComparisonRun:
    runs: List[ModelRun]
    comparison: Comparison
    html: Path
    csv: Path
    png: Path
    agreement: Optional[Path] = None     # the agreement GeoTIFF (two models or more)
    files: List[Path] = field(default_factory=list)   # every file the run wrote

    @property
    def layers(self) -> List[Path]:
        return [p for r in self.runs if r.ok for p in (r.grid_path, r.pca_path)]


def compare_models(models: List[str], out_dir, spatial, temporal, kwargs_for: Callable[[str], dict] = None,
                   reference: Optional[str] = None, res_m: Optional[float] = None, k: int = 10,
                   progress=None, labels=None, label_block: Optional[float] = None) -> ComparisonRun:
    """Run, compare and report. Models that cannot run are reported and
    skipped; if none can, DataUnavailableError lists why. On any failure
    nothing of this run is left in ``out_dir``.

    With two models or more: agreement.tif, where the models agree pixel by
    pixel on the common grid; PCA colours aligned onto ``reference`` (else the
    first model that ran); an N x N heatmap of CKA and k-NN overlap.

    ``labels`` (labelled mode): features ``{"wkt", "value"}`` in EPSG:4326;
    every model, and their concatenation, is then ranked on them (kNN and a
    linear probe with bootstrap CIs, random and spatial-block CV of
    ``label_block`` metres): ranking.csv, ranking.png and a report section."""
    from ..jobs.staging import StagedOutputs, commit_all, discard_all
    from ..version import __version__

    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    progress = progress or NULL_PROGRESS
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = run_models(list(models), out_dir, spatial, temporal, kwargs_for, progress.sub(0.0, 0.75))
    ok = [r for r in runs if r.ok]
    report = StagedOutputs()
    sets = [r.outputs for r in ok] + [report]
    try:
        if not ok:
            raise DataUnavailableError("No model could run: " + "; ".join(f"{r.model}: {r.error}" for r in runs))
        notes = []
        if reference and reference not in {r.model for r in ok}:
            notes.append(f"The reference model {reference} did not run; the coarsest grid is used instead.")
            reference = None
        grids = {r.model: r.readable(r.grid_path) for r in ok}
        grid, how = common_grid({m: grid_of(p) for m, p in grids.items()}, spatial, reference, res_m)
        comp = compare_rasters(grids, grid, how, k=k, progress=progress.sub(0.75, 0.85))
        comp.notes[:0] = notes
        agreement = None
        if len(ok) >= 2:
            from .agreement import agreement_map

            progress.info("Mapping where the models agree…")
            agreement = agreement_map(grids, grid, report.path(out_dir / AGREEMENT_NAME),
                                      progress=progress.sub(0.85, 0.93))
        pcas = {r.model: render_on_grid(r.readable(r.pca_path), display_grid(spatial)) for r in ok}
        sections, figure_names = report_sections(report, out_dir, ok, comp, agreement, pcas,
                                                 display_grid(spatial), reference or ok[0].model)
        ranking_files = []
        if labels:
            from ..learn.rank import rank_embeddings, write_ranking

            progress.info(f"Ranking the models on {len(labels)} labelled features…")
            ranking = rank_embeddings(grids, labels, features_crs="EPSG:4326", block_size=label_block,
                                      progress=progress.sub(0.93, 0.99))
            written = write_ranking(report, out_dir, ranking)
            sections.append(written["html"])
            ranking_files = [written["csv"], written["png"]]
        write_csv(report.path(out_dir / "report.csv"), runs, comp)
        files = ([p for r in ok for p in (r.grid_path, r.pca_path)] + [out_dir / f for f in figure_names]
                 + ranking_files + [out_dir / "report.csv", out_dir / "report.html"])
        facts = {"run started (UTC)": started.strftime("%Y-%m-%d %H:%M:%S"),
                 "run time": f"{time.perf_counter() - t0:.1f} s", "plugin version": __version__,
                 "ROI (lon/lat)": ", ".join(f"{v:.5f}" for v in spatial.bounds_4326()), "time": str(temporal),
                 "models": ", ".join(models)}
        write_html(report.path(out_dir / "report.html"), runs, comp, None, "RS Embed model comparison",
                   None, sections + [rs.files(f.name for f in files)], lead=rs.provenance(runs, comp, facts))
        commit_all(sets)
    except BaseException:
        discard_all(sets)
        raise
    progress.update(1.0)
    return ComparisonRun(runs, comp, out_dir / "report.html", out_dir / "report.csv", out_dir / PNG_NAME,
                         out_dir / AGREEMENT_NAME if agreement else None, files)
