"""Loads the translation (.qm, compiled by `make qm`) for the user's locale."""
from __future__ import annotations

from pathlib import Path

from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

I18N = Path(__file__).resolve().parents[1] / "i18n"


def user_locale() -> str:
    """QGIS's UI locale (e.g. 'de' or 'de_DE'), else the system one."""
    try:
        from qgis.core import QgsApplication

        loc = QgsApplication.locale()
    except (ImportError, AttributeError):
        loc = ""
    return loc or QLocale().name()


def qm_path(locale: str, folder: Path = I18N):
    """rs_embed_<locale>.qm, falling back to the language (de_AT -> de)."""
    for name in (locale, locale.split("_")[0]):
        p = Path(folder) / f"rs_embed_{name}.qm"
        if name and p.is_file():
            return p
    return None


def install_translator(locale: str = None, folder: Path = I18N):
    """Install the translator for ``locale``; returns it (keep it, and pass it
    to :func:`remove_translator` on unload) or None when there is none."""
    path = qm_path(locale or user_locale(), folder)
    if path is None:
        return None
    translator = QTranslator()
    if not translator.load(str(path)):
        return None
    QCoreApplication.installTranslator(translator)
    return translator


def remove_translator(translator):
    if translator is not None:
        QCoreApplication.removeTranslator(translator)
