"""Copernicus Embed: one 768-d vector per 0.25 degree cell, 2021.

The product is one GeoTIFF, ``embed_map_310k.tif`` (721 x 1440 cells x 768
float32 bands, EPSG:4326, transform (0.25, 0, -180.125, 0, -0.25, 90.125),
ocean = all-zero vectors, shown here as NaN), from the Hugging Face dataset
``torchgeo/copernicus_embed`` at the revision torchgeo pins, verified against
the sha256 torchgeo publishes.

Where the file lives: the setting ``copernicus_path`` (RS_EMBED_COPERNICUS_PATH;
a file, or a folder holding ``embed_map_310k.tif``) when set, else the cache
(``<cache>/copernicus_embed/``). A missing file is downloaded there once, with
progress, resumable (HTTP Range on ``<file>.part``) and verified by sha256; a
mismatch removes the bad file. The cached copy is hashed again before it is
read (re-tiling, or direct reads); a damaged one is downloaded again. A copy
the user points at is checked for its structure (bands, CRS, cell size), not
hashed. The re-tiled copy records the sha256 of every tile's values; the tiles
a read touches are checked, and a damaged copy is rebuilt (with a message).
Download source: ``RS_EMBED_COPERNICUS_URL`` (a mirror serving the same file;
``RS_EMBED_COPERNICUS_SHA256`` if it serves another revision), else
``$HF_ENDPOINT`` (default https://huggingface.co) +
``/datasets/torchgeo/copernicus_embed/resolve/<revision>/embed_map_310k.tif``.

Only the window of cells the ROI touches is read; an ROI smaller than a cell
gets the cell(s) that contain it. The published file's tiles are 256 x 256
cells x 768 bands (201 MB each once decompressed), so a one-cell read costs
seconds: a copy re-tiled in 16 x 16-cell tiles is made once in the cache
(streamed; ~0.8 GB) and read instead. The grid keeps the product's EPSG:4326 0.25
degree georeferencing.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np

from ..base import Embedder
from ..download import download_verified, sha256_of
from ..embedding import Embedding, make_grid
from ..errors import DataUnavailableError, SpecError
from ..fileio import atomic_path
from ..locks import file_lock
from ..progress import NULL_PROGRESS
from ..redact import redact
from ..registry import register

HF_REPO = "torchgeo/copernicus_embed"
HF_REVISION = "435b4a7bdce6f6fdbf4272f9d6e54f2604f35fdb"  # torchgeo.datasets.CopernicusEmbed.url
FILENAME = "embed_map_310k.tif"
SHA256 = "38f6fd15b20153f7b3ba2d7b38fb9ef56b751dfcb42e17cc1b02aad1580a59ad"  # torchgeo's sha256
URL_ENV, SHA_ENV = "RS_EMBED_COPERNICUS_URL", "RS_EMBED_COPERNICUS_SHA256"
YEAR = 2021
DIM = 768
CELL = 0.25
FAST_TILE = 16            # cells a side of the re-tiled copy's tiles (786 KB each)
RETILE_ABOVE_MB = 32      # re-tile products whose tiles decompress to more than this


def product_url() -> str:
    if os.environ.get(URL_ENV):
        return os.environ[URL_ENV]
    endpoint = (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    return f"{endpoint}/datasets/{HF_REPO}/resolve/{HF_REVISION}/{FILENAME}"


def product_sha256() -> str:
    return (os.environ.get(SHA_ENV) or SHA256).lower()


def product_path(config) -> Path:
    """Where the product file is (or will be downloaded to)."""
    if config.copernicus_path:
        p = Path(config.copernicus_path)
        return p / FILENAME if p.is_dir() else p
    return config.sub_cache("copernicus_embed") / FILENAME


# --------------------------------------------------------------------------
# Download: resumable, verified

def check_product(path: Path):
    """Raise a clear error if ``path`` is not the Copernicus Embed GeoTIFF."""
    import rasterio

    try:
        with rasterio.open(path) as ds:
            t, crs, count = ds.transform, ds.crs, ds.count
    except rasterio.errors.RasterioIOError as exc:
        raise DataUnavailableError(f"Cannot open the Copernicus Embed file {path}: {exc}") from exc
    ok = (count == DIM and crs is not None and crs.to_epsg() == 4326
          and math.isclose(t.a, CELL) and math.isclose(t.e, -CELL) and not t.b and not t.d)
    if not ok:
        raise DataUnavailableError(
            f"{path} is not the Copernicus Embed product ({count} bands, {crs}, cell {t.a} x {t.e}; "
            f"expected {DIM} bands, EPSG:4326, {CELL} degree cells). Point the 'Copernicus Embed "
            f"file' setting at {FILENAME}, or clear it to download the product into the cache.")


def ensure_product(config, progress=NULL_PROGRESS) -> Path:
    """The product file, downloaded (once) if missing. Another process
    downloading it at the same time is waited for (lock in download_verified)."""
    path = product_path(config)
    if not path.exists():
        if config.copernicus_path and not path.parent.is_dir():
            raise SpecError(
                f"The 'Copernicus Embed file' setting points at {config.copernicus_path}, whose "
                "folder does not exist. Fix the setting or clear it to use the cache.")
        _download(path, progress)
    check_product(path)
    return path


def _download(path, progress):
    download_verified(product_url(), path, product_sha256(), progress, hint=(
        "Or download the file yourself and point the 'Copernicus Embed file' setting "
        "(RS_EMBED_COPERNICUS_PATH) at it."))


def verify_product(path: Path, config, progress=NULL_PROGRESS) -> Path:
    """Re-check the cached product's sha256 before it is read; a damaged copy
    is removed and downloaded again (once). A copy the user points at is not
    hashed (it may be another revision)."""
    if config.copernicus_path:
        return path
    with file_lock(path, progress):
        digest = sha256_of(path, progress)
        if digest == product_sha256():
            return path
        progress.info(f"The cached Copernicus Embed file {path} is damaged (sha256 {digest[:12]}..., expected "
                      f"{product_sha256()[:12]}...); downloading it again.")
        path.unlink()
    _download(path, progress)
    check_product(path)
    return path


def _tiles_of(window):
    """(row, col) indices of the FAST_TILE tiles a (col0, row0, w, h) window covers."""
    c0, r0, w, h = window
    return [(r, c) for r in range(r0 // FAST_TILE, (r0 + h - 1) // FAST_TILE + 1)
            for c in range(c0 // FAST_TILE, (c0 + w - 1) // FAST_TILE + 1)]


def tile_checksum(block: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(block, dtype=np.float32).tobytes()).hexdigest()


def _stamp_of(path) -> dict:
    st = Path(path).stat()
    return {"source": str(Path(path).resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def fast_copy(path: Path, config, progress=NULL_PROGRESS, rebuild=False):
    """(file to read windows from, per-tile checksums or None): ``path`` itself,
    or, when its tiles are large (the published file: 256 x 256 cells x 768
    bands = 201 MB per deflate tile, ~2 s to decompress for a one-cell read), a
    copy re-tiled in 16 x 16-cell tiles (ZSTD, float predictor) in the cache,
    with the sha256 of every tile's values in ``<copy>.json``. The copy is made
    once, streamed, and remade when the source changes or ``rebuild``."""
    import rasterio

    with rasterio.open(path) as ds:
        rows, cols = ds.block_shapes[0]
        per_tile = rows * cols * 4 * (ds.count if str(ds.interleaving).lower().endswith("pixel") else 1)
    if per_tile <= RETILE_ABOVE_MB * 1024 * 1024:
        return path, None
    out = config.sub_cache("copernicus_embed") / f"{Path(path).stem}.tiles{FAST_TILE}.tif"
    stamp_file = out.with_suffix(".json")
    with file_lock(out, progress):
        if not rebuild and out.exists():
            with contextlib.suppress(OSError, ValueError, KeyError):
                stamp = json.loads(stamp_file.read_text())
                if {k: stamp.get(k) for k in ("source", "size", "mtime_ns")} == _stamp_of(path) \
                        and stamp.get("tile") == FAST_TILE and stamp.get("checksums"):
                    return out, stamp["checksums"]
        path = verify_product(path, config, progress)
        progress.info(f"Re-tiling {path} once for fast reads (about a minute; about 0.8 GB in {out.parent})")
        stamp_file.unlink(missing_ok=True)
        sums = _retile(path, out, progress)
        with atomic_path(stamp_file) as tmp:
            tmp.write_text(json.dumps(dict(_stamp_of(path), tile=FAST_TILE, checksums=sums)))
    progress.update(1.0)
    return out, sums


def _retile(path, out, progress) -> dict:
    import rasterio
    from rasterio.windows import Window

    step = FAST_TILE * 16
    sums = {}
    try:
        with rasterio.open(path) as src, atomic_path(out) as tmp:
            profile = src.profile.copy()
            profile.update(driver="GTiff", tiled=True, blockxsize=FAST_TILE, blockysize=FAST_TILE,
                           interleave="pixel", compress="zstd", zstd_level=1, predictor=3,
                           num_threads="all_cpus", bigtiff="if_safer")
            windows = [Window(c, r, min(step, src.width - c), min(step, src.height - r))
                       for r in range(0, src.height, step) for c in range(0, src.width, step)]
            with rasterio.open(tmp, "w", **profile) as dst:
                for i, w in enumerate(windows):
                    progress.update(i / len(windows))
                    block = src.read(window=w)
                    dst.write(block, window=w)
                    for r in range(0, int(w.height), FAST_TILE):
                        for c in range(0, int(w.width), FAST_TILE):
                            key = f"{(int(w.row_off) + r) // FAST_TILE}_{(int(w.col_off) + c) // FAST_TILE}"
                            sums[key] = tile_checksum(block[:, r:r + FAST_TILE, c:c + FAST_TILE])
    except rasterio.errors.RasterioIOError as exc:
        raise DataUnavailableError(
            f"The Copernicus Embed file {path} could not be read while re-tiling it (damaged or "
            f"truncated?): {exc}. Replace it with the published file, or clear the 'Copernicus Embed "
            "file' setting to download it into the cache.") from None
    return sums


class DamagedCopy(Exception):
    """Tiles of the re-tiled copy do not match their checksums."""


# --------------------------------------------------------------------------
# Reading

def cell_window(transform, width, height, bounds):
    """(col0, row0, w, h) of the cells a lon/lat box touches, clipped."""
    minlon, minlat, maxlon, maxlat = bounds
    fx0, fx1 = (minlon - transform.c) / transform.a, (maxlon - transform.c) / transform.a
    fy0, fy1 = (maxlat - transform.f) / transform.e, (minlat - transform.f) / transform.e
    c0, r0 = math.floor(fx0 + 1e-9), math.floor(fy0 + 1e-9)
    c1, r1 = max(c0 + 1, math.ceil(fx1 - 1e-9)), max(r0 + 1, math.ceil(fy1 - 1e-9))
    c0, r0, c1, r1 = max(c0, 0), max(r0, 0), min(c1, width), min(r1, height)
    if c1 <= c0 or r1 <= r0:
        return None
    return c0, r0, c1 - c0, r1 - r0


def read_cells(path: Path, bounds, checksums=None):
    """(768, h, w) float32 (ocean NaN), the window's transform and the window.
    With ``checksums`` (of the re-tiled copy) the tiles read are verified:
    :class:`DamagedCopy` when one does not match or cannot be decoded."""
    import rasterio
    from rasterio.windows import Window

    with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR"), rasterio.open(path) as ds:
        t = ds.transform
        if bounds[0] >= t.c + t.a * ds.width and t.a * ds.width >= 360 - 1e-9:
            bounds = (bounds[0] - 360, bounds[1], bounds[2] - 360, bounds[3])  # 179.875..180 E: column 0
        win = cell_window(t, ds.width, ds.height, bounds)
        if win is None:
            raise DataUnavailableError(f"The ROI {bounds} lies outside the Copernicus Embed file {path}.")
        w = Window(*win)
        try:
            data = (ds.read(window=w, out_dtype="float32") if checksums is None
                    else _read_verified(ds, win, checksums))
        except rasterio.errors.RasterioIOError as exc:
            if checksums is not None:
                raise DamagedCopy(f"a tile cannot be decoded: {exc}") from None
            raise DataUnavailableError(
                f"The Copernicus Embed file {path} could not be read (damaged or truncated?): {exc}. "
                "Replace it, or clear the 'Copernicus Embed file' setting to download it.") from None
        t = ds.window_transform(w)
    data[:, (data == 0).all(axis=0)] = np.nan
    return data, t, win


def _read_verified(ds, win, checksums):
    """The window read tile by tile, each tile checked against its checksum."""
    from rasterio.windows import Window

    c0, r0, w, h = win
    out = np.empty((ds.count, h, w), dtype=np.float32)
    for tr, tc in _tiles_of(win):
        tw = Window(tc * FAST_TILE, tr * FAST_TILE, min(FAST_TILE, ds.width - tc * FAST_TILE),
                    min(FAST_TILE, ds.height - tr * FAST_TILE))
        block = ds.read(window=tw, out_dtype="float32")
        if tile_checksum(block) != checksums.get(f"{tr}_{tc}"):
            raise DamagedCopy(f"tile {tr}_{tc} does not match its checksum")
        ys, xs = max(r0, tr * FAST_TILE), max(c0, tc * FAST_TILE)
        ye, xe = min(r0 + h, (tr + 1) * FAST_TILE), min(c0 + w, (tc + 1) * FAST_TILE)
        out[:, ys - r0:ye - r0, xs - c0:xe - c0] = block[:, ys - tr * FAST_TILE:ye - tr * FAST_TILE,
                                                         xs - tc * FAST_TILE:xe - tc * FAST_TILE]
    return out


@register
class CopernicusEmbed(Embedder):
    model_id = "copernicus_embed"
    aliases = ("copernicus",)
    kind = "precomputed"
    title = "Copernicus Embed (0.25 degree, 2021)"
    dim = DIM
    resolution = "0.25 degree (~28 km)"
    temporal_coverage = "2021 only"
    backends = ("auto",)
    product_version = f"hf://datasets/{HF_REPO}@{HF_REVISION[:7]}/{FILENAME}"
    notes = ("One vector per 0.25 degree cell from the Copernicus-Pretrain data (Copernicus-FM); "
             "the 3 GB GeoTIFF (768 MB compressed) is downloaded once into the cache. "
             "ROIs smaller than a cell get the cell(s) containing them.")

    def check_backend(self, backend: str) -> str:
        return super().check_backend("auto" if backend == "local" else backend)  # rs-embed alias

    def fetch_grid(self, request) -> Embedding:
        t = request.temporal
        if t is None:
            raise SpecError(f"Copernicus Embed describes {YEAR}: pass temporal=TemporalSpec.year({YEAR}) "
                            f"(or a window within {YEAR}).")
        if t.years() != [YEAR]:
            raise DataUnavailableError(
                f"Copernicus Embed exists for {YEAR} only; the time window {t} is not within {YEAR}. "
                f"Use TemporalSpec.year({YEAR}) or a window inside it.")
        prog = request.progress
        path = ensure_product(request.config, prog.sub(0.0, 0.7))
        source, sums = fast_copy(path, request.config, prog.sub(0.7, 0.95))
        if sums is None and source == path:
            verify_product(path, request.config, prog.sub(0.7, 0.95))  # read directly: re-check it
        bounds = request.spatial.bounds_4326()
        try:
            data, transform, (c0, r0, w, h) = read_cells(source, bounds, sums)
        except DamagedCopy as exc:
            prog.info(f"The re-tiled copy {source} is damaged ({exc}); rebuilding it from {path}.")
            source, sums = fast_copy(path, request.config, prog.sub(0.7, 0.95), rebuild=True)
            try:
                data, transform, (c0, r0, w, h) = read_cells(source, bounds, sums)
            except DamagedCopy as again:
                raise DataUnavailableError(
                    f"The re-tiled copy {source} is still damaged after a rebuild ({again}): the disk "
                    f"may be failing. Delete {source.parent} and run again.") from None
        prog.update(1.0)
        if not np.isfinite(data).any():
            raise DataUnavailableError(
                "Copernicus Embed has no data in the cells the ROI touches (ocean or outside the "
                "product's coverage).")
        smaller = (bounds[2] - bounds[0]) < CELL and (bounds[3] - bounds[1]) < CELL
        meta = self.base_meta(request)
        meta.update({
            "backend": "auto", "year": YEAR, "crs": "EPSG:4326", "resolution_deg": CELL,
            "source": redact(product_url()), "file": str(path), "read_from": str(source), "revision": HF_REVISION,
            "sha256": product_sha256(), "cells": [h, w], "cell_offset": [r0, c0],
            "cell_bounds_4326": [transform.c, transform.f + transform.e * h,
                                 transform.c + transform.a * w, transform.f],
            "roi_smaller_than_cell": bool(smaller),
            "grid_note": "the 0.25 degree cells the ROI touches"
                         + (" (the ROI is smaller than a cell: the cell(s) containing it)" if smaller else ""),
        })
        names = [f"dim_{i:03d}" for i in range(DIM)]
        return Embedding(make_grid(data, "EPSG:4326", transform, names), meta)
