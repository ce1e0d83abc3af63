"""Imagery for on-the-fly models: one interface, several sources
(``local`` rasters, ``stac`` Sentinel-2 L2A, ``gee`` Earth Engine).

``get_patch(ImageryRequest, Config) -> ImageryPatch`` is the entry point."""
from .base import S2_BANDS, ImageryPatch, ImageryRequest  # noqa: F401
from .fetch import SOURCES, get_patch, resolve_source, target_grid  # noqa: F401
from .s2 import parse_bands  # noqa: F401
