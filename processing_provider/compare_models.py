"""Compare models: run several models on the same extent and time, load each
model's grid and PCA map into one layer group, and write a comparison report
(HTML and CSV) on a common grid: per-model facts, linear CKA and k-NN agreement
between models, and the PCA maps side by side."""
from __future__ import annotations

import datetime as _dt

from qgis.core import (
    QgsCoordinateTransform, QgsProcessing, QgsProcessingContext, QgsProcessingException,
    QgsProcessingOutputFile, QgsProcessingOutputHtml, QgsProcessingOutputMultipleLayers,
    QgsProcessingOutputNumber, QgsProcessingParameterDefinition, QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource, QgsProcessingParameterField, QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
)

from .analysis_common import EmbeddingsAlgorithm
from .embed_roi import IMAGERY_SOURCES, PRODUCT_BACKENDS, model_help, model_ids
from ..qgis_common.choices import model_enum
from ..qgis_common.params import (
    WGS84, date_param, enum_param, enum_value, enum_values, spatial_from_extent, spatial_params, temporal_params,
    time_label, tr,
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
    LABELS, LABEL_FIELD, LABEL_BLOCK = "LABELS", "LABEL_FIELD", "LABEL_BLOCK"

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
            "<b>Labelled mode</b>: give labelled points or polygons and their class field, and every model "
            "(and all of them concatenated) is ranked on your labels: k-NN (k = 1, 3, 5) and a linear "
            "probe, balanced accuracy with bootstrap 95 % CIs, under random and spatial-block "
            "cross-validation (blocks of the given size, in the first model's map units): ranking.csv, "
            "ranking.png and a section of report.html. It answers which embedding serves your labels here.<br>"
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
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.LABELS, tr("Labelled points or polygons (optional: rank the models on them)"),
            [QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.LABEL_FIELD, tr("Class field of the labels"), parentLayerParameterName=self.LABELS,
            optional=True))
        advanced = [
            QgsProcessingParameterNumber(self.LABEL_BLOCK, tr("Spatial CV block size (map units; default 16 pixels)"),
                                         QgsProcessingParameterNumber.Double, None, True, 0.0),
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
                  "spatial": spatial_params(spatial_from_extent(self, parameters, self.EXTENT, context)),
                  "temporal": temporal_params(self, parameters, context),
                  "backend": enum_value(self, parameters, self.BACKEND, context, PRODUCT_BACKENDS),
                  "imagery_source": enum_value(self, parameters, self.IMAGERY_SOURCE, context, IMAGERY_SOURCES),
                  "k": self.parameterAsInt(parameters, self.K, context), "output_folder": folder}
        params.update(self._labels(parameters, context))
        out = run_core_job("compare_models", params, [folder], feedback)
        for r in out["runs"]:
            if not r["ok"]:
                feedback.reportError(tr("{} skipped: {}").format(r["model"], r["error"]), fatalError=False)
        self._load_layers(out["runs"], context, time_label(params["temporal"]))
        if out.get("ranking_csv"):
            feedback.pushInfo(tr("Models ranked on the labels: {}").format(out["ranking_csv"]))
        return {"LAYERS": out["layers"], "REPORT": out["html"], "CSV": out["csv"],
                "OUTPUT_FOLDER": folder, "MODELS_RUN": out["models_run"]}

    def _labels(self, parameters, context) -> dict:
        """Labelled mode: the features as lon/lat WKT with their class."""
        source = self.parameterAsSource(parameters, self.LABELS, context)
        if source is None:
            return {}
        field = self.parameterAsString(parameters, self.LABEL_FIELD, context)
        if not field:
            raise QgsProcessingException(tr("Choose the class field of the labelled layer."))
        xform = QgsCoordinateTransform(source.sourceCrs(), WGS84, context.transformContext())
        labels = []
        for f in source.getFeatures():
            value = f[field]
            geom = f.geometry()
            if value is None or geom is None or geom.isEmpty():
                continue
            geom.transform(xform)
            labels.append({"wkt": geom.asWkt(), "value": str(value)})
        if not labels:
            raise QgsProcessingException(tr("The labelled layer has no feature with a class in '{}'.").format(field))
        block = None
        if parameters.get(self.LABEL_BLOCK) not in (None, ""):
            block = self.parameterAsDouble(parameters, self.LABEL_BLOCK, context) or None
        return {"labels": labels, "label_block": block}

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
