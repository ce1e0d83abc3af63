"""The bridge between QGIS settings (``rs_embed/...`` in QgsSettings) and the
core's plain configuration (``embedders.config``). The options page writes
these keys; every job sent to the worker carries them (:func:`core_settings`),
so every run reads the same values. An empty setting leaves the core to its
environment variable (RS_EMBED_*) or default."""
from __future__ import annotations

from qgis.core import QgsSettings

from ..embedders.catalog import DEVICES

PREFIX = "rs_embed/"
# config field -> kind ("path", "str", "int", "float"); the key is PREFIX + field
FIELDS = {
    "cache_dir": "path",
    "weights_dir": "path",
    "ee_project": "str",
    "stac_url": "str",
    "device": "str",
    "batch_size": "int",
    "max_roi_km2": "float",
    "copernicus_path": "path",
    "download_stall_s": "float",
    "download_deadline_s": "float",
}


def key(name: str) -> str:
    return PREFIX + name


def read_settings(settings: QgsSettings = None) -> dict:
    """The RS Embed settings as strings ('' when unset)."""
    s = settings or QgsSettings()
    return {name: str(s.value(key(name), "", type=str) or "").strip() for name in FIELDS}


def _convert(name, text):
    if text == "":
        return None
    kind = FIELDS[name]
    if kind == "int":
        v = int(float(text))
        return v if v > 0 else None  # 0 = use the default
    if kind == "float":
        v = float(text)
        return v if v > 0 else None
    if name == "device":
        text = text.lower()
        if text not in DEVICES:
            raise ValueError(f"device must be one of {DEVICES}, got {text!r}")
    return text


def write_settings(values: dict, settings: QgsSettings = None) -> None:
    """Store settings; None, '' or 0 removes a key (back to env/default)."""
    s = settings or QgsSettings()
    for name, value in values.items():
        if name not in FIELDS:
            raise KeyError(f"Unknown RS Embed setting {name!r}; known: {sorted(FIELDS)}")
        text = "" if value is None else str(value).strip()
        if _convert(name, text) is None:
            s.remove(key(name))
        else:
            s.setValue(key(name), text)


def core_settings(settings: QgsSettings = None) -> dict:
    """The settings as the core's config for a job (``embedders.config``
    field -> value); unset ones are left out, so the worker falls back to its
    RS_EMBED_* variables and defaults. A malformed value is skipped (logged)."""
    out = {}
    for name, text in read_settings(settings).items():
        try:
            value = _convert(name, text)
        except ValueError as exc:
            _log(f"RS Embed: ignoring setting {key(name)}={text!r}: {exc}")
            continue
        if value is not None:
            out[name] = value
    return out


def _log(message):
    from qgis.core import Qgis, QgsMessageLog

    QgsMessageLog.logMessage(message, "RS Embed", Qgis.Warning)
