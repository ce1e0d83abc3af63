"""Embed ROI: one model, one extent, one year or date window -> a georeferenced
embedding GeoTIFF, a PCA pseudocolour layer and (optionally) the pooled vector."""
from __future__ import annotations

import json

from qgis.core import (
    QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsGeometry, QgsProcessing,
    QgsProcessingException, QgsProcessingOutputNumber,
    QgsProcessingOutputString, QgsProcessingParameterDefinition, QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSink, QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer, QgsRectangle,
)
from qgis.PyQt.QtCore import QVariant

from .analysis_common import EmbeddingsAlgorithm
from .params import (
    WGS84, core_errors_as_processing, date_param, enum_param, enum_value, feedback_progress,
    remove_files, spatial_from_extent, temporal_from_params, tr, year_param,
)
from .postprocessors import attach_style, style_pca

PRODUCT_BACKENDS = ("auto", "gee", "cog")
IMAGERY_SOURCES = ("auto", "local", "stac", "gee")
COMPOSITES = ("median", "mosaic")
INPUT_PREPS = ("resize", "tile", "auto")
DEVICES = ("auto", "cpu", "cuda", "mps")


def model_ids():
    from ..embedders import list_models

    return list_models()


def model_help():
    """One line per model: id, kind, dims, resolution, time coverage, needs."""
    from ..embedders import describe_model

    lines = []
    for mid in model_ids():
        d = describe_model(mid)
        needs = f"; needs {', '.join(d['requires'])}" if d.get("requires") else ""
        inp = d.get("input") or {}
        if inp.get("bands"):
            side = [k for k in ((d.get("preprocessing") or {}).get("side_inputs") or {}) if " " not in k]
            needs = (f"; Sentinel-2 bands {', '.join(inp['bands'])} at {inp.get('size', '?')} px"
                     + (f", side inputs: {', '.join(side)}" if side else "") + needs)
        lines.append(f"<li><b>{mid}</b> ({d['kind']}): {d['title']}, {d['dim']} dims, "
                     f"{d['resolution']}, {d['temporal_coverage']}{needs}</li>")
    return "<ul>" + "".join(lines) + "</ul>"


