"""QGIS conventions every algorithm follows: names that fit the toolbox dock,
groups, search tags with model and product names, SVG icons for the modeler,
a help URL, help that reads well in the toolbox and in qgis_process (plain
lines, choices listed by id), model choices shown by label but taken by id,
and the set-up hint pointing at the real menu."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from qgis_process_helpers import QGIS_PROCESS, enable_plugin, qgis_process_env

HTML = re.compile(r"<\s*/?\s*(br|li|ul|b|i|p)\b", re.I)
DOCK_CHARS = 28        # what the Processing toolbox shows at its default width without cutting


def algorithms(provider):
    algs = provider.algorithms()
    assert len(algs) >= 13
    return algs


def test_every_algorithm_has_tags_icon_help_url_and_a_short_name(rs_provider):
    for alg in algorithms(rs_provider):
        assert len(alg.displayName()) <= DOCK_CHARS, alg.displayName()
        assert alg.tags() and "RS Embed" in alg.tags(), alg.id()
        svg = Path(alg.svgIconPath())
        assert svg.suffix == ".svg" and svg.is_file() and svg.read_text().lstrip().startswith("<"), alg.id()
        assert not alg.icon().isNull()
        url = alg.helpUrl()
        assert url.startswith("file://") and Path(url[len("file://"):]).is_file(), url
        text = alg.shortHelpString()
        assert text and not HTML.search(text), (alg.id(), HTML.search(text))


def test_names_that_were_cut_in_the_dock_are_short_now(rs_provider):
    names = {a.name(): a.displayName() for a in algorithms(rs_provider)}
    assert names["embedding_change"] == "Embedding change"
    assert names["pca_rgb"] == "PCA RGB of embeddings"


def test_groups(rs_provider):
    groups = {a.name(): a.groupId() for a in algorithms(rs_provider)}
    assert groups["fetch_imagery"] == "imagery"
    assert groups["embed_roi"] == groups["compare_models"] == "embeddings"
    assert groups["check_environment"] == groups["setup_environment"] == "tools"
    assert set(groups.values()) == {"embeddings", "imagery", "analysis", "tools"}
    fetch = next(a for a in algorithms(rs_provider) if a.name() == "fetch_imagery")
    assert fetch.group() == "Imagery" and fetch.svgIconPath().endswith("family_imagery.svg")


def test_toolbox_search_finds_models_and_products(rs_provider):
    """The toolbox's own filter model, searched as a user types."""
    from qgis.core import QgsApplication
    from qgis.gui import QgsProcessingToolboxModel, QgsProcessingToolboxProxyModel

    from rs_embed_qgis.embedders import catalog

    proxy = QgsProcessingToolboxProxyModel(None, QgsApplication.processingRegistry())

    def found(text):
        proxy.setFilterString(text)
        out, stack = set(), [proxy.index(r, 0) for r in range(proxy.rowCount())]
        while stack:
            idx = stack.pop()
            alg = proxy.toolboxModel().algorithmForIndex(proxy.mapToSource(idx))
            if alg is not None and alg.provider().id() == "rs_embed":
                out.add(alg.name())
            stack += [proxy.index(r, 0, idx) for r in range(proxy.rowCount(idx))]
        return out

    assert QgsProcessingToolboxModel is not None
    for word in ("AlphaEarth", "Prithvi", "Tessera", "OlmoEarth"):
        assert {"embed_roi", "compare_models", "embed_features"} <= found(word), word
    assert "fetch_imagery" in found("Sentinel-2") and "similarity_map" not in found("Prithvi")
    for m in catalog.MODELS:
        assert set(m.tags) <= set(next(a for a in algorithms(rs_provider) if a.name() == "embed_roi").tags())


def model_param(rs_provider, alg_name, name):
    alg = next(a for a in algorithms(rs_provider) if a.name() == alg_name)
    return alg, alg.parameterDefinition(name)


