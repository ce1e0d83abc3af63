"""The small dialog of "Embed drawn extent": models, time, data sources and
output folder, remembered between runs in QgsSettings (rs_embed/gui/...)."""
from __future__ import annotations

import time
from pathlib import Path

from qgis.core import QgsMapLayerProxyModel, QgsSettings
from qgis.gui import QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtWidgets import (
    QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QListWidget,
    QLineEdit, QListWidgetItem, QSpinBox, QVBoxLayout, QWidget,
)

from ..embedders import catalog
from ..qgis_common.choices import backend_labels, imagery_source_labels, value_scale_labels
from ..qgis_common.numbers import num
from ..qgis_common.params import tr
from .task import RunSpec


def labelled_items(ids, labels):
    """(id, label) per choice, in the catalog's order (the id where no label is set)."""
    return [(k, labels.get(k, k)) for k in ids]


KEY = "rs_embed/gui/"


def default_out_dir() -> str:
    return str(Path.home() / "rs_embed_outputs")


_FAMILY_CACHE = {}   # python -> (when, state): the probe takes most of a second
FAMILY_CACHE_S = 120.0


def family_state(python=None):
    """{family id: [missing pinned requirements]} of the core's environment,
    read from its package metadata (a quick probe of that Python, nothing
    imported); None when RS Embed is not set up or the probe fails."""
    from ..embedders import envsetup
    from ..qgis_common.worker import core_python

    python = python or core_python()
    if not python:
        return None
    hit = _FAMILY_CACHE.get(python)
    if hit and time.monotonic() - hit[0] < FAMILY_CACHE_S:
        return hit[1]
    try:
        report = envsetup.family_report(python, ("all",))
    except (envsetup.EnvSetupError, OSError, KeyError):
        return None
    state = {row["id"]: row["missing"] for row in report["families"]}
    _FAMILY_CACHE[python] = (time.monotonic(), state)
    return state


def forget_family_state():
    """After an install: the next dialog probes the environment again."""
    _FAMILY_CACHE.clear()


def model_rows(families=None):
    """(id, label, tooltip) per built-in model; the label says what its
    environment lacks (``families`` as from :func:`family_state`)."""
    rows = []
    for card in catalog.MODELS:
        label, tip = tr(card.label), tr("Needs the families: {}").format(", ".join(card.families))
        if families is None:
            label += " " + tr("[not set up]")
            tip += "\n" + tr("RS Embed is not set up: run Raster › RS Embed › Set up RS Embed.")
        else:
            missing = [r for fid in card.families for r in families.get(fid, [])]
            if missing:
                label += " " + tr("[needs {}]").format(", ".join(dict.fromkeys(missing)))
                tip += "\n" + tr("Missing in the core's environment: {}. See Check environment.").format(
                    ", ".join(dict.fromkeys(missing)))
        rows.append((card.id, label, tip))
    return rows


