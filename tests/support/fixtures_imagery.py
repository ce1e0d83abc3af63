"""Imagery fixtures in the real formats, made at test time: Sentinel-2 L2A
scenes as COGs (uint16, DN 0 = no data, real UTM CRS, tiled), STAC Items
made with pystac in the Earth Search or Planetary Computer layout, and a
small STAC API (landing page + /search, GET and POST, paging) served from
127.0.0.1 through the ``loopback`` server's routes."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np

CRS = "EPSG:32633"
X0, Y0 = 500000.0, 5800000.0  # upper-left corner of the test scenes (UTM 33N, ~52.3N 15E)
RES = {"B01": 60, "B02": 10, "B03": 10, "B04": 10, "B05": 20, "B06": 20, "B07": 20, "B08": 10,
       "B8A": 20, "B09": 60, "B11": 20, "B12": 20, "SCL": 20}
ES_KEYS = {"B01": "coastal", "B02": "blue", "B03": "green", "B04": "red", "B05": "rededge1",
           "B06": "rededge2", "B07": "rededge3", "B08": "nir", "B8A": "nir08", "B09": "nir09",
           "B11": "swir16", "B12": "swir22", "SCL": "scl"}
COG_TYPE = "image/tiff; application=geotiff; profile=cloud-optimized"


def write_cog(path, array, crs, transform, nodata=0, block=64, descriptions=None):
    """A tiled, deflate-compressed COG (no overviews) through GDAL's COG driver."""
    import rasterio
    from rasterio.io import MemoryFile
    from rasterio.shutil import copy

    arr = array if array.ndim == 3 else array[None]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prof = dict(driver="GTiff", width=arr.shape[2], height=arr.shape[1], count=arr.shape[0],
                dtype=arr.dtype.name, crs=crs, transform=transform, nodata=nodata)
    with MemoryFile() as mem:
        with mem.open(**prof) as ds:
            ds.write(arr)
            for i, d in enumerate(descriptions or []):
                ds.set_band_description(i + 1, d)
        with mem.open() as ds:
            with rasterio.Env(GDAL_PAM_ENABLED="NO"):
                copy(ds, str(path), driver="COG", BLOCKSIZE=block, COMPRESS="DEFLATE",
                     OVERVIEWS="NONE")
    return path


def band_array(value, res, size_m, rng=None):
    """(n, n) uint16 for a band at ``res`` metres over ``size_m``: a constant,
    a callable f(rows, cols, res) or an array already at that size."""
    n = int(round(size_m / res))
    if callable(value):
        rows, cols = np.mgrid[0:n, 0:n]
        return np.asarray(value(rows, cols, res), dtype=np.uint16)
    arr = np.asarray(value)
    if arr.ndim == 0:
        return np.full((n, n), int(arr), dtype=np.uint16)
    return arr.astype(np.uint16)


