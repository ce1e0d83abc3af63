"""Comparing embedding models on the same ground.

Every model's grid is read on one common grid (a warped VRT, band chunks, so
memory is bounded by the common grid times a chunk of bands), the pixels valid
in all models are sampled, and pairs of models are compared with measures that
work across dimensions (measures.py: linear CKA, Kornblith et al. 2019, and the
agreement of k-nearest-neighbour sets), as means over repeated samples with
intervals and shuffled baselines (pairwise.py)."""
from __future__ import annotations

import math
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

import numpy as np

from ..errors import CancelledError, DataUnavailableError, RSEmbedError, SpecError
from ..geo import RasterGrid, roi_bounds_in, roi_utm_epsg
from ..progress import NULL_PROGRESS
from .blocks import gdal_env, open_raster, warped_onto
from .measures import knn_agreement, knn_indices, linear_cka  # noqa: F401 (compare.* API)
from .pairwise import PairwiseStats, pairwise_stats

MAX_COMMON_PIXELS = 25_000_000
CHUNK_BYTES = 256 * 2**20


# --- grids ----------------------------------------------------------------

def grid_of(path) -> RasterGrid:
    with open_raster(path) as src:
        return RasterGrid(src.crs.to_string(), src.transform, src.width, src.height)


def resolution_m(grid: RasterGrid) -> float:
    """Pixel size in ground metres (mean of x and y; geographic grids are
    converted at their centre latitude)."""
    from pyproj import CRS

    rx, ry = grid.res
    crs = CRS.from_user_input(grid.crs)
    if crs.is_geographic:
        lat = (grid.bounds[1] + grid.bounds[3]) / 2.0
        return (rx * 111_320.0 * math.cos(math.radians(lat)) + ry * 110_574.0) / 2.0
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    return (rx + ry) / 2.0 * factor


def unit_of(crs) -> str:
    """The short name of a CRS's x-axis unit: 'm', '°', or as pyproj names it."""
    from pyproj import CRS

    info = CRS.from_user_input(crs).axis_info
    name = info[0].unit_name if info else ""
    return {"metre": "m", "meter": "m", "degree": "°"}.get(name, name)


def common_grid(grids: Dict[str, RasterGrid], spatial=None, reference: Optional[str] = None,
                res_m: Optional[float] = None):
    """The grid every model is compared on, and how it was chosen:
    ``res_m`` metres in the ROI's UTM zone, else ``reference``'s native grid,
    else the coarsest native grid."""
    if not grids:
        raise DataUnavailableError("No model produced a grid to compare.")
    if res_m:
        if spatial is None:
            raise SpecError("A common resolution needs the ROI.")
        if res_m <= 0:
            raise SpecError(f"The common resolution must be positive, got {res_m} m.")
        epsg = roi_utm_epsg(spatial)
        grid = RasterGrid.from_bounds(f"EPSG:{epsg}", roi_bounds_in(spatial, f"EPSG:{epsg}"), float(res_m))
        how = f"{res_m:g} m in EPSG:{epsg} (the ROI's UTM zone)"
    elif reference:
        if reference not in grids:
            raise SpecError(f"The reference model {reference!r} has no grid in this run "
                            f"(available: {', '.join(grids)}).")
        grid, how = grids[reference], f"native grid of {reference}"
    else:
        reference = max(grids, key=lambda m: resolution_m(grids[m]))
        grid, how = grids[reference], f"native grid of {reference} (the coarsest)"
    if grid.width * grid.height > MAX_COMMON_PIXELS:
        raise SpecError(
            f"The common grid would have {grid.width} x {grid.height} pixels (over "
            f"{MAX_COMMON_PIXELS:,}); choose a coarser common resolution or a smaller extent.")
    return grid, how


def _warped(src, grid: RasterGrid, resampling: str):
    return warped_onto(src, grid.crs, grid.transform, grid.width, grid.height, resampling)


