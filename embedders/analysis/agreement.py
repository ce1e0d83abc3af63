"""Where the models disagree: a per-pixel agreement map on the common grid.

For each pixel, the embedding distances to its neighbours on a sparse
lattice around it (every ``step``-th pixel out to ``reach`` steps, 80
neighbours by default: far enough to reach past the pixel's own field, so a
field's interior is compared on its relation to the fields around it, not on
noise) are ranked in each model; the agreement of two models is the Spearman
correlation of those ranks (1: both see the same local structure, 0 or
below: unrelated; negatives are shown as 0). With more than two models band 1
is the mean over pairs and one band per pair follows. Read in strips of rows with a halo below, so
memory is bounded by a strip, not the grid; each pair of pixels is measured once (the distances of
the ``radius`` rows above a strip are carried over from the strip before). The kernels
(``lattice_ranks``) are vectorised over pixels and run on ``THREADS`` threads over tiles."""
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
from .blocks import gdal_env, open_raster, warped_onto
from .lattice_ranks import all_offsets, forward_distances, gather_distances, half_offsets, spearman, twice_ranks

STRIP_BYTES = 64 * 2**20
MIN_NEIGHBOURS = 8   # fewer valid neighbours than this: no value
STEP, REACH = 3, 4   # lattice of neighbours: every 3rd pixel, 4 steps out (radius 12 pixels)
THREADS = min(4, os.cpu_count() or 1)
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


def _read_below(vrt, grid: RasterGrid, r0: int, r1: int, radius: int) -> np.ndarray:
    """Rows r0 .. r1 + radius of ``vrt`` as (D, r1 - r0 + radius, W + 2 radius)
    float32, NaN for no data and around the grid."""
    from rasterio.windows import Window

    hi = min(grid.height, r1 + radius)
    data = vrt.read(window=Window(0, r0, grid.width, hi - r0), out_dtype="float32")
    if vrt.nodata is not None and not np.isnan(vrt.nodata):
        data[data == vrt.nodata] = np.nan
    out = np.full((data.shape[0], (r1 - r0) + radius, grid.width + 2 * radius), np.nan, dtype=np.float32)
    out[:, :hi - r0, radius:radius + grid.width] = data
    return out


def _tiles(h: int, w: int):
    """(rows, cols) slices of about TILE_PX pixels covering h x w."""
    cols = max(1, min(w, TILE_PX // max(1, min(h, 16))))
    rows = max(1, min(h, TILE_PX // cols))
    return [(slice(a, min(h, a + rows)), slice(c, min(w, c + cols)))
            for a in range(0, h, rows) for c in range(0, w, cols)]


class _Strips:
    """The agreement of ``pairs`` strip by strip: forward distances of each
    strip with the ``radius`` rows above carried over, then ranks and
    correlations tile by tile, on ``pool``."""

    def __init__(self, vrts, grid: RasterGrid, pairs, step: int, reach: int, pool):
        self.vrts, self.grid, self.pairs, self.step, self.reach, self.pool = vrts, grid, pairs, step, reach, pool
        self.radius = step * reach
        self.n_half, self.n_all = len(half_offsets(step, reach)), len(all_offsets(step, reach))
        self.carry = {m: None for m in vrts}

    def _ext(self, m, r0: int, r1: int) -> np.ndarray:
        """(n_half, radius + h, W + 2 radius): forward distances of the rows
        above (carried) and of the strip, NaN around."""
        R, w, h = self.radius, self.grid.width, r1 - r0
        ext = np.full((self.n_half, R + h, w + 2 * R), np.nan, np.float32)
        if self.carry[m] is not None:
            ext[:, :R] = self.carry[m]
        block = _read_below(self.vrts[m], self.grid, r0, r1, R)

        def run(rows, cols):
            ext[:, R + rows.start:R + rows.stop, R + cols.start:R + cols.stop] = forward_distances(
                block, R, rows, cols, self.step, self.reach)
        list(self.pool.map(lambda t: run(*t), _tiles(h, w)))
        self.carry[m] = ext[:, -R:].copy()
        return ext

    def rho(self, r0: int, r1: int) -> np.ndarray:
        """(n_pairs, h, W) float64 correlations of the strip's pixels."""
        h, w = r1 - r0, self.grid.width
        ext = {m: self._ext(m, r0, r1) for m in self.vrts}
        out = np.empty((len(self.pairs), h, w), np.float64)

        def run(rows, cols):
            n = (rows.stop - rows.start) * (cols.stop - cols.start)
            dist = {m: gather_distances(e, self.radius, rows, cols, self.step, self.reach,
                                        np.empty((self.n_all, n), np.float32)) for m, e in ext.items()}
            ranks = {m: twice_ranks(d) for m, d in dist.items()}
            for i, (a, b) in enumerate(self.pairs):
                out[i, rows, cols] = _pair_rho(dist[a], dist[b], ranks[a], ranks[b]).reshape(
                    rows.stop - rows.start, -1)
        list(self.pool.map(lambda t: run(*t), _tiles(h, w)))
        return out


def agreement_map(paths: Dict[str, Path], grid: RasterGrid, out_path, step: int = STEP, reach: int = REACH,
                  resampling: str = "average", progress=None) -> AgreementResult:
    """Write the agreement of the embedding rasters ``paths`` (two or more) on
    ``grid`` as a float32 GeoTIFF of 0..1 (NaN no-data) at ``out_path``."""
    from contextlib import ExitStack

    from ..writers import geotiff_writer
    from rasterio.windows import Window

    progress = progress or NULL_PROGRESS
    names = list(paths)
    pairs = list(combinations(names, 2))
    radius = step * reach
    total, count = 0.0, 0
    with ExitStack() as stack:
        stack.enter_context(gdal_env())
        vrts = {}
        for m in names:
            src = stack.enter_context(open_raster(paths[m]))
            vrts[m] = stack.enter_context(warped_onto(src, grid.crs, grid.transform, grid.width, grid.height,
                                                      resampling))
        dims = sum(v.count for v in vrts.values())
        n_half = len(half_offsets(step, reach))   # per row: the bands, the forward distances, the output
        per_row = (grid.width + 2 * radius) * (4 * dims + 4 * n_half * len(names)) + 8 * grid.width * len(pairs)
        strip = int(max(min(4, grid.height), min(grid.height, STRIP_BYTES // per_row)))
        tags = {"RS_EMBED_AGREEMENT_PAIRS": ";".join(f"{a}|{b}" for a, b in pairs),
                "RS_EMBED_AGREEMENT_LATTICE": f"step {step}, reach {reach}", "RS_EMBED_STRETCH": "0,1"}
        bands = ["model agreement (0..1)"] + ([f"{a} / {b}" for a, b in pairs] if len(pairs) > 1 else [])
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=THREADS))
        strips = _Strips(vrts, grid, pairs, step, reach, pool)
        with geotiff_writer(out_path, grid.width, grid.height, len(bands), "float32", grid.crs, grid.transform,
                            float("nan"), tags, bands) as dst:
            for r0 in range(0, grid.height, strip):
                r1 = min(grid.height, r0 + strip)
                rho = strips.rho(r0, r1)
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
