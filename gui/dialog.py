"""The small dialog of "Embed drawn extent": models, time, data sources and
output folder, remembered between runs in QgsSettings (rs_embed/gui/...)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from qgis.core import QgsMapLayerProxyModel, QgsSettings
from qgis.gui import QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtWidgets import (
    QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QListWidget,
    QListWidgetItem, QSpinBox, QVBoxLayout, QWidget,
)

from ..qgis_common.params import tr
from .task import RunSpec

KEY = "rs_embed/gui/"
BACKENDS = ("auto", "gee", "cog")
IMAGERY_SOURCES = ("auto", "stac", "gee", "local")


def default_out_dir() -> str:
    return str(Path.home() / "rs_embed_outputs")


def model_rows():
    """(id, label, tooltip) per registered model; the label says what is missing."""
    from ..embedders import describe_model, list_models
    from ..embedders.environment import package_status

    rows = []
    for mid in list_models():
        d = describe_model(mid)
        missing = [m for m in d.get("requires") or () if not package_status(m).present]
        kind = tr("precomputed") if d["kind"] == "precomputed" else tr("on the fly")
        label = f"{mid} ({kind}, {d['dim']} d)"
        tip = f"{d['title']}; {d['resolution']}; {d['temporal_coverage']}"
        if missing:
            label += " " + tr("[needs {}]").format(", ".join(missing))
            tip += "\n" + tr("Missing Python packages: {}. See Check environment.").format(", ".join(missing))
        rows.append((mid, label, tip))
    return rows


class EmbedExtentDialog(QDialog):
    def __init__(self, extent_text="", area_km2=None, parent=None, settings=None):
        super().__init__(parent)
        self.settings = settings or QgsSettings()
        self.area_km2 = area_km2
        self.spec = None
        self.setWindowTitle(tr("RS Embed: embed drawn extent"))
        form = QFormLayout()

        info = extent_text
        if area_km2 is not None:
            info += "\n" + tr("Area: {:,.2f} km²").format(area_km2)
        self.extent_label = QLabel(info)
        self.extent_label.setWordWrap(True)
        form.addRow(tr("Extent"), self.extent_label)

        self.models = QListWidget()
        for mid, label, tip in model_rows():
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
        self.backend.addItems(BACKENDS)
        self.backend.setToolTip(tr("Precomputed products: auto, gee (Earth Engine project needed) or cog "
                                   "(public copy, no account)."))
        form.addRow(tr("Product backend"), self.backend)
        self.imagery = QComboBox()
        self.imagery.addItems(IMAGERY_SOURCES)
        self.imagery.setToolTip(tr("On-the-fly models: auto, stac (no account), gee, or local (a raster "
                                   "layer of this project)."))
        form.addRow(tr("Imagery source"), self.imagery)
        self.raster = QgsMapLayerComboBox()
        self.raster.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.raster.setAllowEmptyLayer(True)
        form.addRow(tr("Local raster"), self.raster)

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
        self.raster.setEnabled(self.imagery.currentText() == "local")

    # -- remembered choices ---------------------------------------------
    def restore(self):
        s = self.settings
        chosen = set(filter(None, str(s.value(KEY + "models", "tessera", type=str)).split(",")))
        for i in range(self.models.count()):
            item = self.models.item(i)
            item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in chosen else Qt.Unchecked)
        self.time_mode.setCurrentIndex(max(0, self.time_mode.findData(s.value(KEY + "time_mode", "year"))))
        self.year.setValue(int(s.value(KEY + "year", dt.date.today().year - 1, type=int)))
        today = QDate.currentDate()
        self.start.setDate(QDate.fromString(s.value(KEY + "start", "", type=str), "yyyy-MM-dd")
                           if s.value(KEY + "start", "", type=str) else today.addMonths(-3))
        self.end.setDate(QDate.fromString(s.value(KEY + "end", "", type=str), "yyyy-MM-dd")
                         if s.value(KEY + "end", "", type=str) else today)
        self.backend.setCurrentText(s.value(KEY + "backend", "auto", type=str))
        self.imagery.setCurrentText(s.value(KEY + "imagery_source", "auto", type=str))
        self.out_dir.setFilePath(s.value(KEY + "out_dir", default_out_dir(), type=str))

    def remember(self):
        s = self.settings
        s.setValue(KEY + "models", ",".join(self.selected_models()))
        s.setValue(KEY + "time_mode", self.time_mode.currentData())
        s.setValue(KEY + "year", self.year.value())
        s.setValue(KEY + "start", self.start.date().toString("yyyy-MM-dd"))
        s.setValue(KEY + "end", self.end.date().toString("yyyy-MM-dd"))
        s.setValue(KEY + "backend", self.backend.currentText())
        s.setValue(KEY + "imagery_source", self.imagery.currentText())
        s.setValue(KEY + "out_dir", self.out_dir.filePath())

    # -- result -----------------------------------------------------------
    def selected_models(self):
        return [self.models.item(i).data(Qt.UserRole) for i in range(self.models.count())
                if self.models.item(i).checkState() == Qt.Checked]

    def run_spec(self) -> RunSpec:
        """The choices as a RunSpec; ValueError says what to fix."""
        from ..embedders.config import get_config

        models = self.selected_models()
        if not models:
            raise ValueError(tr("Tick at least one model."))
        limit = get_config().max_roi_km2
        if self.area_km2 is not None and self.area_km2 > limit:
            raise ValueError(tr("The extent covers {:,.0f} km², more than the limit of {:,.0f} km²: draw a "
                                "smaller one or raise the limit in Settings > Options > RS Embed.").format(
                self.area_km2, limit))
        out_dir = self.out_dir.filePath().strip()
        if not out_dir:
            raise ValueError(tr("Choose an output folder."))
        try:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(tr("The output folder cannot be created: {}").format(exc)) from exc
        spec = RunSpec(models=models, out_dir=out_dir, backend=self.backend.currentText(),
                       imagery_source=self.imagery.currentText())
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
            spec.input_raster = layer.source()
        return spec

    def accept(self):
        try:
            self.spec = self.run_spec()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        self.remember()
        super().accept()
