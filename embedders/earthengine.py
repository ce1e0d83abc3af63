"""The one Earth Engine client of RS Embed, shared by every product and imagery
source that reads from Earth Engine.

Interface
---------
``project_id(config=None) -> str``
    The user's Cloud project (setting ``ee_project`` / ``RS_EMBED_EE_PROJECT``);
    raises :class:`CredentialsError` saying what to set when there is none.
``initialize(project=None, config=None) -> ee``
    Initialises the ``ee`` package once per project (thread-safe) and returns it.
    Not signed in / no project: :class:`CredentialsError` saying what to run.
    Skipped when ``ee`` is already initialised for that project (the QGIS Python
    console, or tests that initialise ``ee`` offline from its bundled
    algorithm list).
``compute_pixels(image, grid, band_names, *, mask_nodata=True, workers=4,
retry=RetryPolicy(), progress=None, project=None, config=None, max_bytes, max_side)``
    -> (C, H, W) float32 on ``grid`` (a north-up :class:`~.geo.RasterGrid` in
    any CRS Earth Engine knows, e.g. the ROI's UTM zone), bands in the order of
    ``band_names`` (cast to float32). With ``mask_nodata`` a pixel masked in any
    band is NaN in all (a validity band travels with the request). ``image`` is
    an ``ee.Image`` or a callable ``build(ee) -> ee.Image``, evaluated after
    initialisation (``ee`` objects cannot be built before it). The grid is
    split into requests under the API limits (48 MiB uncompressed, 32768 px a
    side), run ``workers`` at a time, retried with exponential backoff on rate
    limits (429 / RESOURCE_EXHAUSTED / quota) and server errors (5xx, timeouts);
    a request the server still finds too large is split in four; the tiles are
    assembled. ``progress`` gets the fraction of requests done and is checked
    for cancellation between requests. Errors: :class:`CredentialsError`
    (sign-in / project), :class:`EarthEngineError` (refused or failing).
``pixel_request(expression, grid, band_names) -> dict``
    The ``computePixels`` body for one grid (NUMPY_NDARRAY).
``split_grid(grid, bytes_per_pixel, max_bytes, max_side)``
    ``[(row0, col0, RasterGrid)]`` tiles covering ``grid``.
``is_retryable(exc)``: whether an exception is a rate limit or server error.

Network boundary
----------------
:func:`_compute_pixels_call` is the only place that calls
``ee.data.computePixels``, :func:`_get_info_call` the only place that asks
for a value (``getInfo``); :func:`initialize` is the only place that calls
``ee.Initialize``. Everything else is plain code working on their results
(structured NumPy arrays, ``EEException`` messages), which tests replay.
"""
from __future__ import annotations

import math
import random
import re
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from .config import get_config
from .errors import CredentialsError, RSEmbedError
from .geo import RasterGrid
from .packages import require
from .progress import NULL_PROGRESS

MAX_REQUEST_BYTES = 48 * 1024 * 1024   # "Total request size ... must be <= 50331648 bytes"
MAX_GRID_SIDE = 32768                  # pixels a side per request
VALID_BAND = "rs_valid"                # validity band added when mask_nodata

SIGN_IN_HELP = (
    "Sign in once with `earthengine authenticate` in a terminal (the command comes with the "
    "earthengine-api package, in the Python that runs QGIS), then retry."
)
PROJECT_HELP = (
    "Set your Google Cloud project registered for Earth Engine in the RS Embed settings "
    "('Earth Engine project') or in the environment variable RS_EMBED_EE_PROJECT."
)


class EarthEngineError(RSEmbedError):
    """Earth Engine refused or failed a request."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: delay ``base * factor**attempt`` (capped, with
    jitter) before each of at most ``max_retries`` retries."""

    max_retries: int = 6
    base_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 60.0
    jitter: float = 0.25
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, attempt: int) -> float:
        d = min(self.max_delay, self.base_delay * self.factor ** attempt)
        return d * (1.0 + self.jitter * random.random())


# --------------------------------------------------------------------------
# Project and initialisation

_init_lock = threading.Lock()
_initialized_project: Optional[str] = None


