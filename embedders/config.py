"""Run-time configuration of the core: a plain object fed by environment
variables and by explicit overrides (the QGIS settings page sets those).

| field          | environment variable        | default                          |
| cache_dir      | RS_EMBED_CACHE_DIR          | $XDG_CACHE_HOME/rs_embed (~/.cache/rs_embed) |
| weights_dir    | RS_EMBED_WEIGHTS_DIR        | <cache_dir>/weights              |
| ee_project     | RS_EMBED_EE_PROJECT         | none                             |
| stac_url       | RS_EMBED_STAC_URL           | Earth Search v1                  |
| device         | RS_EMBED_DEVICE             | auto                             |
| batch_size     | RS_EMBED_BATCH_SIZE         | 8                                |
| max_roi_km2    | RS_EMBED_MAX_ROI_KM2        | 2500                             |
| copernicus_path| RS_EMBED_COPERNICUS_PATH    | <cache_dir>/copernicus_embed/embed_map_310k.tif |
| download_stall_s    | RS_EMBED_DOWNLOAD_STALL_S    | 60 (a download moving < 1 KiB in this time fails) |
| download_deadline_s | RS_EMBED_DOWNLOAD_DEADLINE_S | 3600 (longest one download may take, retries included) |
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Optional

EARTH_SEARCH_URL = "https://earth-search.aws.element84.com/v1"

_ENV = {
    "cache_dir": "RS_EMBED_CACHE_DIR",
    "weights_dir": "RS_EMBED_WEIGHTS_DIR",
    "ee_project": "RS_EMBED_EE_PROJECT",
    "stac_url": "RS_EMBED_STAC_URL",
    "device": "RS_EMBED_DEVICE",
    "batch_size": "RS_EMBED_BATCH_SIZE",
    "max_roi_km2": "RS_EMBED_MAX_ROI_KM2",
    "copernicus_path": "RS_EMBED_COPERNICUS_PATH",
    "download_stall_s": "RS_EMBED_DOWNLOAD_STALL_S",
    "download_deadline_s": "RS_EMBED_DOWNLOAD_DEADLINE_S",
}


@dataclass(frozen=True)
class Config:
    cache_dir: Path
    weights_dir: Path
    ee_project: Optional[str] = None
    stac_url: str = EARTH_SEARCH_URL
    device: str = "auto"
    batch_size: int = 8
    max_roi_km2: float = 2500.0
    copernicus_path: Optional[Path] = None
    download_stall_s: float = 60.0
    download_deadline_s: float = 3600.0

    def sub_cache(self, name: str) -> Path:
        """A sub-folder of the cache, created on demand."""
        p = Path(self.cache_dir) / name
        p.mkdir(parents=True, exist_ok=True)
        return p


_overrides: dict = {}


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rs_embed"


def reset_overrides() -> None:
    """Back to the environment and defaults (the worker does it before each job)."""
    _overrides.clear()


def _positive(v) -> float:
    f = float(v)
    if not f > 0:
        raise ValueError(f"must be a positive number of seconds, not {v!r}")
    return f


def configure(**values) -> None:
    """Set process-wide overrides (None or '' clears one)."""
    names = {f.name for f in fields(Config)}
    for k, v in values.items():
        if k not in names:
            raise KeyError(f"Unknown setting {k!r}; known: {sorted(names)}")
        if v is None or v == "":
            _overrides.pop(k, None)
        else:
            _overrides[k] = v


def get_config(**overrides) -> Config:
    """Config from overrides, then the environment, then defaults."""
    raw = {}
    for name, env in _ENV.items():
        if os.environ.get(env):
            raw[name] = os.environ[env]
    raw.update(_overrides)
    raw.update({k: v for k, v in overrides.items() if v not in (None, "")})
    cache = Path(raw.get("cache_dir") or _default_cache()).expanduser()
    cfg = Config(cache_dir=cache, weights_dir=cache / "weights")
    conv = {
        "cache_dir": lambda v: Path(v).expanduser(),
        "weights_dir": lambda v: Path(v).expanduser(),
        "copernicus_path": lambda v: Path(v).expanduser(),
        "batch_size": lambda v: max(1, int(v)),
        "max_roi_km2": float,
        "download_stall_s": _positive,
        "download_deadline_s": _positive,
        "device": lambda v: str(v).lower(),
    }
    changes = {k: conv.get(k, lambda v: v)(v) for k, v in raw.items() if k != "cache_dir"}
    return replace(cfg, **changes)
