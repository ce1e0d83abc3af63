"""On-disk cache of fetched imagery patches.

One uncompressed ``.npz`` per patch (the array plus its grid, bands and meta
as JSON), named by a hash of everything that determines it, written
atomically; an unreadable entry is removed and counts as a miss."""
from __future__ import annotations

import contextlib
import hashlib
import json
import time
from pathlib import Path
from typing import Optional

import numpy as np

from ..fileio import atomic_path
from ..geo import RasterGrid
from .base import ImageryPatch

FORMAT = 1  # bump when cached content changes meaning
SETTLED_DAYS = 30  # a time window that ended this long before caching no longer changes


def cache_key(parts: dict) -> str:
    blob = json.dumps({"format": FORMAT, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:40]


def grid_dict(grid: RasterGrid) -> dict:
    return {"crs": grid.crs, "transform": list(grid.transform)[:6],
            "width": grid.width, "height": grid.height}


def grid_from_dict(d: dict) -> RasterGrid:
    from affine import Affine

    return RasterGrid(d["crs"], Affine(*d["transform"]), int(d["width"]), int(d["height"]))


def settled(temporal, cached_at, days: int = SETTLED_DAYS) -> bool:
    """True when the entry was cached ``days`` or more after the window's end:
    the catalogue is taken as final and the entry is served without asking it."""
    import datetime as dt

    if not cached_at or temporal is None:
        return False
    made = dt.datetime.fromtimestamp(float(cached_at), dt.timezone.utc).date()
    return (made - temporal.end).days >= days


def entry_path(cache_dir, key: str) -> Path:
    return Path(cache_dir) / f"{key}.npz"


def load(cache_dir, key: str) -> Optional[ImageryPatch]:
    path = entry_path(cache_dir, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            info = json.loads(bytes(z["info"]).decode())
            data = np.array(z["data"], dtype=np.float32)
        grid = grid_from_dict(info["grid"])
        if data.shape != (len(info["bands"]), grid.height, grid.width):
            raise ValueError("shape mismatch")
    except Exception:  # truncated or foreign file: drop it, fetch again
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    meta = dict(info["meta"], cache="hit", cache_key=key, cached_at=info.get("cached_at"))
    return ImageryPatch(data, list(info["bands"]), grid, meta)


def save(cache_dir, key: str, patch: ImageryPatch) -> Path:
    info = {"bands": list(patch.bands), "grid": grid_dict(patch.grid),
            "meta": {k: v for k, v in patch.meta.items() if k not in ("cache", "cache_key")},
            "cached_at": time.time()}
    blob = np.frombuffer(json.dumps(info, default=str).encode(), dtype=np.uint8)
    path = entry_path(cache_dir, key)
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez(tmp, data=np.ascontiguousarray(patch.data, dtype=np.float32), info=blob)
    return path
