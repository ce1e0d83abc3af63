"""Where the models disagree: a per-pixel agreement map on the common grid.

For each pixel, the embedding distances to its neighbours on a sparse
lattice around it (every ``step``-th pixel out to ``reach`` steps, 80
neighbours by default: far enough to reach past the pixel's own field, so a
field's interior is compared on its relation to the fields around it, not on
noise) are ranked in each model; the agreement of two models is the Spearman
correlation of those ranks (1: both see the same local structure, 0 or
below: unrelated; negatives are shown as 0). With more than two models band 1
is the mean over pairs and one band per pair follows.

Read in strips of rows (each model's strip and the rows below it that its
lattice reaches), so memory is bounded by a strip and GDAL's block cache, not
the grid. Each pair of pixels is measured once: the distances of the rows
above a strip are carried over from the strip before. The kernels
(``lattice_ranks``) are vectorised over pixels and run on ``THREADS``
threads, tile by tile; the output is the same, bit for bit, as ranking each
pixel's distances with scipy's rankdata (bench/bench_agreement.py)."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Dict, List

import numpy as np

from ..geo import RasterGrid
from ..progress import NULL_PROGRESS
from .blocks import GDAL_CACHE_BYTES, gdal_env, open_raster, same_grid, warped_onto
from .lattice_ranks import all_offsets, forward_distances, gather_distances, half_offsets, spearman, twice_ranks

STRIP_BYTES = 64 * 2**20
MIN_NEIGHBOURS = 8   # fewer valid neighbours than this: no value
STEP, REACH = 3, 4   # lattice of neighbours: every 3rd pixel, 4 steps out (radius 12 pixels)
THREADS = min(4, os.cpu_count() or 1)
CACHE_MAX_BYTES = 1024 * 2**20  # most GDAL block cache during the map (see _cache_bytes)
TILE_PX = 4096       # pixels of one tile of the kernels (its buffers stay in the CPU's cache)


@dataclass
class AgreementResult:
    path: Path
    step: int
    reach: int
    pairs: List[str]
    mean: float            # over valid pixels
    valid_pixels: int

    @property
    def method(self) -> str:
        side = 2 * self.reach + 1
        return (f"Spearman rank correlation of the embedding distances from each pixel to its "
                f"{side * side - 1} neighbours on a {side} x {side} lattice (one every {self.step} pixels, "
                f"out to {self.step * self.reach} pixels), per pair of models, negatives shown as 0, "
                f"mean over {len(self.pairs)} pair(s)")


def neighbour_distances(block: np.ndarray, radius: int, rows: slice, step: int = 1) -> np.ndarray:
    """(D, H + 2r, W + 2r) NaN-padded block -> (n_offsets, h, W) Euclidean
    distances from each pixel of ``rows`` (in unpadded rows) to its neighbours
    at offsets that are multiples of ``step`` out to ``radius`` pixels."""
    reach, w, h = radius // step, block.shape[2] - 2 * radius, rows.stop - rows.start
    ext = np.full((len(half_offsets(step, reach)), radius + h, w + 2 * radius), np.nan, np.float32)
    ext[:, :, radius:radius + w] = forward_distances(block[:, rows.start:], radius, slice(0, radius + h),
                                                     slice(0, w), step, reach)
    out = np.empty((len(all_offsets(step, reach)), h * w), np.float32)
    return gather_distances(ext, radius, slice(0, h), slice(0, w), step, reach, out).reshape(-1, h, w)


def rank_agreement(da: np.ndarray, db: np.ndarray) -> np.ndarray:
    """Per-pixel Spearman correlation along axis 0 of two (n, h, w) distance
    stacks, over the neighbours valid in both; NaN where fewer than
    MIN_NEIGHBOURS are, or where either model's distances are all tied."""
    n, h, w = da.shape
    return _pair_rho(da.reshape(n, -1).astype(np.float32), db.reshape(n, -1).astype(np.float32),
                     twice_ranks(da.reshape(n, -1).astype(np.float32)),
                     twice_ranks(db.reshape(n, -1).astype(np.float32))).reshape(h, w)


