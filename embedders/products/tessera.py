"""Tessera: precomputed 128-D annual embeddings at 10 m, dataset v1.1 (NPY
variant ``v1.1-cam``), fetched and dequantised by geotessera 0.11.

* Downloads: geotessera's registry (If-Modified-Since refresh, MD5 ETag check,
  atomic writes) into ``<cache>/tessera/registry`` (parquet registries) and
  ``<cache>/tessera/tiles`` (its ``embeddings_dir``; never the current
  directory). Each tile is fetched once.
* Grid: the UTM zone (Tessera's rule, the zone of the longitude) of the ROI
  centre, on the tiles' own pixel lattice. Tiles of that zone are copied with no
  resampling: every value is geotessera's ``int8 * scale`` at that tile pixel.
  Tiles of other zones are reprojected by nearest neighbour, and the metadata
  says so (``resampled``, ``crs_note``). See ``tessera_mosaic`` for the rules.
  The lattice is ``floor(x / res) * res`` as in geotessera's zarr builder: the
  v1.1 landmask transforms carry the unsnapped corner, so geotessera's NPY
  GeoTIFF export and point sampling sit up to one pixel (10 m) off it.
* Tiles: only those whose 0.1° cell overlaps the grid and still has empty
  pixels are downloaded, nearest the ROI centre first (first valid vector wins).
* Memory: tiles are memory-mapped and dequantised strip by strip straight into
  the output array.

Settings (environment variable, or ``get_embedding(..., tessera_url=...)`` etc.):

| option                  | environment variable             | meaning |
| tessera_url             | RS_EMBED_TESSERA_URL             | base URL of a Tessera mirror holding ``npy/`` and ``landmasks/`` (default: geotessera's, https://data.source.coop/tessera/tessera) |
| tessera_landmasks_url   | RS_EMBED_TESSERA_LANDMASKS_URL   | the ``landmasks`` root, when it lives elsewhere |
| tessera_registry_dir    | RS_EMBED_TESSERA_REGISTRY_DIR    | local folder with ``manifest.parquet`` and ``landmasks.parquet`` (no registry download) |
| tessera_tiles_dir       | RS_EMBED_TESSERA_TILES_DIR       | tile folder in geotessera's layout (e.g. from ``geotessera download``) instead of ``<cache>/tessera/tiles`` |
"""
from __future__ import annotations

import contextlib
import math
import os
import threading
from pathlib import Path

import numpy as np

from ..base import Embedder, EmbedRequest
from ..download import check_cached, forget_cached
from ..embedding import Embedding, make_grid
from ..errors import DataUnavailableError, DownloadError, RSEmbedError, SpecError
from ..packages import require
from ..redact import redact, redact_logs
from ..registry import register

DATASET_VERSION = "v1.1"
DATASET_VARIANT = "cambridge"
DATASET_DIR = "v1.1-cam"
DIM = 128
SCOPE_MARGIN_DEG = 0.5    # registry rows loaded around the ROI (a batch reuses them nearby)
SEARCH_MARGIN_DEG = 3.0   # how far the "what is available" search looks
SETTINGS = {
    "url": "RS_EMBED_TESSERA_URL",
    "landmasks_url": "RS_EMBED_TESSERA_LANDMASKS_URL",
    "registry_dir": "RS_EMBED_TESSERA_REGISTRY_DIR",
    "tiles_dir": "RS_EMBED_TESSERA_TILES_DIR",
}
_URL_LOCK = threading.RLock()  # geotessera reads its mirror URLs from module globals


def tessera_epsg(lon: float, lat: float) -> int:
    """UTM EPSG code Tessera uses for a tile centred at (lon, lat)."""
    zone = max(1, min(60, int(math.floor((lon + 180.0) / 6.0)) + 1))
    return (32700 if lat < 0 else 32600) + zone


def grid_name(lon, lat) -> str:
    return f"grid_{lon:.2f}_{lat:.2f}"


def tessera_settings(request: EmbedRequest) -> dict:
    """Where data comes from and goes: options, then environment, then defaults."""
    s = {}
    for key, env in SETTINGS.items():
        v = request.options.get(f"tessera_{key}") or os.environ.get(env) or None
        s[key] = str(v).strip() if v else None
    cache = request.config.sub_cache("tessera")
    s["registry_cache"] = cache / "registry"
    s["tiles_dir"] = Path(s["tiles_dir"]).expanduser() if s["tiles_dir"] else cache / "tiles"
    if s["registry_dir"] and not (Path(s["registry_dir"]) / "manifest.parquet").is_file():
        raise SpecError(f"{SETTINGS['registry_dir']}={s['registry_dir']} has no manifest.parquet; "
                        "point it at a folder holding manifest.parquet and landmasks.parquet, or unset it.")
    return s


