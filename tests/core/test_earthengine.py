"""The Earth Engine client up to ``ee.data.computePixels``: request geometry,
splitting under the API limits, retries with backoff and error texts.

Earth Engine cannot run here. The ``ee`` package is initialised offline the way
its own test-suite does (the algorithm list bundled with the package stands in
for the ListAlgorithms reply), so expressions are built by the real library;
and the one boundary, ``earthengine._compute_pixels_call``, replays replies in
the API's format: NPY bytes of a structured array (one field per band, masked
pixels 0) loaded as ``ee`` loads them, or the exceptions ``ee`` raises, made
from HTTP errors by ``ee``'s own translation."""
import io
import json
import threading
import time

import numpy as np
import pytest

from rs_embed_qgis.embedders import (BBox, CancelledError, CredentialsError, DataUnavailableError,
                                     OutputSpec, Progress, TemporalSpec, configure, get_embedding)
from rs_embed_qgis.embedders import earthengine as eec
from rs_embed_qgis.embedders.geo import RasterGrid

import ee  # noqa: E402  (earthengine-api, requirements-models.txt)
import httplib2  # noqa: E402
from ee import apitestcase  # noqa: E402
from googleapiclient.errors import HttpError  # noqa: E402

PROJECT = "rs-embed-test"
MASK = (500300.0, 500500.0, 5760300.0, 5760500.0)  # x0, x1, y0, y1 masked in the replies


@pytest.fixture
def ee_offline(monkeypatch):
    monkeypatch.setattr(ee.data, "_install_cloud_api_resource", lambda: None)
    monkeypatch.setattr(ee.data, "getAlgorithms", apitestcase.GetAlgorithms)
    ee.Reset()
    ee.Initialize(None, "", project=PROJECT)
    eec._initialized_project = None
    yield ee
    ee.Reset()
    eec._initialized_project = None


def value_at(band_index, x, y):
    return ((x - 500000.0) * 1e-4 + (y - 5760000.0) * 1e-5 + band_index * 1e-2).astype(np.float32)


def npy_reply(request):
    """What computePixels returns for a NUMPY_NDARRAY request: the server's NPY
    bytes of a structured array, loaded with numpy as ee's converter does."""
    g = request["grid"]
    w, h = g["dimensions"]["width"], g["dimensions"]["height"]
    t = g["affineTransform"]
    xs = t["translateX"] + t["scaleX"] * (np.arange(w) + 0.5)
    ys = t["translateY"] + t["scaleY"] * (np.arange(h) + 0.5)
    X, Y = np.meshgrid(xs, ys)
    masked = (X >= MASK[0]) & (X < MASK[1]) & (Y >= MASK[2]) & (Y < MASK[3])
    arr = np.zeros((h, w), dtype=[(b, "<f4") for b in request["bandIds"]])
    for i, b in enumerate(request["bandIds"]):
        arr[b] = np.where(masked, 0, 1 if b == eec.VALID_BAND else value_at(i, X, Y))
    buf = io.BytesIO()
    np.save(buf, arr)
    return np.load(io.BytesIO(buf.getvalue()))


def http_error(status, message, reason):
    body = json.dumps({"error": {"code": status, "message": message, "status": reason}}).encode()
    return HttpError(httplib2.Response({"status": status}), body)


def ee_error(status, message, reason):
    """The EEException ee.data raises for an HTTP error (its own translation)."""
    return ee.data._translate_cloud_exception(http_error(status, message, reason))


class Replay:
    """Stands in for ``_compute_pixels_call``: records requests, raises the
    scripted errors in order, then answers with NPY replies."""

    def __init__(self, script=(), delay=0.0):
        self.script, self.delay = list(script), delay
        self.requests, self.lock = [], threading.Lock()
        self.active = self.max_active = 0

    def __call__(self, request):
        with self.lock:
            self.requests.append(request)
            action = self.script.pop(0) if self.script else None
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            time.sleep(self.delay)
            if isinstance(action, BaseException):
                raise action
            return npy_reply(request)
        finally:
            with self.lock:
                self.active -= 1


