"""Pairwise model similarity with its uncertainty: linear CKA and k-NN overlap
on repeated random samples of the common pixels (the spread across samples
gives a 95 % interval) and the same scores with one model's pixels shuffled
(the baseline a score must beat to mean anything)."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Dict, List

import numpy as np

from .measures import knn_agreement, linear_cka

REPEATS = 20
SAMPLE = 1000


@dataclass
class PairStats:
    a: str
    b: str
    cka: float                 # mean over the repeats
    cka_ci: tuple              # (2.5, 97.5) percentiles over the repeats
    cka_shuffled: float        # mean with b's pixels shuffled
    knn_overlap: float
    knn_ci: tuple
    knn_shuffled: float
    knn_jaccard: float


@dataclass
class PairwiseStats:
    pairs: List[PairStats]
    repeats: int
    sample: int                # pixels per repeat
    pool: int                  # pixels the repeats are drawn from
    k: int
    seed: int

    def get(self, a: str, b: str) -> PairStats:
        for p in self.pairs:
            if {p.a, p.b} == {a, b}:
                return p
        raise KeyError((a, b))


def _ci(values):
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))) if len(v) else (np.nan, np.nan)


def _mean(values):
    v = np.asarray(values, dtype=np.float64)
    return float(v[np.isfinite(v)].mean()) if np.isfinite(v).any() else float("nan")


def pairwise_stats(vectors: Dict[str, np.ndarray], k: int = 10, repeats: int = REPEATS,
                   sample: int = SAMPLE, seed: int = 0) -> PairwiseStats:
    """``vectors``: per model (n, D) of the same n pixels. Each repeat draws
    ``sample`` of them (at most 80 % of n, so that repeats differ), scores
    every pair, and scores it again with the second model's rows permuted."""
    names = list(vectors)
    n = len(next(iter(vectors.values()))) if vectors else 0
    m = int(min(sample, max(k + 2, int(0.8 * n)))) if n > k + 2 else n
    rng = np.random.default_rng(seed)
    draws = [np.sort(rng.choice(n, m, replace=False)) for _ in range(repeats)] if m >= 3 else []
    perms = [rng.permutation(m) for _ in draws]
    out = []
    for a, b in combinations(names, 2):
        cka, cka0, ovl, ovl0, jac = [], [], [], [], []
        for idx, perm in zip(draws, perms):
            xa, xb = vectors[a][idx], vectors[b][idx]
            cka.append(linear_cka(xa, xb))
            cka0.append(linear_cka(xa, xb[perm]))
            j, o = knn_agreement(xa, xb, k)
            jac.append(j)
            ovl.append(o)
            ovl0.append(knn_agreement(xa, xb[perm], k)[1])
        out.append(PairStats(a, b, _mean(cka), _ci(cka), _mean(cka0), _mean(ovl), _ci(ovl), _mean(ovl0),
                             _mean(jac)))
    return PairwiseStats(out, len(draws), m, n, k, seed)
