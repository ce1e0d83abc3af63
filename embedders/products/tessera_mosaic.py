"""Pasting Tessera tiles into an output grid, one row strip at a time.

A tile is an int8 (H, W, D) array, its scales (H, W) or (H, W, D) and the
landmask's CRS and transform. v1.1 landmask transforms carry the unsnapped
corner of the tile's UTM extent while the pixels were laid out on the
``floor(x / res) * res`` lattice (see geotessera's zarr builder,
``_tile_pixel_offset``); :func:`lattice` gives that grid.

* :func:`paste_exact`: the tile's lattice is the output's (same UTM zone, or
  the same zone across the equator): values are copied, never resampled.
* :func:`paste_warped`: any other grid: nearest-neighbour reprojection with
  ``rasterio.warp.reproject`` (exact per-pixel transform), so every value is
  still one of the tile's dequantised vectors.

Both write a pixel only where the output is still empty (NaN) and the tile's
vector is finite: at overlaps the first tile pasted wins. They return the
number of pixels written.
"""
from __future__ import annotations

import math

import numpy as np

STRIP_BYTES = 32 * 1024 * 1024   # float32 working set per strip
BAND_CHUNK = 32                  # bands reprojected at once
FALSE_NORTHING_S = 10_000_000.0  # UTM south - UTM north northing offset


def lattice(transform):
    """The pixel lattice of a tile: left edge floored, top edge ceiled to the pixel size."""
    from affine import Affine

    r = transform.a
    return Affine(r, 0.0, math.floor(transform.c / r + 1e-9) * r, 0.0, transform.e,
                  math.ceil(transform.f / r - 1e-9) * r)


def _epsg(crs):
    from pyproj import CRS

    return CRS.from_user_input(crs).to_epsg()


