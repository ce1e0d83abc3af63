"""The ``gee`` source: ``COPERNICUS/S2_SR_HARMONIZED`` (offset already
removed by Google) through the shared Earth Engine client
(:mod:`..earthengine`, whose ``compute_pixels`` splits, retries and is the
only network boundary).

Scenes in [start, end) (Earth Engine's filterDate is half-open) over the
area with CLOUDY_PIXEL_PERCENTAGE <= cloudy_pct; per-pixel masking with Cloud
Score+ (``cs_cdf >= 0.60`` by default, ``sensor.extra['cs_threshold']``) or,
with ``sensor.extra['gee_mask'] = 'qa60'``, the QA60 opaque-cloud and cirrus
bits; then the median, or a mosaic with the least cloudy scene on top.

A first 1-pixel request returns the scene summary (counts, cloud cover,
dates) as constant bands, so empty windows fail fast with what was found."""
from __future__ import annotations

import datetime as _dt

import numpy as np
from affine import Affine

from ..errors import DataUnavailableError, SpecError
from ..geo import RasterGrid, transform_bounds
from . import cache
from .base import ImageryPatch

COLLECTION = "COPERNICUS/S2_SR_HARMONIZED"
CLOUD_SCORE_PLUS = "GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED"
CS_BAND = "cs_cdf"
CS_THRESHOLD = 0.60
QA60_CLOUD_BITS = (10, 11)  # opaque clouds, cirrus
CLOUD_PROP = "CLOUDY_PIXEL_PERCENTAGE"
LISTED = 48  # scenes listed in the summary (dates and cloud cover)
SUMMARY_BANDS = (["n_found", "n_kept", "cc_min", "cc_max"] + [f"t_{i}" for i in range(LISTED)]
                 + [f"c_{i}" for i in range(LISTED)])
DAY_MS = 86_400_000


def _collections(ee, bbox, temporal, cloudy_pct):
    region = ee.Geometry.Rectangle(list(bbox), "EPSG:4326", False)
    found = (ee.ImageCollection(COLLECTION).filterBounds(region)
             .filterDate(temporal.start.isoformat(), temporal.end.isoformat()))
    return found, found.filter(ee.Filter.lte(CLOUD_PROP, cloudy_pct))


def summary_image(ee, bbox, temporal, cloudy_pct):
    """Constant bands: scene counts, cloud-cover range of all scenes in the
    window, and date (days since 1970) and cloud cover of the kept ones."""
    found, kept = _collections(ee, bbox, temporal, cloudy_pct)
    kept = kept.sort("system:time_start")
    pad = ee.List.repeat(-1, LISTED)

    def listed(values, prefix):
        return ee.Image.constant(values.cat(pad).slice(0, LISTED)).rename([f"{prefix}_{i}" for i in range(LISTED)])

    days = kept.aggregate_array("system:time_start").map(lambda t: ee.Number(t).divide(DAY_MS))
    has = found.size().gt(0)
    return ee.Image.cat([
        ee.Image.constant(found.size()).rename("n_found"),
        ee.Image.constant(kept.size()).rename("n_kept"),
        ee.Image.constant(ee.Algorithms.If(has, found.aggregate_min(CLOUD_PROP), -1)).rename("cc_min"),
        ee.Image.constant(ee.Algorithms.If(has, found.aggregate_max(CLOUD_PROP), -1)).rename("cc_max"),
        listed(days, "t"),
        listed(kept.aggregate_array(CLOUD_PROP), "c"),
    ])


def composite_image(ee, bbox, temporal, bands, sensor):
    _, col = _collections(ee, bbox, temporal, sensor.cloudy_pct)
    extra = sensor.extra or {}
    if sensor.mask_clouds:
        method = str(extra.get("gee_mask", "cloud_score_plus")).lower()
        if method == "cloud_score_plus":
            threshold = float(extra.get("cs_threshold", CS_THRESHOLD))
            col = col.linkCollection(ee.ImageCollection(CLOUD_SCORE_PLUS), [CS_BAND]).map(
                lambda img: img.updateMask(img.select(CS_BAND).gte(threshold)))
        elif method == "qa60":
            bits = sum(1 << b for b in QA60_CLOUD_BITS)
            col = col.map(lambda img: img.updateMask(img.select("QA60").bitwiseAnd(bits).eq(0)))
        else:
            raise SpecError(f"Unknown Earth Engine cloud mask {method!r}; use cloud_score_plus or qa60.")
    col = col.select(list(bands))
    if sensor.composite == "median":
        return col.median()
    return col.sort(CLOUD_PROP, False).mosaic()  # last on top: least cloudy wins


