"""GeoTIFF writer for grid embeddings: tiled, compressed, float32, NaN no-data,
band descriptions and provenance tags. Written atomically."""
from __future__ import annotations

import contextlib
import json
from pathlib import Path

import numpy as np

from .embedding import Embedding
from .errors import SpecError
from .fileio import atomic_path


def provenance_tags(meta: dict) -> dict:
    """The GeoTIFF tags of a run's metadata (secrets redacted: see redact.py)."""
    from .redact import redact
    from .version import __version__

    meta = redact(meta)
    temporal = meta.get("temporal") or {}
    when = str(temporal.get("year")) if temporal.get("year") else (
        f"[{temporal.get('start')}, {temporal.get('end')})" if temporal else "")
    return {
        "RS_EMBED_MODEL": str(meta.get("model", "")),
        "RS_EMBED_PRODUCT_VERSION": str(meta.get("product_version", "")),
        "RS_EMBED_TIME": when,
        "RS_EMBED_ROI": json.dumps(meta.get("roi")),
        "RS_EMBED_PLUGIN_VERSION": str(meta.get("plugin_version", __version__)),
        "RS_EMBED_META": json.dumps(meta, default=str),
    }


def safe_tags(tags: dict) -> dict:
    """Tags as GDAL takes them (strings), with no secret in them."""
    from .redact import redact

    return {k: redact(str(v)) for k, v in tags.items()}


def _profile(width, height, count, dtype, crs, transform, nodata):
    prof = {
        "driver": "GTiff", "width": width, "height": height, "count": count, "dtype": dtype,
        "crs": crs, "transform": transform, "nodata": nodata,
        "compress": "deflate", "interleave": "pixel" if count <= 4 else "band",
        "BIGTIFF": "IF_SAFER",
    }
    if width >= 16 and height >= 16:
        bs = 256 if min(width, height) >= 256 else 16 * max(1, min(width, height) // 16)
        prof.update(tiled=True, blockxsize=bs, blockysize=bs)
    if dtype == "float32":
        prof["predictor"] = 3
    return prof


@contextlib.contextmanager
def geotiff_writer(path, width, height, count, dtype, crs, transform, nodata=None, tags=None,
                   descriptions=None, colormap=None, colorinterp=None):
    """Open a tiled, compressed GeoTIFF for writing (whole or block by block).
    It appears at ``path`` only when the block completes; on any error or
    cancel nothing is left behind."""
    import rasterio

    prof = _profile(width, height, count, dtype, crs, transform, nodata)
    if nodata is None:
        prof.pop("nodata")
    if colorinterp is not None and count >= 3:
        prof["photometric"] = "RGB"
    with atomic_path(path) as tmp:
        with rasterio.Env(GDAL_PAM_ENABLED="NO"):
            with rasterio.open(tmp, "w", **prof) as dst:
                if colorinterp is not None:
                    dst.colorinterp = colorinterp
                yield dst
                if tags:
                    dst.update_tags(**safe_tags(tags))
                for i, name in enumerate(descriptions or []):
                    dst.set_band_description(i + 1, str(name))
                if colormap:
                    dst.write_colormap(1, colormap)


def write_geotiff(emb: Embedding, path, extra_tags: dict = None) -> Path:
    """Write a grid Embedding as a float32 GeoTIFF; returns the path."""
    if not emb.is_grid:
        raise SpecError("Only grid embeddings can be written as GeoTIFF; ask for OutputSpec.grid().")
    arr = np.asarray(emb.data, dtype=np.float32)
    d, h, w = arr.shape
    names = ([str(b) for b in emb.data.coords["band"].values] if hasattr(emb.data, "coords")
             else [f"dim_{i:03d}" for i in range(d)])
    tags = provenance_tags(emb.meta)
    tags.update(extra_tags or {})
    with geotiff_writer(path, w, h, d, "float32", emb.crs, emb.transform, float("nan"), tags, names) as dst:
        dst.write(arr)
    return Path(path)


def read_geotiff(path) -> Embedding:
    """Read a GeoTIFF written by :func:`write_geotiff` back into an Embedding."""
    import rasterio

    from .embedding import make_grid

    with rasterio.open(path) as src:
        arr = src.read(out_dtype="float32")
        if src.nodata is not None and not np.isnan(src.nodata):
            arr[arr == src.nodata] = np.nan
        names = [d or f"dim_{i:03d}" for i, d in enumerate(src.descriptions)]
        tags = src.tags()
        crs = src.crs.to_string() if src.crs else None
        grid = make_grid(arr, crs, src.transform, names)
    meta = json.loads(tags["RS_EMBED_META"]) if "RS_EMBED_META" in tags else {}
    return Embedding(grid, meta)
