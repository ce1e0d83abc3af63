"""Errors a user can act on, from the downloaders and caches: an unwritable
folder, a refused or missing file, a damaged product the user points at.
Each is an RSEmbedError whose message says what to do, never an OSError or
GDAL traceback."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from fixtures_precomputed import write_copernicus_tif
from rs_embed_qgis.embedders import DownloadError, get_config
from rs_embed_qgis.embedders.download import download_verified


@pytest.fixture
def served(tmp_path, loopback):
    (tmp_path / "srv").mkdir()
    body = np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes()
    (tmp_path / "srv" / "f.bin").write_bytes(body)
    return loopback(tmp_path / "srv"), body


@pytest.mark.parametrize("where", ["under_a_file", "proc"])
def test_unwritable_download_folder_is_a_clear_error(served, tmp_path, where):
    srv, body = served
    if where == "under_a_file":
        (tmp_path / "plain_file").write_text("x")
        dest = tmp_path / "plain_file" / "cache" / "f.bin"
    else:  # a folder nobody may write to, root included
        dest = __import__("pathlib").Path("/proc/rs_embed_cache/f.bin")
    with pytest.raises(DownloadError, match=r"Cannot write the download to .*Choose a writable cache folder"):
        download_verified(f"{srv.url}/f.bin", dest, hashlib.sha256(body).hexdigest())


def test_weights_into_an_unwritable_folder_say_where_to_put_them(served, tmp_path):
    from rs_embed_qgis.embedders.weights import WeightsSpec, ensure_weights

    srv, body = served
    (tmp_path / "plain_file").write_text("x")
    spec = WeightsSpec(filename="f.bin", url=f"{srv.url}/f.bin", sha256=hashlib.sha256(body).hexdigest())
    with pytest.raises(DownloadError, match=r"Cannot write .*RS_EMBED_WEIGHTS_DIR.*put f.bin into"):
        ensure_weights(spec, get_config(weights_dir=str(tmp_path / "plain_file" / "w")))


def test_missing_file_is_one_clear_error_without_retries(served, tmp_path):
    srv, _ = served
    with pytest.raises(DownloadError, match=r"Downloading http://127.0.0.1:\d+/nope.bin failed: HTTP 404"):
        download_verified(f"{srv.url}/nope.bin", tmp_path / "nope.bin", None)
    assert [s for _, p, _, s in srv.requests] == [404]
    assert not (tmp_path / "nope.bin.part").exists() and not (tmp_path / "nope.bin.lock").exists()


def test_truncated_copernicus_file_in_the_cache_is_fetched_again_not_a_gdal_traceback(tmp_path, loopback,
                                                                                     monkeypatch):
    from rs_embed_qgis.embedders import BBox, OutputSpec, TemporalSpec, get_embedding
    from rs_embed_qgis.embedders.products import copernicus as cop

    vals = np.random.default_rng(2).normal(0, 0.05, (768, 4, 4)).astype(np.float32)
    src = write_copernicus_tif(tmp_path / "srv" / cop.FILENAME, vals, col0=8, row0=8, blockxsize=16,
                               blockysize=16)
    srv = loopback(src.parent)
    monkeypatch.setenv(cop.URL_ENV, f"{srv.url}/{cop.FILENAME}")
    monkeypatch.setenv(cop.SHA_ENV, hashlib.sha256(src.read_bytes()).hexdigest())
    cached = get_config().sub_cache("copernicus_embed") / cop.FILENAME
    cached.write_bytes(src.read_bytes()[:-40_000])  # an interrupted copy left by hand or a crash
    roi = BBox(-180.125 + 2.01, 90.125 - 3 + 0.01, -180.125 + 3 - 0.01, 90.125 - 2.01)
    emb = get_embedding("copernicus_embed", spatial=roi, temporal=TemporalSpec.year(2021), output=OutputSpec.grid())
    np.testing.assert_array_equal(emb.to_numpy(), vals)