@contextlib.contextmanager
def mirror(settings: dict):
    """Point geotessera's module-level mirror URLs at the configured mirror."""
    import geotessera.registry as reg

    redact_logs("geotessera.core", "geotessera.registry", "urllib3.connectionpool")
    with _URL_LOCK:
        saved = reg.TESSERA_NPY_MIRROR_URL, reg.TESSERA_LANDMASKS_MIRROR_URL
        if settings.get("url"):
            base = settings["url"].rstrip("/")
            reg.TESSERA_NPY_MIRROR_URL, reg.TESSERA_LANDMASKS_MIRROR_URL = f"{base}/npy", f"{base}/landmasks"
        if settings.get("landmasks_url"):
            reg.TESSERA_LANDMASKS_MIRROR_URL = settings["landmasks_url"].rstrip("/")
        try:
            yield reg
        finally:
            reg.TESSERA_NPY_MIRROR_URL, reg.TESSERA_LANDMASKS_MIRROR_URL = saved


def open_client(settings: dict, bounds, margin: float):
    """A GeoTessera client holding the registry rows near ``bounds``; None when there are none."""
    from geotessera import GeoTessera
    import geotessera.registry as reg

    kw = dict(dataset_version=DATASET_VERSION, dataset_variant=DATASET_VARIANT,
              cache_dir=str(settings["registry_cache"]), embeddings_dir=str(settings["tiles_dir"]),
              bbox=tuple(bounds), bbox_margin_deg=margin)
    if settings.get("registry_dir"):
        kw["registry_dir"] = settings["registry_dir"]
    try:
        return GeoTessera(**kw)
    except ValueError as e:
        if "no tiles within bbox" in str(e):
            return None
        raise DownloadError(redact(f"The Tessera registry could not be read: {e}")) from None
    except RuntimeError as e:
        raise DownloadError(redact(
            f"Could not download the Tessera registry from {reg.manifest_url(DATASET_DIR)}: {e}. "
            f"Check the internet connection or proxy, or set {SETTINGS['url']} (a mirror) or "
            f"{SETTINGS['registry_dir']} (local registry files).")) from None


def _tile_box(lon, lat, crs, n=8):
    from shapely.geometry import Polygon

    from ..geo import transformer

    t = np.linspace(-0.05, 0.05, n + 1)
    lons = np.concatenate([lon + t, np.full(n + 1, lon + 0.05), lon - t, np.full(n + 1, lon - 0.05)])
    lats = np.concatenate([np.full(n + 1, lat - 0.05), lat + t, np.full(n + 1, lat + 0.05), lat - t])
    xs, ys = transformer("EPSG:4326", crs).transform(lons, lats)
    return Polygon(zip(xs, ys))


def tiles_over(registry, bounds_4326, rect, crs, year):
    """(lon, lat) of the year's tiles whose 0.1° cell overlaps ``rect`` (in ``crs``)."""
    from shapely.geometry import box

    r = box(*rect)
    found = {(lon, lat) for _, lon, lat in registry.load_blocks_for_region(bounds_4326, year)}
    return sorted(t for t in found if _tile_box(t[0], t[1], crs).intersection(r).area > 0)


def _needed(out, grid, tile) -> bool:
    """Whether the tile's 0.1° cell still has empty output pixels."""
    x0, y0, x1, y1 = _tile_box(tile[0], tile[1], grid.crs).bounds
    t = grid.transform
    c0, c1 = max(0, math.floor((x0 - t.c) / t.a) - 1), min(grid.width, math.ceil((x1 - t.c) / t.a) + 1)
    r0, r1 = max(0, math.floor((t.f - y1) / -t.e) - 1), min(grid.height, math.ceil((t.f - y0) / -t.e) + 1)
    return r0 < r1 and c0 < c1 and bool(np.isnan(out[0, r0:r1, c0:c1]).any())


def _km(lon1, lat1, lon2, lat2):
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0 * math.acos(max(-1.0, min(1.0, c)))


