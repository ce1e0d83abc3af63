"""On-the-fly models through the chunk engine (``embedders.chunks``).

When a request's input preparation resolves to ``tile`` (large ROIs), the
token grid is produced window by window: a chunk is k x k model input tiles
(``input_size`` native pixels a side, on the imagery's grid), its output
window is those tiles' token cells. Each chunk fetches only its own imagery
window (``ImageryRequest.grid``: a windowed read for ``local``, the window's
pixels for STAC / Earth Engine) and runs its tiles in batches of
``config.batch_size`` on the device of the process that runs it (a Dask
worker resolves ``auto`` to its own GPU). ``resize`` requests stay whole.

Equal to the whole tile path: chunks start on tile boundaries, so every tile
sees the same pixels (edge-padded alike at the grid's last row/column) and
its tokens land on the same cells. Two things are per chunk, not per patch:
no-data is filled with the chunk's per-band median (tiles without no-data are
unaffected), and batches hold the chunk's tiles (batching can change float
summation order in the model, nothing else). Pooled: the mean over tiles of
the model's own pooled vectors (tiles mostly no-data left out, as whole) or,
for token pooling, the engine's running mean over valid cells.
"""
from __future__ import annotations

import math
import os
from typing import List, Optional

import numpy as np

from ..errors import DataUnavailableError, RSEmbedError, SpecError

# Only tile-mode work is chunked; ``resize`` is one forward pass of the whole patch.
CHUNKED_MODE = "tile"
# Left out of each chunk's imagery meta (the scenes travel apart, merged by id).
_IMAGERY_DROP = ("scenes", "item_signature", "cache", "cache_key", "cached_at")


def tiles_per_side(channels: int, size: int, dim: int, cells: int, chunk_mb: Optional[float] = None) -> int:
    """k of a k x k-tile chunk for the float32 budget RS_EMBED_CHUNK_MB: per
    tile, the fetched imagery and its filled copy plus the tile's tokens."""
    from ..chunks import CHUNK_MB

    mb = chunk_mb or float(os.environ.get("RS_EMBED_CHUNK_MB") or CHUNK_MB)
    per_tile = 4.0 * (2 * channels * size * size + dim * cells * cells)
    return max(1, int(math.sqrt(mb * 2 ** 20 / per_tile)))


def imagery_grid(embedder, request):
    """The grid ``fetch_patch`` fetches: the ROI's UTM grid at the sensor scale."""
    from ..imagery.fetch import target_grid
    from ..specs import SensorSpec

    sensor = request.sensor or SensorSpec(scale_m=request.output.scale_m or 10.0)
    return target_grid(request.spatial, sensor.scale_m)


