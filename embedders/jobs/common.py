"""Job parameters (JSON) -> the core's specs and keyword arguments."""
from __future__ import annotations

import threading
from typing import Optional

from .. import catalog
from ..errors import SpecError
from ..specs import BBox, PointBuffer, SensorSpec, TemporalSpec


def spatial_from(d) -> object:
    """``{"bbox": [minlon, minlat, maxlon, maxlat]}`` (optionally with
    ``"footprint": [crs, xmin, ymin, xmax, ymax]``, the extent in its own CRS)
    or ``{"point": [lon, lat], "buffer_m": m}``, in EPSG:4326."""
    if not isinstance(d, dict):
        raise SpecError("The job needs 'spatial': {'bbox': [minlon, minlat, maxlon, maxlat]} in EPSG:4326.")
    if "bbox" in d:
        return BBox(*[float(v) for v in d["bbox"]], footprint=d.get("footprint"))
    if "point" in d:
        lon, lat = d["point"]
        return PointBuffer(float(lon), float(lat), float(d.get("buffer_m", 0)))
    raise SpecError(f"Unknown spatial spec {d!r}: give 'bbox' or 'point' with 'buffer_m'.")


def temporal_from(d) -> Optional[TemporalSpec]:
    """``{"year": 2024}`` or ``{"start": "2024-05-01", "end": "2024-09-01"}`` (end exclusive)."""
    if d in (None, {}):
        return None
    if d.get("start") or d.get("end"):
        if not (d.get("start") and d.get("end")):
            raise SpecError("Give both a start and an end date (the end is exclusive), or neither and a year.")
        return TemporalSpec.range(d["start"], d["end"])
    if d.get("year") in (None, ""):
        raise SpecError("Give a year, or a start and an end date.")
    return TemporalSpec.year(int(d["year"]))


def value_scale_extra(params: dict) -> dict:
    """The sensor extras that turn a local raster's values into reflectance
    x 10^4 (params' value_scale, a catalog.VALUE_SCALES id; none for the default)."""
    scale = params.get("value_scale") or "reflectance_1e4"
    if scale not in catalog.VALUE_SCALES:
        raise SpecError(f"value_scale must be one of {', '.join(catalog.VALUE_SCALES)}, got {scale!r}.")
    if scale == "reflectance_1e4":
        return {}
    return {"value_scale": catalog.VALUE_SCALES[scale], "value_scale_name": scale}


def embed_kwargs(model: str, params: dict) -> dict:
    """Keyword arguments of the core's API for one model: the routed backend
    (product backend or imagery source) and, for on-the-fly models, the
    imagery options."""
    kind = catalog.card(model).kind
    kwargs = {"backend": catalog.route(model, params.get("backend") or "auto",
                                       params.get("imagery_source") or "auto")}
    if kind == "onthefly":
        sensor = dict(params.get("sensor") or {})
        scale_extra = value_scale_extra(params)
        if scale_extra:
            sensor["extra"] = dict(sensor.get("extra") or {}, **scale_extra)
        if sensor:
            kwargs["sensor"] = SensorSpec(**sensor)
        if params.get("band_map"):
            from ..imagery.local import parse_band_map

            bm = params["band_map"]
            kwargs["band_map"] = bm if isinstance(bm, dict) else parse_band_map(bm)
        for name in ("input_prep", "device"):
            if params.get(name):
                kwargs[name] = params[name]
        if params.get("input_raster"):
            kwargs["input_raster"] = params["input_raster"]
        elif kwargs["backend"] == "local":
            raise SpecError("The 'local' imagery source needs an input raster.")
    own = catalog.parse_options(params.get("model_options"))
    catalog.check_options(model, own)
    clash = sorted(set(own) & set(catalog.KIND_OPTIONS[kind]))
    if clash:
        raise SpecError(f"Give {', '.join(clash)} with the imagery inputs, not as model options.")
    kwargs.update(own)
    return kwargs


_WARM = {}
_WARM_LOCK = threading.Lock()


def warm_embedder(model: str):
    """One embedder per model id for this process: a worker kept warm across
    jobs reuses the model it already loaded."""
    from ..registry import create_embedder, resolve

    mid = resolve(model)
    with _WARM_LOCK:
        if mid not in _WARM:
            _WARM[mid] = create_embedder(mid)
        return _WARM[mid]
