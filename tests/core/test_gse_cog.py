"""gse_annual on the public COG route, against bottom-up AEF COGs and the index
GeoParquet served by a loopback server that answers HTTP Range requests."""
import numpy as np
import pytest
from pyproj import Transformer

from fixtures_precomputed import (aef_index_row, aef_values, dequantize_ref, tiff_block_bytes,
                                  write_aef_cog, write_aef_index)
from rs_embed_qgis.embedders import (BBox, DataUnavailableError, OutputSpec, PointBuffer, SpecError,
                                     TemporalSpec, get_config, get_embedding)
from rs_embed_qgis.embedders.products import gse

CRS = "EPSG:32631"
X0, Y0 = 500000.0, 5760000.0     # bottom-left corner of file A (zone 31N, ~52 N 3 E)
NODATA_BOX = (40, 60, 100, 130)  # storage rows (bottom-up) / cols set to -128


@pytest.fixture(scope="module")
def aef_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("aef")
    files = {
        "a": ("2024/31N/xa-0000000000-0000000000.tiff", 2024, X0, Y0, 256, 1),
        "b": ("2024/31N/xb-0000000000-0000000256.tiff", 2024, X0 + 2560.0, Y0, 256, 2),
        "c": ("2023/31N/xc-0000000000-0000000000.tiff", 2023, X0, Y0, 256, 3),
        "big": ("2022/31N/xd-0000000000-0000000000.tiff", 2022, X0, Y0, 1024, 4),
    }
    data, rows = {}, []
    for key, (rel, year, x0, y0, size, seed) in files.items():
        d = aef_values((size, size), seed, NODATA_BOX if key == "a" else None)
        block = 128 if key == "big" else 64
        write_aef_cog(root / rel, d, CRS, x0, y0, block=block)
        rows.append(aef_index_row(rel, year, CRS, x0, y0, size, size))
        data[key] = (d, x0, y0, root / rel)
    write_aef_index(root / "aef_index.parquet", rows)
    return root, data


@pytest.fixture
def served(aef_root, loopback, monkeypatch):
    root, data = aef_root
    srv = loopback(root)
    monkeypatch.setenv("RS_EMBED_AEF_URL", srv.url)
    return srv, data


def utm_box_to_bbox(x0, y0, x1, y1):
    t = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    lons, lats = t.transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    return BBox(min(lons), min(lats), max(lons), max(lats))


def expected_from(files, emb):
    """Expected grid values: for every output pixel centre, the stored int8 of
    the file holding it (bottom-up rows), de-quantised; NaN outside files."""
    arr = emb.to_numpy()
    t = emb.transform
    h, w = arr.shape[1:]
    xs = t.c + t.a * (np.arange(w) + 0.5)
    ys = t.f + t.e * (np.arange(h) + 0.5)
    exp = np.full(arr.shape, np.nan)
    for d, x0, y0, _ in files:
        size = d.shape[1]
        cols = np.floor((xs - x0) / 10).astype(int)
        rows = np.floor((ys - y0) / 10).astype(int)
        ok_c, ok_r = (cols >= 0) & (cols < size), (rows >= 0) & (rows < size)
        for i in np.nonzero(ok_r)[0]:
            exp[:, i, ok_c] = dequantize_ref(d[:, rows[i], cols[ok_c]])
    return exp


def test_grid_values_nodata_and_utm_grid(served):
    srv, data = served
    roi = utm_box_to_bbox(X0 + 600, Y0 + 300, X0 + 1500, Y0 + 900)
    emb = get_embedding("gse_annual", spatial=roi, temporal=TemporalSpec.year(2024),
                        output=OutputSpec.grid(), backend="cog")
    arr = emb.to_numpy()
    assert emb.meta["backend"] == "cog" and emb.meta["year"] == 2024
    assert emb.crs == CRS and emb.meta["resampled"] is False
    t = emb.transform
    assert (t.a, t.b, t.d, t.e) == (10.0, 0.0, 0.0, -10.0)          # north-up 10 m
    assert t.c % 10 == 0 and t.f % 10 == 0                           # the product's lattice
    assert t.c <= X0 + 600 and t.f >= Y0 + 900 and arr.shape[0] == 64
    assert arr.shape[1] * 10 >= 600 and arr.shape[2] * 10 >= 900
    exp = expected_from([data["a"]], emb)
    np.testing.assert_allclose(arr, exp, rtol=0, atol=1e-6, equal_nan=True)
    # the no-data box lies in the ROI: NaN there, finite elsewhere
    nan = np.isnan(arr).all(axis=0)
    assert nan.any() and not nan.all()
    assert np.array_equal(nan, np.isnan(arr).any(axis=0))
    pooled = get_embedding("gse", spatial=roi, temporal=TemporalSpec.year(2024),
                           output=OutputSpec.pooled(), backend="cog")
    valid = ~nan
    np.testing.assert_allclose(pooled.data, exp[:, valid].mean(axis=1), atol=1e-6)
    assert pooled.meta["coverage_fraction"] == pytest.approx(valid.mean())
    # every request for the COG was a range request
    tif = [r for r in srv.requests if r[1].endswith(".tiff") and r[0] == "GET"]
    assert tif and all(r[2] and r[3] == 206 for r in tif)


