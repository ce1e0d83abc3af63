"""Block-by-block prediction of a stacked embedding raster: a class raster
(1..K, 0 = no data, with a colour table and class names) and a confidence
raster (the winning class's probability), or a continuous float32 raster.
Memory is bounded by the block budget whatever the raster size."""
from __future__ import annotations

import contextlib
import json
from pathlib import Path

import numpy as np

from ..palette import palette
from ..progress import NULL_PROGRESS
from ..analysis.blocks import BLOCK_MB, block_writer, pixels, source_tags
from ..analysis.guards import memory_guard

ROWS = 65_536  # pixels per predict call: bounds scikit-learn's temporaries


def class_dtype(k: int) -> str:
    return "uint8" if k < 255 else "uint16"


def class_colormap(k: int) -> dict:
    colours = palette(k)
    return {0: (0, 0, 0, 0), **{i + 1: (*colours[i], 255) for i in range(k)}}


def category_names_xml(names) -> str:
    """A GDAL PAM sidecar (.aux.xml) giving band 1 its category names (value
    0 = no data, then the classes), read by GDAL and QGIS for the legend."""
    from xml.sax.saxutils import escape

    cats = "".join(f"<Category>{escape(str(n))}</Category>" for n in ["no data", *names])
    return (f"<PAMDataset><PAMRasterBand band=\"1\"><CategoryNames>{cats}</CategoryNames>"
            f"</PAMRasterBand></PAMDataset>\n")


def _chunks(x):
    for s in range(0, len(x), ROWS):
        yield s, np.ascontiguousarray(x[s:s + ROWS])


def predict_classes(stack, estimator, class_names, class_path, conf_path=None, tags=None,
                    block_mb: float = BLOCK_MB, progress=None) -> dict:
    """Write the class raster (and the confidence raster when ``conf_path``);
    returns the pixel count of each class and of no data."""
    progress = progress or NULL_PROGRESS
    k = len(class_names)
    dtype = class_dtype(k)
    codes = np.asarray(estimator.classes_, dtype=np.int64) + 1    # estimator classes are 0..K-1
    tags = dict(source_tags(stack.ref), **(tags or {}), RS_EMBED_CLASSES=json.dumps([str(n) for n in class_names]))
    counts = np.zeros(k + 1, dtype=np.int64)
    windows = stack.windows(block_mb)
    with contextlib.ExitStack() as es, memory_guard("prediction", block_mb):
        dst = es.enter_context(block_writer(stack.ref, class_path, 1, dtype, 0, tags, ["class"],
                                            class_colormap(k)))
        cdst = es.enter_context(block_writer(stack.ref, conf_path, 1, "float32", float("nan"),
                                             dict(tags, RS_EMBED_STRETCH="0,1"), ["confidence"])) if conf_path else None
        for i, win in enumerate(windows):
            flat, valid = pixels(stack.read(win))
            labels = np.zeros(len(valid), dtype=dtype)
            conf = np.full(len(valid), np.nan, dtype=np.float32)
            rows = np.flatnonzero(valid)
            xv = flat[valid]
            for s, x in _chunks(xv):
                proba = estimator.predict_proba(x)
                best = proba.argmax(axis=1)
                labels[rows[s:s + len(x)]] = codes[best]
                conf[rows[s:s + len(x)]] = proba[np.arange(len(x)), best]
            del xv
            counts += np.bincount(labels, minlength=k + 1)
            shape = (int(win.height), int(win.width))
            dst.write(labels.reshape(shape), 1, window=win)
            if cdst is not None:
                cdst.write(conf.reshape(shape), 1, window=win)
            progress.update((i + 1) / len(windows))
    return {"class_pixels": counts[1:].tolist(), "nodata_pixels": int(counts[0])}


def predict_values(stack, estimator, out_path, tags=None, block_mb: float = BLOCK_MB, progress=None) -> dict:
    """Write the continuous prediction (float32, NaN = no data); returns its
    min, max and mean over the raster."""
    progress = progress or NULL_PROGRESS
    tags = dict(source_tags(stack.ref), **(tags or {}))
    lo, hi, total, n = np.inf, -np.inf, 0.0, 0
    windows = stack.windows(block_mb)
    with memory_guard("prediction", block_mb), block_writer(stack.ref, out_path, 1, "float32", float("nan"),
                                                            tags, ["prediction"]) as dst:
        for i, win in enumerate(windows):
            flat, valid = pixels(stack.read(win))
            out = np.full(len(valid), np.nan, dtype=np.float32)
            rows = np.flatnonzero(valid)
            xv = flat[valid]
            for s, x in _chunks(xv):
                out[rows[s:s + len(x)]] = estimator.predict(x)
            v = out[rows]
            if len(v):
                lo, hi = min(lo, float(v.min())), max(hi, float(v.max()))
                total, n = total + float(v.sum(dtype=np.float64)), n + len(v)
            dst.write(out.reshape(int(win.height), int(win.width)), 1, window=win)
            progress.update((i + 1) / len(windows))
        if n:  # the writer sets the tags when it closes: the display stretch goes with them
            tags["RS_EMBED_STRETCH"] = f"{lo},{hi}" if hi > lo else f"{lo},{lo + 1e-6}"
    return {"min": lo if n else None, "max": hi if n else None, "mean": total / n if n else None}


def write_category_names(path, names) -> Path:
    Path(path).write_text(category_names_xml(names), encoding="utf-8")
    return Path(path)
