"""Tessera through geotessera's own code, against tiles in the real v1.1 format
served from 127.0.0.1 (S3-like: content-MD5 ETags, which geotessera checks)."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import tessera_sample as ts  # noqa: E402

from rs_embed_qgis.embedders import (  # noqa: E402
    BBox, CancelledError, DataUnavailableError, OutputSpec, PointBuffer, Progress, SpecError,
    TemporalSpec, get_embedding,
)

NAN_POINT = (0.17, 52.06)
TILES = [(0.15, 52.05, [2024]), (0.25, 52.05, [2022, 2024]),   # UTM 31N, boundary at lon 0.2
         (5.95, 45.05, [2024]), (6.05, 45.05, [2024])]         # UTM 31N | 32N at lon 6.0
Y = TemporalSpec.year(2024)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return ts.write_mirror(tmp_path_factory.mktemp("tessera_mirror"), TILES, pixel_m=250.0,
                           nan_points=[NAN_POINT], seed=7)


@pytest.fixture
def server(mirror, loopback, monkeypatch):
    srv = loopback(mirror.root, {"/": ts.s3_route(mirror.root)})
    for k in ("RS_EMBED_TESSERA_LANDMASKS_URL", "RS_EMBED_TESSERA_REGISTRY_DIR", "RS_EMBED_TESSERA_TILES_DIR"):
        monkeypatch.delenv(k, raising=False)
    for k, v in ts.mirror_env(srv.url).items():
        monkeypatch.setenv(k, v)
    return srv


@pytest.fixture
def geotessera_client(server, tmp_path, monkeypatch):
    """geotessera's own client on the same server, with its own tile folder."""
    import geotessera.registry as reg
    from geotessera import GeoTessera

    monkeypatch.setattr(reg, "TESSERA_NPY_MIRROR_URL", server.url + "/npy")
    monkeypatch.setattr(reg, "TESSERA_LANDMASKS_MIRROR_URL", server.url + "/landmasks")
    return GeoTessera(dataset_version="v1.1", dataset_variant="cambridge",
                      cache_dir=tmp_path / "gt_registry", embeddings_dir=tmp_path / "gt_tiles")


def grid_of(spatial, **kw):
    return get_embedding("tessera", spatial=spatial, temporal=Y, output=OutputSpec.grid(), **kw)


def centres(emb):
    t = emb.transform
    h, w = emb.data.shape[1:]
    return np.meshgrid(t.c + t.a * (np.arange(w) + 0.5), t.f + t.e * (np.arange(h) + 0.5))


def expected_from(gt, emb, tiles, year=2024):
    """Independent reference: for every output pixel centre, the vector of the first
    tile (geotessera's fetch_embedding output) whose pixel contains it. Tiles of
    another CRS are looked up by exact pyproj transform (nearest neighbour)."""
    from pyproj import Transformer

    x, y = centres(emb)
    exp = np.full(emb.data.shape, np.nan, dtype=np.float32)
    for lon, lat in tiles:
        arr, crs, tr = gt.fetch_embedding(lon, lat, year)
        lat_t = ts.snapped(tr)
        tx, ty = Transformer.from_crs(emb.crs, crs, always_xy=True).transform(x, y)
        col = np.floor((tx - lat_t.c) / lat_t.a).astype(int)
        row = np.floor((lat_t.f - ty) / -lat_t.e).astype(int)
        inside = (row >= 0) & (row < arr.shape[0]) & (col >= 0) & (col < arr.shape[1])
        vals = np.full(x.shape + (arr.shape[2],), np.nan, np.float32)
        vals[inside] = arr[row[inside], col[inside]]
        take = np.isfinite(vals).all(-1) & np.isnan(exp[0])
        exp[:, take] = vals[take].T
    return exp


def test_exact_values_across_a_tile_boundary_in_one_zone(server, geotessera_client):
    emb = grid_of(BBox(0.16, 52.03, 0.24, 52.07))
    m = emb.meta
    assert emb.crs == "EPSG:32631" and m["resampled"] is False and m["resampling"] is None
    assert sorted(m["tiles"]) == ["grid_0.15_52.05", "grid_0.25_52.05"]
    assert emb.dim == 128 and emb.data.dtype == np.float32
    assert list(emb.data.coords["band"].values[:2]) == ["tessera_000", "tessera_001"]
    t = emb.transform
    assert t.a == 250.0 and t.e == -250.0 and t.c % 250 == 0 and t.f % 250 == 0
    exp = expected_from(geotessera_client, emb, [(0.15, 52.05), (0.25, 52.05)])
    got = emb.to_numpy()
    np.testing.assert_array_equal(got, exp)  # bit-identical, NaN where NaN
    # both sides of lon 0.2 are filled, and the two sides differ
    x, y = centres(emb)
    from pyproj import Transformer
    lon, _ = Transformer.from_crs(emb.crs, "EPSG:4326", always_xy=True).transform(x, y)
    west, east = got[:, lon < 0.195], got[:, lon > 0.205]
    assert np.isfinite(east).all() and np.isnan(west).all(axis=0).sum() == 1  # the NaN-scale pixel
    assert abs(np.nanmean(west) - east.mean()) > 1e-3
    assert m["coverage_fraction"] == 1 - 1 / (got.shape[1] * got.shape[2])


