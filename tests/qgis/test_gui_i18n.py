"""Translations: the German .ts is complete and keeps every placeholder and
tag; the strings of the GUI and the environment check are all in it; the
compiled .qm is loaded for the user's locale and the UI speaks German."""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rs_embed_qgis.qgis_common import i18n

REPO = Path(__file__).resolve().parents[2]
TS = REPO / "i18n" / "rs_embed_de.ts"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?\w+>")
OWN_SOURCES = sorted(str(p) for p in (REPO / "gui").glob("*.py")) + [
    str(REPO / "processing_provider" / f) for f in ("check_environment.py", "setup_environment.py")] + [
    str(REPO / "qgis_common" / f) for f in ("env_report.py", "run_layers.py", "settings.py", "icons.py")]


def messages(ts_path):
    root = ET.parse(ts_path).getroot()
    return [(ctx.findtext("name"), m.findtext("source"), m.find("translation"))
            for ctx in root.iter("context") for m in ctx.iter("message")]


def test_german_translation_is_complete_and_well_formed():
    msgs = messages(TS)
    assert len(msgs) > 100 and ET.parse(TS).getroot().get("language") == "de_DE"
    for ctx, src, tr in msgs:
        assert ctx == "@default"  # what params.tr() looks up
        assert tr.get("type") != "unfinished" and (tr.text or "").strip(), src
        assert PLACEHOLDER.findall(src) == PLACEHOLDER.findall(tr.text), src
        assert TAG.findall(src) == TAG.findall(tr.text), src


def test_every_gui_string_is_in_the_translation(tmp_path):
    assert shutil.which("pylupdate5"), "pylupdate5 missing: make setup installs Debian's pyqt5-dev-tools"
    out = tmp_path / "own.ts"
    subprocess.run(["pylupdate5", *OWN_SOURCES, "-ts", str(out)], check=True, capture_output=True)
    own = {src for _, src, _ in messages(out)}
    assert len(own) > 120 and "Embed drawn extent" in own and "Check environment" in own
    assert "Set up RS Embed" in own and "Install what is missing" in own
    assert own <= {src for _, src, _ in messages(TS)}


@pytest.fixture
def german_qm(tmp_path):
    lrelease = shutil.which("lrelease")
    assert lrelease, "lrelease missing: make setup installs Debian's qttools5-dev-tools"
    subprocess.run([lrelease, "-silent", str(TS), "-qm", str(tmp_path / "rs_embed_de.qm")], check=True)
    return tmp_path


def test_qm_for_the_locale_or_its_language(german_qm):
    assert i18n.qm_path("de_AT", german_qm) == german_qm / "rs_embed_de.qm"
    assert i18n.qm_path("de", german_qm) == german_qm / "rs_embed_de.qm"
    assert i18n.qm_path("fr_FR", german_qm) is None
    assert i18n.install_translator("fr_FR", german_qm) is None


def test_the_ui_speaks_german_with_the_translator(german_qm, qgis_iface, rs_provider):
    from rs_embed_qgis.gui.actions import PluginActions
    from rs_embed_qgis.gui.dialog import EmbedExtentDialog
    from rs_embed_qgis.qgis_common.params import tr

    translator = i18n.install_translator("de_DE", german_qm)
    assert translator is not None
    try:
        actions = PluginActions(qgis_iface)
        actions.setup()
        assert actions.embed_action.text() == "Gezeichnete Ausdehnung einbetten"
        assert actions.setup_action.text() == "RS Embed einrichten..."
        actions.teardown()
        assert rs_provider.algorithm("check_environment").displayName() == "Umgebung prüfen"
        assert rs_provider.algorithm("setup_environment").displayName() == "RS Embed einrichten"
        assert tr("Area: {:,.2f} km²").format(1234.5) == "Fläche: 1,234.50 km²"
        d = EmbedExtentDialog("x", 1.0)
        assert d.windowTitle() == "RS Embed: gezeichnete Ausdehnung einbetten"
    finally:
        i18n.remove_translator(translator)
    assert tr("Check environment") == "Check environment"