@register
class TesseraEmbedder(Embedder):
    model_id = "tessera"
    aliases = ("geotessera", "tessera_v1.1")
    kind = "precomputed"
    title = "Tessera (geotessera) annual embeddings"
    dim = DIM
    resolution = "10 m, native UTM grid of each tile"
    temporal_coverage = "annual, 2017-2025 (not every year everywhere)"
    requires = ("geotessera", "rasterio", "pyproj", "geopandas", "shapely")
    product_version = f"tessera v1.1 ({DATASET_DIR})"
    notes = ("0.1° tiles in their local UTM zone, int8 * per-pixel scale; NaN where there is no "
             "embedding. Needs a year (TemporalSpec.year). Tiles are cached under <cache>/tessera.")

    def fetch_grid(self, request: EmbedRequest) -> Embedding:
        year = _year(request.temporal)
        if request.output.scale_m is not None:
            raise SpecError("Tessera comes on its native 10 m grid; leave OutputSpec.grid(scale_m=...) unset.")
        require("geotessera", "geotessera", "Tessera embeddings")
        settings = tessera_settings(request)
        with mirror(settings):
            return _Mosaic(request, settings, year, self._client).run(self.base_meta(request))

    # ---- chunked runs (embedders/chunks.py) ----------------------------
    def plan_grid(self, request):
        """The output grid and the tiles that cover it, before any tile is fetched."""
        from ..chunks import GridPlan, chunk_side

        year = _year(request.temporal)
        require("geotessera", "geotessera", "Tessera embeddings")
        settings = tessera_settings(request)
        with mirror(settings):
            m = _Mosaic(request, settings, year, self._client)
            gt, tiles, res, grid = m.tiles_and_grid()
        return GridPlan(self.model_id, grid.crs, tuple(grid.transform)[:6], grid.width, grid.height, DIM,
                        [f"tessera_{i:03d}" for i in range(DIM)], chunk_side(DIM),
                        meta={"year": year, "res": res, "tiles": [list(t) for t in tiles]},
                        download_bytes=_download_bytes(gt.registry, year, tiles, settings))

    def compute_chunk(self, request, plan, window):
        """One window of the grid, from the tiles that touch it (same order,
        so the same first-tile-wins values as a whole-grid run)."""
        from ..chunks import ChunkResult
        from ..progress import NULL_PROGRESS

        settings = tessera_settings(request)
        with mirror(settings):
            m = _Mosaic(request, settings, plan.meta["year"], self._client)
            gt = m.client(settings, m._bounds_4326(m.rect))
            tiles = [tuple(t) for t in plan.meta["tiles"]]
            out, used, warped = m.fill(gt, tiles, plan.window_grid(window), NULL_PROGRESS)
        return ChunkResult(window, out, {"used": used, "warped": warped})

    def chunked_meta(self, request, plan, chunk_metas, coverage) -> dict:
        """Run metadata of a chunked run, as a whole-grid run gives it."""
        from ..geo import RasterGrid

        used = sorted({t for c in chunk_metas for t in c.get("used", [])})
        warped = sorted({t for c in chunk_metas for t in c.get("warped", [])} - set(used))
        settings = tessera_settings(request)
        m = _Mosaic(request, settings, plan.meta["year"], self._client)
        from affine import Affine

        grid = RasterGrid(plan.crs, Affine(*plan.transform), plan.width, plan.height)
        meta = self.base_meta(request)
        meta.update(m._meta(grid, plan.meta["res"], used, warped, coverage))
        return meta

    def _client(self, settings, bounds):
        """A registry client scoped around ``bounds``, reused while a batch stays inside its scope."""
        key = tuple(str(settings.get(k)) for k in ("url", "landmasks_url", "registry_dir", "tiles_dir",
                                                    "registry_cache"))
        cached = getattr(self, "_cached", None)
        if cached and cached[0] == key and _inside(bounds, cached[1], 0.1):
            return cached[2]
        gt = open_client(settings, bounds, SCOPE_MARGIN_DEG)
        m = SCOPE_MARGIN_DEG
        if gt is not None:
            self._cached = (key, (bounds[0] - m, bounds[1] - m, bounds[2] + m, bounds[3] + m), gt)
        return gt


def _download_bytes(reg, year, tiles, settings):
    """Bytes still to download for ``tiles`` (registry sizes of the tiles not cached), or None."""
    total = 0
    try:
        for lon, lat in tiles:
            cached = Path(settings["tiles_dir"]).glob(f"**/{year}/{grid_name(lon, lat)}/*.npy")
            if not any(True for _ in cached):
                total += reg.get_tile_file_size(year, lon, lat) + reg.get_scales_file_size(year, lon, lat)
    except Exception:  # sizes are an estimate: never a reason to fail
        return None
    return total