def make_scene(root, base_url, item_id, when, cloud, baseline="03.01", values=None, scl=4,
               layout="earthsearch", bands=None, size_m=1280, block=64, offset_applied=None,
               x0=X0, y0=Y0, extra_props=None, crs=CRS, stored_offset=None):
    """Write one scene's COGs under ``root/scenes/<id>/`` and return its pystac Item.

    ``values``: band -> constant / callable / array of the *true* reflectance x
    10^4; the stored DN adds +1000 for baseline >= 04.00 unless
    ``offset_applied`` (Earth Search's flag), or ``stored_offset`` when given
    (a catalogue whose flag is wrong). ``scl``: constant or callable."""
    import pystac
    from affine import Affine
    from pystac.extensions.eo import EOExtension

    values = dict(values or {})
    bands = list(bands or values.keys() or ["B02", "B03", "B04"])
    if stored_offset is None:
        stored_offset = 1000 if (float(baseline) >= 4.0 and not offset_applied) else 0
    when = when if isinstance(when, dt.datetime) else dt.datetime.fromisoformat(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    folder = Path(root) / "scenes" / item_id
    from pyproj import Transformer

    t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    xs, ys = [x0, x0 + size_m, x0 + size_m, x0], [y0, y0, y0 - size_m, y0 - size_m]
    lon, lat = t.transform(xs, ys)
    ring = [[float(a), float(b)] for a, b in zip(lon, lat)] + [[float(lon[0]), float(lat[0])]]
    geom = {"type": "Polygon", "coordinates": [ring]}
    bbox = [min(lon), min(lat), max(lon), max(lat)]
    props = {"eo:cloud_cover": float(cloud), "s2:processing_baseline": baseline,
             "updated": "2024-02-01T00:00:00Z", "proj:epsg": int(crs.split(":")[1])}
    if layout == "earthsearch":
        props["earthsearch:boa_offset_applied"] = bool(offset_applied)
    props.update(extra_props or {})
    item = pystac.Item(item_id, geom, bbox, when, props)
    EOExtension.ext(item, add_if_missing=True)
    for band in bands + ["SCL"]:
        res = RES[band]
        src = scl if band == "SCL" else values.get(band, 1000)
        arr = band_array(src, res, size_m)
        if band != "SCL":
            arr = np.where(arr > 0, arr + stored_offset, 0).astype(np.uint16)
        key = ES_KEYS[band] if layout == "earthsearch" else band
        fname = f"{band}.tif"
        write_cog(folder / fname, arr, crs, Affine(res, 0, x0, 0, -res, y0), nodata=0,
                  block=min(block, 512) if arr.shape[0] >= 16 else 16)
        asset = pystac.Asset(f"{base_url}/scenes/{item_id}/{fname}", media_type=COG_TYPE,
                             roles=["data"])
        asset.extra_fields["eo:bands"] = [{"name": key if layout == "earthsearch" else band,
                                           "common_name": ES_KEYS[band]}]
        item.add_asset(key, asset)
    # Assets a reader must not pick for a band: a 3-band visual COG and JP2 copies.
    item.add_asset("visual", pystac.Asset(f"{base_url}/scenes/{item_id}/TCI.tif", media_type=COG_TYPE,
                                          extra_fields={"eo:bands": [{"name": "B04"}, {"name": "B03"},
                                                                     {"name": "B02"}]}))
    if layout == "earthsearch":
        for band in bands:
            item.add_asset(f"{ES_KEYS[band]}-jp2", pystac.Asset(
                f"{base_url}/scenes/{item_id}/{band}.jp2", media_type="image/jp2",
                extra_fields={"eo:bands": [{"name": ES_KEYS[band]}]}))
    item.collection_id = "sentinel-2-l2a"
    return item


def _parse_dt(s):
    from pystac.utils import str_to_datetime

    return None if s in ("", "..", None) else str_to_datetime(s)


class StacApi:
    """A STAC API over ``items``: landing page at ``prefix``, item search at
    ``prefix/search`` (GET and POST; collections, bbox, inclusive datetime
    ranges, the query extension, paging with a ``next`` token)."""

    CONFORMS = ["https://api.stacspec.org/v1.0.0/core", "https://api.stacspec.org/v1.0.0/item-search",
                "https://api.stacspec.org/v1.0.0/item-search#query"]

    def __init__(self, prefix="/stac", page_size=None):
        self.prefix = prefix
        self.items = []
        self.searches = []  # parameters of each search request
        self.page_size = page_size
        self.base_url = None

    def routes(self):
        return {self.prefix: self._handle}

    def _landing(self):
        import pystac

        cat = pystac.Catalog("test-stac", "STAC API on 127.0.0.1")
        d = cat.to_dict(include_self_link=False)
        url = self.base_url + self.prefix
        d["conformsTo"] = self.CONFORMS
        d["links"] = [
            {"rel": "self", "href": url, "type": "application/json"},
            {"rel": "root", "href": url, "type": "application/json"},
            {"rel": "search", "href": url + "/search", "type": "application/geo+json", "method": "GET"},
            {"rel": "search", "href": url + "/search", "type": "application/geo+json", "method": "POST"},
        ]
        return d

    def _params(self, h, query):
        if h.command == "POST":
            n = int(h.headers.get("Content-Length") or 0)
            return json.loads(h.rfile.read(n) or b"{}")
        q = {k: v[0] for k, v in parse_qs(query).items()}
        if "bbox" in q:
            q["bbox"] = [float(v) for v in q["bbox"].split(",")]
        if "collections" in q:
            q["collections"] = q["collections"].split(",")
        for k in ("query", "intersects"):
            if k in q:
                q[k] = json.loads(q[k])
        return q

    def match(self, item, p):
        if p.get("collections") and item.collection_id not in p["collections"]:
            return False
        if p.get("bbox"):
            a, b = p["bbox"], item.bbox
            if a[0] > b[2] or a[2] < b[0] or a[1] > b[3] or a[3] < b[1]:
                return False
        if p.get("datetime"):
            parts = str(p["datetime"]).split("/")
            lo, hi = (_parse_dt(parts[0]), _parse_dt(parts[-1])) if len(parts) == 2 else (
                _parse_dt(parts[0]), _parse_dt(parts[0]))
            if (lo and item.datetime < lo) or (hi and item.datetime > hi):  # inclusive, as STAC says
                return False
        ops = {"lte": lambda x, y: x <= y, "lt": lambda x, y: x < y, "gte": lambda x, y: x >= y,
               "gt": lambda x, y: x > y, "eq": lambda x, y: x == y}
        for prop, conds in (p.get("query") or {}).items():
            v = item.properties.get(prop)
            if any(v is None or not ops[op](v, ref) for op, ref in conds.items()):
                return False
        return True

    def _search(self, h, query):
        p = self._params(h, query)
        self.searches.append(dict(p, method=h.command))
        hits = [it for it in self.items if self.match(it, p)]
        limit = int(p.get("limit") or 10)
        if self.page_size:
            limit = min(limit, self.page_size)
        start = int(p.get("next") or p.get("token") or 0)
        page = hits[start:start + limit]
        body = {"type": "FeatureCollection", "features": [it.to_dict(include_self_link=False) for it in page],
                "numberMatched": len(hits), "numberReturned": len(page), "links": []}
        if start + limit < len(hits):
            url = self.base_url + self.prefix + "/search"
            if h.command == "POST":
                nxt = {k: v for k, v in p.items() if k != "method"}
                nxt["next"] = str(start + limit)
                body["links"].append({"rel": "next", "href": url, "method": "POST", "body": nxt,
                                      "type": "application/geo+json"})
            else:
                from urllib.parse import urlencode

                q = {k: v[0] for k, v in parse_qs(query).items()}
                q["next"] = str(start + limit)
                body["links"].append({"rel": "next", "href": url + "?" + urlencode(q),
                                      "type": "application/geo+json"})
        return body

    def _handle(self, h, path, query):
        rest = path[len(self.prefix):].strip("/")
        if rest == "":
            body = self._landing()
        elif rest == "search":
            body = self._search(h, query)
        elif rest == "conformance":
            body = {"conformsTo": self.CONFORMS}
        else:
            return None
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def serve_stac(loopback, root, page_size=None):
    """Start a loopback server on ``root`` with a STAC API at /stac."""
    api = StacApi(page_size=page_size)
    srv = loopback(root, api.routes())
    api.base_url = srv.url
    return srv, api


def roi_for(offset_m=(640.0, 640.0), buffer_m=300.0):
    """A PointBuffer inside the test scenes, ``offset_m`` (x, y) from their corner."""
    from pyproj import Transformer

    from rs_embed_qgis.embedders.specs import PointBuffer

    x, y = X0 + offset_m[0], Y0 - offset_m[1]
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(x, y)
    return PointBuffer(lon, lat, buffer_m)


def ee_offline(monkeypatch, project="rs-embed-test"):
    """Initialise the real ``ee`` package without a network: its bundled
    algorithm list (ee/tests/algorithms.json) instead of the server's, as the
    package's own ApiTestCase does. Nothing else of ``ee`` is replaced;
    computePixels stays behind earthengine._compute_pixels_call."""
    import ee
    from ee import apitestcase

    ee.Reset()
    monkeypatch.setattr(ee.data, "_install_cloud_api_resource", lambda: None)
    monkeypatch.setattr(ee.data, "getAlgorithms", apitestcase.GetAlgorithms)
    monkeypatch.setattr(ee.deprecation, "_FetchDataCatalogStac", lambda: {})
    ee.Initialize(None, "", project=project)
    return ee


def ee_reply(fields):
    """A computePixels NUMPY_NDARRAY reply as the client decodes it: a
    structured (H, W) array, one float32 field per band, sent as .npy bytes."""
    import io

    from ee.image_converter import NumPyConverter

    names = list(fields)
    h, w = np.shape(fields[names[0]])
    arr = np.zeros((h, w), dtype=[(n, "<f4") for n in names])
    for n in names:
        arr[n] = fields[n]
    buf = io.BytesIO()
    np.save(buf, arr)
    return NumPyConverter().do_conversion(buf.getvalue())
