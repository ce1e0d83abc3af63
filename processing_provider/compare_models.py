"""Compare models: run several models on the same extent and time, load each
model's grid and PCA map and the map of where the models agree into one layer
group named after the models, and write a comparison report (HTML and CSV) on
a common grid: provenance, PCA maps in comparable colours, a heatmap of
linear CKA and k-NN overlap, the agreement map."""
from __future__ import annotations

import datetime as _dt

from qgis.core import (
    QgsCoordinateTransform, QgsProcessing, QgsProcessingContext, QgsProcessingException,
    QgsProcessingOutputFile, QgsProcessingOutputHtml, QgsProcessingOutputMultipleLayers,
    QgsProcessingOutputNumber, QgsProcessingOutputRasterLayer, QgsProcessingParameterDefinition,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource, QgsProcessingParameterField, QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
)

from .analysis_common import EmbeddingsAlgorithm
from ..embedders.catalog import IMAGERY_SOURCES, PRODUCT_BACKENDS, model_ids
from ..qgis_common.choices import backend_labels, imagery_source_labels, labelled, model_enum
from ..qgis_common.help import model_help
from ..qgis_common.params import (
    WGS84, date_param, enum_param, enum_value, enum_values, spatial_from_extent, spatial_params, temporal_params,
    time_label, tr,
    year_param,
)
from ..qgis_common.postprocessors import style_pca
from ..qgis_common.run_layers import queue_in_group, unique_group_name
from ..qgis_common.styles import VIRIDIS, style_pseudocolor
from ..qgis_common.worker import run_core_job


def style_agreement(layer):
    """Agreement 0..1: a continuous viridis ramp over the full range."""
    style_pseudocolor(layer, VIRIDIS, 0.0, 1.0)


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
            "map are written to the output folder and loaded into one layer group named after the models; "
            "the PCA maps and the agreement map are switched on, the embedding grids off.<br><br>"
            "<b>Common grid</b>: every grid is resampled (average) onto one grid: the native grid of the "
            "<i>reference model</i>, or the ROI's UTM zone at the <i>common resolution</i> (metres); "
            "by default the coarsest native grid among the models.<br>"
            "<b>Report</b> (report.html, report.csv): provenance (run time, plugin version, each model's "
            "source, version and resampling); per model the dimension, native resolution, CRS, coverage "
            "and run time; the PCA maps side by side in comparable colours (each model's components "
            "rotated onto the reference model's, so the same field has the same colour; "
            "pca_side_by_side.png); one heatmap of linear CKA (1 = the same geometry up to rotation and "
            "scale) and k-nearest-neighbour overlap between every pair of models, with 95 % intervals "
            "from repeated samples and a shuffled baseline (similarity_heatmap.png); and <b>where the "
            "models disagree</b>: agreement.tif, per pixel on the common grid, 1 where the models rank the "
            "pixel's neighbours alike, 0 where they do not. The report opens from the Processing "
            "results.<br>"
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
            labelled(enum_param(self.BACKEND, tr("Backend for precomputed products"), PRODUCT_BACKENDS, "auto"),
                     backend_labels()),
            labelled(enum_param(self.IMAGERY_SOURCE, tr("Imagery source for on-the-fly models"),
                                [s for s in IMAGERY_SOURCES if s != "local"], "auto"), imagery_source_labels()),
        ]
        for p in advanced:
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, tr("Output folder")))
        self.addOutput(QgsProcessingOutputMultipleLayers("LAYERS", tr("Grids and PCA maps")))
        self.addOutput(QgsProcessingOutputRasterLayer("AGREEMENT", tr("Agreement between the models (0..1)")))
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
        self._load_layers(out["runs"], out.get("agreement"), context, time_label(params["temporal"]))
        if out.get("ranking_csv"):
            feedback.pushInfo(tr("Models ranked on the labels: {}").format(out["ranking_csv"]))
        return {"LAYERS": out["layers"], "REPORT": out["html"], "CSV": out["csv"], "AGREEMENT": out.get("agreement"),
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

    def _load_layers(self, runs, agreement, context, when):
        """Queue the run's layers for loading into one group named after the
        models: the agreement map and the PCA maps on, the grids off."""
        from qgis.core import QgsProject

        ok = [r for r in runs if r["ok"]]
        if not ok:
            return None
        title = tr("Compare {}: {} ({})").format(" vs ".join(r["model"] for r in ok), when,
                                                 _dt.datetime.now().strftime("%H:%M:%S"))
        project = context.project() or QgsProject.instance()
        group = unique_group_name(project.layerTreeRoot(), title)
        items = [(agreement, tr("Agreement of the models"), style_agreement, True)] if agreement else []
        items += [(r["pca_path"], tr("{} PCA").format(r["model"]), style_pca, True) for r in ok]
        items += [(r["grid_path"], tr("{} embedding").format(r["model"]), None, False) for r in ok]
        for path, name, _, _ in items:
            context.addLayerToLoadOnCompletion(path, QgsProcessingContext.LayerDetails(name, project, name))
        return queue_in_group(context, items, group)
