"""The RS Embed page of Settings > Options. It edits the rs_embed/... keys
through qgis_common.settings and hands them to the core on Apply."""
from __future__ import annotations

from qgis.gui import QgsFileWidget, QgsOptionsPageWidget, QgsOptionsWidgetFactory
from qgis.PyQt.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QSpinBox

from ..qgis_common.icons import icon
from ..qgis_common.params import tr
from ..qgis_common.settings import DEVICES, apply_settings, read_settings, write_settings

PAGE_NAME = "rs_embed_options"  # objectName: iface.showOptionsDialog(currentPage=PAGE_NAME)


class RSEmbedOptionsPage(QgsOptionsPageWidget):
    def __init__(self, parent=None, settings=None):
        super().__init__(parent)
        self.setObjectName(PAGE_NAME)
        self._settings = settings
        form = QFormLayout(self)
        note = QLabel(tr("Empty fields use the RS_EMBED_* environment variable or the default. "
                         "Processing algorithms, qgis_process and the drawn-extent action all use these "
                         "values."))
        note.setWordWrap(True)
        form.addRow(note)

        def folder(placeholder):
            w = QgsFileWidget()
            w.setStorageMode(QgsFileWidget.GetDirectory)
            w.lineEdit().setPlaceholderText(placeholder)
            return w

        self.cache_dir = folder(tr("default: RS_EMBED_CACHE_DIR or ~/.cache/rs_embed"))
        self.weights_dir = folder(tr("default: <cache folder>/weights"))
        self.ee_project = QLineEdit()
        self.ee_project.setPlaceholderText(tr("none: Earth Engine routes are not used"))
        self.stac_url = QLineEdit()
        self.stac_url.setPlaceholderText("https://earth-search.aws.element84.com/v1")
        self.device = QComboBox()
        self.device.addItem(tr("default (auto)"), "")
        for d in DEVICES:
            self.device.addItem(d, d)
        self.batch_size = QSpinBox()
        self.batch_size.setRange(0, 4096)
        self.batch_size.setSpecialValueText(tr("default (8)"))
        self.max_roi = QDoubleSpinBox()
        self.max_roi.setRange(0, 1e7)
        self.max_roi.setDecimals(0)
        self.max_roi.setSuffix(" km²")
        self.max_roi.setSpecialValueText(tr("default (2500 km²)"))
        self.copernicus_path = QgsFileWidget()
        self.copernicus_path.setStorageMode(QgsFileWidget.GetFile)
        self.copernicus_path.setFilter(tr("GeoTIFF (*.tif *.tiff)"))
        self.copernicus_path.lineEdit().setPlaceholderText(
            tr("default: <cache folder>/copernicus_embed/embed_map_310k.tif"))

        form.addRow(tr("Cache folder"), self.cache_dir)
        form.addRow(tr("Weights folder"), self.weights_dir)
        form.addRow(tr("Earth Engine project"), self.ee_project)
        form.addRow(tr("STAC endpoint"), self.stac_url)
        form.addRow(tr("Device"), self.device)
        form.addRow(tr("Batch size"), self.batch_size)
        form.addRow(tr("Maximum ROI size"), self.max_roi)
        form.addRow(tr("Copernicus Embed file"), self.copernicus_path)
        self.load()

    def load(self):
        v = read_settings(self._settings)
        self.cache_dir.setFilePath(v["cache_dir"])
        self.weights_dir.setFilePath(v["weights_dir"])
        self.ee_project.setText(v["ee_project"])
        self.stac_url.setText(v["stac_url"])
        self.device.setCurrentIndex(max(0, self.device.findData(v["device"].lower())))
        self.batch_size.setValue(int(float(v["batch_size"] or 0)))
        self.max_roi.setValue(float(v["max_roi_km2"] or 0))
        self.copernicus_path.setFilePath(v["copernicus_path"])

    def values(self) -> dict:
        return {
            "cache_dir": self.cache_dir.filePath(), "weights_dir": self.weights_dir.filePath(),
            "ee_project": self.ee_project.text(), "stac_url": self.stac_url.text(),
            "device": self.device.currentData(), "batch_size": self.batch_size.value(),
            "max_roi_km2": self.max_roi.value(), "copernicus_path": self.copernicus_path.filePath(),
        }

    def apply(self):
        write_settings(self.values(), self._settings)
        apply_settings(self._settings)


class RSEmbedOptionsFactory(QgsOptionsWidgetFactory):
    def __init__(self):
        super().__init__(tr("RS Embed"), icon("settings"))

    def createWidget(self, parent):  # noqa: N802 (QGIS API)
        return RSEmbedOptionsPage(parent)