def _pair_rho(da, db, ra, rb) -> np.ndarray:
    """Spearman of the (n, px) distances ``da``, ``db`` with their own ranks
    ``ra``, ``rb``; pixels whose valid neighbours differ between the two are
    ranked again over the neighbours valid in both."""
    fa, fb = np.isfinite(da), np.isfinite(db)
    both = fa & fb
    rho = spearman(ra[0], ra[1], rb[0], rb[1])
    redo = np.flatnonzero((fa != fb).any(axis=0))
    if redo.size:
        keep = both[:, redo]
        xa, xb = (np.where(keep, x[:, redo], np.nan).astype(np.float32) for x in (da, db))
        rho[redo] = spearman(*twice_ranks(xa)[:2], *twice_ranks(xb)[:2])
    rho[both.sum(axis=0) < MIN_NEIGHBOURS] = np.nan
    return rho


def _read_rows(vrt, grid: RasterGrid, r0: int, r1: int, radius: int) -> np.ndarray:
    """Rows r0 .. r1 of ``vrt`` as (D, r1 - r0, W + 2 radius) float32, NaN
    for no data, beside the grid and below it."""
    from rasterio.windows import Window

    out = np.full((vrt.count, r1 - r0, grid.width + 2 * radius), np.nan, dtype=np.float32)
    hi = min(grid.height, r1)
    if hi > r0:
        data = vrt.read(window=Window(0, r0, grid.width, hi - r0), out_dtype="float32")
        if vrt.nodata is not None and not np.isnan(vrt.nodata):
            data[data == vrt.nodata] = np.nan
        out[:, :hi - r0, radius:radius + grid.width] = data
    return out


