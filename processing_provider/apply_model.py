"""Apply model: a model saved by Classify or Regress embeddings on other
embedding rasters (another area or year), after checking that they carry the
bands and embedding model it was trained on."""
from __future__ import annotations

from qgis.core import (
    QgsProcessing, QgsProcessingOutputString, QgsProcessingParameterFile, QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterRasterDestination,
)

from .analysis_common import BLOCK_MB, AnalysisAlgorithm, block_mb_param
from .learning_common import embedding_rasters
from ..qgis_common.params import tr
from ..qgis_common.postprocessors import attach_style
from ..qgis_common.styles import style_classes, style_similarity
from ..qgis_common.worker import run_core_job


class ApplyModelAlgorithm(AnalysisAlgorithm):
    TAGS = ("apply", "predict", "trained model", "classifier", "regressor")

    def name(self):
        return "apply_model"

    def displayName(self):  # noqa: N802
        return tr("Apply model")

    def help_text(self):
        return tr(
            "Maps embedding rasters with a model saved by <i>Classify embeddings</i> or <i>Regress "
            "embeddings</i> (.skops). The rasters must be of the same embedding model(s), in the same order, "
            "with the same bands as the ones it was trained on: anything else is refused. A model file that "
            "names code outside the estimators RS Embed saves is refused (skops, no pickle).<br>Outputs: the "
            "class raster and the confidence, or the continuous prediction; predicted block by block.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("MODEL", tr("Trained model (.skops)"), extension="skops"))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            "INPUT", tr("Embedding raster(s), as in training"), QgsProcessing.TypeRaster))
        self.addParameter(block_mb_param())
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", tr("Prediction")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            "CONFIDENCE_OUTPUT", tr("Confidence (classification models)"), optional=True, createByDefault=True))
        self.addOutput(QgsProcessingOutputString("TASK", tr("Task of the model")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        _, paths = embedding_rasters(self, parameters, "INPUT", context)
        params = {"model": self.parameterAsFile(parameters, "MODEL", context), "inputs": paths,
                  "output": self.parameterAsOutputLayer(parameters, "OUTPUT", context),
                  "confidence_output": self.parameterAsOutputLayer(parameters, "CONFIDENCE_OUTPUT", context) or None,
                  "block_mb": self.parameterAsDouble(parameters, BLOCK_MB, context)}
        res = run_core_job("apply_model", params, [params["output"], params["confidence_output"]], feedback,
                           span=(0.0, 99.0))
        for w in res.get("warnings") or []:
            feedback.pushWarning(w)
        classes = res["task"] == "classification"
        attach_style(context, params["output"], style_classes if classes else style_similarity,
                     name=tr("classes") if classes else tr("prediction"))
        conf = params["confidence_output"] if classes else None
        if not classes and params["confidence_output"]:   # a regression has no confidence: nothing to load
            layers = context.layersToLoadOnCompletion()
            layers.pop(params["confidence_output"], None)
            context.setLayersToLoadOnCompletion(layers)
        attach_style(context, conf, style_similarity, name=tr("confidence"))
        return {"OUTPUT": params["output"], "CONFIDENCE_OUTPUT": conf, "TASK": res["task"]}
