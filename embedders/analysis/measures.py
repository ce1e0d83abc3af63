"""Measures of how alike two representations of the same items are, across
dimensions: linear CKA (Kornblith et al. 2019) and the agreement of
k-nearest-neighbour sets."""
from __future__ import annotations

import numpy as np

from ..errors import SpecError


def linear_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Linear CKA of (n, Dx) and (n, Dy) representations of the same n items:
    1 for representations equal up to an orthogonal map, isotropic scale and
    translation; works across dimensions. NaN when either is constant."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(x) != len(y):
        raise SpecError(f"CKA needs the same items in both: {len(x)} vs {len(y)} rows.")
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    if min(x.shape[1], y.shape[1]) > len(x):  # Gram form is cheaper
        kx, ky = x @ x.T, y @ y.T
        num, dx, dy = (kx * ky).sum(), np.linalg.norm(kx), np.linalg.norm(ky)
    else:
        num = np.linalg.norm(y.T @ x) ** 2
        dx, dy = np.linalg.norm(x.T @ x), np.linalg.norm(y.T @ y)
    if dx == 0 or dy == 0:
        return float("nan")
    return float(num / (dx * dy))


def knn_indices(x: np.ndarray, k: int) -> np.ndarray:
    """(n, D) -> (n, k) indices of each row's k nearest other rows (Euclidean)."""
    x = np.asarray(x, dtype=np.float64)
    sq = np.einsum("nd,nd->n", x, x)
    d = sq[:, None] - 2.0 * (x @ x.T) + sq[None, :]
    np.fill_diagonal(d, np.inf)
    return np.argpartition(d, k - 1, axis=1)[:, :k]


def knn_agreement(x: np.ndarray, y: np.ndarray, k: int = 10):
    """Mean Jaccard index and mean overlap (|A∩B| / k) of the k-NN sets of the
    same items in two representations. Returns (jaccard, overlap)."""
    n = len(x)
    if n != len(y):
        raise SpecError(f"k-NN agreement needs the same items in both: {n} vs {len(y)} rows.")
    if not 1 <= k < n:
        return float("nan"), float("nan")
    a, b = knn_indices(x, k), knn_indices(y, k)
    inter = (a[:, :, None] == b[:, None, :]).any(axis=2).sum(axis=1)
    return float(np.mean(inter / (2 * k - inter))), float(np.mean(inter / k))
