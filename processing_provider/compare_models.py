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

from .analysis_common import EmbeddingsAlgorithm
from .embed_roi import IMAGERY_SOURCES, PRODUCT_BACKENDS, model_help, model_ids
from ..qgis_common.choices import model_enum
from ..qgis_common.params import (
    date_param, enum_param, enum_value, enum_values, spatial_from_extent, temporal_params, time_label, tr,
    year_param,
)
from ..qgis_common.postprocessors import attach_style, style_pca
from ..qgis_common.worker import run_core_job


class CompareModelsAlgorithm(EmbeddingsAlgorithm):
    TAGS = ("compare", "CKA", "kNN", "report")
    MODEL_TAGS = True
    EXTENT, MODELS, YEAR, START_DATE, END_DATE = "EXTENT", "MODELS", "YEAR", "START_DATE", "END_DATE"
    REFERENCE_MODEL, REFERENCE_RESOLUTION, K = "REFERENCE_MODEL", "REFERENCE_RESOLUTION", "K"
    BACKEND, IMAGERY_SOURCE, OUTPUT_FOLDER = "BACKEND", "IMAGERY_SOURCE", "OUTPUT_FOLDER"

    def name(self):
        return "compare_models"

    def displayName(self):  # noqa: N802
        return tr("Compare models")

    def help_text(self):
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
        self.addParameter(model_enum(self.MODELS, tr("Models"), ids, multiple=True,
                                     default=[m for m in ("tessera", "gse_annual") if m in ids] or ids[:1]))
        self.addParameter(year_param(self.YEAR))
        self.addParameter(date_param(self.START_DATE, tr("Start date (inclusive; imagery models)")))
        self.addParameter(date_param(self.END_DATE, tr("End date (exclusive; imagery models)")))
        self.addParameter(model_enum(self.REFERENCE_MODEL, tr("Reference grid: a model's native grid"), ids,
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
        ids = model_ids()
        models = enum_values(self, parameters, self.MODELS, context, ids)
        if not models:
            raise QgsProcessingException(tr("Choose at least one model."))
        reference = None
        if parameters.get(self.REFERENCE_MODEL) not in (None, "", []):
            reference = enum_value(self, parameters, self.REFERENCE_MODEL, context, ids) or None
        res_m = None
        if parameters.get(self.REFERENCE_RESOLUTION) not in (None, ""):
            res_m = self.parameterAsDouble(parameters, self.REFERENCE_RESOLUTION, context) or None
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        params = {"models": models, "reference": reference, "res_m": res_m,
                  "spatial": {"bbox": list(spatial_from_extent(self, parameters, self.EXTENT, context).bounds_4326())},
                  "temporal": temporal_params(self, parameters, context),
                  "backend": enum_value(self, parameters, self.BACKEND, context, PRODUCT_BACKENDS),
                  "imagery_source": enum_value(self, parameters, self.IMAGERY_SOURCE, context, IMAGERY_SOURCES),
                  "k": self.parameterAsInt(parameters, self.K, context), "output_folder": folder}
        out = run_core_job("compare_models", params, [folder], feedback)
        for r in out["runs"]:
            if not r["ok"]:
                feedback.reportError(tr("{} skipped: {}").format(r["model"], r["error"]), fatalError=False)
        self._load_layers(out["runs"], context, time_label(params["temporal"]))
        return {"LAYERS": out["layers"], "REPORT": out["html"], "CSV": out["csv"],
                "OUTPUT_FOLDER": folder, "MODELS_RUN": out["models_run"]}

    def _load_layers(self, runs, context, when):
        """Queue every grid and PCA map for loading into one group for this run."""
        group = tr("Model comparison {} ({})").format(when, _dt.datetime.now().strftime("%H:%M:%S"))
        for r in runs:
            if not r["ok"]:
                continue
            for path, label, style in ((r["grid_path"], tr("{} embedding"), None),
                                       (r["pca_path"], tr("{} PCA"), style_pca)):
                name = label.format(r["model"])
                context.addLayerToLoadOnCompletion(path, QgsProcessingContext.LayerDetails(
                    name, context.project(), name))
                attach_style(context, path, style, name=name, group=group)