def _summary(values):
    v = [float(x) for x in values]
    n_found, n_kept, cc_min, cc_max = int(v[0]), int(v[1]), v[2], v[3]
    days, clouds = v[4:4 + LISTED], v[4 + LISTED:]
    scenes = []
    for d, c in zip(days, clouds):
        if d < 0:
            break
        when = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(days=d)
        scenes.append({"id": f"S2 {when:%Y-%m-%dT%H:%M}Z", "datetime": when.replace(second=0, microsecond=0)
                       .isoformat(), "cloud_cover": round(c, 2)})
    return n_found, n_kept, (cc_min, cc_max), scenes


def _centre_pixel(grid: RasterGrid) -> RasterGrid:
    x0, y0, x1, y1 = grid.bounds
    s = grid.res[0]
    return RasterGrid(grid.crs, Affine(s, 0, (x0 + x1) / 2, 0, -s, (y0 + y1) / 2), 1, 1)



def fetch_gee(request, grid: RasterGrid, bands, config) -> ImageryPatch:
    from .. import earthengine

    sensor, temporal, progress = request.sensor, request.temporal, request.progress
    if temporal is None:
        raise SpecError("The 'gee' imagery source needs a time window: give a year or a start and end date.")
    extra = sensor.extra or {}
    mask = ({"method": str(extra.get("gee_mask", "cloud_score_plus")).lower(),
             "cs_threshold": float(extra.get("cs_threshold", CS_THRESHOLD))} if sensor.mask_clouds else None)
    key = cache.cache_key({
        "source": "gee", "collection": COLLECTION, "temporal": temporal.to_dict(),
        "grid": cache.grid_dict(grid), "bands": list(bands), "cloudy_pct": sensor.cloudy_pct,
        "composite": sensor.composite, "mask": mask})
    cache_dir = config.sub_cache("imagery")
    hit = cache.load(cache_dir, key)
    if hit is not None and cache.settled(temporal, hit.meta.get("cached_at")):
        return hit

    bbox = transform_bounds(grid.crs, "EPSG:4326", grid.bounds)
    progress.update(0.02, f"Listing {COLLECTION} scenes in {temporal} on Earth Engine")
    info = earthengine.compute_pixels(
        lambda ee: summary_image(ee, bbox, temporal, sensor.cloudy_pct), _centre_pixel(grid),
        SUMMARY_BANDS, mask_nodata=False, config=config)
    n_found, n_kept, (cc_min, cc_max), scenes = _summary(info[:, 0, 0])
    if n_kept == 0:
        if n_found == 0:
            raise DataUnavailableError(f"No {COLLECTION} scene covers the area in {temporal}. Use a wider "
                                       "time window (Sentinel-2 revisits every 2-5 days).")
        raise DataUnavailableError(
            f"{n_found} {COLLECTION} scenes cover the area in {temporal}, but none has cloud cover <= "
            f"{sensor.cloudy_pct:g}% (theirs: {cc_min:.0f}-{cc_max:.0f}%). Raise the cloud limit or use a "
            "wider time window.")
    signature = [[s["datetime"], s["cloud_cover"]] for s in scenes] + [n_kept]
    if hit is not None and hit.meta.get("item_signature") == signature:
        return hit

    progress.info(f"{n_kept} scenes with cloud cover <= {sensor.cloudy_pct:g}%; {sensor.composite} on Earth Engine")
    data = earthengine.compute_pixels(
        lambda ee: composite_image(ee, bbox, temporal, bands, sensor), grid, list(bands),
        mask_nodata=True, progress=progress.sub(0.1, 0.98), config=config)
    if not np.isfinite(data).any():
        kept_cc = [s["cloud_cover"] for s in scenes] or [cc_min, cc_max]
        raise DataUnavailableError(
            f"All {n_kept} scenes in {temporal} (cloud cover {min(kept_cc):.0f}-{max(kept_cc):.0f}%) are "
            "masked over the area (cloud mask). Use a wider time window or a higher cloud limit.")
    meta = {"source": "gee", "collection": COLLECTION, "scenes": scenes, "scenes_found": n_found,
            "scenes_considered": n_kept, "composite": sensor.composite, "cloudy_pct": sensor.cloudy_pct,
            "cloud_mask": mask, "item_signature": signature}
    patch = ImageryPatch(data.astype(np.float32, copy=False), list(bands), grid, meta)
    cache.save(cache_dir, key, patch)
    patch.meta.update(cache="miss", cache_key=key)
    progress.update(1.0)
    return patch
