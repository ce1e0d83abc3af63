"""Embed features: one pooled embedding per feature of a vector layer (a
square around each point, or each geometry's bounding box), as attributes and
optionally a .npy array."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

from qgis.core import (
    QgsCoordinateTransform, QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsProcessing,
    QgsProcessingException, QgsProcessingOutputNumber, QgsProcessingParameterDefinition,
    QgsProcessingParameterFeatureSink, QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination, QgsProcessingParameterNumber, QgsProcessingUtils, QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from .analysis_common import EmbeddingsAlgorithm
from ..embedders.catalog import IMAGERY_SOURCES, PRODUCT_BACKENDS, model_ids
from ..qgis_common.choices import backend_labels, imagery_source_labels, labelled, model_enum
from ..qgis_common.help import model_help
from ..qgis_common.params import (
    WGS84, date_param, enum_param, enum_value, remove_files, temporal_params, time_label, tr, year_param,
)
from ..qgis_common.worker import run_core_job

ADDED = ("model", "coverage")


def feature_roi(geom, buffer_m):
    """The embed_features job's ROI of a geometry already in EPSG:4326 (lon/lat):
    a square around a single point, else the geometry's bounding box."""
    if QgsWkbTypes.geometryType(geom.wkbType()) == QgsWkbTypes.PointGeometry and not geom.isMultipart():
        p = geom.asPoint()
        return {"point": [p.x(), p.y()], "buffer_m": buffer_m}
    r = geom.boundingBox()
    return {"bbox": [r.xMinimum(), r.yMinimum(), r.xMaximum(), r.yMaximum()]}


def sink_file(sink_id):
    """The file behind a sink id ('/x/out.gpkg|layername=out'), or None for a memory layer."""
    path = str(sink_id or "").split("|")[0]
    return path if path and os.path.isfile(path) else None


