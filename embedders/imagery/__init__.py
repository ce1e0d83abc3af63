"""Imagery for on-the-fly models: one interface, several sources
(``local`` rasters, ``stac`` Sentinel-2 L2A, ``gee`` Earth Engine)."""
from .base import ImageryPatch, ImageryRequest  # noqa: F401
