"""``get_patch``: the one entry point on-the-fly models call for imagery."""
from __future__ import annotations

from ..config import Config, get_config
from ..errors import CredentialsError, SpecError
from ..geo import RasterGrid, roi_area_km2, roi_bounds_in, roi_utm_epsg
from ..specs import check_spatial
from .base import ImageryPatch, ImageryRequest
from .s2 import canonical_band

SOURCES = ("auto", "local", "stac", "gee")


def resolve_source(request: ImageryRequest, config: Config) -> str:
    """``auto``: local when a raster is given, else gee when an Earth Engine
    project is configured, else stac."""
    src = (request.source or "auto").lower()
    if src not in SOURCES:
        raise SpecError(f"Unknown imagery source {request.source!r}; use one of {', '.join(SOURCES)}.")
    if src == "auto":
        if request.input_raster:
            return "local"
        return "gee" if config.ee_project else "stac"
    if src == "local" and not request.input_raster:
        raise SpecError("The 'local' imagery source needs an input raster (a file path or GDAL dataset).")
    if src == "gee" and not config.ee_project:
        raise CredentialsError(
            "The 'gee' imagery source needs an Earth Engine project: set it in the plugin settings or "
            "RS_EMBED_EE_PROJECT, and authenticate once with `earthengine authenticate`; or use the "
            "'stac' source, which needs no account.")
    return src


def target_grid(spatial, scale_m: float) -> RasterGrid:
    """The ROI in its local UTM zone at ``scale_m`` metres, snapped to
    multiples of ``scale_m`` so repeated requests share pixels."""
    epsg = roi_utm_epsg(spatial)
    return RasterGrid.from_bounds(f"EPSG:{epsg}", roi_bounds_in(spatial, f"EPSG:{epsg}"), scale_m)


def _grid_km2(grid: RasterGrid) -> float:
    """Area of a grid in km² (its pixels' metres; lon/lat grids by their box)."""
    from pyproj import CRS

    from ..specs import BBox

    if CRS.from_user_input(grid.crs).is_geographic:
        return roi_area_km2(BBox(*grid.bounds))
    return grid.width * grid.height * grid.res[0] * grid.res[1] / 1e6


def get_patch(request: ImageryRequest, config: Config = None) -> ImageryPatch:
    """Imagery for ``request`` as a (C, H, W) float32 patch of reflectance x
    10^4 (NaN = no data) on the request's grid, or the ROI's UTM grid at
    ``request.sensor.scale_m``. ``patch.meta`` records the source, the scenes
    used and whether it came from the cache."""
    config = config or get_config()
    check_spatial(request.spatial)
    if not request.bands:
        raise SpecError("No bands requested for the imagery patch.")
    source = resolve_source(request, config)
    # a window of the ROI's grid (a chunk) is capped by its own area
    area = _grid_km2(request.grid) if request.grid is not None else roi_area_km2(request.spatial)
    if area > config.max_roi_km2:
        raise SpecError(f"The area is {area:.0f} km², above the limit of {config.max_roi_km2:g} km² "
                        "(setting max_roi_km2 / RS_EMBED_MAX_ROI_KM2). Use a smaller extent.")
    grid = request.grid or target_grid(request.spatial, request.sensor.scale_m)
    if source == "local":
        from .local import fetch_local

        patch = fetch_local(request, grid, list(request.bands), config)
    else:
        bands = [canonical_band(b) for b in request.bands]
        if source == "stac":
            from .stac import fetch_stac as fetch
        else:
            from .gee import fetch_gee as fetch
        patch = fetch(request, grid, bands, config)
        patch = ImageryPatch(patch.data, list(request.bands), patch.grid, patch.meta)
    patch.meta.setdefault("source", source)
    patch.meta.update(requested_source=request.source or "auto",
                      temporal=request.temporal.to_dict() if request.temporal else None,
                      scale_m=abs(grid.transform.a), grid_crs=grid.crs,
                      sensor=request.sensor.to_dict(), roi=request.spatial.to_dict())
    return patch
