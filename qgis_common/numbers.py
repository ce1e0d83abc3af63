"""Numbers as the user's locale writes them (1.234,50 in German), for text
QGIS shows: the dialog, the Log, metadata lines. QGIS sets QLocale's default
from its own locale settings, so QLocale() is the user's number format. Files
the core writes stay locale-neutral; only what is shown goes through here."""
from __future__ import annotations

import json
import math
from numbers import Integral, Real

from qgis.PyQt.QtCore import QLocale


def _locale(group: bool) -> QLocale:
    loc = QLocale()
    if not group:
        loc.setNumberOptions(loc.numberOptions() | QLocale.OmitGroupSeparator)
    return loc


def num(value, decimals: int = 2, group: bool = True) -> str:
    """``value`` with ``decimals`` places (like {:,.2f}, in the user's locale)."""
    return _locale(group).toString(float(value), "f", decimals)


def num_g(value, digits: int = 6) -> str:
    """``value`` in the shortest form (like {:g}), in the user's locale."""
    return _locale(False).toString(float(value), "g", digits)


def list_separator() -> str:
    """Between numbers in a list: '; ' where the decimal point is a comma."""
    return "; " if QLocale().decimalPoint() == "," else ", "


def coords(values, decimals: int = 5) -> str:
    """Coordinates such as lon, lat in the user's locale, unambiguously separated."""
    return list_separator().join(num(v, decimals, group=False) for v in values)


def _is_number(v) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


def value_text(v) -> str:
    """A metadata value as the user reads it: whole numbers as they are
    (years, EPSG codes), other numbers and lists of numbers in the locale,
    anything else as compact JSON."""
    if isinstance(v, str):
        return v
    if isinstance(v, Integral) and not isinstance(v, bool):
        return str(v)
    if _is_number(v):
        return num_g(v, 10) if math.isfinite(v) else str(v)
    if isinstance(v, (list, tuple)) and v and all(_is_number(x) for x in v):
        return list_separator().join(value_text(x) for x in v)
    return json.dumps(v, default=str, ensure_ascii=False)
