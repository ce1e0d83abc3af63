"""Embed ROI: the one sequence "embed -> write the grid -> PCA -> pooled",
all outputs renamed into place together, none left on failure.

Products that work window by window (``plan_grid`` / ``compute_chunk``) go
through the chunk engine (``embedders.chunks``): bounded memory at any extent,
resumable, on Dask when asked. Others are computed whole.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from ..fileio import OutputSet
from .common import embed_kwargs, spatial_from, temporal_from, warm_embedder


@dataclass
class EmbedResult:
    """What one embedding run wrote (the grid itself stays on disk)."""
    grid_path: str
    pca_path: Optional[str]
    shape: List[int]             # D, H, W
    crs: str
    meta: dict
    pooled: Optional[list]       # mean vector over covered pixels
    coverage: float
    engine: str = "in-process"
    chunks: int = 1
    resumed_chunks: int = 0
    estimate: dict = field(default_factory=dict)


@dataclass
class ChunkTask:
    """One window of one request, runnable here or on a Dask worker (picklable)."""
    model: str
    spatial: dict
    temporal: Optional[dict]
    kwargs: dict
    config: dict
    plan: object
    env: dict = field(default_factory=lambda: {k: v for k, v in os.environ.items()
                                               if k.startswith("RS_EMBED_")})

    def request(self):
        from ..config import get_config

        return _request_of(spatial_from(self.spatial), temporal_from(self.temporal), self.kwargs,
                           get_config(**self.config))

    def __call__(self, window):
        os.environ.update(self.env)   # the client's settings, on whichever worker runs this
        return warm_embedder(self.model).compute_chunk(self.request(), self.plan, window)


DASK_MIN_CHUNKS = 4   # below this, starting a LocalCluster costs more than it saves


def engine_for(n_chunks: int):
    """The cluster at the "Dask scheduler" setting when one is set; else a
    LocalCluster of RS_EMBED_DASK_WORKERS processes (default 2; 0 = none) for
    jobs of several chunks; else this process."""
    from ..chunks import LocalEngine
    from ..dask_engine import DaskEngine, local_workers, scheduler_address

    if scheduler_address():
        return DaskEngine(scheduler_address())
    if n_chunks >= DASK_MIN_CHUNKS and os.environ.get("RS_EMBED_DASK_WORKERS", "2").strip() != "0":
        return DaskEngine(None, local_workers())
    return LocalEngine()


API_KEYWORDS = ("sensor", "backend", "input_prep", "device")   # the rest of a job's kwargs are options


def _request_of(spatial, temporal, kwargs, config, progress=None):
    """The EmbedRequest of a job's keyword arguments (imagery options of on-the-fly models included)."""
    from ..api import _request

    options = {k: v for k, v in kwargs.items() if k not in API_KEYWORDS and v not in (None, "")}
    return _request(spatial, temporal, None, kwargs.get("sensor"), kwargs.get("backend", "auto"),
                    kwargs.get("input_prep", "resize"), kwargs.get("device"), progress, options, config)



def _chunked(embedder, spatial, temporal, kwargs) -> bool:
    """Through the chunk engine? Products with ``plan_grid``; on-the-fly models
    when they say so for this request (tile mode)."""
    if hasattr(embedder, "supports_chunks"):
        return embedder.supports_chunks(_request_of(spatial, temporal, kwargs, None))
    return hasattr(embedder, "plan_grid")


def _embed_chunked(embedder, model, spatial, temporal, kwargs, grid_path, pca_path, outputs, progress):
    from ..chunks import PartialGrid, check_space, estimate, fingerprint, human_bytes, run_chunks
    from ..config import get_config
    from ..errors import DataUnavailableError
    from ..writers import provenance_tags

    cfg = get_config()
    req = _request_of(spatial, temporal, kwargs, cfg, progress.sub(0.0, 0.05))
    plan = embedder.plan_grid(req)
    est = estimate(plan, bool(pca_path))
    fp = fingerprint(model, req, plan, _fingerprint_options(kwargs))
    state = Path(cfg.cache_dir) / "resume" / fp
    check_space(est, Path(grid_path).parent, state.parent)
    progress.info(f"Output {plan.dim} x {plan.height} x {plan.width} in {plan.crs}: about "
                  f"{human_bytes(est['output_bytes'])} on disk at most, {est['chunks']} chunk(s)")
    partial = PartialGrid(state, plan, fp)
    resumed = len(plan.windows()) - len(partial.pending())
    engine = engine_for(len(partial.pending()))
    if est["chunks"] > 1:
        progress.info(f"Computing chunks with {engine.name}")
    task = ChunkTask(model, _spatial_dict(spatial), _temporal_dict(temporal),
                     dict(kwargs), _config_dict(cfg), plan)
    run_chunks(partial, task, engine, progress.sub(0.05, 0.85))
    pooled, coverage = partial.pooled()
    if pooled is not None and hasattr(embedder, "chunked_pooled"):   # a model's own pooled vectors
        pooled = embedder.chunked_pooled(req, plan, [c.get("meta", {}) for c in partial.done.values()], pooled)
    if pooled is None:
        partial.discard()
        raise DataUnavailableError("The ROI has no valid embedding pixels (all no-data).")
    meta = embedder.chunked_meta(req, plan, [c.get("meta", {}) for c in partial.done.values()], coverage)
    progress.update(0.86, "Writing the embedding GeoTIFF…")
    grid_tmp = outputs.path(grid_path)
    partial.finish(grid_tmp, provenance_tags(meta))
    if pca_path:
        from ..pca import pca_geotiff_from_file

        progress.update(0.9, "Computing the PCA pseudocolour layer (fitted on a sample, applied block by block)…")
        pca_geotiff_from_file(grid_tmp, outputs.path(pca_path), progress=progress.sub(0.9, 0.99))
    return EmbedResult(str(grid_path), str(pca_path) if pca_path else None, [plan.dim, plan.height, plan.width],
                       plan.crs, meta, [float(v) for v in pooled], float(coverage), engine.name,
                       est["chunks"], resumed, est)


