"""PCA pseudocolour: three principal components of an embedding grid mapped
to RGB with a robust (percentile) stretch, written as an RGBA GeoTIFF
(alpha 0 where there is no embedding).

Bounded memory at any size: PCA is fitted on a bounded random sample of valid
pixels (float32, at most FIT_SAMPLE_MB) and applied block by block in float32,
so no float64 copy of the grid is ever made."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import DataUnavailableError

MAX_FIT_SAMPLES = 200_000
FIT_SAMPLE_MB = 64       # float32 bytes of the fit sample, all bands
CHUNK_PX = 65_536        # pixels projected at a time (float32 temporaries of CHUNK_PX x D)


def fit_sample_size(d: int) -> int:
    """How many pixels the PCA fit samples for ``d`` bands."""
    return int(min(MAX_FIT_SAMPLES, max(1000, FIT_SAMPLE_MB * 2**20 // (4 * max(1, d)))))


@dataclass
class PCAModel:
    mean: np.ndarray        # (D,)
    components: np.ndarray  # (k, D), unit rows, deterministic sign
    explained: np.ndarray   # (k,) fraction of variance
    low: np.ndarray = None  # (k,) stretch lower bounds
    high: np.ndarray = None  # (k,) stretch upper bounds

    def scores(self, x: np.ndarray):
        """(D, P) pixels as columns -> ((k, P) float32 scores, (P,) all-finite mask).
        Float32, centred chunk by chunk (temporaries of CHUNK_PX pixels)."""
        d, p = x.shape
        mean = self.mean.astype(np.float32)[:, None]
        comps = self.components.astype(np.float32)
        out = np.empty((len(comps), p), dtype=np.float32)
        valid = np.empty(p, dtype=bool)
        for s in range(0, p, CHUNK_PX):
            xc = np.asarray(x[:, s:s + CHUNK_PX], dtype=np.float32) - mean
            valid[s:s + CHUNK_PX] = np.isfinite(xc).all(axis=0)
            out[:, s:s + CHUNK_PX] = comps @ xc
        return out, valid

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """(N, D) -> (N, k) float32."""
        return self.scores(np.asarray(vectors).T)[0].T

    def stretch(self, scores: np.ndarray) -> np.ndarray:
        """(k, P) scores -> (k, P) uint8 with the fitted stretch (1..255)."""
        low, high = self.low[:, None], self.high[:, None]
        span = np.where(high > low, high - low, 1.0)
        scaled = np.clip((scores - low) / span, 0.0, 1.0)
        return (1 + np.round(scaled * 254)).astype(np.uint8)

    def to_rgb(self, vectors: np.ndarray) -> np.ndarray:
        """(N, D) -> (N, 3) uint8 with the fitted stretch (1..255)."""
        return self.stretch(self.project(vectors).T).T

    def rgba(self, block: np.ndarray) -> np.ndarray:
        """(D, h, w) float block -> (4, h, w) uint8 RGBA, alpha 0 where any band is not finite."""
        d, h, w = block.shape
        scores, valid = self.scores(block.reshape(d, -1))
        out = np.zeros((4, h * w), dtype=np.uint8)
        out[:3, valid] = self.stretch(scores[:, valid])
        out[3, valid] = 255
        return out.reshape(4, h, w)


def _moments(x: np.ndarray, chunk: int = 16_384):
    """Mean and covariance of (N, D) rows in float64, chunk by chunk."""
    n, d = x.shape
    mean = np.zeros(d)
    for s in range(0, n, chunk):
        mean += x[s:s + chunk].sum(axis=0, dtype=np.float64)
    mean /= n
    cov = np.zeros((d, d))
    for s in range(0, n, chunk):
        xc = x[s:s + chunk].astype(np.float64) - mean
        cov += xc.T @ xc
    return mean, cov / max(1, n - 1)


def fit_pca(samples: np.ndarray, k: int = 3, stretch=(2.0, 98.0)) -> PCAModel:
    """Fit PCA on (N, D) finite samples and the percentile stretch of the scores."""
    n, d = samples.shape
    if n < 2:
        raise DataUnavailableError("PCA needs at least two valid pixels.")
    mean, cov = _moments(samples)
    vals, vecs = np.linalg.eigh(cov)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    comps = vecs[:, :k].T.copy()
    if comps.shape[0] < k:  # fewer dims than k: pad with zeros
        comps = np.vstack([comps, np.zeros((k - comps.shape[0], d))])
    for i in range(k):  # deterministic sign: largest-magnitude loading positive
        j = np.argmax(np.abs(comps[i]))
        if comps[i, j] < 0:
            comps[i] = -comps[i]
    total = vals.clip(min=0).sum()
    explained = (vals[:k].clip(min=0) / total) if total > 0 else np.zeros(min(k, d))
    model = PCAModel(mean, comps, np.pad(explained, (0, k - len(explained))))
    scores = model.project(samples)
    model.low = np.percentile(scores, stretch[0], axis=0).astype(np.float64)
    model.high = np.percentile(scores, stretch[1], axis=0).astype(np.float64)
    return model


def _row_chunks(h: int, w: int):
    """Row ranges of an in-memory (D, H, W) grid, each about CHUNK_PX pixels."""
    rows = max(1, CHUNK_PX // max(1, w))
    return [(r0, min(h, r0 + rows)) for r0 in range(0, h, rows)]


def pca_rgba(arr: np.ndarray, seed: int = 0):
    """(D, H, W) float grid -> ((4, H, W) uint8 RGBA, PCAModel), fitted on a
    bounded random sample and applied in chunks of rows."""
    from .analysis.blocks import ValidSampler

    d, h, w = arr.shape
    chunks = _row_chunks(h, w)
    sampler = ValidSampler(fit_sample_size(d), d, seed)
    for r0, r1 in chunks:
        sampler.add(np.asarray(arr[:, r0:r1], dtype=np.float32))
    if len(sampler.vectors) < 2:
        raise DataUnavailableError("The grid has fewer than two valid pixels; PCA is undefined.")
    model = fit_pca(sampler.vectors)
    out = np.zeros((4, h, w), dtype=np.uint8)
    for r0, r1 in chunks:
        out[:, r0:r1] = model.rgba(np.asarray(arr[:, r0:r1], dtype=np.float32))
    return out, model


def _pca_tags(model: PCAModel, source: str):
    return {"RS_EMBED_PCA_SOURCE": source,
            "RS_EMBED_PCA_EXPLAINED": ",".join(f"{v:.4f}" for v in model.explained)}


def _write_rgba(path, rgba_blocks, width, height, crs, transform, tags):
    from rasterio.enums import ColorInterp

    from .writers import geotiff_writer

    ci = [ColorInterp.red, ColorInterp.green, ColorInterp.blue, ColorInterp.alpha]
    with geotiff_writer(path, width, height, 4, "uint8", crs, transform, None, tags,
                        ("PC1", "PC2", "PC3", "alpha"), colorinterp=ci) as dst:
        for window, block in rgba_blocks:
            dst.write(block, window=window)
        factors = overview_factors(width, height)
        if factors:  # QGIS draws a large PCA layer from these at small scales
            from rasterio.enums import Resampling

            dst.build_overviews(factors, Resampling.nearest)
    return Path(path)


def overview_factors(width, height, smallest=256):
    """2, 4, 8, ... while the overview stays at least ``smallest`` pixels a side."""
    out, f = [], 2
    while max(width, height) / f >= smallest:
        out.append(f)
        f *= 2
    return out


def write_pca_geotiff(emb, path) -> Path:
    """PCA RGBA GeoTIFF of an in-memory grid Embedding."""
    from rasterio.windows import Window

    arr = np.asarray(emb.data)
    rgba, model = pca_rgba(arr)
    _, h, w = arr.shape
    tags = _pca_tags(model, str(emb.meta.get("model", "")))
    return _write_rgba(path, [(Window(0, 0, w, h), rgba)], w, h, emb.crs, emb.transform, tags)


def _split_rows(windows, max_rows):
    """Windows cut into pieces of at most ``max_rows`` rows."""
    from rasterio.windows import Window

    for win in windows:
        r0, r1 = int(win.row_off), int(win.row_off + win.height)
        for r in range(r0, r1, max_rows):
            yield Window(win.col_off, r, win.width, min(max_rows, r1 - r))


def pca_geotiff_from_file(src_path, dst_path, block_rows: int = None, progress=None,
                          block_mb: float = None, seed: int = 0) -> Path:
    """PCA RGBA GeoTIFF of an embedding raster on disk. One pass samples the
    valid pixels (bounded sample), a second writes the RGBA block by block:
    tile-aligned windows of at most ``block_mb`` MB of float32 (further cut
    to ``block_rows`` rows when given), whatever the raster's size. Refuses an
    output that is the input; a damaged input raises DamagedRasterError and
    running out of memory OutOfMemoryError (advising a smaller block)."""
    from .analysis.blocks import (
        BLOCK_MB, block_windows, gdal_env, open_raster, read_block, sample_valid,
    )
    from .analysis.guards import memory_guard, refuse_overwrite
    from .progress import NULL_PROGRESS

    progress = progress or NULL_PROGRESS
    block_mb = BLOCK_MB if block_mb is None else block_mb
    refuse_overwrite(dst_path, src_path)
    with memory_guard("the PCA", block_mb), gdal_env(), open_raster(src_path) as src:
        d, h, w = src.count, src.height, src.width
        windows = list(block_windows(src, block_mb))
        if block_rows:
            windows = list(_split_rows(windows, int(block_rows)))
        samples = sample_valid(src, fit_sample_size(d), seed, block_mb, progress.sub(0.0, 0.5))
        if len(samples) < 2:
            raise DataUnavailableError(f"{src_path} has fewer than two valid pixels; PCA is undefined.")
        model = fit_pca(samples)
        del samples

        def blocks():
            for i, win in enumerate(windows):
                yield win, model.rgba(read_block(src, win))
                progress.update(0.5 + 0.5 * (i + 1) / len(windows))

        tags = _pca_tags(model, str(src.tags().get("RS_EMBED_MODEL", Path(src_path).name)))
        return _write_rgba(dst_path, blocks(), w, h, src.crs, src.transform, tags)
