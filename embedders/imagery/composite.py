"""Median and mosaic composites of masked scenes, computed in row strips so
memory stays bounded for large areas.

* ``median``: per pixel and band, the median of the valid (unmasked) values.
* ``mosaic``: per pixel and band, the first valid value in scene order (the
  callers order scenes least cloudy first); stops reading once full.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, Optional, Sequence

import numpy as np
from affine import Affine

from ..errors import SpecError
from ..geo import RasterGrid
from ..progress import NULL_PROGRESS

MEMORY_BUDGET = 256 * 2**20  # bytes of scene stack held at once (the median needs ~2x)


def sub_grid(grid: RasterGrid, row0: int, row1: int) -> RasterGrid:
    return RasterGrid(grid.crs, grid.transform @ Affine.translation(0, row0), grid.width, row1 - row0)


def strip_rows(grid: RasterGrid, n_layers: int, budget: int = MEMORY_BUDGET):
    """Row ranges of at most ``budget`` bytes of float32 for ``n_layers`` layers."""
    per_row = max(1, n_layers) * grid.width * 4
    rows = max(16, min(grid.height, budget // per_row))
    return [(r, min(grid.height, r + rows)) for r in range(0, grid.height, rows)]


def _sort_axis0(s: np.ndarray) -> None:
    """Sort (N, H, W) along axis 0 in place: an odd-even transposition network
    of whole-array min/max for small N (fast), numpy's sort otherwise."""
    n = s.shape[0]
    if n > 8:
        s.sort(axis=0)
        return
    for r in range(n):
        for i in range(r % 2, n - 1, 2):
            lo = np.minimum(s[i], s[i + 1])
            np.maximum(s[i], s[i + 1], out=s[i + 1])
            s[i] = lo


def nan_median(stack: np.ndarray, threads: int = 2) -> np.ndarray:
    """Median over axis 0 of (N, C, H, W) ignoring NaN (NaN where all are);
    the same values as ``np.nanmedian`` at a fraction of its time."""
    n_layers = stack.shape[0]
    out = np.empty(stack.shape[1:], dtype=np.float32)

    def band(c):
        x = stack[:, c]
        missing = np.isnan(x)
        n = n_layers - np.count_nonzero(missing, axis=0)
        s = np.where(missing, np.float32(np.inf), x).astype(np.float32, copy=False)  # missing sorts last
        _sort_axis0(s)
        lo = np.take_along_axis(s, (np.maximum(n - 1, 0) // 2)[None], 0)[0]
        hi = np.take_along_axis(s, np.minimum(n // 2, n_layers - 1)[None], 0)[0]
        m = (lo + hi) * np.float32(0.5)
        m[n == 0] = np.nan
        out[c] = m

    with ThreadPoolExecutor(max(1, threads)) as pool:  # numpy releases the GIL here
        list(pool.map(band, range(stack.shape[1])))
    return out


def composite(scenes: Sequence, grid: RasterGrid, n_bands: int, method: str,
              read: Callable[[object, RasterGrid, Optional[np.ndarray]], Optional[np.ndarray]],
              progress=NULL_PROGRESS, budget: int = MEMORY_BUDGET):
    """Composite ``scenes`` onto ``grid``.

    ``read(scene, strip_grid, need)`` returns the scene's (C, h, w) float32
    values on the strip with NaN where masked, or None when it has nothing
    valid there; ``need`` (mosaic only) flags pixels still missing a band, so
    a reader may skip scenes that cannot fill any.
    Returns (data (C, H, W), indexes of scenes that contributed)."""
    if method not in ("median", "mosaic"):
        raise SpecError(f"composite must be 'median' or 'mosaic', got {method!r}.")
    out = np.full((n_bands, grid.height, grid.width), np.nan, dtype=np.float32)
    used: List[int] = []
    layers = n_bands * (len(scenes) if method == "median" else 1)
    strips = strip_rows(grid, layers, budget)
    steps, done = max(1, len(strips) * len(scenes)), 0
    for r0, r1 in strips:
        g = sub_grid(grid, r0, r1)
        part = out[:, r0:r1]
        stack = []
        for i, scene in enumerate(scenes):
            need = None
            if method == "mosaic":
                need = np.isnan(part).any(axis=0)
                if not need.any():
                    done += len(scenes) - i
                    break
            vals = read(scene, g, need)
            done += 1
            progress.update(done / steps)
            if vals is None or not np.isfinite(vals).any():
                continue
            if i not in used:
                used.append(i)
            if method == "mosaic":
                gap = np.isnan(part) & np.isfinite(vals)
                part[gap] = vals[gap]
            else:
                stack.append(vals)
        if method == "median" and stack:
            part[:] = stack[0] if len(stack) == 1 else nan_median(np.stack(stack))
    return out, sorted(used)
