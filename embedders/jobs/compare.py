"""Compare models: every chosen model on one extent and time, compared on a
common grid, with a report; a model that cannot run is reported and skipped."""
from __future__ import annotations

from .. import catalog
from ..errors import SpecError
from .common import embed_kwargs, spatial_from, temporal_from
from .staging import finite


def compare_models(params: dict, progress) -> dict:
    """params: models (ids), spatial, temporal, backend, imagery_source,
    reference (a model id whose native grid is the common grid) or res_m
    (metres in the ROI's UTM zone), k (neighbours), output_folder; labelled
    mode: labels ([{"wkt": lon/lat WKT, "value": class}]) and label_block
    (spatial-CV block size in metres).

    Outputs: one record per model (ok, error, grid and PCA paths, dim, seconds),
    the report's html / csv / png paths, the layers written, the agreement
    GeoTIFF (two models or more, else None) and every file written."""
    from ..analysis.compare_models import compare_models as run

    models = [str(m) for m in params.get("models") or []]
    if not models:
        raise SpecError("Choose at least one model.")
    unknown = [m for m in models if m not in catalog.CARDS]
    if unknown:
        raise SpecError(f"Unknown model(s) {', '.join(unknown)}; known: {', '.join(catalog.model_ids())}.")
    reference = params.get("reference") or None
    res_m = float(params["res_m"]) if params.get("res_m") not in (None, "", 0) else None
    if reference and res_m:
        raise SpecError("Give either a reference model or a common resolution, not both.")
    if reference and reference not in models:
        raise SpecError(f"The reference model {reference} is not among the chosen models.")
    folder = params.get("output_folder")
    if not folder:
        raise SpecError("The job needs an 'output_folder'.")
    spatial = spatial_from(params.get("spatial"))
    temporal = temporal_from(params.get("temporal"))
    progress.info(f"Comparing {', '.join(models)} on {spatial.bounds_4326()} for {temporal}")
    labels = params.get("labels") or None
    result = run(models, folder, spatial, temporal, lambda m: embed_kwargs(m, params), reference, res_m,
                 int(params.get("k") or 10), progress, labels=labels,
                 label_block=float(params["label_block"]) if params.get("label_block") else None)
    runs = [{"model": r.model, "ok": r.ok, "error": r.error, "seconds": r.seconds, "dim": r.dim,
             "grid_path": str(r.grid_path) if r.ok else None, "pca_path": str(r.pca_path) if r.ok else None}
            for r in result.runs]
    return finite({"runs": runs, "models_run": sum(r.ok for r in result.runs),
                   "layers": [str(p) for p in result.layers], "html": str(result.html),
                   "csv": str(result.csv), "png": str(result.png), "time": str(temporal),
                   "agreement": str(result.agreement) if result.agreement else None,
                   "files": [str(p) for p in result.files],
                   "ranking_csv": str(result.html.parent / "ranking.csv") if labels else None})
