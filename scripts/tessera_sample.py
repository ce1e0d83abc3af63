"""Tessera sample data in the real v1.1 formats (dataset directory ``v1.1-cam``).

Written through numpy, pyarrow and rasterio, laid out exactly as the public
repository that geotessera 0.11 reads, so geotessera's own code runs on it:

    <root>/npy/v1.1-cam/manifest.parquet                 year, lon, lat, lon_i, lat_i, grid_size, scales_size
    <root>/npy/v1.1-cam/<year>/grid_X_Y/grid_X_Y.npy     int8 (H, W, 128)
    <root>/npy/v1.1-cam/<year>/grid_X_Y/grid_X_Y_scales.npy   float32 (H, W), NaN = no embedding
    <root>/landmasks/v1.1/landmasks.parquet              lon, lat, lon_i, lat_i, file_size
    <root>/landmasks/v1.1/grid_X_Y.tiff                  uint8 landmask (1 land, 0 water) in the tile's UTM zone

Tile geometry follows geotessera's own model of the v1.1 tiles
(``geotessera.zarr.project_tile``): the UTM zone of the tile centre, the
landmask transform at the *unsnapped* corner of the 0.1° box's UTM extent, and
the pixels laid out on the ``floor(x / res) * res`` lattice. Content is a
deterministic function of place and year (land-cover-like regions, smooth
gradients, per-pixel texture), so overlapping tiles agree and a PCA of the
mosaic shows structure. Coarse pixels keep it tiny (250 m: ~28 x 45 px a tile).

    python scripts/tessera_sample.py demo DEST     # ready-to-use local data dir; prints its env
    python scripts/tessera_sample.py mirror DEST   # remote layout, to serve over HTTP
"""
from __future__ import annotations

import json
import math
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np

DATASET_DIR = "v1.1-cam"      # geotessera.registry.dataset_path("1.1", "cambridge")
VERSION_PATH = "v1.1"
DIM = 128

DEMO_TILES = [(lon, lat) for lat in (51.95, 52.05, 52.15) for lon in (0.05, 0.15, 0.25, 0.35)]
DEMO_YEAR = 2024
DEMO_EXTENT = (0.10, 52.00, 0.30, 52.10)  # minlon, minlat, maxlon, maxlat
DEMO_PIXEL_M = 50.0

ENV_URL = "RS_EMBED_TESSERA_URL"
ENV_REGISTRY_DIR = "RS_EMBED_TESSERA_REGISTRY_DIR"
ENV_TILES_DIR = "RS_EMBED_TESSERA_TILES_DIR"


@dataclass
class Mirror:
    """What :func:`write_mirror` wrote."""

    root: Path
    tiles: List[Tuple[int, float, float]] = field(default_factory=list)  # (year, lon, lat)
    pixel_m: float = 250.0

    @property
    def npy_dir(self) -> Path:
        return self.root / "npy" / DATASET_DIR

    @property
    def landmask_dir(self) -> Path:
        return self.root / "landmasks" / VERSION_PATH


def grid_name(lon: float, lat: float) -> str:
    return f"grid_{lon:.2f}_{lat:.2f}"


def tile_epsg(lon: float, lat: float) -> int:
    zone = max(1, min(60, int(math.floor((lon + 180.0) / 6.0)) + 1))
    return (32700 if lat < 0 else 32600) + zone


def tile_footprint(lon: float, lat: float, pixel_m: float):
    """(epsg, unsnapped Affine, width, height) of the tile centred at lon, lat."""
    from affine import Affine
    from pyproj import Transformer

    epsg = tile_epsg(lon, lat)
    t = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    w, e, s, n = lon - 0.05, lon + 0.05, lat - 0.05, lat + 0.05
    (ul_e, ur_e, ll_e, lr_e), (ul_n, ur_n, ll_n, lr_n) = t.transform([w, e, w, e], [n, n, s, s])
    x0, y0 = min(ul_e, ll_e), max(ul_n, ur_n)
    width = round((max(ur_e, lr_e) - x0) / pixel_m)
    height = round((y0 - min(ll_n, lr_n)) / pixel_m)
    return epsg, Affine(pixel_m, 0.0, x0, 0.0, -pixel_m, y0), width, height


def snapped(transform):
    """The lattice the pixels lie on: left edge floored, top edge ceiled to the pixel size."""
    from affine import Affine

    r = transform.a
    return Affine(r, 0.0, math.floor(transform.c / r + 1e-9) * r, 0.0, transform.e,
                  math.ceil(transform.f / r - 1e-9) * r)