def test_crossing_a_utm_zone_boundary_reprojects_the_other_zone(server, geotessera_client):
    emb = grid_of(BBox(5.93, 45.03, 6.07, 45.07))
    m = emb.meta
    assert emb.crs == "EPSG:32632"  # zone of the ROI centre, lon 6.0
    assert m["resampled"] is True and m["resampling"] == "nearest"
    assert m["tiles_resampled"] == ["grid_5.95_45.05"] and "grid_6.05_45.05" in m["tiles"]
    assert "32632" in m["crs_note"] and "nearest" in m["crs_note"]
    exp = expected_from(geotessera_client, emb, [(6.05, 45.05), (5.95, 45.05)])
    got = emb.to_numpy()
    np.testing.assert_array_equal(got, exp)
    assert np.isfinite(got).all(axis=0).mean() > 0.99


def test_partial_coverage_pools_covered_pixels_only(server):
    roi = BBox(0.22, 52.02, 0.36, 52.08)  # east of lon 0.3 there are no tiles
    grid = grid_of(roi).to_numpy()
    valid = np.isfinite(grid).all(axis=0)
    assert 0.2 < valid.mean() < 0.8
    pooled = get_embedding("tessera", spatial=roi, temporal=Y, output=OutputSpec.pooled())
    assert pooled.data.shape == (128,)
    assert pooled.meta["coverage_fraction"] == pytest.approx(valid.mean())
    np.testing.assert_allclose(pooled.data, grid[:, valid].astype(np.float64).mean(axis=1), rtol=1e-5, atol=1e-6)
    zero_filled = np.nan_to_num(grid).mean(axis=(1, 2))
    assert not np.allclose(pooled.data, zero_filled, atol=1e-3)