def test_model_choice_shows_labels_and_returns_ids(rs_provider):
    from processing.gui.wrappers import WidgetWrapperFactory
    from qgis.PyQt.QtWidgets import QWidget

    from rs_embed_qgis.embedders import catalog
    from rs_embed_qgis.qgis_common.choice_widget import LabelledChoiceWrapper

    _alg, param = model_param(rs_provider, "embed_roi", "MODEL")
    assert param.options() == catalog.model_ids() and param.usesStaticStrings()
    parent = QWidget()
    wrapper = WidgetWrapperFactory.create_wrapper(param, parent)   # as Processing's dialog asks for it
    assert isinstance(wrapper, LabelledChoiceWrapper)
    combo = wrapper.widget
    assert [combo.itemText(i) for i in range(combo.count())] == [m.label for m in catalog.MODELS]
    assert wrapper.value() == "tessera"                            # the default, as an id
    wrapper.setValue("gse_annual")
    assert combo.currentText() == catalog.card("gse_annual").label and wrapper.value() == "gse_annual"

    _alg, multi = model_param(rs_provider, "compare_models", "MODELS")
    w = WidgetWrapperFactory.create_wrapper(multi, parent)
    texts = [w.widget.item(i).text() for i in range(w.widget.count())]
    assert texts == [m.label for m in catalog.MODELS]
    assert w.value() == ["tessera", "gse_annual"]                  # default
    w.setValue(["prithvi_s2_6b", "tessera"])
    assert w.value() == ["tessera", "prithvi_s2_6b"]
    _alg, ref = model_param(rs_provider, "compare_models", "REFERENCE_MODEL")
    r = WidgetWrapperFactory.create_wrapper(ref, parent)           # optional: nothing chosen by default
    assert r.value() is None and r.widget.itemText(1) == catalog.MODELS[0].label


def test_the_algorithm_dialog_shows_labels_and_runs_with_ids(rs_provider, qgis_iface, monkeypatch, tmp_path):
    """Processing's own algorithm dialog: the model choice reads as labels, and
    the parameters it would run with hold the ids."""
    from processing.gui.AlgorithmDialog import AlgorithmDialog
    from qgis.core import QgsApplication, QgsProcessingContext
    from qgis.gui import QgsBrowserGuiModel

    from rs_embed_qgis.embedders import catalog
    from rs_embed_qgis.qgis_common.choice_widget import LabelledChoiceWrapper

    browser = QgsBrowserGuiModel()
    monkeypatch.setattr(qgis_iface, "browserModel", lambda: browser, raising=False)  # the test iface lacks it
    ctx = QgsProcessingContext()
    for alg_id, name, choose, expected in (("embed_roi", "MODEL", "gse_annual", "gse_annual"),
                                           ("compare_models", "MODELS", ["dofa_s2", "tessera"], ["tessera", "dofa_s2"])):
        alg = QgsApplication.processingRegistry().createAlgorithmById(f"rs_embed:{alg_id}")
        dlg = AlgorithmDialog(alg, False, qgis_iface.mainWindow())
        panel = dlg.mainWidget()
        wrapper = panel.wrappers[name]
        assert isinstance(wrapper, LabelledChoiceWrapper)
        assert catalog.card("tessera").label in (wrapper.widget.currentText() if name == "MODEL"
                                                 else wrapper.widget.item(0).text())
        wrapper.setValue(choose)
        panel.wrappers["EXTENT"].setParameterValue("0.12,0.28,52.01,52.09 [EPSG:4326]", ctx)
        if "OUTPUT" in panel.wrappers:
            panel.wrappers["OUTPUT"].setParameterValue(str(tmp_path / "e.tif"), ctx)
        assert dlg.createProcessingParameters()[name] == expected
        dlg.deleteLater()


