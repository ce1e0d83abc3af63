"""compare_models through processing, run in the core's worker: Tessera and
AlphaEarth (COG route) sample data in their real formats (made by the core's
Python) served from 127.0.0.1, a model that cannot run for a real reason (no
Earth Engine project), the report, and the layer group."""
from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest

from core_fixtures import Raster, core
from fixtures_analysis import clear_project, run_and_load, serve_tessera

EXTENT = "0.165,0.195,52.04,52.06 [EPSG:4326]"


pytestmark = pytest.mark.usefixtures("fresh_workers")  # each test its own worker


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    tessera = core("tessera_mirror", tmp_path_factory.mktemp("tessera"))["root"]
    return SimpleNamespace(root=Path(tessera)), Path(core("aef_mirror", tmp_path_factory.mktemp("aef"))["root"])


@pytest.fixture
def served(data, loopback, monkeypatch):
    tessera, aef = data
    serve_tessera(tessera, loopback, monkeypatch)
    monkeypatch.setenv("RS_EMBED_AEF_URL", loopback(aef).url)
    yield
    clear_project()


def rows(path):
    return list(csv.DictReader(Path(path).read_text().splitlines()))


def test_two_models_compared_and_a_skipped_one_reported(rs_provider, served, tmp_path):
    """gse_annual on the public COG route and Tessera both run; the layers of the
    run land in one group, styled; the report compares them on Tessera's grid."""
    from qgis.core import QgsMultiBandColorRenderer, QgsProject, QgsRasterLayer, QgsSingleBandPseudoColorRenderer

    out = tmp_path / "cmp"
    res, layers = run_and_load("compare_models", {
        "EXTENT": EXTENT, "MODELS": ["tessera", "gse_annual"], "YEAR": 2024, "BACKEND": "cog",
        "OUTPUT_FOLDER": str(out)})
    assert res["MODELS_RUN"] == 2
    assert sorted(Path(p).name for p in res["LAYERS"]) == [
        "gse_annual_grid.tif", "gse_annual_pca.tif", "tessera_grid.tif", "tessera_pca.tif"]
    for p in res["LAYERS"]:
        lyr = QgsRasterLayer(p, "check_layer")
        assert lyr.isValid()
        assert layers[Path(p).resolve()].isValid()
    t, g = Raster(out / "tessera_grid.tif"), Raster(out / "gse_annual_grid.tif")
    assert (t.count, g.count) == (128, 64) and t.res == (100.0, 100.0) and g.res == (10.0, 10.0)
    # one group named after the models holds the five layers: PCA and agreement on, grids off
    root = QgsProject.instance().layerTreeRoot()
    groups = [g for g in root.children() if g.name().startswith("Compare tessera vs gse_annual: 2024")]
    assert len(groups) == 1
    nodes = {n.name(): n for n in groups[0].findLayers()}
    assert sorted(nodes) == ["Agreement of the models", "gse_annual PCA", "gse_annual embedding", "tessera PCA",
                             "tessera embedding"]
    assert {n for n, node in nodes.items() if node.itemVisibilityChecked()} == {
        "Agreement of the models", "gse_annual PCA", "tessera PCA"}
    pca = layers[(out / "tessera_pca.tif").resolve()]
    assert isinstance(pca.renderer(), QgsMultiBandColorRenderer) and pca.renderer().alphaBand() == 4
    from osgeo import gdal   # PCA layers in comparable colours: gse_annual's rewritten in tessera's

    assert gdal.Open(str(out / "gse_annual_pca.tif")).GetMetadataItem("RS_EMBED_PCA_ALIGNED_TO") == "tessera"
    assert gdal.Open(str(out / "tessera_pca.tif")).GetMetadataItem("RS_EMBED_PCA_ALIGNED_TO") is None
    agree = layers[(out / "agreement.tif").resolve()]
    assert Path(res["AGREEMENT"]) == out / "agreement.tif"
    assert isinstance(agree.renderer(), QgsSingleBandPseudoColorRenderer)
    assert (agree.renderer().classificationMin(), agree.renderer().classificationMax()) == (0.0, 1.0)
    assert agree.crs().authid() == "EPSG:32631" and agree.dataProvider().sourceHasNoDataValue(1)
    # report: per model facts, and the pair compared on the coarsest grid (Tessera's)
    table = rows(res["CSV"])
    models = {r["model"]: r for r in table if r["record"] == "model"}
    assert models["tessera"]["dim"] == "128" and models["gse_annual"]["dim"] == "64"
    assert models["tessera"]["native_res_m"] == "100.00" and models["gse_annual"]["native_res_m"] == "10.00"
    assert models["tessera"]["crs"] == models["gse_annual"]["crs"] == "EPSG:32631"
    assert float(models["tessera"]["coverage"]) == 1.0 and float(models["tessera"]["run_time_s"]) > 0
    (pair,) = [r for r in table if r["record"] == "pair"]
    t = Raster(out / "tessera_grid.tif")
    assert int(pair["n_pixels"]) == t.width * t.height
    cka, jac = float(pair["cka"]), float(pair["knn_jaccard"])
    # unrelated content (random AEF values vs Tessera's regions): low but defined
    assert 0 <= cka < 0.5 and 0 <= jac < 0.5
    html = Path(res["REPORT"]).read_text()
    assert "native grid of tessera (the coarsest)" in html and html.count("data:image/png;base64,") == 3
    assert "aligned onto tessera" in html and "gse_annual averaged from 10 m to 100 m" in html
    for name in ("pca_side_by_side.png", "similarity_heatmap.png", "agreement.png", "agreement.tif"):
        assert (out / name).stat().st_size > 1000 and f"href='{name}'" in html


