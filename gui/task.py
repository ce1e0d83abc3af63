"""The background run of "Embed drawn extent": a QgsTask that embeds one
extent with one or more models, writes GeoTIFF + PCA per model, and on the
main thread loads them into a layer group (or says what went wrong)."""
from __future__ import annotations

import datetime as dt
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from qgis.core import (
    Qgis, QgsMessageLog, QgsProject, QgsTask,
)

from ..qgis_common.params import bbox_from_rect, remove_files, tr

LOG_TAG = "RS Embed"


@dataclass
class RunSpec:
    """What the dialog asks for."""
    models: List[str]
    out_dir: str
    year: Optional[int] = None
    start: Optional[dt.date] = None
    end: Optional[dt.date] = None          # exclusive
    backend: str = "auto"                  # precomputed products
    imagery_source: str = "auto"           # on-the-fly models
    input_raster: Optional[str] = None     # for imagery_source 'local'
    options: dict = field(default_factory=dict)

    def temporal(self):
        from ..embedders.specs import TemporalSpec

        if self.start and self.end:
            return TemporalSpec.range(self.start, self.end)
        return TemporalSpec.year(int(self.year))

    def time_label(self) -> str:
        return f"{self.start}_{self.end}" if self.start and self.end else str(self.year)


def bbox_from_extent(rect, crs, transform_context=None):
    """A drawn rectangle in ``crs`` as the core's BBox in EPSG:4326 (SpecError if
    it is empty or not on Earth): the same checks as the Processing extent."""
    return bbox_from_rect(rect, crs, transform_context or QgsProject.instance().transformContext())


def core_kwargs(model, spec: RunSpec):
    """Keyword arguments of ``get_grid_and_pooled`` for one model, as Embed ROI passes them."""
    from ..embedders import describe_model

    kwargs = dict(spec.options)
    if describe_model(model)["kind"] == "onthefly":
        kwargs["backend"] = spec.imagery_source
        if spec.input_raster:
            kwargs["input_raster"] = spec.input_raster
    else:
        kwargs["backend"] = spec.backend
    return kwargs


class EmbedExtentTask(QgsTask):
    """Runs in QGIS's task manager (progress bar, cancel button, queueing).
    ``run()`` works in a worker thread and touches no layer or widget;
    ``finished()`` runs on the main thread."""

    def __init__(self, spec: RunSpec, bbox, message_bar=None, project=None, config=None):
        models = ", ".join(spec.models)
        super().__init__(tr("RS Embed: {} for {}").format(models, spec.time_label()), QgsTask.CanCancel)
        self.spec = spec
        self.bbox = bbox
        self.message_bar = message_bar
        self.project = project
        self.config = config               # core Config snapshot taken on the main thread
        self.outputs = []                  # (model, grid path, pca path)
        self.failures = []                 # (model, message, hint)
        self.written = []                  # every file this run wrote (removed on cancel)
        self.was_cancelled = False
        self.done = False                  # finished() has run (main thread)
        self.succeeded = None              # its result
        self.group = None                  # layer group once loaded
        self.layers = []
        self.stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:4]

    # -- worker thread -------------------------------------------------
    def run(self):
        from ..embedders.threads import in_python_thread

        return in_python_thread(self._run_models)  # pyproj is unsafe on pooled Qt threads

    def _run_models(self):
        from ..embedders.errors import CancelledError, DependencyMissingError, RSEmbedError

        n = len(self.spec.models)
        for i, model in enumerate(self.spec.models):
            if self.isCanceled():
                break
            try:
                self._run_model(model, i, n)
            except CancelledError:
                break
            except DependencyMissingError as exc:
                self.failures.append((model, str(exc), tr(
                    "Install the package, restart QGIS, and see Plugins > RS Embed > Check environment.")))
            except RSEmbedError as exc:
                self.failures.append((model, str(exc), ""))
            except Exception as exc:  # a bug or an unexpected library error
                QgsMessageLog.logMessage(traceback.format_exc(), LOG_TAG, Qgis.Critical)
                self.failures.append((model, f"{type(exc).__name__}: {exc}", tr(
                    "See the RS Embed tab of the Log Messages panel for details.")))
        if self.isCanceled():
            self.was_cancelled = True
            remove_files(self.written)
            self.written, self.outputs = [], []
            return False
        return bool(self.outputs)

    def _run_model(self, model, i, n):
        from ..embedders.api import get_grid_and_pooled
        from ..embedders.pca import write_pca_geotiff
        from ..embedders.progress import Progress
        from ..embedders.writers import write_geotiff

        progress = Progress(on_progress=lambda f: self.setProgress(100.0 * (i + f) / n),
                            on_message=lambda m: QgsMessageLog.logMessage(f"{model}: {m}", LOG_TAG, Qgis.Info),
                            is_cancelled=self.isCanceled)
        grid, _pooled = get_grid_and_pooled(model, spatial=self.bbox, temporal=self.spec.temporal(),
                                            progress=progress.sub(0.0, 0.85), config=self.config,
                                            **core_kwargs(model, self.spec))
        progress.check()
        out = Path(self.spec.out_dir)
        stem = f"{model}_{self.spec.time_label()}_{self.stamp}"
        grid_path, pca_path = out / f"{stem}.tif", out / f"{stem}_pca.tif"
        try:
            self.written.append(grid_path)   # before writing: a cancel removes what got written
            write_geotiff(grid, grid_path)
            progress.update(0.93)
            self.written.append(pca_path)
            write_pca_geotiff(grid, pca_path)
        except BaseException:  # this model's files go too (all or nothing per model)
            remove_files([grid_path, pca_path])
            raise
        progress.update(1.0)
        self.outputs.append((model, grid_path, pca_path))

    # -- main thread ---------------------------------------------------
    def finished(self, result):  # noqa: D401 (QGIS API)
        # the task manager deletes the C++ task soon after: keep what callers need in Python
        self.succeeded = bool(result)
        try:
            self._report(result)
        finally:
            self.done = True

    def _report(self, result):
        if self.was_cancelled or self.isCanceled():
            self._push(tr("RS Embed"), tr("Cancelled: no files were left behind."), Qgis.Info)
            return
        if self.outputs:
            self._load_outputs()
        for model, message, hint in self.failures:
            self._push(tr("RS Embed: {} failed").format(model), f"{message} {hint}".strip(), Qgis.Critical)
        if not self.outputs and not self.failures:
            self._push(tr("RS Embed"), tr("Nothing was produced."), Qgis.Warning)

    def _load_outputs(self):
        from .layers import load_run

        when = dt.datetime.strptime(self.stamp[:15], "%Y%m%d-%H%M%S").strftime("%H:%M:%S")
        title = tr("RS Embed {} {} ({})").format(", ".join(m for m, _, _ in self.outputs),
                                               self.spec.time_label(), when)
        self.group, self.layers, problems = load_run(self.project or QgsProject.instance(), title,
                                                     self.outputs)
        for message in problems:
            self._push(tr("RS Embed"), message, Qgis.Warning)
        if self.layers:
            self._push(tr("RS Embed"), tr("Loaded {} layer(s) into the group '{}'.").format(
                len(self.layers), self.group.name()), Qgis.Success)

    def _push(self, title, text, level):
        QgsMessageLog.logMessage(f"{title}: {text}", LOG_TAG, level)
        if self.message_bar is not None:
            self.message_bar.pushMessage(title, text, level, 0 if level == Qgis.Critical else 8)
