"""The plugin's actions with the iface and a real canvas: the toolbar action
arms the map tool, a drag on the canvas opens the dialog (with the area
measured on the ellipsoid), the run is queued in the worker and loads its
layer group the way Processing's Embed ROI does; the dialog remembers choices,
says what to fix and what the core's environment lacks; the environment dialog
shows the worker's report, or how to set up."""
from __future__ import annotations

import math
import os
import re
import sys
import time

import pytest
from fixtures_env import overlay_env
from fixtures_gui import (  # noqa: F401
    EXTENT_4326, files_in, gate, mirror, project, server, wait_for,
)
from qgis.core import (
    QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject, QgsRectangle, QgsSettings,
)
from qgis.PyQt.QtCore import QCoreApplication, QDate, QEvent, QPoint, Qt
from qgis.PyQt.QtGui import QMouseEvent
from qgis.PyQt.QtWidgets import QApplication

from rs_embed_qgis.embedders import catalog
from rs_embed_qgis.gui import dialog as dialog_mod
from rs_embed_qgis.gui.actions import PluginActions
from rs_embed_qgis.gui.dialog import EmbedExtentDialog


@pytest.fixture
def actions(qgis_iface, qgis_canvas):
    qgis_canvas.window().show()
    QApplication.processEvents()
    a = PluginActions(qgis_iface)
    a.setup()
    yield a
    a.teardown()
    qgis_canvas.window().hide()


@pytest.fixture
def dialog_settings(qgis_app):
    s = QgsSettings()
    s.remove("rs_embed/gui")
    yield s
    s.remove("rs_embed/gui")


def mouse(canvas, kind, pos):
    button = Qt.NoButton if kind == QEvent.MouseMove else Qt.LeftButton
    buttons = Qt.LeftButton if kind != QEvent.MouseButtonRelease else Qt.NoButton
    QApplication.sendEvent(canvas.viewport(), QMouseEvent(kind, pos, canvas.viewport().mapToGlobal(pos),
                                                          button, buttons, Qt.NoModifier))


def test_actions_have_icons_and_the_button_arms_the_map_tool(actions, qgis_canvas):
    assert [a.text() for a in actions.actions] == ["Embed drawn extent", "Set up RS Embed...", "Check environment...",
                                                   "Settings..."]
    assert all(not a.icon().isNull() for a in actions.actions)
    actions.embed_action.trigger()
    assert qgis_canvas.mapTool() is actions.tool and actions.embed_action.isChecked()


