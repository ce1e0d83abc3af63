"""k-means on embedding rasters with scikit-learn's MiniBatchKMeans, in
bounded memory at any raster size, sample size and K:

- fit: a sample that fits in one block's budget is drawn uniformly and fitted
  in memory (``fit``, then polished by KMeans); a larger one is fitted on a
  uniform part first, then the rest is streamed: random windows are sampled,
  pooled in a fixed buffer, shuffled and fed to ``partial_fit``;
- assign: block by block, nearest centre by scikit-learn's chunked argmin
  (never an N x K distance matrix);
- order: the labels are renumbered by pixel count over the output, so the
  uint8 class raster has 0 = no data and clusters 1..K, 1 = largest, with a
  palette."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import numpy as np

from ..errors import DataUnavailableError, SpecError
from ..packages import require
from ..palette import palette
from ..progress import NULL_PROGRESS
from .blocks import (
    BLOCK_MB, ValidSampler, block_writer, block_windows, gdal_env, open_raster, pixels, read_block,
    sample_valid, source_tags,
)
from .guards import memory_guard, reading, refuse_overwrite

MAX_K = 250
NODATA = 0
BATCH = 16_384  # rows per MiniBatchKMeans step (a step costs ~50 ms of overhead: keep them few)
POLISH_ITER = 30  # Lloyd iterations after MiniBatchKMeans on an in-memory sample

# Qualitative colours (ColorBrewer Set1/Dark2/Paired-like), then golden-angle hues.
def _minibatch(k: int, seed: int, **kwargs):
    cluster = require("sklearn.cluster", "scikit-learn", "k-means clustering")
    return cluster.MiniBatchKMeans(n_clusters=k, batch_size=BATCH, random_state=seed, **kwargs)


def nearest(x: np.ndarray, centres: np.ndarray):
    """(N, D), (K, D) -> ((N,) index of the nearest centre, (N,) squared
    distance to it), by scikit-learn's chunked argmin (memory O(N + K*D))."""
    metrics = require("sklearn.metrics", "scikit-learn", "k-means clustering")
    x = np.ascontiguousarray(x, dtype=np.float32)
    idx, dist = metrics.pairwise_distances_argmin_min(x, np.asarray(centres, dtype=np.float32))
    return idx, dist.astype(np.float64) ** 2


def fit_in_memory(x: np.ndarray, k: int, seed: int = 0, n_init: int = 3, max_iter: int = 100):
    """A fitted estimator for (N, D) samples held in memory: MiniBatchKMeans
    (``n_init`` k-means++ starts), then scikit-learn's KMeans started from
    its centres polishes them to a Lloyd fixed point (each centre the mean of
    its members) in at most POLISH_ITER iterations."""
    cluster = require("sklearn.cluster", "scikit-learn", "k-means clustering")
    x = np.ascontiguousarray(x, dtype=np.float32)
    mb = _minibatch(k, seed, n_init=n_init, max_iter=max_iter).fit(x)
    return cluster.KMeans(n_clusters=k, init=mb.cluster_centers_, n_init=1, max_iter=POLISH_ITER,
                          random_state=seed).fit(x)


def kmeans_fit(x: np.ndarray, k: int, seed: int = 0, n_init: int = 3, max_iter: int = 100):
    """k-means of (N, D) samples held in memory (``fit_in_memory``). Returns
    (centres (k, D) ordered by cluster size in the sample, largest first;
    inertia of the sample). Deterministic for a seed."""
    if not 1 <= k <= len(x):
        raise SpecError(f"k-means needs 1 <= K <= the number of valid samples ({len(x)}); got K={k}.")
    est = fit_in_memory(x, k, seed, n_init, max_iter)
    order = np.argsort(-np.bincount(est.labels_, minlength=k), kind="stable")
    return est.cluster_centers_[order], float(est.inertia_)


