"""Embed ROI: one model, one extent, one year or date window -> a georeferenced
embedding GeoTIFF, a PCA pseudocolour layer and (optionally) the pooled vector."""
from __future__ import annotations

import json

from qgis.core import (
    QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsGeometry, QgsProcessing,
    QgsProcessingException, QgsProcessingOutputNumber,
    QgsProcessingOutputString, QgsProcessingParameterDefinition, QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSink, QgsProcessingParameterNumber, QgsProcessingParameterString,
    QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer, QgsRectangle,
)
from qgis.PyQt.QtCore import QVariant

from ..embedders import catalog
from ..embedders.catalog import (
    COMPOSITES, DEVICES, IMAGERY_SOURCES, INPUT_PREPS, PRODUCT_BACKENDS, VALUE_SCALES,
)
from ..embedders.errors import SpecError
from ..qgis_common.choices import (
    backend_labels, imagery_source_labels, labelled, model_enum, value_scale_labels,
)
from ..qgis_common.help import model_help, option_help  # noqa: F401 (compare_models takes model_help from here)
from ..qgis_common.params import (
    WGS84, date_param, enum_param, enum_value, metadata_text, remove_files, spatial_from_extent,
    spatial_params, temporal_params, time_label, tr, year_param,
)
from ..qgis_common.run_layers import load_embedding_outputs
from ..qgis_common.worker import run_core_job
from .analysis_common import EmbeddingsAlgorithm


def model_ids():
    return catalog.model_ids()


