"""Composite arithmetic: the NaN-aware median against numpy's nanmedian."""
import warnings

import numpy as np
import pytest

from rs_embed_qgis.embedders.imagery.composite import nan_median


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 8, 9, 13])
def test_nan_median_matches_numpy(n):
    rng = np.random.default_rng(n)
    stack = rng.normal(1000, 300, (n, 3, 40, 50)).astype(np.float32)
    stack[rng.random(stack.shape) < 0.3] = np.nan
    stack[:, :, :2, :2] = np.nan  # pixels with no valid value at all
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expect = np.nanmedian(stack, axis=0)
    got = nan_median(stack)
    assert got.dtype == np.float32 and got.shape == (3, 40, 50)
    np.testing.assert_allclose(got, expect, rtol=1e-6, equal_nan=True)
    assert np.isnan(got[:, :2, :2]).all()
