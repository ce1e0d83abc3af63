"""Compare models: run several models on the same extent and time, load each
model's grid and PCA map into one layer group, and write a comparison report
(HTML and CSV) on a common grid: per-model facts, linear CKA and k-NN agreement
between models, and the PCA maps side by side."""
from __future__ import annotations

import datetime as _dt

from qgis.core import (
    QgsProcessingContext, QgsProcessingException, QgsProcessingOutputFile, QgsProcessingOutputHtml,
    QgsProcessingOutputMultipleLayers, QgsProcessingOutputNumber, QgsProcessingParameterDefinition,
    QgsProcessingParameterExtent, QgsProcessingParameterFolderDestination, QgsProcessingParameterNumber,
)

from .analysis_common import EmbeddingsAlgorithm, model_kwargs
from .embed_roi import IMAGERY_SOURCES, PRODUCT_BACKENDS, model_help, model_ids
from ..qgis_common.params import (
    core_errors_as_processing, date_param, enum_param, enum_value, enum_values, feedback_progress,
    spatial_from_extent, temporal_from_params, tr, year_param,
)
from ..qgis_common.postprocessors import attach_style, style_pca


class CompareModelsAlgorithm(EmbeddingsAlgorithm):
    EXTENT, MODELS, YEAR, START_DATE, END_DATE = "EXTENT", "MODELS", "YEAR", "START_DATE", "END_DATE"
    REFERENCE_MODEL, REFERENCE_RESOLUTION, K = "REFERENCE_MODEL", "REFERENCE_RESOLUTION", "K"
    BACKEND, IMAGERY_SOURCE, OUTPUT_FOLDER = "BACKEND", "IMAGERY_SOURCE", "OUTPUT_FOLDER"

    def name(self):
        return "compare_models"

    def displayName(self):  # noqa: N802
        return tr("Compare models")

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Runs every chosen model on the same extent and time and compares them fairly.<br>"
            "A model that cannot run here (missing Python package, no data for the place or year, no "
            "credentials) is reported and skipped; the others go on. Each model's embedding grid and PCA "
            "map are written to the output folder and loaded into one layer group.<br><br>"
            "<b>Common grid</b>: every grid is resampled (average) onto one grid: the native grid of the "
            "<i>reference model</i>, or the ROI's UTM zone at the <i>common resolution</i> (metres); "
            "by default the coarsest native grid among the models.<br>"
            "<b>Report</b> (report.html, report.csv): per model the dimension, native resolution, CRS, "
            "coverage and run time; between models linear CKA on the pixels valid in all (1 = the same "
            "geometry up to rotation and scale; works across dimensions) and the agreement of the "
            "k-nearest-neighbour sets of those pixels (mean Jaccard index and overlap); and the PCA maps "
            "side by side (pca_side_by_side.png). The report opens from the Processing results.<br>"
            "<b>Backend / imagery source</b> apply to the models that offer them; the others use auto."
            "<br><br>Models:") + model_help()

    def initAlgorithm(self, config=None):  # noqa: N802
        ids = model_ids()
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, tr("Extent (any CRS)")))
        self.addParameter(enum_param(self.MODELS, tr("Models"), ids, multiple=True,
                                     default=[m for m in ("tessera", "gse_annual") if m in ids] or ids[:1]))
        self.addParameter(year_param(self.YEAR))
        self.addParameter(date_param(self.START_DATE, tr("Start date (inclusive; imagery models)")))
        self.addParameter(date_param(self.END_DATE, tr("End date (exclusive; imagery models)")))
        self.addParameter(enum_param(self.REFERENCE_MODEL, tr("Reference grid: a model's native grid"), ids,
                                     optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.REFERENCE_RESOLUTION, tr("Or: common resolution in metres (ROI's UTM zone)"),
            QgsProcessingParameterNumber.Double, None, True, 0.0))
        advanced = [
            QgsProcessingParameterNumber(self.K, tr("Neighbours for k-NN agreement (k)"),
                                         QgsProcessingParameterNumber.Integer, 10, False, 1, 100),
            enum_param(self.BACKEND, tr("Backend for precomputed products"), PRODUCT_BACKENDS, "auto"),
            enum_param(self.IMAGERY_SOURCE, tr("Imagery source for on-the-fly models"),
                       [s for s in IMAGERY_SOURCES if s != "local"], "auto"),
        ]
        for p in advanced:
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, tr("Output folder")))
        self.addOutput(QgsProcessingOutputMultipleLayers("LAYERS", tr("Grids and PCA maps")))
        self.addOutput(QgsProcessingOutputHtml("REPORT", tr("Comparison report")))
        self.addOutput(QgsProcessingOutputFile("CSV", tr("Comparison table (CSV)")))
        self.addOutput(QgsProcessingOutputNumber("MODELS_RUN", tr("Models that ran")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        from ..embedders.analysis.compare_models import compare_models
        from ..embedders.threads import in_python_thread

        ids = model_ids()
        models = enum_values(self, parameters, self.MODELS, context, ids)
        if not models:
            raise QgsProcessingException(tr("Choose at least one model."))
        spatial = spatial_from_extent(self, parameters, self.EXTENT, context)
        temporal = temporal_from_params(self, parameters, context)
        reference = None
        if parameters.get(self.REFERENCE_MODEL) not in (None, "", []):
            reference = enum_value(self, parameters, self.REFERENCE_MODEL, context, ids) or None
        res_m = None
        if parameters.get(self.REFERENCE_RESOLUTION) not in (None, ""):
            res_m = self.parameterAsDouble(parameters, self.REFERENCE_RESOLUTION, context) or None
        if reference and res_m:
            raise QgsProcessingException(tr("Give either a reference model or a common resolution, not both."))
        if reference and reference not in models:
            raise QgsProcessingException(tr("The reference model {} is not among the chosen models.").format(reference))
        backend = enum_value(self, parameters, self.BACKEND, context, PRODUCT_BACKENDS)
        source = enum_value(self, parameters, self.IMAGERY_SOURCE, context, IMAGERY_SOURCES)
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        feedback.pushInfo(tr("Comparing {} on {} for {}").format(", ".join(models), spatial.bounds_4326(), temporal))
        with core_errors_as_processing():  # pyproj is unsafe on pooled Qt threads: run on a Python thread
            run = in_python_thread(compare_models, models, folder, spatial, temporal,
                                   lambda m: model_kwargs(m, backend, source), reference, res_m,
                                   self.parameterAsInt(parameters, self.K, context), feedback_progress(feedback))
        for r in run.runs:
            if not r.ok:
                feedback.reportError(tr("{} skipped: {}").format(r.model, r.error), fatalError=False)
        self._load_layers(run, context, temporal)
        return {"LAYERS": [str(p) for p in run.layers], "REPORT": str(run.html), "CSV": str(run.csv),
                "OUTPUT_FOLDER": folder, "MODELS_RUN": sum(r.ok for r in run.runs)}

    def _load_layers(self, run, context, temporal):
        """Queue every grid and PCA map for loading into one group for this run."""
        group = tr("Model comparison {} ({})").format(temporal, _dt.datetime.now().strftime("%H:%M:%S"))
        for r in run.runs:
            if not r.ok:
                continue
            for path, label, style in ((r.grid_path, tr("{} embedding"), None),
                                       (r.pca_path, tr("{} PCA"), style_pca)):
                name = label.format(r.model)
                context.addLayerToLoadOnCompletion(str(path), QgsProcessingContext.LayerDetails(
                    name, context.project(), name))
                attach_style(context, str(path), style, name=name, group=group)
