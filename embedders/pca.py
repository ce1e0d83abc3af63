"""PCA pseudocolour: three principal components of an embedding grid mapped
to RGB with a robust (percentile) stretch, written as an RGBA GeoTIFF
(alpha 0 where there is no embedding). Works in blocks for large rasters."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import DataUnavailableError

MAX_FIT_SAMPLES = 200_000


@dataclass
class PCAModel:
    mean: np.ndarray        # (D,)
    components: np.ndarray  # (k, D), unit rows, deterministic sign
    explained: np.ndarray   # (k,) fraction of variance
    low: np.ndarray = None  # (k,) stretch lower bounds
    high: np.ndarray = None  # (k,) stretch upper bounds

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """(N, D) -> (N, k)."""
        return (vectors.astype(np.float64) - self.mean) @ self.components.T

    def to_rgb(self, vectors: np.ndarray) -> np.ndarray:
        """(N, D) -> (N, 3) uint8 with the fitted stretch (1..255)."""
        p = self.project(vectors)
        span = np.where(self.high > self.low, self.high - self.low, 1.0)
        scaled = np.clip((p - self.low) / span, 0.0, 1.0)
        return (1 + np.round(scaled * 254)).astype(np.uint8)


def fit_pca(samples: np.ndarray, k: int = 3, stretch=(2.0, 98.0)) -> PCAModel:
    """Fit PCA on (N, D) finite samples and the percentile stretch of the scores."""
    x = samples.astype(np.float64)
    n, d = x.shape
    if n < 2:
        raise DataUnavailableError("PCA needs at least two valid pixels.")
    mean = x.mean(axis=0)
    xc = x - mean
    cov = xc.T @ xc / max(1, n - 1)
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
    scores = model.project(x)
    model.low = np.percentile(scores, stretch[0], axis=0)
    model.high = np.percentile(scores, stretch[1], axis=0)
    return model


def pca_rgba(arr: np.ndarray, seed: int = 0):
    """(D, H, W) float grid -> ((4, H, W) uint8 RGBA, PCAModel)."""
    d, h, w = arr.shape
    flat = arr.reshape(d, -1).T
    valid = np.isfinite(flat).all(axis=1)
    idx = np.flatnonzero(valid)
    if idx.size < 2:
        raise DataUnavailableError("The grid has fewer than two valid pixels; PCA is undefined.")
    if idx.size > MAX_FIT_SAMPLES:
        idx = np.random.default_rng(seed).choice(idx, MAX_FIT_SAMPLES, replace=False)
    model = fit_pca(flat[idx])
    out = np.zeros((4, h * w), dtype=np.uint8)
    out[:3, valid] = model.to_rgb(flat[valid]).T
    out[3, valid] = 255
    return out.reshape(4, h, w), model


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
    return Path(path)


def write_pca_geotiff(emb, path) -> Path:
    """PCA RGBA GeoTIFF of an in-memory grid Embedding."""
    from rasterio.windows import Window

    arr = np.asarray(emb.data, dtype=np.float32)
    rgba, model = pca_rgba(arr)
    _, h, w = arr.shape
    tags = _pca_tags(model, str(emb.meta.get("model", "")))
    return _write_rgba(path, [(Window(0, 0, w, h), rgba)], w, h, emb.crs, emb.transform, tags)


def _nodata_to_nan(block, nodata):
    block = block.astype(np.float32, copy=False)
    if nodata is not None and not np.isnan(nodata):
        block[block == nodata] = np.nan
    return block


def pca_geotiff_from_file(src_path, dst_path, block_rows: int = 256, progress=None) -> Path:
    """PCA RGBA GeoTIFF of an embedding raster on disk, read in row blocks
    (memory bounded by ``block_rows`` x width x bands)."""
    import rasterio
    from rasterio.windows import Window

    with rasterio.open(src_path) as src:
        d, h, w = src.count, src.height, src.width
        step = max(1, int(np.ceil(np.sqrt(h * w / MAX_FIT_SAMPLES))))
        samples = []
        for r0 in range(0, h, block_rows):
            rows = min(block_rows, h - r0)
            block = _nodata_to_nan(src.read(window=Window(0, r0, w, rows)), src.nodata)
            sub = block[:, (-r0) % step::step, ::step].reshape(d, -1).T
            samples.append(sub[np.isfinite(sub).all(axis=1)])
            if progress:
                progress.update(0.5 * (r0 + rows) / h)
        samples = np.concatenate(samples) if samples else np.empty((0, d))
        if len(samples) < 2:
            raise DataUnavailableError(f"{src_path} has fewer than two valid pixels; PCA is undefined.")
        model = fit_pca(samples)

        def blocks():
            for r0 in range(0, h, block_rows):
                rows = min(block_rows, h - r0)
                block = _nodata_to_nan(src.read(window=Window(0, r0, w, rows)), src.nodata)
                flat = block.reshape(d, -1).T
                valid = np.isfinite(flat).all(axis=1)
                out = np.zeros((4, rows * w), dtype=np.uint8)
                out[:3, valid] = model.to_rgb(flat[valid]).T
                out[3, valid] = 255
                if progress:
                    progress.update(0.5 + 0.5 * (r0 + rows) / h)
                yield Window(0, r0, w, rows), out.reshape(4, rows, w)

        tags = _pca_tags(model, str(src.tags().get("RS_EMBED_MODEL", Path(src_path).name)))
        return _write_rgba(dst_path, blocks(), w, h, src.crs, src.transform, tags)
