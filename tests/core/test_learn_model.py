"""Saved models: reloaded they predict exactly what they predicted when
trained (apply_model gives the same maps); a tampered or damaged file is
refused without running anything from it; rasters that do not match the
model (band count, band names, embedding model) are refused."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import rasterio
from threadpoolctl import threadpool_limits

from fixtures_analysis import planted_clusters, write_embedding
from fixtures_learn import points_on
from rs_embed_qgis.embedders import jobs
from rs_embed_qgis.embedders.learn.modelfile import ModelFileError, load_model
from rs_embed_qgis.embedders.progress import Progress


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):
        yield


def run(kind, params):
    spec = {"version": jobs.JOB_VERSION, "id": "t1", "kind": kind, "params": params, "config": {}}
    return jobs.run(spec, Progress())


def band(path):
    with rasterio.open(path) as ds:
        return ds.read(1)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One model per estimator, trained on a planted raster, with its maps."""
    root = tmp_path_factory.mktemp("trained")
    arr, labels = planted_clusters(spread=1.5)            # overlapping classes: confidences below 1
    path = write_embedding(root / "emb.tif", arr, model="tessera")
    out = {}
    with threadpool_limits(1):
        for est in ("knn", "logistic", "random_forest", "hist_gradient_boosting"):
            run("classify_embeddings", {"inputs": [str(path)], "features": points_on(labels, 20), "estimator": est,
                                        "output": str(root / f"{est}.tif"), "confidence_output": str(root / f"{est}_c.tif"),
                                        "model_output": str(root / f"{est}.skops")})
            out[est] = root / f"{est}.skops"
    return root, path, arr, out


@pytest.mark.parametrize("est", ["knn", "logistic", "random_forest", "hist_gradient_boosting"])
def test_reloaded_model_gives_identical_predictions(trained, tmp_path, est):
    root, path, arr, models = trained
    res = run("apply_model", {"model": str(models[est]), "inputs": [str(path)], "output": str(tmp_path / "a.tif"),
                              "confidence_output": str(tmp_path / "a_c.tif")})
    np.testing.assert_array_equal(band(tmp_path / "a.tif"), band(root / f"{est}.tif"))
    np.testing.assert_array_equal(band(tmp_path / "a_c.tif"), band(root / f"{est}_c.tif"))
    assert res["task"] == "classification" and res["warnings"] == []
    estimator, meta = load_model(models[est])
    assert meta["inputs"][0]["model"] == "tessera" and meta["inputs"][0]["bands"] == 12
    assert meta["class_names"] == ["crop", "forest", "water"] and meta["estimator"] == est
    assert (tmp_path / "a.tif.aux.xml").is_file()


def _rewrite(src, dst, edit):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "schema.json":
                data = json.dumps(edit(json.loads(data))).encode()
            zout.writestr(item, data)


def _swap_class(node, old, module, cls):
    """Point the first object of class ``old`` in a skops schema at ``module.cls``."""
    if isinstance(node, dict):
        if node.get("__class__") == old:
            node["__module__"], node["__class__"] = module, cls
            return True
        return any(_swap_class(v, old, module, cls) for v in node.values())
    if isinstance(node, list):
        return any(_swap_class(v, old, module, cls) for v in node)
    return False


def test_tampered_model_file_is_refused(trained, tmp_path, monkeypatch):
    _, path, _, models = trained
    bad = tmp_path / "bad.skops"

    def edit(schema):
        assert _swap_class(schema, "RandomForestClassifier", "os", "system")
        return schema

    _rewrite(models["random_forest"], bad, edit)
    import os

    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    with pytest.raises(ModelFileError, match=r"os\.system.*tampered"):
        load_model(bad)
    with pytest.raises(ModelFileError, match="refused"):
        run("apply_model", {"model": str(bad), "inputs": [str(path)], "output": str(tmp_path / "a.tif")})
    assert calls == [] and not (tmp_path / "a.tif").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.skops"]


def test_damaged_or_foreign_files_are_refused(trained, tmp_path):
    _, _, _, models = trained
    data = bytearray(models["logistic"].read_bytes())
    data[len(data) // 3] ^= 0xFF
    (tmp_path / "flipped.skops").write_bytes(bytes(data))
    (tmp_path / "text.skops").write_text("not a model")
    import skops.io as sio

    sio.dump({"something": [1, 2]}, str(tmp_path / "foreign.skops"))
    for name in ("flipped", "text", "foreign"):
        with pytest.raises(ModelFileError, match="refused"):
            load_model(tmp_path / f"{name}.skops")


def test_rasters_that_do_not_match_the_model_are_refused(trained, tmp_path):
    _, path, arr, models = trained
    cases = {
        "fewer bands": (write_embedding(tmp_path / "b.tif", arr[:8], model="tessera"), "has 8 bands"),
        "other model": (write_embedding(tmp_path / "m.tif", arr, model="gse_annual"), "'gse_annual' embeddings"),
    }
    for raster, message in cases.values():
        with pytest.raises(ModelFileError, match=message):
            run("apply_model", {"model": str(models["knn"]), "inputs": [str(raster)],
                                "output": str(tmp_path / "out.tif")})
    with pytest.raises(ModelFileError, match="2 were given"):
        run("apply_model", {"model": str(models["knn"]), "inputs": [str(path), str(path)],
                            "output": str(tmp_path / "out.tif")})
    swapped = write_embedding(tmp_path / "s.tif", arr, model="tessera")   # same count and model, bands swapped
    with rasterio.open(swapped, "r+") as ds:
        ds.set_band_description(1, "dim_001")
        ds.set_band_description(2, "dim_000")
    with pytest.raises(ModelFileError, match="band 1 is 'dim_001'"):
        run("apply_model", {"model": str(models["knn"]), "inputs": [str(swapped)], "output": str(tmp_path / "out.tif")})
    assert not (tmp_path / "out.tif").exists()


def test_prediction_does_not_depend_on_the_block_size(trained, tmp_path):
    root, path, _, models = trained
    run("apply_model", {"model": str(models["random_forest"]), "inputs": [str(path)], "block_mb": 0.02,
                        "output": str(tmp_path / "small_blocks.tif"), "confidence_output": str(tmp_path / "c.tif")})
    with rasterio.open(path) as src:
        from rs_embed_qgis.embedders.analysis.blocks import block_windows

        assert len(list(block_windows(src, 0.02))) > 1            # several blocks (one tile each)
    np.testing.assert_array_equal(band(tmp_path / "small_blocks.tif"), band(root / "random_forest.tif"))
    np.testing.assert_array_equal(band(tmp_path / "c.tif"), band(root / "random_forest_c.tif"))


def test_apply_to_another_area(trained, tmp_path):
    """Another raster of the same model (here a window of the first, elsewhere on the map)."""
    root, _, arr, models = trained
    other = write_embedding(tmp_path / "other.tif", arr[:, 10:50, 20:70], x0=600_000.0, y0=5_700_000.0,
                            model="tessera")
    run("apply_model", {"model": str(models["logistic"]), "inputs": [str(other)], "output": str(tmp_path / "o.tif")})
    np.testing.assert_array_equal(band(tmp_path / "o.tif"), band(root / "logistic.tif")[10:50, 20:70])
