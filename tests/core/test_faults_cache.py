"""Cache integrity: damaged cached Tessera tiles and scales, a damaged
Copernicus product and re-tiled copy, corrupted weights with the mtime put
back. Each damage is detected before use, fetched or rebuilt once, and said."""
from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import tessera_sample as ts  # noqa: E402

from fixtures_precomputed import COP_TRANSFORM, write_copernicus_tif  # noqa: E402
from rs_embed_qgis.embedders import (  # noqa: E402
    BBox, DownloadError, OutputSpec, PointBuffer, Progress, TemporalSpec, get_config, get_embedding,
)
from rs_embed_qgis.embedders.products import copernicus as cop  # noqa: E402

Y = TemporalSpec.year(2024)
TILE = "grid_0.15_52.05"


def damage(path: Path, how: str, at=0.5, n=16):
    """Flip ``n`` bytes at fraction ``at`` of the file, or cut it in half; the mtime is put back."""
    st = path.stat()
    data = bytearray(path.read_bytes())
    if how == "flip":
        i = int(len(data) * at)
        data[i:i + n] = bytes(b ^ 0xFF for b in data[i:i + n])
    else:
        data = data[: len(data) // 2]
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


# --------------------------------------------------------------------------
# Tessera

@pytest.fixture
def tessera(tmp_path, loopback, monkeypatch):
    mirror = ts.write_mirror(tmp_path / "mirror", [(0.15, 52.05, [2024])], pixel_m=250.0, seed=3)
    srv = loopback(mirror.root, {"/": ts.s3_route(mirror.root)})
    for k, v in ts.mirror_env(srv.url).items():
        monkeypatch.setenv(k, v)
    return mirror, srv


def _tessera(progress=None):
    return get_embedding("tessera", spatial=PointBuffer(0.15, 52.05, 1500), temporal=Y,
                         output=OutputSpec.grid(), progress=progress)


def _gets(srv, suffix):
    return [p for m, p, _, _ in srv.requests if m == "GET" and p.endswith(suffix)]


@pytest.mark.parametrize("what", ["tile", "scales"])
@pytest.mark.parametrize("how", ["flip", "truncate"])
def test_damaged_cached_tessera_file_is_fetched_again(tessera, isolated_cache, what, how):
    _, srv = tessera
    first = _tessera().to_numpy()
    name = f"{TILE}.npy" if what == "tile" else f"{TILE}_scales.npy"
    cached = next((isolated_cache / "tessera" / "tiles").rglob(name))
    damage(cached, how)
    srv.reset_counters()
    messages = []
    again = _tessera(Progress(on_message=messages.append)).to_numpy()
    np.testing.assert_array_equal(again, first)  # bit-identical after the refetch
    assert _gets(srv, "/" + name) == [f"/npy/v1.1-cam/2024/{TILE}/{name}"]
    assert any("damaged" in m and "downloading it again" in m and name in m for m in messages)
    srv.reset_counters()
    np.testing.assert_array_equal(_tessera().to_numpy(), first)
    assert _gets(srv, ".npy") == []  # intact now: no further download


def test_tessera_file_still_bad_after_refetch_is_a_clear_error(tessera, isolated_cache):
    mirror, srv = tessera
    _tessera()
    served = mirror.npy_dir / "2024" / TILE / f"{TILE}.npy"
    served.write_bytes(served.read_bytes()[:-4096])  # the mirror now serves a short file
    cached = next((isolated_cache / "tessera" / "tiles").rglob(f"{TILE}.npy"))
    damage(cached, "flip")
    with pytest.raises(DownloadError, match=rf"Tessera tile {TILE} \(2024\) is damaged even after "
                                            r"downloading it again \(.*the registry says"):
        _tessera()
    assert not cached.exists()  # the bad copy is not kept


# --------------------------------------------------------------------------
# Copernicus

def _cop_values(h=40, w=40, seed=0):
    return np.random.default_rng(seed).normal(0, 0.05, size=(768, h, w)).astype(np.float32)


OFF = 8  # the fixtures start at cell (8, 8) of the global grid: clear of the -180 edge


def _roi_all(h=40, w=40):
    a, _, x0, _, e, y0 = COP_TRANSFORM
    x0, y0 = x0 + a * OFF, y0 + e * OFF
    return dict(spatial=BBox(x0 + 0.01, y0 + e * h + 0.01, x0 + a * w - 0.01, y0 - 0.01),
                temporal=Y.__class__.year(2021), output=OutputSpec.grid())


@pytest.fixture
def cop_server(tmp_path, loopback, monkeypatch):
    vals = _cop_values()
    src = write_copernicus_tif(tmp_path / "srv" / cop.FILENAME, vals, col0=OFF, row0=OFF, blockxsize=32,
                               blockysize=32)
    srv = loopback(src.parent)
    monkeypatch.setenv(cop.URL_ENV, f"{srv.url}/{cop.FILENAME}")
    monkeypatch.setenv(cop.SHA_ENV, hashlib.sha256(src.read_bytes()).hexdigest())
    return vals, srv


@pytest.mark.parametrize("how", ["flip", "truncate"])
def test_damaged_cached_copernicus_product_is_downloaded_again(cop_server, how):
    vals, srv = cop_server
    np.testing.assert_array_equal(get_embedding("copernicus_embed", **_roi_all()).to_numpy(), vals)
    cached = get_config().sub_cache("copernicus_embed") / cop.FILENAME
    damage(cached, how)
    messages = []
    emb = get_embedding("copernicus_embed", progress=Progress(on_message=messages.append), **_roi_all())
    np.testing.assert_array_equal(emb.to_numpy(), vals)
    assert any("is damaged" in m and "downloading it again" in m for m in messages)
    assert [s for m, _, _, s in srv.requests if m == "GET"] == [200, 200]


@pytest.mark.parametrize("how", ["flip", "truncate"])
def test_damaged_retiled_copy_is_detected_and_rebuilt(cop_server, monkeypatch, how):
    vals, srv = cop_server
    monkeypatch.setattr(cop, "RETILE_ABOVE_MB", 0)  # re-tile this small product as the 3 GB one is
    emb = get_embedding("copernicus_embed", **_roi_all())
    fast = Path(emb.meta["read_from"])
    assert fast.name.endswith(".tiles16.tif")
    damage(fast, how, at=0.6)
    messages = []
    emb = get_embedding("copernicus_embed", progress=Progress(on_message=messages.append), **_roi_all())
    np.testing.assert_array_equal(emb.to_numpy(), vals)  # no wrong value reaches the output
    assert any("re-tiled copy" in m and "damaged" in m and "rebuilding" in m for m in messages)
    messages.clear()
    get_embedding("copernicus_embed", progress=Progress(on_message=messages.append), **_roi_all())
    assert not any("damaged" in m or "Re-tiling" in m for m in messages)


def test_damaged_user_copernicus_file_is_a_clear_error(tmp_path, monkeypatch):
    from rs_embed_qgis.embedders import DataUnavailableError

    path = write_copernicus_tif(tmp_path / cop.FILENAME, _cop_values(), col0=OFF, row0=OFF,
                                blockxsize=32, blockysize=32)
    damage(path, "truncate")
    monkeypatch.setenv("RS_EMBED_COPERNICUS_PATH", str(path))
    with pytest.raises(DataUnavailableError, match="could not be read \\(damaged or truncated\\?\\)"):
        get_embedding("copernicus_embed", **_roi_all())


# --------------------------------------------------------------------------
# Weights

def _checkpoint(path):
    import torch

    torch.save({"w": torch.arange(4096, dtype=torch.float32).reshape(64, 64)}, path)
    return path


@pytest.mark.parametrize("published", [True, False], ids=["published_sha256", "trust_on_first_use"])
def test_corrupted_weights_with_mtime_kept_are_detected_and_downloaded_again(tmp_path, loopback, published):
    from rs_embed_qgis.embedders.download import _seen
    from rs_embed_qgis.embedders.weights import WeightsSpec, ensure_weights, load_state_dict

    (tmp_path / "srv").mkdir()
    f = _checkpoint(tmp_path / "srv" / "tiny.pth")
    srv = loopback(f.parent)
    sha = hashlib.sha256(f.read_bytes()).hexdigest() if published else None
    spec = WeightsSpec(filename="tiny.pth", url=f"{srv.url}/tiny.pth", sha256=sha)
    cfg = get_config(weights_dir=str(tmp_path / "w"))
    p = ensure_weights(spec, cfg)
    assert load_state_dict(p)["w"][10, 10] == 650.0
    damage(p, "flip", at=0.8, n=4)  # inside the tensor data; the mtime is put back
    messages = []
    _seen.clear()  # as a new process would start
    p2 = ensure_weights(spec, cfg, Progress(on_message=messages.append))
    assert p2.read_bytes() == f.read_bytes()
    assert any("damaged" in m and "downloading it again" in m for m in messages)
    assert sum(1 for r in srv.requests if r[0] == "GET") == 2


def test_user_weights_file_without_published_hash_is_checked_against_first_use(tmp_path, monkeypatch):
    from rs_embed_qgis.embedders.weights import WeightsSpec, ensure_weights

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    wdir = tmp_path / "w"
    (wdir / "org" / "tiny").mkdir(parents=True)
    f = _checkpoint(wdir / "org" / "tiny" / "tiny.pth")
    spec = WeightsSpec(filename="tiny.pth", repo_id="org/tiny", revision="3" * 40)
    assert ensure_weights(spec, get_config(weights_dir=str(wdir))) == f
    damage(f, "flip", at=0.8, n=4)
    with pytest.raises(DownloadError, match=r"differs from the sha256 recorded when it was first downloaded.*delete"):
        ensure_weights(spec, get_config(weights_dir=str(wdir)))
    assert f.exists()  # a user's file is never deleted


def test_weights_check_cost_per_load_is_one_hash_per_process(tmp_path):
    """The figure for the report: sha256 of a 64 MB file, first load vs. later loads."""
    from rs_embed_qgis.embedders.weights import WeightsSpec, verify

    f = tmp_path / "big.bin"
    f.write_bytes(np.random.default_rng(0).integers(0, 256, 64 << 20, dtype=np.uint8).tobytes())
    spec = WeightsSpec(filename="big.bin", url="http://127.0.0.1:9/big.bin",
                       sha256=hashlib.sha256(f.read_bytes()).hexdigest())
    t0 = time.perf_counter()
    assert verify(spec, f, tmp_path) is None
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert verify(spec, f, tmp_path) is None
    later = time.perf_counter() - t0
    print(f"\nweights check: first load {first * 1000:.0f} ms for 64 MB "
          f"({64 / first:.0f} MB/s), later loads {later * 1000:.2f} ms")
    assert later < first / 10