# The product's lattice as Earth Engine reports an image's projection
# (ee.Image.projection().getInfo()): UTM 31N, 10 m, origin 5 m off the round metre.
PRODUCT_PROJECTION = {"type": "Projection", "crs": "EPSG:32631",
                      "transform": [10.0, 0.0, 300005.0, 0.0, -10.0, 5900005.0]}


class InfoReplay:
    """Stands in for ``_get_info_call``: records the expressions asked for."""

    def __init__(self, reply=PRODUCT_PROJECTION):
        self.reply, self.asked = reply, []

    def __call__(self, obj):
        self.asked.append(obj)
        return self.reply


@pytest.fixture
def replay(monkeypatch):
    def install(script=(), delay=0.0, info=PRODUCT_PROJECTION):
        r = Replay(script, delay)
        r.info = InfoReplay(info)
        monkeypatch.setattr(eec, "_compute_pixels_call", r)
        monkeypatch.setattr(eec, "_get_info_call", r.info)
        return r
    return install


def expected_on(grid, bands):
    X, Y = np.meshgrid(grid.x_centres(), grid.y_centres())
    exp = np.stack([value_at(i, X, Y) for i in range(bands)])
    masked = (X >= MASK[0]) & (X < MASK[1]) & (Y >= MASK[2]) & (Y < MASK[3])
    exp[:, masked] = np.nan
    return exp


def utm_bbox(x0, y0, x1, y1):
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True)
    lons, lats = t.transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    return BBox(min(lons), min(lats), max(lons), max(lats))


def test_gse_request_geometry_expression_and_values(ee_offline, replay):
    rp = replay()
    configure(ee_project=PROJECT)
    roi = utm_bbox(500100, 5760100, 500900, 5760700)
    emb = get_embedding("gse_annual", spatial=roi, temporal=TemporalSpec.year(2023),
                        output=OutputSpec.grid())  # auto + project -> Earth Engine
    assert emb.meta["backend"] == "gee" and emb.meta["backend_requested"] == "auto"
    assert emb.meta["ee_project"] == PROJECT
    (req,) = rp.requests
    t = emb.transform
    h, w = emb.to_numpy().shape[1:]
    assert set(req) == {"expression", "fileFormat", "grid", "bandIds"}
    assert req["fileFormat"] == "NUMPY_NDARRAY"
    assert req["bandIds"] == [f"A{i:02d}" for i in range(64)] + [eec.VALID_BAND]
    assert req["grid"] == {
        "dimensions": {"width": w, "height": h},
        "affineTransform": {"scaleX": 10.0, "shearX": 0.0, "translateX": t.c,
                            "shearY": 0.0, "scaleY": -10.0, "translateY": t.f},
        "crsCode": "EPSG:32631"}
    # on the product's own lattice (origin 5 m off), so Earth Engine never resamples
    assert t.c % 10 == 5 and t.f % 10 == 5 and t.c <= 500100 and t.f >= 5760700
    (asked,) = rp.info.asked
    assert "Image.projection" in json.dumps(ee.serializer.encode(asked))
    assert isinstance(req["expression"], ee.Image)
    text = json.dumps(ee.serializer.encode(req["expression"]))
    for part in ("GOOGLE/SATELLITE_EMBEDDING/V1/ANNUAL", "ImageCollection.mosaic", "Image.select",
                 "Image.toFloat", "Image.mask", "Collection.filter", "2023-01-01", "2024-01-01"):
        assert part in text, part
    grid = RasterGrid(emb.crs, t, w, h)
    np.testing.assert_array_equal(emb.to_numpy(), expected_on(grid, 64))
    assert np.isnan(emb.to_numpy()).all(axis=0).any()  # masked pixels are NaN
    pooled = emb.pooled()
    assert 0 < pooled.meta["coverage_fraction"] < 1


def test_5km_roi_is_split_under_the_api_limits(ee_offline, replay):
    rp = replay()
    configure(ee_project=PROJECT)
    roi = utm_bbox(500000, 5760000, 505000, 5765000)
    emb = get_embedding("gse_annual", spatial=roi, temporal=TemporalSpec.year(2024),
                        output=OutputSpec.grid(), backend="gee")
    h, w = emb.to_numpy().shape[1:]
    assert len(rp.requests) >= 2
    area = 0
    for req in rp.requests:
        d = req["grid"]["dimensions"]
        assert d["width"] * d["height"] * len(req["bandIds"]) * 4 <= 48 * 1024 * 1024
        assert max(d["width"], d["height"]) <= 32768
        area += d["width"] * d["height"]
    assert area == w * h  # tiles cover the grid once
    grid = RasterGrid(emb.crs, emb.transform, w, h)
    np.testing.assert_array_equal(emb.to_numpy(), expected_on(grid, 64))