def test_drawn_extent_to_dialog_to_loaded_group(actions, qgis_canvas, server, project, dialog_settings,
                                                 tmp_path, monkeypatch):
    merc = QgsCoordinateReferenceSystem("EPSG:3857")
    to_merc = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), merc, project)
    qgis_canvas.setDestinationCrs(merc)
    qgis_canvas.setExtent(to_merc.transformBoundingBox(QgsRectangle(*EXTENT_4326)))
    QApplication.processEvents()
    seen = {}

    def fill_and_run(dlg):  # what the user does in the dialog
        seen["text"] = dlg.extent_label.text()
        for i in range(dlg.models.count()):
            item = dlg.models.item(i)
            item.setCheckState(Qt.Checked if item.data(Qt.UserRole) == "tessera" else Qt.Unchecked)
        dlg.time_mode.setCurrentIndex(dlg.time_mode.findData("year"))
        dlg.year.setValue(2024)
        dlg.out_dir.setFilePath(str(tmp_path / "out"))
        dlg.accept()
        return dlg.result()

    monkeypatch.setattr(EmbedExtentDialog, "exec_", fill_and_run)
    actions.embed_action.trigger()
    w, h = qgis_canvas.viewport().width(), qgis_canvas.viewport().height()
    a, b = QPoint(w // 4, h // 4), QPoint(3 * w // 4, 3 * h // 4)
    mouse(qgis_canvas, QEvent.MouseButtonPress, a)
    mouse(qgis_canvas, QEvent.MouseMove, b)
    mouse(qgis_canvas, QEvent.MouseButtonRelease, b)

    assert "EPSG:3857" in seen["text"] and "km²" in seen["text"]
    task, = actions.tasks
    # the area shown is the drawn box's on the ellipsoid (a lon/lat box on a sphere agrees to 0.5 %)
    shown = float(re.search(r"([\d,.]+) km²", seen["text"]).group(1).replace(",", ""))
    w_, s_, e_, n_ = task.bbox.bounds_4326()
    sphere = 6371.0088 ** 2 * math.radians(e_ - w_) * (math.sin(math.radians(n_)) - math.sin(math.radians(s_)))
    assert shown == pytest.approx(sphere, rel=5e-3)
    xf = qgis_canvas.getCoordinateTransform()
    drawn = QgsRectangle(xf.toMapCoordinates(a), xf.toMapCoordinates(b))
    expected = QgsCoordinateTransform(merc, QgsCoordinateReferenceSystem("EPSG:4326"), project) \
        .transformBoundingBox(drawn)
    assert task.bbox.bounds_4326() == pytest.approx(
        (expected.xMinimum(), expected.yMinimum(), expected.xMaximum(), expected.yMaximum()), abs=1e-9)
    assert task.spec.models == ["tessera"] and task.spec.year == 2024
    assert actions.tool.rubber_band.asGeometry().isEmpty()  # cleared once the dialog closed
    wait_for([task])
    assert task.succeeded and len(files_in(tmp_path / "out")) == 2
    assert project.layerTreeRoot().children()[0] is task.group
    assert [n.layer().name() for n in task.group.children()] == ["tessera PCA", "tessera embedding"]


def choose(combo, value):
    """Select a choice by its id (the item's data), whatever its label reads."""
    i = combo.findData(value)
    assert i >= 0, value
    combo.setCurrentIndex(i)


def test_dialog_shows_readable_backend_and_imagery_choices_and_keeps_ids(dialog_settings):
    d = EmbedExtentDialog("extent", 1.0)
    for combo, ids in ((d.backend, catalog.PRODUCT_BACKENDS), (d.imagery, catalog.IMAGERY_SOURCES)):
        items = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
        assert [data for _, data in items] == list(ids)
        assert all(text != data for text, data in items), items  # a label, not the raw id
        assert len({text for text, _ in items}) == len(items)
    assert d.imagery.itemText(d.imagery.findData("stac")).startswith("STAC")
    assert "no account" in d.backend.itemText(d.backend.findData("cog"))


def test_dialog_remembers_choices(dialog_settings, tmp_path):
    d = EmbedExtentDialog("extent", 12.5)
    for i in range(d.models.count()):
        d.models.item(i).setCheckState(Qt.Checked if d.models.item(i).data(Qt.UserRole) in ("tessera", "gse_annual")
                                       else Qt.Unchecked)
    d.time_mode.setCurrentIndex(d.time_mode.findData("range"))
    d.start.setDate(QDate(2023, 4, 1))
    d.end.setDate(QDate(2023, 7, 1))
    choose(d.backend, "cog")
    choose(d.imagery, "stac")
    d.out_dir.setFilePath(str(tmp_path / "runs"))
    d.accept()
    spec = d.spec
    assert sorted(spec.models) == ["gse_annual", "tessera"] and (spec.backend, spec.imagery_source) == ("cog", "stac")
    assert str(spec.start) == "2023-04-01" and str(spec.end) == "2023-07-01" and spec.year is None
    assert spec.temporal() == {"start": "2023-04-01", "end": "2023-07-01"}

    again = EmbedExtentDialog("extent", 12.5)
    assert sorted(again.selected_models()) == ["gse_annual", "tessera"]
    assert again.time_mode.currentData() == "range" and again.start.date() == QDate(2023, 4, 1)
    assert (again.backend.currentData(), again.imagery.currentData()) == ("cog", "stac")
    assert again.out_dir.filePath() == str(tmp_path / "runs")
    assert again.year.isEnabled() is False and again.dates.isEnabled()


@pytest.mark.parametrize("change, message", [
    (lambda d: [d.models.item(i).setCheckState(Qt.Unchecked) for i in range(d.models.count())],
     "Tick at least one model"),
    (lambda d: (d.time_mode.setCurrentIndex(1), d.start.setDate(QDate(2024, 5, 1)), d.end.setDate(QDate(2024, 5, 1))),
     "start date must come before the end date"),
    (lambda d: d.out_dir.setFilePath(""), "Choose an output folder"),
    (lambda d: choose(d.imagery, "local"), "needs a raster layer"),
])
def test_dialog_says_what_to_fix(dialog_settings, tmp_path, change, message):
    d = EmbedExtentDialog("extent", 1.0)
    d.out_dir.setFilePath(str(tmp_path))
    change(d)
    d.accept()
    assert message in d.error.text() and d.result() == 0 and d.spec is None


def test_dialog_takes_a_large_extent_as_processing_does(dialog_settings, tmp_path):
    """The core decides on size (output size and disk space, said before any
    work); the dialog does not add a cap of its own that Processing lacks."""
    dialog_settings.setValue("rs_embed/max_roi_km2", "50")   # the imagery-fetch limit
    try:
        d = EmbedExtentDialog("extent", 80.0)
        d.out_dir.setFilePath(str(tmp_path))
        d.accept()
        assert d.error.text() == "" and d.spec is not None and d.result() == d.Accepted
    finally:
        dialog_settings.remove("rs_embed/max_roi_km2")


def test_dialog_and_processing_default_to_the_same_year(dialog_settings, rs_provider):
    from rs_embed_qgis.embedders.catalog import DEFAULT_YEAR

    alg = rs_provider.algorithm("embed_roi")
    assert EmbedExtentDialog("extent", 1.0).year.value() == DEFAULT_YEAR
    assert alg.parameterDefinition("YEAR").defaultValue() == DEFAULT_YEAR


def test_every_year_default_is_the_catalog_one(dialog_settings, rs_provider, monkeypatch):
    """One default year (catalog.DEFAULT_YEAR), read when a dialog or an
    algorithm is built, never a number of its own."""
    monkeypatch.setattr(catalog, "DEFAULT_YEAR", 2031)
    assert EmbedExtentDialog("extent", 1.0).year.value() == 2031
    with_year = []
    for alg in rs_provider.algorithms():
        fresh = alg.create()
        p = fresh.parameterDefinition("YEAR")
        if p is not None:
            with_year.append((fresh.name(), p.defaultValue()))
    assert {"embed_roi", "fetch_imagery", "embed_features"} <= {n for n, _ in with_year}
    assert all(d == 2031 for _, d in with_year), with_year


def test_models_show_what_the_core_environment_lacks(tmp_path, dialog_settings, monkeypatch):
    """Read from the core's environment (its package metadata), not QGIS's Python."""
    python = overlay_env(tmp_path, hide=("geotessera",))
    rows = {mid: (label, tip) for mid, label, tip in dialog_mod.model_rows(dialog_mod.family_state(str(python)))}
    assert rows["tessera"][0].startswith("Tessera v1.1: precomputed, 128-d, 10 m")
    assert "[needs geotessera==0.11.0]" in rows["tessera"][0] and "Check environment" in rows["tessera"][1]
    assert "[needs" not in rows["gse_annual"][0]
    ready = {mid: label for mid, label, _ in dialog_mod.model_rows(dialog_mod.family_state())}
    assert not any("[" in label for label in ready.values())  # the suite's core environment has everything
    monkeypatch.setenv("RS_EMBED_PYTHON", str(tmp_path / "nowhere" / "python"))
    unset = dialog_mod.model_rows(dialog_mod.family_state())
    assert all("[not set up]" in label for _, label, _ in unset)


def wait_dialog(dlg):
    deadline = time.monotonic() + 120
    while dlg.task is not None or (dlg.report is None and dlg.not_set_up is None and dlg.error is None):
        assert time.monotonic() < deadline
        QCoreApplication.processEvents()
        time.sleep(0.02)


def test_environment_dialog_shows_the_report_of_the_core(actions, fresh_workers):
    actions.show_environment()
    dlg = actions.env_dialog
    wait_dialog(dlg)
    assert dlg.error is None and dlg.not_set_up is None
    text = dlg.browser.toPlainText()
    assert "RS Embed environment" in text and "GPU" in text and dlg.report["python"] in text
    assert dlg.report["python"] == os.environ["RS_EMBED_PYTHON"] != sys.executable
    assert not dlg.install_button.isHidden() and dlg.setup_button.isHidden()
    assert dlg.install_button.isEnabled() == bool(dlg.report["missing_families"])
    assert "torch" not in sys.modules  # the worker imported it, not QGIS
    dlg.close()


def test_environment_dialog_before_set_up_offers_the_set_up(actions, monkeypatch, tmp_path, fresh_workers):
    from rs_embed_qgis.qgis_common import worker

    monkeypatch.delenv("RS_EMBED_PYTHON")
    monkeypatch.setattr(worker, "data_dir", lambda: tmp_path / "rs_embed")
    actions.show_environment()
    dlg = actions.env_dialog
    wait_dialog(dlg)
    assert dlg.not_set_up and "Set up RS Embed" in dlg.browser.toPlainText()
    assert "Raster › RS Embed" in dlg.browser.toPlainText()
    assert not dlg.setup_button.isHidden() and dlg.setup_button.isEnabled() and dlg.install_button.isHidden()
    dlg.close()


def test_processing_loads_embed_roi_like_the_drawn_extent_action(rs_provider, server, project, tmp_path):
    """One group per run, the PCA shown above the hidden 128-band grid."""
    import processing
    from qgis.core import QgsMultiBandColorRenderer

    grid, pca = tmp_path / "emb.tif", tmp_path / "pca.tif"
    processing.runAndLoadResults("rs_embed:embed_roi", {
        "EXTENT": "0.16,0.24,52.03,52.07 [EPSG:4326]", "MODEL": "tessera", "YEAR": 2024,
        "OUTPUT": str(grid), "PCA_OUTPUT": str(pca)})
    group, = project.layerTreeRoot().children()
    assert group.name().startswith("RS Embed tessera 2024 (")
    pca_node, grid_node = group.children()
    assert pca_node.layer().source() == str(pca) and grid_node.layer().source() == str(grid)
    assert (pca_node.layer().name(), grid_node.layer().name()) == ("tessera PCA", "tessera embedding")
    assert pca_node.itemVisibilityChecked() and not grid_node.itemVisibilityChecked()
    assert isinstance(pca_node.layer().renderer(), QgsMultiBandColorRenderer)


def test_the_dialog_area_is_the_extent_on_the_ellipsoid_in_a_projected_crs():
    from rs_embed_qgis.gui.actions import extent_area_km2

    utm = QgsCoordinateReferenceSystem("EPSG:32633")
    rect = QgsRectangle(500_000, 5_800_000, 503_192, 5_803_485)  # 3,192 x 3,485 m on the central meridian
    area = extent_area_km2(rect, utm, QgsProject.instance().transformContext())
    assert area == pytest.approx(3.192 * 3.485 / 0.9996 ** 2, rel=2e-3)  # UTM's scale factor, nothing more
    wgs = QgsCoordinateReferenceSystem("EPSG:4326")
    assert extent_area_km2(QgsRectangle(0, 0, 1, 1), wgs, QgsProject.instance().transformContext()) == \
        pytest.approx(12308.8, rel=1e-3)  # a 1° cell at the equator on WGS84


def test_environment_dialog_installs_exactly_what_is_missing(actions, tmp_path, monkeypatch, fresh_workers):
    from fixtures_env import pinned_wheel, site_packages

    python = overlay_env(tmp_path, hide=("ee", "earthengine_api"))
    pinned_wheel(tmp_path / "wheels", "earthengine-api", "ee")
    monkeypatch.setenv("RS_EMBED_PYTHON", str(python))
    monkeypatch.setenv("PIP_NO_INDEX", "1")            # offline: pip sees the wheel folder only
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "wheels"))
    actions.show_environment()
    dlg = actions.env_dialog
    wait_dialog(dlg)
    assert dlg.report["missing_families"] == ["earth_engine"] and dlg.install_button.isEnabled()
    assert "The families earth_engine are missing" in dlg.browser.toPlainText()
    dlg.install_button.click()
    assert dlg.install_task is not None and not dlg.install_button.isEnabled()
    deadline = time.monotonic() + 180
    while dlg.install_task is not None or dlg.task is not None or dlg.report is None:
        assert time.monotonic() < deadline, dlg.browser.toPlainText()
        QCoreApplication.processEvents()
        time.sleep(0.02)
    assert dlg.report["missing_families"] == [] and not dlg.install_button.isEnabled()
    assert dlg.report["packages"]["ee"]["installed"] == dlg.report["packages"]["ee"]["pinned"]
    assert any(p.name.startswith("earthengine_api-") for p in site_packages(python).iterdir())
    dlg.close()


