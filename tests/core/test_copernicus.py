"""copernicus_embed: windowed reads of the 0.25 degree GeoTIFF (real transform,
768 bands), the year check, and the download path against a loopback server
(checksum mismatch, interrupted download resumed with Range, copy in place)."""
import hashlib

import numpy as np
import pytest

from fixtures_precomputed import COP_TRANSFORM, write_copernicus_tif
from rs_embed_qgis.embedders import (BBox, DataUnavailableError, DownloadError, OutputSpec,
                                     PointBuffer, Progress, SpecError, TemporalSpec, configure,
                                     get_config, get_embedding)
from rs_embed_qgis.embedders.products import copernicus as cop

REV_PATH = f"/datasets/torchgeo/copernicus_embed/resolve/{cop.HF_REVISION}/embed_map_310k.tif"


def cop_values(h, w, seed=0, ocean=((1, 1),)):
    rng = np.random.default_rng(seed)
    v = rng.normal(0, 0.05, size=(768, h, w)).astype(np.float32)
    for r, c in ocean:
        v[:, r, c] = 0.0
    return v


@pytest.fixture(scope="module")
def product(tmp_path_factory):
    """8 x 8 cells at the product's own origin (-180.125, 90.125)."""
    d = tmp_path_factory.mktemp("cop")
    vals = cop_values(8, 8)
    path = write_copernicus_tif(d / "embed_map_310k.tif", vals, blockxsize=16, blockysize=16)
    return path, vals, hashlib.sha256(path.read_bytes()).hexdigest()


def cell_bbox(r0, c0, r1, c1, inset=0.02):
    """A lon/lat box inside cells rows r0..r1, cols c0..c1 of the global grid."""
    a, _, x0, _, e, y0 = COP_TRANSFORM
    return BBox(x0 + a * c0 + inset, y0 + e * (r1 + 1) + inset, x0 + a * (c1 + 1) - inset,
                y0 + e * r0 - inset)


def test_window_values_transform_and_ocean(product):
    path, vals, _ = product
    configure(copernicus_path=str(path))
    emb = get_embedding("copernicus_embed", spatial=cell_bbox(2, 3, 4, 4),
                        temporal=TemporalSpec.year(2021), output=OutputSpec.grid())
    arr = emb.to_numpy()
    assert arr.shape == (768, 3, 2) and emb.crs == "EPSG:4326"
    np.testing.assert_array_equal(arr, vals[:, 2:5, 3:5])
    assert tuple(emb.transform)[:6] == (0.25, 0.0, -180.125 + 0.75, 0.0, -0.25, 90.125 - 0.5)
    assert emb.meta["cells"] == [3, 2] and emb.meta["roi_smaller_than_cell"] is False
    # the all-zero (ocean) cell is no data and stays out of the pooled vector
    pooled = get_embedding("copernicus", spatial=cell_bbox(1, 1, 2, 2),
                           temporal=TemporalSpec.year(2021), output=OutputSpec.pooled())
    assert pooled.meta["coverage_fraction"] == pytest.approx(0.75)
    exp = np.stack([vals[:, 1, 2], vals[:, 2, 1], vals[:, 2, 2]]).mean(axis=0)
    np.testing.assert_allclose(pooled.data, exp, rtol=1e-5, atol=1e-7)


def test_roi_smaller_than_a_cell_gets_its_cell(product):
    path, vals, _ = product
    configure(copernicus_path=str(path))
    emb = get_embedding("copernicus_embed", spatial=cell_bbox(5, 6, 5, 6, inset=0.1),
                        temporal=TemporalSpec.year(2021), output=OutputSpec.grid())
    assert emb.to_numpy().shape == (768, 1, 1) and emb.meta["roi_smaller_than_cell"] is True
    np.testing.assert_array_equal(emb.to_numpy()[:, 0, 0], vals[:, 5, 6])
    assert "smaller than a cell" in emb.meta["grid_note"]
    # a tiny box on the corner of four cells gets those four
    a, _, x0, _, e, y0 = COP_TRANSFORM
    corner = BBox(x0 + 4 * a - 0.01, y0 + 4 * e - 0.01, x0 + 4 * a + 0.01, y0 + 4 * e + 0.01)
    emb = get_embedding("copernicus_embed", spatial=corner, temporal=TemporalSpec.year(2021),
                        output=OutputSpec.grid())
    np.testing.assert_array_equal(emb.to_numpy(), vals[:, 3:5, 3:5])


