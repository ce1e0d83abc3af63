"""Geometry helpers: UTM zones, ROI bounds in any CRS, target grids.

Only pyproj and affine (pure Python) are used here; rasterio is not needed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Tuple

from affine import Affine

from .errors import SpecError
from .specs import BBox, PointBuffer, WGS84
from .utm import utm_epsg  # noqa: F401 (callers take it from here)


def crs_string(crs) -> str:
    """Normalise a CRS to 'EPSG:n' where possible, else WKT."""
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    epsg = c.to_epsg()
    return f"EPSG:{epsg}" if epsg else c.to_wkt()


def transformer(src, dst):
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def pointbuffer_utm_bounds(pb: PointBuffer) -> Tuple[int, Tuple[float, float, float, float]]:
    """The PointBuffer square in its local UTM zone: (epsg, (xmin, ymin, xmax, ymax))."""
    epsg = utm_epsg(pb.lon, pb.lat)
    x, y = transformer(WGS84, f"EPSG:{epsg}").transform(pb.lon, pb.lat)
    b = pb.buffer_m
    return epsg, (x - b, y - b, x + b, y + b)


def transform_bounds(src, dst, bounds, densify=21):
    """Bounds of a box after transformation, densifying its edges."""
    t = transformer(src, dst)
    xmin, ymin, xmax, ymax = bounds
    xs, ys = [], []
    for i in range(densify + 1):
        f = i / densify
        for px, py in ((xmin + f * (xmax - xmin), ymin), (xmin + f * (xmax - xmin), ymax),
                       (xmin, ymin + f * (ymax - ymin)), (xmax, ymin + f * (ymax - ymin))):
            tx, ty = t.transform(px, py)
            if math.isfinite(tx) and math.isfinite(ty):
                xs.append(tx)
                ys.append(ty)
    if not xs:
        raise SpecError(f"The area {bounds} in {src} cannot be transformed to {dst}.")
    return (min(xs), min(ys), max(xs), max(ys))


def roi_bounds_in(spatial, crs) -> Tuple[float, float, float, float]:
    """Bounds of the ROI in ``crs``. A PointBuffer is exact in its own UTM zone."""
    crs_s = crs_string(crs)
    if isinstance(spatial, PointBuffer):
        epsg, b = pointbuffer_utm_bounds(spatial)
        if crs_s == f"EPSG:{epsg}":
            return b
        return transform_bounds(f"EPSG:{epsg}", crs_s, b)
    if isinstance(spatial, BBox):
        if spatial.footprint:  # the user's own extent: exact in its CRS, its outline elsewhere
            src, *b = spatial.footprint
            if crs_string(src) == crs_s:
                return tuple(b)
            return transform_bounds(crs_string(src), crs_s, tuple(b))
        if crs_s == WGS84:
            return spatial.bounds_4326()
        return transform_bounds(WGS84, crs_s, spatial.bounds_4326())
    raise SpecError(f"spatial must be a BBox or PointBuffer, got {type(spatial).__name__}.")


def roi_utm_epsg(spatial) -> int:
    lon, lat = spatial.center
    return utm_epsg(lon, lat)


def roi_area_km2(spatial) -> float:
    epsg = roi_utm_epsg(spatial)
    xmin, ymin, xmax, ymax = roi_bounds_in(spatial, f"EPSG:{epsg}")
    return (xmax - xmin) * (ymax - ymin) / 1e6


@dataclass(frozen=True)
class RasterGrid:
    """A north-up raster grid: CRS, affine transform (pixel corner), size."""

    crs: str
    transform: Affine
    width: int
    height: int

    @classmethod
    def from_bounds(cls, crs, bounds, res: float, snap: bool = True) -> "RasterGrid":
        """Smallest grid of ``res`` pixels covering ``bounds``; with ``snap``
        the pixel edges fall on multiples of ``res`` (stable across requests)."""
        xmin, ymin, xmax, ymax = bounds
        if snap:
            x0 = math.floor(xmin / res + 1e-9) * res
            y1 = math.ceil(ymax / res - 1e-9) * res
            x1 = math.ceil(xmax / res - 1e-9) * res
            y0 = math.floor(ymin / res + 1e-9) * res
        else:
            x0, y0, x1, y1 = xmin, ymin, xmax, ymax
        width = max(1, int(round((x1 - x0) / res)))
        height = max(1, int(round((y1 - y0) / res)))
        return cls(crs_string(crs), Affine(res, 0.0, x0, 0.0, -res, y1), width, height)

    @property
    def res(self) -> Tuple[float, float]:
        return (abs(self.transform.a), abs(self.transform.e))

    @property
    def bounds(self) -> Tuple[float, float, float, float]:
        t = self.transform
        x0, y0 = t.c, t.f
        x1 = t.c + t.a * self.width + t.b * self.height
        y1 = t.f + t.d * self.width + t.e * self.height
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    @property
    def shape(self):
        return (self.height, self.width)

    def x_centres(self):
        import numpy as np

        t = self.transform
        return t.c + t.a * (np.arange(self.width) + 0.5)

    def y_centres(self):
        import numpy as np

        t = self.transform
        return t.f + t.e * (np.arange(self.height) + 0.5)