class EmbedRoiAlgorithm(EmbeddingsAlgorithm):
    TAGS = ("embed", "extent", "ROI", "GeoTIFF", "PCA", "pooled")
    MODEL_TAGS = True
    EXTENT, MODEL, YEAR, START_DATE, END_DATE = "EXTENT", "MODEL", "YEAR", "START_DATE", "END_DATE"
    BACKEND, IMAGERY_SOURCE, INPUT_RASTER = "BACKEND", "IMAGERY_SOURCE", "INPUT_RASTER"
    BAND_MAP, VALUE_SCALE = "BAND_MAP", "VALUE_SCALE"
    CLOUD_MAX, COMPOSITE, INPUT_PREP, DEVICE = "CLOUD_MAX", "COMPOSITE", "INPUT_PREP", "DEVICE"
    MODEL_OPTIONS = "MODEL_OPTIONS"
    OUTPUT, PCA_OUTPUT, POOLED_OUTPUT = "OUTPUT", "PCA_OUTPUT", "POOLED_OUTPUT"

    def name(self):
        return "embed_roi"

    def displayName(self):  # noqa: N802
        return tr("Embed ROI")

    def help_text(self):
        return tr(
            "Embeds an extent with a remote-sensing foundation model and writes the embedding grid as a "
            "georeferenced float32 GeoTIFF (one band per dimension, NaN where there is no data), a PCA "
            "pseudocolour RGB layer and, optionally, the pooled vector (mean over covered pixels) as the "
            "ROI polygon with one attribute per dimension.<br><br>"
            "<b>Extent</b>: any CRS; it is transformed to longitude/latitude.<br>"
            "<b>Time</b>: annual products use <i>Year</i>; give <i>Start date</i> and <i>End date</i> "
            "(end exclusive) for imagery-based models.<br>"
            "<b>Backend</b> (precomputed products): auto, gee (Earth Engine project needed) or cog "
            "(public copy, no account).<br>"
            "<b>Imagery source</b> (on-the-fly models): auto, local (Input raster), stac (no account) "
            "or gee. For a local raster, bands are found by Sentinel-2 names in the band descriptions "
            "or by colour, else give a <i>band map</i> (B04=1,B03=2,B02=3); its <i>values</i> are "
            "reflectance x 10^4 (Sentinel-2 L2A), reflectance 0-1, or 8-bit (aerial RGB). A run whose "
            "values do not fit says so in the log.<br>"
            "<b>Model options</b> (advanced): name=value pairs separated by ';' for the models that "
            "take them:") + option_help() + tr("Models:") + model_help()

    def initAlgorithm(self, config=None):  # noqa: N802
        ids = model_ids()
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, tr("Extent (any CRS)")))
        self.addParameter(model_enum(self.MODEL, tr("Model"), ids,
                                     default="tessera" if "tessera" in ids else ids[0]))
        self.addParameter(year_param(self.YEAR))
        self.addParameter(date_param(self.START_DATE, tr("Start date (inclusive; imagery models)")))
        self.addParameter(date_param(self.END_DATE, tr("End date (exclusive; imagery models)")))
        # The imagery inputs of on-the-fly models, together.
        self.addParameter(labelled(enum_param(self.IMAGERY_SOURCE, tr("Imagery source for on-the-fly models"),
                                              IMAGERY_SOURCES, "auto", optional=True), imagery_source_labels()))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.INPUT_RASTER, tr("Input raster for the 'local' imagery source"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.BAND_MAP, tr("Band map of the input raster (e.g. B04=1,B03=2,B02=3)"), optional=True))
        self.addParameter(labelled(enum_param(self.VALUE_SCALE, tr("Values of the input raster"),
                                              list(VALUE_SCALES), "reflectance_1e4", optional=True),
                                   value_scale_labels()))
        # Advanced options are optional with defaults, so models and scripts may omit them.
        advanced = [
            labelled(enum_param(self.BACKEND, tr("Backend for precomputed products"), PRODUCT_BACKENDS, "auto",
                                optional=True), backend_labels()),
            QgsProcessingParameterNumber(self.CLOUD_MAX, tr("Maximum scene cloud cover (%)"),
                                         QgsProcessingParameterNumber.Double, 30.0, True, 0.0, 100.0),
            enum_param(self.COMPOSITE, tr("Composite of the scenes in the window"), COMPOSITES, "median",
                       optional=True),
            enum_param(self.INPUT_PREP, tr("Input preparation for large ROIs (resize / tile / auto)"),
                       INPUT_PREPS, "resize", optional=True),
            enum_param(self.DEVICE, tr("Device"), DEVICES, "auto", optional=True),
            QgsProcessingParameterString(self.MODEL_OPTIONS, tr("Model options (e.g. frames=3)"),
                                         optional=True),
        ]
        for p in advanced:
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Embedding grid")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.PCA_OUTPUT, tr("PCA pseudocolour"), optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.POOLED_OUTPUT, tr("Pooled embedding (ROI polygon)"), QgsProcessing.TypeVectorPolygon,
            optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("DIM", tr("Embedding dimension")))
        self.addOutput(QgsProcessingOutputNumber("COVERAGE", tr("Fraction of the ROI covered")))
        self.addOutput(QgsProcessingOutputString("METADATA", tr("Run metadata (JSON)")))

    def job_params(self, parameters, context):
        """The parameters as the embed_roi job's params (core terms)."""
        model = enum_value(self, parameters, self.MODEL, context, model_ids())
        bbox = spatial_from_extent(self, parameters, self.EXTENT, context)
        params = {"model": model, "spatial": spatial_params(bbox),
                  "temporal": temporal_params(self, parameters, context),
                  "backend": enum_value(self, parameters, self.BACKEND, context, PRODUCT_BACKENDS),
                  "imagery_source": enum_value(self, parameters, self.IMAGERY_SOURCE, context, IMAGERY_SOURCES)}
        if catalog.card(model).kind == "onthefly":
            params["sensor"] = {
                "cloudy_pct": self.parameterAsDouble(parameters, self.CLOUD_MAX, context),
                "composite": enum_value(self, parameters, self.COMPOSITE, context, COMPOSITES)}
            params["input_prep"] = enum_value(self, parameters, self.INPUT_PREP, context, INPUT_PREPS)
            params["device"] = enum_value(self, parameters, self.DEVICE, context, DEVICES)
            layer = self.parameterAsRasterLayer(parameters, self.INPUT_RASTER, context)
            if layer is not None:
                params["input_raster"] = layer.source().split("|")[0]
                params["band_map"] = self.parameterAsString(parameters, self.BAND_MAP, context) or None
                params["value_scale"] = enum_value(self, parameters, self.VALUE_SCALE, context,
                                                   list(VALUE_SCALES))
            elif catalog.route(model, imagery_source=params["imagery_source"]) == "local":
                raise QgsProcessingException(tr("The 'local' imagery source needs an input raster."))
        text = self.parameterAsString(parameters, self.MODEL_OPTIONS, context)
        if text:
            try:
                params["model_options"] = catalog.parse_options(text)
                catalog.check_options(model, params["model_options"])
            except SpecError as exc:
                raise QgsProcessingException(str(exc)) from None
        return params

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        params = self.job_params(parameters, context)
        params["output"] = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        params["pca_output"] = self.parameterAsOutputLayer(parameters, self.PCA_OUTPUT, context) or None
        params["pooled"] = parameters.get(self.POOLED_OUTPUT) not in (None, "")
        out = run_core_job("embed_roi", params, [params["output"], params["pca_output"]], feedback,
                           span=(0.0, 97.0))
        try:
            sink_id = self._write_pooled(parameters, context, params, out)
        except BaseException:
            remove_files([params["output"], params["pca_output"]])
            raise
        feedback.setProgress(100)
        feedback.pushInfo(metadata_text(out["metadata"]))
        # one group per run, PCA shown above the hidden grid: as the drawn-extent action loads them
        load_embedding_outputs(context, out["output"], out["pca_output"], params["model"],
                               time_label(params["temporal"]))
        return {self.OUTPUT: out["output"], self.PCA_OUTPUT: out["pca_output"], self.POOLED_OUTPUT: sink_id,
                "DIM": out["dim"], "COVERAGE": out["coverage"],
                "METADATA": json.dumps(out["metadata"], default=str)}

    def _write_pooled(self, parameters, context, params, out):
        if not params["pooled"] or out.get("pooled") is None:
            return None
        vec = out["pooled"]
        fields = QgsFields()
        fields.append(QgsField("model", QVariant.String))
        fields.append(QgsField("time", QVariant.String))
        fields.append(QgsField("coverage", QVariant.Double))
        for i in range(len(vec)):
            fields.append(QgsField(f"e{i:03d}", QVariant.Double))
        from qgis.core import QgsWkbTypes

        sink, sink_id = self.parameterAsSink(parameters, self.POOLED_OUTPUT, context, fields,
                                             QgsWkbTypes.Polygon, WGS84)
        if sink is None:
            return None
        f = QgsFeature(fields)
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(*params["spatial"]["bbox"])))
        f.setAttributes([params["model"], time_label(params["temporal"]), float(out["coverage"])]
                        + [float(v) for v in vec])
        sink.addFeature(f, QgsFeatureSink.FastInsert)
        return sink_id