def test_split_grid_geometry():
    grid = RasterGrid.from_bounds("EPSG:32631", (500000, 5760000, 500000 + 10 * 1001, 5760000 + 10 * 703), 10)
    tiles = eec.split_grid(grid, bytes_per_pixel=12, max_bytes=120_000)
    assert all(g.width * g.height * 12 <= 120_000 for _, _, g in tiles)
    cover = np.zeros(grid.shape, int)
    for r, c, g in tiles:
        cover[r:r + g.height, c:c + g.width] += 1
        assert (g.transform.c, g.transform.f) == tuple(grid.transform * (c, r))
    assert (cover == 1).all()
    long = RasterGrid.from_bounds("EPSG:32631", (0, 0, 10 * 70000, 10 * 3), 10)
    tiles = eec.split_grid(long, 4)
    assert all(g.width <= 32768 for _, _, g in tiles) and sum(g.width for _, _, g in tiles) == 70000
    assert eec.split_grid(RasterGrid.from_bounds("EPSG:32631", (0, 0, 4430, 4430), 10), 256) == [
        (0, 0, RasterGrid.from_bounds("EPSG:32631", (0, 0, 4430, 4430), 10))]


def small_grid(w=60, h=40):
    return RasterGrid.from_bounds("EPSG:32631", (500000, 5760000, 500000 + 10 * w, 5760000 + 10 * h), 10)


def three_bands(ee_):
    return ee_.Image.constant([1, 2, 3]).rename(["b0", "b1", "b2"])


def test_retries_with_backoff_on_rate_limits_and_server_errors(ee_offline, replay):
    rp = replay([ee_error(429, "Too many concurrent aggregations.", "RESOURCE_EXHAUSTED"),
                 ee_error(429, "Quota exceeded for quota metric 'Number of read requests' and limit "
                          "'Number of read requests per minute per user' of service "
                          "'earthengine.googleapis.com' for consumer 'project_number:1'.",
                          "RESOURCE_EXHAUSTED"),
                 ee_error(500, "An internal error has occurred (request: 0f4e).", "INTERNAL"),
                 http_error(503, "The service is currently unavailable.", "UNAVAILABLE")])
    delays = []
    policy = eec.RetryPolicy(max_retries=5, base_delay=1.0, jitter=0.0, sleep=delays.append)
    grid = small_grid()
    out = eec.compute_pixels(three_bands, grid, ["b0", "b1", "b2"], retry=policy, project=PROJECT)
    assert delays == [1.0, 2.0, 4.0, 8.0] and len(rp.requests) == 5
    np.testing.assert_array_equal(out, expected_on(grid, 3))


def test_gives_up_after_max_retries_with_a_clear_error(ee_offline, replay):
    rp = replay([ee_error(429, "Too many concurrent aggregations.", "RESOURCE_EXHAUSTED")] * 10)
    delays = []
    policy = eec.RetryPolicy(max_retries=3, base_delay=0.5, jitter=0.0, sleep=delays.append)
    with pytest.raises(eec.EarthEngineError, match="kept failing after 4 attempts: Too many concurrent"):
        eec.compute_pixels(three_bands, small_grid(), ["b0", "b1", "b2"], retry=policy, project=PROJECT)
    assert len(rp.requests) == 4 and delays == [0.5, 1.0, 2.0]