# --- deterministic content -------------------------------------------------

def _hash(*parts: np.ndarray) -> np.ndarray:
    """Integer hash of equally shaped int64 arrays -> uniform floats in [0, 1)."""
    h = np.full(np.broadcast(*parts).shape, 0x9E3779B97F4A7C15 & 0x7FFFFFFFFFFFFFFF, dtype=np.uint64)
    for p in parts:
        h ^= np.asarray(p).astype(np.int64).astype(np.uint64) + np.uint64(0x9E3779B9) + (h << np.uint64(6)) + (h >> np.uint64(2))
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(31)
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _regions(lon, lat, seed, cell=0.03, classes=6):
    """Land-cover-like class per point: nearest jittered site of a 0.03° lattice."""
    ci, cj = np.floor(lon / cell).astype(np.int64), np.floor(lat / cell).astype(np.int64)
    best = np.full(lon.shape, np.inf)
    cls = np.zeros(lon.shape, dtype=np.int64)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            i, j = ci + di, cj + dj
            sx = (i + _hash(i, j, seed, 1)) * cell
            sy = (j + _hash(i, j, seed, 2)) * cell
            d = (lon - sx) ** 2 + ((lat - sy) * 1.6) ** 2
            closer = d < best
            best = np.where(closer, d, best)
            cls = np.where(closer, (_hash(i, j, seed, 3) * classes).astype(np.int64), cls)
    return cls


def tile_content(lon_c, lat_c, x_c, y_c, year: int, seed: int = 0) -> np.ndarray:
    """Float32 (H, W, 128) embeddings at pixel centres (lon/lat and UTM x/y)."""
    rng = np.random.default_rng(seed)
    protos = rng.normal(0.0, 0.35, size=(6, DIM))
    dirs = rng.normal(0.0, 1.0, size=(3, DIM)) / math.sqrt(DIM) * 3.0
    ph = rng.uniform(0, 2 * math.pi, size=4)
    cls = _regions(lon_c, lat_c, seed)
    g1 = np.sin(lon_c * 2 * math.pi / 0.13 + ph[0]) * np.cos(lat_c * 2 * math.pi / 0.09 + ph[1])
    g2 = np.sin((lon_c + lat_c) * 2 * math.pi / 0.21 + ph[2])
    v = protos[cls] + 0.25 * g1[..., None] * dirs[0] + 0.15 * g2[..., None] * dirs[1]
    v += 0.04 * (year - 2024) * dirs[2]
    xi, yi = np.rint(x_c).astype(np.int64), np.rint(y_c).astype(np.int64)
    band = np.arange(DIM, dtype=np.int64)
    tex = _hash(xi[..., None], yi[..., None], band, np.int64(year), np.int64(seed)) - 0.5
    v += 0.08 * tex
    return v.astype(np.float32)


def quantise(v: np.ndarray):
    """int8 values and per-pixel float32 scales with value = int8 * scale."""
    scale = (np.abs(v).max(axis=-1) / 127.0).astype(np.float32)
    scale[scale == 0] = np.float32(1e-6)
    q = np.clip(np.rint(v / scale[..., None]), -127, 127).astype(np.int8)
    return q, scale


def make_tile(lon: float, lat: float, year: int, pixel_m: float = 250.0,
              nan_points: Sequence[Tuple[float, float]] = (), seed: int = 0):
    """(int8 (H,W,128), float32 scales (H,W), uint8 landmask, epsg, unsnapped transform)."""
    from pyproj import Transformer

    epsg, tr, width, height = tile_footprint(lon, lat, pixel_m)
    lat_t = snapped(tr)
    xs = lat_t.c + (np.arange(width) + 0.5) * pixel_m
    ys = lat_t.f - (np.arange(height) + 0.5) * pixel_m
    x_c, y_c = np.meshgrid(xs, ys)
    lon_c, lat_c = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True).transform(x_c, y_c)
    q, scales = quantise(tile_content(lon_c, lat_c, x_c, y_c, year, seed))
    if nan_points:
        fwd = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
        for plon, plat in nan_points:
            px, py = fwd.transform(plon, plat)
            col, row = math.floor((px - lat_t.c) / pixel_m), math.floor((lat_t.f - py) / pixel_m)
            if 0 <= row < height and 0 <= col < width:
                scales[row, col] = np.nan
                q[row, col] = 0
    landmask = np.ones((height, width), dtype=np.uint8)
    return q, scales, landmask, epsg, tr


