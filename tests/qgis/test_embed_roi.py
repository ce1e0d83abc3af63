"""Embed ROI as users run it: processing.run (toolbox, modeler) and the real
qgis_process.bin, on Tessera data in the real format; bad input and cancel
leave no files; the PCA layer renders with varying colours."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import tessera_sample as ts  # noqa: E402

from qgis_process_helpers import run_qgis_process  # noqa: E402
from rs_embed_qgis.embedders import BBox, OutputSpec, TemporalSpec, get_embedding  # noqa: E402

EXTENT_4326 = "0.12,0.28,52.01,52.09 [EPSG:4326]"


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    return ts.setup_demo_data(tmp_path_factory.mktemp("tessera_sample"), pixel_m=100.0)


@pytest.fixture
def sample_env(sample_dir, monkeypatch):
    env = ts.demo_env(sample_dir)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


def run_alg(params, feedback=None, context=None):
    import processing

    return processing.run("rs_embed:embed_roi", params, feedback=feedback, context=context)


def test_embed_roi_writes_grid_pca_and_pooled(rs_provider, sample_env, tmp_path):
    out, pca, pooled = tmp_path / "emb.tif", tmp_path / "pca.tif", tmp_path / "pooled.gpkg"
    # Extent in Web Mercator: any CRS is accepted and transformed.
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    x0, y0 = t.transform(0.12, 52.01)
    x1, y1 = t.transform(0.28, 52.09)
    res = run_alg({"EXTENT": f"{x0},{x1},{y0},{y1} [EPSG:3857]", "MODEL": "tessera", "YEAR": 2024,
                   "OUTPUT": str(out), "PCA_OUTPUT": str(pca), "POOLED_OUTPUT": str(pooled)})
    assert res["DIM"] == 128 and 0.99 <= res["COVERAGE"] <= 1.0
    with rasterio.open(out) as src:
        assert src.count == 128 and src.dtypes[0] == "float32" and src.crs.to_epsg() == 32631
        assert src.tags()["RS_EMBED_MODEL"] == "tessera" and src.tags()["RS_EMBED_TIME"] == "2024"
        assert src.descriptions[0].startswith("tessera")
        grid = src.read()
    with rasterio.open(pca) as src:
        assert src.count == 4 and src.crs.to_epsg() == 32631
    from qgis.core import QgsVectorLayer

    lyr = QgsVectorLayer(str(pooled), "pooled_layer", "ogr")
    assert lyr.isValid() and lyr.featureCount() == 1
    feat = next(lyr.getFeatures())
    vec = np.array([feat[f"e{i:03d}"] for i in range(128)])
    valid = np.isfinite(grid).all(axis=0)
    np.testing.assert_allclose(vec, grid[:, valid].mean(axis=1), rtol=1e-5, atol=1e-6)
    assert feat["model"] == "tessera"


def test_embed_roi_equals_core(rs_provider, sample_env, tmp_path):
    out = tmp_path / "emb.tif"
    run_alg({"EXTENT": EXTENT_4326, "MODEL": "tessera", "YEAR": 2024, "OUTPUT": str(out)})
    core = get_embedding("tessera", spatial=BBox(0.12, 52.01, 0.28, 52.09),
                         temporal=TemporalSpec.year(2024), output=OutputSpec.grid())
    with rasterio.open(out) as src:
        np.testing.assert_array_equal(src.read(), core.to_numpy())
        assert tuple(src.transform)[:6] == tuple(core.transform)[:6]


@pytest.mark.parametrize("extent, words", [
    ("0.28,0.12,52.01,52.09 [EPSG:4326]", "inverted"),
    ("0.12,0.12,52.01,52.09 [EPSG:4326]", "empty"),
    ("1e9,2e9,1e9,2e9 [EPSG:3857]", "not on Earth"),
    ("-30.2,-30.1,40.0,40.1 [EPSG:4326]", "ocean"),
])
def test_bad_extent_gives_clear_error_and_no_file(rs_provider, sample_env, tmp_path, extent, words):
    from qgis.core import QgsProcessingException

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(QgsProcessingException, match=words):
        run_alg({"EXTENT": extent, "MODEL": "tessera", "YEAR": 2024,
                 "OUTPUT": str(tmp_path / "e.tif"), "PCA_OUTPUT": str(tmp_path / "p.tif")})
    assert list(tmp_path.glob("*.tif")) == [] and list(tmp_path.glob(".*")) == []


def test_year_outside_coverage_names_available_years(rs_provider, sample_env, tmp_path):
    from qgis.core import QgsProcessingException

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(QgsProcessingException, match="2024"):
        run_alg({"EXTENT": EXTENT_4326, "MODEL": "tessera", "YEAR": 2019,
                 "OUTPUT": str(tmp_path / "e.tif")})
    assert list(tmp_path.iterdir()) == []


def test_dates_half_filled_is_an_error(rs_provider, sample_env, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="both a start and an end"):
        run_alg({"EXTENT": EXTENT_4326, "MODEL": "tessera", "START_DATE": "2024-01-01",
                 "OUTPUT": str(tmp_path / "e.tif")})


def test_cancel_leaves_no_partial_file(rs_provider, sample_env, tmp_path):
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
    with rasterio.open(out) as src:
        assert src.count == 128 and src.crs.to_epsg() == 32631
    assert json.loads(res["results"]["METADATA"])["model"] == "tessera"
    assert pca.exists()


def test_qgis_process_bad_year_fails_cleanly(sample_env, tmp_path):
    out = tmp_path / "emb.tif"
    rc, _res, log = run_qgis_process(
        tmp_path / "profile", "rs_embed:embed_roi",
        {"EXTENT": EXTENT_4326, "MODEL": "tessera", "YEAR": 2018, "OUTPUT": out},
        extra_env=dict(sample_env))
    assert rc != 0 and "2024" in log and not out.exists()


def test_loaded_pca_layer_is_styled_and_renders_colours(rs_provider, sample_env, tmp_path, qgis_iface):
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


def test_runs_twice_as_a_background_task_like_the_toolbox(rs_provider, sample_env, tmp_path):
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
        with rasterio.open(out) as src:
            assert src.count == 128


def test_help_lists_every_model_with_its_input_needs(rs_provider):
    from qgis.core import QgsApplication

    from rs_embed_qgis.embedders import list_models

    alg = QgsApplication.processingRegistry().algorithmById("rs_embed:embed_roi")
    text = alg.shortHelpString()
    for mid in list_models():
        assert f"<b>{mid}</b>" in text
    assert "B02, B03, B04, B8A, B11, B12 at 224 px" in text  # prithvi's bands
    assert "side inputs: res" in text  # scalemae's ground sample distance
    opts = alg.parameterDefinition("MODEL").options()
    assert opts == list_models()
    for name in ("INPUT_PREP", "DEVICE", "BACKEND", "IMAGERY_SOURCE", "CLOUD_MAX", "COMPOSITE"):
        assert alg.parameterDefinition(name).flags() & alg.parameterDefinition(name).FlagAdvanced