def test_a_model_that_cannot_run_is_skipped_and_the_others_go_on(rs_provider, served, tmp_path):
    import processing
    from qgis.core import QgsProcessingFeedback

    class Errors(QgsProcessingFeedback):
        messages = []

        def reportError(self, error, fatalError=False):  # noqa: N802
            self.messages.append(error)

    fb = Errors()
    out = tmp_path / "cmp"
    res = processing.run("rs_embed:compare_models", {
        "EXTENT": EXTENT, "MODELS": ["gse_annual", "tessera"], "YEAR": 2024, "BACKEND": "gee",
        "REFERENCE_RESOLUTION": 50, "OUTPUT_FOLDER": str(out)}, feedback=fb)
    assert res["MODELS_RUN"] == 1
    assert any("gse_annual skipped: CredentialsError" in m for m in fb.messages)
    assert sorted(Path(p).name for p in res["LAYERS"]) == ["tessera_grid.tif", "tessera_pca.tif"]
    assert not (out / "gse_annual_grid.tif").exists()
    table = rows(res["CSV"])
    gse = next(r for r in table if r["model"] == "gse_annual")
    assert gse["status"] == "skipped" and "Earth Engine" in gse["message"]
    assert float(next(r for r in table if r["model"] == "tessera")["common_grid_coverage"]) == 1.0
    html = Path(res["REPORT"]).read_text()
    assert "skipped</span>: CredentialsError" in html and "How alike" not in html  # one model: no pairs
    assert res["AGREEMENT"] is None and not (out / "agreement.tif").exists()


def test_common_grid_from_a_resolution_or_a_reference_model(rs_provider, served, tmp_path):
    import processing

    base = {"EXTENT": EXTENT, "MODELS": ["tessera", "gse_annual"], "YEAR": 2024, "BACKEND": "cog"}
    res = processing.run("rs_embed:compare_models", dict(base, REFERENCE_RESOLUTION=50,
                                                         OUTPUT_FOLDER=str(tmp_path / "r50")))
    grid = core("grid_size", 32631, "[0.165, 52.04, 0.195, 52.06]", 50)   # RasterGrid.from_bounds
    pair = next(r for r in rows(res["CSV"]) if r["record"] == "pair")
    assert int(pair["n_pixels"]) == grid["width"] * grid["height"]    # all valid in both
    assert f"50 m in EPSG:32631" in Path(res["REPORT"]).read_text()
    res = processing.run("rs_embed:compare_models", dict(base, REFERENCE_MODEL="gse_annual",
                                                         OUTPUT_FOLDER=str(tmp_path / "gse")))
    pair = next(r for r in rows(res["CSV"]) if r["record"] == "pair")
    assert int(pair["n_pixels"]) == 5000                                # sampled for CKA
    assert "native grid of gse_annual" in Path(res["REPORT"]).read_text()


