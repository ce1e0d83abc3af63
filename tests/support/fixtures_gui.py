"""Shared fixtures of the GUI tests: Tessera tiles in the real v1.1 format
(written by the core's Python, which has rasterio and pyarrow) served from
127.0.0.1 with a gate that can hold tile downloads; a clean project; a loop
that lets queued tasks finish on the main thread; the worker processes of
this test process; and fresh workers per test (a worker keeps the
environment it started with)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtCore import QCoreApplication

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
PKG_PARENT = Path(__file__).resolve().parents[2] / ".build" / "pkg"
sys.path.insert(0, str(SCRIPTS))
import tessera_sample as ts  # noqa: E402  (numpy only at import; the writers need the core's Python)

TILES = [(0.15, 52.05), (0.25, 52.05)]
EXTENT_4326 = (0.16, 52.03, 0.24, 52.07)  # crosses the tile boundary at lon 0.2


def core_python() -> str:
    py = os.environ.get("RS_EMBED_PYTHON")
    assert py and Path(py).exists(), "the QGIS suite needs RS_EMBED_PYTHON (the core's Python)"
    return py


def run_core_script(code: str, *args, timeout=300) -> str:
    """Run ``code`` with the core's Python (scripts/ on its path); its stdout."""
    proc = subprocess.run([core_python(), "-c", f"import sys; sys.path[:0] = [{str(SCRIPTS)!r}, {str(PKG_PARENT)!r}]\n" + code,
                           *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    root = tmp_path_factory.mktemp("gui_tessera")
    run_core_script("import tessera_sample as ts\n"
                    f"ts.write_mirror(sys.argv[1], {TILES!r}, pixel_m=250.0, seed=3)", root)
    return ts.Mirror(root=root, pixel_m=250.0)


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
def server(mirror, loopback, gate, monkeypatch, fresh_workers):
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


def wait_for(tasks, timeout=90):
    """Let the main thread process events until every task's finished() ran."""
    deadline = time.monotonic() + timeout
    while not all(t.done for t in tasks):
        assert time.monotonic() < deadline, "the task did not finish"
        QCoreApplication.processEvents()
        time.sleep(0.01)


def files_in(folder):
    return sorted(p.name for p in Path(folder).rglob("*") if p.is_file())


def worker_pids():
    """Live RS Embed worker processes started by this process (Linux /proc)."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            state = stat.rsplit(")", 1)[1].split()[0]
            cmd = (d / "cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid() and state != "Z" and "embedders.worker import main" in cmd:
            pids.append(int(d.name))
    return pids


def pid_alive(pid) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def core_grid(bbox, year, out_npy):
    """What the core itself gives for ``bbox`` and ``year`` (run in the core's
    Python, with this process's environment: the same served mirror)."""
    run_core_script(
        "import json, numpy as np\n"
        "from rs_embed_qgis.embedders import BBox, OutputSpec, TemporalSpec, get_embedding\n"
        "g = get_embedding('tessera', spatial=BBox(*json.loads(sys.argv[1])), "
        "temporal=TemporalSpec.year(int(sys.argv[2])), output=OutputSpec.grid())\n"
        "np.save(sys.argv[3], g.to_numpy())",
        json.dumps(list(bbox)), year, out_npy)
    import numpy as np

    return np.load(out_npy)
