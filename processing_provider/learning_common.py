"""What the learning algorithms share (Classify embeddings, Regress
embeddings, Apply model): embedding raster inputs, labelled features read
in QGIS and sent to the worker as WKT, the learning parameters and outputs."""
from __future__ import annotations

import json

from qgis.core import (
    QgsCoordinateTransform, QgsFeatureRequest, QgsProcessing, QgsProcessingException,
    QgsProcessingParameterDefinition, QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
    QgsProcessingParameterFileDestination, QgsProcessingParameterMultipleLayers, QgsProcessingParameterNumber,
)

from .analysis_common import BLOCK_MB, block_mb_param
from ..qgis_common.params import enum_param, enum_value, tr

VALIDATIONS = ("kfold", "spatial_kfold", "holdout")


def embedding_rasters(alg, parameters, name, context):
    """(layers, file paths) of a multiple-raster parameter read by GDAL."""
    layers = alg.parameterAsLayerList(parameters, name, context)
    if not layers:
        raise QgsProcessingException(tr("Choose at least one embedding raster."))
    for layer in layers:
        if layer.providerType() != "gdal":
            raise QgsProcessingException(tr("'{}' must be a raster file read by GDAL (e.g. an embedding "
                                            "GeoTIFF).").format(layer.name()))
    return layers, [layer.source().split("|")[0] for layer in layers]


def _plain(value):
    """A field value as JSON (None for NULL)."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value.toString() if hasattr(value, "toString") else value)


def labelled_features(source, field, crs, context, feedback, what="training"):
    """Features of ``source`` as {"wkt", "value"} in ``crs`` (the first
    raster's: the job takes coordinates in it); NULL values and empty
    geometries are skipped with a warning."""
    if source is None:
        return []
    idx = source.fields().lookupField(field)
    if idx < 0:
        raise QgsProcessingException(tr("The {} layer has no field '{}'.").format(what, field))
    xform = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
    request = QgsFeatureRequest().setSubsetOfAttributes([idx])
    out, skipped = [], 0
    for f in source.getFeatures(request):
        if feedback.isCanceled():
            break
        g, value = f.geometry(), _plain(f.attribute(idx))
        if g is None or g.isEmpty() or value is None:
            skipped += 1
            continue
        g.transform(xform)
        out.append({"wkt": g.asWkt(), "value": value})
    if skipped:
        feedback.pushWarning(tr("{} {} feature(s) without a geometry or a value in '{}' were skipped.")
                             .format(skipped, what, field))
    return out


def learning_params(alg, parameters, context, feedback, estimators, estimator_name):
    """The parameters shared by classify and regress, in the job's terms."""
    layers, paths = embedding_rasters(alg, parameters, "INPUT", context)
    field = alg.parameterAsString(parameters, "FIELD", context)
    crs = layers[0].crs()
    validation = enum_value(alg, parameters, "VALIDATION", context, VALIDATIONS)
    holdout = alg.parameterAsSource(parameters, "HOLDOUT", context)
    if validation == "holdout" and holdout is None:
        raise QgsProcessingException(tr("Validation 'holdout' needs a held-out layer (HOLDOUT)."))
    params = {
        "inputs": paths, "field": field,
        "features": labelled_features(alg.parameterAsSource(parameters, "TRAINING", context), field, crs,
                                      context, feedback),
        "holdout": labelled_features(holdout, field, crs, context, feedback, "held-out") if holdout else None,
        "estimator": enum_value(alg, parameters, estimator_name, context, estimators),
        "validation": validation, "folds": alg.parameterAsInt(parameters, "FOLDS", context),
        "block_size": alg.parameterAsDouble(parameters, "BLOCK_SIZE", context),
        "seed": alg.parameterAsInt(parameters, "SEED", context),
        "block_mb": alg.parameterAsDouble(parameters, BLOCK_MB, context),
        "output": alg.parameterAsOutputLayer(parameters, "OUTPUT", context),
        "report": alg.parameterAsFileOutput(parameters, "REPORT", context) or None,
        "model_output": alg.parameterAsFileOutput(parameters, "MODEL_OUTPUT", context) or None,
    }
    if not params["features"]:
        raise QgsProcessingException(tr("The training layer has no features with a value in '{}'.").format(field))
    return layers, params


def add_learning_parameters(alg, estimators, estimator_name, estimator_label, default, numeric=False):
    alg.addParameter(QgsProcessingParameterMultipleLayers(
        "INPUT", tr("Embedding raster(s) (several are stacked on the first one's grid)"), QgsProcessing.TypeRaster))
    alg.addParameter(QgsProcessingParameterFeatureSource(
        "TRAINING", tr("Training points or polygons"),
        [QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon]))
    alg.addParameter(QgsProcessingParameterField(
        "FIELD", tr("Value field") if numeric else tr("Class field"), parentLayerParameterName="TRAINING",
        type=QgsProcessingParameterField.Numeric if numeric else QgsProcessingParameterField.Any))
    alg.addParameter(enum_param(estimator_name, estimator_label, estimators, default))
    alg.addParameter(enum_param("VALIDATION", tr("Validation"), VALIDATIONS, "kfold"))
    alg.addParameter(QgsProcessingParameterNumber(
        "BLOCK_SIZE", tr("Block size for spatial K-fold (map units of the first raster)"),
        QgsProcessingParameterNumber.Double, 1000.0, True, 0.0))
    alg.addParameter(QgsProcessingParameterFeatureSource(
        "HOLDOUT", tr("Held-out layer (validation 'holdout'; same field)"),
        [QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon], optional=True))
    advanced = [
        QgsProcessingParameterNumber("FOLDS", tr("Number of folds"), QgsProcessingParameterNumber.Integer, 5,
                                     False, 2, 50),
        QgsProcessingParameterNumber("SEED", tr("Random seed"), QgsProcessingParameterNumber.Integer, 0, False, 0),
        block_mb_param(),
    ]
    for p in advanced:
        p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        alg.addParameter(p)


def add_report_and_model(alg):
    alg.addParameter(QgsProcessingParameterFileDestination(
        "REPORT", tr("Report (HTML; CSV and PNG beside it)"), tr("HTML files (*.html)"), optional=True))
    alg.addParameter(QgsProcessingParameterFileDestination(
        "MODEL_OUTPUT", tr("Trained model (.skops)"), tr("skops model files (*.skops)"), optional=True,
        createByDefault=False))


def sampling_warnings(res, feedback):
    """What the core left out of the training pixels, said plainly."""
    if res.get("features_outside"):
        feedback.pushWarning(tr("{} training feature(s) cover no pixel of the raster and were not used.")
                             .format(res["features_outside"]))
    if res.get("dropped_nodata"):
        feedback.pushWarning(tr("{} labelled pixel(s) without data in the raster(s) were not used.")
                             .format(res["dropped_nodata"]))


def report_outputs(res):
    return {"REPORT": res.get("report"), "METRICS": json.dumps(res["metrics"])}