def test_nan_scale_pixel_is_nodata_and_left_out_of_the_pool(server, geotessera_client):
    from pyproj import Transformer

    roi = BBox(0.12, 52.02, 0.19, 52.08)
    emb = grid_of(roi)
    x, y = Transformer.from_crs("EPSG:4326", emb.crs, always_xy=True).transform(*NAN_POINT)
    col, row = ~emb.transform @ (x, y)
    row, col = int(math.floor(row)), int(math.floor(col))
    grid = emb.to_numpy()
    assert np.isnan(grid[:, row, col]).all()
    assert np.isfinite(grid[:, row, col + 1]).all() and np.isfinite(grid[:, row - 1, col]).all()
    # geotessera's own dequantised tile has NaN there (its scale is NaN), and nowhere else
    arr, crs, tr = geotessera_client.fetch_embedding(0.15, 52.05, 2024)
    lat_t = ts.snapped(tr)
    tx, ty = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(*NAN_POINT)
    trow, tcol = int((lat_t.f - ty) // 250), int((tx - lat_t.c) // 250)
    assert np.isnan(arr[trow, tcol]).all() and np.isnan(arr).any(axis=-1).sum() == 1
    n = grid.shape[1] * grid.shape[2]
    assert np.isfinite(grid).all(axis=0).sum() == n - 1
    pooled = get_embedding("tessera", spatial=roi, temporal=Y, output=OutputSpec.pooled())
    assert pooled.meta["coverage_fraction"] == pytest.approx((n - 1) / n)
    assert np.isfinite(pooled.data).all()


def test_missing_year_names_the_years_available_there(server):
    with pytest.raises(DataUnavailableError, match=r"no 2021 embeddings.*Years available here: 2022, 2024"):
        get_embedding("tessera", spatial=PointBuffer(0.25, 52.05, 1000), temporal=TemporalSpec.year(2021))
    with pytest.raises(DataUnavailableError, match=r"Years available here: 2024\."):
        get_embedding("tessera", spatial=PointBuffer(0.15, 52.05, 1000), temporal=TemporalSpec.year(2022))


def test_roi_over_the_ocean_is_a_clear_error(server):
    with pytest.raises(DataUnavailableError, match=r"over the ocean.*Nearest tiles with 2024 data: grid_0.25_52.05"):
        get_embedding("tessera", spatial=BBox(0.55, 52.02, 0.65, 52.08), temporal=Y)
    with pytest.raises(DataUnavailableError, match=r"No Tessera tiles within 3° .*ocean"):
        get_embedding("tessera", spatial=BBox(-20.0, 45.0, -19.9, 45.1), temporal=Y)


def test_year_is_required_and_must_be_one_year(server):
    with pytest.raises(SpecError, match="annual"):
        get_embedding("tessera", spatial=PointBuffer(0.2, 52.05, 500), temporal=None)
    with pytest.raises(SpecError, match="2023-2024"):
        get_embedding("tessera", spatial=PointBuffer(0.2, 52.05, 500),
                      temporal=TemporalSpec.range("2023-06-01", "2024-06-01"))


def _tile_requests(srv):
    return [p for _, p, _, _ in srv.requests if p.endswith((".npy", ".tiff"))]


def test_tiles_are_cached_once_and_nothing_lands_in_the_cwd(server, isolated_cache, tmp_path, monkeypatch):
    import geotessera.registry as reg

    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    urls = reg.TESSERA_NPY_MIRROR_URL, reg.TESSERA_LANDMASKS_MIRROR_URL
    pb = PointBuffer(0.2, 52.05, 2000)
    first = grid_of(pb)
    fetched = _tile_requests(server)
    assert len(fetched) == 6 and len(set(fetched)) == 6  # 2 tiles x (npy, scales, landmask)
    server.reset_counters()
    second = grid_of(pb)
    assert _tile_requests(server) == []
    np.testing.assert_array_equal(first.to_numpy(), second.to_numpy())
    assert list(cwd.iterdir()) == []
    tiles = isolated_cache / "tessera" / "tiles"
    assert first.meta["cache_dir"] == str(tiles)
    assert len(list(tiles.rglob("*.npy"))) == 4 and len(list(tiles.rglob("*.tiff"))) == 2
    assert (isolated_cache / "tessera" / "registry" / "v1.1-cam" / "manifest.parquet").is_file()
    assert (reg.TESSERA_NPY_MIRROR_URL, reg.TESSERA_LANDMASKS_MIRROR_URL) == urls  # restored


def test_a_batch_reads_the_registry_once(server):
    from rs_embed_qgis.embedders import get_embeddings_batch

    pts = [PointBuffer(0.14, 52.04, 500), PointBuffer(0.26, 52.06, 500), PointBuffer(0.2, 52.05, 800)]
    embs = get_embeddings_batch("tessera", spatials=pts, temporal=Y, output=OutputSpec.pooled())
    assert [e.data.shape for e in embs] == [(128,)] * 3
    assert not np.allclose(embs[0].data, embs[1].data)
    manifests = [p for _, p, _, _ in server.requests if p.endswith("manifest.parquet")]
    assert manifests == ["/npy/v1.1-cam/manifest.parquet"]


def test_cancel_mid_download_leaves_no_partial_cache_file(server, isolated_cache, mirror):
    state = {"armed": False, "checks": 0}

    def on_message(msg):
        state["armed"] |= "fetching grid_0.25_52.05" in msg

    def cancelled():
        if state["armed"]:
            state["checks"] += 1
        return state["checks"] >= 2  # the check after the message passes; the download's first one cancels

    roi = BBox(0.16, 52.01, 0.24, 52.05)
    prog = Progress(on_message=on_message, is_cancelled=cancelled)
    with pytest.raises(CancelledError):
        grid_of(roi, progress=prog)
    # the cancel struck while the tile's body was streaming in
    assert "/npy/v1.1-cam/2024/grid_0.25_52.05/grid_0.25_52.05.npy" in _tile_requests(server)
    tiles = isolated_cache / "tessera" / "tiles"
    files = [p for p in tiles.rglob("*") if p.is_file() and p.name != "tessera_metadata.json"]
    assert not any("tmp" in p.name for p in files)
    assert not list(tiles.rglob("grid_0.25_52.05*.npy"))  # cancelled before it was complete
    for p in files:  # whatever is there is a complete copy of the served file
        src = mirror.landmask_dir / p.name if p.suffix == ".tiff" else mirror.npy_dir / "2024" / p.parent.name / p.name
        assert p.read_bytes() == src.read_bytes()
    assert grid_of(roi).meta["coverage_fraction"] == 1.0  # resumes cleanly


def test_http_errors_transient_retried_missing_tile_clear(server, isolated_cache):
    from rs_embed_qgis.embedders import DownloadError

    npy = "/npy/v1.1-cam/2024/grid_0.15_52.05/grid_0.15_52.05.npy"
    server.fail_next[npy] = [503]  # geotessera's own retry gets past it
    assert grid_of(PointBuffer(0.15, 52.05, 1000)).meta["tiles"] == ["grid_0.15_52.05"]
    assert [st for _, p, _, st in server.requests if p == npy] == [503, 200]
    lm = "/landmasks/v1.1/grid_0.25_52.05.tiff"
    server.fail_next[lm] = [404]
    with pytest.raises(DownloadError, match=r"grid_0.25_52.05 \(2024\).*HTTP 404"):
        grid_of(PointBuffer(0.25, 52.05, 1000))
    assert not list((isolated_cache / "tessera" / "tiles").rglob("grid_0.25_52.05.tiff"))


def test_local_registry_and_tiles_dir_need_no_server(tmp_path, monkeypatch):
    data = ts.setup_demo_data(tmp_path / "demo", pixel_m=250.0)
    for k, v in ts.demo_env(data).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("RS_EMBED_TESSERA_URL", "http://127.0.0.1:9")  # nothing listens there
    emb = get_embedding("tessera", spatial=BBox(*ts.DEMO_EXTENT), temporal=TemporalSpec.year(ts.DEMO_YEAR),
                        output=OutputSpec.grid())
    arr = emb.to_numpy()
    assert emb.meta["coverage_fraction"] == 1.0 and emb.meta["cache_dir"] == str(data / "tiles")
    assert arr.reshape(128, -1).std(axis=1).mean() > 0.05  # spatial structure for the PCA
