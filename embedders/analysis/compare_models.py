"""One comparison run: embed the ROI with every model, compare them on a
common grid, write grids, PCA maps and the report into one folder. Every
file of the run appears together at the end (staged, then renamed), or none."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional

from ..errors import DataUnavailableError
from ..progress import NULL_PROGRESS
from .compare import (
    Comparison, ModelRun, common_grid, compare_rasters, display_grid, grid_of, render_on_grid, run_models,
)
from .report import side_by_side_png, write_csv, write_html

PNG_NAME = "pca_side_by_side.png"


@dataclass
class ComparisonRun:
    runs: List[ModelRun]
    comparison: Comparison
    html: Path
    csv: Path
    png: Path

    @property
    def layers(self) -> List[Path]:
        return [p for r in self.runs if r.ok for p in (r.grid_path, r.pca_path)]


def compare_models(models: List[str], out_dir, spatial, temporal, kwargs_for: Callable[[str], dict] = None,
                   reference: Optional[str] = None, res_m: Optional[float] = None, k: int = 10,
                   progress=None, labels=None, label_block: Optional[float] = None) -> ComparisonRun:
    """Run, compare and report. Models that cannot run are reported and
    skipped; if none can, DataUnavailableError lists why. On any failure
    nothing of this run is left in ``out_dir``.

    ``labels`` (labelled mode): features ``{"wkt", "value"}`` in EPSG:4326;
    every model, and their concatenation, is then ranked on them (kNN and a
    linear probe with bootstrap CIs, random and spatial-block CV of
    ``label_block`` metres): ranking.csv, ranking.png and a report section."""
    from ..jobs.staging import StagedOutputs, commit_all, discard_all

    progress = progress or NULL_PROGRESS
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = run_models(list(models), out_dir, spatial, temporal, kwargs_for, progress.sub(0.0, 0.8))
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
        comp = compare_rasters(grids, grid, how, k=k, progress=progress.sub(0.8, 0.95))
        comp.notes[:0] = notes
        shown = display_grid(spatial)
        panels = [(f"{r.model} ({r.dim} d, {r.res_m:.0f} m)", render_on_grid(r.readable(r.pca_path), shown))
                  for r in ok]
        png = side_by_side_png(panels, report.path(out_dir / PNG_NAME))
        write_csv(report.path(out_dir / "report.csv"), runs, comp)
        context = {"ROI (lon/lat)": ", ".join(f"{v:.5f}" for v in spatial.bounds_4326()),
                   "time": str(temporal), "models": ", ".join(models)}
        html = write_html(report.path(out_dir / "report.html"), runs, comp, png, "RS Embed model comparison",
                          context)
        text = html.read_text(encoding="utf-8").replace(png.name, PNG_NAME)
        if labels:
            from ..learn.rank import rank_embeddings, write_ranking

            progress.info(f"Ranking the models on {len(labels)} labelled features…")
            ranking = rank_embeddings(grids, labels, features_crs="EPSG:4326", block_size=label_block,
                                      progress=progress.sub(0.95, 0.99))
            section = write_ranking(report, out_dir, ranking)["html"]
            text = text.replace("</body>", section + "</body>") if "</body>" in text else text + section
        html.write_text(text, encoding="utf-8")
        commit_all(sets)
    except BaseException:
        discard_all(sets)
        raise
    progress.update(1.0)
    return ComparisonRun(runs, comp, out_dir / "report.html", out_dir / "report.csv", out_dir / PNG_NAME)
