"""Embed features: one pooled embedding per feature of a vector layer (a
square around each point, or each geometry's bounding box), as attributes and
optionally a .npy array."""
from __future__ import annotations

from qgis.core import (
    QgsCoordinateTransform, QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsProcessing,
    QgsProcessingException, QgsProcessingOutputNumber, QgsProcessingParameterDefinition,
    QgsProcessingParameterFeatureSink, QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination, QgsProcessingParameterNumber, QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from .analysis_common import EmbeddingsAlgorithm, model_kwargs
from .embed_roi import IMAGERY_SOURCES, PRODUCT_BACKENDS, model_help, model_ids
from ..qgis_common.params import (
    WGS84, core_errors_as_processing, date_param, enum_param, enum_value, feedback_progress,
    temporal_from_params, tr, year_param,
)

ADDED = ("model", "coverage")


def feature_spatial(geom, buffer_m):
    """Core spatial spec of a geometry in EPSG:4326: a PointBuffer for a
    single point, else the geometry's bounding box."""
    from ..embedders import BBox, PointBuffer

    if QgsWkbTypes.geometryType(geom.wkbType()) == QgsWkbTypes.PointGeometry and not geom.isMultipart():
        p = geom.asPoint()
        return PointBuffer(p.x(), p.y(), buffer_m)
    r = geom.boundingBox()
    return BBox(r.xMinimum(), r.yMinimum(), r.xMaximum(), r.yMaximum())


class EmbedFeaturesAlgorithm(EmbeddingsAlgorithm):
    INPUT, MODEL, YEAR, START_DATE, END_DATE = "INPUT", "MODEL", "YEAR", "START_DATE", "END_DATE"
    BUFFER, BACKEND, IMAGERY_SOURCE = "BUFFER", "BACKEND", "IMAGERY_SOURCE"
    OUTPUT, ARRAY_OUTPUT = "OUTPUT", "ARRAY_OUTPUT"

    def name(self):
        return "embed_features"

    def displayName(self):  # noqa: N802
        return tr("Embed features")

    def shortHelpString(self):  # noqa: N802
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
        self.addParameter(enum_param(self.MODEL, tr("Model"), ids, default="tessera" if "tessera" in ids else ids[0]))
        self.addParameter(year_param(self.YEAR))
        self.addParameter(date_param(self.START_DATE, tr("Start date (inclusive; imagery models)")))
        self.addParameter(date_param(self.END_DATE, tr("End date (exclusive; imagery models)")))
        self.addParameter(QgsProcessingParameterNumber(
            self.BUFFER, tr("Half-size of the square around points (metres)"),
            QgsProcessingParameterNumber.Double, 500.0, False, 1.0, 500_000.0))
        for p in (enum_param(self.BACKEND, tr("Backend for precomputed products"), PRODUCT_BACKENDS, "auto"),
                  enum_param(self.IMAGERY_SOURCE, tr("Imagery source for on-the-fly models"),
                             [s for s in IMAGERY_SOURCES if s != "local"], "auto")):
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

        from ..embedders.api import get_embeddings_batch
        from ..embedders.embedding import Embedding
        from ..embedders.fileio import atomic_path
        from ..embedders.threads import in_python_thread

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Choose a vector layer of features to embed."))
        model = enum_value(self, parameters, self.MODEL, context, model_ids())
        temporal = temporal_from_params(self, parameters, context)
        buffer_m = self.parameterAsDouble(parameters, self.BUFFER, context)
        kwargs = model_kwargs(model, enum_value(self, parameters, self.BACKEND, context, PRODUCT_BACKENDS),
                              enum_value(self, parameters, self.IMAGERY_SOURCE, context, IMAGERY_SOURCES))
        xform = QgsCoordinateTransform(source.sourceCrs(), WGS84, context.transformContext())
        features, spatials, results = [], [], {}
        for f in source.getFeatures():
            features.append(QgsFeature(f))
            g = f.geometry()
            if g is None or g.isEmpty():
                results[len(features) - 1] = tr("no geometry")
                continue
            try:
                g.transform(xform)
                spatials.append((len(features) - 1, feature_spatial(g, buffer_m)))
            except Exception as exc:  # QgsCsException, SpecError: this feature only
                results[len(features) - 1] = str(exc)
        if not features:
            raise QgsProcessingException(tr("The layer has no features to embed."))
        feedback.pushInfo(tr("Embedding {} features with {} for {}").format(len(features), model, temporal))
        with core_errors_as_processing():
            embs = in_python_thread(  # pyproj is unsafe on pooled Qt threads
                get_embeddings_batch, model, spatials=[s for _, s in spatials], temporal=temporal,
                progress=feedback_progress(feedback, 0.0, 0.9), on_error="return", **kwargs) if spatials else []
        for (i, _), emb in zip(spatials, embs):  # errors as text: no traceback keeps this frame alive
            results[i] = emb if isinstance(emb, Embedding) else f"{type(emb).__name__}: {emb}"
        del embs
        embedded = {i: r for i, r in results.items() if isinstance(r, Embedding)}
        for i in sorted(set(results) - set(embedded)):
            feedback.pushWarning(tr("Feature {} has no embedding: {}").format(features[i].id(), results[i]))
        if not embedded:
            reasons = sorted({str(r) for r in results.values()})[:5]
            raise QgsProcessingException(tr("No feature could be embedded: {}").format("; ".join(reasons)))
        array = np.full((len(features), embedded[min(embedded)].dim), np.nan, dtype=np.float32)
        for i, emb in embedded.items():
            array[i] = np.asarray(emb.data, dtype=np.float32).ravel()
        dim = array.shape[1]
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
        for i, f in enumerate(features):
            emb = embedded.get(i)
            added = ([model, float(emb.meta.get("coverage_fraction", 1.0))] + [float(v) for v in array[i]]
                     if emb is not None else [None] * (dim + 2))
            out = QgsFeature(fields)
            out.setGeometry(f.geometry())
            out.setAttributes(list(f.attributes()) + added)
            sink.addFeature(out, QgsFeatureSink.FastInsert)
        del sink  # closes the file now
        npy = self.parameterAsFileOutput(parameters, self.ARRAY_OUTPUT, context) \
            if parameters.get(self.ARRAY_OUTPUT) else None
        if npy:
            with atomic_path(npy) as tmp, open(tmp, "wb") as fh:
                np.save(fh, array)
        failed = len(features) - len(embedded)
        feedback.pushInfo(tr("{} of {} features embedded ({} dimensions).").format(len(embedded), len(features), dim))
        return {self.OUTPUT: sink_id, self.ARRAY_OUTPUT: npy, "FAILED": failed, "DIM": dim}