def test_value_scale_shows_what_the_values_are(rs_provider):
    from processing.gui.wrappers import WidgetWrapperFactory
    from qgis.core import QgsProcessingContext
    from qgis.PyQt.QtWidgets import QWidget

    _alg, param = model_param(rs_provider, "embed_roi", "VALUE_SCALE")
    assert param.options() == ["reflectance_1e4", "reflectance_0_1", "uint8"]
    w = WidgetWrapperFactory.create_wrapper(param, QWidget())
    texts = [w.widget.itemText(i) for i in range(w.widget.count())]
    assert texts[1:] == ["Reflectance x 10^4 (Sentinel-2 L2A)", "Reflectance 0-1", "8-bit, 0-255 (aerial or photo RGB)"]
    assert w.value() == "reflectance_1e4"
    w.setValue("uint8")
    assert w.widget.currentText().startswith("8-bit") and w.value() == "uint8"
    assert param.checkValueIsAcceptable("uint8", QgsProcessingContext())


@pytest.mark.parametrize("alg_name, name", [
    ("embed_roi", "IMAGERY_SOURCE"), ("embed_roi", "BACKEND"), ("fetch_imagery", "IMAGERY_SOURCE"),
    ("embed_features", "BACKEND"), ("embedding_change", "BACKEND"),
])
def test_backend_and_imagery_choices_show_labels_and_take_ids(rs_provider, alg_name, name):
    from processing.gui.wrappers import WidgetWrapperFactory
    from qgis.PyQt.QtWidgets import QWidget

    _alg, param = model_param(rs_provider, alg_name, name)
    w = WidgetWrapperFactory.create_wrapper(param, QWidget())
    shown = {w.widget.itemData(i): w.widget.itemText(i) for i in range(w.widget.count())
             if w.widget.itemData(i) in param.options()}
    assert set(shown) == set(param.options()) and all(shown[k] != k for k in shown), shown
    w.setValue("gee")
    assert w.value() == "gee" and w.widget.currentText().startswith("Google Earth Engine")


def test_model_choice_in_the_modeler_offers_model_inputs(rs_provider):
    """In the modeler the choice also offers the model's own enum inputs, and a
    stored static id or input comes back as it was."""
    from processing.gui.wrappers import WidgetWrapperFactory
    from qgis.core import QgsProcessingModelChildParameterSource as Source
    from qgis.PyQt.QtWidgets import QWidget

    from rs_embed_qgis.embedders import catalog

    source = Source.fromModelParameter("which_model")

    class ModelerParametersDialog(QWidget):     # the name Processing's wrappers go by
        def getAvailableValuesOfType(self, *args, **kwargs):  # noqa: N802
            return [source]

        def resolveValueDescription(self, value):  # noqa: N802
            return "Model input: which_model"

    _alg, param = model_param(rs_provider, "embed_roi", "MODEL")
    w = WidgetWrapperFactory.create_wrapper(param, ModelerParametersDialog())
    combo = w.widget
    assert combo.itemText(0) == catalog.MODELS[0].label and combo.itemText(combo.count() - 1) == "Model input: which_model"
    w.setValue("olmoearth")
    assert w.value() == "olmoearth"
    w.setValue(source)
    assert w.value() == source
    _alg, multi = model_param(rs_provider, "compare_models", "MODELS")
    m = WidgetWrapperFactory.create_wrapper(multi, ModelerParametersDialog())
    m.setValue([Source.fromStaticValue("gse_annual"), Source.fromStaticValue("dofa_s2")])
    assert m.value() == ["gse_annual", "dofa_s2"]


@pytest.mark.parametrize("alg_name, name", [("embed_roi", "MODEL"), ("embed_features", "MODEL"),
                                            ("embedding_change", "MODEL"), ("compare_models", "MODELS")])
def test_model_parameters_take_ids_not_labels(rs_provider, alg_name, name):
    from qgis.core import QgsProcessingContext

    from rs_embed_qgis.embedders import catalog

    alg, param = model_param(rs_provider, alg_name, name)
    ctx = QgsProcessingContext()
    ok = ["tessera"] if param.allowMultiple() else "tessera"
    assert param.checkValueIsAcceptable(ok, ctx)
    assert not param.checkValueIsAcceptable(catalog.card("tessera").label, ctx)
    assert "tessera" in alg.shortHelpString()