class EmbedRoiAlgorithm(EmbeddingsAlgorithm):
    EXTENT, MODEL, YEAR, START_DATE, END_DATE = "EXTENT", "MODEL", "YEAR", "START_DATE", "END_DATE"
    BACKEND, IMAGERY_SOURCE, INPUT_RASTER = "BACKEND", "IMAGERY_SOURCE", "INPUT_RASTER"
    CLOUD_MAX, COMPOSITE, INPUT_PREP, DEVICE = "CLOUD_MAX", "COMPOSITE", "INPUT_PREP", "DEVICE"
    OUTPUT, PCA_OUTPUT, POOLED_OUTPUT = "OUTPUT", "PCA_OUTPUT", "POOLED_OUTPUT"

    def name(self):
        return "embed_roi"

    def displayName(self):  # noqa: N802
        return tr("Embed ROI")

    def shortHelpString(self):  # noqa: N802
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
            "or gee.<br><br>Models:") + model_help()

    def initAlgorithm(self, config=None):  # noqa: N802
        ids = model_ids()
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, tr("Extent (any CRS)")))
        self.addParameter(enum_param(self.MODEL, tr("Model"), ids,
                                     default="tessera" if "tessera" in ids else ids[0]))
        self.addParameter(year_param(self.YEAR))
        self.addParameter(date_param(self.START_DATE, tr("Start date (inclusive; imagery models)")))
        self.addParameter(date_param(self.END_DATE, tr("End date (exclusive; imagery models)")))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.INPUT_RASTER, tr("Input raster for the 'local' imagery source"), optional=True))
        # Advanced options are optional with defaults, so models and scripts may omit them.
        advanced = [
            enum_param(self.BACKEND, tr("Backend for precomputed products"), PRODUCT_BACKENDS, "auto",
                       optional=True),
            enum_param(self.IMAGERY_SOURCE, tr("Imagery source for on-the-fly models"), IMAGERY_SOURCES,
                       "auto", optional=True),
            QgsProcessingParameterNumber(self.CLOUD_MAX, tr("Maximum scene cloud cover (%)"),
                                         QgsProcessingParameterNumber.Double, 30.0, True, 0.0, 100.0),
            enum_param(self.COMPOSITE, tr("Composite of the scenes in the window"), COMPOSITES, "median",
                       optional=True),
            enum_param(self.INPUT_PREP, tr("Input preparation for large ROIs (resize / tile / auto)"),
                       INPUT_PREPS, "resize", optional=True),
            enum_param(self.DEVICE, tr("Device"), DEVICES, "auto", optional=True),
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

    def core_arguments(self, parameters, context):
        """Translate the parameters into keyword arguments of the core's API."""
        from ..embedders import SensorSpec, describe_model

        model = enum_value(self, parameters, self.MODEL, context, model_ids())
        kind = describe_model(model)["kind"]
        spatial = spatial_from_extent(self, parameters, self.EXTENT, context)
        temporal = temporal_from_params(self, parameters, context)
        kwargs = dict(spatial=spatial, temporal=temporal)
        if kind == "onthefly":
            layer = self.parameterAsRasterLayer(parameters, self.INPUT_RASTER, context)
            with core_errors_as_processing():
                kwargs["sensor"] = SensorSpec(
                    cloudy_pct=self.parameterAsDouble(parameters, self.CLOUD_MAX, context),
                    composite=enum_value(self, parameters, self.COMPOSITE, context, COMPOSITES))
            kwargs["backend"] = enum_value(self, parameters, self.IMAGERY_SOURCE, context, IMAGERY_SOURCES)
            kwargs["input_prep"] = enum_value(self, parameters, self.INPUT_PREP, context, INPUT_PREPS)
            kwargs["device"] = enum_value(self, parameters, self.DEVICE, context, DEVICES)
            if layer is not None:
                kwargs["input_raster"] = layer.source()
            elif kwargs["backend"] == "local":
                raise QgsProcessingException(tr("The 'local' imagery source needs an input raster."))
        else:
            kwargs["backend"] = enum_value(self, parameters, self.BACKEND, context, PRODUCT_BACKENDS)
        return model, kwargs

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        from ..embedders.api import get_grid_and_pooled
        from ..embedders.pca import write_pca_geotiff
        from ..embedders.threads import in_python_thread
        from ..embedders.writers import write_geotiff

        model, kwargs = self.core_arguments(parameters, context)
        out_path = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        pca_path = self.parameterAsOutputLayer(parameters, self.PCA_OUTPUT, context)
        feedback.pushInfo(tr("Embedding {} with {} for {}").format(
            kwargs["spatial"].bounds_4326(), model, kwargs["temporal"]))
        written = []

        def run_core():  # pyproj is unsafe on pooled Qt threads: run on a Python thread
            grid, pooled = get_grid_and_pooled(model, progress=feedback_progress(feedback, 0.0, 0.85), **kwargs)
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled."))
            write_geotiff(grid, out_path)
            written.append(out_path)
            feedback.setProgress(90)
            if pca_path:
                write_pca_geotiff(grid, pca_path)
                written.append(pca_path)
            return grid, pooled

        try:
            with core_errors_as_processing():
                grid, pooled = in_python_thread(run_core)
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled."))
            sink_id = self._write_pooled(parameters, context, model, kwargs, pooled)
        except BaseException:
            remove_files(written)
            raise
        feedback.setProgress(100)
        label = f"{model} {kwargs['temporal']}"
        attach_style(context, pca_path, style_pca, name=f"{label} PCA")
        attach_style(context, out_path, None, name=f"{label} embedding")
        meta = dict(grid.meta)
        feedback.pushInfo(tr("Grid {} x {} x {} in {}; coverage {:.1%}").format(
            grid.data.shape[0], grid.data.shape[1], grid.data.shape[2], grid.crs,
            pooled.meta.get("coverage_fraction", 0.0)))
        return {self.OUTPUT: out_path, self.PCA_OUTPUT: pca_path, self.POOLED_OUTPUT: sink_id,
                "DIM": int(grid.data.shape[0]), "COVERAGE": float(pooled.meta.get("coverage_fraction", 0.0)),
                "METADATA": json.dumps(meta, default=str)}

    def _write_pooled(self, parameters, context, model, kwargs, pooled):
        if parameters.get(self.POOLED_OUTPUT) in (None, ""):
            return None
        vec = pooled.to_numpy()
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
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(*kwargs["spatial"].bounds_4326())))
        f.setAttributes([model, str(kwargs["temporal"]), float(pooled.meta.get("coverage_fraction", 0.0))]
                        + [float(v) for v in vec])
        sink.addFeature(f, QgsFeatureSink.FastInsert)
        return sink_id