class EmbedExtentDialog(QDialog):
    def __init__(self, extent_text="", area_km2=None, parent=None, settings=None, families=None):
        super().__init__(parent)
        self.settings = settings or QgsSettings()
        self.area_km2 = area_km2
        self.spec = None
        self.setWindowTitle(tr("RS Embed: embed drawn extent"))
        form = QFormLayout()

        info = extent_text
        if area_km2 is not None:
            info += "\n" + tr("Area: {} km²").format(num(area_km2, 2))
        self.extent_label = QLabel(info)
        self.extent_label.setWordWrap(True)
        form.addRow(tr("Extent"), self.extent_label)

        self.models = QListWidget()
        for mid, label, tip in model_rows(families):
            item = QListWidgetItem(label)
            item.setData(Qt.UserRole, mid)
            item.setToolTip(tip)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked)
            self.models.addItem(item)
        self.models.setMinimumHeight(120)
        form.addRow(tr("Models"), self.models)

        self.time_mode = QComboBox()
        self.time_mode.addItem(tr("Year (annual products)"), "year")
        self.time_mode.addItem(tr("Date range (imagery models)"), "range")
        self.year = QSpinBox()
        self.year.setRange(2015, 2100)
        self.start = QDateEdit(calendarPopup=True)
        self.end = QDateEdit(calendarPopup=True)
        for w in (self.start, self.end):
            w.setDisplayFormat("yyyy-MM-dd")
        dates = QWidget()
        row = QHBoxLayout(dates)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.start)
        row.addWidget(QLabel(tr("to (exclusive)")))
        row.addWidget(self.end)
        self.dates = dates
        form.addRow(tr("Time"), self.time_mode)
        form.addRow(tr("Year"), self.year)
        form.addRow(tr("Dates"), dates)

        self.backend = QComboBox()
        for key, label in labelled_items(catalog.PRODUCT_BACKENDS, backend_labels()):
            self.backend.addItem(label, key)
        self.backend.setToolTip(tr("Precomputed products: auto, gee (Earth Engine project needed) or cog "
                                   "(public copy, no account)."))
        form.addRow(tr("Product backend"), self.backend)
        self.imagery = QComboBox()
        for key, label in labelled_items(catalog.IMAGERY_SOURCES, imagery_source_labels()):
            self.imagery.addItem(label, key)
        self.imagery.setToolTip(tr("On-the-fly models: auto, stac (no account), gee, or local (a raster "
                                   "layer of this project)."))
        form.addRow(tr("Imagery source"), self.imagery)
        self.raster = QgsMapLayerComboBox()
        self.raster.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.raster.setAllowEmptyLayer(True)
        form.addRow(tr("Local raster"), self.raster)
        self.band_map = QLineEdit()
        self.band_map.setPlaceholderText(tr("by band names, e.g. B04=1,B03=2,B02=3"))
        form.addRow(tr("Band map"), self.band_map)
        self.value_scale = QComboBox()
        for key, label in labelled_items(catalog.VALUE_SCALES, value_scale_labels()):
            self.value_scale.addItem(label, key)
        form.addRow(tr("Values of the raster"), self.value_scale)

        self.out_dir = QgsFileWidget()
        self.out_dir.setStorageMode(QgsFileWidget.GetDirectory)
        form.addRow(tr("Output folder"), self.out_dir)

        self.error = QLabel()
        self.error.setStyleSheet("color: #b00")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText(tr("Run"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.time_mode.currentIndexChanged.connect(self._sync)
        self.imagery.currentIndexChanged.connect(self._sync)
        self.restore()
        self._sync()

    def _sync(self):
        by_year = self.time_mode.currentData() == "year"
        self.year.setEnabled(by_year)
        self.dates.setEnabled(not by_year)
        local = self.imagery.currentData() == "local"
        for w in (self.raster, self.band_map, self.value_scale):
            w.setEnabled(local)

    # -- remembered choices ---------------------------------------------
    def restore(self):
        s = self.settings
        chosen = set(filter(None, str(s.value(KEY + "models", "tessera", type=str)).split(",")))
        for i in range(self.models.count()):
            item = self.models.item(i)
            item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in chosen else Qt.Unchecked)
        self.time_mode.setCurrentIndex(max(0, self.time_mode.findData(s.value(KEY + "time_mode", "year"))))
        self.year.setValue(int(s.value(KEY + "year", catalog.DEFAULT_YEAR, type=int)))
        today = QDate.currentDate()
        self.start.setDate(QDate.fromString(s.value(KEY + "start", "", type=str), "yyyy-MM-dd")
                           if s.value(KEY + "start", "", type=str) else today.addMonths(-3))
        self.end.setDate(QDate.fromString(s.value(KEY + "end", "", type=str), "yyyy-MM-dd")
                         if s.value(KEY + "end", "", type=str) else today)
        for combo, key in ((self.backend, "backend"), (self.imagery, "imagery_source")):
            combo.setCurrentIndex(max(0, combo.findData(s.value(KEY + key, "auto", type=str))))
        self.out_dir.setFilePath(s.value(KEY + "out_dir", default_out_dir(), type=str))

    def remember(self):
        s = self.settings
        s.setValue(KEY + "models", ",".join(self.selected_models()))
        s.setValue(KEY + "time_mode", self.time_mode.currentData())
        s.setValue(KEY + "year", self.year.value())
        s.setValue(KEY + "start", self.start.date().toString("yyyy-MM-dd"))
        s.setValue(KEY + "end", self.end.date().toString("yyyy-MM-dd"))
        s.setValue(KEY + "backend", self.backend.currentData())
        s.setValue(KEY + "imagery_source", self.imagery.currentData())
        s.setValue(KEY + "out_dir", self.out_dir.filePath())

    # -- result -----------------------------------------------------------
    def selected_models(self):
        return [self.models.item(i).data(Qt.UserRole) for i in range(self.models.count())
                if self.models.item(i).checkState() == Qt.Checked]

    def run_spec(self) -> RunSpec:
        """The choices as a RunSpec; ValueError says what to fix."""
        models = self.selected_models()
        if not models:
            raise ValueError(tr("Tick at least one model."))
        out_dir = self.out_dir.filePath().strip()
        if not out_dir:
            raise ValueError(tr("Choose an output folder."))
        try:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(tr("The output folder cannot be created: {}").format(exc)) from exc
        spec = RunSpec(models=models, out_dir=out_dir, backend=self.backend.currentData(),
                       imagery_source=self.imagery.currentData())
        if self.time_mode.currentData() == "year":
            spec.year = self.year.value()
        else:
            spec.start, spec.end = self.start.date().toPyDate(), self.end.date().toPyDate()
            if spec.start >= spec.end:
                raise ValueError(tr("The start date must come before the end date (the end is exclusive)."))
        if spec.imagery_source == "local":
            layer = self.raster.currentLayer()
            if layer is None:
                raise ValueError(tr("The 'local' imagery source needs a raster layer."))
            spec.input_raster = layer.source().split("|")[0]
            spec.options["value_scale"] = self.value_scale.currentData()
            if self.band_map.text().strip():
                spec.options["band_map"] = self.band_map.text().strip()
        return spec

    def accept(self):
        try:
            self.spec = self.run_spec()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        self.remember()
        super().accept()
