"""Labelled pixels: the stacked embedding vectors under points and polygons.

Features arrive in the job's params in the first raster's CRS, each a dict
``{"wkt": "POINT (x y)" | "POLYGON (...)" | ..., "value": v}`` or
``{"xy": [x, y], "value": v}``. A polygon takes the pixels whose centres it
holds (the pixels it touches when it holds no centre); a point takes the pixel
it falls in. Only the blocks that hold labels are read; the number of pixels
kept is capped by a uniform random sample (memory O(cap x bands))."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List

import numpy as np

from ..errors import DataUnavailableError, SpecError
from ..progress import NULL_PROGRESS
from ..analysis.blocks import pixels

MAX_SAMPLES = 200_000


@dataclass
class Samples:
    x: np.ndarray          # (N, D) float32 vectors
    values: list           # (N,) raw label values (class names or numbers)
    xy: np.ndarray         # (N, 2) pixel centres in the raster's CRS
    feature: np.ndarray    # (N,) index of the feature each pixel came from
    dropped_nodata: int = 0
    outside: int = 0       # features with no pixel on the raster
    capped_from: int = 0   # pixels before the cap (0 when not capped)


def parse_features(features) -> list:
    """(shapely geometry, value) per feature; clear errors for bad input."""
    from shapely import wkt as shapely_wkt
    from shapely.errors import ShapelyError
    from shapely.geometry import Point

    out = []
    for i, f in enumerate(features or []):
        if not isinstance(f, dict) or "value" not in f:
            raise SpecError(f"Feature {i} must be an object with 'wkt' or 'xy' and a 'value'.")
        if f.get("value") is None:
            continue
        try:
            geom = shapely_wkt.loads(f["wkt"]) if f.get("wkt") else Point(*[float(v) for v in f["xy"]])
        except (ShapelyError, KeyError, TypeError, ValueError) as exc:
            raise SpecError(f"Feature {i} has no readable geometry ({exc}).") from exc
        if geom.is_empty:
            continue
        out.append((geom, f["value"]))
    return out


def _burn(geoms, window, transform, all_touched):
    from rasterio import features as rfeatures
    from rasterio.windows import transform as win_transform

    shape = (int(window.height), int(window.width))
    return rfeatures.rasterize(geoms, out_shape=shape, transform=win_transform(window, transform), fill=-1,
                               all_touched=all_touched, dtype="int32")


def _pixel_bounds(geom, inv):
    """Column/row range a geometry's bounds cover (inv: the inverse affine)."""
    x0, y0, x1, y1 = geom.bounds
    cs, rs = zip(*[inv @ (x, y) for x, y in ((x0, y0), (x1, y1), (x0, y1), (x1, y0))])
    return min(cs) - 1, min(rs) - 1, max(cs) + 1, max(rs) + 1


def _intersects(b, w):
    return b[0] <= w.col_off + w.width and b[2] >= w.col_off and b[1] <= w.row_off + w.height and b[3] >= w.row_off


class _Collector:
    """Labelled pixel vectors with a uniform random cap (smallest random keys kept)."""

    def __init__(self, cap, seed):
        self.cap, self.rng = int(cap), np.random.default_rng(seed)
        self.parts: List[tuple] = []
        self.total = 0

    def add(self, x, fid, xy):
        keys = self.rng.random(len(fid))
        self.parts.append((keys, x, fid, xy))
        self.total += len(fid)
        if sum(len(p[0]) for p in self.parts) > 2 * self.cap:
            self.parts = [self._trim()]

    def _trim(self):
        keys, x, fid, xy = (np.concatenate([p[i] for p in self.parts]) for i in range(4))
        if len(keys) > self.cap:
            keep = np.sort(np.argpartition(keys, self.cap - 1)[:self.cap])
            keys, x, fid, xy = keys[keep], x[keep], fid[keep], xy[keep]
        return keys, x, fid, xy

    def result(self, d):
        if not self.parts:
            return np.empty((0, d), np.float32), np.empty(0, np.int64), np.empty((0, 2))
        _, x, fid, xy = self._trim()
        return x, fid, xy


def labelled_pixels(stack, features, block_mb: float, max_samples: int = MAX_SAMPLES, seed: int = 0,
                    progress=None) -> Samples:
    """The labelled pixels of ``features`` (see module doc) on ``stack``."""
    progress = progress or NULL_PROGRESS
    parsed = parse_features(features)
    if not parsed:
        raise SpecError("The training layer has no features with a geometry and a value in the field.")
    ref = stack.ref
    inv = ~ref.transform
    bounds = [_pixel_bounds(g, inv) for g, _ in parsed]
    collector = _Collector(max_samples, seed)
    burned = np.zeros(len(parsed), dtype=np.int64)
    dropped = 0
    windows = stack.windows(block_mb)

    def visit(win, ids, all_touched):
        nonlocal dropped
        burn = _burn([(parsed[i][0], int(i)) for i in ids], win, ref.transform, all_touched).ravel()
        labelled = burn >= 0
        if not labelled.any():
            return
        np.add.at(burned, burn[labelled], 1)
        flat, valid = pixels(stack.read(win))
        keep = labelled & valid
        dropped += int((labelled & ~valid).sum())
        idx = np.flatnonzero(keep)
        rows, cols = idx // int(win.width) + win.row_off, idx % int(win.width) + win.col_off
        xs, ys = ref.transform @ (cols + 0.5, rows + 0.5)
        collector.add(flat[keep].copy(), burn[keep], np.column_stack([xs, ys]))

    for n, win in enumerate(windows):
        ids = [i for i, b in enumerate(bounds) if _intersects(b, win)]
        if ids:
            visit(win, ids, False)
        progress.update((n + 1) / len(windows))
    small = [i for i in range(len(parsed)) if burned[i] == 0 and parsed[i][0].geom_type.endswith("Polygon")]
    for win in windows if small else []:
        ids = [i for i in small if _intersects(bounds[i], win)]
        if ids:
            visit(win, ids, True)
    x, fid, xy = collector.result(stack.count)
    if not len(fid):
        raise DataUnavailableError(
            "No labelled pixel with data: the training features do not overlap the embedding raster's valid "
            "pixels. Check that the layer and the raster cover the same area.")
    values = [parsed[i][1] for i in fid]
    return Samples(x, values, xy, fid, dropped, int((burned == 0).sum()),
                   collector.total if collector.total > max_samples else 0)
