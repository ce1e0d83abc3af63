"""Write an imagery patch as a GeoTIFF: float32 reflectance x 10^4, NaN
no data, band descriptions, provenance tags; atomic."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..writers import geotiff_writer
from .base import ImageryPatch


def write_patch(patch: ImageryPatch, path) -> Path:
    data = np.ascontiguousarray(patch.data, dtype=np.float32)
    c, h, w = data.shape
    meta = patch.meta
    tags = {"RS_EMBED_IMAGERY_SOURCE": str(meta.get("source", "")),
            "RS_EMBED_IMAGERY_SCENES": json.dumps([s.get("id") for s in meta.get("scenes", [])]),
            "RS_EMBED_IMAGERY_UNITS": "surface reflectance x 10000",
            "RS_EMBED_META": json.dumps(meta, default=str)}
    with geotiff_writer(path, w, h, c, "float32", patch.grid.crs, patch.grid.transform, float("nan"),
                        tags, patch.bands) as dst:
        dst.write(data)
    return Path(path)
