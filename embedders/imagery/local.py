"""The ``local`` source: any GDAL raster (path or dataset name) in any CRS,
read by windows onto the target UTM grid, with a band mapping.

Values are taken as reflectance x 10^4 unless ``sensor.extra`` gives
``value_scale`` / ``value_offset`` (value * scale + offset), e.g. 10000 for
reflectance stored as 0..1 floats."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataUnavailableError, SpecError
from ..geo import RasterGrid, transform_bounds
from .base import ImageryPatch
from .s2 import canonical_band
from .warp import HTTP_OPTIONS, read_to_grid

_COLOR = {"red": "B04", "green": "B03", "blue": "B02"}


def _canon(name):
    try:
        return canonical_band(name)
    except SpecError:
        return None


def _describe(src) -> str:
    return ", ".join(f"{i}: {d!r}" if d else f"{i}: (no name)"
                     for i, d in enumerate(src.descriptions, start=1))


def _index_for(src, value, band) -> int:
    """A band-map value (1-based index, or band description) -> index."""
    if isinstance(value, (int, np.integer)) or (isinstance(value, str) and value.strip().isdigit()):
        idx = int(value)
        if not 1 <= idx <= src.count:
            raise SpecError(f"Band mapping {band}={value}: the raster has bands 1..{src.count}.")
        return idx
    wanted = str(value).strip()
    for i, d in enumerate(src.descriptions, start=1):
        if d and d.strip().lower() == wanted.lower():
            return i
    canon = _canon(wanted)
    for i, d in enumerate(src.descriptions, start=1):
        if canon and d and _canon(d.strip()) == canon:
            return i
    raise SpecError(f"Band mapping {band}={value!r}: no raster band has that name. "
                    f"The raster's bands are {_describe(src)}.")


def band_indexes(src, bands, band_map=None):
    """1-based raster band for each requested band: from ``band_map`` (model
    band -> name or index), else by band descriptions that are Sentinel-2
    names ('B04', 'B4', 'red'), else by red/green/blue colour interpretation."""
    if band_map:
        by_canon = {_canon(k) or k: v for k, v in band_map.items()}
        out = []
        for b in bands:
            if b in band_map:
                out.append(_index_for(src, band_map[b], b))
            elif (_canon(b) or b) in by_canon:
                out.append(_index_for(src, by_canon[_canon(b) or b], b))
            else:
                raise SpecError(f"The band mapping {dict(band_map)} has no entry for band {b}; "
                                f"map every requested band ({', '.join(bands)}).")
        return out
    names = {}
    for i, d in enumerate(src.descriptions, start=1):
        c = _canon(d.strip()) if d else None
        if c and c not in names:
            names[c] = i
    colors = {}
    for i, ci in enumerate(src.colorinterp, start=1):
        c = _COLOR.get(ci.name)
        if c and c not in colors:
            colors[c] = i
    for table in (names, colors):
        if all((_canon(b) or b) in table for b in bands):
            return [table[_canon(b) or b] for b in bands]
    raise SpecError(
        f"Cannot tell which bands of {src.name} are {', '.join(bands)}: its bands are {_describe(src)}. "
        "Give a band mapping, e.g. B04=3,B03=2,B02=1 (raster band index or name).")


def parse_band_map(text):
    """'B04=3, B03=2, B02=Blue' -> {'B04': 3, 'B03': 2, 'B02': 'Blue'}; empty -> None."""
    if text is None or not str(text).strip():
        return None
    out = {}
    for part in str(text).replace(";", ",").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise SpecError(f"Band mapping entry {part.strip()!r} is not 'band=raster band' "
                            "(e.g. B04=3,B03=2,B02=1).")
        k, v = (x.strip() for x in part.split("=", 1))
        if not k or not v:
            raise SpecError(f"Band mapping entry {part.strip()!r} is incomplete (e.g. B04=3).")
        out[k] = int(v) if v.isdigit() else v
    return out or None


def scale_warning(raw, factor: float, name=None):
    """A sentence when the raster's values do not fit the declared value
    scale (reflectance x 10^4, reflectance 0-1 or 8-bit), else None."""
    vals = raw[np.isfinite(raw)]
    if vals.size == 0:
        return None
    top = float(np.percentile(vals, 99))
    name = name or {1.0: "reflectance_1e4", 10000.0: "reflectance_0_1"}.get(round(factor, 6), "custom")
    looks = ("reflectance 0-1" if top <= 1.5 else "8-bit (0-255)" if top <= 255 and vals.max() <= 255
             else "reflectance x 10^4")
    fits = {"reflectance_1e4": looks == "reflectance x 10^4",
            "reflectance_0_1": looks == "reflectance 0-1",
            "uint8": looks == "8-bit (0-255)"}.get(name, True)
    if fits:
        return None
    return (f"the input raster's values look like {looks} (99th percentile {top:g}), not {name}: the model "
            f"would see {'an almost black' if looks != 'reflectance x 10^4' else 'a saturated'} image. "
            "Set the value scale of the input raster (VALUE_SCALE) to match.")


def fetch_local(request, grid: RasterGrid, bands, config=None) -> ImageryPatch:
    import rasterio

    path = str(request.input_raster or "")
    if not path:
        raise SpecError("The 'local' imagery source needs an input raster (a file path or GDAL dataset).")
    extra = request.sensor.extra or {}
    scale = float(extra.get("value_scale", 1.0))
    offset = float(extra.get("value_offset", 0.0))
    resampling = str(extra.get("resampling", "nearest"))
    request.progress.update(0.05, f"Reading {Path(path).name} onto {grid.crs} at {grid.res[0]:g} m")
    try:
        with rasterio.Env(**HTTP_OPTIONS), rasterio.open(path) as src:
            idx = band_indexes(src, bands, request.band_map)
            data = read_to_grid(src, idx, grid, resampling=resampling)
            src_bounds = transform_bounds(src.crs.to_wkt(), "EPSG:4326", src.bounds) if src.crs else None
            descriptions = [src.descriptions[i - 1] for i in idx]
    except rasterio.errors.RasterioIOError as exc:
        raise SpecError(f"Cannot open the input raster {path!r}: {exc}") from exc
    warning = scale_warning(data, scale, extra.get("value_scale_name"))
    if warning:
        request.progress.info(f"Warning: {warning}")
    if scale != 1.0 or offset != 0.0:
        data = data * np.float32(scale) + np.float32(offset)
    if not np.isfinite(data).any():
        raise DataUnavailableError(
            f"The input raster {path} has no data over the area (raster bounds in lon/lat: "
            f"{tuple(round(v, 5) for v in src_bounds) if src_bounds else 'unknown'}). "
            "Pick an area the raster covers, or another raster.")
    request.progress.update(1.0)
    meta = {"source": "local", "input_raster": path,
            "band_map": {b: {"index": i, "description": d} for b, i, d in zip(bands, idx, descriptions)},
            "scenes": [{"id": Path(path).name, "path": path}],
            "value_scale": scale, "value_offset": offset, "resampling": resampling}
    if warning:
        meta["value_scale_warning"] = warning
    return ImageryPatch(data.astype(np.float32, copy=False), list(bands), grid, meta)
