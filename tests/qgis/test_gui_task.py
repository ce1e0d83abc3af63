"""The drawn-extent run in QGIS's task manager, on Tessera tiles in the real
v1.1 format served from 127.0.0.1: it completes and loads a styled layer
group; several runs queue; cancel (mid-download, or after the grid file was
written) leaves no files; failures reach the message bar with what to do."""
from __future__ import annotations

import numpy as np
import pytest
from fixtures_gui import EXTENT_4326, files_in, gate, mirror, project, server, wait_for  # noqa: F401
from qgis.core import (
    Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsMultiBandColorRenderer, QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import Qt

from rs_embed_qgis.embedders import BBox, OutputSpec, TemporalSpec, get_embedding, read_geotiff
from rs_embed_qgis.gui.task import EmbedExtentTask, RunSpec, bbox_from_extent


def start(spec, bbox, iface, project):
    task = EmbedExtentTask(spec, bbox, message_bar=iface.messageBar(), project=project)
    QgsApplication.taskManager().addTask(task)
    return task


def test_extent_in_web_mercator_becomes_the_same_bbox_in_lonlat():
    from qgis.core import QgsCoordinateTransform

    merc = QgsCoordinateReferenceSystem("EPSG:3857")
    to_merc = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), merc, QgsProject.instance())
    rect = to_merc.transformBoundingBox(QgsRectangle(*EXTENT_4326))
    bbox = bbox_from_extent(rect, merc)
    assert bbox.bounds_4326() == pytest.approx(EXTENT_4326, abs=1e-9)


def test_task_completes_and_loads_a_styled_layer_group(server, qgis_iface, project, tmp_path):
    out = tmp_path / "out"
    spec = RunSpec(models=["tessera"], out_dir=str(out), year=2024)
    bbox = BBox(*EXTENT_4326)
    task = start(spec, bbox, qgis_iface, project)
    wait_for([task])
    assert task.succeeded and task.failures == []
    (model, grid_path, pca_path), = task.outputs
    assert files_in(out) == sorted([grid_path.name, pca_path.name])

    # the file holds exactly what the core gives for that extent and year
    direct = get_embedding("tessera", spatial=bbox, temporal=TemporalSpec.year(2024), output=OutputSpec.grid())
    written = read_geotiff(grid_path)
    np.testing.assert_array_equal(written.to_numpy(), direct.to_numpy())

    group = project.layerTreeRoot().children()[0]
    assert group is task.group and group.name().startswith("RS Embed tessera 2024 (")
    pca_node, grid_node = group.children()
    pca, grid = pca_node.layer(), grid_node.layer()
    assert pca.source() == str(pca_path) and grid.source() == str(grid_path)
    assert pca.name() == "tessera PCA" and grid.name() == "tessera embedding"
    assert pca_node.itemVisibilityChecked() and not grid_node.itemVisibilityChecked()
    assert grid.bandCount() == 128 and grid.crs().authid() == "EPSG:32631"
    r = pca.renderer()
    assert isinstance(r, QgsMultiBandColorRenderer)
    assert (r.redBand(), r.greenBand(), r.blueBand(), r.alphaBand()) == (1, 2, 3, 4)
    assert r.redContrastEnhancement().maximumValue() == 255
    assert any("Loaded 2 layer(s)" in m for m in qgis_iface.messageBar().get_messages(Qgis.Success))


def test_several_runs_queue_and_each_gets_its_own_group(server, qgis_iface, project, tmp_path):
    specs = [RunSpec(models=["tessera"], out_dir=str(tmp_path / f"o{i}"), year=2024) for i in range(2)]
    boxes = [BBox(0.16, 52.03, 0.19, 52.06), BBox(0.21, 52.04, 0.24, 52.07)]
    tasks = [start(s, b, qgis_iface, project) for s, b in zip(specs, boxes)]
    wait_for(tasks)
    assert [t.succeeded for t in tasks] == [True, True], [t.failures for t in tasks]
    groups = {c.name() for c in project.layerTreeRoot().children()}
    assert groups == {t.group.name() for t in tasks} and len(groups) == 2
    assert all(len(files_in(s.out_dir)) == 2 for s in specs)


def test_cancel_during_the_download_leaves_no_files(server, gate, qgis_iface, project, tmp_path):
    gate.release.clear()
    out = tmp_path / "out"
    task = start(RunSpec(models=["tessera"], out_dir=str(out), year=2024), BBox(*EXTENT_4326), qgis_iface, project)
    assert gate.asked.wait(30), "the task never asked for a tile"
    task.cancel()
    gate.release.set()
    wait_for([task])
    assert task.was_cancelled and task.succeeded is False and task.outputs == []
    assert not out.exists() or files_in(out) == []
    assert project.layerTreeRoot().children() == []
    assert any("Cancelled" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))


def test_cancel_after_the_grid_was_written_removes_it(server, qgis_iface, project, tmp_path):
    out = tmp_path / "out"
    task = EmbedExtentTask(RunSpec(models=["tessera"], out_dir=str(out), year=2024), BBox(*EXTENT_4326),
                           message_bar=qgis_iface.messageBar(), project=project)
    seen = []

    def on_progress(value):  # in the worker thread (direct connection)
        if value >= 90 and not seen:
            seen.append(files_in(out))  # the grid GeoTIFF is on disk now
            task.cancel()

    task.progressChanged.connect(on_progress, Qt.DirectConnection)
    QgsApplication.taskManager().addTask(task)
    wait_for([task])
    assert seen and len(seen[0]) == 1 and seen[0][0].endswith(".tif")  # one complete file existed
    assert task.was_cancelled and files_in(out) == []
    assert project.layerTreeRoot().children() == []


def test_a_failure_says_what_went_wrong_and_what_to_do(server, qgis_iface, project, tmp_path):
    out = tmp_path / "out"
    task = start(RunSpec(models=["tessera"], out_dir=str(out), year=2019), BBox(*EXTENT_4326), qgis_iface, project)
    wait_for([task])
    assert task.outputs == [] and files_in(out) == []
    (model, message, _hint), = task.failures
    shown = qgis_iface.messageBar().get_messages(Qgis.Critical)[-1]
    assert model == "tessera" and "2024" in message  # names the year that is there
    assert shown.startswith("RS Embed: tessera failed:") and message in shown
