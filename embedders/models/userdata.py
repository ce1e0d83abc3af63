"""Imagery the user already has, as an :class:`~embedders.imagery.base.ImageryPatch`.

``patch_from_array``: a (C, H, W) array of Sentinel-2 reflectance x 10^4 with
its band names, CRS and GDAL transform. ``patch_from_raster``: a raster file,
bands found by ``band_map`` or by Sentinel-2 band descriptions (as the
``local`` imagery source does); its nodata value becomes NaN, ``value_scale``
turns stored values into reflectance x 10^4 (e.g. 10000 for 0..1 files).
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ..errors import SpecError


def patch_from_array(data, bands: Sequence[str], crs, transform, nodata: Optional[float] = None):
    from affine import Affine

    from ..geo import RasterGrid, crs_string
    from ..imagery.base import ImageryPatch

    arr = np.array(data, dtype=np.float32)  # our own copy
    if arr.ndim != 3:
        raise SpecError(f"data must be (bands, height, width); got shape {arr.shape}.")
    if len(bands) != arr.shape[0]:
        raise SpecError(f"data has {arr.shape[0]} bands but {len(bands)} band names were given: {list(bands)}.")
    if crs is None or transform is None:
        raise SpecError("Give the array's crs (e.g. 'EPSG:32631') and its GDAL transform "
                        "(x0, pixel width, 0, y0, 0, -pixel height) so the embedding is georeferenced.")
    t = transform if isinstance(transform, Affine) else Affine.from_gdal(*transform)
    if t.b or t.d or t.a <= 0 or t.e >= 0:
        raise SpecError(f"Only north-up rasters are supported (transform {tuple(t)[:6]}).")
    if nodata is not None and not np.isnan(nodata):
        arr[arr == np.float32(nodata)] = np.nan
    grid = RasterGrid(crs_string(crs), t, arr.shape[2], arr.shape[1])
    return ImageryPatch(arr, [str(b) for b in bands], grid, {"source": "array"})


def patch_from_raster(path, bands: Sequence[str], band_map=None, value_scale: float = 1.0):
    import rasterio

    from ..imagery.local import band_indexes

    with rasterio.open(str(path)) as src:
        idx = band_indexes(src, list(bands), band_map)
        data = src.read(idx, out_dtype="float32", masked=True)
        arr = np.ma.filled(data, np.nan).astype(np.float32)
        crs, transform = src.crs.to_string() if src.crs else None, src.transform
    if value_scale != 1.0:
        arr *= np.float32(value_scale)
    patch = patch_from_array(arr, bands, crs, transform)
    patch.meta.update(source="raster", input_raster=str(path), value_scale=value_scale,
                      band_map={b: int(i) for b, i in zip(bands, idx)})
    return patch
