"""The agreement map's kernels, vectorised over pixels: embedding distances
to the neighbours on a lattice, their average ranks (ties exact) and the
Spearman correlation of two models' ranks, pixel by pixel.

Exactness: a distance is the float32 square root of the float32 sum over
bands, in band order, of ``(other - centre) ** 2`` (each step rounded as
numpy rounds it), so equal embedding vectors give equal distances and the
ranks, ties included, are those of ``scipy.stats.rankdata(method='average')``.
Twice an average rank is an integer and the centred rank sums are exact, so
the correlation is the same float64 number however it is summed.
Each unordered pair of pixels is measured once: the distance from p to p + o
is the distance from p + o back to p (half the lattice, ``half_offsets``)."""
from __future__ import annotations

from typing import List, Tuple

import numpy as np
from numpy.lib.stride_tricks import as_strided


def half_offsets(step: int, reach: int) -> List[Tuple[int, int]]:
    """The lattice offsets (dy, dx) pointing forward (down, or right on the
    same row), in pixels: one of each pair o, -o. Rows dy > 0 first (dx from
    -reach * step up), then the pixel's own row."""
    r = step * reach
    rows = [(dy, dx) for dy in range(step, r + 1, step) for dx in range(-r, r + 1, step)]
    return rows + [(0, dx) for dx in range(step, r + 1, step)]


def all_offsets(step: int, reach: int) -> List[Tuple[int, int]]:
    """Every lattice offset but (0, 0), row by row."""
    r = step * reach
    return [(dy, dx) for dy in range(-r, r + 1, step) for dx in range(-r, r + 1, step) if dy or dx]


def forward_distances(block: np.ndarray, radius: int, rows: slice, cols: slice, step: int,
                      reach: int) -> np.ndarray:
    """(n_half, h, w) float32: the distance from each pixel of ``rows`` x
    ``cols`` (unpadded coordinates) of the NaN-padded (D, H', W + 2 radius)
    ``block`` (its row 0 is unpadded row 0: padding on the sides and below)
    to its neighbour at each of ``half_offsets``. Band by band, all offsets
    in one operation (strided views of the band), in place."""
    d = block.shape[0]
    h, w = rows.stop - rows.start, cols.stop - cols.start
    r0, c0 = rows.start, cols.start + radius
    nx, ny = 2 * reach + 1, reach
    grid_n = ny * nx
    acc = np.empty((grid_n + reach, h, w), np.float32)
    tmp = np.empty_like(acc)
    for k in range(d):
        band = block[k]
        rs, cs = band.strides
        centre = band[r0:r0 + h, c0:c0 + w]
        below = as_strided(band[r0 + step:, c0 - radius:], shape=(ny, nx, h, w),
                           strides=(step * rs, step * cs, rs, cs))
        right = as_strided(band[r0:, c0 + step:], shape=(reach, h, w), strides=(step * cs, rs, cs))
        out = acc if k == 0 else tmp
        np.subtract(below, centre, out=out[:grid_n].reshape(ny, nx, h, w))
        np.subtract(right, centre, out=out[grid_n:])
        if k == 0:
            np.multiply(acc, acc, out=acc)
        else:
            np.multiply(tmp, tmp, out=tmp)
            np.add(acc, tmp, out=acc)
    return np.sqrt(acc, out=acc)


def gather_distances(ext: np.ndarray, radius: int, rows: slice, cols: slice, step: int, reach: int,
                     out: np.ndarray) -> np.ndarray:
    """Fill ``out`` (n_all, h * w) float32 with the distances of the pixels
    ``rows`` x ``cols`` to all their lattice neighbours (``all_offsets``
    order) from ``ext`` (n_half, radius + H, W + 2 radius): forward distances
    of the ``radius`` rows above and the strip, NaN around. The distance to
    p - o is the forward distance of p - o."""
    h, w = rows.stop - rows.start, cols.stop - cols.start
    index = {o: i for i, o in enumerate(half_offsets(step, reach))}
    for j, (dy, dx) in enumerate(all_offsets(step, reach)):
        if (dy, dx) in index:
            src, sy, sx = index[(dy, dx)], 0, 0
        else:
            src, sy, sx = index[(-dy, -dx)], dy, dx
        y0, x0 = radius + rows.start + sy, radius + cols.start + sx
        out[j].reshape(h, w)[...] = ext[src, y0:y0 + h, x0:x0 + w]
    return out


def twice_ranks(dist: np.ndarray):
    """(n_all, n) float32 distances (NaN/inf: no neighbour) -> (centred,
    sum_sq, valid): per pixel (row of the result), ``2 * rank - (n + 1)``
    with average ranks over its valid distances (ties get their mean rank) as
    float integers (float32 while every sum of products is below 2**24), 0
    where invalid, their sum of squares (float64, exact)
    and the number of valid distances. Sorted as one uint64 key per distance:
    the float's bits (order-preserving for values >= 0; inf and NaN after
    every finite one) above its position."""
    k, n = dist.shape
    shift = max(1, (k - 1).bit_length())
    valid = np.isfinite(dist).sum(axis=0)
    keys = np.empty((n, k), np.uint64)
    np.left_shift(dist.view(np.uint32).T, np.uint64(shift), out=keys)
    keys |= np.arange(k, dtype=np.uint64)
    keys.sort(axis=1)
    new = np.empty(n * k, bool)                    # a new value starts here
    new.reshape(n, k)[:, 0] = True
    np.greater_equal(keys[:, 1:] ^ keys[:, :-1], np.uint64(1 << shift), out=new.reshape(n, k)[:, 1:])
    starts = np.flatnonzero(new)
    sizes = np.diff(starts, append=n * k)
    # a run of equal values from sorted position s, size m: twice its average rank, less 2 = 2 s + m - 1
    twice = np.repeat(((starts % k) * 2 + sizes - 1).astype(np.int32), sizes).reshape(n, k)
    twice -= (valid - 1)[:, None]                  # 2 rank - (n + 1)
    if (valid < k).any():
        twice[np.arange(k) >= valid[:, None]] = 0  # invalid ones sort last
    keys &= np.uint64((1 << shift) - 1)            # positions
    keys += (np.arange(n, dtype=np.uint64) * np.uint64(k))[:, None]
    exact = np.float32 if k * (k - 1) ** 2 < 2**24 else np.float64   # sums of products stay exact
    centred = np.empty(n * k, exact)
    centred[keys.ravel().view(np.intp)] = twice.ravel()
    centred = centred.reshape(n, k)
    return centred, np.einsum("ij,ij->i", centred, centred).astype(np.float64), valid


def spearman(ca, sa, cb, sb) -> np.ndarray:
    """Per-pixel Spearman correlation from two ``twice_ranks`` results over
    the same valid neighbours (float64; NaN where either is all tied)."""
    num = np.einsum("ij,ij->i", ca, cb).astype(np.float64) * 0.25
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / np.sqrt((sa * 0.25) * (sb * 0.25))