def project_id(config=None) -> str:
    cfg = config or get_config()
    project = (cfg.ee_project or "").strip()
    if not project:
        raise CredentialsError(f"Earth Engine needs a Google Cloud project. {PROJECT_HELP}")
    return project


def _ee_ready_for(ee, project: str) -> bool:
    """``ee`` is initialised, for ``project`` (its session state is private)."""
    try:
        return bool(ee.data.is_initialized()) and ee.data._get_state().cloud_api_user_project == project
    except AttributeError:
        return False


def initialize(project: Optional[str] = None, config=None):
    """Initialise ``ee`` for ``project`` (once) and return the module."""
    global _initialized_project
    ee = require("ee", "earthengine-api", "Earth Engine")
    project = project or project_id(config)
    with _init_lock:
        if _initialized_project == project and _ee_ready_for(ee, project):
            return ee
        if not _ee_ready_for(ee, project):
            try:
                ee.Initialize(project=project)
            except Exception as exc:  # EEException, google.auth errors, network
                raise _credentials_error(exc, project) from exc
        _initialized_project = project
    return ee


_NOT_SIGNED_IN = re.compile(r"authorize access|earthengine authenticate|invalid_grant|"
                            r"Reauthentication|credentials", re.I)
_BAD_PROJECT = re.compile(r"no project found|not been used in project|not registered|"
                          r"required permission to use project|PERMISSION_DENIED|"
                          r"project .* not found|Cloud project", re.I)


def _credentials_error(exc, project) -> RSEmbedError:
    text = str(exc)
    if _NOT_SIGNED_IN.search(text):
        return CredentialsError(f"Not signed in to Earth Engine. {SIGN_IN_HELP} ({text.strip()})")
    if _BAD_PROJECT.search(text):
        return CredentialsError(
            f"Earth Engine does not accept the project {project!r}: {text.strip()} "
            f"Register the project for Earth Engine (https://code.earthengine.google.com/register) "
            f"or fix it. {PROJECT_HELP}"
        )
    return EarthEngineError(f"Earth Engine could not be initialised for project {project!r}: {text}")


# --------------------------------------------------------------------------
# Requests

def pixel_request(expression, grid: RasterGrid, band_names: Sequence[str]) -> dict:
    """The ``ee.data.computePixels`` body fetching ``band_names`` on ``grid``."""
    t = grid.transform
    return {
        "expression": expression,
        "fileFormat": "NUMPY_NDARRAY",
        "grid": {
            "dimensions": {"width": int(grid.width), "height": int(grid.height)},
            "affineTransform": {
                "scaleX": float(t.a), "shearX": float(t.b), "translateX": float(t.c),
                "shearY": float(t.d), "scaleY": float(t.e), "translateY": float(t.f),
            },
            "crsCode": grid.crs,
        },
        "bandIds": list(band_names),
    }


