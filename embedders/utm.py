"""UTM and UPS on the WGS 84 ellipsoid in pure Python (standard library only),
so that the specs can give a PointBuffer's lon/lat box without pyproj.

Transverse Mercator by Krüger's series in n to the 4th order (Karney 2011,
"Transverse Mercator with an accuracy of a few nanometers"): sub-millimetre
within a zone and the few degrees beyond it a 500 km buffer reaches. UPS is
the ellipsoidal polar stereographic projection with its scale factor 0.994.
"""
from __future__ import annotations

import math
from typing import Tuple

A = 6378137.0
F = 1 / 298.257223563
E = math.sqrt(F * (2 - F))
_N = F / (2 - F)
_RECT = A / (1 + _N) * (1 + _N ** 2 / 4 + _N ** 4 / 64)  # rectifying radius
_ALPHA = (_N / 2 - 2 * _N ** 2 / 3 + 5 * _N ** 3 / 16 + 41 * _N ** 4 / 180,
          13 * _N ** 2 / 48 - 3 * _N ** 3 / 5 + 557 * _N ** 4 / 1440,
          61 * _N ** 3 / 240 - 103 * _N ** 4 / 140,
          49561 * _N ** 4 / 161280)
_BETA = (_N / 2 - 2 * _N ** 2 / 3 + 37 * _N ** 3 / 96 - _N ** 4 / 360,
         _N ** 2 / 48 + _N ** 3 / 15 - 437 * _N ** 4 / 1440,
         17 * _N ** 3 / 480 - 37 * _N ** 4 / 840,
         4397 * _N ** 4 / 161280)
_DELTA = (2 * _N - 2 * _N ** 2 / 3 - 2 * _N ** 3 + 116 * _N ** 4 / 45,
          7 * _N ** 2 / 3 - 8 * _N ** 3 / 5 - 227 * _N ** 4 / 45,
          56 * _N ** 3 / 15 - 136 * _N ** 4 / 35,
          4279 * _N ** 4 / 630)
K0_UTM, K0_UPS = 0.9996, 0.994
UPS_NORTH, UPS_SOUTH = 32661, 32761


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the UTM zone (WGS 84) containing (lon, lat); UPS near the poles."""
    if lat >= 84.0:
        return UPS_NORTH
    if lat < -80.0:
        return UPS_SOUTH
    zone = min(int(math.floor((lon + 180.0) / 6.0)), 59) + 1  # lon 180 is in zone 60
    # Norway and Svalbard exceptions of the UTM grid.
    if 56.0 <= lat < 64.0 and 3.0 <= lon < 12.0:
        zone = 32
    elif 72.0 <= lat < 84.0 and 0.0 <= lon < 42.0:
        zone = 31 if lon < 9 else 33 if lon < 21 else 35 if lon < 33 else 37
    return (32600 if lat >= 0 else 32700) + zone


def _zone(epsg: int) -> Tuple[float, float]:
    """(central meridian, false northing) of a UTM EPSG code."""
    zone = epsg % 100
    if not (32601 <= epsg <= 32660 or 32701 <= epsg <= 32760):
        raise ValueError(f"EPSG:{epsg} is not a WGS 84 UTM zone")
    return -183.0 + 6.0 * zone, (0.0 if epsg < 32700 else 10_000_000.0)


def _tm_forward(lon, lat, lon0):
    phi, lam = math.radians(lat), math.radians(lon - lon0)
    t = math.sinh(math.atanh(math.sin(phi)) - E * math.atanh(E * math.sin(phi)))
    xi_, eta_ = math.atan2(t, math.cos(lam)), math.atanh(math.sin(lam) / math.hypot(1.0, t))
    xi = xi_ + sum(a * math.sin(2 * j * xi_) * math.cosh(2 * j * eta_) for j, a in enumerate(_ALPHA, 1))
    eta = eta_ + sum(a * math.cos(2 * j * xi_) * math.sinh(2 * j * eta_) for j, a in enumerate(_ALPHA, 1))
    return _RECT * eta, _RECT * xi


def _tm_inverse(x, y, lon0):
    xi, eta = y / _RECT, x / _RECT
    xi_ = xi - sum(b * math.sin(2 * j * xi) * math.cosh(2 * j * eta) for j, b in enumerate(_BETA, 1))
    eta_ = eta - sum(b * math.cos(2 * j * xi) * math.sinh(2 * j * eta) for j, b in enumerate(_BETA, 1))
    chi = math.asin(math.sin(xi_) / math.cosh(eta_))
    phi = chi + sum(d * math.sin(2 * j * chi) for j, d in enumerate(_DELTA, 1))
    lon = lon0 + math.degrees(math.atan2(math.sinh(eta_), math.cos(xi_)))
    if not -180.0 <= lon <= 180.0:  # past the antimeridian: back into [-180, 180)
        lon = (lon + 180.0) % 360.0 - 180.0
    return lon, math.degrees(phi)


_UPS_C = math.sqrt((1 + E) ** (1 + E) * (1 - E) ** (1 - E))


def _ups_forward(lon, lat, south):
    phi = math.radians(-lat if south else lat)
    es = E * math.sin(phi)
    t = math.tan(math.pi / 4 - phi / 2) / ((1 - es) / (1 + es)) ** (E / 2)
    rho = 2 * A * K0_UPS * t / _UPS_C
    lam = math.radians(lon)
    return 2e6 + rho * math.sin(lam), 2e6 + (rho if south else -rho) * math.cos(lam)


def _ups_inverse(x, y, south):
    dx, dy = x - 2e6, (y - 2e6) if south else (2e6 - y)
    t = math.hypot(dx, dy) * _UPS_C / (2 * A * K0_UPS)
    phi = math.pi / 2 - 2 * math.atan(t)
    for _ in range(20):
        es = E * math.sin(phi)
        nxt = math.pi / 2 - 2 * math.atan(t * ((1 - es) / (1 + es)) ** (E / 2))
        if abs(nxt - phi) < 1e-14:
            break
        phi = nxt
    lon = math.degrees(math.atan2(dx, dy))
    return lon, -math.degrees(phi) if south else math.degrees(phi)


def forward(epsg: int, lon: float, lat: float) -> Tuple[float, float]:
    """(easting, northing) of (lon, lat) in a WGS 84 UTM zone or UPS."""
    if epsg in (UPS_NORTH, UPS_SOUTH):
        return _ups_forward(lon, lat, epsg == UPS_SOUTH)
    lon0, fn = _zone(epsg)
    x, y = _tm_forward(lon, lat, lon0)
    return 500_000.0 + K0_UTM * x, fn + K0_UTM * y


def inverse(epsg: int, x: float, y: float) -> Tuple[float, float]:
    """(lon, lat) of an easting and northing in a WGS 84 UTM zone or UPS."""
    if epsg in (UPS_NORTH, UPS_SOUTH):
        return _ups_inverse(x, y, epsg == UPS_SOUTH)
    lon0, fn = _zone(epsg)
    return _tm_inverse((x - 500_000.0) / K0_UTM, (y - fn) / K0_UTM, lon0)
