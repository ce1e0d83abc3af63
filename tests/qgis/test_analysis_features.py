"""embed_features (batched pooled embeddings per feature) and embedding_change
running the model for two years, with Tessera sample data in the real format
served from 127.0.0.1."""
from __future__ import annotations

import numpy as np
import pytest
import rasterio

from fixtures_analysis import serve_tessera, tessera_mirror
from rs_embed_qgis.embedders import (BBox, DataUnavailableError, OutputSpec, PointBuffer, TemporalSpec,
                                     get_embedding, get_embeddings_batch)

Y = TemporalSpec.year(2024)
LAND = [(0.13, 52.03), (0.27, 52.07)]
OCEAN = (0.65, 52.05)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return tessera_mirror(tmp_path_factory.mktemp("tessera"))


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


def test_batch_on_error_return_keeps_going(tessera):
    rois = [PointBuffer(*LAND[0], 300), PointBuffer(*OCEAN, 300), PointBuffer(*LAND[1], 300)]
    out = get_embeddings_batch("tessera", spatials=rois, temporal=Y, on_error="return")
    assert isinstance(out[1], DataUnavailableError) and "ocean" in str(out[1])
    for roi, emb in zip(rois[::2], out[::2]):
        ref = get_embedding("tessera", spatial=roi, temporal=Y, output=OutputSpec.pooled())
        np.testing.assert_array_equal(emb.data, ref.data)
    with pytest.raises(DataUnavailableError, match="ocean"):
        get_embeddings_batch("tessera", spatials=rois, temporal=Y)


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
        ref = get_embedding("tessera", spatial=PointBuffer(*pt, 300), temporal=Y, output=OutputSpec.pooled())
        vec = np.array([f[f"rse_e{j:03d}"] for j in range(128)])
        np.testing.assert_allclose(vec, ref.data, rtol=1e-6)
        np.testing.assert_allclose(arr[2 * i], ref.data, rtol=1e-6)
        assert f["rse_model"] == "tessera" and f["rse_coverage"] == pytest.approx(ref.meta["coverage_fraction"])
        assert f["model"] == "mine"
    from qgis.core import NULL

    ocean = feats[1]
    assert ocean["site"] == "site1" and ocean["rse_model"] == NULL and ocean["rse_e000"] == NULL


def test_embed_features_polygons_use_their_bounding_box(rs_provider, tessera, tmp_path):
    import processing
    from pyproj import Transformer
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    t = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    ring = [t.transform(x, y) for x, y in ((0.12, 52.02), (0.16, 52.025), (0.15, 52.06), (0.12, 52.02))]
    layer = QgsVectorLayer("Polygon?crs=EPSG:3857", "fields_layer", "memory")
    f = QgsFeature()
    f.setGeometry(QgsGeometry.fromWkt("POLYGON((" + ",".join(f"{x} {y}" for x, y in ring) + "))"))
    layer.dataProvider().addFeatures([f])
    res = processing.run("rs_embed:embed_features", {"INPUT": layer, "MODEL": "tessera", "YEAR": 2024,
                                                     "OUTPUT": "TEMPORARY_OUTPUT"})
    feat = next(res["OUTPUT"].getFeatures())
    ref = get_embedding("tessera", spatial=BBox(0.12, 52.02, 0.16, 52.06), temporal=Y, output=OutputSpec.pooled())
    np.testing.assert_allclose([feat[f"e{j:03d}"] for j in range(128)], ref.data, rtol=1e-5)
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
    with rasterio.open(tmp_path / "a.tif") as a, rasterio.open(tmp_path / "b.tif") as b, \
            rasterio.open(res["OUTPUT"]) as c:
        x, y, dist = a.read().astype(float), b.read().astype(float), c.read(1)
        assert a.tags()["RS_EMBED_TIME"] == "2022" and b.tags()["RS_EMBED_TIME"] == "2024"
        assert c.transform == a.transform
    exp = 1 - (x * y).sum(0) / (np.linalg.norm(x, axis=0) * np.linalg.norm(y, axis=0))
    np.testing.assert_allclose(dist, exp, atol=1e-5)
    assert np.nanmean(dist) > 1e-3 and res["GRID_A"] == str(tmp_path / "a.tif")
    same = processing.run("rs_embed:embedding_change", dict(params, YEAR_A=2024, GRID_A=None, GRID_B=None,
                                                             OUTPUT=str(tmp_path / "same.tif")))
    with rasterio.open(same["OUTPUT"]) as s:
        assert np.nanmax(np.abs(s.read(1))) < 1e-6
    assert "GRID_A" not in same