class ChunkedTiles:
    """Mixin of :class:`~embedders.models.base.OnTheFlyEmbedder`: ``plan_grid``,
    ``compute_chunk``, ``chunked_meta`` and ``chunked_pooled`` for tile mode."""

    def supports_chunks(self, request) -> bool:
        from .base import resolve_input_prep

        g = imagery_grid(self, request)
        return resolve_input_prep(request.input_prep, g.height, g.width, self.input_size) == CHUNKED_MODE

    def plan_grid(self, request):
        """The token grid of the whole tile path and its chunks of k x k tiles,
        known before any pixel is fetched. The weights are made local here, once,
        so that workers sharing this machine's cache do not each download them."""
        from ..chunks import GridPlan

        self.check_backend(request.backend)
        self.check_requirements()
        if request.temporal is None and not (request.options or {}).get("input_raster"):
            raise SpecError(f"{self.model_id} embeds imagery: give a time window or an input raster.")
        if not self.supports_chunks(request):
            raise SpecError(f"{self.model_id}: only input_prep 'tile' (or 'auto' on a large ROI) is "
                            "computed in chunks; 'resize' is one forward pass of the whole patch.")
        img = imagery_grid(self, request)
        p, g = self.patch_size, self.token_grid()
        dim = int(self.grid_dim or self.dim)
        k = tiles_per_side(len(self.bands), self.input_size, dim, g)
        t = img.transform
        a, e = math.copysign(p * abs(t.a), t.a), math.copysign(p * abs(t.e), t.e)
        shift = getattr(self, "grid_offset_px", 0) / p   # of a cell, up-left (as the whole path)
        transform = (a, 0.0, t.c - shift * a, 0.0, e, t.f - shift * e)
        if self.weights is not None:
            from ..weights import ensure_weights

            ensure_weights(self.weights, request.config, request.progress)
        return GridPlan(self.model_id, img.crs, transform, math.ceil(img.width / p), math.ceil(img.height / p),
                        dim, [f"dim_{i:03d}" for i in range(dim)], k * g,
                        meta={"imagery_grid": {"crs": img.crs, "transform": list(tuple(t)[:6]),
                                               "width": img.width, "height": img.height},
                              "tiles_per_side": k,
                              "tiles": [math.ceil(img.height / self.input_size),
                                        math.ceil(img.width / self.input_size)]})

    def compute_chunk(self, request, plan, window):
        """The window's token cells from its own imagery and its own tiles."""
        from affine import Affine

        from ..chunks import ChunkResult
        from ..geo import RasterGrid
        from ..imagery.base import ImageryPatch
        from ..progress import NULL_PROGRESS
        from .base import NODATA_TOKEN_FRACTION, TileContext, _Prepared, device_label, resolve_device

        p, s = self.patch_size, self.input_size
        ig = plan.meta["imagery_grid"]
        full = RasterGrid(ig["crs"], Affine(*ig["transform"]), ig["width"], ig["height"])
        r0, c0 = window.row * p, window.col * p
        h, w = min(window.height * p, full.height - r0), min(window.width * p, full.width - c0)
        sub = RasterGrid(full.crs, full.transform @ Affine.translation(c0, r0), w, h)
        out = np.full((plan.dim, window.height, window.width), np.nan, dtype=np.float32)
        try:
            patch = self.fetch_patch(request, NULL_PROGRESS, grid=sub)
            data, nodata = self._select(patch)
        except DataUnavailableError as exc:   # nothing here: a no-data window, not a failed job
            return ChunkResult(window, out, {"tiles": 0, "nodata_px": h * w, "empty": str(exc)})
        prep = _Prepared(data, nodata, CHUNKED_MODE, s, p)
        if (prep.g_rows, prep.g_cols) != (window.height, window.width):
            raise RSEmbedError(f"{self.model_id}: chunk {window} does not fall on whole tiles of the grid.")
        cfg = request.config
        dev = resolve_device(request.device or cfg.device)   # this process's device (a worker's GPU)
        if dev == "cpu":
            _share_cpus()
        model = self.model(dev, cfg)
        rx, ry = sub.res
        # Side inputs (e.g. Prithvi's location) are those of the whole ROI, as in the whole path.
        whole = ImageryPatch(patch.data, patch.bands, full, patch.meta)
        ctx = TileContext(gsd_m=0.5 * (rx + ry), patch=whole, request=request, input_prep=CHUNKED_MODE)
        grid, pooled_tiles = self._infer(model, dev, prep, ctx, NULL_PROGRESS, cfg.batch_size)
        if grid is not None:
            if grid.shape[0] != plan.dim:
                raise RSEmbedError(f"{self.model_id}: tokens of width {grid.shape[0]}, the plan says {plan.dim}.")
            grid[:, prep.cell_nodata > NODATA_TOKEN_FRACTION] = np.nan
            out = grid
        meta = {"tiles": sum(1 for i in range(prep.n_tiles) if prep.tile_nodata(i) < 1.0),
                "nodata_px": int(prep.nodata[:h, :w].sum()), "device": device_label(dev),
                "imagery": {k: v for k, v in (patch.meta or {}).items() if k not in _IMAGERY_DROP},
                "scenes": list((patch.meta or {}).get("scenes", []))}
        if pooled_tiles:
            good = [v for v, frac in pooled_tiles if frac <= NODATA_TOKEN_FRACTION]
            meta["pooled"] = {"good_sum": _sum(good), "good_n": len(good),
                              "all_sum": _sum([v for v, _ in pooled_tiles]), "all_n": len(pooled_tiles)}
        return ChunkResult(window, out, meta)

    def chunked_pooled(self, request, plan, chunk_metas: List[dict], token_mean):
        """Pooled vector of a chunked run: the mean of the tiles' own pooled
        vectors where the model has them (tiles mostly no-data left out unless
        all are), else ``token_mean`` (the engine's mean over valid cells)."""
        parts = [c["pooled"] for c in chunk_metas if c.get("pooled")]
        if not parts:
            return token_mean
        key = "good" if sum(c["good_n"] for c in parts) else "all"
        n = sum(c[f"{key}_n"] for c in parts)
        total = np.sum([c[f"{key}_sum"] for c in parts if c[f"{key}_n"]], axis=0)
        return (total / n).astype(np.float32)

    def chunked_meta(self, request, plan, chunk_metas: List[dict], coverage) -> dict:
        """Run metadata of a chunked run, with the keys of the whole tile path."""
        from types import SimpleNamespace

        from affine import Affine

        from ..geo import RasterGrid
        from ..imagery.base import ImageryPatch

        ig = plan.meta["imagery_grid"]
        full = RasterGrid(ig["crs"], Affine(*ig["transform"]), ig["width"], ig["height"])
        rows, cols = plan.meta["tiles"]
        first = next((c["imagery"] for c in chunk_metas if c.get("imagery")), {})
        scenes = {}   # the union of the chunks' scenes, by id, first seen first
        for c in chunk_metas:
            for sc in c.get("scenes", []):
                scenes.setdefault(str(sc.get("id")) if isinstance(sc, dict) else str(sc), sc)
        imagery = dict(first, scenes=list(scenes.values()))
        patch = ImageryPatch(None, list(self.bands), full, imagery)
        prep = SimpleNamespace(mode=CHUNKED_MODE, n_tiles=rows * cols, height=full.height, width=full.width,
                               nodata=np.zeros((1, 1), bool))
        rx, ry = full.res
        meta = self._meta(request, patch, prep, "cpu", 0.5 * (rx + ry), request.output)
        devices = sorted({c["device"] for c in chunk_metas if c.get("device")})
        meta.update(device=", ".join(devices) or meta["device"],
                    nodata_fraction=sum(c.get("nodata_px", 0) for c in chunk_metas) / float(full.width * full.height),
                    nodata_fill="per-band median of the valid pixels of each chunk",
                    coverage_fraction=float(coverage), chunks=len(chunk_metas),
                    tiles_per_chunk=plan.meta["tiles_per_side"] ** 2,
                    tiles_run=sum(c.get("tiles", 0) for c in chunk_metas))
        return meta


_SHARED = []


def _share_cpus():
    """On a Dask worker, once: torch gets this worker's share of the machine's
    cores. Dask starts workers with OMP_NUM_THREADS=1 (one task thread each),
    which would leave a model on 2 of 16 cores with the default 2 workers."""
    if _SHARED:
        return
    _SHARED.append(True)
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return   # not on a Dask worker: torch's own default
    import torch

    host = worker.address.rsplit(":", 1)[0]
    try:
        info = worker.client.scheduler_info(n_workers=-1)["workers"]
        here = sum(1 for a in info if a.rsplit(":", 1)[0] == host) or 1
    except Exception:   # the count is a hint; one thread is always safe
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    torch.set_num_threads(max(1, cores // here))


def _sum(vecs) -> list:
    """Sum of float32 vectors, in float64, as a JSON-able list (empty: [])."""
    return [float(v) for v in np.sum(np.stack(vecs).astype(np.float64), axis=0)] if vecs else []
