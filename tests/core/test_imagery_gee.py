"""The ``gee`` imagery source up to ``computePixels``: the real ``ee`` package
(initialised offline from its bundled algorithm list) builds the requests;
replies in the real NUMPY_NDARRAY format are replayed at the one network
boundary, ``earthengine._compute_pixels_call``."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from fixtures_imagery import ee_offline, ee_reply, roi_for
from rs_embed_qgis.embedders import earthengine
from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import DataUnavailableError
from rs_embed_qgis.embedders.imagery import S2_BANDS, ImageryRequest, get_patch
from rs_embed_qgis.embedders.imagery.gee import LISTED
from rs_embed_qgis.embedders.specs import SensorSpec, TemporalSpec

PROJECT = "rs-embed-test"
JUNE = TemporalSpec.range("2022-06-01", "2022-07-01")
RGB = ["B04", "B03", "B02"]


def day(iso):
    t = dt.datetime.fromisoformat(iso).replace(tzinfo=dt.timezone.utc)
    return t.timestamp() * 1000 / 86_400_000


class Replay:
    """Earth Engine's side: answers computePixels for the 1-pixel scene
    summary, and for pixels whose values encode their band and map position,
    with ``valid(x, y)`` as the mask."""

    def __init__(self):
        self.calls = []  # (request, serialized expression as JSON text)
        self.n_found, self.scenes = 3, [("2022-06-05T10:15:00", 4.5), ("2022-06-20T10:15:00", 12.0)]
        self.cc_range = (4.5, 70.0)
        self.valid = lambda x, y: np.ones_like(x, dtype=bool)

    def value(self, band_index, x, y):
        return 1000.0 * (band_index + 1) + (x - 500000.0) / 10.0 + (5800000.0 - y) / 1000.0

    def __call__(self, request):
        import ee

        expr = json.dumps(ee.serializer.encode(request["expression"], for_cloud_api=True))
        self.calls.append((request, expr))
        g = request["grid"]
        w, h = g["dimensions"]["width"], g["dimensions"]["height"]
        a = g["affineTransform"]
        cols, rows = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
        x = a["translateX"] + a["scaleX"] * cols
        y = a["translateY"] + a["scaleY"] * rows
        bands = request["bandIds"]
        if bands[0] == "n_found":
            days = [day(t) for t, _ in self.scenes] + [-1] * (LISTED - len(self.scenes))
            clouds = [c for _, c in self.scenes] + [-1] * (LISTED - len(self.scenes))
            values = [self.n_found, len(self.scenes), *self.cc_range] + days + clouds
            return ee_reply({b: np.full((h, w), v) for b, v in zip(bands, values)})
        fields = {}
        ok = self.valid(x, y)
        for k, b in enumerate(bands):
            if b == earthengine.VALID_BAND:
                fields[b] = ok.astype(np.float32)
            else:  # masked pixels come back as 0, flagged by the validity band
                fields[b] = np.where(ok, self.value(S2_BANDS.index(b), x, y), 0)
        return ee_reply(fields)


@pytest.fixture
def replay(monkeypatch):
    monkeypatch.setattr(earthengine, "_initialized_project", None)
    ee = ee_offline(monkeypatch, PROJECT)
    r = Replay()
    monkeypatch.setattr(earthengine, "_compute_pixels_call", r)
    yield r
    ee.Reset()  # leave no initialised session behind


def gee(bands=RGB, temporal=JUNE, roi=None, source="auto", **sensor):
    req = ImageryRequest(roi or roi_for(), temporal, bands, SensorSpec(**sensor), source=source)
    return get_patch(req, get_config(ee_project=PROJECT))


def test_composite_on_the_utm_grid_with_cloud_score_plus(replay):
    replay.valid = lambda x, y: x >= 500640  # the west half is masked
    p = gee()
    assert p.meta["source"] == "gee"  # auto with a project configured
    summary_req, summary_expr = replay.calls[0]
    pixel_req, expr = replay.calls[1]
    assert summary_req["grid"]["dimensions"] == {"width": 1, "height": 1}
    assert pixel_req["grid"]["crsCode"] == "EPSG:32633"
    assert pixel_req["grid"]["affineTransform"] == {"scaleX": 10.0, "shearX": 0.0, "translateX": 500340.0,
                                                    "shearY": 0.0, "scaleY": -10.0, "translateY": 5799660.0}
    assert pixel_req["bandIds"] == RGB + [earthengine.VALID_BAND]
    for needle in ('"COPERNICUS/S2_SR_HARMONIZED"', '"GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED"', '"cs_cdf"',
                   '"Image.linkCollection"', '"reduce.median"', '"CLOUDY_PIXEL_PERCENTAGE"',
                   '"start": {"constantValue": "2022-06-01"}', '"end": {"constantValue": "2022-07-01"}'):
        assert needle in expr, needle
    assert '"Image.gte"' in expr and '{"constantValue": 0.6}' in expr
    # CLOUDY_PIXEL_PERCENTAGE <= 30 (the client writes lte as not(greaterThan)).
    assert '"Filter.not"' in expr and '"Filter.greaterThan"' in expr and '{"constantValue": 30.0}' in expr
    # Values land on the grid: pixel centres x = 500345 + 10 c, y = 5799655 - 10 r.
    r, c = np.mgrid[0:60, 0:60]
    x, y = 500345.0 + 10 * c, 5799655.0 - 10 * r
    b04 = replay.value(S2_BANDS.index("B04"), x, y)
    np.testing.assert_allclose(p.band("B04")[:, 30:], b04[:, 30:], rtol=1e-6)
    assert np.isnan(p.data[:, :, :30]).all()
    assert [s["datetime"] for s in p.meta["scenes"]] == ["2022-06-05T10:15:00+00:00", "2022-06-20T10:15:00+00:00"]
    assert [s["cloud_cover"] for s in p.meta["scenes"]] == [4.5, 12.0]
    assert p.meta["scenes_found"] == 3 and p.meta["cloud_mask"]["method"] == "cloud_score_plus"


def test_mosaic_and_qa60_requests(replay):
    gee(composite="mosaic", extra={"gee_mask": "qa60"}, cloudy_pct=20)
    expr = replay.calls[-1][1]
    assert '"ImageCollection.mosaic"' in expr and '"reduce.median"' not in expr
    assert '"QA60"' in expr and '"Image.bitwiseAnd"' in expr and '{"constantValue": 3072}' in expr
    assert "cs_cdf" not in expr and '{"constantValue": 20.0}' in expr
    gee(mask_clouds=False, temporal=TemporalSpec.range("2022-05-01", "2022-06-01"))
    expr = replay.calls[-1][1]
    assert "cs_cdf" not in expr and "QA60" not in expr


def test_no_scene_or_all_masked_says_what_was_found(replay):
    replay.scenes = []
    with pytest.raises(DataUnavailableError, match=r"3 COPERNICUS/S2_SR_HARMONIZED scenes .* cloud cover "
                                                   r"<= 30% \(theirs: 4-70%\).*wider time window"):
        gee()
    assert len(replay.calls) == 1  # no pixel request after an empty summary
    replay.n_found, replay.cc_range = 0, (-1, -1)
    with pytest.raises(DataUnavailableError, match="No COPERNICUS/S2_SR_HARMONIZED scene covers the area"):
        gee()
    replay.n_found, replay.scenes = 2, [("2022-06-05T10:15:00", 25.0)]
    replay.valid = lambda x, y: np.zeros_like(x, dtype=bool)
    with pytest.raises(DataUnavailableError, match=r"All 1 scenes .*cloud cover 25-25%.*masked"):
        gee()


def test_large_grid_is_split_by_the_shared_client_and_reassembled(replay):
    roi = roi_for((5000.0, 5000.0), 5000.0)  # 10 km x 10 km, all 12 bands: over 48 MiB a request
    p = gee(bands=list(S2_BANDS), roi=roi)
    pixel_calls = [req for req, _ in replay.calls[1:]]
    assert len(pixel_calls) >= 2
    assert p.data.shape == (12, 1000, 1000)
    r, c = np.mgrid[0:1000, 0:1000]
    x0, y1 = p.grid.transform.c, p.grid.transform.f
    expect = replay.value(S2_BANDS.index("B12"), x0 + 5 + 10 * c, y1 - 5 - 10 * r)
    np.testing.assert_allclose(p.band("B12"), expect, rtol=1e-6)


def test_settled_window_is_served_from_cache_without_earth_engine(replay):
    first = gee()
    n = len(replay.calls)
    again = gee()
    assert again.meta["cache"] == "hit" and len(replay.calls) == n
    np.testing.assert_array_equal(again.data, first.data)


def test_recent_window_revalidates_with_the_summary_only(replay):
    today = dt.date.today()
    window = TemporalSpec.range(today - dt.timedelta(days=20), today + dt.timedelta(days=1))
    replay.scenes = [((dt.datetime.combine(today - dt.timedelta(days=3), dt.time(10, 15))).isoformat(), 5.0)]
    assert gee(temporal=window).meta["cache"] == "miss"
    n = len(replay.calls)
    assert gee(temporal=window).meta["cache"] == "hit"
    assert len(replay.calls) == n + 1 and replay.calls[-1][0]["bandIds"][0] == "n_found"
    replay.scenes.append(((dt.datetime.combine(today - dt.timedelta(days=1), dt.time(10, 15))).isoformat(), 9.0))
    assert gee(temporal=window).meta["cache"] == "miss"


@pytest.mark.network
def test_live_earth_engine():
    """Opt-in: needs `earthengine authenticate` and RS_EMBED_EE_PROJECT."""
    import os

    from rs_embed_qgis.embedders.specs import PointBuffer

    project = os.environ.get("RS_EMBED_EE_PROJECT_LIVE")
    if not project:
        pytest.skip("set RS_EMBED_EE_PROJECT_LIVE to an Earth Engine project")
    req = ImageryRequest(PointBuffer(13.40, 52.52, 320), TemporalSpec.range("2023-06-01", "2023-07-01"),
                         RGB, SensorSpec(cloudy_pct=20), source="gee")
    p = get_patch(req, get_config(ee_project=project))
    assert p.grid.crs == "EPSG:32633" and p.data.shape == (3, 64, 64)
    assert np.isfinite(p.data).mean() > 0.9 and 0 < np.nanmedian(p.data) < 5000
