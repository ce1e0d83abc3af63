"""Download faults against servers on 127.0.0.1: 429 with Retry-After, 5xx,
connection resets, a byte every few seconds, a 1 KiB/s body; cancel; two
processes fetching the same cache entry; honest 'partial file' messages."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from fault_server import FaultServer, reset_after, status_then, trickle
from rs_embed_qgis.embedders import CancelledError, DownloadError, Progress
from rs_embed_qgis.embedders.download import download_verified

BODY = np.random.default_rng(5).integers(0, 256, 300_000, dtype=np.uint8).tobytes()
SHA = hashlib.sha256(BODY).hexdigest()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "srv"
    root.mkdir()
    (root / "f.bin").write_bytes(BODY)
    servers = []

    def start(streams=None):
        srv = FaultServer(root, streams=streams).start()
        servers.append(srv)
        return srv

    yield start
    for s in servers:
        s.stop()


def fetch(srv, dest, **kw):
    return download_verified(f"{srv.url}/f.bin", dest, SHA, **kw)


def statuses(srv):
    return [st for _, p, _, st in srv.requests if p == "/f.bin"]


def test_429_waits_for_retry_after_then_succeeds(server, tmp_path):
    srv = server({"/f.bin": status_then(429, headers={"Retry-After": "1"})})
    messages = []
    t0 = time.monotonic()
    out = fetch(srv, tmp_path / "a" / "f.bin", progress=Progress(on_message=messages.append))
    assert out.read_bytes() == BODY
    assert time.monotonic() - t0 >= 1.0  # Retry-After honoured
    assert statuses(srv) == ["stream", 200]
    assert any("HTTP 429" in m and "retrying in 1 s" in m for m in messages)


@pytest.fixture
def quick_backoff(monkeypatch):
    from rs_embed_qgis.embedders import download

    monkeypatch.setattr(download, "BACKOFF_S", 0.05)


def test_5xx_is_retried_with_backoff(server, tmp_path, quick_backoff):
    srv = server()
    srv.fail_next["/f.bin"] = [500, 503]
    assert fetch(srv, tmp_path / "f.bin").read_bytes() == BODY
    assert statuses(srv) == [500, 503, 200]


def test_5xx_that_persists_is_a_clear_error_without_a_partial_file_claim(server, tmp_path, quick_backoff):
    srv = server()
    srv.fail_next["/f.bin"] = [502] * 5
    with pytest.raises(DownloadError, match=r"failed 5 times \(last: HTTP 502") as err:
        fetch(srv, tmp_path / "f.bin")
    assert "partial file" not in str(err.value)  # there is none
    assert not (tmp_path / "f.bin.part").exists()


def test_connection_reset_mid_body_resumes_with_range(server, tmp_path, quick_backoff):
    srv = server({"/f.bin": reset_after(BODY, 100_000)})
    assert fetch(srv, tmp_path / "f.bin").read_bytes() == BODY
    (_, _, r1, s1), (_, _, r2, s2) = srv.requests
    assert (r1, s1) == (None, "stream") and s2 == 206 and r2.startswith("bytes=")
    assert 0 < int(r2[6:-1]) <= 100_000


def test_a_byte_every_few_seconds_trips_the_stall_timeout(server, tmp_path, monkeypatch):
    monkeypatch.setenv("RS_EMBED_DOWNLOAD_STALL_S", "1")
    srv = server({"/f.bin": trickle(BODY, 1, 0.4)})
    t0 = time.monotonic()
    with pytest.raises(DownloadError, match=r"stalled: less than 1024 bytes arrived in 1 s.*"
                                            r"RS_EMBED_DOWNLOAD_STALL_S.*partial file .* is kept"):
        fetch(srv, tmp_path / "f.bin")
    assert time.monotonic() - t0 < 2.5
    assert 0 < (tmp_path / "f.bin.part").stat().st_size < 10


def test_a_slow_but_moving_download_stops_at_the_deadline(server, tmp_path, monkeypatch):
    monkeypatch.setenv("RS_EMBED_DOWNLOAD_STALL_S", "1")
    monkeypatch.setenv("RS_EMBED_DOWNLOAD_DEADLINE_S", "1.5")
    srv = server({"/f.bin": trickle(BODY, 4096, 0.05)})  # ~80 KB/s: never stalls, never ends in time
    t0 = time.monotonic()
    with pytest.raises(DownloadError, match=r"did not finish within the 1.5 s deadline.*RS_EMBED_DOWNLOAD_DEADLINE_S"):
        fetch(srv, tmp_path / "f.bin")
    assert 1.4 < time.monotonic() - t0 < 3.0


@pytest.mark.parametrize("step,every", [(64, 1 / 16), (1, 30.0)], ids=["1KiB_per_s", "silent"])
def test_cancel_takes_effect_within_a_second(server, tmp_path, step, every):
    srv = server({"/f.bin": trickle(BODY, step, every)})
    cancel_at = {}

    def cancelled():
        return "t" in cancel_at and time.monotonic() >= cancel_at["t"]

    def on_message(msg):
        if msg.startswith("Downloading") and "t" not in cancel_at:
            cancel_at["t"] = time.monotonic() + 0.5

    with pytest.raises(CancelledError):
        fetch(srv, tmp_path / "f.bin", progress=Progress(on_message=on_message, is_cancelled=cancelled))
    assert time.monotonic() - cancel_at["t"] < 1.0


def test_partial_file_message_only_when_one_exists(server, tmp_path):
    srv = server()
    srv.fail_next["/f.bin"] = [404]
    with pytest.raises(DownloadError, match="HTTP 404") as err:
        fetch(srv, tmp_path / "f.bin")
    assert "partial" not in str(err.value)
    (tmp_path / "g.bin.part").write_bytes(BODY[:10])
    srv.fail_next["/f.bin"] = [404]
    with pytest.raises(DownloadError, match=r"partial file .*g.bin.part \(10 bytes\) is kept"):
        download_verified(f"{srv.url}/f.bin", tmp_path / "g.bin", SHA)


CHILD = r"""
import sys
sys.path.insert(0, sys.argv[1])
from rs_embed_qgis.embedders import get_config
from rs_embed_qgis.embedders.products import copernicus as cop
path = cop.ensure_product(get_config())
print("OK", path)
"""


def test_two_processes_fetching_the_same_copernicus_file_both_succeed(server, tmp_path):
    from fixtures_precomputed import write_copernicus_tif

    from rs_embed_qgis.embedders.products import copernicus as cop

    vals = np.random.default_rng(1).normal(0, 0.05, (768, 8, 8)).astype(np.float32)
    src = write_copernicus_tif(tmp_path / "p.tif", vals, blockxsize=16, blockysize=16)
    body = src.read_bytes()
    srv = server({"/embed_map_310k.tif": trickle(body, 16_384, 0.15)})  # ~2 s per copy
    pkg_parent = Path(__file__).resolve().parents[2] / ".build" / "pkg"
    cache = tmp_path / "shared_cache"
    env = dict(os.environ, RS_EMBED_CACHE_DIR=str(cache), RS_EMBED_COPERNICUS_URL=f"{srv.url}/embed_map_310k.tif",
               RS_EMBED_COPERNICUS_SHA256=hashlib.sha256(body).hexdigest())
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(pkg_parent)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert out.startswith("OK")
    dest = cache / "copernicus_embed" / cop.FILENAME
    assert dest.read_bytes() == body
    served = lambda: [s for _, p, _, s in srv.requests if p.endswith(".tif")]  # noqa: E731
    deadline = time.monotonic() + 5   # the server records a stream after its last byte: the
    while not served() and time.monotonic() < deadline:   # child may exit before that
        time.sleep(0.05)
    assert served() == ["stream"]  # downloaded once
    assert sorted(x.name for x in dest.parent.iterdir()) == [cop.FILENAME]  # no .part, no .lock left


def test_lock_wait_is_cancellable(tmp_path):
    from rs_embed_qgis.embedders.locks import file_lock

    entry = tmp_path / "entry.bin"
    held, release = threading.Event(), threading.Event()

    def holder():
        with file_lock(entry):
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(5)
    t0 = time.monotonic()
    with pytest.raises(CancelledError):
        with file_lock(entry, Progress(is_cancelled=lambda: time.monotonic() - t0 > 0.3)):
            pass
    assert time.monotonic() - t0 < 1.0
    release.set()
    t.join()
    with file_lock(entry):  # free again
        pass