def _inside(bounds, scope, pad) -> bool:
    return (bounds[0] - pad >= scope[0] and bounds[1] - pad >= scope[1]
            and bounds[2] + pad <= scope[2] and bounds[3] + pad <= scope[3])


def _year(temporal) -> int:
    if temporal is None:
        raise SpecError("Tessera embeddings are annual: pass temporal=TemporalSpec.year(YYYY).")
    years = temporal.years()
    if len(years) != 1:
        raise SpecError(f"Tessera embeddings are annual; the window {temporal} spans {years[0]}-{years[-1]}. "
                        "Pass TemporalSpec.year(YYYY).")
    return years[0]


def checksum_record(settings, path: Path) -> Path:
    """Where the sha256 of a cached tile file is recorded (outside the tile folder)."""
    import hashlib

    key = hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:16]
    return Path(settings["registry_cache"]).parent / "checksums" / f"{Path(path).name}.{key}.json"


def check_tile(path: Path, record: Path, size, check=None):
    """None when a cached tile file is intact: the registry's size, then the
    sha256 recorded when it was first fetched (geotessera's v1.1 registries
    carry sizes, no hashes; downloads are MD5-checked against the ETag)."""
    have = path.stat().st_size
    if size is not None and have != size:
        return f"{have:,} bytes, the registry says {size:,}"
    return check_cached(path, record, check=check)


def _size_of(getter, *args):
    try:
        return int(getter(*args))
    except Exception:  # registry without size columns
        return None


def _npy_problem(path):
    """What is wrong with an .npy file's header and length, or None."""
    try:
        arr = np.load(path, mmap_mode="r")
        del arr
    except Exception as e:  # noqa: BLE001 - numpy raises ValueError, OSError, EOFError...
        return f"not a readable .npy file: {e}"
    return None


