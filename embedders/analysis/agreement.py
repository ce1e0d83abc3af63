"""Where the models disagree: a per-pixel agreement map on the common grid.

For each pixel, the embedding distances to its neighbours on a sparse
lattice around it (every ``step``-th pixel out to ``reach`` steps, 80
neighbours by default: far enough to reach past the pixel's own field, so a
field's interior is compared on its relation to the fields around it, not on
noise) are ranked in each model; the agreement of two models is the Spearman
correlation of those ranks (1: both see the same local structure, 0 or
below: unrelated; negatives are shown as 0). With more than two models band 1
is the mean over pairs and one band per pair follows. Read in strips of rows with a halo, so memory is
bounded by a strip, not the grid."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Dict, List

import numpy as np

from ..geo import RasterGrid
from ..progress import NULL_PROGRESS
from .blocks import gdal_env, open_raster, warped_onto

STRIP_BYTES = 64 * 2**20
MIN_NEIGHBOURS = 8   # fewer valid neighbours than this: no value
STEP, REACH = 3, 4   # lattice of neighbours: every 3rd pixel, 4 steps out (radius 12 pixels)


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
    d, hp, wp = block.shape
    w = wp - 2 * radius
    r0, r1 = rows.start + radius, rows.stop + radius
    centre = block[:, r0:r1, radius:radius + w]
    out = []
    for dy in range(-radius, radius + 1, step):
        for dx in range(-radius, radius + 1, step):
            if dy or dx:
                other = block[:, r0 + dy:r1 + dy, radius + dx:radius + dx + w]
                out.append(np.sqrt(np.sum((other - centre) ** 2, axis=0, dtype=np.float32)))
    return np.stack(out)


def rank_agreement(da: np.ndarray, db: np.ndarray) -> np.ndarray:
    """Per-pixel Spearman correlation along axis 0 of two (n, h, w) distance
    stacks, over the neighbours valid in both; NaN where fewer than
    MIN_NEIGHBOURS are, or where either model's distances are all tied."""
    from scipy.stats import rankdata

    both = np.isfinite(da) & np.isfinite(db)
    da, db = np.where(both, da, np.nan), np.where(both, db, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ra = rankdata(da, axis=0, nan_policy="omit")
        rb = rankdata(db, axis=0, nan_policy="omit")
        ra = ra - np.nanmean(ra, axis=0)
        rb = rb - np.nanmean(rb, axis=0)
        rho = np.nansum(ra * rb, axis=0) / np.sqrt(np.nansum(ra * ra, axis=0) * np.nansum(rb * rb, axis=0))
    rho[both.sum(axis=0) < MIN_NEIGHBOURS] = np.nan
    return rho


def _read_padded(vrt, grid: RasterGrid, r0: int, r1: int, radius: int) -> np.ndarray:
    from rasterio.windows import Window

    lo, hi = max(0, r0 - radius), min(grid.height, r1 + radius)
    data = vrt.read(window=Window(0, lo, grid.width, hi - lo), out_dtype="float32")
    if vrt.nodata is not None and not np.isnan(vrt.nodata):
        data[data == vrt.nodata] = np.nan
    out = np.full((data.shape[0], (r1 - r0) + 2 * radius, grid.width + 2 * radius), np.nan, dtype=np.float32)
    top = lo - (r0 - radius)
    out[:, top:top + (hi - lo), radius:radius + grid.width] = data
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
    radius, side = step * reach, 2 * reach + 1
    total, count = 0.0, 0
    with ExitStack() as stack:
        stack.enter_context(gdal_env())
        vrts = {}
        for m in names:
            src = stack.enter_context(open_raster(paths[m]))
            vrts[m] = stack.enter_context(warped_onto(src, grid.crs, grid.transform, grid.width, grid.height,
                                                      resampling))
        dims = sum(v.count for v in vrts.values())
        n_off = side * side - 1   # per pixel: the bands, float32 distances, float64 ranks of a pair
        per_row = grid.width * (4 * dims + 4 * n_off * len(names) + 40 * n_off)
        strip = int(max(min(4, grid.height), min(grid.height, STRIP_BYTES // per_row)))
        tags = {"RS_EMBED_AGREEMENT_PAIRS": ";".join(f"{a}|{b}" for a, b in pairs),
                "RS_EMBED_AGREEMENT_LATTICE": f"step {step}, reach {reach}", "RS_EMBED_STRETCH": "0,1"}
        bands = ["model agreement (0..1)"] + ([f"{a} / {b}" for a, b in pairs] if len(pairs) > 1 else [])
        with geotiff_writer(out_path, grid.width, grid.height, len(bands), "float32", grid.crs, grid.transform,
                            float("nan"), tags, bands) as dst:
            for r0 in range(0, grid.height, strip):
                r1 = min(grid.height, r0 + strip)
                dist = {m: neighbour_distances(_read_padded(v, grid, r0, r1, radius), radius, slice(0, r1 - r0),
                                             step)
                        for m, v in vrts.items()}
                with np.errstate(invalid="ignore"):
                    rho = np.stack([rank_agreement(dist[a], dist[b]) for a, b in pairs])
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