def test_point_buffer_mid_latitude_crop(tmp_path):
    """A crop of the global grid (origin shifted by whole cells) at 51 N."""
    vals = cop_values(8, 8, seed=1, ocean=())
    path = write_copernicus_tif(tmp_path / "embed_map_310k.tif", vals, col0=720, row0=150,
                                blockxsize=16, blockysize=16)
    configure(copernicus_path=str(tmp_path))  # a folder holding the file works too
    emb = get_embedding("copernicus_embed", spatial=PointBuffer(0.6, 51.6, 1000),
                        temporal=TemporalSpec.year(2021), output=OutputSpec.grid())
    # cell (row, col) of (0.6 E, 51.6 N): col 722 (0.375..0.625), row 154 (51.375..51.625)
    np.testing.assert_array_equal(emb.to_numpy()[:, 0, 0], vals[:, 4, 2])
    assert emb.meta["cell_offset"] == [4, 2] and emb.meta["file"] == str(path)


def test_only_the_window_is_read(tmp_path, loopback):
    vals = cop_values(32, 32, seed=2, ocean=())
    path = write_copernicus_tif(tmp_path / "big.tif", vals, blockxsize=16, blockysize=16)
    srv = loopback(tmp_path)
    data, t, win = cop.read_cells(f"/vsicurl/{srv.url}/big.tif", cell_bbox(20, 5, 20, 5).bounds_4326())
    np.testing.assert_array_equal(data[:, 0, 0], vals[:, 20, 5])
    assert win == (5, 20, 1, 1)
    assert 0 < srv.bytes_sent < 0.35 * path.stat().st_size


def test_years_other_than_2021_are_refused(product):
    path, _, _ = product
    configure(copernicus_path=str(path))
    with pytest.raises(DataUnavailableError, match="2021 only"):
        get_embedding("copernicus_embed", spatial=cell_bbox(2, 2, 2, 2), temporal=TemporalSpec.year(2020))
    emb = get_embedding("copernicus_embed", spatial=cell_bbox(2, 2, 2, 2),
                        temporal=TemporalSpec.range("2021-03-01", "2021-06-01"))
    assert emb.meta["year"] == 2021
    with pytest.raises(DataUnavailableError, match="not within 2021"):   # spans 2020-2022, contains 2021
        get_embedding("copernicus_embed", spatial=cell_bbox(2, 2, 2, 2),
                      temporal=TemporalSpec.range("2020-06-01", "2022-06-01"))
    with pytest.raises(SpecError, match="TemporalSpec.year\\(2021\\)"):
        get_embedding("copernicus_embed", spatial=cell_bbox(2, 2, 2, 2), temporal=None)
    with pytest.raises(SpecError, match="no backend"):
        get_embedding("copernicus_embed", spatial=cell_bbox(2, 2, 2, 2), backend="gee")


def test_download_once_via_hf_endpoint_with_progress(product, tmp_path, loopback, monkeypatch):
    path, _, sha = product
    root = tmp_path / "hf"
    (root / REV_PATH.lstrip("/")).parent.mkdir(parents=True)
    (root / REV_PATH.lstrip("/")).write_bytes(path.read_bytes())
    srv = loopback(root)
    monkeypatch.setenv("HF_ENDPOINT", srv.url)
    monkeypatch.setenv(cop.SHA_ENV, sha)
    fractions = []
    emb = get_embedding("copernicus_embed", spatial=cell_bbox(1, 2, 1, 2),
                        temporal=TemporalSpec.year(2021), progress=Progress(fractions.append))
    dest = get_config().sub_cache("copernicus_embed") / "embed_map_310k.tif"
    assert dest.exists() and hashlib.sha256(dest.read_bytes()).hexdigest() == sha
    assert emb.meta["file"] == str(dest) and emb.meta["source"] == srv.url + REV_PATH
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 2
    gets = [r for r in srv.requests if r[0] == "GET"]
    get_embedding("copernicus_embed", spatial=cell_bbox(3, 3, 3, 3), temporal=TemporalSpec.year(2021))
    assert [r for r in srv.requests if r[0] == "GET"] == gets == [("GET", REV_PATH, None, 200)]


def test_checksum_mismatch_removes_the_file(product, tmp_path, loopback, monkeypatch):
    path, _, _ = product
    srv = loopback(path.parent)
    monkeypatch.setenv(cop.URL_ENV, f"{srv.url}/{path.name}")  # the real sha256 is expected
    with pytest.raises(DownloadError, match="checksum") as err:
        get_embedding("copernicus_embed", spatial=cell_bbox(1, 1, 1, 1), temporal=TemporalSpec.year(2021))
    assert cop.SHA256 in str(err.value)
    folder = get_config().sub_cache("copernicus_embed")
    assert list(folder.iterdir()) == []


