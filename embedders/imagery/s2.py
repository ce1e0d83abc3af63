"""Sentinel-2 L2A facts shared by the sources: band names and resolutions, SCL
classes, and the processing-baseline offset."""
from __future__ import annotations

import datetime as _dt
import re

from ..errors import SpecError
from .base import S2_BANDS

NATIVE_RES_M = {"B01": 60, "B02": 10, "B03": 10, "B04": 10, "B05": 20, "B06": 20, "B07": 20,
                "B08": 10, "B8A": 20, "B09": 60, "B11": 20, "B12": 20, "SCL": 20}

# STAC common names (eo extension) and Earth Search v1 asset keys.
COMMON_NAMES = {"B01": "coastal", "B02": "blue", "B03": "green", "B04": "red", "B05": "rededge1",
                "B06": "rededge2", "B07": "rededge3", "B08": "nir", "B8A": "nir08", "B09": "nir09",
                "B11": "swir16", "B12": "swir22", "SCL": "scl"}

# Scene classification (SCL) values.
SCL_NAMES = {0: "no data", 1: "saturated or defective", 2: "dark area / cast shadow",
             3: "cloud shadow", 4: "vegetation", 5: "not vegetated", 6: "water",
             7: "unclassified", 8: "cloud, medium probability", 9: "cloud, high probability",
             10: "thin cirrus", 11: "snow or ice"}
# Masked by default: no data, defective, cloud shadow, clouds, cirrus. Snow (11)
# and dark areas (2) are kept: they are real surfaces (winter scenes, terrain
# shadow); pass sensor.extra["scl_mask"] to change the set.
SCL_MASK_DEFAULT = (0, 1, 3, 8, 9, 10)

BOA_OFFSET = 1000.0  # DN offset of processing baseline >= 04.00
BASELINE_04_DATE = _dt.date(2022, 1, 25)  # first day of baseline 04.00 products

PRESETS = {"rgb": ("B04", "B03", "B02"), "all": S2_BANDS, "all s2": S2_BANDS,
           "rgbn": ("B04", "B03", "B02", "B08")}

_BAND_RE = re.compile(r"^B0?(\d{1,2})(A?)$", re.IGNORECASE)


def canonical_band(name) -> str:
    """'B4', 'b04', 'red' -> 'B04'; 'B8a' -> 'B8A'; 'scl' -> 'SCL'."""
    s = str(name).strip()
    if s.upper() == "SCL":
        return "SCL"
    m = _BAND_RE.match(s)
    if m:
        num, a = int(m.group(1)), m.group(2).upper()
        cand = f"B{num}A" if a else f"B{num:02d}"
        if cand in S2_BANDS:
            return cand
    for band, common in COMMON_NAMES.items():
        if s.lower() == common:
            return band
    raise SpecError(f"Unknown Sentinel-2 band {name!r}; use names like {', '.join(S2_BANDS)} "
                    "(L2A has no B10).")


def parse_bands(value):
    """A preset ('RGB', 'all S2'), a comma-separated string or a list -> band names."""
    if isinstance(value, str):
        preset = PRESETS.get(value.strip().lower())
        if preset:
            return list(preset)
        value = [v for v in re.split(r"[,\s;]+", value) if v]
    bands = [canonical_band(b) for b in value]
    if not bands:
        raise SpecError("No bands requested: give a preset (RGB, all S2) or band names like B04,B03,B02.")
    if len(set(bands)) != len(bands):
        raise SpecError(f"Bands are repeated in {list(value)}.")
    return bands


def baseline_of(props) -> float | None:
    for key in ("s2:processing_baseline", "sentinel:processing_baseline", "processing:version"):
        v = props.get(key)
        if v not in (None, ""):
            try:
                return float(v)
            except (TypeError, ValueError):
                continue
    return None


def offset_to_remove(props, acquired: _dt.date | None = None):
    """DN offset to subtract from an L2A scene and why: Earth Search's
    ``earthsearch:boa_offset_applied`` true means already removed; else
    baseline >= 04.00 carries +1000. Without a baseline, the acquisition date
    decides (scenes since 2022-01-25 are baseline >= 04.00)."""
    for flag in ("earthsearch:boa_offset_applied", "sentinel:boa_offset_applied"):
        if props.get(flag) is True:
            return 0.0, f"{flag}=true"
    baseline = baseline_of(props)
    if baseline is not None:
        return (BOA_OFFSET if baseline >= 4.0 else 0.0), f"baseline {baseline:05.2f}"
    if acquired is not None and acquired >= BASELINE_04_DATE:
        return BOA_OFFSET, "no baseline given; acquired after 2022-01-25"
    return 0.0, "no baseline given"
