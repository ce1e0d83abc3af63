"""Chunks on a real dask.distributed cluster started by the test on
127.0.0.1: a ``dask scheduler`` and two ``dask worker`` processes, with the
"Dask scheduler" setting (RS_EMBED_DASK_SCHEDULER) pointed at them."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import rasterio

from test_chunks import ROI, TILES, spec  # noqa: F401  (same fixtures and request)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import tessera_sample as ts  # noqa: E402

from rs_embed_qgis.embedders import CancelledError, Progress, jobs  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DASK = str(Path(sys.executable).with_name("dask"))


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return ts.write_mirror(tmp_path_factory.mktemp("tessera_dask"), TILES, pixel_m=250.0, seed=3)


@pytest.fixture
def cluster(tmp_path):
    """Scheduler + two single-threaded workers (no nanny: a kill is a dead worker)."""
    sched_file = tmp_path / "scheduler.json"
    env = dict(os.environ, PYTHONPATH=str(REPO / ".build" / "pkg"))
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(sched_file)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    deadline = time.time() + 60
    while not sched_file.exists() and time.time() < deadline:
        time.sleep(0.2)
    address = json.loads(sched_file.read_text())["address"]
    workers = [subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--no-nanny",
                                 "--no-dashboard", "--host", "127.0.0.1"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(2)]
    procs += workers
    from distributed import Client

    with Client(address, timeout="30s") as c:
        c.wait_for_workers(2, timeout=60)
    yield address, workers
    from rs_embed_qgis.embedders.dask_engine import close_all

    close_all()
    for p in procs:
        p.kill()
        p.wait(timeout=10)


@pytest.fixture
def slow_server(mirror, loopback, monkeypatch):
    """Tiles served with a delay per request, so that a job takes seconds."""
    route = ts.s3_route(mirror.root)

    def slow(handler, path, query):
        if path.endswith(".npy"):
            time.sleep(0.4)
        return route(handler, path, query)

    srv = loopback(mirror.root, {"/": slow})
    for k, v in ts.mirror_env(srv.url).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("RS_EMBED_CHUNK_MB", "0.01")
    return srv


def read(path):
    with rasterio.open(path) as src:
        return src.read()


def single_process(tmp_path, monkeypatch):
    monkeypatch.delenv("RS_EMBED_DASK_SCHEDULER", raising=False)
    monkeypatch.setenv("RS_EMBED_DASK_WORKERS", "0")
    out = jobs.run(spec(tmp_path / "single"), Progress())
    assert out["engine"] == "in-process"
    return read(tmp_path / "single" / "grid.tif"), out


def test_dask_cluster_output_equals_single_process_bit_for_bit(slow_server, cluster, tmp_path, monkeypatch):
    address, _ = cluster
    monkeypatch.setenv("RS_EMBED_DASK_SCHEDULER", address)
    out = jobs.run(spec(tmp_path / "dask"), Progress())
    assert out["engine"] == f"Dask at {address}" and out["chunks"] > 4
    ref, ref_out = single_process(tmp_path, monkeypatch)
    assert np.array_equal(read(tmp_path / "dask" / "grid.tif"), ref, equal_nan=True)
    assert np.allclose(out["pooled"], ref_out["pooled"], rtol=1e-6)


def test_a_worker_killed_mid_job_has_its_chunks_rerun_elsewhere(slow_server, cluster, tmp_path, monkeypatch):
    address, workers = cluster
    monkeypatch.setenv("RS_EMBED_DASK_SCHEDULER", address)
    killed = []

    def on_message(msg):
        if msg.startswith("Chunk ") and not killed:
            workers[0].send_signal(signal.SIGKILL)
            killed.append(msg)

    out = jobs.run(spec(tmp_path / "dask"), Progress(on_message=on_message))
    assert killed and workers[0].wait(timeout=10) == -signal.SIGKILL
    ref, _ = single_process(tmp_path, monkeypatch)
    assert out["coverage"] == 1.0
    assert np.array_equal(read(tmp_path / "dask" / "grid.tif"), ref, equal_nan=True)


def test_cancel_on_the_cluster_leaves_no_partial_output(slow_server, cluster, tmp_path, monkeypatch):
    address, _ = cluster
    monkeypatch.setenv("RS_EMBED_DASK_SCHEDULER", address)
    seen = []
    prog = Progress(on_message=lambda m: seen.append(m) if m.startswith("Chunk ") else None,
                    is_cancelled=lambda: bool(seen))
    t0 = time.time()
    with pytest.raises(CancelledError):
        jobs.run(spec(tmp_path / "out"), prog)
    assert time.time() - t0 < 60
    out_dir = tmp_path / "out"
    assert not out_dir.exists() or not any(out_dir.iterdir())
