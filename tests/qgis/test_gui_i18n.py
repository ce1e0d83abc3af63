"""Translations: the German .ts is complete and keeps every placeholder and
tag; the strings of the GUI and the environment check are all in it; the
compiled .qm is loaded for the user's locale and the UI speaks German."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rs_embed_qgis.qgis_common import i18n

REPO = Path(__file__).resolve().parents[2]
TS = REPO / "i18n" / "rs_embed_de.ts"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?\w+>")
# Every module of the QGIS side: what the German user reads comes from these.
OWN_SOURCES = sorted(str(p) for d in ("gui", "processing_provider", "qgis_common") for p in (REPO / d).glob("*.py")) + [
    str(REPO / "plugin.py")]


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
    """Every tr() string of the QGIS side and the catalog's model labels and
    option help (as make ts gathers them) has its German translation."""
    assert shutil.which("pylupdate5"), "pylupdate5 missing: make setup installs Debian's pyqt5-dev-tools"
    out, catalog_py = tmp_path / "own.ts", tmp_path / "catalog_strings.py"
    subprocess.run([sys.executable, str(REPO / "scripts" / "catalog_strings.py"), str(catalog_py)], check=True)
    subprocess.run(["pylupdate5", *OWN_SOURCES, str(catalog_py), "-ts", str(out)], check=True, capture_output=True)
    own = {src for _, src, _ in messages(out)}
    assert len(own) > 120 and "Embed drawn extent" in own and "Check environment" in own
    assert "Set up RS Embed" in own and "Install what is missing" in own
    assert "Tessera v1.1: precomputed, 128-d, 10 m" in own and "Classify embeddings" in own
    missing = own - {src for _, src, _ in messages(TS)}
    assert not missing, f"not in i18n/rs_embed_de.ts (run make ts and translate): {sorted(missing)}"


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
        d = EmbedExtentDialog("x", 1.0)
        assert d.windowTitle() == "RS Embed: gezeichnete Ausdehnung einbetten"
    finally:
        i18n.remove_translator(translator)
    assert tr("Check environment") == "Check environment"


@pytest.fixture
def german_ui(german_qm):
    """The German translation and German number formats, as QGIS sets them
    for a German user (QLocale's default follows QGIS's locale settings)."""
    from qgis.PyQt.QtCore import QLocale

    translator = i18n.install_translator("de_DE", german_qm)
    assert translator is not None
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.German, QLocale.Germany))
    try:
        yield
    finally:
        QLocale.setDefault(before)
        i18n.remove_translator(translator)


def test_dates_are_not_data_in_german():
    """'Daten' is German for data: a date or a time window is Datum/Zeitraum."""
    checked = 0
    for _, src, tr in messages(TS):
        if re.search(r"\bdates?\b", src, re.I):
            checked += 1
            assert re.search(r"datum|zeitraum", tr.text, re.I), (src, tr.text)
            if not re.search(r"\bdata\b", src, re.I):
                assert "Daten" not in tr.text, (src, tr.text)
    assert checked >= 5


def test_numbers_use_the_locale_in_the_german_ui(german_ui, qgis_iface):
    from rs_embed_qgis.gui.dialog import EmbedExtentDialog
    from rs_embed_qgis.qgis_common import numbers
    from rs_embed_qgis.qgis_common.params import metadata_text

    assert numbers.num(1234.5) == "1.234,50" and numbers.num(0.25, 3) == "0,250"
    assert numbers.num_g(10.0) == "10" and numbers.num_g(2.5) == "2,5"
    assert numbers.coords([14.9, 52.25], 2) == "14,90; 52,25"  # a comma is the decimal point here
    d = EmbedExtentDialog("x", 1234.5)
    assert "Fläche: 1.234,50 km²" in d.extent_label.text()
    text = metadata_text({"coverage": 0.875, "year": 2024, "bbox": [14.9, 52.2, 15.0, 52.3],
                          "model": "tessera", "grid": {"crs": "EPSG:32633"}})
    assert "coverage: 0,875" in text and "year: 2024" in text and "bbox: 14,9; 52,2; 15; 52,3" in text
    assert text.splitlines()[0] == "Metadaten des Laufs:"
    assert 'grid: {"crs": "EPSG:32633"}' in text


def test_numbers_keep_english_formats_in_the_english_ui(qgis_app):
    from qgis.PyQt.QtCore import QLocale

    from rs_embed_qgis.qgis_common import numbers

    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.English, QLocale.UnitedStates))
    try:
        assert numbers.num(1234.5) == "1,234.50" and numbers.coords([14.9, 52.25], 2) == "14.90, 52.25"
    finally:
        QLocale.setDefault(before)


def test_model_help_and_labels_speak_german(german_ui, rs_provider, qgis_iface):
    """The model cards (labels, option help) shown in the toolbox, the
    drawn-extent dialog and Check environment are translated."""
    from rs_embed_qgis.embedders import catalog
    from rs_embed_qgis.gui.dialog import model_rows
    from rs_embed_qgis.qgis_common.choices import model_labels
    from rs_embed_qgis.qgis_common.env_report import report_html
    from rs_embed_qgis.qgis_common.params import tr

    for m in catalog.MODELS:
        assert tr(m.label) != m.label, m.label
    for text in catalog.OPTION_HELP.values():
        assert tr(text) != text, text
    labels = model_labels()
    assert labels["tessera"] == "Tessera v1.1: vorberechnet, 128-d, 10 m"
    assert [label for _, label, _ in model_rows({f: [] for m in catalog.MODELS for f in m.families})] == [
        labels[m.id] for m in catalog.MODELS]
    help_text = rs_provider.algorithm("embed_roi").shortHelpString()
    for m in catalog.MODELS:
        assert m.label not in help_text and labels[m.id] in help_text
    assert tr(catalog.OPTION_HELP["frames"]) in help_text
    report = {"python": "/p/python", "python_version": "3.11.2", "families": [], "gpu": {"summary": ""},
              "models": [{"id": "tessera", "title": catalog.card("tessera").label, "ready": True,
                          "missing_families": [], "families": ["core", "tessera"]}]}
    html_text = report_html(dict(report, config={"download_stall_s": 60.5, "ee_project": None, "workers": 2}))
    assert "vorberechnet" in html_text and "<td>60,5</td>" in html_text and "<td>2</td>" in html_text


def test_german_toolbox_names_are_german_and_fit_the_dock(german_ui, rs_provider):
    from test_conventions import DOCK_CHARS

    for alg in rs_provider.algorithms():
        name = alg.displayName()
        assert len(name) <= DOCK_CHARS, name
    names = {a.name(): a.displayName() for a in rs_provider.algorithms()}
    assert names["classify_embeddings"] == "Einbettungen klassifizieren" and names["apply_model"] == "Modell anwenden"