class StreamSample:
    """A random sample of about ``n`` valid pixels of a raster drawn window
    by window (windows visited in random order), reproducible per window so
    that the assignment pass can find the same pixels again."""

    def __init__(self, windows, n: int, seed: int):
        self.seed, self.n, self.need = seed, int(n), int(n)
        self.left_px = sum(int(w.width * w.height) for w in windows)
        self.seen_px = self.seen_valid = 0
        self.rates = {}  # window index -> (probability, cap)

    def _take(self, i, n_valid, rate, cap):
        take = np.random.default_rng([self.seed, i]).random(n_valid) < rate
        if take.sum() > cap:
            take[np.flatnonzero(take)[cap:]] = False
        return take

    def draw(self, i, n_pixels, valid):
        """Mask over the valid pixels of window ``i`` of the ones sampled."""
        n_valid = int(valid.sum())
        frac = self.seen_valid / self.seen_px if self.seen_px else 1.0
        expected = n_valid + frac * (self.left_px - n_pixels)
        rate = min(1.0, self.need / expected) if expected > 0 else 0.0
        self.rates[i] = (rate, self.need)
        take = self._take(i, n_valid, rate, self.need)
        self.need -= int(take.sum())
        self.left_px -= n_pixels
        self.seen_px += n_pixels
        self.seen_valid += n_valid
        return take

    def again(self, i, valid):
        """The same mask as ``draw`` gave for window ``i``."""
        rate, cap = self.rates.get(i, (0.0, 0))
        return self._take(i, int(valid.sum()), rate, cap)


