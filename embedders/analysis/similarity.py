"""Cosine similarity of every pixel of an embedding raster to reference
vectors taken from the raster itself (pixels under points, or the mean vector
of the pixels inside polygons). Streams the raster block by block."""
from __future__ import annotations

import math

import numpy as np

from ..errors import DataUnavailableError, SpecError
from ..progress import NULL_PROGRESS
from .blocks import (
    BLOCK_MB, RangeHistogram, block_writer, block_windows, gdal_env, open_raster, read_block,
    source_tags,
)
from .guards import memory_guard, refuse_overwrite

COMBINES = ("max", "mean")


def point_vectors(src, points):
    """Vectors of the pixels under ``points`` ((x, y) in the raster's CRS).

    Returns ((N, D) array, list of messages about points that gave none)."""
    from rasterio.windows import Window

    vecs, problems = [], []
    for i, (x, y) in enumerate(points):
        row, col = src.index(x, y)
        if not (0 <= row < src.height and 0 <= col < src.width):
            problems.append(f"point {i + 1} ({x:.6g}, {y:.6g}) lies outside the raster")
            continue
        v = read_block(src, Window(col, row, 1, 1))[:, 0, 0]
        if not np.isfinite(v).all():
            problems.append(f"point {i + 1} ({x:.6g}, {y:.6g}) falls on a no-data pixel")
            continue
        vecs.append(v)
    return np.array(vecs, dtype=np.float32).reshape(len(vecs), src.count), problems


def _polygon_window(src, geom):
    from rasterio.features import bounds
    from rasterio.windows import Window, from_bounds

    f = from_bounds(*bounds(geom), transform=src.transform)
    c0, r0 = math.floor(f.col_off + 1e-9), math.floor(f.row_off + 1e-9)
    c1, r1 = math.ceil(f.col_off + f.width - 1e-9), math.ceil(f.row_off + f.height - 1e-9)
    win, full = Window(c0, r0, max(1, c1 - c0), max(1, r1 - r0)), Window(0, 0, src.width, src.height)
    try:
        return win.intersection(full)
    except Exception:  # rasterio raises WindowError when they do not intersect
        return None


def polygon_mean(src, geom, block_mb: float = BLOCK_MB):
    """Mean vector of the valid pixels whose centres fall inside ``geom``
    (GeoJSON-like, raster CRS); a polygon smaller than a pixel takes the
    pixels it touches. None when no valid pixel is inside."""
    from rasterio.features import geometry_mask
    from rasterio.windows import Window

    win = _polygon_window(src, geom)
    if win is None or win.width < 1 or win.height < 1:
        return None
    rows_per = max(1, int(block_mb * 2**20) // (4 * src.count * int(win.width)))
    for all_touched in (False, True):
        total, n = np.zeros(src.count), 0
        for r0 in range(int(win.row_off), int(win.row_off + win.height), rows_per):
            strip = Window(win.col_off, r0, win.width, min(rows_per, int(win.row_off + win.height) - r0))
            inside = geometry_mask([geom], out_shape=(int(strip.height), int(strip.width)),
                                   transform=src.window_transform(strip), invert=True,
                                   all_touched=all_touched)
            if not inside.any():
                continue
            block = read_block(src, strip)[:, inside]
            ok = np.isfinite(block).all(axis=0)
            total += block[:, ok].sum(axis=1, dtype=np.float64)
            n += int(ok.sum())
        if n:
            return (total / n).astype(np.float32)
    return None


def reference_vectors(src, points=(), polygons=(), block_mb: float = BLOCK_MB):
    """Reference vectors from points and polygons (raster CRS); raises when
    none gives a vector. Returns ((N, D), messages about skipped ones)."""
    vecs, problems = point_vectors(src, points)
    polys = []
    for i, geom in enumerate(polygons):
        v = polygon_mean(src, geom, block_mb)
        if v is None:
            problems.append(f"polygon {i + 1} covers no valid pixel of the raster")
        else:
            polys.append(v)
    if polys:
        vecs = np.vstack([vecs, np.array(polys, dtype=np.float32)])
    if len(vecs) == 0:
        raise DataUnavailableError(
            "No reference gave an embedding vector: " + "; ".join(problems or ["no references given"])
            + ". Put the points or polygons on valid pixels of the raster.")
    return vecs, problems


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    if (norms == 0).any():
        raise SpecError("A reference vector has length zero; cosine similarity is undefined for it.")
    return v / norms


def reference_matrix(refs: np.ndarray, combine: str = "max") -> np.ndarray:
    """(N, D) references -> (M, D) float32 unit rows: all of them for ``max``,
    the normalised mean of the unit references for ``mean``."""
    if combine not in COMBINES:
        raise SpecError(f"combine must be one of {COMBINES}, got {combine!r}.")
    u = unit_rows(refs)
    if combine == "mean":
        u = unit_rows(u.mean(axis=0, keepdims=True))
    return u.astype(np.float32)


def cosine_to_refs(block: np.ndarray, refs_unit: np.ndarray) -> np.ndarray:
    """(D, h, w) block, (M, D) unit references -> (h, w) float32 max cosine
    similarity (NaN where the pixel has no data or zero length)."""
    d, h, w = block.shape
    x = block.reshape(d, -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        norms = np.sqrt(np.einsum("dp,dp->p", x, x))
        sims = (refs_unit @ x).max(axis=0) / norms
    sims[~np.isfinite(sims)] = np.nan
    return np.clip(sims, -1.0, 1.0).reshape(h, w).astype(np.float32)


def similarity_raster(src_path, dst_path, points=(), polygons=(), combine: str = "max",
                      block_mb: float = BLOCK_MB, progress=None) -> dict:
    """Write the cosine similarity of every pixel of ``src_path`` to the
    references (max over them, or to their mean) as float32 GeoTIFF, NaN
    no-data, with a 2-98 % stretch in the tag RS_EMBED_STRETCH. Refuses an
    output that is the input."""
    progress = progress or NULL_PROGRESS
    refuse_overwrite(dst_path, src_path)
    with memory_guard("the similarity map", block_mb), gdal_env(), open_raster(src_path) as src:
        refs, problems = reference_vectors(src, points, polygons, block_mb)
        refs_unit = reference_matrix(refs, combine)
        hist = RangeHistogram(-1.0, 1.0)
        windows = list(block_windows(src, block_mb))
        tags = dict(source_tags(src), RS_EMBED_ANALYSIS="cosine similarity",
                    RS_EMBED_REFERENCES=str(len(refs)), RS_EMBED_COMBINE=combine)
        with block_writer(src, dst_path, 1, "float32", float("nan"), tags,
                          ["cosine similarity"]) as dst:
            for i, win in enumerate(windows):
                sims = cosine_to_refs(read_block(src, win), refs_unit)
                hist.add(sims)
                dst.write(sims, 1, window=win)
                progress.update((i + 1) / len(windows))
            lo, hi = hist.percentile(2), hist.percentile(98)
            dst.update_tags(RS_EMBED_STRETCH=f"{lo:.4f},{hi:.4f}")
    return {"references": len(refs), "skipped": problems, "mean": hist.mean, "stretch": (lo, hi),
            "valid_pixels": hist.n}
