"""classify_embeddings run as the worker runs it (scikit-learn for real, on
constructed embedding rasters): planted classes are recovered and mapped,
random labels score at chance, spatial CV is stricter than random CV on
autocorrelated data, fusion of two rasters on different grids, labelled
pixels under polygons, and nothing left behind on failure."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import rasterio
from threadpoolctl import threadpool_limits

from fixtures_analysis import planted_clusters, write_embedding
from fixtures_learn import NAMES, box_wkt, patchy, points_on
from rs_embed_qgis.embedders import jobs
from rs_embed_qgis.embedders.errors import DataUnavailableError, SpecError
from rs_embed_qgis.embedders.progress import Progress


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):  # OpenMP spin-waits on a loaded 2-core machine; results do not change
        yield


def run(kind, params):
    spec = {"version": jobs.JOB_VERSION, "id": "t1", "kind": kind, "params": params, "config": {}}
    out = jobs.run(spec, Progress())
    json.dumps(out, allow_nan=False)
    return out


def read(path):
    with rasterio.open(path) as ds:
        return ds.read(1), ds.tags(), ds


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    arr, labels = planted_clusters()
    return write_embedding(tmp_path_factory.mktemp("planted") / "emb.tif", arr), arr, labels


@pytest.mark.parametrize("estimator", ["knn", "logistic", "random_forest", "hist_gradient_boosting"])
def test_planted_classes_are_recovered_and_mapped(planted, tmp_path, estimator):
    path, _, labels = planted
    out = run("classify_embeddings", {
        "inputs": [str(path)], "features": points_on(labels, 30), "field": "landcover", "estimator": estimator,
        "output": str(tmp_path / "cls.tif"), "confidence_output": str(tmp_path / "conf.tif"),
        "report": str(tmp_path / "report.html"), "model_output": str(tmp_path / "m.skops")})
    assert out["metrics"]["accuracy"]["value"] >= 0.99 and out["metrics"]["n"] == 90
    assert out["class_names"] == sorted(NAMES)
    got, tags, ds = read(tmp_path / "cls.tif")
    code = {n: i + 1 for i, n in enumerate(out["class_names"])}
    expected = np.zeros_like(got)
    for cls, name in enumerate(NAMES):
        expected[labels == cls] = code[name]
    np.testing.assert_array_equal(got, expected)                      # every pixel, no-data corner = 0
    assert ds.dtypes[0] == "uint8" and ds.nodata == 0
    assert json.loads(tags["RS_EMBED_CLASSES"]) == out["class_names"]
    with rasterio.open(tmp_path / "cls.tif") as ds2:
        cmap = ds2.colormap(1)
    assert len({cmap[v][:3] for v in (1, 2, 3)}) == 3 and cmap[0][3] == 0
    aux = (tmp_path / "cls.tif.aux.xml").read_text()
    assert "<Category>no data</Category><Category>crop</Category><Category>forest</Category>" in aux
    conf, _, _ = read(tmp_path / "conf.tif")
    assert np.isnan(conf[labels < 0]).all() and (conf[labels >= 0] > 1 / 3).all() and np.nanmax(conf) <= 1.0
    assert out["class_pixels"] == [int((labels == NAMES.index(n)).sum()) for n in out["class_names"]]
    rows = list(csv.DictReader(open(tmp_path / "report.csv")))
    assert [r["metric"] for r in rows] == ["accuracy", "balanced_accuracy", "f1", "f1", "f1"]
    assert all(float(r["ci95_low"]) <= float(r["value"]) <= float(r["ci95_high"]) for r in rows)
    html = (tmp_path / "report.html").read_text()
    assert "data:image/png;base64," in html and "balanced accuracy" in html and "landcover" in html
    assert (tmp_path / "report_confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_random_labels_give_a_ci_containing_chance(tmp_path):
    rng = np.random.default_rng(4)
    arr = rng.normal(size=(8, 40, 40)).astype(np.float32)
    path = write_embedding(tmp_path / "noise.tif", arr)
    labels = rng.integers(0, 2, size=(40, 40))
    out = run("classify_embeddings", {"inputs": [str(path)], "features": points_on(labels, 200, names=["a", "b"]),
                                      "estimator": "logistic", "output": str(tmp_path / "c.tif")})
    m = out["metrics"]
    assert m["chance_balanced_accuracy"] == 0.5
    assert m["balanced_accuracy"]["low"] <= 0.5 <= m["balanced_accuracy"]["high"]
    assert m["accuracy"]["low"] <= 0.5 <= m["accuracy"]["high"]
    assert m["balanced_accuracy"]["high"] - m["balanced_accuracy"]["low"] < 0.2   # a real interval, not [0, 1]


def test_spatial_cv_scores_lower_than_random_cv_on_autocorrelated_data(tmp_path):
    arr, labels = patchy()
    path = write_embedding(tmp_path / "patchy.tif", arr)
    feats = points_on(labels, 300, seed=2, names=["a", "b"])
    common = {"inputs": [str(path)], "features": feats, "estimator": "knn"}
    rand = run("classify_embeddings", dict(common, validation="kfold", output=str(tmp_path / "r.tif")))
    spat = run("classify_embeddings", dict(common, validation="spatial_kfold", block_size=400,
                                           output=str(tmp_path / "s.tif")))
    r, s = rand["metrics"]["balanced_accuracy"], spat["metrics"]["balanced_accuracy"]
    assert r["value"] > 0.95                     # neighbours on the map leak across random folds
    assert s["value"] < r["value"] - 0.25 and s["high"] < r["low"]
    assert "spatial 5-fold" in spat["validation"]


def test_too_few_blocks_for_spatial_cv_says_what_to_do(planted, tmp_path):
    path, _, labels = planted
    with pytest.raises(SpecError, match="smaller block size"):
        run("classify_embeddings", {"inputs": [str(path)], "features": points_on(labels, 10), "estimator": "knn",
                                    "validation": "spatial_kfold", "block_size": 10_000,
                                    "output": str(tmp_path / "c.tif")})


def test_holdout_layer_validates_the_model(planted, tmp_path):
    path, _, labels = planted
    out = run("classify_embeddings", {"inputs": [str(path)], "features": points_on(labels, 10, seed=1),
                                      "holdout": points_on(labels, 20, seed=9), "validation": "holdout",
                                      "estimator": "knn", "output": str(tmp_path / "c.tif")})
    assert out["metrics"]["n"] == 60 and out["metrics"]["accuracy"]["value"] >= 0.99
    assert "held-out" in out["validation"]


def test_fusion_of_two_rasters_on_different_grids(tmp_path):
    """Class = (fine pattern in raster A) x (coarse pattern in raster B, at
    20 m): only the stack separates the four classes."""
    rng = np.random.default_rng(0)
    h, w = 40, 40
    bit_a = (np.arange(w)[None, :] // 5 % 2) * np.ones((h, 1), int)
    bit_b_coarse = (np.arange(h // 2)[:, None] // 5 % 2) * np.ones((1, w // 2), int)
    bit_b = np.kron(bit_b_coarse, np.ones((2, 2), int))
    a = (np.stack([bit_a * 3.0, -bit_a * 3.0]) + 0.1 * rng.normal(size=(2, h, w))).astype(np.float32)
    b_coarse = np.stack([bit_b_coarse * 3.0, bit_b_coarse * 2.0]).astype(np.float32)
    pa = write_embedding(tmp_path / "a.tif", a, model="model_a")
    pb = write_embedding(tmp_path / "b.tif", b_coarse, res=20.0, model="model_b")
    labels = bit_a + 2 * bit_b
    feats = points_on(labels, 25, names=["00", "01", "10", "11"])
    out = run("classify_embeddings", {"inputs": [str(pa), str(pb)], "features": feats, "estimator": "logistic",
                                      "output": str(tmp_path / "c.tif"), "model_output": str(tmp_path / "m.skops")})
    assert out["metrics"]["accuracy"]["value"] >= 0.99
    got, _, _ = read(tmp_path / "c.tif")
    np.testing.assert_array_equal(got, labels + 1)
    alone = run("classify_embeddings", {"inputs": [str(pa)], "features": feats, "estimator": "logistic",
                                        "output": str(tmp_path / "a_only.tif")})
    assert alone["metrics"]["accuracy"]["value"] < 0.75


def test_polygons_take_the_pixels_whose_centres_they_hold(planted):
    from rs_embed_qgis.embedders.learn.samples import labelled_pixels
    from rs_embed_qgis.embedders.learn.stack import Stack

    path, arr, _ = planted
    tiny = box_wkt(40, 70, 41, 71).split("((")[1]
    x0, y0 = (float(v) for v in tiny.split(",")[0].split())
    sliver = f"POLYGON (({x0} {y0}, {x0 + 2} {y0}, {x0 + 2} {y0 - 2}, {x0} {y0 - 2}, {x0} {y0}))"  # holds no centre
    feats = [{"wkt": box_wkt(20, 10, 25, 20), "value": "a"}, {"wkt": sliver, "value": "b"},
             {"wkt": box_wkt(0, 0, 2, 2), "value": "nodata corner"}, {"xy": [0.0, 0.0], "value": "far away"}]
    with Stack([path]) as st:
        s = labelled_pixels(st, feats, block_mb=0.01)     # many small blocks: polygons span several
    assert s.values.count("a") == 50 and s.values.count("b") == 1 and "nodata corner" not in s.values
    assert s.dropped_nodata == 4 and s.outside == 1
    i = s.values.index("b")
    np.testing.assert_allclose(s.x[i], arr[:, 40, 70])
    rows = [v == "a" for v in s.values]
    np.testing.assert_allclose(np.sort(s.x[rows], axis=0), np.sort(arr[:, 20:25, 10:20].reshape(12, -1).T, axis=0))


def test_failures_leave_nothing(planted, tmp_path):
    path, _, labels = planted
    one_class = [f for f in points_on(labels, 5) if f["value"] == "crop"]
    base = {"inputs": [str(path)], "estimator": "knn", "output": str(tmp_path / "c.tif"),
            "report": str(tmp_path / "r.html"), "model_output": str(tmp_path / "m.skops")}
    with pytest.raises(SpecError, match="single class"):
        run("classify_embeddings", dict(base, features=one_class))
    with pytest.raises(DataUnavailableError, match="do not overlap"):
        run("classify_embeddings", dict(base, features=[{"xy": [0, 0], "value": "a"}, {"xy": [1, 1], "value": "b"}]))
    with pytest.raises(SpecError, match="also an input"):
        run("classify_embeddings", dict(base, features=points_on(labels, 5), output=str(path)))
    with pytest.raises(SpecError, match="Unknown estimator"):
        run("classify_embeddings", dict(base, features=points_on(labels, 5), estimator="svm"))
    assert sorted(p.name for p in tmp_path.iterdir()) == []