def test_point_buffer_across_two_files_same_zone(served):
    _, data = served
    t = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    lon, lat = t.transform(X0 + 2560, Y0 + 1280)  # on the seam between files a and b
    emb = get_embedding("alphaearth", spatial=PointBuffer(lon, lat, 400),
                        temporal=TemporalSpec.year(2024), output=OutputSpec.grid(), backend="cog")
    assert emb.crs == CRS and len(emb.meta["files"]) == 2
    arr = emb.to_numpy()
    assert 80 <= arr.shape[1] <= 82 and 80 <= arr.shape[2] <= 82
    exp = expected_from([data["a"], data["b"]], emb)
    np.testing.assert_allclose(arr, exp, atol=1e-6, equal_nan=True)
    assert np.isfinite(arr).all()  # no seam, no gap


def test_bytes_fetched_close_to_window_needs(served):
    srv, data = served
    d, x0, y0, path = data["big"]
    gse.load_index(get_config())  # index cached: count the COG bytes only
    srv.reset_counters()
    roi = utm_box_to_bbox(x0 + 3000, y0 + 3500, x0 + 6000, y0 + 6500)
    emb = get_embedding("gse_annual", spatial=roi, temporal=TemporalSpec.year(2022),
                        output=OutputSpec.grid(), backend="cog")
    np.testing.assert_allclose(emb.to_numpy(), expected_from([data["big"]], emb), atol=1e-6,
                               equal_nan=True)
    t = emb.transform
    h, w = emb.to_numpy().shape[1:]
    col0 = int(round((t.c - x0) / 10))
    row0 = int(round((t.f - 10 * h - y0) / 10))  # bottom-up storage rows
    needed = tiff_block_bytes(path, (col0, row0, w, h))
    assert needed > 0
    ratio = srv.bytes_sent / needed
    print(f"bytes sent {srv.bytes_sent}, blocks needed {needed}, ratio {ratio:.3f}")
    assert 1.0 <= ratio <= 1.5, (srv.bytes_sent, needed)
    assert srv.bytes_sent < 0.25 * path.stat().st_size  # far from the whole file


def test_year_without_data_names_available_years(served):
    roi = utm_box_to_bbox(X0 + 600, Y0 + 300, X0 + 1500, Y0 + 900)
    with pytest.raises(DataUnavailableError, match="2022, 2023, 2024"):
        get_embedding("gse_annual", spatial=roi, temporal=TemporalSpec.year(2019), backend="cog")


def test_roi_outside_coverage_and_spec_errors(served):
    with pytest.raises(DataUnavailableError, match="No AlphaEarth COG covers"):
        get_embedding("gse_annual", spatial=BBox(-30.1, 40.0, -30.0, 40.1),
                      temporal=TemporalSpec.year(2024), backend="cog")
    roi = utm_box_to_bbox(X0 + 600, Y0 + 300, X0 + 1500, Y0 + 900)
    with pytest.raises(SpecError, match="annual product"):
        get_embedding("gse_annual", spatial=roi, temporal=None, backend="cog")
    with pytest.raises(SpecError, match="spans the years"):
        get_embedding("gse_annual", spatial=roi, backend="cog",
                      temporal=TemporalSpec.range("2023-06-01", "2024-06-01"))
    with pytest.raises(SpecError, match="no backend"):
        get_embedding("gse_annual", spatial=roi, temporal=TemporalSpec.year(2024), backend="stac")


def test_auto_without_project_uses_cog_and_index_is_cached(served):
    srv, _ = served
    roi = utm_box_to_bbox(X0 + 600, Y0 + 300, X0 + 1500, Y0 + 900)
    for year in (2024, 2023):
        emb = get_embedding("gse_annual", spatial=roi, temporal=TemporalSpec.year(year))
        assert emb.meta["backend"] == "cog" and emb.meta["backend_requested"] == "auto"
    index_gets = [r for r in srv.requests if r[1] == "/aef_index.parquet"]
    assert len(index_gets) == 1
    assert gse.index_path(get_config()).exists()


def test_dequantize_matches_reference():
    v = np.arange(-128, 128, dtype=np.int16).astype(np.int8)
    np.testing.assert_allclose(gse.dequantize(v), dequantize_ref(v), atol=1e-7, equal_nan=True)
    assert np.isnan(gse.dequantize(v)[0]) and gse.dequantize(np.int8([127]))[0] == pytest.approx(
        (127 / 127.5) ** 2)


