"""The worker boundary from the client's side (embedders.jobclient, standard
library only): a real worker process running real jobs with the core's
Python. Crashes, kills, hangs and cancel give clear errors, leave no output
or temporary file, and the next run works; a warm worker is reused and sees
the settings of each job."""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import tessera_sample as ts  # noqa: E402

from rs_embed_qgis.embedders import jobclient  # noqa: E402
from rs_embed_qgis.embedders.fileio import TEMP_MARK  # noqa: E402

PY = sys.executable
TILES = [(0.15, 52.05, [2024]), (0.25, 52.05, [2024])]
ROI = [0.12, 52.01, 0.28, 52.08]


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return ts.write_mirror(tmp_path_factory.mktemp("tessera_worker"), TILES, pixel_m=250.0, seed=5)


@pytest.fixture
def server(mirror, loopback, monkeypatch):
    """Tessera tiles on 127.0.0.1; .npy answers wait ``delay[0]`` seconds."""
    route = ts.s3_route(mirror.root)
    delay = [0.0]

    def slow(handler, path, query):
        if path.endswith(".npy"):
            time.sleep(delay[0])
        return route(handler, path, query)

    srv = loopback(mirror.root, {"/": slow})
    for k, v in ts.mirror_env(srv.url).items():
        monkeypatch.setenv(k, v)
    srv.delay = delay
    yield srv
    jobclient.shutdown()


def embed_spec(out: Path):
    return jobclient.new_job("embed_roi", {"model": "tessera", "spatial": {"bbox": ROI},
                                           "temporal": {"year": 2024}, "output": str(out / "grid.tif"),
                                           "pca_output": str(out / "pca.tif")})


def leftovers(folder: Path):
    return [p for p in folder.iterdir() if TEMP_MARK in p.name] if folder.exists() else []


def run_and_signal(spec, out, sig, after_s=1.5):
    """Run ``spec`` and send ``sig`` to the worker while it waits for tiles."""
    w = jobclient.Worker(PY)
    threading.Timer(after_s, lambda: os.kill(w.pid, sig)).start()
    try:
        with pytest.raises(jobclient.WorkerError) as exc:
            w.run(spec)
    finally:
        w.kill()
        jobclient.clean_temporaries(spec["id"], [out / "grid.tif"])
    return exc.value


def test_a_job_runs_with_progress_and_log_lines(server, tmp_path):
    seen, logs = [], []
    out = jobclient.run_job(PY, embed_spec(tmp_path), on_progress=seen.append, on_log=logs.append)
    assert out["dim"] == 128 and (tmp_path / "grid.tif").exists() and (tmp_path / "pca.tif").exists()
    assert seen and max(seen) == 1.0 and any("Tessera" in m for m in logs)


def test_core_errors_arrive_with_their_class_and_message(server, tmp_path):
    out = tmp_path / "out"
    spec = embed_spec(out)
    spec["params"]["temporal"] = {"year": 2019}
    with pytest.raises(jobclient.WorkerError) as exc:
        jobclient.run_job(PY, spec, [out / "grid.tif"])
    assert exc.value.error == "DataUnavailableError" and "2024" in exc.value.message
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV], ids=["SIGKILL", "SIGSEGV"])
def test_a_worker_killed_mid_run_is_a_clear_error_and_the_next_run_works(server, tmp_path, sig):
    server.delay[0] = 3.0
    err = run_and_signal(embed_spec(tmp_path), tmp_path, sig)
    assert err.error == "WorkerCrashed"
    assert {signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault"}[sig] in err.message
    assert "QGIS is fine and no output was written" in err.message
    assert not (tmp_path / "grid.tif").exists() and not leftovers(tmp_path)
    server.delay[0] = 0.0
    assert jobclient.run_job(PY, embed_spec(tmp_path))["dim"] == 128


def test_cancel_kills_the_worker_within_two_seconds(server, tmp_path):
    server.delay[0] = 5.0
    w = jobclient.Worker(PY)
    t_cancel = []

    def cancelled():  # the user presses Cancel a second into the run
        if not t_cancel and time.monotonic() - t0 > 1.0:
            t_cancel.append(time.monotonic())
        return bool(t_cancel)

    t0 = time.monotonic()
    with pytest.raises(jobclient.WorkerError) as exc:
        w.run(embed_spec(tmp_path), is_cancelled=cancelled)
    assert exc.value.cancelled
    assert w.proc.poll() is not None and time.monotonic() - t_cancel[0] < 2.0
    with pytest.raises(ProcessLookupError):
        os.kill(w.pid, 0)


def test_a_hung_worker_is_stopped_with_its_last_log_lines(server, tmp_path):
    server.delay[0] = 30.0
    with pytest.raises(jobclient.WorkerError) as exc:
        jobclient.run_job(PY, embed_spec(tmp_path), [tmp_path / "grid.tif"], stall_s=2.0)
    assert exc.value.error == "WorkerHung" and "2 s" in exc.value.message
    assert not leftovers(tmp_path) and not (tmp_path / "grid.tif").exists()


def test_a_warm_worker_is_reused_and_sees_each_jobs_settings(server, tmp_path, monkeypatch):
    first = jobclient.run_job(PY, embed_spec(tmp_path / "a"))
    pid = jobclient._idle[jobclient._warm_key(PY, None)].pid
    monkeypatch.setenv("RS_EMBED_CACHE_DIR", str(tmp_path / "other_cache"))
    second = jobclient.run_job(PY, embed_spec(tmp_path / "b"))
    assert jobclient._idle[jobclient._warm_key(PY, None)].pid == pid
    assert first["metadata"]["registry_cache_dir"] != second["metadata"]["registry_cache_dir"]
    assert str(tmp_path / "other_cache") in second["metadata"]["registry_cache_dir"]


def test_a_spec_of_another_version_is_refused(server, tmp_path):
    spec = embed_spec(tmp_path)
    spec["version"] = 99
    with pytest.raises(jobclient.WorkerError) as exc:
        jobclient.run_job(PY, spec)
    assert exc.value.error == "SpecError" and "version" in exc.value.message


def test_no_python_says_how_to_set_up(tmp_path):
    with pytest.raises(jobclient.WorkerError) as exc:
        jobclient.run_job(str(tmp_path / "no-python"), embed_spec(tmp_path))
    assert exc.value.error == "NotSetUp" and "Set up RS Embed" in exc.value.message


def test_secrets_never_leave_the_worker_or_reach_the_geotiff(server, tmp_path, monkeypatch):
    """Credentials in the Tessera mirror URL: not in log lines, metadata or tags."""
    import rasterio

    url = os.environ["RS_EMBED_TESSERA_URL"]
    monkeypatch.setenv("RS_EMBED_TESSERA_URL", url.replace("http://", "http://alice:s3cr3t@"))
    logs = []
    out = jobclient.run_job(PY, embed_spec(tmp_path / "out"), on_log=logs.append)
    with rasterio.open(tmp_path / "out" / "grid.tif") as src:
        tags = json.dumps(src.tags())
    for text in ("\n".join(logs), json.dumps(out["metadata"]), tags):
        assert "s3cr3t" not in text
    assert "***@" in json.dumps(out["metadata"]) + tags
