"""Fixtures in the real formats of the precomputed products, made through the
real libraries: AlphaEarth (AEF) bottom-up int8 COGs plus the index
GeoParquet, and the Copernicus Embed GeoTIFF. Shared by tests and benchmarks."""
from __future__ import annotations

from pathlib import Path

import numpy as np

AEF_BANDS = [f"A{i:02d}" for i in range(64)]
S3_PREFIX = "s3://us-west-2.opendata.source.coop/tge-labs/aef/v1/annual"
COP_TRANSFORM = (0.25, 0.0, -180.125, 0.0, -0.25, 90.125)  # the real product's


def aef_values(shape, seed=0, nodata_box=None):
    """Random AEF int8 values (64, H, W) in [-127, 127], optional no-data box
    ``(r0, r1, c0, c1)`` in storage rows (bottom-up)."""
    rng = np.random.default_rng(seed)
    data = rng.integers(-127, 128, size=(64,) + tuple(shape), dtype=np.int16).astype(np.int8)
    if nodata_box is not None:
        r0, r1, c0, c1 = nodata_box
        data[:, r0:r1, c0:c1] = -128
    return data


def write_aef_cog(path, data, crs, x0, y0, block=256, overviews=True):
    """A bottom-up AEF COG: origin at the bottom-left corner (positive y
    resolution), int8, nodata -128, band-separate tiles, ZSTD, overviews
    copied ahead of the data (COG layout)."""
    import rasterio
    import rasterio.shutil
    from rasterio.enums import Resampling
    from rasterio.transform import Affine

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _, h, w = data.shape
    tmp = path.with_suffix(".src.tif")
    profile = dict(driver="GTiff", width=w, height=h, count=64, dtype="int8", crs=crs,
                   transform=Affine(10.0, 0.0, x0, 0.0, 10.0, y0), nodata=-128,
                   tiled=True, blockxsize=block, blockysize=block, interleave="band")
    with rasterio.open(tmp, "w", **profile) as ds:
        ds.write(data)
        for i, name in enumerate(AEF_BANDS, start=1):
            ds.set_band_description(i, name)
        if overviews:
            ds.build_overviews([2, 4], Resampling.nearest)
    rasterio.shutil.copy(tmp, path, driver="GTiff", TILED="YES", BLOCKXSIZE=block,
                         BLOCKYSIZE=block, COMPRESS="ZSTD", INTERLEAVE="BAND",
                         COPY_SRC_OVERVIEWS="YES")
    tmp.unlink()
    return path


def aef_index_row(rel_path, year, crs, x0, y0, w, h):
    """An index row as in ``aef_index.parquet`` for a file at ``<year>/<zone>/...``."""
    from pyproj import Transformer
    from shapely.geometry import box

    x1, y1 = x0 + 10.0 * w, y0 + 10.0 * h
    t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lons, lats = t.transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    zone = rel_path.split("/")[1]
    return {"fid": 0, "path": f"{S3_PREFIX}/{rel_path}", "year": year, "utm_zone": zone, "crs": crs,
            "utm_west": x0, "utm_south": y0, "utm_east": x1, "utm_north": y1,
            "wgs84_west": min(lons), "wgs84_south": min(lats),
            "wgs84_east": max(lons), "wgs84_north": max(lats),
            "geometry": box(min(lons), min(lats), max(lons), max(lats))}


def write_aef_index(path, rows):
    """The index GeoParquet (geopandas, EPSG:4326 geometry)."""
    import geopandas as gpd

    for i, r in enumerate(rows):
        r["fid"] = i
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    gdf.to_parquet(path)
    return path


def dequantize_ref(v):
    """Reference de-quantisation, computed independently in float64."""
    v = np.asarray(v, dtype=np.float64)
    out = (v / 127.5) ** 2 * np.sign(v)
    return np.where(v == -128, np.nan, out)


def tiff_block_bytes(path, window, band_count=None):
    """Stored bytes of the full-resolution blocks a window (col0, row0, w, h)
    touches, summed over bands (from the TIFF block index, through rasterio)."""
    import rasterio

    with rasterio.open(path) as ds:
        by, bx = ds.block_shapes[0]
        c0, r0, w, h = window
        total = 0
        for b in range(1, (band_count or ds.count) + 1):
            for yb in range(r0 // by, (r0 + h - 1) // by + 1):
                for xb in range(c0 // bx, (c0 + w - 1) // bx + 1):
                    total += int(ds.block_size(b, yb, xb))
    return total


def write_copernicus_tif(path, values, col0=0, row0=0, **profile_overrides):
    """A Copernicus Embed GeoTIFF: float32, 768 bands, EPSG:4326, the real
    0.25 degree transform (shifted to start at cell (row0, col0) of the global
    grid), tiled, deflate, pixel-interleaved as torchgeo's fixture of it."""
    import rasterio
    from rasterio.transform import Affine

    a, b, c, d, e, f = COP_TRANSFORM
    bands, h, w = values.shape
    profile = dict(driver="GTiff", dtype="float32", nodata=None, width=w, height=h, count=bands,
                   crs="EPSG:4326", transform=Affine(a, b, c + a * col0, d, e, f + e * row0),
                   tiled=True, blockxsize=256, blockysize=256, compress="deflate", interleave="pixel")
    profile.update(profile_overrides)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(values.astype(np.float32))
    return Path(path)
