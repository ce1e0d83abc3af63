"""The bridge between QGIS settings (``rs_embed/...`` in QgsSettings) and the
core's plain configuration (``embedders.config``). The options page writes
these keys; the provider, the drawn-extent action and the options page call
:func:`apply_settings` so every run reads the same values. An empty setting
leaves the core to its environment variable (RS_EMBED_*) or default."""
from __future__ import annotations

from qgis.core import QgsSettings

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
}
DEVICES = ("auto", "cpu", "cuda", "mps")


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


def apply_settings(settings: QgsSettings = None) -> dict:
    """Hand the QGIS settings to the core (``embedders.config.configure``);
    returns the overrides applied. A malformed value is skipped (logged) so a
    bad setting never stops the provider from loading."""
    from ..embedders.config import configure

    applied = {}
    for name, text in read_settings(settings).items():
        try:
            applied[name] = _convert(name, text)
        except ValueError as exc:
            _log(f"RS Embed: ignoring setting {key(name)}={text!r}: {exc}")
            applied[name] = None
    configure(**applied)
    return applied


def _log(message):
    from qgis.core import Qgis, QgsMessageLog

    QgsMessageLog.logMessage(message, "RS Embed", Qgis.Warning)