def _fingerprint_options(kwargs) -> dict:
    """What else decides the values: the options, and a local input raster's
    size and modification time (a raster edited in place is not resumed from)."""
    opts = {k: v for k, v in kwargs.items() if k != "backend"}
    raster = kwargs.get("input_raster")
    if raster and os.path.isfile(str(raster)):
        st = os.stat(str(raster))
        opts["input_raster_stat"] = [st.st_size, st.st_mtime_ns]
    return opts


def _config_dict(cfg) -> dict:
    from dataclasses import asdict

    return {k: str(v) for k, v in asdict(cfg).items() if v is not None}


def _spatial_dict(spatial) -> dict:
    from ..specs import PointBuffer

    if isinstance(spatial, PointBuffer):
        return {"point": list(spatial.center), "buffer_m": spatial.buffer_m}
    d = {"bbox": list(spatial.bounds_4326())}
    if getattr(spatial, "footprint", None):
        d["footprint"] = list(spatial.footprint)
    return d


def _temporal_dict(temporal):
    if temporal is None:
        return None
    if temporal.year_value is not None:
        return {"year": temporal.year_value}
    return {"start": temporal.start.isoformat(), "end": temporal.end.isoformat()}


def _embed_whole(embedder, model, spatial, temporal, kwargs, grid_path, pca_path, outputs, progress):
    from ..api import get_grid_and_pooled
    from ..pca import write_pca_geotiff
    from ..writers import write_geotiff

    grid, pooled = get_grid_and_pooled(model, spatial=spatial, temporal=temporal,
                                       progress=progress.sub(0.0, 0.85), embedder=embedder, **kwargs)
    progress.update(0.86, "Writing the embedding GeoTIFF…")
    write_geotiff(grid, outputs.path(grid_path))
    if pca_path:
        progress.update(0.93, "Computing the PCA pseudocolour layer…")
        write_pca_geotiff(grid, outputs.path(pca_path))
    return EmbedResult(str(grid_path), str(pca_path) if pca_path else None,
                       [int(v) for v in grid.data.shape], str(grid.crs), dict(grid.meta),
                       [float(v) for v in pooled.to_numpy()], float(pooled.meta.get("coverage_fraction", 0.0)))


def embed_to_files(model, spatial, temporal, kwargs, grid_path, pca_path=None, outputs=None,
                   progress=None) -> EmbedResult:
    """Embed one ROI with one model and write its grid (and PCA) GeoTIFFs
    through ``outputs`` (an OutputSet: the caller commits)."""
    embedder = warm_embedder(model)
    run = _embed_chunked if _chunked(embedder, spatial, temporal, kwargs) else _embed_whole
    return run(embedder, model, spatial, temporal, kwargs, grid_path, pca_path, outputs, progress)


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
        res = embed_to_files(model, spatial, temporal, kwargs, params["output"], params.get("pca_output"),
                             outputs, progress)
    d, h, w = res.shape
    progress.update(1.0, f"Grid {d} x {h} x {w} in {res.crs}; coverage {res.coverage:.1%}")
    return {
        "output": params["output"], "pca_output": params.get("pca_output") or None,
        "dim": d, "shape": res.shape, "crs": res.crs, "coverage": res.coverage,
        "pooled": res.pooled if params.get("pooled") else None, "metadata": res.meta,
        "engine": res.engine, "chunks": res.chunks, "resumed_chunks": res.resumed_chunks,
        "estimate": res.estimate,
    }
