"""Block-wise access to embedding rasters: tile-aligned windows sized by a
memory budget, float32 reads with no-data as NaN, a uniform sample of valid
pixels in one pass, and atomic block-wise writers."""
from __future__ import annotations

import numpy as np

from ..errors import SpecError
from ..progress import NULL_PROGRESS
from .guards import damaged_error, reading

BLOCK_MB = 128            # float32 bytes of one block, all bands
GDAL_CACHE_BYTES = 64 * 2**20  # GDAL's block cache would otherwise grow to 5% of RAM


def gdal_env():
    """rasterio.Env with a small block cache (our windows are tile-aligned, so
    each tile is decoded once and a large cache only inflates memory)."""
    import rasterio

    return rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_BYTES, GDAL_PAM_ENABLED="NO")


def open_raster(path):
    """Open an embedding raster for reading, with a clear error if it cannot be."""
    import rasterio

    from pathlib import Path

    try:
        return rasterio.open(str(path))
    except rasterio.errors.RasterioIOError as exc:
        if Path(str(path)).is_file():  # there, but GDAL cannot read it
            raise damaged_error(path, exc) from exc
        raise SpecError(f"Cannot open the raster {path}: {exc}") from exc


def block_windows(src, block_mb: float = BLOCK_MB, count: int = None):
    """Windows covering ``src`` in row-major order, aligned to its tiles, each
    holding at most about ``block_mb`` MB of float32 over ``count`` bands
    (never less than one tile)."""
    from rasterio.windows import Window

    count = count or src.count
    max_px = max(1, int(block_mb * 2**20) // (4 * count))
    bh, bw = src.block_shapes[0]
    h, w = src.height, src.width
    if bw >= w or bh * w <= max_px:  # full-width strips of whole tile rows
        rows = max(1, max_px // w)
        rows = rows // bh * bh if rows >= bh else rows
        cols = w
    else:  # one tile row at a time, whole tiles across
        rows, cols = bh, max(bw, (max_px // bh) // bw * bw)
    for r0 in range(0, h, rows):
        for c0 in range(0, w, cols):
            yield Window(c0, r0, min(cols, w - c0), min(rows, h - r0))


def read_block(src, window=None, indexes=None) -> np.ndarray:
    """(bands, rows, cols) float32 with the raster's no-data as NaN; a GDAL
    read failure (damaged file) raises DamagedRasterError."""
    with reading(src):
        block = src.read(indexes=indexes, window=window, out_dtype="float32")
    nodata = src.nodata
    if nodata is not None and not np.isnan(nodata):
        block[block == nodata] = np.nan
    return block


def pixels(block: np.ndarray):
    """(D, h, w) block -> ((h*w, D) vectors, (h*w,) mask of all-finite pixels)."""
    d = block.shape[0]
    flat = block.reshape(d, -1).T
    return flat, np.isfinite(flat).all(axis=1)


class ValidSampler:
    """A uniform random sample (without replacement) of up to ``n`` valid
    pixel vectors of the blocks added in turn: every valid pixel draws a
    random key and the ``n`` smallest keys are kept (memory O(n * D))."""

    def __init__(self, n: int, d: int, seed: int = 0):
        self.n, self.rng = int(n), np.random.default_rng(seed)
        self.keys = np.empty(0)
        self.vectors = np.empty((0, d), dtype=np.float32)

    def add(self, block: np.ndarray):
        flat, valid = pixels(block)
        k = self.rng.random(int(valid.sum()))
        cut = self.keys.max() if len(self.keys) >= self.n else 1.0
        take = k < cut
        if take.any():
            self.keys = np.concatenate([self.keys, k[take]])
            self.vectors = np.concatenate([self.vectors, flat[np.flatnonzero(valid)[take]]])
            if len(self.keys) > self.n:
                keep = np.argpartition(self.keys, self.n - 1)[:self.n]
                self.keys, self.vectors = self.keys[keep], self.vectors[keep]


def sample_valid(src, n: int, seed: int = 0, block_mb: float = BLOCK_MB, progress=None) -> np.ndarray:
    """A uniform random sample (without replacement) of up to ``n`` valid
    pixel vectors of ``src``, in one streaming pass (memory O(n * D))."""
    progress = progress or NULL_PROGRESS
    sampler = ValidSampler(n, src.count, seed)
    windows = list(block_windows(src, block_mb))
    for i, win in enumerate(windows):
        sampler.add(read_block(src, win))
        progress.update((i + 1) / len(windows))
    return sampler.vectors


def block_writer(like, path, count: int, dtype: str, nodata, tags: dict = None,
                 descriptions=None, colormap: dict = None):
    """Open a GeoTIFF on ``like``'s grid for block-wise writing; it appears at
    ``path`` only when the block completes (atomic), else nothing is left."""
    from ..writers import geotiff_writer

    return geotiff_writer(path, like.width, like.height, count, dtype, like.crs, like.transform, nodata,
                          tags, descriptions, colormap)


def warped_onto(src, crs, transform, width, height, resampling: str):
    """``src`` as a float32 WarpedVRT on another grid (windows are warped on
    demand), no-data as NaN."""
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT

    kwargs = dict(crs=crs, transform=transform, width=width, height=height,
                  resampling=Resampling[resampling], nodata=float("nan"), dtype="float32")
    if src.nodata is not None or src.dtypes[0].startswith("float"):
        kwargs["src_nodata"] = src.nodata if src.nodata is not None else float("nan")
    return WarpedVRT(src, **kwargs)


def same_grid(a, b) -> bool:
    """True when two open rasters share CRS, transform and size."""
    return (a.crs == b.crs and a.width == b.width and a.height == b.height
            and np.allclose(tuple(a.transform)[:6], tuple(b.transform)[:6], rtol=0, atol=1e-9 * max(
                1.0, abs(a.transform.a))))


def source_tags(src) -> dict:
    """Provenance worth carrying from an embedding raster to a derived one."""
    tags = src.tags()
    return {k: tags[k] for k in ("RS_EMBED_MODEL", "RS_EMBED_TIME", "RS_EMBED_PRODUCT_VERSION")
            if k in tags}


class RangeHistogram:
    """Streaming histogram over a fixed value range, for percentile stretches
    of block-wise outputs without holding them in memory."""

    def __init__(self, lo: float, hi: float, bins: int = 4000):
        self.lo, self.hi = float(lo), float(hi)
        self.counts = np.zeros(bins, dtype=np.int64)
        self.total = 0.0
        self.n = 0

    def add(self, values: np.ndarray):
        v = values[np.isfinite(values)]
        self.counts += np.histogram(v, bins=len(self.counts), range=(self.lo, self.hi))[0]
        self.total += float(v.sum(dtype=np.float64))
        self.n += v.size

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else float("nan")

    def percentile(self, q: float) -> float:
        if not self.n:
            return float("nan")
        cum = np.cumsum(self.counts)
        i = int(np.searchsorted(cum, q / 100.0 * cum[-1]))
        edges = np.linspace(self.lo, self.hi, len(self.counts) + 1)
        return float(edges[min(i + 1, len(edges) - 1)])
