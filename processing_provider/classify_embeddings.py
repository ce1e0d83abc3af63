"""Classify embeddings: a class map from labelled points or polygons, with a
validated accuracy (bootstrap CIs), a confidence raster, a report and a
saved model. The learning runs in the core's worker (scikit-learn)."""
from __future__ import annotations

import json

from qgis.core import (
    QgsCoordinateTransform, QgsFeatureRequest, QgsProcessing, QgsProcessingException,
    QgsProcessingOutputNumber, QgsProcessingOutputString, QgsProcessingParameterDefinition,
    QgsProcessingParameterFeatureSource, QgsProcessingParameterField, QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers, QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
)

from .analysis_common import BLOCK_MB, AnalysisAlgorithm, block_mb_param
from ..qgis_common.numbers import num
from ..qgis_common.params import enum_param, enum_value, tr
from ..qgis_common.postprocessors import attach_style
from ..qgis_common.styles import style_classes, style_similarity
from ..qgis_common.worker import run_core_job

CLASSIFIERS = ("knn", "logistic", "random_forest", "hist_gradient_boosting")   # = embedders.learn.estimators
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


class ClassifyEmbeddingsAlgorithm(AnalysisAlgorithm):
    TAGS = ("classify", "classification", "random forest", "land cover", "supervised")

    def name(self):
        return "classify_embeddings"

    def displayName(self):  # noqa: N802
        return tr("Classify embeddings")

    def help_text(self):
        return tr(
            "Trains a classifier (scikit-learn) on the embedding vectors under labelled points or polygons "
            "and maps every pixel.<br><b>Embedding rasters</b>: one, or several stacked band-wise (fusion; "
            "the others are resampled onto the first one's grid).<br><b>Training</b>: a point takes the pixel "
            "it falls in, a polygon the pixels whose centres it holds; <b>Class field</b> names the classes."
            "<br><b>Validation</b>: <i>kfold</i> (random folds of pixels), <i>spatial_kfold</i> (pixels grouped "
            "in square blocks of <i>Block size</i> map units, so that neighbouring, alike pixels never fall on "
            "both sides: the honest estimate when labels are clustered) or <i>holdout</i> (a separate layer)."
            "<br>Outputs: a class raster (1..K, 0 = no data, palette and class names), the confidence (the "
            "winning class's probability), an HTML/CSV report with accuracy, balanced accuracy and per-class "
            "F1 with bootstrap 95 % confidence intervals and a confusion matrix, and the trained model "
            "(.skops, loaded without executing code) for <i>Apply model</i>. The map is predicted block by "
            "block in bounded memory.")

    def initAlgorithm(self, config=None):  # noqa: N802
        add_learning_parameters(self, CLASSIFIERS, "CLASSIFIER", tr("Classifier"), "random_forest")
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", tr("Classes")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            "CONFIDENCE_OUTPUT", tr("Confidence"), optional=True, createByDefault=True))
        add_report_and_model(self)
        self.addOutput(QgsProcessingOutputNumber("ACCURACY", tr("Accuracy (validation)")))
        self.addOutput(QgsProcessingOutputNumber("BALANCED_ACCURACY", tr("Balanced accuracy (validation)")))
        self.addOutput(QgsProcessingOutputString("METRICS", tr("Validation metrics (JSON)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        layers, params = learning_params(self, parameters, context, feedback, CLASSIFIERS, "CLASSIFIER")
        params["confidence_output"] = self.parameterAsOutputLayer(parameters, "CONFIDENCE_OUTPUT", context) or None
        res = run_core_job("classify_embeddings", params,
                           [params["output"], params["confidence_output"], params["report"], params["model_output"]],
                           feedback, span=(0.0, 99.0))
        sampling_warnings(res, feedback)
        m = res["metrics"]
        acc, bal = m["accuracy"], m["balanced_accuracy"]
        feedback.pushInfo(tr("Validation ({}): accuracy {} [{} – {}], balanced accuracy {} [{} – {}] on {} pixels").format(
            res["validation"], num(acc["value"], 3), num(acc["low"], 3), num(acc["high"], 3),
            num(bal["value"], 3), num(bal["low"], 3), num(bal["high"], 3), m["n"]))
        label = f"{params['field']} {params['estimator']}"
        attach_style(context, params["output"], style_classes, name=f"{label} classes")
        attach_style(context, params["confidence_output"], style_similarity, name=f"{label} confidence")
        return {"OUTPUT": params["output"], "CONFIDENCE_OUTPUT": params["confidence_output"],
                "MODEL_OUTPUT": params["model_output"], "ACCURACY": m["accuracy"]["value"],
                "BALANCED_ACCURACY": m["balanced_accuracy"]["value"], **report_outputs(res)}