def _band_chunks(count, grid):
    per = max(1, CHUNK_BYTES // (4 * grid.width * grid.height))
    return [list(range(i + 1, min(count, i + per) + 1)) for i in range(0, count, per)]


def valid_on_grid(path, grid: RasterGrid, resampling: str = "average") -> np.ndarray:
    """(H, W) mask of common-grid pixels where the raster has a full vector."""
    with gdal_env(), open_raster(path) as src, _warped(src, grid, resampling) as vrt:
        valid = np.ones((grid.height, grid.width), dtype=bool)
        for bands in _band_chunks(src.count, grid):
            valid &= np.isfinite(vrt.read(bands)).all(axis=0)
    return valid


def vectors_on_grid(path, grid: RasterGrid, flat_index: np.ndarray, resampling: str = "average"):
    """(n, D) vectors of the raster at common-grid pixels ``flat_index``."""
    with gdal_env(), open_raster(path) as src, _warped(src, grid, resampling) as vrt:
        out = np.empty((len(flat_index), src.count), dtype=np.float32)
        for bands in _band_chunks(src.count, grid):
            block = vrt.read(bands).reshape(len(bands), -1)
            out[:, bands[0] - 1:bands[-1]] = block[:, flat_index].T
    return out


def render_on_grid(path, grid: RasterGrid) -> np.ndarray:
    """An RGBA uint8 raster (e.g. a PCA map) on ``grid`` (nearest) as (H, W, 4)."""
    with gdal_env(), open_raster(path) as src, _warped(src, grid, "nearest") as vrt:
        rgba = vrt.read()
    if rgba.shape[0] == 3:
        rgba = np.concatenate([rgba, np.full_like(rgba[:1], 255)])
    return np.moveaxis(rgba[:4], 0, -1)


def display_grid(spatial, long_side: int = 480) -> RasterGrid:
    """The ROI in its UTM zone at a display resolution (``long_side`` pixels)."""
    epsg = roi_utm_epsg(spatial)
    b = roi_bounds_in(spatial, f"EPSG:{epsg}")
    res = max(b[2] - b[0], b[3] - b[1]) / long_side
    return RasterGrid.from_bounds(f"EPSG:{epsg}", b, res, snap=False)


@dataclass
class PairResult:
    a: str
    b: str
    n_pixels: int
    cka: float
    knn_jaccard: float
    knn_overlap: float


@dataclass
class Comparison:
    grid: RasterGrid
    grid_how: str
    common_pixels: int                   # valid in every model
    coverage: Dict[str, float]           # per model: valid fraction of the common grid
    pairs: List[PairResult]
    k: int
    n_cka: int
    n_knn: int                           # pixels per repeated sample
    notes: List[str] = field(default_factory=list)
    stats: Optional[PairwiseStats] = None  # CIs over repeated samples, shuffled baselines


def compare_rasters(paths: Dict[str, Path], grid: RasterGrid, grid_how: str = "", k: int = 10,
                    max_cka: int = 5000, max_knn: int = 1000, seed: int = 0,
                    resampling: str = "average", progress=None) -> Comparison:
    """Compare embedding rasters (one per model) on ``grid``: up to ``max_cka``
    pixels valid in all are sampled (``seed``); CKA and k-NN agreement are the
    means over repeated samples of up to ``max_knn`` of them (pairwise.py)."""
    progress = progress or NULL_PROGRESS
    names = list(paths)
    valid, coverage = None, {}
    for i, name in enumerate(names):
        v = valid_on_grid(paths[name], grid, resampling)
        coverage[name] = float(v.mean())
        valid = v if valid is None else valid & v
        progress.update(0.5 * (i + 1) / len(names))
    idx = np.flatnonzero(valid) if valid is not None else np.empty(0, dtype=int)
    rng = np.random.default_rng(seed)
    if len(idx) > max_cka:
        idx = np.sort(rng.choice(idx, max_cka, replace=False))
    vecs = {}
    for i, name in enumerate(names):
        vecs[name] = vectors_on_grid(paths[name], grid, idx, resampling).astype(np.float64)
        progress.update(0.5 + 0.4 * (i + 1) / len(names))
    notes = []
    stats = pairwise_stats(vecs, k, sample=max_knn, seed=seed) if len(idx) >= 3 else None
    if stats is None:
        notes.append(f"Only {len(idx)} common-grid pixels are valid in every model: CKA and k-NN "
                     "agreement are undefined. Choose a finer common resolution or a larger extent.")
    elif stats.sample <= k:
        notes.append(f"{stats.sample} common pixels are too few for {k}-NN agreement.")
    pairs = []
    for ia, a in enumerate(names):
        for b in names[ia + 1:]:
            s = stats.get(a, b) if stats else None
            pairs.append(PairResult(a, b, int(len(idx)), s.cka if s else float("nan"),
                                    s.knn_jaccard if s else float("nan"), s.knn_overlap if s else float("nan")))
    progress.update(1.0)
    return Comparison(grid, grid_how, int(valid.sum()) if valid is not None else 0, coverage, pairs,
                      k, int(len(idx)), stats.sample if stats else 0, notes, stats)


# --- running the models ------------------------------------------------------

@dataclass
class ModelRun:
    model: str
    seconds: float = 0.0
    grid_path: Optional[Path] = None     # final paths; the files appear when ``outputs`` commits
    pca_path: Optional[Path] = None
    dim: int = 0
    crs: str = ""
    res_native: str = ""
    res_m: float = float("nan")
    coverage: float = float("nan")
    error: Optional[str] = None
    source: str = ""                     # where the data came from (product, route, imagery)
    product_version: str = ""
    outputs: Optional[object] = field(default=None, repr=False)   # StagedOutputs of this model

    @property
    def ok(self) -> bool:
        return self.error is None

    def readable(self, path) -> Path:
        """Where ``path`` (grid_path or pca_path) can be read now: staged or committed."""
        staged = getattr(self.outputs, "staged", {}) if self.outputs is not None else {}
        tmp = staged.get(Path(path))
        return tmp if tmp is not None and tmp.exists() else Path(path)


def _source_of(meta: dict) -> str:
    """A short provenance line from a run's metadata."""
    text = "; ".join(dict.fromkeys(str(meta[k]) for k in ("source", "imagery_source")
                                   if isinstance(meta.get(k), str) and meta[k]))
    route = meta.get("backend")
    if isinstance(route, str) and route not in ("", "auto"):
        text = f"{text} (route: {route})" if text else f"route: {route}"
    return text


def _failure_text(exc: BaseException) -> str:
    from ..errors_text import user_message

    text = user_message(exc)
    name = type(exc).__name__
    return text if text.startswith(name) else f"{name}: {text}"


def run_models(models: List[str], out_dir, spatial, temporal, kwargs_for: Callable[[str], dict] = None,
               progress=None) -> List[ModelRun]:
    """Embed the ROI with every model through the one embed sequence
    (``jobs.embed.embed_to_files``), staging ``<model>_grid.tif`` and
    ``<model>_pca.tif`` for ``out_dir``; each successful run's ``outputs``
    (a StagedOutputs) commits them. A model that fails, with an RSEmbedError
    (missing dependency, no data, no credentials...) or any other error (a
    torch RuntimeError, out of memory), is recorded and skipped, its files
    discarded; cancelling stops the run."""
    from ..jobs.embed import embed_to_files
    from ..jobs.staging import StagedOutputs

    progress = progress or NULL_PROGRESS
    out_dir = Path(out_dir)
    runs = []
    for i, model in enumerate(models):
        sub = progress.sub(i / len(models), (i + 1) / len(models))
        run = ModelRun(model, grid_path=out_dir / f"{model}_grid.tif", pca_path=out_dir / f"{model}_pca.tif")
        outputs = StagedOutputs()
        t0 = time.perf_counter()
        try:
            res = embed_to_files(model, spatial, temporal, kwargs_for(model) if kwargs_for else {},
                                 run.grid_path, run.pca_path, outputs, sub)
            run.seconds = time.perf_counter() - t0
            g = grid_of(outputs.temp_of(run.grid_path))
            run.dim, run.crs = int(res.shape[0]), str(res.crs)
            run.res_m = resolution_m(g)
            run.res_native = f"{g.res[0]:.6g} x {g.res[1]:.6g} {unit_of(g.crs)}"
            run.coverage = float(res.coverage)
            run.source, run.product_version = _source_of(res.meta), str(res.meta.get("product_version") or "")
            run.outputs = outputs
        except CancelledError:
            outputs.discard()
            raise
        except Exception as exc:  # noqa: BLE001 (one model's failure must not stop the others)
            outputs.discard()
            if not isinstance(exc, RSEmbedError):
                traceback.print_exc(file=sys.stderr)  # the worker's log keeps the details
            run.grid_path = run.pca_path = None
            run.seconds = time.perf_counter() - t0
            run.error = _failure_text(exc)
            progress.info(f"{model} skipped: {run.error}")
        except BaseException:
            outputs.discard()
            raise
        runs.append(run)
    return runs