def stream_fit(src, windows, k: int, n: int, seed: int, pool_rows: int, progress=None):
    """k-means of a sample of ``n`` pixels of ``src`` that does not fit in
    memory, in two passes over ``windows``:

    1. a uniform sample of ``pool_rows // 2`` pixels is fitted in memory by
       MiniBatchKMeans (k-means++ starts see the whole raster's variety);
    2. the same estimator's ``partial_fit`` continues over the other pixels of
       the sample, streamed: windows in random order, their sampled pixels
       collected in a pool of ``pool_rows // 2`` rows that is shuffled and fed
       in batches whenever it is full.

    Returns (estimator or None when fewer than ``k`` valid pixels, the
    StreamSample of pass 2, pixels sampled in all, inertia of pass 1's sample)."""
    progress = progress or NULL_PROGRESS
    half = max(pool_rows // 2, 8 * k)
    first = ValidSampler(half, src.count, seed)
    for i, win in enumerate(windows):
        first.add(read_block(src, win))
        progress.update(0.5 * (i + 1) / len(windows))
    sample = first.vectors
    del first
    rng = np.random.default_rng(seed)
    sampler = StreamSample(windows, n - len(sample) if len(sample) == half else 0, seed)
    if len(sample) < k:
        return None, sampler, len(sample), 0.0
    est = _minibatch(k, seed, n_init=3).fit(sample)
    est.set_params(compute_labels=False)
    pool = np.empty((half, src.count), dtype=np.float32)
    filled, total = 0, len(sample)

    def flush():
        nonlocal filled
        perm = rng.permutation(filled)
        for s in range(0, filled, BATCH):
            est.partial_fit(pool[np.sort(perm[s:s + BATCH])])
        filled = 0

    for j, i in enumerate(rng.permutation(len(windows)) if sampler.need else []):
        win = windows[i]
        flat, valid = pixels(read_block(src, win))
        vecs = flat[np.flatnonzero(valid)[sampler.draw(i, int(win.width * win.height), valid)]]
        total += len(vecs)
        while len(vecs):
            m = min(len(vecs), half - filled)
            pool[filled:filled + m] = vecs[:m]
            filled, vecs = filled + m, vecs[m:]
            if filled == half:
                flush()
        progress.update(0.5 + 0.5 * (j + 1) / len(windows))
    if filled:
        flush()
    return est, sampler, total, float(nearest(sample, est.cluster_centers_)[1].sum())


def _labels_path(dst_path) -> Path:
    dst = Path(dst_path)
    return dst.with_name(f".{dst.stem}.labels-{os.getpid()}-{uuid.uuid4().hex[:8]}.tif")


def cluster_raster(src_path, dst_path, k: int, seed: int = 0, sample_size: int = 100_000,
                   block_mb: float = BLOCK_MB, progress=None) -> dict:
    """Cluster the pixels of an embedding raster into ``k`` classes and write
    them as a paletted uint8 GeoTIFF (0 = no data, 1..K by pixel count,
    1 = largest). Memory is bounded by ``block_mb`` whatever the raster size,
    ``sample_size`` and ``k``. Returns sizes (pixels per cluster 1..K), the
    inertia of the sample (sum of squared distances to the centres), the
    number of sampled pixels and the centres (in cluster order)."""
    progress = progress or NULL_PROGRESS
    if not 2 <= int(k) <= MAX_K:
        raise SpecError(f"K must lie between 2 and {MAX_K}, got {k}.")
    if sample_size < k:
        raise SpecError(f"The sample size ({sample_size}) must be at least K ({k}).")
    k = int(k)
    refuse_overwrite(dst_path, src_path)
    labels_tmp = _labels_path(dst_path)
    with memory_guard("k-means", block_mb), gdal_env(), open_raster(src_path) as src:
        windows = list(block_windows(src, block_mb))
        pool_rows = max(int(block_mb * 2**20) // (4 * src.count), 8 * k)
        if sample_size <= pool_rows:  # the sample fits in a block's budget: fit it in memory
            sample = sample_valid(src, int(sample_size), seed, block_mb, progress.sub(0.0, 0.45))
            n_sample, streamed = len(sample), None
            if n_sample >= k:
                est = fit_in_memory(sample, k, seed)
                inertia = float(est.inertia_)
            del sample
        else:
            est, streamed, n_sample, inertia = stream_fit(src, windows, k, int(sample_size), seed,
                                                          pool_rows, progress.sub(0.0, 0.45))
        if n_sample < k:
            raise DataUnavailableError(
                f"{src_path} has {n_sample} valid pixels, fewer than K={k}; choose a smaller K.")
        centres = est.cluster_centers_
        progress.update(0.45, f"k-means on {n_sample} sampled pixels")
        counts = np.zeros(k + 1, dtype=np.int64)
        try:
            with block_writer(src, labels_tmp, 1, "uint8", NODATA) as tmp:
                for i, win in enumerate(windows):
                    flat, valid = pixels(read_block(src, win))
                    labels = np.zeros(len(valid), dtype=np.uint8)
                    if valid.any():
                        idx, d2 = nearest(flat[valid], centres)
                        labels[valid] = idx + 1
                        if streamed is not None:
                            inertia += float(d2[streamed.again(i, valid)].sum())
                    counts += np.bincount(labels, minlength=k + 1)
                    tmp.write(labels.reshape(int(win.height), int(win.width)), 1, window=win)
                    progress.update(0.45 + 0.5 * (i + 1) / len(windows))
            order = np.argsort(-counts[1:], kind="stable")          # fitted index by size
            lut = np.zeros(k + 1, dtype=np.uint8)
            lut[order + 1] = np.arange(1, k + 1)
            colours = palette(k)
            cmap = {0: (0, 0, 0, 0), **{i + 1: (*colours[i], 255) for i in range(k)}}
            tags = dict(source_tags(src), RS_EMBED_ANALYSIS="k-means", RS_EMBED_K=str(k),
                        RS_EMBED_SEED=str(seed), RS_EMBED_SAMPLE=str(n_sample))
            with open_raster(labels_tmp) as lab, block_writer(src, dst_path, 1, "uint8", NODATA, tags,
                                                              ["cluster"], cmap) as dst:
                for win in block_windows(lab, block_mb):
                    with reading(lab):
                        fitted = lab.read(1, window=win)
                    dst.write(lut[fitted], 1, window=win)
            progress.update(1.0)
        finally:
            labels_tmp.unlink(missing_ok=True)
    return {"k": k, "sizes": counts[1:][order].tolist(), "nodata_pixels": int(counts[0]),
            "inertia": inertia, "samples": n_sample, "centres": centres[order]}
