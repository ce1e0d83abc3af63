"""The drawn-extent run in QGIS's task manager, through the core's worker, on
Tessera tiles in the real v1.1 format served from 127.0.0.1: it completes and
loads a styled layer group; several runs queue; cancel kills the worker within
2 s and leaves no files; a worker killed (SIGKILL), crashed (SIGSEGV) or over
its memory limit gives a clear error with its last log lines, no output, and
the next run works; failures reach the message bar with what to do."""
from __future__ import annotations

import os
import signal
import sys
import time

import numpy as np
import pytest
from fixtures_gui import (  # noqa: F401
    EXTENT_4326, core_grid, files_in, gate, mirror, pid_alive, project, server, wait_for,
    worker_pids,
)
from osgeo import gdal
from qgis.core import (
    Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsMultiBandColorRenderer, QgsProject, QgsRectangle,
)

from rs_embed_qgis.embedders.specs import BBox
from rs_embed_qgis.gui.task import EmbedExtentTask, RunSpec, bbox_from_extent

HEAVY = ("torch", "rasterio", "pyproj", "geotessera", "pandas", "sklearn", "ee")


def start(spec, bbox, iface, project):
    task = EmbedExtentTask(spec, bbox, message_bar=iface.messageBar(), project=project)
    QgsApplication.taskManager().addTask(task)
    return task


def read_grid(path):
    ds = gdal.Open(str(path))
    return ds.ReadAsArray(), ds


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
    written, ds = read_grid(grid_path)
    np.testing.assert_array_equal(written, core_grid(EXTENT_4326, 2024, tmp_path / "direct.npy"))
    assert ds.GetMetadataItem("RS_EMBED_MODEL") == "tessera"

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
    assert [m for m in HEAVY if m in sys.modules] == []  # the core ran in the worker


def test_several_runs_queue_and_each_gets_its_own_group(server, qgis_iface, project, tmp_path):
    specs = [RunSpec(models=["tessera"], out_dir=str(tmp_path / f"o{i}"), year=2024) for i in range(2)]
    boxes = [BBox(0.16, 52.03, 0.19, 52.06), BBox(0.21, 52.04, 0.24, 52.07)]
    tasks = [start(s, b, qgis_iface, project) for s, b in zip(specs, boxes)]
    wait_for(tasks)
    assert [t.succeeded for t in tasks] == [True, True], [t.failures for t in tasks]
    groups = {c.name() for c in project.layerTreeRoot().children()}
    assert groups == {t.group.name() for t in tasks} and len(groups) == 2
    assert all(len(files_in(s.out_dir)) == 2 for s in specs)


def held_run(gate, qgis_iface, project, out):
    """A run whose worker is waiting for a tile download (the gate holds it)."""
    gate.release.clear()
    task = start(RunSpec(models=["tessera"], out_dir=str(out), year=2024), BBox(*EXTENT_4326), qgis_iface, project)
    assert gate.asked.wait(60), "the worker never asked for a tile"
    pids = worker_pids()
    assert len(pids) == 1, pids
    return task, pids[0]


def test_cancel_kills_the_worker_within_2_s_and_leaves_no_files(server, gate, qgis_iface, project, tmp_path):
    out = tmp_path / "out"
    task, pid = held_run(gate, qgis_iface, project, out)
    t0 = time.monotonic()
    task.cancel()
    while pid_alive(pid) and time.monotonic() - t0 < 5:
        time.sleep(0.02)
    gone_after = time.monotonic() - t0
    gate.release.set()
    wait_for([task])
    print(f"worker gone {gone_after:.3f} s after cancel")
    assert gone_after < 2.0, f"the worker lived {gone_after:.2f} s after cancel"
    assert task.was_cancelled and task.succeeded is False and task.outputs == []
    assert not out.exists() or files_in(out) == []
    assert project.layerTreeRoot().children() == []
    assert any("Cancelled" in m for m in qgis_iface.messageBar().get_messages(Qgis.Info))


