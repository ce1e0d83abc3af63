"""The ``stac`` source: Sentinel-2 L2A from a STAC API (Earth Search by
default, Planetary Computer with its href signing), COG windows over HTTP.

Steps: search items in [start, end) with eo:cloud_cover <= cloudy_pct, drop
items whose footprint misses the grid, order least cloudy first, read the
SCL window and mask its cloud/shadow/cirrus/defect classes (see
``s2.SCL_MASK_DEFAULT``), read the band windows, remove the +1000 offset of
baseline >= 04.00 (not already removed), then median or mosaic composite."""
from __future__ import annotations

import datetime as _dt
from concurrent.futures import ThreadPoolExecutor
from typing import List, Optional

import numpy as np

from ..errors import DataUnavailableError, DownloadError, SpecError
from ..geo import RasterGrid, transform_bounds
from ..redact import redact
from . import cache
from .base import ImageryPatch
from .composite import composite
from .s2 import COMMON_NAMES, NATIVE_RES_M, SCL_MASK_DEFAULT, offset_to_remove
from .warp import HTTP_OPTIONS, read_to_grid

PC_HOST = "planetarycomputer.microsoft.com"
MAX_SCENES = 24        # median of at most this many least-cloudy scenes
MAX_ITEMS = 2000       # search safety limit
READ_THREADS = 4


def is_planetary_computer(url: str) -> bool:
    return PC_HOST in str(url)


def open_client(url: str):
    from ..packages import require

    pystac_client = require("pystac_client", "pystac-client", "Sentinel-2 imagery from STAC")
    modifier = None
    if is_planetary_computer(url):
        pc = require("planetary_computer", "planetary-computer", "Planetary Computer asset signing")
        modifier = pc.sign_inplace
    try:
        return pystac_client.Client.open(url, modifier=modifier)
    except Exception as exc:
        raise DownloadError(redact(f"Cannot open the STAC API at {url}: {exc}. Check the URL "
                                   "(setting stac_url / RS_EMBED_STAC_URL) and your connection.")) from None


def _utc(d: _dt.date) -> _dt.datetime:
    return _dt.datetime(d.year, d.month, d.day, tzinfo=_dt.timezone.utc)


def item_time(item) -> Optional[_dt.datetime]:
    t = item.datetime or item.common_metadata.start_datetime
    if t is not None and t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return t


def cloud_cover(item) -> Optional[float]:
    v = item.properties.get("eo:cloud_cover")
    return None if v is None else float(v)


def _conforms_to_query(client) -> bool:
    from pystac_client.conformance import ConformanceClasses

    try:
        return bool(client.conforms_to(ConformanceClasses.QUERY))
    except Exception:
        return False


def search(client, collection, bbox, temporal, cloud_max=None, url="") -> list:
    """Items of ``collection`` over ``bbox`` (lon/lat) in the half-open window
    [start, end): STAC ranges include both ends, so items at ``end`` are
    dropped here. ``cloud_max`` filters on eo:cloud_cover (on the server when
    it has the query extension, and always here)."""
    start, end = _utc(temporal.start), _utc(temporal.end)
    kwargs = dict(collections=[collection], bbox=list(bbox), max_items=MAX_ITEMS, limit=100,
                  datetime=[start, end])
    if cloud_max is not None and _conforms_to_query(client):
        kwargs["query"] = {"eo:cloud_cover": {"lte": cloud_max}}
    try:
        items = list(client.search(**kwargs).items())
    except Exception as exc:
        raise DownloadError(redact(f"The STAC search at {url} failed: {exc}")) from None
    out = []
    for it in items:
        t = item_time(it)
        if t is None or not start <= t < end:
            continue
        cc = cloud_cover(it)
        if cloud_max is not None and cc is not None and cc > cloud_max:
            continue
        out.append(it)
    return out


def asset_href(item, band: str) -> Optional[str]:
    """The COG href of one band: asset key 'B04' (Planetary Computer) or
    'red' (Earth Search), else a single-band asset whose eo:bands name it."""
    common = COMMON_NAMES.get(band, "")
    found = []
    for key, a in item.assets.items():
        bands = a.extra_fields.get("eo:bands") or a.extra_fields.get("bands") or []
        names = {str(b.get(k, "")).lower() for b in bands for k in ("name", "common_name")} if len(bands) == 1 else set()
        if key.upper() == band or key.lower() == common or band.lower() in names or (common and common in names):
            mt = (a.media_type or "").lower()
            if "jp2" in mt or a.href.lower().endswith(".jp2"):
                continue
            found.append((0 if "tiff" in mt else 1, a.href))
    return sorted(found)[0][1] if found else None


def _http_only(href: str, what="asset href") -> str:
    if not str(href).lower().startswith(("http://", "https://")):
        raise DownloadError(redact(
            f"The STAC catalogue gives the {what} {str(href)[:200]!r}, which is not an http(s) URL. "
            "Local paths, file:// and GDAL virtual paths (/vsi...) from a catalogue are refused; "
            "use a catalogue whose assets are served over http(s)."))
    return href


