"""Fixtures of the learning tests: labelled features (points and polygons in
the raster's CRS, as the QGIS side sends them) over constructed embedding
rasters with known class maps and known relations."""
from __future__ import annotations

import numpy as np

from fixtures_analysis import X0, Y0, pixel_centre

NAMES = ["crop", "forest", "water"]


def points_on(labels, per_class, seed=0, names=None):
    """``per_class`` random labelled pixels of each class of ``labels``
    (H, W ints, -1 = no data), as {"xy", "value"} features."""
    rng = np.random.default_rng(seed)
    feats = []
    for cls in sorted(set(np.unique(labels).tolist()) - {-1}):
        rr, cc = np.nonzero(labels == cls)
        for j in rng.choice(len(rr), min(per_class, len(rr)), replace=False):
            feats.append({"xy": list(pixel_centre(rr[j], cc[j])), "value": (names or NAMES)[cls] if names is not False
                          else int(cls)})
    return feats


def box_wkt(r0, c0, r1, c1, res=10.0):
    """A polygon covering pixel rows r0..r1-1 and columns c0..c1-1 (inset a
    little from pixel edges so it holds exactly those centres)."""
    x0, x1 = X0 + c0 * res + 1, X0 + c1 * res - 1
    y0, y1 = Y0 - r0 * res - 1, Y0 - r1 * res + 1
    return f"POLYGON (({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


def patchy(h=120, w=120, patch=20, d=8, seed=0, noise=0.05):
    """Spatially autocorrelated data: square patches of ``patch`` pixels, each
    with its own random vector and a random class (half the patches each),
    so that a pixel's neighbours in feature space are its neighbours on the
    map. Returns (array (D, H, W), labels (H, W))."""
    rng = np.random.default_rng(seed)
    ph, pw = h // patch, w // patch
    classes = rng.permutation(np.arange(ph * pw) % 2).reshape(ph, pw)
    centres = rng.normal(size=(ph, pw, d))
    pr, pc = np.arange(h) // patch, np.arange(w) // patch
    labels = classes[pr[:, None], pc[None, :]]
    arr = centres[pr[:, None], pc[None, :]].transpose(2, 0, 1) + noise * rng.normal(size=(d, h, w))
    return arr.astype(np.float32), labels
