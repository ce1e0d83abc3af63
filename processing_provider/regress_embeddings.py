"""Regress embeddings: a continuous map of a numeric field measured at points
or polygons, with R², MAE and RMSE (bootstrap CIs), a predicted-versus-
observed plot and a saved model. The learning runs in the core's worker."""
from __future__ import annotations

from qgis.core import QgsProcessingOutputNumber, QgsProcessingOutputString, QgsProcessingParameterRasterDestination

from .analysis_common import AnalysisAlgorithm
from .learning_common import (add_learning_parameters, add_report_and_model, learning_params, report_outputs,
                              sampling_warnings)
from ..qgis_common.numbers import num, num_g
from ..qgis_common.params import tr
from ..qgis_common.postprocessors import attach_style
from ..qgis_common.styles import style_similarity
from ..qgis_common.worker import run_core_job

REGRESSORS = ("knn", "linear", "random_forest", "hist_gradient_boosting")   # = embedders.learn.estimators


class RegressEmbeddingsAlgorithm(AnalysisAlgorithm):
    TAGS = ("regression", "regress", "predict", "supervised")

    def name(self):
        return "regress_embeddings"

    def displayName(self):  # noqa: N802
        return tr("Regress embeddings")

    def help_text(self):
        return tr(
            "Trains a regressor (scikit-learn) on the embedding vectors under points or polygons with a "
            "numeric <b>Value field</b> (biomass, canopy height, yield...) and maps every pixel as a float32 "
            "raster (NaN = no data).<br><b>Regressor</b>: <i>knn</i>, <i>linear</i> (ridge, penalty chosen by "
            "cross-validation), <i>random_forest</i> or <i>hist_gradient_boosting</i>.<br><b>Validation</b> as "
            "in <i>Classify embeddings</i> (random, spatial-block or held-out layer).<br>The report gives R², "
            "MAE and RMSE with bootstrap 95 % confidence intervals and a predicted-versus-observed plot; the "
            "model (.skops) can be applied to other rasters with <i>Apply model</i>.")

    def initAlgorithm(self, config=None):  # noqa: N802
        add_learning_parameters(self, REGRESSORS, "REGRESSOR", tr("Regressor"), "random_forest", numeric=True)
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", tr("Prediction")))
        add_report_and_model(self)
        self.addOutput(QgsProcessingOutputNumber("R2", tr("R² (validation)")))
        self.addOutput(QgsProcessingOutputNumber("RMSE", tr("RMSE (validation)")))
        self.addOutput(QgsProcessingOutputString("METRICS", tr("Validation metrics (JSON)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        _, params = learning_params(self, parameters, context, feedback, REGRESSORS, "REGRESSOR")
        res = run_core_job("regress_embeddings", params,
                           [params["output"], params["report"], params["model_output"]], feedback, span=(0.0, 99.0))
        sampling_warnings(res, feedback)
        m = res["metrics"]
        feedback.pushInfo(tr("Validation ({}): R² {} [{} – {}], RMSE {}, MAE {} on {} pixels").format(
            res["validation"], num(m["r2"]["value"], 3), num(m["r2"]["low"], 3), num(m["r2"]["high"], 3),
            num_g(m["rmse"]["value"], 4), num_g(m["mae"]["value"], 4), m["n"]))
        attach_style(context, params["output"], style_similarity, name=f"{params['field']} {params['estimator']}")
        return {"OUTPUT": params["output"], "MODEL_OUTPUT": params["model_output"], "R2": m["r2"]["value"],
                "RMSE": m["rmse"]["value"], **report_outputs(res)}
