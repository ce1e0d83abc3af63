"""Cancelling a learning job through the real worker (embedders.jobclient, as
the QGIS side runs it) while it writes its maps: the worker is gone, and no
output, finished or half-written, is left in the folder."""
from __future__ import annotations

import sys
import time

import pytest

from fixtures_analysis import write_embedding
from fixtures_learn import patchy, points_on
from rs_embed_qgis.embedders import jobclient, jobs
from rs_embed_qgis.embedders.fileio import TEMP_MARK
from rs_embed_qgis.embedders.progress import Progress

PY = sys.executable


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A raster large enough that predicting it takes seconds (many small
    blocks), labelled points on it, and a model saved from a small one."""
    folder = tmp_path_factory.mktemp("learn_cancel")
    arr, labels = patchy(h=480, w=480, patch=40, d=16, seed=3)
    big = write_embedding(folder / "big.tif", arr)
    small = write_embedding(folder / "small.tif", arr[:, :120, :120])
    feats = points_on(labels[:120, :120], 60, names=["a", "b"])
    spec = {"version": jobs.JOB_VERSION, "id": "train", "kind": "classify_embeddings", "config": {},
            "params": {"inputs": [str(small)], "features": feats, "field": "cls", "estimator": "knn",
                       "output": str(folder / "train_cls.tif"), "model_output": str(folder / "m.skops")}}
    jobs.run(spec, Progress())
    return {"big": big, "labels": labels, "model": folder / "m.skops"}


def params_for(kind, data, out):
    if kind == "apply_model":
        return {"model": str(data["model"]), "inputs": [str(data["big"])], "output": str(out / "map.tif"),
                "confidence_output": str(out / "conf.tif"), "block_mb": 0.05}
    feats = points_on(data["labels"], 800, names=["a", "b"] if kind == "classify_embeddings" else False)
    p = {"inputs": [str(data["big"])], "features": feats, "field": "cls", "estimator": "knn",
         "output": str(out / "map.tif"), "report": str(out / "report.html"), "model_output": str(out / "m.skops"),
         "block_mb": 0.05}
    if kind == "classify_embeddings":
        p["confidence_output"] = str(out / "conf.tif")
    return p


@pytest.mark.parametrize("kind", ["classify_embeddings", "regress_embeddings", "apply_model"])
def test_cancel_while_writing_the_map_leaves_no_output(data, tmp_path, kind):
    out = tmp_path / "out"
    out.mkdir()
    spec = jobclient.new_job(kind, params_for(kind, data, out))
    seen, at_cancel = [], []
    start = 0.0 if kind == "apply_model" else 0.5          # prediction: the map is being written

    def cancelled():  # the user presses Cancel once blocks of the map are on disk
        if not at_cancel and seen and seen[-1] > start + 0.02:
            at_cancel.append(sorted(p.name for p in out.iterdir()))
        return bool(at_cancel)

    t0 = time.monotonic()
    with pytest.raises(jobclient.WorkerError) as exc:
        jobclient.run_job(PY, spec, [out / n for n in ("map.tif", "conf.tif", "report.html", "m.skops")],
                          on_progress=seen.append, is_cancelled=cancelled, keep_warm=False)
    assert exc.value.cancelled, exc.value.message
    assert any(TEMP_MARK in name for name in at_cancel[0]), at_cancel    # it was cancelled mid-write
    assert list(out.iterdir()) == []                                      # and nothing of it stays
    print(f"{kind}: cancelled at progress {seen[-1]:.2f}, {time.monotonic() - t0:.1f} s into the run")