class EmbedFeaturesAlgorithm(EmbeddingsAlgorithm):
    TAGS = ("features", "polygons", "points", "vector", "attributes")
    MODEL_TAGS = True
    INPUT, MODEL, YEAR, START_DATE, END_DATE = "INPUT", "MODEL", "YEAR", "START_DATE", "END_DATE"
    BUFFER, BACKEND, IMAGERY_SOURCE = "BUFFER", "BACKEND", "IMAGERY_SOURCE"
    OUTPUT, ARRAY_OUTPUT = "OUTPUT", "ARRAY_OUTPUT"

    def name(self):
        return "embed_features"

    def displayName(self):  # noqa: N802
        return tr("Embed features")

    def help_text(self):
        return tr(
            "One pooled embedding (mean over the covered pixels) per feature of a vector layer: a square "
            "of 2 x <b>buffer</b> ground metres around each point, or the bounding box of each line or "
            "polygon. The features keep their attributes and gain <i>model</i>, <i>coverage</i> (fraction "
            "of the area with data) and one attribute per dimension (e000, e001, ...). The model is loaded "
            "once for all features. A feature that fails (no data, outside coverage) is reported and left "
            "with empty (NULL) embedding attributes; the run fails only if every feature does.<br>"
            "Optionally also writes a NumPy array (features x dimensions, float32, NaN rows for failures) "
            "in the order of the output features.<br><br>Models:") + model_help()

    def initAlgorithm(self, config=None):  # noqa: N802
        ids = model_ids()
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, tr("Features (points, lines or polygons)"), [QgsProcessing.TypeVectorAnyGeometry]))
        self.addParameter(model_enum(self.MODEL, tr("Model"), ids, default="tessera" if "tessera" in ids else ids[0]))
        self.addParameter(year_param(self.YEAR))
        self.addParameter(date_param(self.START_DATE, tr("Start date (inclusive; imagery models)")))
        self.addParameter(date_param(self.END_DATE, tr("End date (exclusive; imagery models)")))
        self.addParameter(QgsProcessingParameterNumber(
            self.BUFFER, tr("Half-size of the square around points (metres)"),
            QgsProcessingParameterNumber.Double, 500.0, False, 1.0, 500_000.0))
        for p in (labelled(enum_param(self.BACKEND, tr("Backend for precomputed products"), PRODUCT_BACKENDS,
                                      "auto"), backend_labels()),
                  labelled(enum_param(self.IMAGERY_SOURCE, tr("Imagery source for on-the-fly models"),
                                      [s for s in IMAGERY_SOURCES if s != "local"], "auto"),
                           imagery_source_labels())):
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Embedded features")))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.ARRAY_OUTPUT, tr("Embeddings as a NumPy array"), tr("NumPy array (*.npy)"),
            optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("FAILED", tr("Features without an embedding")))
        self.addOutput(QgsProcessingOutputNumber("DIM", tr("Embedding dimension")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        import numpy as np

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Choose a vector layer of features to embed."))
        model = enum_value(self, parameters, self.MODEL, context, model_ids())
        buffer_m = self.parameterAsDouble(parameters, self.BUFFER, context)
        xform = QgsCoordinateTransform(source.sourceCrs(), WGS84, context.transformContext())
        features, rois = [], []
        for f in source.getFeatures():
            features.append(QgsFeature(f))
            g = QgsFeature(f).geometry()
            if g is None or g.isEmpty():
                rois.append({"error": tr("no geometry")})
                continue
            try:
                g.transform(xform)
                rois.append(feature_roi(g, buffer_m))
            except Exception as exc:  # QgsCsException: this feature only
                rois.append({"error": str(exc)})
        if not features:
            raise QgsProcessingException(tr("The layer has no features to embed."))
        npy = self.parameterAsFileOutput(parameters, self.ARRAY_OUTPUT, context) \
            if parameters.get(self.ARRAY_OUTPUT) else None
        folder = str(Path(npy).parent) if npy else QgsProcessingUtils.tempFolder()
        params = {"model": model, "temporal": temporal_params(self, parameters, context), "features": rois,
                  "backend": enum_value(self, parameters, self.BACKEND, context, PRODUCT_BACKENDS),
                  "imagery_source": enum_value(self, parameters, self.IMAGERY_SOURCE, context, IMAGERY_SOURCES),
                  "vectors_folder": folder}
        feedback.pushInfo(tr("Embedding {} features with {} for {}").format(
            len(features), model, time_label(params["temporal"])))
        out = run_core_job("embed_features", params, [str(Path(folder) / "vectors.npy")], feedback, span=(0.0, 90.0))
        vectors = out["vectors"]
        try:
            array = np.load(vectors)
            sink_id = self._write_sink(parameters, context, feedback, source, features, model, array, out)
            if npy:
                try:
                    os.replace(vectors, npy)  # same folder: the array appears with the layer, or neither
                except OSError as exc:
                    remove_files([sink_file(sink_id)])
                    raise QgsProcessingException(tr("Could not write {}: {}").format(npy, exc)) from None
        finally:
            with contextlib.suppress(OSError):
                os.remove(vectors)
        failed = len(features) - out["embedded"]
        feedback.pushInfo(tr("{} of {} features embedded ({} dimensions).").format(
            out["embedded"], len(features), out["dim"]))
        return {self.OUTPUT: sink_id, self.ARRAY_OUTPUT: npy, "FAILED": failed, "DIM": out["dim"]}

    def _write_sink(self, parameters, context, feedback, source, features, model, array, out):
        """The input features with model, coverage and one field per dimension (NULL where it failed)."""
        for f, err in zip(features, out["errors"]):
            if err:
                feedback.pushWarning(tr("Feature {} has no embedding: {}").format(f.id(), err))
        dim = int(out["dim"])
        names = list(ADDED) + [f"e{j:03d}" for j in range(dim)]
        prefix = "rse_" if any(source.fields().lookupField(n) >= 0 for n in names) else ""
        if prefix:
            feedback.pushWarning(tr("The layer already has fields named like the embedding's; the new "
                                    "fields are prefixed with rse_."))
        fields = QgsFields(source.fields())
        for n in names:
            fields.append(QgsField(prefix + n, QVariant.String if n == "model" else QVariant.Double))
        sink, sink_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, source.wkbType(),
                                             source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        try:
            for i, f in enumerate(features):
                cov = out["coverage"][i]
                added = ([model, float(cov)] + [float(v) for v in array[i]]
                         if cov is not None else [None] * (dim + 2))
                feat = QgsFeature(fields)
                feat.setGeometry(f.geometry())
                feat.setAttributes(list(f.attributes()) + added)
                if not sink.addFeature(feat, QgsFeatureSink.FastInsert):
                    raise QgsProcessingException(tr("Could not write feature {}: {}").format(
                        f.id(), sink.lastError() if hasattr(sink, "lastError") else ""))
        except BaseException:
            del sink
            remove_files([sink_file(sink_id)])
            raise
        del sink  # closes the file now
        return sink_id
