"""regress_embeddings: a planted linear relation is recovered (R² >= 0.99)
and mapped; the metrics' CIs bracket their values; the report has the
predicted-versus-observed plot; a non-numeric field is refused."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import rasterio
from threadpoolctl import threadpool_limits

from fixtures_analysis import pixel_centre, write_embedding
from rs_embed_qgis.embedders import jobs
from rs_embed_qgis.embedders.errors import SpecError
from rs_embed_qgis.embedders.progress import Progress


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):
        yield


def run(kind, params):
    spec = {"version": jobs.JOB_VERSION, "id": "t1", "kind": kind, "params": params, "config": {}}
    out = jobs.run(spec, Progress())
    json.dumps(out, allow_nan=False)
    return out


@pytest.fixture
def planted_linear(tmp_path):
    rng = np.random.default_rng(3)
    arr = rng.normal(size=(16, 50, 60)).astype(np.float32)
    arr[:, :2, :2] = np.nan
    w = rng.normal(size=16)
    truth = np.tensordot(w, arr.astype(np.float64), axes=1) + 7.0
    return write_embedding(tmp_path / "emb.tif", arr), arr, truth


def features(truth, n, seed=0, noise=0.0):
    rng = np.random.default_rng(seed)
    h, w = truth.shape
    out = []
    for j in rng.choice(h * w, n, replace=False):
        r, c = divmod(int(j), w)
        if np.isfinite(truth[r, c]):
            out.append({"xy": list(pixel_centre(r, c)), "value": float(truth[r, c] + noise * rng.normal())})
    return out


def test_planted_linear_relation(planted_linear, tmp_path):
    path, _, truth = planted_linear
    out = run("regress_embeddings", {"inputs": [str(path)], "features": features(truth, 300), "estimator": "linear",
                                     "field": "biomass", "output": str(tmp_path / "pred.tif"),
                                     "report": str(tmp_path / "r.html"), "model_output": str(tmp_path / "m.skops")})
    m = out["metrics"]
    assert m["r2"]["value"] >= 0.99 and m["r2"]["low"] >= 0.98
    for k in ("r2", "mae", "rmse"):
        assert m[k]["low"] <= m[k]["value"] <= m[k]["high"]
    with rasterio.open(tmp_path / "pred.tif") as ds:
        pred, tags = ds.read(1), ds.tags()
    assert np.isnan(pred[:2, :2]).all()
    ok = np.isfinite(truth)
    np.testing.assert_allclose(pred[ok], truth[ok], atol=0.02 * np.std(truth[ok]))
    lo, hi = (float(v) for v in tags["RS_EMBED_STRETCH"].split(","))
    assert lo == pytest.approx(np.nanmin(pred)) and hi == pytest.approx(np.nanmax(pred))
    rows = list(csv.DictReader(open(tmp_path / "r.csv")))
    assert [r["metric"] for r in rows] == ["r2", "mae", "rmse"]
    assert (tmp_path / "r_observed.png").read_bytes()[:4] == b"\x89PNG"
    assert "biomass" in (tmp_path / "r.html").read_text()
    applied = run("apply_model", {"model": str(tmp_path / "m.skops"), "inputs": [str(path)],
                                  "output": str(tmp_path / "again.tif")})
    with rasterio.open(tmp_path / "again.tif") as ds:
        np.testing.assert_array_equal(ds.read(1), pred)
    assert applied["task"] == "regression"


def test_noise_target_scores_near_zero(planted_linear, tmp_path):
    path, _, truth = planted_linear
    rng = np.random.default_rng(1)
    feats = [dict(f, value=float(rng.normal())) for f in features(truth, 300)]
    m = run("regress_embeddings", {"inputs": [str(path)], "features": feats, "estimator": "random_forest",
                                   "output": str(tmp_path / "p.tif")})["metrics"]
    assert m["r2"]["value"] < 0.1 and m["r2"]["low"] < 0 


def test_non_numeric_field_is_refused(planted_linear, tmp_path):
    path, _, truth = planted_linear
    feats = [dict(f, value="tall") for f in features(truth, 20)]
    with pytest.raises(SpecError, match="numeric field"):
        run("regress_embeddings", {"inputs": [str(path)], "features": feats, "output": str(tmp_path / "p.tif")})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emb.tif"]
