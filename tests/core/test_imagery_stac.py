"""The ``stac`` imagery source against a STAC API and Sentinel-2 COGs served
from 127.0.0.1 (real pystac-client, real GDAL /vsicurl/ range reads)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from fixtures_imagery import make_scene, roi_for, serve_stac
from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import DataUnavailableError
from rs_embed_qgis.embedders.imagery import ImageryRequest, get_patch
from rs_embed_qgis.embedders.imagery.stac import is_planetary_computer
from rs_embed_qgis.embedders.specs import SensorSpec, TemporalSpec

RGB = ["B04", "B03", "B02"]
JUNE = TemporalSpec.range("2022-06-01", "2022-07-01")


@pytest.fixture
def stac(loopback, tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    srv, api = serve_stac(loopback, root)

    def add(item_id, when, cloud=5, **kw):
        item = make_scene(root, srv.url, item_id, when, cloud, **kw)
        api.items.append(item)
        return item

    cfg = get_config(stac_url=srv.url + "/stac")
    return srv, api, add, cfg


def fetch(cfg, temporal=JUNE, bands=RGB, roi=None, **sensor):
    req = ImageryRequest(roi or roi_for(), temporal, bands, SensorSpec(**sensor), source="stac")
    return get_patch(req, cfg)


def rgb(level):
    return {"B04": level, "B03": level + 10, "B02": level + 20}


def test_grid_is_local_utm_at_scale_and_pixels_land_where_they_belong(stac):
    srv, api, add, cfg = stac
    # B04 encodes its own pixel position; B11 (20 m) its 20 m position.
    add("S2A_33UVU_20220610_0_L2A", "2022-06-10T10:05:00",
        values={"B04": lambda r, c, res: 1000 + r * 128 + c, "B11": lambda r, c, res: 2000 + r * 64 + c},
        bands=["B04", "B11"])
    p = fetch(cfg, bands=["B04", "B11"])
    assert p.grid.crs == "EPSG:32633"
    assert tuple(p.grid.transform)[:6] == (10.0, 0.0, 500340.0, 0.0, -10.0, 5799660.0)
    assert p.data.shape == (2, 60, 60) and p.data.dtype == np.float32
    r, c = np.mgrid[0:60, 0:60]
    np.testing.assert_array_equal(p.band("B04"), 1000 + (r + 34) * 128 + (c + 34))
    # 20 m band: nearest 20 m pixel of each 10 m pixel centre.
    r20, c20 = (2 * (r + 34) + 1) // 4, (2 * (c + 34) + 1) // 4
    np.testing.assert_array_equal(p.band("B11"), 2000 + r20 * 64 + c20)
    assert p.meta["source"] == "stac" and p.meta["scale_m"] == 10.0

    coarse = fetch(cfg, bands=["B04"], scale_m=20)
    assert tuple(coarse.grid.transform)[:6] == (20.0, 0.0, 500340.0, 0.0, -20.0, 5799660.0)
    assert coarse.data.shape == (1, 30, 30)
    # A 10 m band on a 20 m grid is block-averaged (like Earth Engine's pyramids;
    # GDAL rounds averages of integer data). Nearest would be 64.5 off.
    r, c = np.mgrid[0:30, 0:30]
    expect = 1000 + (2 * r + 34 + 0.5) * 128 + (2 * c + 34 + 0.5)
    np.testing.assert_allclose(coarse.band("B04"), expect, atol=0.5)


def test_date_window_is_half_open(stac):
    srv, api, add, cfg = stac
    add("at_start", "2022-06-01T00:00:00", values=rgb(1000))
    end_item = add("at_end", "2022-07-01T00:00:00", values=rgb(3000))
    add("before", "2022-05-31T23:59:59", values=rgb(5000))
    p = fetch(cfg)
    assert [s["id"] for s in p.meta["scenes"]] == ["at_start"]
    np.testing.assert_array_equal(p.band("B04"), 1000)
    # The server's inclusive range did return the end item: the client dropped it.
    assert api.match(end_item, api.searches[0])
    assert api.searches[0]["datetime"] == "2022-06-01T00:00:00Z/2022-07-01T00:00:00Z"


def test_scene_cloud_filter_and_clear_errors(stac):
    srv, api, add, cfg = stac
    add("clear", "2022-06-10T10:00:00", cloud=10, values=rgb(1000))
    add("cloudy", "2022-06-12T10:00:00", cloud=50, values=rgb(3000))
    p = fetch(cfg, cloudy_pct=30)
    assert [s["id"] for s in p.meta["scenes"]] == ["clear"]
    assert p.meta["scenes_found"] == 1
    np.testing.assert_array_equal(p.band("B04"), 1000)
    assert api.searches[-1]["query"] == {"eo:cloud_cover": {"lte": 30.0}}

    with pytest.raises(DataUnavailableError) as err:
        fetch(cfg, cloudy_pct=5)
    msg = str(err.value)
    assert "2 sentinel-2-l2a scenes" in msg and "10-50%" in msg and "wider time window" in msg

    with pytest.raises(DataUnavailableError, match="No sentinel-2-l2a scene covers the area"):
        fetch(cfg, TemporalSpec.range("2021-06-01", "2021-07-01"))


SCL_STRIPES = [3, 8, 9, 10, 11, 2]  # 100 m stripes across the ROI, one class each


def scl_stripes(r, c, res):
    x = c * res - 340  # metres from the ROI's west edge
    k = np.clip(x // 100, 0, len(SCL_STRIPES) - 1)
    inside = (x >= 0) & (x < 600)
    return np.where(inside, np.asarray(SCL_STRIPES)[k.astype(int)], 4)


def test_scl_masks_cloud_shadow_cirrus_but_keeps_snow_and_dark_areas(stac):
    srv, api, add, cfg = stac
    add("striped", "2022-06-10T10:00:00", values=rgb(1000), scl=scl_stripes)
    p = fetch(cfg)
    valid = np.isfinite(p.data).all(axis=0)
    for k, cls in enumerate(SCL_STRIPES):
        stripe = valid[:, 10 * k:10 * (k + 1)]
        assert stripe.all() == (cls in (11, 2)), cls
        assert stripe.any() == (cls in (11, 2)), cls
    assert np.isnan(p.data[:, :, :40]).all()
    assert p.meta["scl_mask"] == [0, 1, 3, 8, 9, 10]

    unmasked = fetch(cfg, mask_clouds=False)
    np.testing.assert_array_equal(unmasked.band("B04"), 1000)

    # Masked pixels are filled from the next scene (another window: a new request).
    add("clear", "2022-06-20T10:00:00", cloud=20, values=rgb(3000))
    p = fetch(cfg, TemporalSpec.range("2022-06-01", "2022-06-30"), composite="median")
    np.testing.assert_array_equal(p.band("B04")[:, :40], 3000)
    np.testing.assert_array_equal(p.band("B04")[:, 40:], 2000)


def test_all_masked_raises_with_what_was_found(stac):
    srv, api, add, cfg = stac
    add("overcast", "2022-06-10T10:00:00", cloud=25, values=rgb(1000), scl=9)
    with pytest.raises(DataUnavailableError, match=r"All 1 scenes .*cloud cover 25-25%.*masked.*wider time window"):
        fetch(cfg)


def test_offset_of_baseline_04_is_removed(stac):
    srv, api, add, cfg = stac
    true = {"B04": 1200, "B03": 1100, "B02": 50}
    add("pb0301", "2021-12-10T10:00:00", baseline="03.01", values=true)
    add("pb0400", "2022-02-10T10:00:00", baseline="04.00", values=true)
    add("pb0510_applied", "2022-03-10T10:00:00", baseline="05.10", offset_applied=True, values=true)
    add("pc_pb0510", "2022-04-10T10:00:00", baseline="05.10", values=true, layout="pc")
    removed = {}
    for month in ("2021-12", "2022-02", "2022-03", "2022-04"):
        y, m = map(int, month.split("-"))
        window = TemporalSpec.range(f"{month}-01", dt.date(y + m // 12, m % 12 + 1, 1))
        p = fetch(cfg, window)
        for b, v in true.items():
            np.testing.assert_array_equal(p.band(b), v)
        (scene,) = p.meta["scenes"]
        removed[scene["id"]] = scene["offset_removed"]
    assert removed == {"pb0301": 0, "pb0400": 1000, "pb0510_applied": 0, "pc_pb0510": 1000}
    p = fetch(cfg, TemporalSpec.range("2021-12-01", "2022-05-01"))
    np.testing.assert_array_equal(p.band("B04"), 1200)  # no +1000 bias in the median


def test_offset_flag_contradicted_by_the_values_is_not_trusted(stac):
    """Earth Search's boa_offset_applied is known to be mis-set: a baseline
    05.10 scene flagged 'not applied' whose DNs show the offset already gone
    (many valid values below 1000) must not lose another 1000."""
    srv, api, add, cfg = stac
    true = {"B04": 1200, "B03": 1100, "B02": 50}
    add("misflagged", "2022-06-10T10:00:00", baseline="05.10", offset_applied=False, stored_offset=0,
        values=true)
    p = fetch(cfg, TemporalSpec.range("2022-06-01", "2022-07-01"))
    for b, v in true.items():
        np.testing.assert_array_equal(p.band(b), v)
    (scene,) = p.meta["scenes"]
    assert scene["offset_removed"] == 0 and "flag is wrong" in scene["offset_reason"]


def test_median_vs_mosaic_and_mosaic_reads_only_what_it_needs(stac):
    srv, api, add, cfg = stac
    add("mid", "2022-06-05T10:00:00", cloud=20, values=rgb(1000))
    add("low", "2022-06-15T10:00:00", cloud=10, values=rgb(2000))
    add("best", "2022-06-25T10:00:00", cloud=1, values=rgb(5000))
    mos = fetch(cfg, composite="mosaic")
    np.testing.assert_array_equal(mos.band("B04"), 5000)
    assert [s["id"] for s in mos.meta["scenes"]] == ["best"]
    read = {p.split("/")[2] for m, p, r, s in srv.requests if p.startswith("/scenes/")}
    assert read == {"best"}  # the least cloudy scene filled every pixel: no other was read

    med = fetch(cfg, composite="median")
    np.testing.assert_array_equal(med.band("B04"), 2000)
    np.testing.assert_array_equal(med.band("B02"), 2020)
    assert sorted(s["id"] for s in med.meta["scenes"]) == ["best", "low", "mid"]


def test_mosaic_fills_masked_pixels_from_the_next_least_cloudy_scene(stac):
    srv, api, add, cfg = stac
    add("best", "2022-06-25T10:00:00", cloud=1, values=rgb(5000), scl=scl_stripes)
    add("next", "2022-06-15T10:00:00", cloud=10, values=rgb(2000))
    mos = fetch(cfg, composite="mosaic")
    np.testing.assert_array_equal(mos.band("B04")[:, :40], 2000)
    np.testing.assert_array_equal(mos.band("B04")[:, 40:], 5000)
    assert [s["id"] for s in mos.meta["scenes"]] == ["best", "next"]


def test_scene_from_the_neighbouring_utm_zone_is_reprojected(stac):
    from pyproj import Transformer

    srv, api, add, cfg = stac
    roi = roi_for()
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True).transform(roi.lon, roi.lat)
    x0, y0 = 20 * round(x / 20) - 800, 20 * round(y / 20) + 800  # a zone-32 scene around the ROI
    add("zone32", "2022-06-11T10:00:00", values=rgb(1000), crs="EPSG:32632", x0=x0, y0=y0, size_m=1600)
    add("zone33", "2022-06-12T10:00:00", values=rgb(3000))
    p = fetch(cfg)
    assert p.grid.crs == "EPSG:32633"
    np.testing.assert_array_equal(p.band("B04"), 2000)  # both scenes cover every pixel
    assert sorted(s["id"] for s in p.meta["scenes"]) == ["zone32", "zone33"]


def test_api_without_query_extension_is_filtered_client_side(stac):
    srv, api, add, cfg = stac
    api.CONFORMS = [c for c in api.CONFORMS if not c.endswith("#query")]
    add("clear", "2022-06-10T10:00:00", cloud=10, values=rgb(1000))
    add("cloudy", "2022-06-12T10:00:00", cloud=50, values=rgb(3000))
    p = fetch(cfg, cloudy_pct=30)
    assert "query" not in api.searches[-1]
    assert [s["id"] for s in p.meta["scenes"]] == ["clear"]


def test_paged_search_and_planetary_computer_layout(loopback, tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    srv, api = serve_stac(loopback, root, page_size=2)
    for i in range(5):
        api.items.append(make_scene(root, srv.url, f"pc_{i}", f"2022-06-{10 + i}T10:00:00", 5 + i,
                                    baseline="04.00", values=rgb(1000 + 100 * i), layout="pc"))
    p = fetch(get_config(stac_url=srv.url + "/stac"))
    assert p.meta["scenes_found"] == 5
    np.testing.assert_array_equal(p.band("B04"), 1200)
    assert len(api.searches) == 3  # pages of 2 followed through 'next' links


def test_windowed_reads_and_retry_on_server_errors(stac):
    import rasterio

    srv, api, add, cfg = stac
    rng = np.random.default_rng(0)
    noise = {b: (lambda r, c, res: 1000 + rng.integers(0, 1000, r.shape)) for b in RGB}
    add("big", "2022-06-10T10:00:00", values=noise, size_m=5120, block=32)
    files = sorted((srv.root / "scenes" / "big").glob("*.tif"))
    total = sum(f.stat().st_size for f in files)
    srv.fail_next["/scenes/big/B03.tif"] = [503, 502]
    p = fetch(cfg, roi=roi_for((640.0, 640.0), 150.0))
    with rasterio.open(srv.root / "scenes" / "big" / "B03.tif") as src:
        np.testing.assert_array_equal(p.band("B03"), src.read(1)[49:79, 49:79])
    statuses = [s for m, path, r, s in srv.requests if path == "/scenes/big/B03.tif"]
    assert statuses[:2] == [503, 502] and statuses[-1] in (200, 206)
    # A 300 m ROI in a 5 km scene: only the windows' tiles come over the wire.
    assert srv.bytes_sent < 0.2 * total, (srv.bytes_sent, total)


def test_cache_hit_makes_no_request_and_revalidates_recent_windows(stac, isolated_cache):
    srv, api, add, cfg = stac
    add("s1", "2022-06-10T10:00:00", values=rgb(1000))
    first = fetch(cfg)
    assert first.meta["cache"] == "miss"
    srv.reset_counters()
    again = fetch(cfg)
    assert again.meta["cache"] == "hit" and srv.requests == []
    np.testing.assert_array_equal(again.data, first.data)
    assert again.grid == first.grid and list(again.bands) == RGB
    # A different request (other composite) is another entry.
    assert fetch(cfg, composite="mosaic").meta["cache"] == "miss"

    # A corrupt entry is dropped and fetched again.
    entry = isolated_cache / "imagery" / f"{first.meta['cache_key']}.npz"
    entry.write_bytes(entry.read_bytes()[:100])
    repaired = fetch(cfg)
    assert repaired.meta["cache"] == "miss"
    np.testing.assert_array_equal(repaired.data, first.data)


def test_recent_windows_are_revalidated_against_the_catalogue(stac):
    srv, api, add, cfg = stac
    today = dt.date.today()
    window = TemporalSpec.range(today - dt.timedelta(days=20), today + dt.timedelta(days=1))
    when = dt.datetime.combine(today - dt.timedelta(days=5), dt.time(10))
    item = add("recent", when, values=rgb(1000))
    assert fetch(cfg, window).meta["cache"] == "miss"
    srv.reset_counters()
    p = fetch(cfg, window)
    assert p.meta["cache"] == "hit"
    assert [path for m, path, r, s in srv.requests] == ["/stac", "/stac/search"]  # search only
    item.properties["updated"] = "2030-01-01T00:00:00Z"  # the provider reprocessed the scene
    assert fetch(cfg, window).meta["cache"] == "miss"
    add("newer", when + dt.timedelta(days=2), values=rgb(3000))
    p = fetch(cfg, window)
    assert p.meta["cache"] == "miss" and len(p.meta["scenes"]) == 2


def test_planetary_computer_urls_are_recognised():
    assert is_planetary_computer("https://planetarycomputer.microsoft.com/api/stac/v1")
    assert not is_planetary_computer("https://earth-search.aws.element84.com/v1")


@pytest.mark.network
@pytest.mark.parametrize("url", ["https://earth-search.aws.element84.com/v1",
                                 "https://planetarycomputer.microsoft.com/api/stac/v1"])
def test_live_stac(url):
    from rs_embed_qgis.embedders.specs import PointBuffer

    req = ImageryRequest(PointBuffer(13.40, 52.52, 320), TemporalSpec.range("2023-06-01", "2023-07-01"),
                         RGB, SensorSpec(cloudy_pct=20), source="stac")
    p = get_patch(req, get_config(stac_url=url))
    assert p.grid.crs == "EPSG:32633" and p.data.shape == (3, 64, 64)
    assert np.isfinite(p.data).mean() > 0.9 and 0 < np.nanmedian(p.data) < 5000
