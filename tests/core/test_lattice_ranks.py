"""The agreement map's kernels against their definitions: distances to the
lattice neighbours as numpy computes them band by band, average ranks as
scipy's rankdata gives them (ties and missing neighbours included), and the
Spearman correlation as scipy's spearmanr."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import rankdata, spearmanr

from rs_embed_qgis.embedders.analysis.agreement import neighbour_distances, rank_agreement
from rs_embed_qgis.embedders.analysis.lattice_ranks import all_offsets, half_offsets, twice_ranks


def test_half_the_lattice_holds_one_of_each_pair_of_offsets():
    half, full = half_offsets(3, 4), all_offsets(3, 4)
    assert len(half) == 40 and len(full) == 80
    assert sorted(half + [(-dy, -dx) for dy, dx in half]) == sorted(full)


def test_distances_are_numpys_band_by_band_float32_distances_bit_for_bit():
    rng = np.random.default_rng(1)
    d, h, w, r = 7, 9, 14, 6
    block = np.full((d, h + 2 * r, w + 2 * r), np.nan, np.float32)
    block[:, r:r + h, r:r + w] = np.repeat(rng.normal(size=(d, h, w // 2)), 2, axis=2)  # repeated columns: ties
    block[:, r + 2, r + 3] = np.nan
    got = neighbour_distances(block, r, slice(2, 7), step=2)
    for j, (dy, dx) in enumerate(all_offsets(2, 3)):
        centre = block[:, r + 2:r + 7, r:r + w]
        other = block[:, r + 2 + dy:r + 7 + dy, r + dx:r + dx + w]
        np.testing.assert_array_equal(got[j], np.sqrt(np.sum((other - centre) ** 2, axis=0, dtype=np.float32)))


@pytest.mark.parametrize("k", [80, 300])   # 300: float64 sums (float32 would no longer be exact)
def test_ranks_are_scipys_average_ranks_with_ties_and_missing_neighbours(k):
    rng = np.random.default_rng(2)
    n = 3000
    dist = rng.random((k, n), dtype=np.float32)
    dist[5] = dist[7]
    dist[20:30, ::3] = dist[31, ::3]                              # runs of ties
    dist[:, ::11] = np.round(dist[:, ::11], 1)                    # many ties
    dist[:, ::5] = 0.0                                            # all tied
    dist[40:50, ::7] = np.nan
    dist[3, ::17] = np.inf
    dist[:75, 1::13] = np.nan                                     # few left
    centred, sum_sq, valid = twice_ranks(dist)
    ok = np.isfinite(dist)
    ranks = rankdata(np.where(ok, dist, np.nan), axis=0, nan_policy="omit")
    expected = np.where(ok, 2 * ranks - (ok.sum(axis=0) + 1), 0.0).T
    np.testing.assert_array_equal(centred, expected)
    np.testing.assert_array_equal(valid, ok.sum(axis=0))
    np.testing.assert_array_equal(sum_sq, (expected ** 2).sum(axis=1))


def test_rank_agreement_is_spearmans_rho_over_the_neighbours_valid_in_both():
    rng = np.random.default_rng(3)
    k, h, w = 80, 6, 7
    da = rng.random((k, h, w)).astype(np.float32)
    db = (da + 0.3 * rng.random((k, h, w))).astype(np.float32)
    db[:, 0, 0] = np.round(db[:, 0, 0], 1)
    da[:10, 1, 1] = np.nan
    db[60:, 1, 1] = np.nan
    db[3:, 2, 2] = np.nan                                         # 3 neighbours: no value
    da[:, 3, 3] = 0.5                                             # all tied: no value
    got = rank_agreement(da, db)
    for y in range(h):
        for x in range(w):
            both = np.isfinite(da[:, y, x]) & np.isfinite(db[:, y, x])
            if both.sum() < 8 or (y, x) == (3, 3):
                assert np.isnan(got[y, x])
            else:
                assert abs(got[y, x] - spearmanr(da[both, y, x], db[both, y, x])[0]) < 1e-12
