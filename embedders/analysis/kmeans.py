"""k-means on embedding rasters: k-means++ and Lloyd iterations on a uniform
sample of valid pixels, then a block-wise assignment pass writing a uint8
class raster (0 = no data, clusters 1..K, largest first) with a palette."""
from __future__ import annotations

import colorsys

import numpy as np

from ..errors import DataUnavailableError, SpecError
from ..progress import NULL_PROGRESS
from .blocks import BLOCK_MB, block_writer, block_windows, gdal_env, open_raster, read_block, sample_valid, source_tags

MAX_K = 250
NODATA = 0

# Qualitative colours (ColorBrewer Set1/Dark2/Paired-like), then golden-angle hues.
_BASE = [(228, 26, 28), (55, 126, 184), (77, 175, 74), (152, 78, 163), (255, 127, 0),
         (255, 255, 51), (166, 86, 40), (247, 129, 191), (27, 158, 119), (117, 112, 179),
         (102, 166, 30), (230, 171, 2), (166, 206, 227), (178, 223, 138), (251, 154, 153),
         (253, 191, 111), (202, 178, 214), (106, 61, 154), (31, 120, 180), (153, 153, 153)]


def palette(k: int):
    """``k`` distinct RGB colours, deterministic."""
    out = list(_BASE[:k])
    for i in range(len(out), k):
        r, g, b = colorsys.hsv_to_rgb((i * 0.618033988749895) % 1.0, 0.65 + 0.3 * (i % 2), 0.9 - 0.25 * (i % 3 == 0))
        out.append((int(r * 255), int(g * 255), int(b * 255)))
    return out


def sq_distances(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(N, D), (K, D) -> (N, K) squared Euclidean distances (float32 BLAS)."""
    x = np.asarray(x, dtype=np.float32)
    c = np.asarray(centres, dtype=np.float32)
    d = np.einsum("nd,nd->n", x, x)[:, None] - 2.0 * (x @ c.T) + np.einsum("kd,kd->k", c, c)[None, :]
    return np.maximum(d, 0.0)


def _kmeans_pp(x, k, rng):
    n = len(x)
    centres = [x[rng.integers(n)]]
    d2 = sq_distances(x, centres[0][None])[:, 0].astype(np.float64)
    for _ in range(1, k):
        total = d2.sum()
        i = rng.choice(n, p=d2 / total) if total > 0 else rng.integers(n)
        centres.append(x[i])
        d2 = np.minimum(d2, sq_distances(x, x[i][None])[:, 0])
    return np.array(centres, dtype=np.float64)


def _cluster_means(x, labels, k, chunk: int = 32768):
    """Means of the members of each cluster (zeros for empty ones), and counts,
    as one-hot (K, n) @ (n, D) products in chunks (BLAS; memory K x chunk)."""
    counts = np.bincount(labels, minlength=k)
    sums = np.zeros((k, x.shape[1]))
    for s in range(0, len(x), chunk):
        lab = labels[s:s + chunk]
        onehot = np.zeros((k, len(lab)), dtype=x.dtype)
        onehot[lab, np.arange(len(lab))] = 1
        sums += onehot @ x[s:s + chunk]
    means = np.zeros((k, x.shape[1]))
    full = counts > 0
    means[full] = sums[full] / counts[full, None]
    return means, counts


def _lloyd(x, centres, max_iter, tol):
    scale = float(np.mean(np.var(x, axis=0))) or 1.0
    for _ in range(max_iter):
        d = sq_distances(x, centres)
        labels = d.argmin(axis=1)
        new, counts = _cluster_means(x, labels, len(centres))
        empty = counts == 0
        if empty.any():  # re-seed empty clusters on the worst-fitted points
            far = np.argsort(d[np.arange(len(x)), labels])[::-1][:int(empty.sum())]
            new[empty] = x[far]
        shift = float(((new - centres) ** 2).sum(axis=1).max())
        centres = new
        if shift <= tol * scale:
            break
    d = sq_distances(x, centres)
    labels = d.argmin(axis=1)
    return centres, labels, float(d[np.arange(len(x)), labels].sum())


def kmeans_fit(x: np.ndarray, k: int, seed: int = 0, n_init: int = 3, max_iter: int = 100,
               tol: float = 1e-4):
    """k-means of (N, D) samples. Returns (centres (k, D) ordered by cluster
    size, largest first; inertia). Deterministic for a seed."""
    x = np.asarray(x, dtype=np.float32)
    if not 1 <= k <= len(x):
        raise SpecError(f"k-means needs 1 <= K <= the number of valid samples ({len(x)}); got K={k}.")
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(max(1, n_init)):
        centres, labels, inertia = _lloyd(x, _kmeans_pp(x, k, rng), max_iter, tol)
        if best is None or inertia < best[2]:
            best = (centres, labels, inertia)
    centres, labels, inertia = best
    order = np.argsort(-np.bincount(labels, minlength=k), kind="stable")
    return centres[order], inertia


def assign(block: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(D, h, w) block -> (h, w) uint8 labels 1..K, 0 where no data."""
    d, h, w = block.shape
    x = block.reshape(d, -1).T
    valid = np.isfinite(x).all(axis=1)
    out = np.zeros(h * w, dtype=np.uint8)
    if valid.any():
        out[valid] = sq_distances(x[valid], centres).argmin(axis=1) + 1
    return out.reshape(h, w)


def cluster_raster(src_path, dst_path, k: int, seed: int = 0, sample_size: int = 100_000,
                   block_mb: float = BLOCK_MB, progress=None) -> dict:
    """Cluster the pixels of an embedding raster into ``k`` classes and write
    them as a paletted uint8 GeoTIFF; returns sizes and inertia."""
    progress = progress or NULL_PROGRESS
    if not 2 <= int(k) <= MAX_K:
        raise SpecError(f"K must lie between 2 and {MAX_K}, got {k}.")
    if sample_size < k:
        raise SpecError(f"The sample size ({sample_size}) must be at least K ({k}).")
    with gdal_env(), open_raster(src_path) as src:
        sample = sample_valid(src, int(sample_size), seed, block_mb, progress.sub(0.0, 0.4))
        if len(sample) < k:
            raise DataUnavailableError(
                f"{src_path} has {len(sample)} valid pixels, fewer than K={k}; choose a smaller K.")
        centres, inertia = kmeans_fit(sample, int(k), seed)
        progress.update(0.5, f"k-means on {len(sample)} sampled pixels: inertia {inertia:.4g}")
        colours = palette(k)
        cmap = {0: (0, 0, 0, 0), **{i + 1: (*colours[i], 255) for i in range(k)}}
        counts = np.zeros(k + 1, dtype=np.int64)
        windows = list(block_windows(src, block_mb))
        tags = dict(source_tags(src), RS_EMBED_ANALYSIS="k-means", RS_EMBED_K=str(k),
                    RS_EMBED_SEED=str(seed))
        with block_writer(src, dst_path, 1, "uint8", NODATA, tags, ["cluster"], cmap) as dst:
            for i, win in enumerate(windows):
                labels = assign(read_block(src, win), centres)
                counts += np.bincount(labels.ravel(), minlength=k + 1)
                dst.write(labels, 1, window=win)
                progress.update(0.5 + 0.5 * (i + 1) / len(windows))
    return {"k": int(k), "sizes": counts[1:].tolist(), "nodata_pixels": int(counts[0]),
            "inertia": inertia, "samples": len(sample), "centres": centres}
