"""embed_features (batched pooled embeddings per feature) and embedding_change
running the model for two years, in the core's worker, with Tessera sample
data in the real format (made by the core's Python) served from 127.0.0.1.
Reference vectors come from the core's own get_embedding (core_cli pooled)."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from core_fixtures import Raster, core, transform_xy
from fixtures_analysis import serve_tessera

LAND = [(0.13, 52.03), (0.27, 52.07)]
OCEAN = (0.65, 52.05)


pytestmark = pytest.mark.usefixtures("fresh_workers")  # each test its own worker


def pooled_ref(spatial):
    """The core's pooled Tessera vector of a spatial spec (job terms) for 2024."""
    return core("pooled", "tessera", json.dumps(spatial), 2024)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return SimpleNamespace(root=Path(core("tessera_mirror", tmp_path_factory.mktemp("tessera"))["root"]))


@pytest.fixture
def tessera(mirror, loopback, monkeypatch):
    return serve_tessera(mirror, loopback, monkeypatch)


def point_layer(points, crs="EPSG:4326"):
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

    lyr = QgsVectorLayer(f"Point?crs={crs}&field=site:string&field=model:string", "sites_layer", "memory")
    feats = []
    for i, (x, y) in enumerate(points):
        f = QgsFeature(lyr.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        f.setAttributes([f"site{i}", "mine"])
        feats.append(f)
    lyr.dataProvider().addFeatures(feats)
    return lyr


def test_embed_features_points_with_a_failing_one(rs_provider, tessera, tmp_path):
    import processing
    from qgis.core import QgsVectorLayer

    layer = point_layer(LAND[:1] + [OCEAN] + LAND[1:])
    out, npy = tmp_path / "feat.gpkg", tmp_path / "feat.npy"
    res = processing.run("rs_embed:embed_features", {
        "INPUT": layer, "MODEL": "tessera", "YEAR": 2024, "BUFFER": 300,
        "OUTPUT": str(out), "ARRAY_OUTPUT": str(npy)})
    assert res["FAILED"] == 1 and res["DIM"] == 128
    got = QgsVectorLayer(str(res["OUTPUT"]), "embedded_layer", "ogr")
    assert got.isValid() and got.featureCount() == 3
    names = [f.name() for f in got.fields()]
    # 'model' exists in the input: the added fields are prefixed
    assert names[1:5] == ["site", "model", "rse_model", "rse_coverage"] and names[-1] == "rse_e127"
    arr = np.load(npy)
    assert arr.shape == (3, 128) and np.isnan(arr[1]).all()
    feats = sorted(got.getFeatures(), key=lambda f: f["site"])
    for i, (f, pt) in enumerate(zip(feats[::2], LAND)):
        ref = pooled_ref({"point": list(pt), "buffer_m": 300})
        vec = np.array([f[f"rse_e{j:03d}"] for j in range(128)])
        np.testing.assert_allclose(vec, ref["vector"], rtol=1e-6)
        np.testing.assert_allclose(arr[2 * i], ref["vector"], rtol=1e-6)
        assert f["rse_model"] == "tessera" and f["rse_coverage"] == pytest.approx(ref["coverage"])
        assert f["model"] == "mine"
    from qgis.core import NULL

    ocean = feats[1]
    assert ocean["site"] == "site1" and ocean["rse_model"] == NULL and ocean["rse_e000"] == NULL


def test_embed_features_polygons_use_their_bounding_box(rs_provider, tessera, tmp_path):
    import processing
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    ring = [transform_xy(x, y, "EPSG:4326", "EPSG:3857")
            for x, y in ((0.12, 52.02), (0.16, 52.025), (0.15, 52.06), (0.12, 52.02))]
    layer = QgsVectorLayer("Polygon?crs=EPSG:3857", "fields_layer", "memory")
    f = QgsFeature()
    f.setGeometry(QgsGeometry.fromWkt("POLYGON((" + ",".join(f"{x} {y}" for x, y in ring) + "))"))
    layer.dataProvider().addFeatures([f])
    res = processing.run("rs_embed:embed_features", {"INPUT": layer, "MODEL": "tessera", "YEAR": 2024,
                                                     "OUTPUT": "TEMPORARY_OUTPUT"})
    feat = next(res["OUTPUT"].getFeatures())
    ref = pooled_ref({"bbox": [0.12, 52.02, 0.16, 52.06]})
    np.testing.assert_allclose([feat[f"e{j:03d}"] for j in range(128)], ref["vector"], rtol=1e-5)
    assert feat["model"] == "tessera"


def test_embed_features_all_failing_is_an_error(rs_provider, tessera, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="No feature could be embedded: .*ocean"):
        processing.run("rs_embed:embed_features", {"INPUT": point_layer([OCEAN]), "MODEL": "tessera",
                                                   "YEAR": 2024, "OUTPUT": str(tmp_path / "x.gpkg")})


def test_embedding_change_runs_the_model_for_both_years(rs_provider, tessera, tmp_path):
    import processing

    params = {"EXTENT": "0.21,0.29,52.02,52.08 [EPSG:4326]", "MODEL": "tessera", "YEAR_A": 2022,
              "YEAR_B": 2024, "OUTPUT": str(tmp_path / "change.tif"),
              "GRID_A": str(tmp_path / "a.tif"), "GRID_B": str(tmp_path / "b.tif")}
    res = processing.run("rs_embed:embedding_change", params)
    a, b, c = Raster(tmp_path / "a.tif"), Raster(tmp_path / "b.tif"), Raster(res["OUTPUT"])
    x, y, dist = a.data.astype(float), b.data.astype(float), c.band(1)
    assert a.tags["RS_EMBED_TIME"] == "2022" and b.tags["RS_EMBED_TIME"] == "2024"
    assert c.transform == a.transform
    exp = 1 - (x * y).sum(0) / (np.linalg.norm(x, axis=0) * np.linalg.norm(y, axis=0))
    np.testing.assert_allclose(dist, exp, atol=1e-5)
    assert np.nanmean(dist) > 1e-3 and res["GRID_A"] == str(tmp_path / "a.tif")
    same = processing.run("rs_embed:embedding_change", dict(params, YEAR_A=2024, GRID_A=None, GRID_B=None,
                                                             OUTPUT=str(tmp_path / "same.tif")))
    assert np.nanmax(np.abs(Raster(same["OUTPUT"]).band(1))) < 1e-6
    assert "GRID_A" not in same


def test_embed_features_array_and_layer_succeed_or_fail_together(rs_provider, tessera, tmp_path):
    """An array output that cannot be written fails the run before any layer is written."""
    import processing
    from qgis.core import QgsProcessingException

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    (tmp_path / "file").write_text("not a folder")
    out = tmp_path / "feat.gpkg"
    with pytest.raises(QgsProcessingException) as err:
        processing.run("rs_embed:embed_features", {
            "INPUT": point_layer(LAND), "MODEL": "tessera", "YEAR": 2024, "BUFFER": 300,
            "OUTPUT": str(out), "ARRAY_OUTPUT": str(tmp_path / "file" / "feat.npy")})
    assert str(tmp_path / "file") in str(err.value)
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_embed_features_leaves_no_temporary_vectors(rs_provider, tessera, tmp_path):
    import processing

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    res = processing.run("rs_embed:embed_features", {
        "INPUT": point_layer(LAND), "MODEL": "tessera", "YEAR": 2024, "BUFFER": 300,
        "OUTPUT": str(tmp_path / "feat.gpkg"), "ARRAY_OUTPUT": str(tmp_path / "feat.npy")})
    assert res["FAILED"] == 0 and np.load(tmp_path / "feat.npy").shape == (2, 128)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".npy", ".gpkg")) == ["feat.gpkg", "feat.npy"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