def test_errors_that_are_not_transient_are_not_retried(ee_offline, replay):
    rp = replay([ee_error(400, "Image.select: Pattern 'b9' did not match any bands.", "INVALID_ARGUMENT")])
    with pytest.raises(eec.EarthEngineError, match="request failed: Image.select: Pattern 'b9'"):
        eec.compute_pixels(three_bands, small_grid(), ["b0", "b1", "b2"], project=PROJECT,
                           retry=eec.RetryPolicy(sleep=lambda s: None))
    assert len(rp.requests) == 1
    rp = replay([ee_error(403, "Caller does not have required permission to use project rs-embed-test. "
                          "Grant the caller the roles/serviceusage.serviceUsageConsumer role.",
                          "PERMISSION_DENIED")])
    with pytest.raises(CredentialsError, match="RS_EMBED_EE_PROJECT"):
        eec.compute_pixels(three_bands, small_grid(), ["b0", "b1", "b2"], project=PROJECT)
    assert len(rp.requests) == 1


def test_request_too_large_is_split_in_four(ee_offline, replay):
    rp = replay([ee_error(400, "Total request size (56623104 bytes) must be less than or equal to "
                          "50331648 bytes.", "INVALID_ARGUMENT")])
    grid = small_grid(61, 41)
    out = eec.compute_pixels(three_bands, grid, ["b0", "b1", "b2"], project=PROJECT)
    assert len(rp.requests) == 5
    assert sum(r["grid"]["dimensions"]["width"] * r["grid"]["dimensions"]["height"]
               for r in rp.requests[1:]) == 61 * 41
    np.testing.assert_array_equal(out, expected_on(grid, 3))


def test_requests_run_a_few_at_a_time(ee_offline, replay):
    rp = replay(delay=0.05)
    grid = small_grid(100, 100)
    out = eec.compute_pixels(three_bands, grid, ["b0", "b1", "b2"], project=PROJECT, workers=3,
                             max_bytes=4 * 4 * 20 * 20)
    assert len(rp.requests) == 25 and 2 <= rp.max_active <= 3
    np.testing.assert_array_equal(out, expected_on(grid, 3))


def test_cancel_stops_between_requests(ee_offline, replay):
    rp = replay()
    calls = []
    progress = Progress(on_progress=calls.append, is_cancelled=lambda: len(calls) >= 2)
    with pytest.raises(CancelledError):
        eec.compute_pixels(three_bands, small_grid(100, 100), ["b0", "b1", "b2"], project=PROJECT,
                           workers=1, max_bytes=4 * 4 * 20 * 20, progress=progress)
    assert len(rp.requests) < 25


def test_no_project_says_what_to_set(replay):
    replay()
    with pytest.raises(CredentialsError, match="RS_EMBED_EE_PROJECT"):
        get_embedding("gse_annual", spatial=utm_bbox(500100, 5760100, 500900, 5760700),
                      temporal=TemporalSpec.year(2023), backend="gee")


def test_not_signed_in_says_what_to_run(tmp_path, monkeypatch):
    """The real ``ee.Initialize`` with no stored credentials (offline, fast)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    ee.Reset()
    eec._initialized_project = None
    with pytest.raises(CredentialsError) as err:
        eec.initialize(project="my-project")
    assert "`earthengine authenticate`" in str(err.value)
    assert "Please authorize access" in str(err.value)  # the library's own text is kept


def test_gee_year_outside_the_collection(ee_offline, replay):
    rp = replay()
    configure(ee_project=PROJECT)
    with pytest.raises(DataUnavailableError, match="2017-2025"):
        get_embedding("gse_annual", spatial=utm_bbox(500100, 5760100, 500900, 5760700),
                      temporal=TemporalSpec.year(2015), backend="gee")
    assert rp.requests == []


@pytest.mark.network
def test_live_gse_on_earth_engine():
    """Opt-in: needs `earthengine authenticate` and RS_EMBED_EE_PROJECT."""
    import os

    if not os.environ.get("RS_EMBED_EE_PROJECT_LIVE"):
        pytest.fail("set RS_EMBED_EE_PROJECT_LIVE to an Earth Engine project to run this test")
    configure(ee_project=os.environ["RS_EMBED_EE_PROJECT_LIVE"])
    emb = get_embedding("gse_annual", spatial=BBox(0.10, 52.00, 0.12, 52.01),
                        temporal=TemporalSpec.year(2023), output=OutputSpec.grid(), backend="gee")
    norms = np.linalg.norm(emb.to_numpy(), axis=0)
    assert np.nanmedian(norms) == pytest.approx(1.0, abs=0.02)