def test_processing_run_takes_the_model_id(rs_provider, tmp_path):
    """processing.run with MODEL='tessera' gets past parameter checking (the
    extent error is the first thing it meets)."""
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="inverted"):
        processing.run("rs_embed:embed_roi", {"EXTENT": "0.28,0.12,52.01,52.09 [EPSG:4326]", "MODEL": "tessera",
                                              "YEAR": 2024, "OUTPUT": str(tmp_path / "e.tif")})


@pytest.fixture(scope="module")
def qp_env(tmp_path_factory):
    env = qgis_process_env(tmp_path_factory.mktemp("profile"))
    enable_plugin(env)
    return env


def test_qgis_process_help_is_plain_and_lists_choices_by_id(qp_env):
    proc = subprocess.run([QGIS_PROCESS, "help", "rs_embed:embed_roi"], env=qp_env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    description = out.split("Arguments")[0]
    assert "Embeds an extent" in description and not HTML.search(description)
    assert "- MODEL: tessera, gse_annual," in description
    assert "- VALUE_SCALE: reflectance_1e4, reflectance_0_1, uint8" in description


def test_qgis_process_takes_the_model_id(qp_env, tmp_path):
    proc = subprocess.run([QGIS_PROCESS, "run", "rs_embed:embed_roi", "--",
                           "EXTENT=0.28,0.12,52.01,52.09 [EPSG:4326]", "MODEL=tessera", "YEAR=2024",
                           f"OUTPUT={tmp_path / 'e.tif'}"], env=qp_env, capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "inverted" in log and "MODEL" not in log.split("inverted")[0][-200:]
    assert not (tmp_path / "e.tif").exists()


def test_drawn_extent_dialog_shows_model_labels_and_returns_ids(qgis_app):
    from qgis.core import QgsSettings
    from qgis.PyQt.QtCore import Qt

    from rs_embed_qgis.embedders import catalog
    from rs_embed_qgis.gui.dialog import EmbedExtentDialog

    QgsSettings().remove("rs_embed/gui")
    d = EmbedExtentDialog("x", families={f: [] for m in catalog.MODELS for f in m.families})
    items = [d.models.item(i) for i in range(d.models.count())]
    assert [i.text() for i in items] == [m.label for m in catalog.MODELS]
    for it in items:
        it.setCheckState(Qt.Checked if it.data(Qt.UserRole) in ("gse_annual", "olmoearth") else Qt.Unchecked)
    assert d.selected_models() == ["gse_annual", "olmoearth"]
    QgsSettings().remove("rs_embed/gui")


def test_set_up_hints_name_the_raster_menu(rs_provider):
    from rs_embed_qgis.qgis_common.env_report import setup_hint

    assert "Raster › RS Embed › Set up RS Embed" in setup_hint()
    check = next(a for a in algorithms(rs_provider) if a.name() == "check_environment")
    assert "Raster › RS Embed" in check.shortHelpString() and "Plugins ›" not in check.shortHelpString()


@pytest.mark.parametrize("alg_name", ["embed_roi", "fetch_imagery"])
def test_imagery_inputs_go_together(rs_provider, alg_name):
    """The imagery source, the local raster, its band map and its value scale
    follow one another in the dialog."""
    alg = next(a for a in algorithms(rs_provider) if a.name() == alg_name)
    names = [p.name() for p in alg.parameterDefinitions()]
    i = names.index("IMAGERY_SOURCE")
    assert names[i:i + 4] == ["IMAGERY_SOURCE", "INPUT_RASTER", "BAND_MAP", "VALUE_SCALE"], names
    assert not any(alg.parameterDefinition(n).flags() & alg.parameterDefinition(n).FlagAdvanced
                   for n in names[i:i + 4])
