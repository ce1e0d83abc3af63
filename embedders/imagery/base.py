"""The imagery interface shared by every source and every on-the-fly model.

A source turns an :class:`ImageryRequest` into an :class:`ImageryPatch`: a
(C, H, W) float32 array of surface reflectance x 10^4 (NaN where masked or
missing) on a north-up grid in true ground metres (the ROI's local UTM zone at
``scale_m``), with band names and provenance.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence

import numpy as np

from ..geo import RasterGrid
from ..progress import NULL_PROGRESS, Progress
from ..specs import SensorSpec, TemporalSpec

# Sentinel-2 band names used throughout (L2A has no B10).
S2_BANDS = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12")


@dataclass
class ImageryRequest:
    spatial: Any
    temporal: TemporalSpec
    bands: Sequence[str]
    sensor: SensorSpec = field(default_factory=SensorSpec)
    source: str = "auto"                 # auto | local | stac | gee
    input_raster: Optional[str] = None   # path (or GDAL dataset name) for ``local``
    band_map: Optional[Dict[str, Any]] = None  # model band -> raster band name or 1-based index
    grid: Optional[RasterGrid] = None    # override the target grid
    progress: Progress = NULL_PROGRESS


@dataclass
class ImageryPatch:
    data: np.ndarray          # (C, H, W) float32, reflectance x 10^4, NaN = no data
    bands: Sequence[str]
    grid: RasterGrid
    meta: Dict[str, Any] = field(default_factory=dict)

    def band(self, name: str) -> np.ndarray:
        return self.data[list(self.bands).index(name)]

    def select(self, names: Sequence[str]) -> "ImageryPatch":
        idx = [list(self.bands).index(n) for n in names]
        return ImageryPatch(self.data[idx], list(names), self.grid, dict(self.meta))
