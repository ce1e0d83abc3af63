"""The core's download cache as the options page shows it: the size of each
kind (Tessera tiles, the AlphaEarth index, Copernicus Embed, imagery, model
weights) and clearing one kind. The folders follow the core's config
(embedders/config.py): the setting, else RS_EMBED_CACHE_DIR / RS_EMBED_WEIGHTS_DIR,
else ~/.cache/rs_embed. Only folders inside the cache are ever removed."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Optional, Tuple

from ..qgis_common.numbers import num
from ..qgis_common.params import tr
from ..qgis_common.settings import read_settings

# kind = sub-folder of the cache (config.sub_cache) or "weights"
KINDS = ("tessera", "gse_aef", "copernicus_embed", "imagery", "weights")


def kind_titles():
    return {"tessera": tr("Tessera tiles"), "gse_aef": tr("AlphaEarth (GSE) index"),
            "copernicus_embed": tr("Copernicus Embed"), "imagery": tr("Imagery"),
            "weights": tr("Model weights")}


def cache_root(settings=None) -> Path:
    chosen = read_settings(settings)["cache_dir"] or os.environ.get("RS_EMBED_CACHE_DIR", "")
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rs_embed"


def kind_dir(kind: str, settings=None) -> Path:
    if kind == "weights":
        chosen = read_settings(settings)["weights_dir"] or os.environ.get("RS_EMBED_WEIGHTS_DIR", "")
        return Path(chosen).expanduser() if chosen else cache_root(settings) / "weights"
    return cache_root(settings) / kind


def clearable(kind: str, settings=None) -> bool:
    """Only a folder inside the cache (a weights folder of the user's own is theirs)."""
    root, folder = cache_root(settings).resolve(), kind_dir(kind, settings).resolve()
    return folder != root and root in folder.parents


def usage(folder: Path) -> Tuple[int, int]:
    """(bytes, files) under ``folder`` (0, 0 when it does not exist)."""
    size = files = 0
    for dirpath, _dirs, names in os.walk(folder):
        for n in names:
            try:
                size += os.lstat(os.path.join(dirpath, n)).st_size
                files += 1
            except OSError:
                pass
    return size, files


def human(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{num(n, 1)} {unit}"
        n /= 1024.0
    return f"{num(n, 1)} TB"


def clear(kind: str, settings=None) -> Optional[int]:
    """Remove the cached files of ``kind``; returns the bytes freed, or None
    when the folder is not the cache's own."""
    if kind not in KINDS or not clearable(kind, settings):
        return None
    folder = kind_dir(kind, settings)
    freed, _ = usage(folder)
    shutil.rmtree(folder, ignore_errors=True)
    return freed
