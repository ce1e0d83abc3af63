"""Similarity map: cosine similarity of every pixel of an embedding raster to
reference pixels (points) or to the mean vector inside reference polygons."""
from __future__ import annotations

import json

from qgis.core import (
    QgsCoordinateTransform, QgsProcessing, QgsProcessingException, QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSource, QgsProcessingParameterPoint,
    QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer, QgsWkbTypes,
)

from .analysis_common import BLOCK_MB, AnalysisAlgorithm, block_mb_param, embedding_raster
from ..qgis_common.numbers import num
from ..qgis_common.params import enum_param, enum_value, tr
from ..qgis_common.postprocessors import attach_style
from ..qgis_common.styles import style_similarity
from ..qgis_common.worker import run_core_job

COMBINES = ("max", "mean")


def reference_geometries(source, crs, context, feedback):
    """Points ([x, y] lists) and polygons (GeoJSON dicts) of a feature source in
    ``crs`` (the raster's: the similarity_map job takes coordinates in it)."""
    xform = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
    points, polygons = [], []
    for f in source.getFeatures():
        g = f.geometry()
        if g is None or g.isEmpty():
            feedback.pushWarning(tr("Reference feature {} has no geometry; skipped.").format(f.id()))
            continue
        g.transform(xform)
        kind = QgsWkbTypes.geometryType(g.wkbType())
        if kind == QgsWkbTypes.PointGeometry:
            pts = g.asMultiPoint() if g.isMultipart() else [g.asPoint()]
            points.extend([p.x(), p.y()] for p in pts)
        elif kind == QgsWkbTypes.PolygonGeometry:
            polygons.append(json.loads(g.asJson()))
        else:
            feedback.pushWarning(tr("Reference feature {} is neither a point nor a polygon; skipped.").format(f.id()))
    return points, polygons


class SimilarityMapAlgorithm(AnalysisAlgorithm):
    TAGS = ("similarity", "cosine", "search", "reference")
    INPUT, REFERENCES, POINT, COMBINE, OUTPUT = "INPUT", "REFERENCES", "POINT", "COMBINE", "OUTPUT"

    def name(self):
        return "similarity_map"

    def displayName(self):  # noqa: N802
        return tr("Similarity map")

    def help_text(self):
        return tr(
            "Cosine similarity (-1..1) of every pixel of an embedding raster to reference vectors taken "
            "from the raster itself: the pixel under each reference point, or the mean vector of the "
            "pixels inside each reference polygon (a polygon smaller than a pixel takes the pixels it "
            "touches). Give a point/polygon layer (its selected features if 'selected features only' is "
            "ticked), a single point, or both.<br><br><b>Combine</b>: <i>max</i> gives each pixel its "
            "similarity to the closest reference; <i>mean</i> compares it with the mean direction of all "
            "references.<br>Output: float32 GeoTIFF, NaN where there is no data, styled with a colour "
            "ramp (2-98 % stretch). The raster is processed block by block.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Embedding raster")))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.REFERENCES, tr("Reference points or polygons"),
            [QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterPoint(self.POINT, tr("Reference point"), optional=True))
        self.addParameter(enum_param(self.COMBINE, tr("Combine several references by"), COMBINES, "max"))
        self.addParameter(block_mb_param())
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Similarity")))
        self.addOutput(QgsProcessingOutputNumber("REFERENCE_COUNT", tr("Reference vectors used")))
        self.addOutput(QgsProcessingOutputNumber("MEAN_SIMILARITY", tr("Mean similarity")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        layer, src = embedding_raster(self, parameters, self.INPUT, context)
        crs = layer.crs()
        points, polygons = [], []
        source = self.parameterAsSource(parameters, self.REFERENCES, context)
        if source is not None:
            points, polygons = reference_geometries(source, crs, context, feedback)
        if parameters.get(self.POINT) not in (None, ""):
            p = self.parameterAsPoint(parameters, self.POINT, context, crs)
            points.append([p.x(), p.y()])
        if not points and not polygons:
            raise QgsProcessingException(tr("Give reference points or polygons (a layer) or a reference point."))
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        params = {"input": src, "output": out, "points": points, "polygons": polygons,
                  "combine": enum_value(self, parameters, self.COMBINE, context, COMBINES),
                  "block_mb": self.parameterAsDouble(parameters, BLOCK_MB, context)}
        res = run_core_job("similarity_map", params, [out], feedback)
        for msg in res["skipped"]:
            feedback.pushWarning(tr("Reference skipped: {}").format(msg))
        mean = res["mean"] if res["mean"] is not None else float("nan")
        feedback.pushInfo(tr("{} reference vectors; mean similarity {}").format(res["references"], num(mean, 3)))
        attach_style(context, out, style_similarity, name=f"{layer.name()} similarity")
        return {self.OUTPUT: out, "REFERENCE_COUNT": res["references"], "MEAN_SIMILARITY": mean}
