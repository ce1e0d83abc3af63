"""The background run of "Embed drawn extent": a QgsTask that sends one
embed_roi job per model to the core's worker (the same job as Processing's
Embed ROI) and, on the main thread, loads the outputs into a layer group or
says what went wrong. Nothing of the core runs in QGIS's process."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from qgis.core import Qgis, QgsMessageLog, QgsProject, QgsTask

from ..embedders import catalog
from ..embedders.jobclient import WorkerError
from ..qgis_common.params import bbox_from_rect, remove_files, spatial_params, tr
from ..qgis_common.run_layers import run_title
from ..qgis_common.worker import error_text, run_core_job

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
    options: dict = field(default_factory=dict)  # more embed_roi params (input_prep, device, sensor)

    def temporal(self) -> dict:
        """The job's ``temporal``: {"year": y} or {"start", "end"} (end exclusive)."""
        if self.start and self.end:
            return {"start": self.start.isoformat(), "end": self.end.isoformat()}
        return {"year": int(self.year)}

    def time_label(self) -> str:
        return f"{self.start}_{self.end}" if self.start and self.end else str(self.year)


def bbox_from_extent(rect, crs, transform_context=None):
    """A drawn rectangle in ``crs`` as a BBox in EPSG:4326 (SpecError if it is
    empty or not on Earth): the same conversion as the Processing extent."""
    return bbox_from_rect(rect, crs, transform_context or QgsProject.instance().transformContext())


def job_params(model: str, spec: RunSpec, bbox, grid_path, pca_path) -> dict:
    """The embed_roi job of one model, as Processing's Embed ROI builds it."""
    params = {"model": model, "spatial": spatial_params(bbox), "temporal": spec.temporal(),
              "backend": spec.backend, "imagery_source": spec.imagery_source,
              "output": str(grid_path), "pca_output": str(pca_path), "pooled": False}
    if catalog.card(model).kind == "onthefly":
        params.update(spec.options)
        if spec.input_raster:
            params["input_raster"] = spec.input_raster
    return params


def failure_hint(error: WorkerError) -> str:
    if error.error == "NotSetUp":
        return ""  # the message already says how to set up
    if error.error == "DependencyMissingError":
        return tr("Install what is missing with Raster › RS Embed › Check environment.")
    if error.error in ("WorkerCrashed", "WorkerHung") or error.traceback:
        return tr("See the RS Embed tab of the Log Messages panel for details.")
    return ""


class EmbedExtentTask(QgsTask):
    """Runs in QGIS's task manager (progress bar, cancel button, queueing).
    ``run()`` waits on the worker in a task thread and touches no layer or
    widget; ``finished()`` runs on the main thread. Cancel kills the worker
    (gone within a second) and removes every file of this run."""

    def __init__(self, spec: RunSpec, bbox, message_bar=None, project=None):
        super().__init__(tr("RS Embed: {} for {}").format(", ".join(spec.models), spec.time_label()),
                         QgsTask.CanCancel)
        self.spec = spec
        self.bbox = bbox
        self.message_bar = message_bar
        self.project = project
        self.outputs = []                  # (model, grid path, pca path)
        self.failures = []                 # (model, message, hint)
        self.planned = []                  # every output path of this run (removed on cancel)
        self.was_cancelled = False
        self.done = False                  # finished() has run (main thread)
        self.succeeded = None              # its result
        self.group = None                  # layer group once loaded
        self.layers = []
        self.started = dt.datetime.now()
        self.stamp = self.started.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:4]

    # -- task thread -----------------------------------------------------
    def run(self):
        n = len(self.spec.models)
        for i, model in enumerate(self.spec.models):
            if self.isCanceled():
                break
            try:
                self._run_model(model, i, n)
            except WorkerError as exc:
                if exc.cancelled or self.isCanceled():
                    break
                self._log(f"{model}: {exc.error}: {exc.message}\n{exc.log_tail or exc.traceback}".rstrip(),
                          Qgis.Critical)
                self.failures.append((model, error_text(exc), failure_hint(exc)))
        if self.isCanceled():
            self.was_cancelled = True
            remove_files(self.planned)  # a model that finished as the cancel came is removed too
            self.outputs = []
            return False
        return bool(self.outputs)

    def _run_model(self, model, i, n):
        out = Path(self.spec.out_dir)
        stem = f"{model}_{self.spec.time_label()}_{self.stamp}"
        grid_path, pca_path = out / f"{stem}.tif", out / f"{stem}_pca.tif"
        params = job_params(model, self.spec, self.bbox, grid_path, pca_path)
        self.planned += [grid_path, pca_path]
        run_core_job("embed_roi", params, [grid_path, pca_path],
                     on_progress=lambda f: self.setProgress(100.0 * (i + min(max(f, 0.0), 1.0)) / n),
                     on_log=lambda m: self._log(f"{model}: {m}", Qgis.Info),
                     is_cancelled=self.isCanceled)
        self.outputs.append((model, grid_path, pca_path))

    @staticmethod
    def _log(text, level):
        QgsMessageLog.logMessage(text, LOG_TAG, level)

    # -- main thread ---------------------------------------------------
    def finished(self, result):  # noqa: D401 (QGIS API)
        # the task manager deletes the C++ task soon after: keep what callers need in Python
        self.succeeded = bool(result)
        try:
            self._report()
        finally:
            self.done = True

    def _report(self):
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

        title = run_title([m for m, _, _ in self.outputs], self.spec.time_label(), self.started)
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