def test_interrupted_download_is_retried_and_resumed_with_range(product, tmp_path, loopback, monkeypatch):
    path, vals, sha = product
    body = path.read_bytes()
    cut = 150_000
    state = {"cut": False}

    def truncate_once(handler, p, query):
        if handler.headers.get("Range") or state["cut"]:
            return None  # the static server answers (with Range support)
        state["cut"] = True
        return 200, {"Content-Length": str(len(body)), "Connection": "close"}, body[:cut]

    srv = loopback(path.parent, routes={"/embed_map_310k.tif": truncate_once})
    srv.fail_next["/embed_map_310k.tif"] = [503]
    monkeypatch.setenv(cop.URL_ENV, f"{srv.url}/embed_map_310k.tif")
    monkeypatch.setenv(cop.SHA_ENV, sha)
    roi = dict(spatial=cell_bbox(6, 2, 6, 2), temporal=TemporalSpec.year(2021), output=OutputSpec.grid())
    emb = get_embedding("copernicus_embed", **roi)  # a 503, a cut body, then the rest with Range
    np.testing.assert_array_equal(emb.to_numpy()[:, 0, 0], vals[:, 6, 2])
    (_, _, r1, s1), (_, _, r2, s2), (_, _, r3, s3) = srv.requests
    assert (r1, s1, r2, s2, s3) == (None, 503, None, 200, 206)
    kept = int(r3[len("bytes="):-1])
    assert 0 < kept <= cut and r3 == f"bytes={kept}-"
    part = get_config().sub_cache("copernicus_embed") / "embed_map_310k.tif.part"
    assert not part.exists()


def test_user_copy_in_place_is_used_without_download(product, loopback, tmp_path, monkeypatch):
    path, _, _ = product
    srv = loopback(tmp_path)
    monkeypatch.setenv(cop.URL_ENV, f"{srv.url}/nothing.tif")
    monkeypatch.setenv("RS_EMBED_COPERNICUS_PATH", str(path))
    emb = get_embedding("copernicus_embed", spatial=cell_bbox(2, 2, 2, 2), temporal=TemporalSpec.year(2021))
    assert emb.meta["file"] == str(path) and srv.requests == []
    bad = tmp_path / "not_it.tif"
    write_copernicus_tif(bad, np.ones((3, 2, 2), np.float32))
    monkeypatch.setenv("RS_EMBED_COPERNICUS_PATH", str(bad))
    with pytest.raises(DataUnavailableError, match="not the Copernicus Embed product"):
        get_embedding("copernicus_embed", spatial=cell_bbox(2, 2, 2, 2), temporal=TemporalSpec.year(2021))
    monkeypatch.setenv("RS_EMBED_COPERNICUS_PATH", str(tmp_path / "missing" / "x.tif"))
    with pytest.raises(SpecError, match="does not exist"):
        get_embedding("copernicus_embed", spatial=cell_bbox(2, 2, 2, 2), temporal=TemporalSpec.year(2021))
    assert srv.requests == []


def test_large_tiles_are_retiled_once_in_the_cache(tmp_path):
    """The published layout (256 x 256-cell deflate tiles) is re-tiled once."""
    vals = cop_values(8, 8, seed=3)
    path = write_copernicus_tif(tmp_path / "embed_map_310k.tif", vals)  # 256-cell tiles
    configure(copernicus_path=str(path))
    roi = dict(spatial=cell_bbox(2, 3, 4, 4), temporal=TemporalSpec.year(2021), output=OutputSpec.grid())
    messages = []
    emb = get_embedding("copernicus_embed", progress=Progress(on_message=messages.append), **roi)
    fast = get_config().sub_cache("copernicus_embed") / "embed_map_310k.tiles16.tif"
    assert emb.meta["read_from"] == str(fast) and emb.meta["file"] == str(path)
    assert any("Re-tiling" in m for m in messages)
    np.testing.assert_array_equal(emb.to_numpy(), vals[:, 2:5, 3:5])
    import rasterio

    with rasterio.open(fast) as ds:
        assert ds.block_shapes[0] == (16, 16) and tuple(ds.transform)[:6] == COP_TRANSFORM
        np.testing.assert_array_equal(ds.read(), vals)
    made = fast.stat().st_mtime_ns
    messages.clear()
    get_embedding("copernicus_embed", progress=Progress(on_message=messages.append), **roi)
    assert fast.stat().st_mtime_ns == made and not any("Re-tiling" in m for m in messages)
    vals2 = cop_values(8, 8, seed=4)
    write_copernicus_tif(path, vals2)  # the source changed: the copy is remade
    emb = get_embedding("copernicus_embed", **roi)
    np.testing.assert_array_equal(emb.to_numpy(), vals2[:, 2:5, 3:5])


@pytest.mark.network
def test_live_pinned_revision_answers_range_requests():
    """Opt-in: the pinned Hugging Face file exists and serves byte ranges."""
    import requests

    r = requests.get(cop.product_url(), headers={"Range": "bytes=0-3"}, timeout=60, allow_redirects=True)
    assert r.status_code == 206 and r.content[:4] in (b"II*\x00", b"II+\x00")