def _tiles(h: int, w: int):
    """(rows, cols) slices of about TILE_PX pixels covering h x w."""
    cols = max(1, min(w, TILE_PX // max(1, min(h, 16))))
    rows = max(1, min(h, TILE_PX // cols))
    return [(slice(a, min(h, a + rows)), slice(c, min(w, c + cols)))
            for a in range(0, h, rows) for c in range(0, w, cols)]


def _wait(futures):
    for f in futures:
        f.result()


class _Strips:
    """The agreement of ``pairs``, strip by strip: each model's rows of the
    strip and the ``radius`` rows below it (those are the next strip's first
    rows, carried over with the forward distances of the last ``radius``
    rows), the forward distances tile by tile on ``pool`` while the next
    strip is read, then ranks and correlations tile by tile."""

    def __init__(self, vrts, grid: RasterGrid, pairs, step: int, reach: int, pool):
        self.vrts, self.grid, self.pairs, self.step, self.reach, self.pool = vrts, grid, pairs, step, reach, pool
        self.radius = step * reach
        self.n_half, self.n_all = len(half_offsets(step, reach)), len(all_offsets(step, reach))

    def __call__(self, bounds):
        """Yield (r0, r1, rho (n_pairs, h, W) float64) for the strips ``bounds``."""
        R, w = self.radius, self.grid.width
        rows = {m: _read_rows(v, self.grid, 0, R, R) for m, v in self.vrts.items()}   # rows carried over
        dist = {m: np.full((self.n_half, R, w + 2 * R), np.nan, np.float32) for m in self.vrts}
        fresh = {m: _read_rows(v, self.grid, R, bounds[0][1] + R, R) for m, v in self.vrts.items()}
        for i, (r0, r1) in enumerate(bounds):
            blocks = {m: np.concatenate([rows[m], fresh[m]], axis=1) for m in self.vrts}
            ext = {m: np.full((self.n_half, R + r1 - r0, w + 2 * R), np.nan, np.float32) for m in self.vrts}
            jobs = []
            for m in self.vrts:
                ext[m][:, :R] = dist[m]
                jobs += [self.pool.submit(self._forward, blocks[m], ext[m], t) for t in _tiles(r1 - r0, w)]
            if i + 1 < len(bounds):   # read the next strip meanwhile
                n0, n1 = bounds[i + 1]
                fresh = {m: _read_rows(v, self.grid, n0 + R, n1 + R, R) for m, v in self.vrts.items()}
            _wait(jobs)
            rows = {m: b[:, -R:].copy() for m, b in blocks.items()}
            dist = {m: e[:, -R:].copy() for m, e in ext.items()}
            del blocks
            yield r0, r1, self._rho(ext, r1 - r0)

    def _forward(self, block, ext, tile):
        rows, cols = tile
        R = self.radius
        ext[:, R + rows.start:R + rows.stop, R + cols.start:R + cols.stop] = forward_distances(
            block, R, rows, cols, self.step, self.reach)

    def _rho(self, ext, h: int) -> np.ndarray:
        out = np.empty((len(self.pairs), h, self.grid.width), np.float64)

        def run(rows, cols):
            n = (rows.stop - rows.start) * (cols.stop - cols.start)
            dist = {m: gather_distances(e, self.radius, rows, cols, self.step, self.reach,
                                        np.empty((self.n_all, n), np.float32)) for m, e in ext.items()}
            ranks = {m: twice_ranks(d) for m, d in dist.items()}
            for i, (a, b) in enumerate(self.pairs):
                out[i, rows, cols] = _pair_rho(dist[a], dist[b], ranks[a], ranks[b]).reshape(
                    rows.stop - rows.start, -1)
        _wait([self.pool.submit(run, *t) for t in _tiles(h, self.grid.width)])
        return out


def _cache_bytes(srcs, vrts, width: int) -> int:
    """A GDAL block cache that holds a row of tiles of every source and two
    rows of blocks of every warped one (so each tile is decoded and each
    block warped once, however the strips cut them), a quarter more, within
    bounds (measured: below that, reading takes three times as long)."""
    need = sum(s.width * s.block_shapes[0][0] * s.count * np.dtype(s.dtypes[0]).itemsize for s in srcs)
    need += sum(2 * width * v.block_shapes[0][0] * v.count * 4 for v, s in zip(vrts, srcs) if v is not s)
    return int(min(CACHE_MAX_BYTES, max(GDAL_CACHE_BYTES, 1.25 * need)))


def agreement_map(paths: Dict[str, Path], grid: RasterGrid, out_path, step: int = STEP, reach: int = REACH,
                  resampling: str = "average", progress=None) -> AgreementResult:
    """Write the agreement of the embedding rasters ``paths`` (two or more) on
    ``grid`` as a float32 GeoTIFF of 0..1 (NaN no-data) at ``out_path``."""
    from contextlib import ExitStack

    import rasterio
    from rasterio.windows import Window

    from ..writers import geotiff_writer

    progress = progress or NULL_PROGRESS
    names = list(paths)
    pairs = list(combinations(names, 2))
    radius = step * reach
    total, count = 0.0, 0
    with ExitStack() as stack:
        stack.enter_context(gdal_env())
        srcs = {m: stack.enter_context(open_raster(paths[m])) for m in names}
        # a raster on the grid already is read as it is (the warp is the identity there)
        vrts = {m: src if same_grid(src, grid) else stack.enter_context(
                    warped_onto(src, grid.crs, grid.transform, grid.width, grid.height, resampling))
                for m, src in srcs.items()}
        stack.enter_context(rasterio.Env(GDAL_CACHEMAX=_cache_bytes(list(srcs.values()), list(vrts.values()),
                                                                     grid.width)))
        dims = sum(v.count for v in vrts.values())
        n_half = len(half_offsets(step, reach))
        # per row: the bands (twice: the next strip is read meanwhile), the forward distances, the output
        per_row = (grid.width + 2 * radius) * (8 * dims + 4 * n_half * len(names)) + 8 * grid.width * len(pairs)
        strip = int(max(min(4, grid.height), min(grid.height, STRIP_BYTES // per_row)))
        tags = {"RS_EMBED_AGREEMENT_PAIRS": ";".join(f"{a}|{b}" for a, b in pairs),
                "RS_EMBED_AGREEMENT_LATTICE": f"step {step}, reach {reach}", "RS_EMBED_STRETCH": "0,1"}
        bands = ["model agreement (0..1)"] + ([f"{a} / {b}" for a, b in pairs] if len(pairs) > 1 else [])
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=THREADS))
        strips = _Strips(vrts, grid, pairs, step, reach, pool)
        bounds = [(r0, min(grid.height, r0 + strip)) for r0 in range(0, grid.height, strip)]
        with geotiff_writer(out_path, grid.width, grid.height, len(bands), "float32", grid.crs, grid.transform,
                            float("nan"), tags, bands) as dst:
            for r0, r1, rho in strips(bounds):
                with np.errstate(invalid="ignore"):
                    valid = np.isfinite(rho).any(axis=0)
                    agree = np.full(rho.shape[1:], np.nan, dtype=np.float32)
                    agree[valid] = np.nanmean(np.clip(rho[:, valid], 0.0, 1.0), axis=0)
                out = agree[None] if len(bands) == 1 else np.concatenate(
                    [agree[None], np.clip(rho, 0.0, 1.0).astype(np.float32)])
                dst.write(out, window=Window(0, r0, grid.width, r1 - r0))
                total += float(agree[valid].sum())
                count += int(valid.sum())
                progress.update(r1 / grid.height)
    return AgreementResult(Path(out_path), step, reach, [f"{a} / {b}" for a, b in pairs],
                           total / count if count else float("nan"), count)