def gdal_path(href: str) -> str:
    """The GDAL path of an asset: http(s) URLs only (see :func:`_http_only`)."""
    return "/vsicurl/" + _http_only(href)


_resolved = {}  # href -> final URL after redirects (this process)
MAX_REDIRECTS = 10


def resolve_redirects(href: str) -> str:
    """The URL ``href`` redirects to, every hop checked to be http(s) (GDAL
    follows redirects by itself, so they are checked before it opens the file).
    Servers that refuse HEAD are asked for one byte; an unreachable server is
    left for GDAL to report."""
    import requests

    if href in _resolved:
        return _resolved[href]
    url = href
    for _ in range(MAX_REDIRECTS):
        try:
            r = requests.head(url, allow_redirects=False, timeout=30)
            if r.status_code in (403, 405, 501):
                r = requests.get(url, headers={"Range": "bytes=0-0"}, allow_redirects=False,
                                 stream=True, timeout=30)
                r.close()
        except requests.RequestException:
            return url
        if r.status_code not in (301, 302, 303, 307, 308) or not r.headers.get("Location"):
            break
        from urllib.parse import urljoin

        url = _http_only(urljoin(url, r.headers["Location"]), "redirect target")
    if len(_resolved) > 4096:
        _resolved.clear()
    _resolved[href] = url
    return url


def _read(href, grid, categorical=False, resampling="nearest"):
    import rasterio

    path = "/vsicurl/" + resolve_redirects(href[len("/vsicurl/"):])
    try:
        with rasterio.Env(**HTTP_OPTIONS), rasterio.open(path) as src:
            return read_to_grid(src, [1], grid, resampling=resampling, categorical=categorical)[0]
    except rasterio.errors.RasterioIOError as exc:
        raise DownloadError(redact(f"Reading {href} failed: {exc}")) from None


OFFSET_MIN_DN = 1000   # with the baseline >= 04.00 offset in place, valid DNs are >= this


class Scene:
    """One STAC item prepared for reading: hrefs, offset and mask settings."""

    def __init__(self, item, bands, mask_classes):
        self.item = item
        self.id = item.id
        self.time = item_time(item)
        self.cloud = cloud_cover(item)
        self.offset, self.offset_reason = offset_to_remove(item.properties, self.time.date())
        self.hrefs = {}
        missing = []
        for b in list(bands) + (["SCL"] if mask_classes else []):
            h = asset_href(item, b)
            if h is None:
                missing.append(b)
            else:
                self.hrefs[b] = gdal_path(h)
        self.missing = missing
        self.bands = list(bands)
        self.mask_classes = mask_classes

    def describe(self):
        return {"id": self.id, "datetime": self.time.isoformat(), "cloud_cover": self.cloud,
                "updated": self.item.properties.get("updated"),
                "offset_removed": self.offset, "offset_reason": self.offset_reason}

    def _offset_already_removed(self, data) -> bool:
        """The catalogue's flag said the +1000 offset is still in the data, but
        the values say otherwise: with the offset every valid DN is >= 1000
        (reflectance + 1000), so a scene where more than 1 % of the values are
        below 1000 has had it removed already (Earth Search's flag is known to
        be mis-set). The check is against the processing baseline's rule."""
        vals = data[np.isfinite(data)]
        if vals.size == 0:
            return False
        below = float((vals < OFFSET_MIN_DN).mean())
        if below <= 0.01:
            return False
        self.offset_reason += (f"; but {below:.0%} of the values are below {OFFSET_MIN_DN}, so the offset "
                               "was already removed (the catalogue's flag is wrong): not removed again")
        return True

    def read(self, grid: RasterGrid, need=None, resampling="nearest", pool=None):
        """(C, h, w) harmonised reflectance x 10^4 on ``grid``, NaN where
        masked; None when nothing valid (or nothing ``need``ed) is there."""
        valid = None
        if self.mask_classes:
            scl = _read(self.hrefs["SCL"], grid, categorical=True)
            valid = np.isfinite(scl) & ~np.isin(scl, self.mask_classes)
            if not valid.any() or (need is not None and not (valid & need).any()):
                return None
        run = pool.map if pool else map
        layers = list(run(lambda b: _read(self.hrefs[b], grid, resampling=resampling), self.bands))
        data = np.stack(layers).astype(np.float32)
        data[data == 0] = np.nan  # DN 0 is L2A no data
        if self.offset and self._offset_already_removed(data):
            self.offset = 0.0
        if self.offset:
            data = np.maximum(data - np.float32(self.offset), 0)  # clamped like the harmonized uint16 data
        if valid is not None:
            data[:, ~valid] = np.nan
        return data



def _signature(scenes) -> List[list]:
    return [[s.id, s.item.properties.get("updated")] for s in scenes]


