"""The chunk engine on Tessera tiles in the real v1.1 format served from
127.0.0.1: chunked output equals the whole-grid mosaic bit for bit, a
cancelled job leaves no output and resumes with only the missing chunks'
downloads, and a disk too small is refused with numbers before any work."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import tessera_sample as ts  # noqa: E402

from rs_embed_qgis.embedders import (  # noqa: E402
    BBox, CancelledError, OutputSpec, Progress, SpecError, TemporalSpec, get_embedding, jobs,
)

TILES = [(0.15, 52.05, [2024]), (0.25, 52.05, [2024]), (0.15, 51.95, [2024]), (0.25, 51.95, [2024]),
         (5.95, 45.05, [2024]), (6.05, 45.05, [2024])]   # the last two: UTM 31N | 32N
ROI = (0.11, 51.93, 0.29, 52.08)
ROI_ZONES = (5.93, 45.02, 6.07, 45.08)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return ts.write_mirror(tmp_path_factory.mktemp("tessera_chunks"), TILES, pixel_m=250.0, seed=3)


@pytest.fixture
def server(mirror, loopback, monkeypatch):
    srv = loopback(mirror.root, {"/": ts.s3_route(mirror.root)})
    for k, v in ts.mirror_env(srv.url).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("RS_EMBED_CHUNK_MB", "0.01")    # 16-pixel chunks: many per ROI
    monkeypatch.setenv("RS_EMBED_DASK_WORKERS", "0")   # in this process
    return srv


def spec(out_dir, roi=ROI, pca=True):
    return {"version": 1, "id": "t1", "kind": "embed_roi",
            "params": {"model": "tessera", "spatial": {"bbox": list(roi)}, "temporal": {"year": 2024},
                       "output": str(out_dir / "grid.tif"),
                       "pca_output": str(out_dir / "pca.tif") if pca else None, "pooled": True}}


def read(path):
    with rasterio.open(path) as src:
        return src.read(), src.transform, src.crs.to_string(), src.tags()


@pytest.mark.parametrize("roi", [ROI, ROI_ZONES], ids=["one zone", "across zones"])
def test_chunked_grid_equals_the_whole_grid_bit_for_bit(server, tmp_path, roi):
    out = jobs.run(spec(tmp_path, roi), Progress())
    assert out["chunks"] > 4
    whole = get_embedding("tessera", spatial=BBox(*roi), temporal=TemporalSpec.year(2024),
                          output=OutputSpec.grid())
    arr, tr, crs, tags = read(tmp_path / "grid.tif")
    assert crs == whole.crs and tr == whole.transform
    ref = whole.data.values
    assert np.array_equal(np.isnan(arr), np.isnan(ref))
    assert np.array_equal(arr[np.isfinite(arr)], ref[np.isfinite(ref)])
    assert np.allclose(out["pooled"], whole.pooled().to_numpy(), rtol=1e-5, atol=1e-6)
    assert out["metadata"]["tiles_resampled"] == whole.meta["tiles_resampled"]
    assert "RS_EMBED_META" in tags
    with rasterio.open(tmp_path / "pca.tif") as src:
        assert src.count == 4 and src.read(4).max() == 255


def plan_of(roi):
    from rs_embed_qgis.embedders.api import _request
    from rs_embed_qgis.embedders.jobs.common import warm_embedder

    req = _request(BBox(*roi), TemporalSpec.year(2024), None, None, "auto", "resize", None, None, {}, None)
    return warm_embedder("tessera").plan_grid(req)


def test_cancel_leaves_no_output_and_resume_fetches_only_missing_chunks(server, tmp_path, isolated_cache):
    windows = plan_of(ROI).windows()
    last_row = [w for w in windows if w.row == max(v.row for v in windows)]
    stop_after = len(windows) - len(last_row)      # the last row lies in the southern tiles only
    written = []

    def note(msg):
        if msg.startswith("Chunk "):
            written.append(msg)

    with pytest.raises(CancelledError):
        jobs.run(spec(tmp_path / "out"), Progress(on_message=note, is_cancelled=lambda: len(written) >= stop_after))
    out_dir = tmp_path / "out"
    assert not out_dir.exists() or not any(out_dir.iterdir()), "a cancelled job leaves no output"

    shutil.rmtree(isolated_cache / "tessera" / "tiles")       # forget the downloaded tiles...
    server.reset_counters()
    out = jobs.run(spec(tmp_path / "out"), Progress())         # ...but keep the finished chunks
    assert out["resumed_chunks"] == stop_after
    resumed = {r[1] for r in server.requests if r[1].endswith(".npy")}

    shutil.rmtree(isolated_cache)                               # a cold run of the same request
    server.reset_counters()
    jobs.run(spec(tmp_path / "cold"), Progress())
    cold = {r[1] for r in server.requests if r[1].endswith(".npy")}
    assert resumed and resumed < cold
    assert all("_51.95" in p for p in resumed), resumed        # only the missing chunks' tiles
    a, *_ = read(tmp_path / "out" / "grid.tif")
    b, *_ = read(tmp_path / "cold" / "grid.tif")
    assert np.array_equal(a, b, equal_nan=True)


def test_resume_state_of_another_request_is_not_trusted(server, tmp_path, isolated_cache):
    jobs.run(spec(tmp_path / "a"), Progress(is_cancelled=lambda: False))
    other = spec(tmp_path / "b")
    other["params"]["spatial"]["bbox"] = [0.12, 51.93, 0.29, 52.08]
    out = jobs.run(other, Progress())
    assert out["resumed_chunks"] == 0


def test_job_larger_than_the_free_disk_is_refused_with_numbers(server, tmp_path, monkeypatch):
    import collections

    import rs_embed_qgis.embedders.chunks as chunks

    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(chunks.shutil, "disk_usage", lambda p: usage(10 ** 9, 10 ** 9 - 1000, 1000))
    with pytest.raises(SpecError) as exc:
        jobs.run(spec(tmp_path / "out"), Progress())
    text = str(exc.value)
    assert "Not enough disk space" in text and "free" in text and "128 bands" in text
    assert not (tmp_path / "out" / "grid.tif").exists()


def test_grid_covers_a_projected_extent_not_its_lonlat_box(server, tmp_path):
    """A 3,192 x 3,485 m extent given in the grid's UTM zone: the grid is the
    extent snapped outward to whole pixels, not the larger lon/lat box."""
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32631", always_xy=True).transform(0.2, 52.01)
    fp = ("EPSG:32631", x, y, x + 3192.0, y + 3485.0)
    lon0, lat0 = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True).transform(x, y)
    lon1, lat1 = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True).transform(x + 3192, y + 3485)
    s = spec(tmp_path)
    s["params"]["spatial"] = {"bbox": [min(lon0, lon1) - 0.002, min(lat0, lat1) - 0.002,
                                       max(lon0, lon1) + 0.002, max(lat0, lat1) + 0.002], "footprint": list(fp)}
    jobs.run(s, Progress())
    _, tr, crs, _ = read(tmp_path / "grid.tif")
    with rasterio.open(tmp_path / "grid.tif") as src:
        left, bottom, right, top = src.bounds
    res = tr.a
    assert crs == "EPSG:32631"
    assert left <= fp[1] < left + res and right - res < fp[3] <= right
    assert bottom <= fp[2] < bottom + res and top - res < fp[4] <= top


def test_a_tile_that_cannot_be_placed_is_an_error_not_a_silent_gap(monkeypatch):
    """tessera_mosaic.paste_warped used to return 0 (tile dropped) when the
    grid's bounds did not transform into the tile's CRS."""
    import rs_embed_qgis.embedders.geo as geo
    from rs_embed_qgis.embedders.errors import DataUnavailableError
    from rs_embed_qgis.embedders.geo import RasterGrid
    from rs_embed_qgis.embedders.products import tessera_mosaic as tm

    def broken(*a, **k):
        raise SpecError("cannot be transformed")

    monkeypatch.setattr(geo, "transform_bounds", broken)
    grid = RasterGrid.from_bounds("EPSG:32631", (300000, 5760000, 301000, 5761000), 250)
    out = np.full((128, grid.height, grid.width), np.nan, np.float32)
    q = np.zeros((4, 4, 128), np.int8)
    s = np.ones((4, 4), np.float32)
    from affine import Affine

    with pytest.raises(DataUnavailableError, match="could not be placed"):
        tm.paste_warped(out, grid, q, s, Affine(250, 0, 700000, 0, -250, 5762000), "EPSG:32630")
