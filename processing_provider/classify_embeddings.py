"""Classify embeddings: a class map from labelled points or polygons, with a
validated accuracy (bootstrap CIs), a confidence raster, a report and a
saved model. The learning runs in the core's worker (scikit-learn)."""
from __future__ import annotations

from qgis.core import QgsProcessingOutputNumber, QgsProcessingOutputString, QgsProcessingParameterRasterDestination

from .analysis_common import AnalysisAlgorithm
from .learning_common import (
    add_learning_parameters, add_report_and_model, learning_params, report_outputs, sampling_warnings,
)
from ..qgis_common.numbers import num
from ..qgis_common.params import tr
from ..qgis_common.postprocessors import attach_style
from ..qgis_common.styles import style_classes, style_similarity
from ..qgis_common.worker import run_core_job

CLASSIFIERS = ("knn", "logistic", "random_forest", "hist_gradient_boosting")   # = embedders.learn.estimators
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
