"""Embed ROI as users run it: processing.run (toolbox, modeler) and the real
qgis_process.bin, the work done in the core's worker, on Tessera data in the
real format (written by the core's Python: scripts/tessera_sample.py); grids
read back with GDAL and compared with the core's own output for the same
request (computed by the core's Python); bad input and cancel leave no files;
the PCA layer renders with varying colours."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core_fixtures import Raster, core, transform_xy
from qgis_process_helpers import run_qgis_process

EXTENT_4326 = "0.12,0.28,52.01,52.09 [EPSG:4326]"


@pytest.fixture(scope="module")
def sample_env(tmp_path_factory):
    """The demo data set (tiles at 100 m) and the RS_EMBED_TESSERA_* variables
    that point the core at it (they travel with each job to the worker)."""
    return core("tessera_demo", tmp_path_factory.mktemp("tessera_sample"))["env"]


@pytest.fixture(autouse=True)
def tessera_env(sample_env, monkeypatch):
    for k, v in sample_env.items():
        monkeypatch.setenv(k, v)


@pytest.fixture(scope="module", autouse=True)
def worker_stopped_after():
    from rs_embed_qgis.embedders import jobclient

    yield
    jobclient.shutdown()


def core_grid(tmp_path, params):
    """The core's own grid for a job's params, computed by the core's Python:
    (array, GDAL geotransform, CRS)."""
    got = core("embed", json.dumps(params), tmp_path / "core_grid.npy")
    a, b, c, d, e, f = got["transform"]
    return np.load(got["path"]), (c, a, b, f, d, e), got["crs"]


def run_alg(params, feedback=None, context=None):
    import processing

    return processing.run("rs_embed:embed_roi", params, feedback=feedback, context=context)


def test_embed_roi_writes_grid_pca_and_pooled(rs_provider, tmp_path):
    out, pca, pooled = tmp_path / "emb.tif", tmp_path / "pca.tif", tmp_path / "pooled.gpkg"
    # Extent in Web Mercator: any CRS is accepted and transformed.
    x0, y0 = transform_xy(0.12, 52.01, "EPSG:4326", "EPSG:3857")
    x1, y1 = transform_xy(0.28, 52.09, "EPSG:4326", "EPSG:3857")
    res = run_alg({"EXTENT": f"{x0},{x1},{y0},{y1} [EPSG:3857]", "MODEL": "tessera", "YEAR": 2024,
                   "OUTPUT": str(out), "PCA_OUTPUT": str(pca), "POOLED_OUTPUT": str(pooled)})
    assert res["DIM"] == 128 and 0.99 <= res["COVERAGE"] <= 1.0
    src = Raster(out)
    assert src.count == 128 and src.dtype == "Float32" and src.epsg == 32631
    assert src.tags["RS_EMBED_MODEL"] == "tessera" and src.tags["RS_EMBED_TIME"] == "2024"
    assert src.descriptions[0].startswith("tessera")
    grid = src.data
    p = Raster(pca)
    assert p.count == 4 and p.epsg == 32631
    from qgis.core import QgsVectorLayer

    lyr = QgsVectorLayer(str(pooled), "pooled_layer", "ogr")
    assert lyr.isValid() and lyr.featureCount() == 1
    feat = next(lyr.getFeatures())
    vec = np.array([feat[f"e{i:03d}"] for i in range(128)])
    valid = np.isfinite(grid).all(axis=0)
    np.testing.assert_allclose(vec, grid[:, valid].mean(axis=1), rtol=1e-5, atol=1e-6)
    assert feat["model"] == "tessera"


def test_embed_roi_equals_core(rs_provider, tmp_path):
    out = tmp_path / "emb.tif"
    run_alg({"EXTENT": EXTENT_4326, "MODEL": "tessera", "YEAR": 2024, "OUTPUT": str(out)})
    ref, transform, crs = core_grid(tmp_path, {"model": "tessera", "spatial": {"bbox": [0.12, 52.01, 0.28, 52.09]},
                                               "temporal": {"year": 2024}})
    src = Raster(out)
    assert ref.shape[0] == 128 and np.isfinite(ref).any()
    np.testing.assert_array_equal(src.data, ref)
    assert src.transform == pytest.approx(transform) and src.crs == crs


@pytest.mark.parametrize("extent, words", [
    ("0.28,0.12,52.01,52.09 [EPSG:4326]", "inverted"),
    ("0.12,0.12,52.01,52.09 [EPSG:4326]", "empty"),
    ("1e9,2e9,1e9,2e9 [EPSG:3857]", "not on Earth"),
    ("-30.2,-30.1,40.0,40.1 [EPSG:4326]", "ocean"),
])
def test_bad_extent_gives_clear_error_and_no_file(rs_provider, tmp_path, extent, words):
    from qgis.core import QgsProcessingException

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(QgsProcessingException, match=words):
        run_alg({"EXTENT": extent, "MODEL": "tessera", "YEAR": 2024,
                 "OUTPUT": str(tmp_path / "e.tif"), "PCA_OUTPUT": str(tmp_path / "p.tif")})
    assert list(tmp_path.glob("*.tif")) == [] and list(tmp_path.glob(".*")) == []


def test_year_outside_coverage_names_available_years(rs_provider, tmp_path):
    from qgis.core import QgsProcessingException

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(QgsProcessingException, match="2024"):
        run_alg({"EXTENT": EXTENT_4326, "MODEL": "tessera", "YEAR": 2019,
                 "OUTPUT": str(tmp_path / "e.tif")})
    assert list(tmp_path.iterdir()) == []


def test_dates_half_filled_is_an_error(rs_provider, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="both a start and an end"):
        run_alg({"EXTENT": EXTENT_4326, "MODEL": "tessera", "START_DATE": "2024-01-01",
                 "OUTPUT": str(tmp_path / "e.tif")})


def test_cancel_leaves_no_partial_file(rs_provider, tmp_path):
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    class CancelSoon(QgsProcessingFeedback):
        def setProgress(self, p):  # noqa: N802
            super().setProgress(p)
            if p > 0:
                self.cancel()

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(QgsProcessingException, match="Cancel"):
        run_alg({"EXTENT": EXTENT_4326, "MODEL": "tessera", "YEAR": 2024,
                 "OUTPUT": str(tmp_path / "e.tif"), "PCA_OUTPUT": str(tmp_path / "p.tif")},
                feedback=CancelSoon())
    assert list(tmp_path.iterdir()) == []


def test_qgis_process_headless(sample_env, tmp_path):
    out, pca = tmp_path / "emb.tif", tmp_path / "pca.tif"
    rc, res, log = run_qgis_process(
        tmp_path / "profile", "rs_embed:embed_roi",
        {"EXTENT": EXTENT_4326, "MODEL": "tessera", "YEAR": 2024, "OUTPUT": out, "PCA_OUTPUT": pca},
        extra_env=dict(sample_env))
    assert rc == 0, log
    assert res["results"]["OUTPUT"] == str(out) and res["results"]["DIM"] == 128
    src = Raster(out)
    assert src.count == 128 and src.epsg == 32631
    assert json.loads(res["results"]["METADATA"])["model"] == "tessera"
    assert pca.exists()


def test_qgis_process_bad_year_fails_cleanly(sample_env, tmp_path):
    out = tmp_path / "emb.tif"
    rc, _res, log = run_qgis_process(
        tmp_path / "profile", "rs_embed:embed_roi",
        {"EXTENT": EXTENT_4326, "MODEL": "tessera", "YEAR": 2018, "OUTPUT": out},
        extra_env=dict(sample_env))
    assert rc != 0 and "2024" in log and not out.exists()


def test_loaded_pca_layer_is_styled_and_renders_colours(rs_provider, tmp_path, qgis_iface):
    """The toolbox path: outputs load on completion and the post-processor styles the PCA."""
    import processing
    from qgis.core import QgsMultiBandColorRenderer, QgsProject
    from qgis.PyQt.QtGui import QImage

    from rs_embed_qgis.qgis_common.render import render_layers_png

    pca = tmp_path / "pca.tif"
    processing.runAndLoadResults("rs_embed:embed_roi", {
        "EXTENT": EXTENT_4326, "MODEL": "tessera", "YEAR": 2024,
        "OUTPUT": str(tmp_path / "emb.tif"), "PCA_OUTPUT": str(pca)})
    layers = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.source() == str(pca)]
    assert len(layers) == 1
    layer = layers[0]
    assert "PCA" in layer.name()
    r = layer.renderer()
    assert isinstance(r, QgsMultiBandColorRenderer)
    assert (r.redBand(), r.greenBand(), r.blueBand(), r.alphaBand()) == (1, 2, 3, 4)
    assert r.redContrastEnhancement().maximumValue() == 255
    png = tmp_path / "pca.png"
    render_layers_png([layer], png, width=300)
    img = QImage(str(png))
    colours = {img.pixel(x, y) for x in range(0, img.width(), 5) for y in range(0, img.height(), 5)}
    assert len(colours) > 50  # colours vary across the ROI
    QgsProject.instance().removeAllMapLayers()


def test_runs_twice_as_a_background_task_like_the_toolbox(rs_provider, tmp_path):
    """The toolbox runs processAlgorithm on pooled Qt threads (QgsProcessingAlgRunnerTask);
    two runs in a row must both complete (pyproj state on reused Qt threads)."""
    import time

    from qgis.core import (QgsApplication, QgsProcessingAlgRunnerTask, QgsProcessingContext,
                           QgsProcessingFeedback, QgsProject)

    for i in range(2):
        context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
        context.setProject(QgsProject.instance())
        out = tmp_path / f"emb{i}.tif"
        alg = QgsApplication.processingRegistry().createAlgorithmById("rs_embed:embed_roi")
        task = QgsProcessingAlgRunnerTask(alg, {"EXTENT": EXTENT_4326, "MODEL": "tessera", "YEAR": 2024,
                                                "OUTPUT": str(out)}, context, feedback)
        done = {}
        task.executed.connect(lambda ok, results: done.update(ok=ok, results=results))
        QgsApplication.taskManager().addTask(task)
        deadline = time.time() + 120
        while "ok" not in done and time.time() < deadline:
            QgsApplication.processEvents()
        assert done.get("ok") and done["results"]["OUTPUT"] == str(out)
        assert Raster(out).count == 128


def test_help_lists_every_model_with_its_input_needs(rs_provider):
    from qgis.core import QgsApplication

    from rs_embed_qgis.embedders import catalog

    alg = QgsApplication.processingRegistry().algorithmById("rs_embed:embed_roi")
    text = alg.shortHelpString()
    for m in catalog.MODELS:
        assert m.id in text and m.label in text   # e.g. "6 Sentinel-2 bands" for prithvi_s2_6b
    opts = alg.parameterDefinition("MODEL").options()
    assert opts == catalog.model_ids()
    for name in ("INPUT_PREP", "DEVICE", "BACKEND", "CLOUD_MAX", "COMPOSITE"):
        assert alg.parameterDefinition(name).flags() & alg.parameterDefinition(name).FlagAdvanced


def test_model_options_are_checked_before_the_worker_runs(rs_provider, tmp_path):
    from qgis.core import QgsApplication, QgsProcessingException

    with pytest.raises(QgsProcessingException, match=r"prithvi_s2_6b takes no option 'frame'.*frames"):
        run_alg({"EXTENT": EXTENT_4326, "MODEL": "prithvi_s2_6b", "START_DATE": "2024-06-01",
                 "END_DATE": "2024-09-01", "MODEL_OPTIONS": "frame=3", "OUTPUT": str(tmp_path / "e.tif")})
    assert list(tmp_path.iterdir()) == []
    alg = QgsApplication.processingRegistry().algorithmById("rs_embed:embed_roi")
    assert alg.parameterDefinition("MODEL_OPTIONS").flags() & alg.parameterDefinition("MODEL_OPTIONS").FlagAdvanced
    from rs_embed_qgis.embedders import catalog

    takers = [m.id for m in catalog.MODELS if "frames" in m.options]
    assert {"prithvi_s2_6b", "prithvi_s2_6b_tl"} <= set(takers)
    assert f"- frames ({', '.join(takers)}): " in alg.shortHelpString()