def test_roi_across_two_zones_resamples_the_other_zone(tmp_path, loopback, monkeypatch):
    """ROI on 6 E (zones 31/32): the grid is in the ROI's zone (32N); the part
    its own file lacks comes from the 31N file, resampled (nearest)."""
    lon, lat = 6.0, 52.02
    xa, ya = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(lon, lat)
    xb, yb = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True).transform(lon, lat)
    a0 = (np.floor(xa / 10) * 10 - 1280, np.floor(ya / 10) * 10 - 1280)
    b0 = (np.floor(xb / 10) * 10 + 200, np.floor(yb / 10) * 10 - 1280)  # starts 200 m east of 6 E
    da, db = aef_values((256, 256), 7), aef_values((256, 256), 8)
    write_aef_cog(tmp_path / "2024/31N/xa.tiff", da, CRS, *a0, block=64)
    write_aef_cog(tmp_path / "2024/32N/xb.tiff", db, "EPSG:32632", *b0, block=64)
    write_aef_index(tmp_path / "aef_index.parquet", [
        aef_index_row("2024/31N/xa.tiff", 2024, CRS, *a0, 256, 256),
        aef_index_row("2024/32N/xb.tiff", 2024, "EPSG:32632", *b0, 256, 256)])
    monkeypatch.setenv("RS_EMBED_AEF_URL", loopback(tmp_path).url)
    emb = get_embedding("gse_annual", spatial=BBox(5.99, 52.01, 6.01, 52.03),
                        temporal=TemporalSpec.year(2024), output=OutputSpec.grid(), backend="cog")
    assert emb.crs == "EPSG:32632" and emb.meta["resampled"] is True
    arr = emb.to_numpy()
    assert np.isfinite(arr).all()
    own = expected_from([(db, *b0, None)], emb)
    east = np.isfinite(own[0])
    assert east.any() and (~east).any()
    np.testing.assert_allclose(arr[:, east], own[:, east], atol=1e-6)  # own zone: no resampling
    t = emb.transform
    X, Y = np.meshgrid(t.c + 10 * (np.arange(arr.shape[2]) + 0.5), t.f - 10 * (np.arange(arr.shape[1]) + 0.5))
    xs, ys = Transformer.from_crs("EPSG:32632", CRS, always_xy=True).transform(X[~east], Y[~east])
    cols, rows = np.floor((xs - a0[0]) / 10).astype(int), np.floor((ys - a0[1]) / 10).astype(int)
    nearest = dequantize_ref(da[:, rows, cols])
    same = np.isclose(arr[:, ~east], nearest, atol=1e-6).all(axis=0)
    assert same.mean() > 0.98  # nearest neighbour, up to ties on pixel edges


def test_missing_year_refreshes_an_old_index_once(served):
    import os

    srv, _ = served
    roi = utm_box_to_bbox(X0 + 600, Y0 + 300, X0 + 1500, Y0 + 900)
    get_embedding("gse_annual", spatial=roi, temporal=TemporalSpec.year(2024), backend="cog")
    path = gse.index_path(get_config())
    old = path.stat().st_mtime - 2 * 86400
    os.utime(path, (old, old))  # two days old: still fresh for years it has
    get_embedding("gse_annual", spatial=roi, temporal=TemporalSpec.year(2023), backend="cog")
    assert len([r for r in srv.requests if r[1] == "/aef_index.parquet"]) == 1
    with pytest.raises(DataUnavailableError, match="no year 2019"):
        get_embedding("gse_annual", spatial=roi, temporal=TemporalSpec.year(2019), backend="cog")
    assert len([r for r in srv.requests if r[1] == "/aef_index.parquet"]) == 2


@pytest.mark.network
def test_live_public_cog_copy():
    """Opt-in: a small ROI from the real Source Cooperative copy (reads ~30 MB)."""
    emb = get_embedding("gse_annual", spatial=PointBuffer(0.12, 52.2, 300),
                        temporal=TemporalSpec.year(2023), output=OutputSpec.grid(), backend="cog")
    norms = np.linalg.norm(emb.to_numpy(), axis=0)
    assert emb.crs == "EPSG:32631" and np.nanmedian(norms) == pytest.approx(1.0, abs=0.02)


def test_chunked_run_equals_the_whole_grid_across_two_files(served, tmp_path, monkeypatch):
    """Embed ROI through the chunk engine (many small windows over files a and
    b, the no-data box inside) gives the whole-grid values bit for bit."""
    import rasterio

    from rs_embed_qgis.embedders import Progress, jobs

    monkeypatch.setenv("RS_EMBED_CHUNK_MB", "0.02")
    monkeypatch.setenv("RS_EMBED_DASK_WORKERS", "0")
    roi = utm_box_to_bbox(X0 + 1000, Y0 + 700, X0 + 4300, Y0 + 2300)
    out = jobs.run({"version": 1, "id": "g", "kind": "embed_roi", "params": {
        "model": "gse_annual", "backend": "cog", "spatial": {"bbox": list(roi.bounds_4326())},
        "temporal": {"year": 2024}, "output": str(tmp_path / "g.tif"), "pooled": True}}, Progress())
    assert out["chunks"] > 4
    whole = get_embedding("gse_annual", spatial=roi, temporal=TemporalSpec.year(2024),
                          output=OutputSpec.grid(), backend="cog")
    with rasterio.open(tmp_path / "g.tif") as src:
        arr, tr = src.read(), src.transform
    assert tr == whole.transform
    np.testing.assert_array_equal(arr, whole.to_numpy())
    assert len(out["metadata"]["files"]) == 2 and out["metadata"]["backend"] == "cog"
    np.testing.assert_allclose(out["pooled"], whole.pooled().to_numpy(), rtol=1e-5, atol=1e-6)
