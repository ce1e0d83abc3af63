"""Embed ROI: the one sequence "embed -> write the grid -> PCA -> pooled",
all outputs renamed into place together, none left on failure."""
from __future__ import annotations

from ..fileio import OutputSet
from .common import embed_kwargs, spatial_from, temporal_from, warm_embedder


def embed_to_files(model, spatial, temporal, kwargs, grid_path, pca_path=None, outputs=None,
                   progress=None):
    """Embed one ROI with one model and write its grid (and PCA) GeoTIFFs
    through ``outputs`` (an OutputSet: the caller commits). Returns (grid, pooled)."""
    from ..api import get_grid_and_pooled
    from ..pca import write_pca_geotiff
    from ..writers import write_geotiff

    grid, pooled = get_grid_and_pooled(model, spatial=spatial, temporal=temporal,
                                       progress=progress.sub(0.0, 0.85), embedder=warm_embedder(model),
                                       **kwargs)
    progress.update(0.86, "Writing the embedding GeoTIFF…")
    write_geotiff(grid, outputs.path(grid_path))
    if pca_path:
        progress.update(0.93, "Computing the PCA pseudocolour layer…")
        write_pca_geotiff(grid, outputs.path(pca_path))
    return grid, pooled


def embed_roi(params: dict, progress) -> dict:
    """params: model, spatial, temporal, backend / imagery_source, sensor,
    input_prep, device, input_raster, output, pca_output (optional),
    pooled (bool: return the pooled vector)."""
    model = params["model"]
    spatial = spatial_from(params.get("spatial"))
    temporal = temporal_from(params.get("temporal"))
    kwargs = embed_kwargs(model, params)
    progress.info(f"Embedding {spatial.bounds_4326()} with {model} for {temporal}")
    with OutputSet() as outputs:
        grid, pooled = embed_to_files(model, spatial, temporal, kwargs, params["output"],
                                      params.get("pca_output"), outputs, progress)
    coverage = float(pooled.meta.get("coverage_fraction", 0.0))
    d, h, w = (int(v) for v in grid.data.shape)
    progress.update(1.0, f"Grid {d} x {h} x {w} in {grid.crs}; coverage {coverage:.1%}")
    return {
        "output": params["output"], "pca_output": params.get("pca_output") or None,
        "dim": d, "shape": [d, h, w], "crs": str(grid.crs), "coverage": coverage,
        "pooled": [float(v) for v in pooled.to_numpy()] if params.get("pooled") else None,
        "metadata": dict(grid.meta),
    }
