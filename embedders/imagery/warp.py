"""Windowed reads onto a target grid: only the source window covering the grid
is read (decimated when the grid is much coarser), then reprojected."""
from __future__ import annotations

import math

import numpy as np

from ..errors import SpecError
from ..geo import RasterGrid, transform_bounds

# GDAL settings for COGs over HTTP: no directory listing,
# merged ranges, retries on 429/5xx.
HTTP_OPTIONS = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES": "YES",
    "GDAL_HTTP_MAX_RETRY": "4",
    "GDAL_HTTP_RETRY_DELAY": "0.5",
    "GDAL_HTTP_TIMEOUT": "60",
    "VSI_CACHE": "TRUE",
    "GDAL_PAM_ENABLED": "NO",
}

_EPS = 1e-6


def source_window(src, grid: RasterGrid, pad: int = 0):
    """The (col0, row0, col1, row1) pixel range of ``src`` covering ``grid``,
    clipped to the raster; None if they do not overlap."""
    from rasterio.windows import from_bounds

    sb = transform_bounds(grid.crs, src.crs.to_wkt(), grid.bounds)
    w = from_bounds(*sb, transform=src.transform)
    c0 = max(0, math.floor(min(w.col_off, w.col_off + w.width) + _EPS) - pad)
    r0 = max(0, math.floor(min(w.row_off, w.row_off + w.height) + _EPS) - pad)
    c1 = min(src.width, math.ceil(max(w.col_off, w.col_off + w.width) - _EPS) + pad)
    r1 = min(src.height, math.ceil(max(w.row_off, w.row_off + w.height) - _EPS) + pad)
    if c1 <= c0 or r1 <= r0:
        return None
    return c0, r0, c1, r1


def _aligned_offset(src_t, dst_t):
    """Integer (dx, dy) of the target origin in source pixels when both
    transforms are north-up with equal pixels on one lattice, else None."""
    if src_t.b or src_t.d or dst_t.b or dst_t.d:
        return None
    if abs(src_t.a - dst_t.a) > _EPS * abs(dst_t.a) or abs(src_t.e - dst_t.e) > _EPS * abs(dst_t.e):
        return None
    dx, dy = (dst_t.c - src_t.c) / src_t.a, (dst_t.f - src_t.f) / src_t.e
    if abs(dx - round(dx)) > 1e-4 or abs(dy - round(dy)) > 1e-4:
        return None
    return int(round(dx)), int(round(dy))


def read_to_grid(src, indexes, grid: RasterGrid, resampling: str = "nearest",
                 categorical: bool = False) -> np.ndarray:
    """Read bands ``indexes`` (1-based) of the open rasterio dataset ``src``
    onto ``grid``: float32 (C, H, W), NaN outside the raster and where it has
    no data (nodata value, mask or alpha band).

    ``resampling`` maps source pixels onto the grid (nearest by default, as
    Earth Engine does); a source at least twice finer than the grid is first
    read block-averaged at about the grid's resolution (like Earth Engine's
    mean pyramids), except ``categorical`` bands (e.g. SCL), always nearest."""
    from affine import Affine
    from rasterio.crs import CRS
    from rasterio.enums import Resampling
    from rasterio.warp import reproject
    from rasterio.windows import Window
    from rasterio.windows import transform as window_transform

    if src.crs is None:
        raise SpecError(f"The raster {src.name} has no CRS: assign one (e.g. with GDAL's "
                        "'Assign projection') before using it as imagery.")
    indexes = list(indexes)
    out = np.full((len(indexes), grid.height, grid.width), np.nan, dtype=np.float32)
    if categorical:
        resampling = "nearest"
    if not hasattr(Resampling, resampling):
        raise SpecError(f"Unknown resampling {resampling!r}; use nearest, bilinear, cubic or average.")
    nearest = resampling == "nearest"
    win = source_window(src, grid, pad=0 if nearest else 2)
    if win is None:
        return out
    c0, r0, c1, r1 = win
    window = Window(c0, r0, c1 - c0, r1 - r0)
    wt = window_transform(window, src.transform)
    # Source pixels per target pixel: decimate reads of much finer rasters.
    sb = transform_bounds(grid.crs, src.crs.to_wkt(), grid.bounds)
    factor = min((sb[2] - sb[0]) / abs(src.transform.a) / grid.width,
                 (sb[3] - sb[1]) / abs(src.transform.e) / grid.height)
    out_shape = None
    if factor >= 2:
        f = math.floor(factor)
        out_shape = (len(indexes), max(1, math.ceil(window.height / f)), max(1, math.ceil(window.width / f)))
        wt = wt @ Affine.scale(window.width / out_shape[2], window.height / out_shape[1])
    arr = src.read(indexes, window=window, out_shape=out_shape, masked=True, out_dtype="float32",
                   resampling=Resampling.nearest if categorical else Resampling.average)
    data = arr.filled(np.nan)
    off = _aligned_offset(wt, grid.transform) if CRS.from_user_input(grid.crs) == src.crs else None
    if off is not None:  # same lattice: copy, no resampling
        dx, dy = off
        h, w = data.shape[1:]
        x0, y0 = max(0, -dx), max(0, -dy)
        x1, y1 = min(grid.width, w - dx), min(grid.height, h - dy)
        if x1 > x0 and y1 > y0:
            out[:, y0:y1, x0:x1] = data[:, y0 + dy:y1 + dy, x0 + dx:x1 + dx]
        return out
    reproject(source=data, destination=out, src_transform=wt, src_crs=src.crs,
              dst_transform=grid.transform, dst_crs=grid.crs, src_nodata=np.nan, dst_nodata=np.nan,
              resampling=getattr(Resampling, resampling))
    return out
