"""classify_embeddings, apply_model and regress_embeddings through Processing,
the learning done in the core's worker (scikit-learn there): labelled
features read and transformed to the raster's CRS on the QGIS side, the
class map recovered, styled with class names, the model re-applied, and a
mismatched raster refused with the core's message."""
from __future__ import annotations

import numpy as np
import pytest

from core_fixtures import Raster, transform_xy, write_embedding
from fixtures_analysis import CRS, X0, Y0, clear_project, pixel_centre, planted_clusters, run_and_load

NAMES = ["crop", "forest", "water"]


@pytest.fixture(autouse=True)
def empty_project():
    yield
    clear_project()


def labelled_layer(kind, crs, items, field="landcover", ftype="string", name="training_layer"):
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    lyr = QgsVectorLayer(f"{kind}?crs={crs}&field={field}:{ftype}", name, "memory")
    feats = []
    for wkt, value in items:
        f = QgsFeature(lyr.fields())
        f.setGeometry(QgsGeometry.fromWkt(wkt))
        f.setAttributes([value])
        feats.append(f)
    lyr.dataProvider().addFeatures(feats)
    return lyr


def lonlat_points(labels, per_class, seed=0):
    """Random labelled pixels of each class as lon/lat points (another CRS than the raster's)."""
    rng = np.random.default_rng(seed)
    items = []
    for cls, name in enumerate(NAMES):
        rr, cc = np.nonzero(labels == cls)
        for j in rng.choice(len(rr), per_class, replace=False):
            lon, lat = transform_xy(*pixel_centre(rr[j], cc[j]), CRS, "EPSG:4326")
            items.append((f"POINT({lon} {lat})", name))
    items.append(("POINT(0 0)", None))   # NULL class: skipped with a warning
    return items


@pytest.fixture
def planted(tmp_path):
    arr, labels = planted_clusters()
    return write_embedding(tmp_path / "emb.tif", arr, model="tessera"), arr, labels


def test_classify_then_apply_through_processing(rs_provider, planted, tmp_path):
    import processing
    from osgeo import gdal
    from qgis.core import QgsPalettedRasterRenderer

    path, _, labels = planted
    training = labelled_layer("Point", "EPSG:4326", lonlat_points(labels, 15))
    out, conf = tmp_path / "classes.tif", tmp_path / "conf.tif"
    res, layers = run_and_load("classify_embeddings", {
        "INPUT": [str(path)], "TRAINING": training, "FIELD": "landcover", "CLASSIFIER": "logistic",
        "VALIDATION": "spatial_kfold", "BLOCK_SIZE": 200, "OUTPUT": str(out), "CONFIDENCE_OUTPUT": str(conf),
        "REPORT": str(tmp_path / "report.html"), "MODEL_OUTPUT": str(tmp_path / "model.skops")})
    assert res["ACCURACY"] >= 0.99 and res["BALANCED_ACCURACY"] >= 0.99
    got = Raster(out).band(1)
    expected = np.zeros_like(got)
    for cls, name in enumerate(NAMES):
        expected[labels == cls] = sorted(NAMES).index(name) + 1
    np.testing.assert_array_equal(got, expected)
    ds = gdal.Open(str(out))
    ds.GetGeoTransform()  # GDAL 3.6's GTiff loads the PAM sidecar lazily, not for GetCategoryNames alone
    assert ds.GetRasterBand(1).GetCategoryNames() == ["no data", *sorted(NAMES)]   # the PAM sidecar
    layer = layers[out.resolve()]
    assert isinstance(layer.renderer(), QgsPalettedRasterRenderer)
    assert [c.label for c in layer.renderer().classes()] == sorted(NAMES)
    assert layer.name() == "landcover logistic classes" and conf.resolve() in layers
    assert "spatial 5-fold" in (tmp_path / "report.html").read_text()
    assert (tmp_path / "report.csv").is_file() and (tmp_path / "report_confusion.png").is_file()

    applied = processing.run("rs_embed:apply_model", {
        "MODEL": str(tmp_path / "model.skops"), "INPUT": [str(path)], "OUTPUT": str(tmp_path / "again.tif"),
        "CONFIDENCE_OUTPUT": str(tmp_path / "again_conf.tif")})
    assert applied["TASK"] == "classification"
    np.testing.assert_array_equal(Raster(tmp_path / "again.tif").band(1), got)
    np.testing.assert_array_equal(Raster(tmp_path / "again_conf.tif").band(1), Raster(conf).band(1))


