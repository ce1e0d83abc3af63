"""The plugin's actions with the iface and a real canvas: the toolbar action
arms the map tool, a drag on the canvas opens the dialog, the run is queued
and loads its layer group; the dialog remembers choices and says what to fix;
the environment dialog shows the report."""
from __future__ import annotations

import time

import pytest
from fixtures_gui import EXTENT_4326, files_in, gate, mirror, project, server, wait_for  # noqa: F401
from qgis.core import (
    QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject, QgsRectangle, QgsSettings,
)
from qgis.PyQt.QtCore import QCoreApplication, QDate, QEvent, QPoint, Qt
from qgis.PyQt.QtGui import QMouseEvent
from qgis.PyQt.QtWidgets import QApplication

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
    assert [a.text() for a in actions.actions] == ["Embed drawn extent", "Check environment...", "Settings..."]
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


def test_dialog_remembers_choices(dialog_settings, tmp_path):
    d = EmbedExtentDialog("extent", 12.5)
    for i in range(d.models.count()):
        d.models.item(i).setCheckState(Qt.Checked if d.models.item(i).data(Qt.UserRole) in ("tessera", "gse_annual")
                                       else Qt.Unchecked)
    d.time_mode.setCurrentIndex(d.time_mode.findData("range"))
    d.start.setDate(QDate(2023, 4, 1))
    d.end.setDate(QDate(2023, 7, 1))
    d.backend.setCurrentText("cog")
    d.imagery.setCurrentText("stac")
    d.out_dir.setFilePath(str(tmp_path / "runs"))
    d.accept()
    spec = d.spec
    assert sorted(spec.models) == ["gse_annual", "tessera"] and (spec.backend, spec.imagery_source) == ("cog", "stac")
    assert str(spec.start) == "2023-04-01" and str(spec.end) == "2023-07-01" and spec.year is None
    assert spec.temporal().to_dict()["end"] == "2023-07-01"

    again = EmbedExtentDialog("extent", 12.5)
    assert sorted(again.selected_models()) == ["gse_annual", "tessera"]
    assert again.time_mode.currentData() == "range" and again.start.date() == QDate(2023, 4, 1)
    assert (again.backend.currentText(), again.imagery.currentText()) == ("cog", "stac")
    assert again.out_dir.filePath() == str(tmp_path / "runs")
    assert again.year.isEnabled() is False and again.dates.isEnabled()


@pytest.mark.parametrize("change, message", [
    (lambda d: [d.models.item(i).setCheckState(Qt.Unchecked) for i in range(d.models.count())],
     "Tick at least one model"),
    (lambda d: (d.time_mode.setCurrentIndex(1), d.start.setDate(QDate(2024, 5, 1)), d.end.setDate(QDate(2024, 5, 1))),
     "start date must come before the end date"),
    (lambda d: d.out_dir.setFilePath(""), "Choose an output folder"),
    (lambda d: d.imagery.setCurrentText("local"), "needs a raster layer"),
])
def test_dialog_says_what_to_fix(dialog_settings, tmp_path, change, message):
    d = EmbedExtentDialog("extent", 1.0)
    d.out_dir.setFilePath(str(tmp_path))
    change(d)
    d.accept()
    assert message in d.error.text() and d.result() == 0 and d.spec is None


def test_dialog_refuses_an_extent_over_the_size_limit(dialog_settings, tmp_path):
    from rs_embed_qgis.embedders.config import configure

    configure(max_roi_km2=50)
    d = EmbedExtentDialog("extent", 80.0)
    d.out_dir.setFilePath(str(tmp_path))
    d.accept()
    assert "more than the limit of 50 km²" in d.error.text() and d.spec is None


def test_models_with_missing_packages_are_marked(monkeypatch, dialog_settings):
    import sys

    monkeypatch.setitem(sys.modules, "geotessera", None)
    rows = {mid: (label, tip) for mid, label, tip in dialog_mod.model_rows()}
    assert "[needs geotessera]" in rows["tessera"][0] and "Check environment" in rows["tessera"][1]
    assert "[needs" not in rows["gse_annual"][0]


def test_environment_dialog_shows_the_report(actions):
    actions.show_environment()
    dlg = actions.env_dialog
    deadline = time.monotonic() + 120
    while dlg.report is None:
        assert time.monotonic() < deadline
        QCoreApplication.processEvents()
        time.sleep(0.02)
    html = dlg.browser.toHtml()
    assert "RS Embed environment" in html and "GPU" in html
    assert dlg.copy_button.isEnabled() == bool(dlg.report.commands)
    dlg.close()
