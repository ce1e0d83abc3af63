"""Train, validate, map and save: the sequences behind the classify,
regress and apply jobs. Every file goes through the caller's OutputSet
(all outputs appear together, or none)."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np

from ..errors import SpecError
from ..progress import NULL_PROGRESS
from . import metrics as M
from . import report as R
from .estimators import make_classifier, make_regressor
from .modelfile import check_inputs, load_model, new_model_id, save_model
from .predict import predict_classes, predict_values, write_category_names
from .samples import MAX_SAMPLES, labelled_pixels
from .stack import Stack
from .validation import out_of_fold, splits


def class_names_of(values) -> list:
    """Sorted distinct class values as names (numerically when all are numbers)."""
    distinct = set(values)
    try:
        nums = sorted(distinct, key=float)
        if all(float(v) == int(float(v)) for v in nums):
            return [str(int(float(v))) for v in nums]
        return [str(v) for v in nums]
    except (TypeError, ValueError):
        return sorted(str(v) for v in distinct)


def encode(values, names) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    key = (lambda v: str(int(float(v)))) if all(n.lstrip("-").isdigit() for n in names) else str
    out = np.full(len(values), -1, dtype=np.int64)
    for i, v in enumerate(values):
        try:
            out[i] = index.get(key(v), -1)
        except (TypeError, ValueError):
            pass
    return out


def numeric(values) -> np.ndarray:
    try:
        return np.asarray([float(v) for v in values], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SpecError(f"Regression needs a numeric field; found a value that is not a number ({exc}).") from None


def report_paths(report) -> dict:
    r = Path(report)
    return {"html": r, "csv": r.with_suffix(".csv"), "confusion": r.with_name(f"{r.stem}_confusion.png"),
            "scatter": r.with_name(f"{r.stem}_observed.png")}


def _meta(task, kind, stack, n, extra) -> dict:
    import sklearn

    from ..version import __version__

    return dict(task=task, estimator=kind, model_id=new_model_id(), inputs=stack.signatures,
                band_names=stack.band_names, trained_pixels=int(n), sklearn=sklearn.__version__,
                plugin=__version__, created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                **extra)


def _validate(make, x, y, xy, p, holdout, stack, encode_fn, progress, classification):
    """(validation truth, validation predictions, how) for the chosen method."""
    method = p["validation"]
    if method == "holdout":
        if not holdout:
            raise SpecError("Validation 'holdout' needs a held-out layer.")
        hs = labelled_pixels(stack, holdout, p["block_mb"], p["max_samples"], p["seed"] + 1, progress.sub(0, .3))
        yt = encode_fn(hs.values)
        keep = yt >= 0 if classification else np.isfinite(yt)
        est = make().fit(x, y)
        return yt[keep], est.predict(hs.x[keep]), f"held-out layer ({int(keep.sum())} pixels)"
    folds = splits(method, y, xy, p["folds"], p["block_size"], p["seed"], classification)
    pred = out_of_fold(make, x, y, folds, progress)
    how = (f"{p['folds']}-fold cross-validation" if method == "kfold" else
           f"spatial {p['folds']}-fold cross-validation (blocks of {p['block_size']:g} map units)")
    return y, pred, how


def _context(p, stack, n, how, kind):
    ctx = {"inputs": ", ".join(p["inputs"]), "bands": f"{stack.count} ({', '.join(s['model'] or '?' for s in stack.signatures)})",
           "estimator": kind, "field": p.get("field") or "", "labelled pixels": n, "validation": how}
    if stack.warped:
        ctx["warped onto the first raster's grid"] = ", ".join(stack.warped)
    return ctx


def classify(p: dict, outs, progress=None) -> dict:
    """Classification: sample, validate, fit on all labels, map, report, save."""
    progress = progress or NULL_PROGRESS
    with Stack(p["inputs"], p["resampling"]) as stack:
        s = labelled_pixels(stack, p["features"], p["block_mb"], p["max_samples"], p["seed"], progress.sub(0, .15))
        names = class_names_of(s.values)
        if len(names) < 2:
            raise SpecError(f"The training labels hold a single class ({names[0]}); give at least two classes.")
        y = encode(s.values, names)
        kind = p["estimator"]
        make = lambda: make_classifier(kind, p["seed"])  # noqa: E731
        progress.info(f"{len(y)} labelled pixels in {len(names)} classes from {len(set(s.feature.tolist()))} features")
        yt, yp, how = _validate(make, s.x, y, s.xy, p, p.get("holdout"), stack, lambda v: encode(v, names),
                                progress.sub(.15, .45), True)
        m = M.classification_metrics(yt, yp, len(names))
        est = make().fit(s.x, y)
        meta = _meta("classification", kind, stack, len(y), {"class_names": names, "field": p.get("field") or "",
                                                              "validation": how})
        tags = {"RS_EMBED_ANALYSIS": f"classification ({kind})", "RS_EMBED_CLASSIFIER_ID": meta["model_id"]}
        out = outs.path(p["output"])
        conf = outs.path(p["confidence_output"]) if p.get("confidence_output") else None
        counts = predict_classes(stack, est, names, out, conf, tags, p["block_mb"], progress.sub(.5, .95))
        write_category_names(outs.path(str(p["output"]) + ".aux.xml"), names)
        files = _classification_report(p, outs, m, names, _context(p, stack, len(y), how, kind))
    if p.get("model_output"):
        save_model(outs.path(p["model_output"]), est, meta)
    progress.update(1.0)
    return {"class_names": names, "metrics": m, "validation": how, "samples": len(y),
            "dropped_nodata": s.dropped_nodata, "features_outside": s.outside, "model_id": meta["model_id"],
            **counts, **files}


def _classification_report(p, outs, m, names, context) -> dict:
    if not p.get("report"):
        return {}
    rp = report_paths(p["report"])
    png = R.confusion_png(m["confusion"], names, outs.path(rp["confusion"]))
    R.classification_csv(outs.path(rp["csv"]), m, names)
    R.classification_html(outs.path(rp["html"]), m, names, png, context)
    return {"report": str(rp["html"]), "report_csv": str(rp["csv"]), "confusion_png": str(rp["confusion"])}


def regress(p: dict, outs, progress=None) -> dict:
    """Regression: sample, validate, fit on all labels, map, report, save."""
    progress = progress or NULL_PROGRESS
    with Stack(p["inputs"], p["resampling"]) as stack:
        s = labelled_pixels(stack, p["features"], p["block_mb"], p["max_samples"], p["seed"], progress.sub(0, .15))
        y = numeric(s.values)
        kind = p["estimator"]
        make = lambda: make_regressor(kind, p["seed"])  # noqa: E731
        yt, yp, how = _validate(make, s.x, y, s.xy, p, p.get("holdout"), stack, numeric, progress.sub(.15, .45), False)
        m = M.regression_metrics(yt, yp)
        est = make().fit(s.x, y)
        meta = _meta("regression", kind, stack, len(y), {"field": p.get("field") or "", "validation": how})
        tags = {"RS_EMBED_ANALYSIS": f"regression ({kind})", "RS_EMBED_REGRESSOR_ID": meta["model_id"]}
        stats = predict_values(stack, est, outs.path(p["output"]), tags, p["block_mb"], progress.sub(.5, .95))
        files = {}
        if p.get("report"):
            rp = report_paths(p["report"])
            png = R.scatter_png(yt, yp, outs.path(rp["scatter"]), p.get("field") or "value")
            R.regression_csv(outs.path(rp["csv"]), m)
            R.regression_html(outs.path(rp["html"]), m, png, _context(p, stack, len(y), how, kind))
            files = {"report": str(rp["html"]), "report_csv": str(rp["csv"]), "scatter_png": str(rp["scatter"])}
    if p.get("model_output"):
        save_model(outs.path(p["model_output"]), est, meta)
    progress.update(1.0)
    return {"metrics": m, "validation": how, "samples": len(y), "dropped_nodata": s.dropped_nodata,
            "features_outside": s.outside, "model_id": meta["model_id"], **stats, **files}


def apply(p: dict, outs, progress=None) -> dict:
    """A saved model on other rasters (another area or year) after checking
    that they carry the bands and embedding model it was trained on."""
    progress = progress or NULL_PROGRESS
    est, meta = load_model(p["model"])
    with Stack(p["inputs"], p["resampling"]) as stack:
        warnings = check_inputs(meta, stack.signatures)
        for w in warnings:
            progress.info(w)
        if meta.get("task") == "classification":
            names = meta["class_names"]
            tags = {"RS_EMBED_ANALYSIS": f"classification ({meta.get('estimator')})",
                    "RS_EMBED_CLASSIFIER_ID": meta.get("model_id", "")}
            conf = outs.path(p["confidence_output"]) if p.get("confidence_output") else None
            res = predict_classes(stack, est, names, outs.path(p["output"]), conf, tags, p["block_mb"], progress)
            write_category_names(outs.path(str(p["output"]) + ".aux.xml"), names)
            res["class_names"] = names
        else:
            tags = {"RS_EMBED_ANALYSIS": f"regression ({meta.get('estimator')})",
                    "RS_EMBED_REGRESSOR_ID": meta.get("model_id", "")}
            res = predict_values(stack, est, outs.path(p["output"]), tags, p["block_mb"], progress)
    return {"task": meta.get("task"), "model_id": meta.get("model_id"), "warnings": warnings, **res}


DEFAULTS = {"resampling": "average", "validation": "kfold", "folds": 5, "block_size": None, "seed": 0,
            "block_mb": 128.0, "max_samples": MAX_SAMPLES}
