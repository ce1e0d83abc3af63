"""The RS Embed page of Settings › Options. It edits the rs_embed/... keys:
the Python of the core (which environment runs the worker) and the core's
settings, which every job carries to the worker (qgis_common.settings)."""
from __future__ import annotations

from qgis.core import QgsSettings
from qgis.gui import QgsFileWidget, QgsOptionsPageWidget, QgsOptionsWidgetFactory
from qgis.PyQt.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
    QSpinBox, QVBoxLayout, QWidget,
)

from ..embedders import jobclient
from ..qgis_common.icons import icon
from ..qgis_common.params import tr
from ..qgis_common.settings import DEVICES, read_settings, write_settings
from ..qgis_common.worker import PYTHON_KEY

PAGE_NAME = "rs_embed_options"  # objectName: iface.showOptionsDialog(currentPage=PAGE_NAME)


def _folder(placeholder):
    w = QgsFileWidget()
    w.setStorageMode(QgsFileWidget.GetDirectory)
    w.lineEdit().setPlaceholderText(placeholder)
    return w


def _group(title, rows):
    box = QGroupBox(title)
    form = QFormLayout(box)
    for label, widget in rows:
        if label is None:
            form.addRow(widget)
        else:
            form.addRow(label, widget)
    return box


class RSEmbedOptionsPage(QgsOptionsPageWidget):
    def __init__(self, parent=None, settings=None):
        super().__init__(parent)
        self.setObjectName(PAGE_NAME)
        self._settings = settings
        note = QLabel(tr("Empty fields use the RS_EMBED_* environment variable or the default. Processing "
                         "algorithms, qgis_process and the drawn-extent action all use these values."))
        note.setWordWrap(True)

        self.python = QgsFileWidget()
        self.python.setStorageMode(QgsFileWidget.GetFile)
        self.python.lineEdit().setPlaceholderText(tr("default: the environment made by Set up RS Embed"))
        python_note = QLabel(tr("The Python that runs the core (RS_EMBED_PYTHON): leave empty to use the "
                                "environment of Raster › RS Embed › Set up RS Embed, or name the python of an "
                                "existing environment (venv, conda) that has the core's packages."))
        python_note.setWordWrap(True)

        self.cache_dir = _folder(tr("default: RS_EMBED_CACHE_DIR or ~/.cache/rs_embed"))
        self.weights_dir = _folder(tr("default: <cache folder>/weights"))
        self.copernicus_path = QgsFileWidget()
        self.copernicus_path.setStorageMode(QgsFileWidget.GetFile)
        self.copernicus_path.setFilter(tr("GeoTIFF (*.tif *.tiff)"))
        self.copernicus_path.lineEdit().setPlaceholderText(
            tr("default: <cache folder>/copernicus_embed/embed_map_310k.tif"))
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
        self.max_roi.setToolTip(tr("Fetch imagery refuses larger areas; embedding checks the output size and "
                                   "the free disk space instead."))
        self.download_stall = self._seconds(tr("default (60 s)"))
        self.download_stall.setToolTip(tr("A download that moves less than 1 KiB in this time fails."))
        self.download_deadline = self._seconds(tr("default (3600 s)"))
        self.download_deadline.setToolTip(tr("The longest one download may take, retries included."))

        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(_group(tr("Core environment"), [(tr("Python of the core"), self.python),
                                                         (None, python_note)]))
        layout.addWidget(_group(tr("Data and cache"), [(tr("Cache folder"), self.cache_dir),
                                                       (tr("Weights folder"), self.weights_dir),
                                                       (tr("Copernicus Embed file"), self.copernicus_path)]))
        layout.addWidget(_group(tr("Data sources"), [(tr("Earth Engine project"), self.ee_project),
                                                     (tr("STAC endpoint"), self.stac_url)]))
        layout.addWidget(_group(tr("Computation"), [(tr("Device"), self.device),
                                                    (tr("Batch size"), self.batch_size),
                                                    (tr("Maximum ROI size"), self.max_roi)]))
        layout.addWidget(_group(tr("Downloads"), [(tr("Stalled after"), self.download_stall),
                                                  (tr("Longest download"), self.download_deadline)]))
        layout.addWidget(self._cache_group())
        layout.addStretch(1)
        self.load()
        self.refresh_cache()

    confirm_clear = True  # ask before removing cached files

    def _cache_group(self):
        from .cache import KINDS, kind_titles

        titles = kind_titles()
        self.cache_sizes, self.cache_buttons, rows = {}, {}, []
        for kind in KINDS:
            size, button = QLabel(), QPushButton(tr("Clear"))
            button.clicked.connect(lambda _checked=False, k=kind: self.clear_cache(k))
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(size, 1)
            line.addWidget(button)
            self.cache_sizes[kind], self.cache_buttons[kind] = size, button
            rows.append((titles[kind], row))
        return _group(tr("Cache"), rows)

    def refresh_cache(self):
        """Sizes of the cache as the stored settings place it."""
        from .cache import clearable, human, kind_dir, usage

        for kind, label in self.cache_sizes.items():
            folder = kind_dir(kind, self._settings)
            size, files = usage(folder)
            label.setText(tr("{} in {} files").format(human(size), files))
            label.setToolTip(str(folder))
            own = clearable(kind, self._settings)
            self.cache_buttons[kind].setEnabled(own and files > 0)
            self.cache_buttons[kind].setToolTip("" if own else tr("Not inside the cache folder: never cleared here."))

    def clear_cache(self, kind):
        from .cache import clear, kind_dir

        if self.confirm_clear and QMessageBox.question(
                self, tr("RS Embed"), tr("Remove the cached files in {}? They are downloaded again when "
                                         "needed.").format(kind_dir(kind, self._settings))) != QMessageBox.Yes:
            return None
        freed = clear(kind, self._settings)
        self.refresh_cache()
        return freed

    @staticmethod
    def _seconds(default_text):
        w = QDoubleSpinBox()
        w.setRange(0, 1e6)
        w.setDecimals(0)
        w.setSuffix(" s")
        w.setSpecialValueText(default_text)
        return w

    def _qsettings(self):
        return self._settings or QgsSettings()

    def load(self):
        v = read_settings(self._settings)
        self.python.setFilePath(str(self._qsettings().value(PYTHON_KEY, "", type=str) or ""))
        self.cache_dir.setFilePath(v["cache_dir"])
        self.weights_dir.setFilePath(v["weights_dir"])
        self.ee_project.setText(v["ee_project"])
        self.stac_url.setText(v["stac_url"])
        self.device.setCurrentIndex(max(0, self.device.findData(v["device"].lower())))
        self.batch_size.setValue(int(float(v["batch_size"] or 0)))
        self.max_roi.setValue(float(v["max_roi_km2"] or 0))
        self.copernicus_path.setFilePath(v["copernicus_path"])
        self.download_stall.setValue(float(v["download_stall_s"] or 0))
        self.download_deadline.setValue(float(v["download_deadline_s"] or 0))

    def values(self) -> dict:
        """The core's settings on this page (the Python of the core is separate: :meth:`python_value`)."""
        return {
            "cache_dir": self.cache_dir.filePath(), "weights_dir": self.weights_dir.filePath(),
            "ee_project": self.ee_project.text(), "stac_url": self.stac_url.text(),
            "device": self.device.currentData(), "batch_size": self.batch_size.value(),
            "max_roi_km2": self.max_roi.value(), "copernicus_path": self.copernicus_path.filePath(),
            "download_stall_s": self.download_stall.value(), "download_deadline_s": self.download_deadline.value(),
        }

    def python_value(self) -> str:
        return self.python.filePath().strip()

    def apply(self):
        write_settings(self.values(), self._settings)
        s = self._qsettings()
        if self.python_value():
            s.setValue(PYTHON_KEY, self.python_value())
        else:
            s.remove(PYTHON_KEY)
        jobclient.shutdown()  # the next job starts a worker with what is set now


class RSEmbedOptionsFactory(QgsOptionsWidgetFactory):
    def __init__(self):
        super().__init__(tr("RS Embed"), icon("settings"))

    def createWidget(self, parent):  # noqa: N802 (QGIS API)
        return RSEmbedOptionsPage(parent)
