"""similarity_map, cluster_embeddings, pca_rgb and embedding_change (on two
rasters) through processing.run, the work done in the core's worker, on
constructed embedding GeoTIFFs (written by the core's own writer, read back
with GDAL): known answers, styled layers on load, clear errors."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core_fixtures import Raster, transform_xy, write_embedding
from fixtures_analysis import (CRS, X0, Y0, clear_project, cosine_reference, pixel_centre,
                               planted_clusters, run_and_load)


@pytest.fixture
def planted(tmp_path):
    arr, labels = planted_clusters()
    return write_embedding(tmp_path / "emb.tif", arr), arr, labels


@pytest.fixture(autouse=True)
def empty_project():
    yield
    clear_project()


def memory_layer(kind, crs, geoms_wkt, name="refs_layer"):
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    lyr = QgsVectorLayer(f"{kind}?crs={crs}&field=name:string", name, "memory")
    feats = []
    for i, wkt in enumerate(geoms_wkt):
        f = QgsFeature(lyr.fields())
        f.setGeometry(QgsGeometry.fromWkt(wkt))
        f.setAttributes([f"f{i}"])
        feats.append(f)
    lyr.dataProvider().addFeatures(feats)
    return lyr


def read1(path):
    r = Raster(path)
    return r.band(1), r.tags


def test_similarity_map_point_layer_in_another_crs_and_style(rs_provider, planted, tmp_path):
    from qgis.core import QgsSingleBandPseudoColorRenderer

    path, arr, _ = planted
    r, c = 30, 60
    lon, lat = transform_xy(*pixel_centre(r, c), CRS, "EPSG:4326")
    refs = memory_layer("Point", "EPSG:4326", [f"POINT({lon} {lat})"])
    out = tmp_path / "sim.tif"
    res, layers = run_and_load("similarity_map", {"INPUT": str(path), "REFERENCES": refs, "OUTPUT": str(out)})
    got, tags = read1(out)
    assert got[r, c] == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(got, cosine_reference(arr, arr[:, r, c]), atol=1e-5)
    assert res["REFERENCE_COUNT"] == 1 and res["MEAN_SIMILARITY"] == pytest.approx(np.nanmean(got), abs=1e-3)
    layer = layers[out.resolve()]
    assert layer.isValid() and isinstance(layer.renderer(), QgsSingleBandPseudoColorRenderer)
    lo, hi = (float(v) for v in tags["RS_EMBED_STRETCH"].split(","))
    assert (layer.renderer().classificationMin(), layer.renderer().classificationMax()) == pytest.approx((lo, hi))
    assert layer.name() == "emb similarity"


def test_similarity_map_polygon_and_point_parameter(rs_provider, planted, tmp_path):
    import processing

    path, arr, _ = planted
    x0, y1 = X0 + 100, Y0 - 200                                   # pixels rows 20..24, cols 10..19
    poly = memory_layer("Polygon", CRS, [f"POLYGON(({x0} {y1},{x0 + 100} {y1},{x0 + 100} {y1 - 50},"
                                         f"{x0} {y1 - 50},{x0} {y1}))"])
    out = tmp_path / "sim.tif"
    processing.run("rs_embed:similarity_map", {"INPUT": str(path), "REFERENCES": poly, "OUTPUT": str(out)})
    np.testing.assert_allclose(read1(out)[0], cosine_reference(arr, arr[:, 20:25, 10:20].mean(axis=(1, 2))), atol=1e-5)
    x, y = pixel_centre(50, 5)
    res = processing.run("rs_embed:similarity_map", {
        "INPUT": str(path), "POINT": f"{x},{y} [{CRS}]", "OUTPUT": str(tmp_path / "p.tif")})
    assert read1(tmp_path / "p.tif")[0][50, 5] == pytest.approx(1.0, abs=1e-6) and res["REFERENCE_COUNT"] == 1


def test_similarity_map_errors(rs_provider, planted, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    path, _, _ = planted
    with pytest.raises(QgsProcessingException, match="Give reference points or polygons"):
        processing.run("rs_embed:similarity_map", {"INPUT": str(path), "OUTPUT": str(tmp_path / "s.tif")})
    with pytest.raises(QgsProcessingException, match="outside the raster"):
        processing.run("rs_embed:similarity_map", {"INPUT": str(path), "POINT": "0,0 [EPSG:4326]",
                                                   "OUTPUT": str(tmp_path / "s.tif")})
    assert not (tmp_path / "s.tif").exists()


def test_cluster_embeddings_recovers_planted_clusters_with_palette(rs_provider, planted, tmp_path):
    from qgis.core import QgsPalettedRasterRenderer

    path, _, labels = planted
    out = tmp_path / "k.tif"
    res, layers = run_and_load("cluster_embeddings", {"INPUT": str(path), "K": 3, "SEED": 2,
                                                      "SAMPLE_SIZE": 2000, "OUTPUT": str(out)})
    got, _ = read1(out)
    assert (got[labels == -1] == 0).all()
    pairs = set(zip(labels[labels >= 0], got[labels >= 0]))       # planted -> found, one to one
    assert len(pairs) == 3 and {g for _, g in pairs} == {1, 2, 3}
    assert __import__("json").loads(res["CLUSTER_SIZES"]) == [int((got == k).sum()) for k in (1, 2, 3)]
    renderer = layers[out.resolve()].renderer()
    assert isinstance(renderer, QgsPalettedRasterRenderer)
    assert [(c.value, c.label) for c in renderer.classes()] == [(1, "cluster 1"), (2, "cluster 2"), (3, "cluster 3")]
    assert layers[out.resolve()].name() == "emb k-means 3"


def test_pca_rgb_separates_planted_halves_and_is_styled(rs_provider, planted, tmp_path):
    from qgis.core import QgsMultiBandColorRenderer

    path, _, labels = planted
    out = tmp_path / "pca.tif"
    _, layers = run_and_load("pca_rgb", {"INPUT": str(path), "OUTPUT": str(out)})
    ds = Raster(out)
    rgba = ds.data
    assert ds.count == 4 and ds.dtype == "Byte" and ds.crs == CRS
    assert (rgba[3][labels == -1] == 0).all() and (rgba[3][labels >= 0] == 255).all()
    # the three planted groups get three clearly different colours
    means = [rgba[:3, labels == k].mean(axis=1) for k in (0, 1, 2)]
    assert min(np.abs(means[i] - means[j]).max() for i, j in ((0, 1), (0, 2), (1, 2))) > 60
    renderer = layers[out.resolve()].renderer()
    assert isinstance(renderer, QgsMultiBandColorRenderer) and renderer.alphaBand() == 4


def test_embedding_change_on_two_rasters(rs_provider, planted, tmp_path):
    from qgis.core import QgsSingleBandPseudoColorRenderer

    path, arr, _ = planted
    later = arr.copy()
    later[:, 40:50, 20:30] *= -1
    b = write_embedding(tmp_path / "later.tif", later, year=2025)
    out = tmp_path / "change.tif"
    res, layers = run_and_load("embedding_change", {"INPUT_A": str(path), "INPUT_B": str(b), "OUTPUT": str(out)})
    got, tags = read1(out)
    np.testing.assert_allclose(got[40:50, 20:30], 2.0, atol=1e-5)
    mask = np.ones(got.shape, bool)
    mask[40:50, 20:30] = False
    assert np.nanmax(np.abs(got[mask])) < 1e-6 and np.isnan(got[:3, :4]).all()
    assert res["MEAN_DISTANCE"] == pytest.approx(np.nanmean(got), abs=1e-4)
    assert tags["RS_EMBED_TIME_B"] == "2025"
    assert isinstance(layers[out.resolve()].renderer(), QgsSingleBandPseudoColorRenderer)


def test_embedding_change_input_errors(rs_provider, planted, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    path, _, _ = planted
    with pytest.raises(QgsProcessingException, match="Give both embeddings A and B"):
        processing.run("rs_embed:embedding_change", {"INPUT_A": str(path), "OUTPUT": str(tmp_path / "c.tif")})
    with pytest.raises(QgsProcessingException, match="or an extent with a model and two years"):
        processing.run("rs_embed:embedding_change", {"OUTPUT": str(tmp_path / "c.tif")})
    other = write_embedding(tmp_path / "o.tif", np.ones((5, 10, 10)))
    with pytest.raises(QgsProcessingException, match="12 bands and raster B 5"):
        processing.run("rs_embed:embedding_change", {"INPUT_A": str(path), "INPUT_B": str(other),
                                                     "OUTPUT": str(tmp_path / "c.tif")})
    assert not Path(tmp_path / "c.tif").exists()


def test_cancelling_leaves_no_output(rs_provider, planted, tmp_path):
    import processing
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    class CancelSoon(QgsProcessingFeedback):
        def setProgress(self, p):  # noqa: N802
            super().setProgress(p)
            if p > 0:
                self.cancel()

    path, _, _ = planted
    x, y = pixel_centre(30, 60)
    for alg_id, extra in (("similarity_map", {"POINT": f"{x},{y} [{CRS}]"}), ("cluster_embeddings", {"K": 3})):
        with pytest.raises(QgsProcessingException, match="Cancel"):
            processing.run(f"rs_embed:{alg_id}", {"INPUT": str(path), "BLOCK_MB": 4, "OUTPUT": str(tmp_path / "o.tif"),
                                                  **extra}, feedback=CancelSoon())
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tif" or p.name.startswith(".")] == ["emb.tif"]
