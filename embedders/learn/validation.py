"""Cross-validation splits and out-of-fold predictions.

- ``kfold``: (stratified) K-fold over pixels, shuffled with a fixed seed;
- ``spatial_kfold``: pixels grouped in square blocks of ``block_size`` map
  units, grouped K-fold over the block ids, so that neighbouring
  (autocorrelated) pixels never fall on both sides;
- ``holdout``: train on the training layer, validate on a held-out layer."""
from __future__ import annotations

import numpy as np

from ..errors import SpecError
from ..packages import require

METHODS = ("kfold", "spatial_kfold", "holdout")


def block_ids(xy: np.ndarray, block_size: float) -> np.ndarray:
    """Id of the square block of ``block_size`` map units (a grid from the
    CRS's origin) each point falls in."""
    if not block_size or block_size <= 0:
        raise SpecError("Spatial K-fold needs a block size (map units of the raster's CRS) greater than 0.")
    cells = np.floor(xy / float(block_size)).astype(np.int64)
    return np.unique(cells, axis=0, return_inverse=True)[1].ravel()


def splits(method: str, y: np.ndarray, xy: np.ndarray, n_splits: int = 5, block_size: float = None,
           seed: int = 0, classification: bool = True):
    """(train indices, test indices) per fold."""
    require("sklearn", "scikit-learn", "learning from labelled examples (the 'analysis' family)")
    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

    n_splits = int(n_splits)
    if n_splits < 2:
        raise SpecError("Cross-validation needs at least 2 folds.")
    if method == "kfold":
        if len(y) < n_splits:
            raise SpecError(f"{len(y)} labelled pixels are too few for {n_splits}-fold cross-validation.")
        if classification and np.bincount(y).min() >= n_splits:
            return list(StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
        return list(KFold(n_splits, shuffle=True, random_state=seed).split(np.zeros(len(y))))
    if method == "spatial_kfold":
        groups = block_ids(xy, block_size)
        n_groups = int(groups.max()) + 1
        if n_groups < n_splits:
            raise SpecError(
                f"The labelled pixels fall in only {n_groups} block(s) of {block_size:g} map units, fewer than "
                f"the {n_splits} folds: choose a smaller block size or fewer folds.")
        return list(GroupKFold(n_splits).split(np.zeros(len(y)), y, groups))
    raise SpecError(f"Unknown validation {method!r}; choose one of {', '.join(METHODS)}.")


def out_of_fold(make_estimator, x: np.ndarray, y: np.ndarray, folds, progress=None) -> np.ndarray:
    """Predictions for every pixel by the model fitted on the other folds
    (NaN-free; pixels of a fold whose training part is empty get -1 / NaN)."""
    pred = np.full(len(y), np.nan) if y.dtype.kind == "f" else np.full(len(y), -1, dtype=np.int64)
    for i, (train, test) in enumerate(folds):
        if len(train) and len(np.unique(y[train])) >= (1 if y.dtype.kind == "f" else 2):
            est = make_estimator()
            est.fit(x[train], y[train])
            pred[test] = est.predict(x[test])
        if progress is not None:
            progress.update((i + 1) / len(folds))
    return pred