def test_cancel_after_the_first_model_removes_its_files_too(server, gate, qgis_iface, project, tmp_path):
    out = tmp_path / "out"
    task = EmbedExtentTask(RunSpec(models=["tessera", "tessera"], out_dir=str(out), year=2024),
                           BBox(*EXTENT_4326), message_bar=qgis_iface.messageBar(), project=project)
    seen = []

    def on_progress(value):  # in the task thread (direct connection)
        if value >= 50 and not seen:   # the first model's files are in place now
            seen.append(files_in(out))
            task.cancel()

    from qgis.PyQt.QtCore import Qt

    task.progressChanged.connect(on_progress, Qt.DirectConnection)
    QgsApplication.taskManager().addTask(task)
    wait_for([task])
    assert seen and len(seen[0]) == 2 and all(n.endswith(".tif") for n in seen[0])
    assert task.was_cancelled and files_in(out) == []
    assert project.layerTreeRoot().children() == []


@pytest.mark.parametrize("sig, words", [(signal.SIGKILL, "killed"), (signal.SIGSEGV, "segmentation fault")])
def test_a_worker_killed_mid_run_gives_a_clear_error_and_the_next_run_works(
        server, gate, qgis_iface, project, tmp_path, sig, words):
    out = tmp_path / "out"
    task, pid = held_run(gate, qgis_iface, project, out)
    os.kill(pid, sig)
    wait_for([task])
    gate.release.set()
    assert task.succeeded is False and task.outputs == [] and files_in(out) == []
    (model, message, hint), = task.failures
    assert model == "tessera" and words in message and "no output was written" in message
    assert "Embedding" in message  # the worker's last log lines come with it
    assert "Log Messages" in hint
    shown = qgis_iface.messageBar().get_messages(Qgis.Critical)[-1]
    assert shown.startswith("RS Embed: tessera failed:") and words in shown
    assert project.layerTreeRoot().children() == []

    again = start(RunSpec(models=["tessera"], out_dir=str(out), year=2024), BBox(*EXTENT_4326), qgis_iface, project)
    wait_for([again])
    assert again.succeeded and len(files_in(out)) == 2


def test_a_worker_over_its_memory_limit_gives_a_clear_error(server, qgis_iface, project, tmp_path, monkeypatch):
    monkeypatch.setenv("RS_EMBED_WORKER_MEMORY_MB", "150")
    out = tmp_path / "out"
    task = start(RunSpec(models=["tessera"], out_dir=str(out), year=2024), BBox(*EXTENT_4326), qgis_iface, project)
    wait_for([task])
    assert task.succeeded is False and files_in(out) == [] if out.exists() else True
    (model, message, _hint), = task.failures
    assert "memory" in message.lower(), message
    monkeypatch.delenv("RS_EMBED_WORKER_MEMORY_MB")
    again = start(RunSpec(models=["tessera"], out_dir=str(out), year=2024), BBox(*EXTENT_4326), qgis_iface, project)
    wait_for([again])
    assert again.succeeded and len(files_in(out)) == 2


def test_a_failure_says_what_went_wrong_and_what_to_do(server, qgis_iface, project, tmp_path):
    out = tmp_path / "out"
    task = start(RunSpec(models=["tessera"], out_dir=str(out), year=2019), BBox(*EXTENT_4326), qgis_iface, project)
    wait_for([task])
    assert task.outputs == [] and files_in(out) == []
    (model, message, _hint), = task.failures
    shown = qgis_iface.messageBar().get_messages(Qgis.Critical)[-1]
    assert model == "tessera" and "2024" in message  # names the year that is there
    assert shown.startswith("RS Embed: tessera failed:") and message in shown


def test_before_set_up_the_run_says_how_to_set_up(qgis_iface, project, tmp_path, monkeypatch, fresh_workers):
    monkeypatch.setenv("RS_EMBED_PYTHON", str(tmp_path / "no-such-env" / "bin" / "python"))
    task = start(RunSpec(models=["tessera"], out_dir=str(tmp_path / "out"), year=2024), BBox(*EXTENT_4326),
                 qgis_iface, project)
    wait_for([task])
    (model, message, _hint), = task.failures
    assert "not set up" in message and "Set up RS Embed" in message and "RS_EMBED_PYTHON" in message