def fetch_stac(request, grid: RasterGrid, bands, config) -> ImageryPatch:
    sensor, progress, temporal = request.sensor, request.progress, request.temporal
    if temporal is None:
        raise SpecError("The 'stac' imagery source needs a time window: give a year or a start and end date.")
    extra = sensor.extra or {}
    url = str(config.stac_url).rstrip("/")
    mask_classes = tuple(int(c) for c in extra.get("scl_mask", SCL_MASK_DEFAULT)) if sensor.mask_clouds else ()
    max_scenes = int(extra.get("max_scenes", MAX_SCENES))
    resampling = str(extra.get("resampling", "nearest"))
    key = cache.cache_key({
        "source": "stac", "url": url, "collection": sensor.collection, "temporal": temporal.to_dict(),
        "grid": cache.grid_dict(grid), "bands": list(bands), "cloudy_pct": sensor.cloudy_pct,
        "composite": sensor.composite, "scl_mask": list(mask_classes), "max_scenes": max_scenes,
        "resampling": resampling})
    cache_dir = config.sub_cache("imagery")
    hit = cache.load(cache_dir, key)
    if hit is not None and cache.settled(temporal, hit.meta.get("cached_at")):
        return hit

    progress.update(0.02, f"Searching {sensor.collection} at {redact(url)} for {temporal}")
    bbox = transform_bounds(grid.crs, "EPSG:4326", grid.bounds)
    client = open_client(url)
    items = search(client, sensor.collection, bbox, temporal, sensor.cloudy_pct, url)
    items = _covering(items, bbox)
    if not items:
        everything = _covering(search(client, sensor.collection, bbox, temporal, None, url), bbox)
        raise DataUnavailableError(_none_found(everything, sensor, temporal))
    items.sort(key=lambda it: (cloud_cover(it) if cloud_cover(it) is not None else 101.0,
                               -item_time(it).timestamp()))
    scenes = []
    for it in items:
        s = Scene(it, bands, mask_classes)
        if not s.missing:
            scenes.append(s)
    if not scenes:
        raise DataUnavailableError(f"{len(items)} scenes found at {redact(url)}, but none has the assets for "
                                   f"{', '.join(bands)}{' and SCL' if mask_classes else ''}.")
    scenes = scenes[:max_scenes] if sensor.composite == "median" else scenes
    if hit is not None and hit.meta.get("item_signature") == _signature(scenes):
        return hit

    progress.info(f"{len(items)} scenes with cloud cover <= {sensor.cloudy_pct:g}%; "
                  f"compositing {'up to ' if sensor.composite == 'mosaic' else ''}{len(scenes)} ({sensor.composite})")
    with ThreadPoolExecutor(READ_THREADS) as pool:
        data, used = composite(
            scenes, grid, len(bands), sensor.composite,
            lambda s, g, need: s.read(g, need, resampling, pool), progress.sub(0.05, 0.98))
    if not np.isfinite(data).any():
        raise DataUnavailableError(
            f"All {len(scenes)} scenes in {temporal} (cloud cover {_cc_range(s.item for s in scenes)}) are "
            f"masked over the area (SCL classes {list(mask_classes)}). Use a wider time window or a higher "
            "cloud limit.")
    meta = {"source": "stac", "stac_url": redact(url), "collection": sensor.collection,
            "scenes": [scenes[i].describe() for i in used], "scenes_found": len(items),
            "scenes_considered": len(scenes), "composite": sensor.composite,
            "cloudy_pct": sensor.cloudy_pct, "scl_mask": list(mask_classes), "resampling": resampling,
            "native_res_m": {b: NATIVE_RES_M.get(b) for b in bands},
            "item_signature": _signature(scenes)}
    patch = ImageryPatch(data, list(bands), grid, meta)
    cache.save(cache_dir, key, patch)
    patch.meta.update(cache="miss", cache_key=key)
    progress.update(1.0)
    return patch


def _covering(items, bbox):
    """Items whose footprint meets the box (a bbox search also returns items
    that only touch its corners with their bounding box)."""
    from shapely.geometry import box, shape

    roi = box(*bbox)
    return [it for it in items if it.geometry is None or shape(it.geometry).intersects(roi)]


def _cc_range(items) -> str:
    cc = [cloud_cover(it) for it in items if cloud_cover(it) is not None]
    return f"{min(cc):.0f}-{max(cc):.0f}%" if cc else "unknown"


def _none_found(everything, sensor, temporal) -> str:
    if not everything:
        return (f"No {sensor.collection} scene covers the area in {temporal}. "
                "Use a wider time window (Sentinel-2 revisits every 2-5 days).")
    return (f"{len(everything)} {sensor.collection} scenes cover the area in {temporal}, but none has "
            f"cloud cover <= {sensor.cloudy_pct:g}% (theirs: {_cc_range(everything)}). Raise the cloud "
            "limit or use a wider time window.")