def test_dialog_local_raster_takes_a_band_map_and_a_value_scale(dialog_settings, tmp_path, project):
    """An 8-bit aerial raster: the dialog sends its band map and value scale
    with the job, as Embed ROI does."""
    import numpy as np
    from osgeo import gdal, osr
    from qgis.core import QgsProject, QgsRasterLayer

    from rs_embed_qgis.gui.task import job_params
    from rs_embed_qgis.embedders.specs import BBox

    path = str(tmp_path / "aerial.tif")
    ds = gdal.GetDriverByName("GTiff").Create(path, 32, 32, 3, gdal.GDT_Byte)
    ds.SetGeoTransform((500000, 10, 0, 5800000, 0, -10))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32633)
    ds.SetProjection(srs.ExportToWkt())
    for b in range(3):
        ds.GetRasterBand(b + 1).WriteArray(np.full((32, 32), 100 + b, np.uint8))
    ds = None
    layer = QgsRasterLayer(path, "aerial_layer")
    QgsProject.instance().addMapLayer(layer)
    d = EmbedExtentDialog("extent", 1.0)
    d.out_dir.setFilePath(str(tmp_path / "runs"))
    choose(d.imagery, "local")
    assert d.band_map.isEnabled() and d.value_scale.isEnabled()
    d.raster.setLayer(layer)
    d.band_map.setText("B04=1,B03=2,B02=3")
    d.value_scale.setCurrentIndex(d.value_scale.findData("uint8"))
    d.accept()
    params = job_params("remoteclip_s2rgb", d.spec, BBox(14.9, 52.2, 15.0, 52.3), "g.tif", "p.tif")
    assert (params["input_raster"], params["band_map"], params["value_scale"]) == (path, "B04=1,B03=2,B02=3",
                                                                                  "uint8")
    assert "band_map" not in job_params("tessera", d.spec, BBox(14.9, 52.2, 15.0, 52.3), "g.tif", "p.tif")
    choose(d.imagery, "stac")
    assert not d.band_map.isEnabled() and not d.value_scale.isEnabled()
