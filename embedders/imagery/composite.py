"""Median and mosaic composites of masked scenes, computed in row strips so
memory stays bounded for large areas.

* ``median``: per pixel and band, the median of the valid (unmasked) values.
* ``mosaic``: per pixel and band, the first valid value in scene order (the
  callers order scenes least cloudy first); stops reading once full.
"""
from __future__ import annotations

import warnings
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


def nan_median(stack: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels stay NaN
        return np.nanmedian(stack, axis=0).astype(np.float32)


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