def northing_shift(tile_crs, grid_crs):
    """y offset taking tile coordinates into the grid's when both are the same
    UTM zone (possibly across the equator); None when they are not."""
    a, b = _epsg(tile_crs), _epsg(grid_crs)
    if a is None or b is None:
        return None
    if a == b:
        return 0.0
    za, zb = a % 100, b % 100
    utm = {a // 100, b // 100} == {326, 327}
    if not utm or za != zb:
        return None
    return -FALSE_NORTHING_S if a // 100 == 327 else FALSE_NORTHING_S


def same_lattice(tile_transform, tile_crs, grid) -> bool:
    """True when the tile's pixels fall exactly on the output grid's pixels."""
    t, g = lattice(tile_transform), grid.transform
    shift = northing_shift(tile_crs, grid.crs)
    if shift is None or t.b or t.d or g.b or g.d:
        return False
    if not (math.isclose(t.a, g.a) and math.isclose(t.e, g.e)):
        return False
    fx, fy = (t.c - g.c) / g.a, (t.f + shift - g.f) / g.e
    return abs(fx - round(fx)) < 1e-6 and abs(fy - round(fy)) < 1e-6


def _dequantise(q, s):
    from geotessera import dequantize_embedding

    return dequantize_embedding(np.asarray(q), np.asarray(s))


def _valid(s) -> np.ndarray:
    """(h, w) pixels whose every value is finite: scales are finite there."""
    s = np.asarray(s)
    return np.isfinite(s) if s.ndim == 2 else np.isfinite(s).all(axis=-1)


def _fill(dst, vals, valid) -> int:
    """Write (h, w, D) ``vals`` into the (D, h, w) view ``dst`` where valid and empty."""
    take = valid & np.isnan(dst[0])
    n = int(take.sum())
    if n == take.size:
        dst[...] = vals.transpose(2, 0, 1)
    elif n:
        dst[:, take] = vals[take].T
    return n


def paste_exact(out, grid, q, s, tile_transform, tile_crs) -> int:
    """Copy the tile into ``out`` (D, H, W) on their shared lattice."""
    t = lattice(tile_transform)
    g = grid.transform
    shift = northing_shift(tile_crs, grid.crs)
    col0 = int(round((t.c - g.c) / g.a))
    row0 = int(round((t.f + shift - g.f) / g.e))
    r0, r1 = max(0, row0), min(grid.height, row0 + q.shape[0])
    c0, c1 = max(0, col0), min(grid.width, col0 + q.shape[1])
    if r0 >= r1 or c0 >= c1:
        return 0
    step = max(1, STRIP_BYTES // ((c1 - c0) * q.shape[2] * 4))
    n = 0
    for r in range(r0, r1, step):
        re = min(r1, r + step)
        rows, cols = slice(r - row0, re - row0), slice(c0 - col0, c1 - col0)
        ss = s[rows, cols] if s.ndim >= 2 else s
        n += _fill(out[:, r:re, c0:c1], _dequantise(q[rows, cols], ss), _valid(ss))
    return n


def _window(bounds, transform, height, width, pad=1):
    """Row/col ranges of ``transform``'s pixels touching ``bounds``, padded, clipped."""
    x0, y0, x1, y1 = bounds
    c0 = math.floor((x0 - transform.c) / transform.a) - pad
    c1 = math.ceil((x1 - transform.c) / transform.a) + pad
    r0 = math.floor((transform.f - y1) / -transform.e) - pad
    r1 = math.ceil((transform.f - y0) / -transform.e) + pad
    return max(0, r0), min(height, r1), max(0, c0), min(width, c1)


def paste_warped(out, grid, q, s, tile_transform, tile_crs) -> int:
    """Reproject the part of the tile that the grid needs (nearest neighbour)."""
    from affine import Affine
    from rasterio.warp import Resampling, reproject

    from ..geo import transform_bounds

    t = lattice(tile_transform)
    src_crs = f"EPSG:{_epsg(tile_crs)}" if _epsg(tile_crs) else str(tile_crs)
    try:
        need = transform_bounds(grid.crs, src_crs, grid.bounds)
    except Exception as exc:  # never drop a tile silently: its pixels would be missing
        from ..errors import DataUnavailableError

        raise DataUnavailableError(
            f"A Tessera tile in {src_crs} could not be placed on the output grid in {grid.crs}: the grid's "
            f"bounds do not transform into the tile's CRS ({exc}). Draw a smaller extent, or one that "
            "does not straddle this many UTM zones.") from exc
    sr0, sr1, sc0, sc1 = _window(need, t, q.shape[0], q.shape[1])
    if sr0 >= sr1 or sc0 >= sc1:
        return 0
    src_tr = t @ Affine.translation(sc0, sr0)
    sb = (src_tr.c, src_tr.f + src_tr.e * (sr1 - sr0), src_tr.c + src_tr.a * (sc1 - sc0), src_tr.f)
    dr0, dr1, dc0, dc1 = _window(transform_bounds(src_crs, grid.crs, sb), grid.transform,
                                 grid.height, grid.width, pad=0)
    if dr0 >= dr1 or dc0 >= dc1:
        return 0
    dst_tr = grid.transform @ Affine.translation(dc0, dr0)
    dst_view = out[:, dr0:dr1, dc0:dc1]
    ss = s[sr0:sr1, sc0:sc1] if s.ndim >= 2 else s
    warp = dict(src_transform=src_tr, src_crs=src_crs, dst_transform=dst_tr, dst_crs=grid.crs,
                resampling=Resampling.nearest, tolerance=0)
    hit = np.zeros(dst_view.shape[1:], dtype=np.uint8)
    valid = _valid(ss) if np.ndim(ss) >= 2 else np.ones((sr1 - sr0, sc1 - sc0), bool)
    reproject(valid.astype(np.uint8), hit, **warp)
    take = hit.astype(bool) & np.isnan(dst_view[0])
    n = int(take.sum())
    if not n:
        return 0
    d = q.shape[2]
    for b in range(0, d, BAND_CHUNK):
        k = min(BAND_CHUNK, d - b)
        sb_s = ss[..., b:b + k] if np.ndim(ss) == 3 else ss
        src = np.ascontiguousarray(_dequantise(q[sr0:sr1, sc0:sc1, b:b + k], sb_s).transpose(2, 0, 1))
        dst = np.full((k,) + dst_view.shape[1:], np.nan, dtype=np.float32)
        reproject(src, dst, src_nodata=np.nan, dst_nodata=np.nan, **warp)
        dst_view[b:b + k][:, take] = dst[:, take]
    return n
