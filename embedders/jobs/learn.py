"""Learning jobs: classify or regress embedding rasters from labelled points
or polygons, and apply a saved model. Geometries come in the first raster's
CRS (``{"wkt": ..., "value": ...}`` or ``{"xy": [x, y], "value": ...}``); all
outputs are staged and appear together on success, none on failure."""
from __future__ import annotations

from ..errors import SpecError
from ..fileio import OutputSet
from .staging import finite


def _common(params: dict, estimators) -> dict:
    from ..analysis.guards import refuse_overwrite
    from ..learn.train import DEFAULTS

    p = dict(DEFAULTS)
    p.update({k: v for k, v in params.items() if v not in (None, "")})
    inputs = p.get("inputs")
    if isinstance(inputs, str):
        inputs = [inputs]
    if not inputs:
        raise SpecError("The job needs 'inputs': one or more embedding rasters.")
    p["inputs"] = [str(i) for i in inputs]
    if not p.get("output"):
        raise SpecError("The job needs an 'output' raster path.")
    for name in ("output", "confidence_output", "report", "model_output"):
        if p.get(name):
            refuse_overwrite(p[name], *p["inputs"])
    if estimators is not None and p.get("estimator") not in estimators:
        raise SpecError(f"Unknown estimator {p.get('estimator')!r}; choose one of {', '.join(estimators)}.")
    if p.get("model_output") and not str(p["model_output"]).lower().endswith(".skops"):
        raise SpecError("The model file must end in .skops.")
    p["folds"], p["seed"], p["max_samples"] = int(p["folds"]), int(p["seed"]), int(p["max_samples"])
    p["block_mb"] = float(p["block_mb"])
    p["block_size"] = float(p["block_size"]) if p.get("block_size") not in (None, "") else None
    return p


def classify_embeddings(params: dict, progress) -> dict:
    """params: inputs [paths], features, field, estimator (knn, logistic,
    random_forest, hist_gradient_boosting), validation (kfold, spatial_kfold,
    holdout), folds, block_size (map units), holdout (features), seed, output,
    confidence_output, report (.html; .csv and _confusion.png beside it),
    model_output (.skops), block_mb, max_samples, resampling."""
    from ..learn.estimators import CLASSIFIERS
    from ..learn.train import classify

    p = _common(dict(params, estimator=params.get("estimator") or "random_forest"), CLASSIFIERS)
    with OutputSet() as outs:
        return finite(classify(p, outs, progress))


def regress_embeddings(params: dict, progress) -> dict:
    """As classify_embeddings with a numeric field and estimator knn, linear,
    random_forest or hist_gradient_boosting; report with _observed.png."""
    from ..learn.estimators import REGRESSORS
    from ..learn.train import regress

    p = _common(dict(params, estimator=params.get("estimator") or "random_forest"), REGRESSORS)
    with OutputSet() as outs:
        return finite(regress(p, outs, progress))


def apply_model(params: dict, progress) -> dict:
    """params: model (.skops path), inputs, output, confidence_output, block_mb, resampling."""
    from ..learn.train import apply

    if not params.get("model"):
        raise SpecError("The job needs 'model': a .skops file saved by Classify or Regress embeddings.")
    p = _common(params, None)
    with OutputSet() as outs:
        return finite(apply(p, outs, progress))
