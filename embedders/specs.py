"""Validated request specs, with rs-embed's semantics.

* ``BBox`` / ``PointBuffer``: where, in EPSG:4326 (lon/lat degrees).
  ``PointBuffer`` is a square of ``2 * buffer_m`` true ground metres a side,
  centred on the point in its local UTM zone (rs-embed used Web-Mercator units).
* ``TemporalSpec``: when. ``year(y)`` is ``[y-01-01, y+1-01-01)``; ``range`` is
  the half-open window ``[start, end)``.
* ``OutputSpec``: what shape comes back, ``pooled`` (D,) or ``grid`` (D, H, W).
* ``SensorSpec``: imagery options for on-the-fly models.
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Optional, Tuple

from . import utm
from .errors import SpecError

WGS84 = "EPSG:4326"


def _finite(name, value):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SpecError(f"{name} must be a number, got {value!r}.") from None
    if not math.isfinite(v):
        raise SpecError(f"{name} must be finite, got {value!r}.")
    return v


def _check_crs(crs):
    if str(crs).upper() != WGS84:
        raise SpecError(
            f"Spatial specs take lon/lat in EPSG:4326, got crs={crs!r}. "
            "Transform the coordinates to EPSG:4326 first."
        )


@dataclass(frozen=True)
class BBox:
    """An axis-aligned box in EPSG:4326: ``BBox(minlon, minlat, maxlon, maxlat)``.

    ``footprint`` (optional): the extent as the user drew it, ``(crs, xmin,
    ymin, xmax, ymax)`` in its own CRS. The box is then its lon/lat bounds,
    and grids cover the footprint itself (its densified outline transformed),
    so that an extent in a projected CRS does not grow on the way."""

    minlon: float
    minlat: float
    maxlon: float
    maxlat: float
    crs: str = WGS84
    footprint: Optional[Tuple] = None

    def __post_init__(self):
        _check_crs(self.crs)
        if self.footprint is not None:
            fp = tuple(self.footprint)
            if len(fp) != 5:
                raise SpecError("footprint is (crs, xmin, ymin, xmax, ymax).")
            vals = tuple(_finite("footprint", v) for v in fp[1:])
            if vals[0] >= vals[2] or vals[1] >= vals[3]:
                raise SpecError(f"The footprint {vals} is empty or inverted.")
            object.__setattr__(self, "footprint", (str(fp[0]),) + vals)
        for name in ("minlon", "minlat", "maxlon", "maxlat"):
            object.__setattr__(self, name, _finite(name, getattr(self, name)))
        if not (-180.0 <= self.minlon <= 180.0 and -180.0 <= self.maxlon <= 180.0):
            raise SpecError(f"Longitudes must lie in [-180, 180], got {self.minlon}..{self.maxlon}.")
        if not (-90.0 <= self.minlat <= 90.0 and -90.0 <= self.maxlat <= 90.0):
            raise SpecError(f"Latitudes must lie in [-90, 90], got {self.minlat}..{self.maxlat}.")
        if self.minlon >= self.maxlon:
            raise SpecError(
                f"BBox is empty or inverted: minlon {self.minlon} must be less than maxlon {self.maxlon}."
            )
        if self.minlat >= self.maxlat:
            raise SpecError(
                f"BBox is empty or inverted: minlat {self.minlat} must be less than maxlat {self.maxlat}."
            )

    @property
    def center(self) -> Tuple[float, float]:
        return ((self.minlon + self.maxlon) / 2.0, (self.minlat + self.maxlat) / 2.0)

    def bounds_4326(self) -> Tuple[float, float, float, float]:
        return (self.minlon, self.minlat, self.maxlon, self.maxlat)

    def to_dict(self):
        d = {"type": "BBox", "minlon": self.minlon, "minlat": self.minlat,
             "maxlon": self.maxlon, "maxlat": self.maxlat, "crs": self.crs}
        if self.footprint:
            d["footprint"] = list(self.footprint)
        return d


@dataclass(frozen=True)
class PointBuffer:
    """A square of ``2 * buffer_m`` ground metres a side around (lon, lat)."""

    lon: float
    lat: float
    buffer_m: float
    crs: str = WGS84

    def __post_init__(self):
        _check_crs(self.crs)
        object.__setattr__(self, "lon", _finite("lon", self.lon))
        object.__setattr__(self, "lat", _finite("lat", self.lat))
        object.__setattr__(self, "buffer_m", _finite("buffer_m", self.buffer_m))
        if not -180.0 <= self.lon <= 180.0:
            raise SpecError(f"lon must lie in [-180, 180], got {self.lon}.")
        if not -90.0 <= self.lat <= 90.0:
            raise SpecError(f"lat must lie in [-90, 90], got {self.lat}.")
        if self.buffer_m <= 0:
            raise SpecError(f"buffer_m must be positive, got {self.buffer_m}.")
        if self.buffer_m > 500_000:
            raise SpecError(f"buffer_m must be at most 500 km, got {self.buffer_m} m.")
        self.bounds_4326()  # refuses a square across the antimeridian or around a pole

    @property
    def center(self) -> Tuple[float, float]:
        return (self.lon, self.lat)

    def bounds_4326(self) -> Tuple[float, float, float, float]:
        """The lon/lat box of the square in its local UTM zone (its densified
        outline), computed on the WGS 84 ellipsoid without pyproj."""
        return _square_bounds_4326(self.lon, self.lat, self.buffer_m)

    def to_dict(self):
        return {"type": "PointBuffer", "lon": self.lon, "lat": self.lat,
                "buffer_m": self.buffer_m, "crs": self.crs}


def _square_bounds_4326(lon, lat, b, densify=21):
    epsg = utm.utm_epsg(lon, lat)
    x, y = utm.forward(epsg, lon, lat)
    ring = []  # the outline, counter-clockwise, each edge in ``densify`` steps
    for (x0, y0), (x1, y1) in (((-b, -b), (b, -b)), ((b, -b), (b, b)), ((b, b), (-b, b)), ((-b, b), (-b, -b))):
        ring += [(x + x0 + (x1 - x0) * i / densify, y + y0 + (y1 - y0) * i / densify) for i in range(densify)]
    lons, lats, unwrapped, prev = [], [], [], lon
    for px, py in ring:
        plon, plat = utm.inverse(epsg, px, py)
        prev += (plon - prev + 180.0) % 360.0 - 180.0  # continuous along the outline
        lons.append(plon)
        lats.append(plat)
        unwrapped.append(prev)
    where = f"The square of {b:g} m around ({lon}, {lat})"
    if abs(unwrapped[-1] + ((lons[0] - unwrapped[-1] + 180.0) % 360.0 - 180.0) - unwrapped[0]) > 180.0:
        pole = "North" if lat > 0 else "South"
        raise SpecError(f"{where} contains the {pole} Pole: every longitude meets there, so it has no "
                        "lon/lat box. RS Embed cannot embed an area around a pole; choose a point beside it.")
    if min(unwrapped) < -180.0 or max(unwrapped) > 180.0:
        raise SpecError(f"{where} crosses the antimeridian (180° longitude): RS Embed cannot yet embed an "
                        "area across it; choose a point or buffer on one side of it.")
    return (min(lons), min(lats), max(lons), max(lats))


def _parse_date(name, value) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise SpecError(f"{name} must be a date as YYYY-MM-DD, got {value!r}.") from None


@dataclass(frozen=True)
class TemporalSpec:
    """A half-open time window ``[start, end)``; ``mode`` says how it was made."""

    mode: str
    start: _dt.date
    end: _dt.date

    def __post_init__(self):
        if self.mode not in ("year", "range"):
            raise SpecError(f"TemporalSpec mode must be 'year' or 'range', got {self.mode!r}.")
        object.__setattr__(self, "start", _parse_date("start", self.start))
        object.__setattr__(self, "end", _parse_date("end", self.end))
        if self.start >= self.end:
            raise SpecError(
                f"The time window is empty: start {self.start} must be before end {self.end} "
                "(the end date is exclusive)."
            )

    @classmethod
    def year(cls, year) -> "TemporalSpec":
        try:
            y = int(year)
        except (TypeError, ValueError):
            raise SpecError(f"year must be a whole number, got {year!r}.") from None
        if isinstance(year, float) and year != y:
            raise SpecError(f"year must be a whole number, got {year!r}.")
        if not 1970 <= y <= 2100:
            raise SpecError(f"year must lie between 1970 and 2100, got {y}.")
        return cls("year", _dt.date(y, 1, 1), _dt.date(y + 1, 1, 1))

    @classmethod
    def range(cls, start, end) -> "TemporalSpec":
        return cls("range", start, end)

    @property
    def year_value(self) -> Optional[int]:
        """The year for ``year`` specs, else None."""
        return self.start.year if self.mode == "year" else None

    def years(self):
        """Every calendar year the window touches."""
        last = (self.end - _dt.timedelta(days=1)).year
        return list(range(self.start.year, last + 1))

    def to_dict(self):
        d = {"mode": self.mode, "start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.mode == "year":
            d["year"] = self.start.year
        return d

    def __str__(self):
        if self.mode == "year":
            return str(self.start.year)
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"


@dataclass(frozen=True)
class OutputSpec:
    """``pooled`` gives one (D,) vector, ``grid`` a (D, H, W) field."""

    mode: str = "grid"
    pooling: str = "mean"
    scale_m: Optional[float] = None

    def __post_init__(self):
        if self.mode not in ("pooled", "grid"):
            raise SpecError(f"OutputSpec mode must be 'pooled' or 'grid', got {self.mode!r}.")
        if self.pooling not in ("mean", "max"):
            raise SpecError(f"pooling must be 'mean' or 'max', got {self.pooling!r}.")
        if self.scale_m is not None:
            s = _finite("scale_m", self.scale_m)
            if s <= 0:
                raise SpecError(f"scale_m must be positive, got {self.scale_m}.")
            object.__setattr__(self, "scale_m", s)

    @classmethod
    def pooled(cls, pooling: str = "mean") -> "OutputSpec":
        return cls("pooled", pooling)

    @classmethod
    def grid(cls, scale_m: Optional[float] = None) -> "OutputSpec":
        return cls("grid", "mean", scale_m)

    def to_dict(self):
        return {"mode": self.mode, "pooling": self.pooling, "scale_m": self.scale_m}


COMPOSITES = ("median", "mosaic")


@dataclass(frozen=True)
class SensorSpec:
    """Imagery options for on-the-fly models.

    ``collection``: e.g. ``"sentinel-2-l2a"``; ``bands``: band names the model
    wants (None: the model's own); ``scale_m``: ground sample distance of the
    patch in metres (UTM grid); ``cloudy_pct``: scene-level cloud filter;
    ``composite``: ``median`` or ``mosaic``; ``mask_clouds``: per-pixel masking.
    """

    collection: str = "sentinel-2-l2a"
    bands: Optional[Tuple[str, ...]] = None
    scale_m: float = 10.0
    cloudy_pct: float = 30.0
    composite: str = "median"
    mask_clouds: bool = True
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        s = _finite("scale_m", self.scale_m)
        if s <= 0:
            raise SpecError(f"scale_m must be positive, got {self.scale_m}.")
        object.__setattr__(self, "scale_m", s)
        c = _finite("cloudy_pct", self.cloudy_pct)
        if not 0 <= c <= 100:
            raise SpecError(f"cloudy_pct must lie in [0, 100], got {self.cloudy_pct}.")
        object.__setattr__(self, "cloudy_pct", c)
        if self.composite not in COMPOSITES:
            raise SpecError(f"composite must be one of {COMPOSITES}, got {self.composite!r}.")
        if self.bands is not None:
            object.__setattr__(self, "bands", tuple(str(b) for b in self.bands))

    def to_dict(self):
        return {"collection": self.collection, "bands": list(self.bands) if self.bands else None,
                "scale_m": self.scale_m, "cloudy_pct": self.cloudy_pct,
                "composite": self.composite, "mask_clouds": self.mask_clouds}


def check_spatial(spatial):
    if not isinstance(spatial, (BBox, PointBuffer)):
        raise SpecError(f"spatial must be a BBox or PointBuffer, got {type(spatial).__name__}.")
    return spatial


def check_temporal(temporal):
    if temporal is None:
        return None
    if not isinstance(temporal, TemporalSpec):
        raise SpecError(f"temporal must be a TemporalSpec, got {type(temporal).__name__}.")
    return temporal