def test_apply_model_refuses_another_embedding_model(rs_provider, planted, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    path, arr, labels = planted
    training = labelled_layer("Point", "EPSG:4326", lonlat_points(labels, 5))
    processing.run("rs_embed:classify_embeddings", {
        "INPUT": [str(path)], "TRAINING": training, "FIELD": "landcover", "CLASSIFIER": "knn",
        "OUTPUT": str(tmp_path / "c.tif"), "CONFIDENCE_OUTPUT": None, "MODEL_OUTPUT": str(tmp_path / "m.skops")})
    other = write_embedding(tmp_path / "other.tif", arr, model="gse_annual")
    with pytest.raises(QgsProcessingException, match="'gse_annual' embeddings"):
        processing.run("rs_embed:apply_model", {"MODEL": str(tmp_path / "m.skops"), "INPUT": [str(other)],
                                                "OUTPUT": str(tmp_path / "x.tif")})
    assert not (tmp_path / "x.tif").exists()


def test_regress_from_polygons(rs_provider, tmp_path):
    import processing

    rng = np.random.default_rng(2)
    arr = rng.normal(size=(6, 40, 40)).astype(np.float32)
    w = rng.normal(size=6)
    truth = np.tensordot(w, arr.astype(np.float64), axes=1)
    path = write_embedding(tmp_path / "emb.tif", arr)
    items = []
    for r in range(0, 40, 4):
        for c in range(0, 40, 4):   # one-pixel squares in the raster's CRS
            x, y = X0 + c * 10 + 2, Y0 - r * 10 - 2
            items.append((f"POLYGON(({x} {y},{x + 6} {y},{x + 6} {y - 6},{x} {y - 6},{x} {y}))", float(truth[r, c])))
    training = labelled_layer("Polygon", CRS, items, field="height", ftype="double")
    res = processing.run("rs_embed:regress_embeddings", {
        "INPUT": [str(path)], "TRAINING": training, "FIELD": "height", "REGRESSOR": "linear",
        "OUTPUT": str(tmp_path / "pred.tif"), "REPORT": str(tmp_path / "r.html"),
        "MODEL_OUTPUT": str(tmp_path / "m.skops")})
    assert res["R2"] >= 0.99
    np.testing.assert_allclose(Raster(tmp_path / "pred.tif").band(1), truth, atol=0.05 * truth.std())
    assert (tmp_path / "r_observed.png").is_file()
    # applied as the toolbox runs it (both outputs to be loaded): the prediction stays in the load
    # list, the confidence leaves it, a regression having none
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProcessingOutputLayerDefinition, QgsProject

    ctx = QgsProcessingContext()
    ctx.setProject(QgsProject.instance())
    conf = str(tmp_path / "conf.tif")
    applied = processing.run("rs_embed:apply_model", {
        "MODEL": str(tmp_path / "m.skops"), "INPUT": [str(path)],
        "OUTPUT": QgsProcessingOutputLayerDefinition(str(tmp_path / "again.tif"), QgsProject.instance()),
        "CONFIDENCE_OUTPUT": QgsProcessingOutputLayerDefinition(conf, QgsProject.instance())},
        context=ctx, feedback=QgsProcessingFeedback())
    assert applied["TASK"] == "regression" and applied["CONFIDENCE_OUTPUT"] is None
    assert str(tmp_path / "again.tif") in ctx.layersToLoadOnCompletion() and conf not in ctx.layersToLoadOnCompletion()
    np.testing.assert_array_equal(Raster(tmp_path / "again.tif").band(1), Raster(tmp_path / "pred.tif").band(1))


def test_the_option_lists_match_the_core():
    from rs_embed_qgis.embedders.learn import estimators
    from rs_embed_qgis.processing_provider import classify_embeddings, regress_embeddings

    assert classify_embeddings.CLASSIFIERS == estimators.CLASSIFIERS
    assert regress_embeddings.REGRESSORS == estimators.REGRESSORS
