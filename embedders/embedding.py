"""The ``Embedding`` type: ``data`` plus ``meta``.

* grid: ``data`` is an ``xarray.DataArray`` of dims ``(band, y, x)``, float32,
  NaN where there is no embedding, with map coordinates of pixel centres and
  ``attrs['crs']`` / ``attrs['transform']`` (affine, GDAL pixel-corner order
  ``(a, b, c, d, e, f)``) so it lands where it belongs.
* pooled: ``data`` is a numpy array of shape (D,).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence

import numpy as np


@dataclass
class Embedding:
    data: Any
    meta: Dict[str, Any] = field(default_factory=dict)

    @property
    def is_grid(self) -> bool:
        return getattr(self.data, "ndim", 0) == 3

    @property
    def dim(self) -> int:
        return int(self.data.shape[0])

    @property
    def crs(self) -> Optional[str]:
        return self.data.attrs.get("crs") if self.is_grid else None

    @property
    def transform(self):
        from affine import Affine

        if not self.is_grid:
            return None
        return Affine(*self.data.attrs["transform"][:6])

    def to_numpy(self) -> np.ndarray:
        return np.asarray(self.data)

    def valid_mask(self) -> np.ndarray:
        """(H, W) boolean: pixels with a finite vector (grid only)."""
        arr = self.to_numpy()
        return np.isfinite(arr).all(axis=0)

    def pooled(self, pooling: str = "mean") -> "Embedding":
        """Pool a grid over its valid pixels only; no-data never enters."""
        if not self.is_grid:
            return self
        vec, frac = pool_grid(self.to_numpy(), pooling)
        meta = dict(self.meta)
        meta.update({"output": "pooled", "pooling": pooling, "coverage_fraction": frac,
                     "grid_shape": list(self.data.shape)})
        return Embedding(vec, meta)


def make_grid(array: np.ndarray, crs: str, transform, band_names: Optional[Sequence[str]] = None):
    """Wrap a (D, H, W) array as a georeferenced ``xarray.DataArray``."""
    import xarray as xr
    from affine import Affine

    arr = np.asarray(array, dtype=np.float32)
    if arr.ndim != 3:
        raise ValueError(f"grid arrays are (D, H, W), got shape {arr.shape}")
    t = transform if isinstance(transform, Affine) else Affine(*transform[:6])
    d, h, w = arr.shape
    xs = t.c + t.a * (np.arange(w) + 0.5) + t.b * 0.5
    ys = t.f + t.e * (np.arange(h) + 0.5) + t.d * 0.5
    names = list(band_names) if band_names is not None else [f"dim_{i:03d}" for i in range(d)]
    if len(names) != d:
        raise ValueError(f"{len(names)} band names for {d} bands")
    return xr.DataArray(
        arr, dims=("band", "y", "x"),
        coords={"band": names, "y": ys, "x": xs},
        attrs={"crs": crs, "transform": tuple(t)[:6]},
    )


def pool_grid(arr: np.ndarray, pooling: str = "mean", chunk_values: int = 1 << 22):
    """Pool (D, H, W) over pixels whose vector is finite, in chunks of about
    ``chunk_values`` values (no copy of the whole grid).

    Returns (vector (D,), fraction of pixels covered). Raises if none is.
    """
    from .errors import DataUnavailableError

    d = arr.shape[0]
    flat = arr.reshape(d, -1)
    total = flat.shape[1]
    step = max(1, chunk_values // max(1, d))
    acc = np.zeros(d) if pooling == "mean" else np.full(d, -np.inf)
    n = 0
    for start in range(0, total, step):
        block = flat[:, start:start + step]
        ok = np.isfinite(block).all(axis=0)
        if not ok.any():
            continue
        sel = block[:, ok]
        if pooling == "mean":
            acc += sel.sum(axis=1, dtype=np.float64)
        else:
            acc = np.maximum(acc, sel.max(axis=1))
        n += int(ok.sum())
    if n == 0:
        raise DataUnavailableError("The ROI has no valid embedding pixels to pool (all no-data).")
    vec = acc / n if pooling == "mean" else acc
    return vec.astype(np.float32), n / total