def test_all_models_failing_is_an_error_listing_why(rs_provider, served, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        processing.run("rs_embed:compare_models", {
            "EXTENT": EXTENT, "MODELS": ["gse_annual", "tessera"], "YEAR": 2021, "BACKEND": "gee",
            "OUTPUT_FOLDER": str(tmp_path / "cmp")})
    msg = str(err.value)
    assert "No model could run" in msg and "gse_annual: CredentialsError" in msg
    assert "tessera: DataUnavailableError" in msg and "2021" in msg
    assert not any((tmp_path / "cmp").glob("*.tif"))


def test_parameter_errors(rs_provider, served, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    base = {"EXTENT": EXTENT, "MODELS": ["tessera"], "YEAR": 2024, "OUTPUT_FOLDER": str(tmp_path / "c")}
    with pytest.raises(QgsProcessingException, match="not among the chosen models"):
        processing.run("rs_embed:compare_models", dict(base, REFERENCE_MODEL="gse_annual"))
    with pytest.raises(QgsProcessingException, match="either a reference model or a common resolution"):
        processing.run("rs_embed:compare_models", dict(base, REFERENCE_MODEL="tessera", REFERENCE_RESOLUTION=30))
    with pytest.raises(QgsProcessingException, match="coarser common resolution"):
        processing.run("rs_embed:compare_models", dict(base, REFERENCE_RESOLUTION=0.1))
    assert not any((tmp_path / "c").glob("*"))


def run_headless(tmp_path, algorithm, args, timeout=300):
    """qgis_process.bin --json run <alg> --K=V ... (repeatable keys)."""
    import json
    import subprocess

    from qgis_process_helpers import QGIS_PROCESS, enable_plugin, qgis_process_env

    env = qgis_process_env(tmp_path / "profile")
    enable_plugin(env)
    proc = subprocess.run([QGIS_PROCESS, "--json", "run", algorithm] + [f"--{k}={v}" for k, v in args],
                          env=env, capture_output=True, text=True, timeout=timeout)
    log = proc.stdout + proc.stderr
    return proc.returncode, json.loads(proc.stdout[proc.stdout.index("{"):]) if "{" in proc.stdout else None, log


def test_headless_qgis_process_with_model_names(served, tmp_path):
    """qgis_process takes the models by name (static strings), repeated."""
    out = tmp_path / "cmp"
    rc, res, log = run_headless(tmp_path, "rs_embed:compare_models", [
        ("EXTENT", EXTENT), ("MODELS", "tessera"), ("MODELS", "gse_annual"), ("YEAR", 2024),
        ("BACKEND", "gee"), ("OUTPUT_FOLDER", out)])
    assert res is not None, log
    results = res["results"]
    assert results["MODELS_RUN"] == 1 and Path(results["REPORT"]) == out / "report.html"
    assert "gse_annual skipped: CredentialsError" in log
    assert sorted(Path(p).name for p in results["LAYERS"]) == ["tessera_grid.tif", "tessera_pca.tif"]
    assert rows(results["CSV"])[0]["model"] == "tessera"
    assert rc == 0, log


def test_headless_similarity_map(tmp_path):
    from core_fixtures import write_embedding
    from fixtures_analysis import pixel_centre, planted_clusters

    arr, _ = planted_clusters()
    src = write_embedding(tmp_path / "e.tif", arr)
    x, y = pixel_centre(30, 60)
    rc, res, log = run_headless(tmp_path, "rs_embed:similarity_map", [
        ("INPUT", src), ("POINT", f"{x},{y} [EPSG:32631]"), ("COMBINE", "mean"), ("OUTPUT", tmp_path / "s.tif")])
    assert rc == 0, log
    assert Raster(tmp_path / "s.tif").band(1)[30, 60] == pytest.approx(1.0, abs=1e-6)


def test_runs_twice_as_a_background_task_like_the_toolbox(rs_provider, served, tmp_path):
    """The toolbox runs algorithms on pooled Qt threads (QgsProcessingAlgRunnerTask)."""
    from qgis.core import (QgsApplication, QgsProcessingAlgRunnerTask, QgsProcessingContext,
                           QgsProcessingFeedback, QgsProject)

    from fixtures_analysis import alg

    for i in range(2):
        context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
        context.setProject(QgsProject.instance())
        params = {"EXTENT": EXTENT, "MODELS": ["tessera"], "YEAR": 2024, "OUTPUT_FOLDER": str(tmp_path / f"r{i}")}
        task = QgsProcessingAlgRunnerTask(alg("compare_models"), params, context, feedback)
        done = {}
        task.executed.connect(lambda ok, results: done.update(ok=ok, results=results))
        QgsApplication.taskManager().addTask(task)
        while "ok" not in done:
            QgsApplication.processEvents()
        assert done["ok"] and done["results"]["MODELS_RUN"] == 1
        assert (tmp_path / f"r{i}" / "report.html").exists()


def test_labelled_mode_ranks_the_models_on_the_users_labels(rs_provider, served, tmp_path):
    """Labelled points (two classes, west and east halves of the extent) rank
    every model and their concatenation: ranking.csv, and a report section."""
    import processing
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    labels = QgsVectorLayer("Point?crs=EPSG:4326", "labels_layer", "memory")
    labels.dataProvider().addAttributes([QgsField("cls", QVariant.String)])
    labels.updateFields()
    feats = []
    for i in range(8):
        for j in range(5):
            lon, lat = 0.1665 + i * 0.0035, 52.0415 + j * 0.0035
            f = QgsFeature(labels.fields())
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
            f.setAttributes(["west" if lon < 0.18 else "east"])
            feats.append(f)
    labels.dataProvider().addFeatures(feats)
    out = tmp_path / "cmp"
    res = processing.run("rs_embed:compare_models", {
        "EXTENT": EXTENT, "MODELS": ["tessera", "gse_annual"], "YEAR": 2024, "BACKEND": "cog",
        "LABELS": labels, "LABEL_FIELD": "cls", "LABEL_BLOCK": 500, "OUTPUT_FOLDER": str(out)})
    assert res["MODELS_RUN"] == 2
    ranked = rows(out / "ranking.csv")
    assert {r["model"] for r in ranked} == {"tessera", "gse_annual", "all models (concatenated)"}
    assert {r["cv"] for r in ranked} == {"kfold", "spatial_kfold"}
    for r in ranked:
        assert float(r["ba_ci95_low"]) <= float(r["balanced_accuracy"]) <= float(r["ba_ci95_high"])
    html = Path(res["REPORT"]).read_text()
    assert "Which embedding fits your labels" in html and html.count("data:image/png;base64,") >= 2
    assert (out / "ranking.png").stat().st_size > 1000