# --- writing ---------------------------------------------------------------

def _write_landmask(path: Path, landmask, epsg, transform):
    import rasterio

    with rasterio.Env(GDAL_PAM_ENABLED="NO"):
        with rasterio.open(path, "w", driver="GTiff", width=landmask.shape[1], height=landmask.shape[0],
                           count=1, dtype="uint8", crs=f"EPSG:{epsg}", transform=transform,
                           compress="lzw") as dst:
            dst.write(landmask, 1)


def _norm_tiles(tiles, years) -> Dict[Tuple[float, float], List[int]]:
    out = {}
    for t in tiles:
        lon, lat = round(float(t[0]), 2), round(float(t[1]), 2)
        out[(lon, lat)] = sorted(int(y) for y in (t[2] if len(t) > 2 else years))
    return out


def write_mirror(root, tiles: Iterable = DEMO_TILES, years: Sequence[int] = (DEMO_YEAR,),
                 pixel_m: float = 250.0, nan_points: Sequence[Tuple[float, float]] = (),
                 land_only: Iterable[Tuple[float, float]] = (), seed: int = 0) -> Mirror:
    """Write the repository layout under ``root`` (serve ``root`` over HTTP and point
    ``RS_EMBED_TESSERA_URL`` at it).

    ``tiles``: (lon, lat) centres on the 0.05° offsets, or (lon, lat, years);
    ``years``: default years of every tile; ``nan_points``: (lon, lat) whose
    pixel gets a NaN scale in every tile covering it; ``land_only``: landmask
    tiles without embeddings (land that Tessera does not cover).
    """
    import pandas as pd

    root = Path(root)
    mirror = Mirror(root=root, pixel_m=float(pixel_m))
    mirror.npy_dir.mkdir(parents=True, exist_ok=True)
    mirror.landmask_dir.mkdir(parents=True, exist_ok=True)
    rows, lm_rows = [], []
    per_tile = _norm_tiles(tiles, years)
    for (lon, lat), tile_years in sorted(per_tile.items()):
        landmask = epsg = tr = None
        for year in tile_years:
            q, scales, landmask, epsg, tr = make_tile(lon, lat, year, pixel_m, nan_points, seed)
            d = mirror.npy_dir / str(year) / grid_name(lon, lat)
            d.mkdir(parents=True, exist_ok=True)
            np.save(d / f"{grid_name(lon, lat)}.npy", q)
            np.save(d / f"{grid_name(lon, lat)}_scales.npy", scales)
            rows.append(dict(year=year, lon=lon, lat=lat,
                             grid_size=(d / f"{grid_name(lon, lat)}.npy").stat().st_size,
                             scales_size=(d / f"{grid_name(lon, lat)}_scales.npy").stat().st_size))
            mirror.tiles.append((year, lon, lat))
        lm_rows.append(_landmask_row(mirror, lon, lat, landmask, epsg, tr))
    for lon, lat in land_only:
        lon, lat = round(float(lon), 2), round(float(lat), 2)
        epsg, tr, w, h = tile_footprint(lon, lat, pixel_m)
        lm_rows.append(_landmask_row(mirror, lon, lat, np.ones((h, w), np.uint8), epsg, tr))
    manifest = pd.DataFrame(rows, columns=["year", "lon", "lat", "grid_size", "scales_size"])
    _write_parquet(manifest, mirror.npy_dir / "manifest.parquet")
    _write_parquet(pd.DataFrame(lm_rows, columns=["lon", "lat", "file_size"]),
                   mirror.landmask_dir / "landmasks.parquet")
    return mirror


def _landmask_row(mirror, lon, lat, landmask, epsg, tr):
    path = mirror.landmask_dir / f"{grid_name(lon, lat)}.tiff"
    _write_landmask(path, landmask, epsg, tr)
    return dict(lon=lon, lat=lat, file_size=path.stat().st_size)


def _write_parquet(df, path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = df.astype({c: "int64" for c in ("year", "grid_size", "scales_size", "file_size") if c in df})
    df["lon_i"] = np.round(df["lon"] * 100).astype(np.int32)
    df["lat_i"] = np.round(df["lat"] * 100).astype(np.int32)
    df = df.sort_values(["lon", "lat"] + (["year"] if "year" in df else [])).reset_index(drop=True)
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)


