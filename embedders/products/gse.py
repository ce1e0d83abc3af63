"""Google Satellite Embedding (AlphaEarth Foundations): annual, 64 dims, 10 m.

Two routes behind one model id, chosen by ``backend``:

* ``gee``: Earth Engine ``ImageCollection('GOOGLE/SATELLITE_EMBEDDING/V1/ANNUAL')``
  for the year, mosaicked, fetched with ``computePixels`` on the ROI's local
  UTM grid at 10 m (through :mod:`..earthengine`; needs a project).
* ``cog``: the public COG copy on Source Cooperative (``tge-labs/aef``), no
  account: the files come from the index GeoParquet ``aef_index.parquet``
  (cached), and only the windows the ROI needs are read over HTTP range
  requests (GDAL ``/vsicurl/``). The COGs are stored bottom-up (positive y
  resolution); values are int8, de-quantised as ``(v/127.5)**2 * sign(v)``,
  ``-128`` = no data -> NaN. Base URL: ``RS_EMBED_AEF_URL`` (default
  https://data.source.coop/tge-labs/aef/v1/annual; the index is
  ``<base>/aef_index.parquet`` and file paths after ``v1/annual/`` are joined to it).
* ``auto``: ``gee`` when an Earth Engine project is configured, else ``cog``.

The grid is the product's own UTM 10 m grid when the ROI lies in one zone (no
resampling, north-up); files of another zone are resampled (nearest) onto it.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import numpy as np

from ..base import Embedder
from ..embedding import Embedding, make_grid
from ..errors import DataUnavailableError, DownloadError, RSEmbedError, SpecError
from ..geo import RasterGrid, crs_string, roi_bounds_in, roi_utm_epsg, transform_bounds
from ..progress import NULL_PROGRESS
from ..registry import register

COLLECTION = "GOOGLE/SATELLITE_EMBEDDING/V1/ANNUAL"
BANDS = tuple(f"A{i:02d}" for i in range(64))
RES = 10.0
NODATA = -128
GEE_YEARS = tuple(range(2017, 2026))
AEF_URL = "https://data.source.coop/tge-labs/aef/v1/annual"
AEF_URL_ENV = "RS_EMBED_AEF_URL"
INDEX_NAME = "aef_index.parquet"
INDEX_MAX_AGE_S = 30 * 24 * 3600   # refreshed monthly, or sooner when a year is missing
INDEX_COLUMNS = ("path", "year", "crs", "wgs84_west", "wgs84_south", "wgs84_east", "wgs84_north")

# GDAL settings for reading only the needed byte ranges of remote COGs.
GDAL_HTTP_ENV = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif,.tiff,.TIF,.TIFF",
    "GDAL_HTTP_MULTIRANGE": "YES",
    "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES": "YES",
    "GDAL_HTTP_MAX_RETRY": "4",
    "GDAL_HTTP_RETRY_DELAY": "1",
    "GDAL_HTTP_TIMEOUT": "60",
    "VSI_CACHE": "TRUE",
}


def _dequantize_table() -> np.ndarray:
    v = np.arange(256, dtype=np.uint8).view(np.int8).astype(np.float64)
    table = (v / 127.5) ** 2 * np.sign(v)
    table[v == NODATA] = np.nan
    return table.astype(np.float32)


_DEQUANTIZE = _dequantize_table()


def dequantize(raw: np.ndarray, out=None) -> np.ndarray:
    """int8 AEF values -> float32 ``(v/127.5)**2 * sign(v)`` in [-1, 1]; -128 (no data) -> NaN."""
    idx = np.asarray(raw, dtype=np.int8).view(np.uint8)
    return np.take(_DEQUANTIZE, idx, out=out, mode="wrap")  # a 256-entry table: one pass


def annual_year(request, model_id: str) -> int:
    t = request.temporal
    if t is None:
        raise SpecError(f"{model_id} is an annual product: give a year, e.g. TemporalSpec.year(2024).")
    years = t.years()
    if len(years) != 1:
        raise SpecError(f"{model_id} is an annual product and the time window {t} spans the years "
                        f"{years[0]}-{years[-1]}: give one year, e.g. TemporalSpec.year({years[-1]}).")
    return years[0]


# --------------------------------------------------------------------------
# COG route: index

def aef_base_url() -> str:
    return (os.environ.get(AEF_URL_ENV) or AEF_URL).rstrip("/")


def file_url(path: str, base: str) -> str:
    """HTTP URL of an index ``path`` (``s3://.../tge-labs/aef/v1/annual/2024/31N/x.tiff``)."""
    marker = "v1/annual/"
    if marker in path:
        return f"{base}/{path.split(marker, 1)[1]}"
    if "://" in path:
        return path
    return f"{base}/{path.lstrip('/')}"


_index_lock = threading.Lock()
_index_memo: dict = {}


def _download(url: str, dest: Path, progress=NULL_PROGRESS, config=None):
    """A fresh copy of ``url`` at ``dest``, through the shared verified
    download (retries, stall timeout, deadline, cancel, lock between processes)."""
    from ..download import download_verified

    fresh = dest.with_name(dest.name + ".new")
    fresh.unlink(missing_ok=True)
    download_verified(url, fresh, None, progress, config=config,
                      hint=f"Check the internet connection (or {AEF_URL_ENV}).")
    os.replace(fresh, dest)


def index_path(config) -> Path:
    base = aef_base_url()
    tag = hashlib.sha1(base.encode()).hexdigest()[:10]
    return config.sub_cache("gse_aef") / f"aef_index_{tag}.parquet"


def load_index(config, progress=NULL_PROGRESS, max_age_s: float = INDEX_MAX_AGE_S):
    """The AEF index as a pandas DataFrame (cached; downloaded when older than ``max_age_s``)."""
    import pandas as pd
    import pyarrow.parquet as pq

    path = index_path(config)
    url = f"{aef_base_url()}/{INDEX_NAME}"
    with _index_lock:
        stale = not path.exists() or time.time() - path.stat().st_mtime > max_age_s
        if stale:
            progress.info(f"Downloading the AlphaEarth COG index {url}")
            try:
                _download(url, path, progress, config)
            except DownloadError as exc:
                if not path.exists():
                    raise
                progress.info(f"{exc} Using the cached index from {time.ctime(path.stat().st_mtime)}.")
        key = (str(path), path.stat().st_mtime_ns)
        if key not in _index_memo:
            names = set(pq.read_schema(path).names)
            missing = [c for c in INDEX_COLUMNS if c not in names]
            if missing:
                raise DataUnavailableError(f"The AlphaEarth index {url} lacks the columns {missing}.")
            cols = list(INDEX_COLUMNS) + [c for c in ("utm_west", "utm_south") if c in names]
            df = pd.read_parquet(path, columns=cols)
            df["year"] = df["year"].astype(int)
            _index_memo.clear()
            _index_memo[key] = df
        return _index_memo[key]


# --------------------------------------------------------------------------
# COG route: reading windows

def _file_bounds(ds):
    t = ds.transform
    x0, x1 = t.c, t.c + t.a * ds.width
    ya, yb = t.f, t.f + t.e * ds.height
    return min(x0, x1), min(ya, yb), max(x0, x1), max(ya, yb)


def _window_for(ds, bounds):
    """File window (col0, row0, w, h) covering ``bounds`` (clipped), or None."""
    t = ds.transform
    fx0, fy0, fx1, fy1 = _file_bounds(ds)
    x0, y0 = max(bounds[0], fx0), max(bounds[1], fy0)
    x1, y1 = min(bounds[2], fx1), min(bounds[3], fy1)
    if x0 >= x1 or y0 >= y1:
        return None
    c0 = int(np.floor((x0 - t.c) / t.a + 1e-6))
    c1 = int(np.ceil((x1 - t.c) / t.a - 1e-6))
    ra, rb = (y0 - t.f) / t.e, (y1 - t.f) / t.e  # bottom-up: ra < rb
    r0 = int(np.floor(min(ra, rb) + 1e-6))
    r1 = int(np.ceil(max(ra, rb) - 1e-6))
    c0, r0 = max(c0, 0), max(r0, 0)
    c1, r1 = min(c1, ds.width), min(r1, ds.height)
    return (c0, r0, c1 - c0, r1 - r0) if c1 > c0 and r1 > r0 else None


def _read_north_up(ds, win):
    """Read a file window as north-up int8 (64, h, w) and its north-up transform."""
    from affine import Affine
    from rasterio.windows import Window

    c0, r0, w, h = win
    data = ds.read(window=Window(c0, r0, w, h))
    t = ds.transform
    if t.e > 0:  # bottom-up storage: row 0 is the southern edge
        data = np.ascontiguousarray(data[:, ::-1, :])
        top = t.f + t.e * (r0 + h)
    else:
        top = t.f + t.e * r0
    return data, Affine(abs(t.a), 0.0, t.c + t.a * c0, 0.0, -abs(t.e), top)


def _aligned(ds, grid: RasterGrid) -> bool:
    t, g = ds.transform, grid.transform
    if crs_string(ds.crs) != grid.crs or t.b or t.d:
        return False
    if abs(abs(t.a) - g.a) > 1e-9 or abs(abs(t.e) + g.e) > 1e-9:
        return False
    fx = (t.c - g.c) / g.a
    fy = (t.f - g.f) / g.e
    return abs(fx - round(fx)) < 1e-6 and abs(fy - round(fy)) < 1e-6


def _read_file_into(url: str, grid: RasterGrid, out: np.ndarray, filled: np.ndarray) -> dict:
    """Read the part of one COG that ``grid`` needs into ``out`` where no file
    has filled it yet (``filled``, H x W). Returns what was done (for the meta)."""
    import rasterio
    from rasterio.warp import Resampling, reproject

    with rasterio.Env(**GDAL_HTTP_ENV), rasterio.open(f"/vsicurl/{url}") as ds:
        if ds.count != len(BANDS):
            raise DataUnavailableError(f"{url} has {ds.count} bands, expected {len(BANDS)}.")
        if _aligned(ds, grid):
            win = _window_for(ds, grid.bounds)
            if win is None:
                return {"url": url, "read": False}
            raw, t = _read_north_up(ds, win)
            c = int(round((t.c - grid.transform.c) / grid.transform.a))
            r = int(round((t.f - grid.transform.f) / grid.transform.e))
            h, w = raw.shape[1:]
            empty = ~filled[r:r + h, c:c + w]
            if empty.all():
                dequantize(raw, out=out[:, r:r + h, c:c + w])
            else:
                out[:, r:r + h, c:c + w][:, empty] = dequantize(raw[:, empty])
            filled[r:r + h, c:c + w] |= raw[0] != NODATA
            return {"url": url, "read": True, "window": list(win), "resampled": False}
        src_bounds = transform_bounds(grid.crs, ds.crs, grid.bounds)
        pad = 2 * abs(ds.transform.a)
        win = _window_for(ds, (src_bounds[0] - pad, src_bounds[1] - pad,
                               src_bounds[2] + pad, src_bounds[3] + pad))
        if win is None:
            return {"url": url, "read": False}
        raw, t = _read_north_up(ds, win)
        src = dequantize(raw)
        dst = np.full(out.shape, np.nan, np.float32)
        reproject(src, dst, src_transform=t, src_crs=ds.crs, src_nodata=np.nan,
                  dst_transform=grid.transform, dst_crs=grid.crs, dst_nodata=np.nan,
                  resampling=Resampling.nearest)
        empty = ~filled & np.isfinite(dst[0])
        out[:, empty] = dst[:, empty]
        filled |= empty
        return {"url": url, "read": True, "window": list(win), "resampled": True}


def _snapped_grid(crs: str, bounds, origin) -> RasterGrid:
    """Grid of 10 m pixels covering ``bounds`` on the lattice through ``origin``."""
    ox, oy = origin
    g = RasterGrid.from_bounds(crs, (bounds[0] - ox, bounds[1] - oy, bounds[2] - ox, bounds[3] - oy), RES)
    from affine import Affine

    t = g.transform
    return RasterGrid(g.crs, Affine(t.a, 0.0, t.c + ox, 0.0, t.e, t.f + oy), g.width, g.height)


def _product_lattice(proj, fallback_crs):
    """(crs, origin) of the product's 10 m lattice from an Earth Engine
    projection ``{"crs": "EPSG:326nn", "transform": [10, 0, x0, 0, -10, y0]}``."""
    try:
        crs = crs_string(proj["crs"])
        t = [float(v) for v in proj["transform"]]
        if abs(abs(t[0]) - RES) > 1e-6 or abs(abs(t[4]) - RES) > 1e-6 or t[1] or t[3]:
            raise ValueError(f"not a north-up {RES:g} m grid: {t}")
        return crs, (t[2] % RES, t[5] % RES)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise DataUnavailableError(
            f"Earth Engine returned an unexpected projection for {COLLECTION} ({proj!r}: {exc}).") from exc


def _target_crs(rows, spatial) -> str:
    """The ROI's UTM zone when the product has files in it, else the zone of
    the file holding the ROI centre."""
    crss = [crs_string(c) for c in rows["crs"]]
    local = f"EPSG:{roi_utm_epsg(spatial)}"
    if local in crss:
        return local
    lon, lat = spatial.center
    for crs, (_, r) in zip(crss, rows.iterrows()):
        if r.wgs84_west <= lon <= r.wgs84_east and r.wgs84_south <= lat <= r.wgs84_north:
            return crs
    return crss[0]


# --------------------------------------------------------------------------
# The model

@register
class GoogleSatelliteEmbedding(Embedder):
    model_id = "gse_annual"
    aliases = ("gse", "alphaearth", "google_satellite_embedding", "aef", "satellite_embedding")
    kind = "precomputed"
    title = "Google Satellite Embedding (AlphaEarth Foundations), annual"
    dim = 64
    resolution = "10 m"
    temporal_coverage = "annual, 2017-2025 on Earth Engine; 2018-2024 on the public COG copy"
    backends = ("auto", "gee", "cog")
    product_version = "GOOGLE/SATELLITE_EMBEDDING/V1/ANNUAL"
    notes = ("Unit-length 64-d vectors at 10 m. backend 'gee' needs an Earth Engine project; "
             "'cog' reads the public Source Cooperative copy (tge-labs/aef) without an account; "
             "'auto' uses Earth Engine when a project is set, else the COG copy.")

    @classmethod
    def describe_extra(cls) -> dict:
        return {"backend_help": {
            "auto": "Earth Engine when an Earth Engine project is set, else the public COG copy",
            "gee": "Earth Engine (needs `earthengine authenticate` and a project)",
            "cog": "public COG copy on Source Cooperative, no account (years 2018-2024)",
        }}

    def route(self, request) -> str:
        backend = self.check_backend(request.backend)
        if backend == "auto":
            return "gee" if (request.config.ee_project or "").strip() else "cog"
        return backend

    def fetch_grid(self, request) -> Embedding:
        year = annual_year(request, self.model_id)
        route = self.route(request)
        fetch = self._from_gee if route == "gee" else self._from_cog
        data, grid, extra = fetch(request, year)
        if not np.isfinite(data[0]).any():
            raise DataUnavailableError(
                f"The Google Satellite Embedding has no data over the ROI in {year} "
                f"(backend {route!r}); the area may lie outside its coverage (open ocean).")
        meta = self.base_meta(request)
        meta.update({"backend": route, "backend_requested": request.backend, "year": year,
                     "crs": grid.crs, "resolution_m": RES, "grid_shape": [int(x) for x in data.shape]})
        meta.update(extra)
        return Embedding(make_grid(data, grid.crs, grid.transform, BANDS), meta)

    # ---- Earth Engine
    def _gee_plan(self, request, year):
        """(grid on the product's own lattice, build(ee) of the mosaic)."""
        from .. import earthengine

        if year not in GEE_YEARS:
            raise DataUnavailableError(
                f"The Google Satellite Embedding on Earth Engine has no year {year}; "
                f"available years: {GEE_YEARS[0]}-{GEE_YEARS[-1]}.")
        lon0, lat0, lon1, lat1 = request.spatial.bounds_4326()
        lon_c, lat_c = request.spatial.center

        def year_images(ee):
            return ee.ImageCollection(COLLECTION).filterDate(f"{year}-01-01", f"{year + 1}-01-01")

        def build(ee):
            region = ee.Geometry.Rectangle([lon0, lat0, lon1, lat1], "EPSG:4326", False)
            return year_images(ee).filterBounds(region).mosaic().select(list(BANDS))

        # The product's own grid (the image under the ROI centre): requesting
        # pixels on its lattice means Earth Engine never resamples them.
        proj = earthengine.get_value(
            lambda ee: year_images(ee).filterBounds(ee.Geometry.Point([lon_c, lat_c])).first()
            .select(0).projection(), config=request.config)
        crs, origin = _product_lattice(proj, f"EPSG:{roi_utm_epsg(request.spatial)}")
        return _snapped_grid(crs, roi_bounds_in(request.spatial, crs), origin), build

    def _gee_fill(self, request, build, grid, progress):
        from .. import earthengine

        data = earthengine.compute_pixels(build, grid, BANDS, progress=progress, config=request.config)
        return data, {"source": f"Earth Engine {COLLECTION}",
                      "ee_project": earthengine.project_id(request.config)}

    def _from_gee(self, request, year):
        grid, build = self._gee_plan(request, year)
        data, extra = self._gee_fill(request, build, grid, request.progress)
        return data, grid, extra

    # ---- public COG copy
    def _cog_plan(self, request, year):
        """(grid on the files' lattice, their URLs, files of the target zone first)."""
        prog = request.progress
        index = load_index(request.config, prog.sub(0.0, 0.1))
        if year not in set(index["year"]):  # a newly published year? refresh a day-old index
            index = load_index(request.config, prog.sub(0.0, 0.1), max_age_s=24 * 3600)
        years = sorted(set(int(y) for y in index["year"].unique()))
        if year not in years:
            raise DataUnavailableError(
                f"The AlphaEarth COG copy has no year {year}; available years: "
                f"{', '.join(map(str, years))}. (Earth Engine has 2017-2025: set an Earth Engine "
                f"project and use backend 'gee'.)")
        lon0, lat0, lon1, lat1 = request.spatial.bounds_4326()
        rows = index[(index["year"] == year) & (index["wgs84_west"] < lon1) & (index["wgs84_east"] > lon0)
                     & (index["wgs84_south"] < lat1) & (index["wgs84_north"] > lat0)]
        if rows.empty:
            raise DataUnavailableError(
                f"No AlphaEarth COG covers the ROI in {year} (outside the product's coverage).")
        crs = _target_crs(rows, request.spatial)
        same = rows[[crs_string(c) == crs for c in rows["crs"]]]
        origin = (0.0, 0.0)
        if "utm_west" in rows and len(same):
            origin = (float(same.iloc[0]["utm_west"]) % RES, float(same.iloc[0]["utm_south"]) % RES)
        grid = _snapped_grid(crs, roi_bounds_in(request.spatial, crs), origin)
        # files in the target zone first: their pixels win, others only fill gaps
        ordered = list(same["path"]) + [p for p in rows["path"] if p not in set(same["path"])]
        base = aef_base_url()
        return grid, [file_url(p, base) for p in ordered], base

    @staticmethod
    def _cog_fill(urls, base, grid, progress):
        out = np.full((len(BANDS), grid.height, grid.width), np.nan, np.float32)
        filled = np.zeros(grid.shape, bool)
        reads = []
        for i, url in enumerate(urls):  # in order: files of the target zone win
            progress.update(i / len(urls), f"Reading {url.rsplit('/', 1)[-1]}")
            try:
                reads.append(_read_file_into(url, grid, out, filled))
            except RSEmbedError:
                raise
            except Exception as exc:  # rasterio / HTTP errors
                raise DownloadError(f"Could not read the AlphaEarth COG {url}: {exc}") from exc
        progress.update(1.0)
        used = [r for r in reads if r.get("read")]
        return out, {
            "source": f"Source Cooperative tge-labs/aef COGs ({base})",
            "files": [r["url"] for r in used],
            "windows": [r["window"] for r in used],
            "resampled": any(r["resampled"] for r in used),
            "dequantization": "(v/127.5)**2 * sign(v); -128 = no data",
        }

    def _from_cog(self, request, year):
        grid, urls, base = self._cog_plan(request, year)
        out, extra = self._cog_fill(urls, base, grid, request.progress.sub(0.1, 1.0))
        return out, grid, extra

    # ---- chunked runs (embedders/chunks.py): any extent in bounded memory
    def plan_grid(self, request):
        from ..chunks import GridPlan, chunk_side

        year = annual_year(request, self.model_id)
        route = self.route(request)
        if route == "gee":
            grid, _build = self._gee_plan(request, year)
            meta = {"year": year, "route": route}
        else:
            grid, urls, base = self._cog_plan(request, year)
            meta = {"year": year, "route": route, "urls": urls, "base": base}
        return GridPlan(self.model_id, grid.crs, tuple(grid.transform)[:6], grid.width, grid.height,
                        len(BANDS), list(BANDS), chunk_side(len(BANDS)), meta=meta)

    def compute_chunk(self, request, plan, window):
        """One window of the grid: the files' pixels read for that window
        (COG), or one computePixels request set for it (Earth Engine)."""
        from ..chunks import ChunkResult
        from ..progress import NULL_PROGRESS

        g = plan.window_grid(window)
        if plan.meta["route"] == "gee":
            _grid, build = self._gee_plan(request, plan.meta["year"])
            data, extra = self._gee_fill(request, build, g, NULL_PROGRESS)
        else:
            data, extra = self._cog_fill(plan.meta["urls"], plan.meta["base"], g, NULL_PROGRESS)
        return ChunkResult(window, data, extra)

    def chunked_meta(self, request, plan, chunk_metas, coverage) -> dict:
        meta = self.base_meta(request)
        files = sorted({f for c in chunk_metas for f in c.get("files", [])})
        first = next((c for c in chunk_metas if c), {})
        meta.update({"backend": plan.meta["route"], "backend_requested": request.backend,
                     "year": plan.meta["year"], "crs": plan.crs, "resolution_m": RES,
                     "grid_shape": [plan.dim, plan.height, plan.width], "coverage_fraction": coverage})
        meta.update({k: v for k, v in first.items() if k not in ("files", "windows", "resampled")})
        if plan.meta["route"] == "cog":
            meta.update(files=files, resampled=any(c.get("resampled") for c in chunk_metas))
        return meta
