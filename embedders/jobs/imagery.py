"""Fetch imagery: the Sentinel-2 composite an on-the-fly model would see, as
a float32 GeoTIFF (reflectance x 10^4, NaN no data)."""
from __future__ import annotations

from ..errors import SpecError
from ..fileio import OutputSet
from .common import spatial_from, temporal_from, value_scale_extra
from .staging import finite


def rgb_bands(bands):
    """1-based output bands to show as red, green, blue: B04/B03/B02 when
    present, else the first three; None for fewer than three bands."""
    canon = {"B4": "B04", "B3": "B03", "B2": "B02"}
    names = [canon.get(str(b).upper(), str(b).upper()) for b in bands]
    if all(b in names for b in ("B04", "B03", "B02")):
        return [names.index(b) + 1 for b in ("B04", "B03", "B02")]
    return [1, 2, 3] if len(names) >= 3 else None


def fetch_imagery(params: dict, progress) -> dict:
    """params: spatial, temporal, imagery_source (auto, local, stac, gee),
    input_raster (for local / auto), band_map ("B04=3,B03=2,B02=1"), value_scale
    (a catalog.VALUE_SCALES id: how the raster's values become x 10^4), bands
    ("RGB", "RGBN", "all", or "B04,B03,..."), scale_m, cloudy_pct, composite,
    mask_clouds, output. Outputs: the grid, the bands and the bands to show as RGB."""
    from ..config import get_config
    from ..imagery import ImageryRequest, get_patch, parse_bands
    from ..imagery.geotiff import write_patch
    from ..imagery.local import parse_band_map
    from ..specs import SensorSpec

    out = params.get("output")
    if not out:
        raise SpecError("The job needs an 'output' GeoTIFF path.")
    source = params.get("imagery_source") or "auto"
    raster = params.get("input_raster") or None
    if source == "local" and not raster:
        raise SpecError("The 'local' imagery source needs an input raster.")
    spatial = spatial_from(params.get("spatial"))
    temporal = temporal_from(params.get("temporal"))
    bands = parse_bands(params.get("bands") or "RGB")
    sensor = SensorSpec(bands=tuple(bands), scale_m=float(params.get("scale_m") or 10.0),
                        cloudy_pct=float(params.get("cloudy_pct", 30.0)),
                        composite=params.get("composite") or "median",
                        mask_clouds=bool(params.get("mask_clouds", True)), extra=value_scale_extra(params))
    request = ImageryRequest(spatial, temporal, bands, sensor, source=source,
                             input_raster=raster if source in ("auto", "local") else None,
                             band_map=parse_band_map(params.get("band_map")), progress=progress.sub(0.0, 0.95))
    patch = get_patch(request, get_config())
    with OutputSet() as outs:
        write_patch(patch, outs.path(out))
    meta = patch.meta
    scenes = [str(s.get("id")) for s in meta.get("scenes") or []]
    valid = float((patch.data == patch.data).all(axis=0).mean())
    progress.update(1.0)
    return finite({"output": out, "source": meta.get("source"), "scenes": scenes, "crs": str(patch.grid.crs),
                   "res": float(patch.grid.res[0]), "width": int(patch.grid.width),
                   "height": int(patch.grid.height), "valid_fraction": valid, "cache": meta.get("cache"),
                   "bands": [str(b) for b in patch.bands], "rgb": rgb_bands(patch.bands),
                   "time": str(temporal)})
