"""Shared fixtures of the GUI tests: Tessera tiles in the real v1.1 format
served from 127.0.0.1 (with a gate that can hold tile downloads), a clean
project, and a loop that lets queued tasks finish on the main thread."""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtCore import QCoreApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import tessera_sample as ts  # noqa: E402

TILES = [(0.15, 52.05), (0.25, 52.05)]
EXTENT_4326 = (0.16, 52.03, 0.24, 52.07)  # crosses the tile boundary at lon 0.2


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return ts.write_mirror(tmp_path_factory.mktemp("gui_tessera"), TILES, pixel_m=250.0, seed=3)


@pytest.fixture
def gate():
    """Holds tile downloads until released; records that one was asked for."""
    class Gate:
        def __init__(self):
            self.asked = threading.Event()
            self.release = threading.Event()

        def route(self, _handler, path, _query):
            if path.endswith(".npy"):
                self.asked.set()
                self.release.wait(30)
            return None  # fall through to the real file

    g = Gate()
    g.release.set()
    yield g
    g.release.set()


@pytest.fixture
def server(mirror, loopback, gate, monkeypatch):
    srv = loopback(mirror.root, {"/npy/": gate.route, "/": ts.s3_route(mirror.root)})
    for k, v in ts.mirror_env(srv.url).items():
        monkeypatch.setenv(k, v)
    return srv


@pytest.fixture
def project():
    p = QgsProject.instance()
    yield p
    p.removeAllMapLayers()
    p.layerTreeRoot().removeAllChildren()


def wait_for(tasks, timeout=60):
    """Let the main thread process events until every task's finished() ran."""
    deadline = time.monotonic() + timeout
    while not all(t.done for t in tasks):
        assert time.monotonic() < deadline, "the task did not finish"
        QCoreApplication.processEvents()
        time.sleep(0.01)


def files_in(folder):
    return sorted(p.name for p in Path(folder).rglob("*") if p.is_file())