class _Mosaic:
    """One request: find tiles, fetch them through geotessera, paste them."""

    def __init__(self, request, settings, year, client):
        from ..geo import roi_bounds_in

        self.req, self.settings, self.year, self.client = request, settings, year, client
        self.progress = request.progress
        self.lon, self.lat = request.spatial.center
        self.crs = f"EPSG:{tessera_epsg(self.lon, self.lat)}"
        self.rect = roi_bounds_in(request.spatial, self.crs)

    def _bounds_4326(self, rect):
        from ..geo import transform_bounds

        return transform_bounds(self.crs, "EPSG:4326", rect)

    def tiles_and_grid(self):
        """(gt, tiles nearest first, resolution, output grid) for the request."""
        from ..geo import RasterGrid

        self.progress.update(0.0, f"Tessera {self.year}: reading the registry")
        b4326 = self._bounds_4326(self.rect)
        gt = self.client(self.settings, b4326)
        tiles = tiles_over(gt.registry, b4326, self.rect, self.crs, self.year) if gt else []
        if not tiles:
            self._unavailable(b4326)
        tiles.sort(key=lambda t: (tessera_epsg(*t) != tessera_epsg(self.lon, self.lat),
                                  _km(self.lon, self.lat, *t), t))
        res = self._resolution(gt, tiles[0])
        grid = RasterGrid.from_bounds(self.crs, self.rect, res, snap=True)
        gb = grid.bounds
        more = [t for t in tiles_over(gt.registry, self._bounds_4326(gb), gb, self.crs, self.year)
                if t not in tiles]
        tiles += sorted(more, key=lambda t: (_km(self.lon, self.lat, *t), t))
        return gt, tiles, res, grid

    def fill(self, gt, tiles, grid, progress):
        """The grid's (D, H, W) float32 values from the tiles that touch it:
        (array, tiles copied exactly, tiles reprojected)."""
        from . import tessera_mosaic as tm

        out = np.full((DIM, grid.height, grid.width), np.nan, dtype=np.float32)
        used, warped, n = [], [], len(tiles)
        for i, t in enumerate(tiles):
            if not _needed(out, grid, t):  # earlier tiles already filled its cell: no download
                progress.update((i + 1) / n, f"Tessera: {grid_name(*t)} not needed ({i + 1}/{n})")
                continue
            q, s, tr, crs = self._fetch(gt, t, i, n, progress)
            if q.ndim != 3 or q.shape[2] != DIM:
                raise DownloadError(f"Tessera tile {grid_name(*t)} has shape {q.shape}, expected (H, W, {DIM}).")
            exact = tm.same_lattice(tr, crs, grid)
            if (tm.paste_exact if exact else tm.paste_warped)(out, grid, q, s, tr, crs):
                (used if exact else warped).append(grid_name(*t))
            del q, s  # closes the memory maps
            progress.update((i + 1) / n, f"Tessera: {grid_name(*t)} placed ({i + 1}/{n})")
        return out, used, warped

    def run(self, meta) -> Embedding:
        gt, tiles, res, grid = self.tiles_and_grid()
        out, used, warped = self.fill(gt, tiles, grid, self.progress)
        covered = float(np.isfinite(out[0]).mean())
        meta.update(self._meta(grid, res, used, warped, covered))
        names = [f"tessera_{i:03d}" for i in range(DIM)]
        return Embedding(make_grid(out, grid.crs, grid.transform, names), meta)

    def _meta(self, grid, res, used, warped, covered):
        import geotessera

        epsg = int(grid.crs.split(":")[1])
        zone = f"UTM {epsg % 100}{'S' if epsg // 100 == 327 else 'N'}"
        note = (f"{len(warped)} tile(s) from other UTM zones reprojected (nearest neighbour) into {zone} "
                f"({grid.crs}), the zone of the ROI centre" if warped else
                f"all tiles in {zone} ({grid.crs}): values copied on the tiles' own {res:g} m grid, no resampling")
        return {
            "year": self.year, "dataset": f"v1.1 {DATASET_VARIANT} ({DATASET_DIR})",
            "geotessera_version": geotessera.__version__, "crs": grid.crs, "resolution_m": res,
            "tiles": used + warped, "tiles_resampled": warped, "resampled": bool(warped),
            "resampling": "nearest" if warped else None, "crs_note": note,
            "coverage_fraction": covered, "cache_dir": str(self.settings["tiles_dir"]),
            "registry_cache_dir": str(self.settings["registry_cache"]),
            "source": redact(self.settings.get("registry_dir") or self.settings.get("url")
                             or "geotessera default mirror"),
            "overlap_rule": "first tile (same zone, then nearest the ROI centre) with a finite vector",
        }

    def _resolution(self, gt, tile) -> float:
        """Pixel size of the tiles, from the landmask of the one nearest the ROI centre."""
        import rasterio

        try:
            path = gt.registry.fetch_landmask(lon=tile[0], lat=tile[1])
            with rasterio.open(path) as src:
                return abs(src.transform.a)
        except RSEmbedError:
            raise
        except Exception as e:
            raise DownloadError(redact(f"Tessera tile {grid_name(*tile)} ({self.year}): its landmask could "
                                       f"not be fetched: {e}")) from None

    def _fetch(self, gt, tile, i, n, progress=None):
        """Download (once) and memory-map one tile: (int8, scales, transform, crs)."""
        progress = progress or self.progress
        from geotessera.registry import HTTPStatusError, UnwritableDestination

        lon, lat = tile
        name = grid_name(lon, lat)
        sub = progress.sub(i / n, (i + 0.9) / n)
        progress.update(i / n, f"Tessera: fetching {name} ({i + 1}/{n})")

        def on_bytes(done, total, _status=None):
            sub.update(done / total if total else 0.0)  # raises CancelledError on cancel

        reg = gt.registry
        what = f"Tessera tile {name} ({self.year})"
        try:
            emb = self._checked(lambda: reg.fetch(year=self.year, lon=lon, lat=lat, is_scales=False,
                                                  progress_callback=on_bytes),
                                what, _size_of(reg.get_tile_file_size, self.year, lon, lat), _npy_problem, progress)
            scl = self._checked(lambda: reg.fetch(year=self.year, lon=lon, lat=lat, is_scales=True,
                                                  progress_callback=on_bytes),
                                f"{what}, scales file,", _size_of(reg.get_scales_file_size, self.year, lon, lat),
                                _npy_problem, progress)
            lm = self._checked(lambda: reg.fetch_landmask(lon=lon, lat=lat, progress_callback=on_bytes),
                               f"{what}, landmask,", _size_of(reg.get_landmask_file_size, lon, lat), None, progress)
            import rasterio

            with rasterio.open(lm) as src:
                tr, crs = src.transform, src.crs
            q, s = np.load(emb, mmap_mode="r"), np.load(scl, mmap_mode="r")
        except RSEmbedError:  # CancelledError from the progress callback included
            raise
        except UnwritableDestination as e:
            raise DownloadError(f"Cannot write Tessera tiles to {self.settings['tiles_dir']}: {e}. "
                                "Choose another cache folder (setting or RS_EMBED_CACHE_DIR).") from e
        except HTTPStatusError as e:
            raise DownloadError(redact(f"Tessera tile {name} ({self.year}) is in the registry but could not "
                                       f"be downloaded: {e}")) from None
        except Exception as e:
            raise DownloadError(redact(f"Tessera tile {name} ({self.year}) could not be fetched or read: "
                                       f"{e}")) from None
        if crs is None or q.shape[:2] != s.shape[:2]:
            raise DownloadError(f"Tessera tile {name} ({self.year}) is inconsistent: tile {q.shape}, "
                                f"scales {s.shape}, landmask CRS {crs}.")
        return q, s, tr, crs

    def _checked(self, fetch, what, size, check, progress):
        """``fetch()``'s file, verified (see :func:`check_tile`); a damaged one is
        fetched once more, and a second bad copy is a DownloadError."""
        for attempt in (1, 2):
            path = Path(fetch())
            record = checksum_record(self.settings, path)
            problem = check_tile(path, record, size, check)
            if problem is None:
                return path
            forget_cached(path, record)
            if attempt == 2:
                raise DownloadError(
                    f"{what} is damaged even after downloading it again ({problem}); the bad copy was "
                    "removed. The mirror may be serving a broken file: try again later, or point "
                    f"{SETTINGS['url']} at another mirror.")
            progress.info(f"{what}: the cached copy {path.name} is damaged ({problem}); downloading it again.")

    def _unavailable(self, b4326):
        """Raise DataUnavailableError naming what is available near the ROI."""
        roi = "ROI " + ", ".join(f"{v:.4f}" for v in self.req.spatial.bounds_4326())
        gt = open_client(self.settings, b4326, SEARCH_MARGIN_DEG)
        if gt is None:
            raise DataUnavailableError(
                f"No Tessera tiles within {SEARCH_MARGIN_DEG:g}° of the {roi} (lon/lat): it lies over "
                "the ocean or outside Tessera's coverage (Tessera covers land only).")
        reg = gt.registry
        here = [y for y in reg.get_available_years() if tiles_over(reg, b4326, self.rect, self.crs, y)]
        if here:
            raise DataUnavailableError(
                f"Tessera has no {self.year} embeddings for this {roi}. Years available here: "
                f"{', '.join(map(str, here))}. Choose one of those years.")
        m = SEARCH_MARGIN_DEG - 0.05 - 1e-6
        wide = (b4326[0] - m, b4326[1] - m, b4326[2] + m, b4326[3] + m)
        near = sorted((_km(self.lon, self.lat, lon, lat), lon, lat)
                      for _, lon, lat in reg.load_blocks_for_region(wide, self.year))[:3]
        listed = ", ".join(f"{grid_name(lon, lat)} ({d:.0f} km away)" for d, lon, lat in near)
        nearest = (f"Nearest tiles with {self.year} data: {listed}." if near else
                   f"No {self.year} tiles within {SEARCH_MARGIN_DEG:g}°; years available nearby: "
                   f"{', '.join(map(str, reg.get_available_years()))}.")
        if self._over_land(reg, b4326) is False:
            raise DataUnavailableError(f"The {roi} is over the ocean: no Tessera land tiles cover it. {nearest}")
        raise DataUnavailableError(f"Tessera has no embeddings for this {roi} in any year. {nearest}")

    @staticmethod
    def _over_land(reg, b4326):
        """True/False: whether any landmask tile covers the ROI; None when unknown."""
        from geotessera.registry import tile_from_world

        lon0, lat0 = tile_from_world(max(-180.0, b4326[0]), max(-90.0, b4326[1]))
        lon1, lat1 = tile_from_world(min(180.0, b4326[2]), min(90.0, b4326[3]))
        for lon in np.arange(lon0, lon1 + 0.05, 0.1):
            for lat in np.arange(lat0, lat1 + 0.05, 0.1):
                try:
                    reg.get_landmask_file_size(round(float(lon), 2), round(float(lat), 2))
                    return True
                except ValueError as e:
                    if "not loaded" in str(e):
                        return None
        return False