def install_local(mirror: Mirror, dest) -> Path:
    """Copy a mirror into a local data dir that geotessera reads with no network:
    ``dest/registry`` (registry_dir: manifest.parquet, landmasks.parquet) and
    ``dest/tiles`` (geotessera's embeddings_dir layout)."""
    from geotessera.registry import (EMBEDDINGS_DIR_NAME, LANDMASKS_DIR_NAME,
                                     write_tessera_metadata)

    dest = Path(dest)
    reg, tiles = dest / "registry", dest / "tiles"
    reg.mkdir(parents=True, exist_ok=True)
    shutil.copy2(mirror.npy_dir / "manifest.parquet", reg / "manifest.parquet")
    shutil.copy2(mirror.landmask_dir / "landmasks.parquet", reg / "landmasks.parquet")
    for year, lon, lat in mirror.tiles:
        src = mirror.npy_dir / str(year) / grid_name(lon, lat)
        dst = tiles / EMBEDDINGS_DIR_NAME / str(year) / grid_name(lon, lat)
        dst.mkdir(parents=True, exist_ok=True)
        for f in src.iterdir():
            shutil.copy2(f, dst / f.name)
    (tiles / LANDMASKS_DIR_NAME).mkdir(parents=True, exist_ok=True)
    for f in mirror.landmask_dir.glob("*.tiff"):
        shutil.copy2(f, tiles / LANDMASKS_DIR_NAME / f.name)
    write_tessera_metadata(tiles, VERSION_PATH, "cambridge")
    return dest


def setup_demo_data(dest, pixel_m: float = DEMO_PIXEL_M, seed: int = 0) -> Path:
    """A ready-to-use local Tessera data dir for ``make demo`` (idempotent):
    12 tiles around lon 0.1..0.3, lat 52.0..52.1, year 2024."""
    dest = Path(dest)
    stamp = dest / "sample.json"
    want = {"tiles": DEMO_TILES, "year": DEMO_YEAR, "pixel_m": pixel_m, "seed": seed, "format": DATASET_DIR}
    if stamp.exists() and json.loads(stamp.read_text()) == json.loads(json.dumps(want)):
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    mirror = write_mirror(dest / "mirror", DEMO_TILES, (DEMO_YEAR,), pixel_m, seed=seed)
    install_local(mirror, dest)
    shutil.rmtree(mirror.root)
    stamp.write_text(json.dumps(want))
    return dest


def demo_env(dest) -> Dict[str, str]:
    """Environment that points the core at a data dir made by :func:`setup_demo_data`."""
    dest = Path(dest).resolve()
    return {ENV_REGISTRY_DIR: str(dest / "registry"), ENV_TILES_DIR: str(dest / "tiles")}


def mirror_env(base_url: str) -> Dict[str, str]:
    """Environment that points the core at a served mirror (``root`` of :func:`write_mirror`)."""
    return {ENV_URL: base_url.rstrip("/")}


def s3_route(root):
    """A route for ``tests/loopback.py`` serving ``root`` as S3/Source Cooperative
    do: the ETag is the content MD5 (geotessera verifies every download against
    it) and Last-Modified is set. Returns ``(handler, path, query) -> response``."""
    import email.utils
    import hashlib

    root = Path(root).resolve()
    md5s: Dict[Tuple[str, int], str] = {}

    def route(_handler, path, _query):
        f = (root / path.lstrip("/")).resolve()
        if not str(f).startswith(str(root)) or not f.is_file():
            return None
        body = f.read_bytes()
        st = f.stat()
        key = (str(f), st.st_mtime_ns)
        if key not in md5s:
            md5s[key] = hashlib.md5(body).hexdigest()
        return 200, {"ETag": f'"{md5s[key]}"', "Content-Type": "application/octet-stream",
                     "Last-Modified": email.utils.formatdate(st.st_mtime, usegmt=True)}, body

    return route


def main(argv=None):
    import argparse

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("what", choices=["demo", "mirror"])
    p.add_argument("dest")
    p.add_argument("--pixel-m", type=float, default=None)
    a = p.parse_args(argv)
    if a.what == "demo":
        dest = setup_demo_data(a.dest, a.pixel_m or DEMO_PIXEL_M)
        for k, v in demo_env(dest).items():
            print(f"export {k}={v}")
    else:
        m = write_mirror(a.dest, pixel_m=a.pixel_m or 250.0)
        print(f"{len(m.tiles)} tiles written under {m.root}; serve it and set {ENV_URL}=<its URL>")


if __name__ == "__main__":
    sys.exit(main())
