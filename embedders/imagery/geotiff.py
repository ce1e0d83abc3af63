"""Write an imagery patch as a GeoTIFF: float32 reflectance x 10^4, NaN
no data, band descriptions, provenance tags; atomic."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..fileio import atomic_path
from .base import ImageryPatch


def write_patch(patch: ImageryPatch, path) -> Path:
    import rasterio

    data = np.ascontiguousarray(patch.data, dtype=np.float32)
    c, h, w = data.shape
    prof = {"driver": "GTiff", "width": w, "height": h, "count": c, "dtype": "float32",
            "crs": patch.grid.crs, "transform": patch.grid.transform, "nodata": float("nan"),
            "compress": "deflate", "predictor": 3, "interleave": "pixel" if c <= 4 else "band",
            "BIGTIFF": "IF_SAFER"}
    if w >= 16 and h >= 16:
        bs = 256 if min(w, h) >= 256 else 16 * (min(w, h) // 16)
        prof.update(tiled=True, blockxsize=bs, blockysize=bs)
    meta = patch.meta
    tags = {"RS_EMBED_IMAGERY_SOURCE": str(meta.get("source", "")),
            "RS_EMBED_IMAGERY_SCENES": json.dumps([s.get("id") for s in meta.get("scenes", [])]),
            "RS_EMBED_IMAGERY_UNITS": "surface reflectance x 10000",
            "RS_EMBED_META": json.dumps(meta, default=str)}
    with atomic_path(path) as tmp:
        with rasterio.Env(GDAL_PAM_ENABLED="NO"):
            with rasterio.open(tmp, "w", **prof) as dst:
                dst.write(data)
                dst.update_tags(**tags)
                for i, name in enumerate(patch.bands, start=1):
                    dst.set_band_description(i, str(name))
    return Path(path)