def _tile_sizes(width, height, bytes_per_pixel, max_bytes, max_side) -> Tuple[int, int]:
    max_px = max(1, max_bytes // bytes_per_pixel)
    if width * height <= max_px and width <= max_side and height <= max_side:
        return width, height
    side = max(1, min(max_side, int(math.isqrt(max_px))))
    if height <= side:
        tw, th = min(width, max_side, max_px // height), height
    elif width <= side:
        tw, th = width, min(height, max_side, max_px // width)
    else:
        tw = th = side
    nx, ny = math.ceil(width / tw), math.ceil(height / th)
    return math.ceil(width / nx), math.ceil(height / ny)  # balanced, never larger


def sub_grid(grid: RasterGrid, row0: int, col0: int, width: int, height: int) -> RasterGrid:
    t = grid.transform
    x, y = t * (col0, row0)
    from affine import Affine

    return RasterGrid(grid.crs, Affine(t.a, t.b, x, t.d, t.e, y), width, height)


def split_grid(grid: RasterGrid, bytes_per_pixel: int, max_bytes: int = MAX_REQUEST_BYTES,
               max_side: int = MAX_GRID_SIDE) -> List[Tuple[int, int, RasterGrid]]:
    """Tiles ``(row0, col0, grid)`` covering ``grid``, each under the limits."""
    if bytes_per_pixel <= 0 or bytes_per_pixel > max_bytes:
        raise ValueError(f"bytes_per_pixel must lie in 1..{max_bytes}, got {bytes_per_pixel}")
    tw, th = _tile_sizes(grid.width, grid.height, bytes_per_pixel, max_bytes, max_side)
    return [(r, c, sub_grid(grid, r, c, min(tw, grid.width - c), min(th, grid.height - r)))
            for r in range(0, grid.height, th) for c in range(0, grid.width, tw)]


# --------------------------------------------------------------------------
# The network boundary

def _compute_pixels_call(request: dict):
    """THE call to Earth Engine: a structured NumPy array (H, W) with one
    field per band (NUMPY_NDARRAY), or an exception of the ``ee`` package."""
    import ee

    return ee.data.computePixels(request)


def _get_info_call(obj):
    """THE call that asks Earth Engine for a value (a projection, a number)."""
    return obj.getInfo()


def get_value(build, retry: Optional[RetryPolicy] = None, project: Optional[str] = None, config=None):
    """The value of ``build(ee)`` (e.g. an image's projection as a dict),
    with the same retries and error texts as pixel requests."""
    retry = retry or RetryPolicy()
    ee = initialize(project, config)
    expr = build(ee)
    for attempt in range(retry.max_retries + 1):
        try:
            return _get_info_call(expr)
        except Exception as exc:
            if not is_retryable(exc) or attempt == retry.max_retries:
                raise _final_error(exc, attempt + 1) from exc
            retry.sleep(retry.delay(attempt))
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------
# Error classification

_RATE_LIMIT = re.compile(r"\b429\b|RESOURCE_EXHAUSTED|Too many concurrent|Too Many Requests|"
                         r"Quota exceeded|rate limit|User memory limit|concurrency limit", re.I)
_SERVER = re.compile(r"\b50[0234]\b|Internal error|internal error has occurred|Backend Error|"
                     r"Service Unavailable|currently unavailable|Deadline exceeded|"
                     r"Computation timed out|UNAVAILABLE|INTERNAL|Bad Gateway|"
                     r"Connection reset|Connection aborted|timed out", re.I)
_TOO_LARGE = re.compile(r"Total request size|must be less than or equal to|"
                        r"Request payload size exceeds|too large", re.I)


def _http_status(exc) -> Optional[int]:
    resp = getattr(exc, "resp", None)  # googleapiclient.errors.HttpError
    status = getattr(resp, "status", None)
    try:
        return int(status) if status is not None else None
    except (TypeError, ValueError):
        return None


def is_retryable(exc) -> bool:
    """Rate limits (429 / quota) and server errors (5xx), timeouts, resets."""
    status = _http_status(exc)
    if status is not None:
        return status == 429 or 500 <= status < 600
    if isinstance(exc, (TimeoutError, ConnectionError)):
        return True
    text = str(exc)
    return bool(_RATE_LIMIT.search(text) or _SERVER.search(text)) and not _TOO_LARGE.search(text)


def is_too_large(exc) -> bool:
    return bool(_TOO_LARGE.search(str(exc)))


def _final_error(exc, attempts: int) -> RSEmbedError:
    text = str(exc).strip() or type(exc).__name__
    if _NOT_SIGNED_IN.search(text) and not is_retryable(exc):
        return CredentialsError(f"Earth Engine refused the credentials. {SIGN_IN_HELP} ({text})")
    if _BAD_PROJECT.search(text) and not is_retryable(exc):
        return CredentialsError(f"Earth Engine refused the project: {text} {PROJECT_HELP}")
    if is_retryable(exc):
        return EarthEngineError(
            f"Earth Engine kept failing after {attempts} attempts: {text}. "
            "It is busy or rate-limiting this project; retry later or use a smaller ROI."
        )
    return EarthEngineError(f"Earth Engine request failed: {text}")


# --------------------------------------------------------------------------
# compute_pixels

def _to_array(result, band_names, height, width) -> np.ndarray:
    names = getattr(getattr(result, "dtype", None), "names", None)
    if not names:
        raise EarthEngineError(f"Earth Engine returned {type(result).__name__}, not a "
                               "structured NUMPY_NDARRAY.")
    missing = [b for b in band_names if b not in names]
    if missing:
        raise EarthEngineError(f"Earth Engine returned no bands {missing} (got {list(names)}).")
    if tuple(result.shape) != (height, width):
        raise EarthEngineError(f"Earth Engine returned {tuple(result.shape)} pixels for a "
                               f"{height}x{width} request.")
    return np.stack([np.asarray(result[b], dtype=np.float32) for b in band_names])


class _Fetcher:
    def __init__(self, expression, band_names, retry: RetryPolicy, progress):
        self.expression, self.band_names = expression, list(band_names)
        self.retry, self.progress = retry, progress
        self.attempts = 0
        self.lock = threading.Lock()

    def fetch(self, grid: RasterGrid) -> np.ndarray:
        """(C, H, W) for one tile: retried, split in four when too large."""
        request = pixel_request(self.expression, grid, self.band_names)
        for attempt in range(self.retry.max_retries + 1):
            self.progress.check()
            with self.lock:
                self.attempts += 1
            try:
                result = _compute_pixels_call(request)
            except Exception as exc:
                if is_too_large(exc) and grid.width * grid.height > 1:
                    return self._split(grid)
                if not is_retryable(exc) or attempt == self.retry.max_retries:
                    raise _final_error(exc, attempt + 1) from exc
                self.retry.sleep(self.retry.delay(attempt))
                continue
            return _to_array(result, self.band_names, grid.height, grid.width)
        raise AssertionError("unreachable")

    def _split(self, grid: RasterGrid) -> np.ndarray:
        out = np.empty((len(self.band_names), grid.height, grid.width), np.float32)
        hw, hh = max(1, (grid.width + 1) // 2), max(1, (grid.height + 1) // 2)
        for r in range(0, grid.height, hh):
            for c in range(0, grid.width, hw):
                w, h = min(hw, grid.width - c), min(hh, grid.height - r)
                out[:, r:r + h, c:c + w] = self.fetch(sub_grid(grid, r, c, w, h))
        return out


def _with_validity(ee, image, band_names):
    img = image.select(list(band_names)).toFloat()
    valid = img.mask().reduce(ee.Reducer.min()).rename(VALID_BAND).toFloat()
    return img.addBands(valid)


def compute_pixels(image, grid: RasterGrid, band_names: Sequence[str], *, mask_nodata: bool = True,
                   workers: int = 4, retry: Optional[RetryPolicy] = None, progress=None,
                   project: Optional[str] = None, config=None,
                   max_bytes: int = MAX_REQUEST_BYTES, max_side: int = MAX_GRID_SIDE) -> np.ndarray:
    """Pixels of ``image`` on ``grid`` as (C, H, W) float32; see the module doc."""
    progress = progress or NULL_PROGRESS
    retry = retry or RetryPolicy()
    band_names = list(band_names)
    if not band_names:
        raise ValueError("band_names is empty")
    ee = initialize(project, config)
    expr = image(ee) if callable(image) else image
    names = band_names
    if mask_nodata:
        expr = _with_validity(ee, expr, band_names)
        names = band_names + [VALID_BAND]
    else:
        expr = expr.select(band_names).toFloat()
    tiles = split_grid(grid, 4 * len(names), max_bytes, max_side)
    out = np.full((len(names), grid.height, grid.width), np.nan, np.float32)
    fetcher = _Fetcher(expr, names, retry, progress)
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(tiles)))) as pool:
        pending = {pool.submit(fetcher.fetch, g): (r, c, g) for r, c, g in tiles}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    r, c, g = pending.pop(fut)
                    out[:, r:r + g.height, c:c + g.width] = fut.result()
                    done += 1
                    progress.update(done / len(tiles), None)
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    if mask_nodata:
        invalid = ~(out[-1] > 0)
        out = out[:-1]
        out[:, invalid] = np.nan
    return out
