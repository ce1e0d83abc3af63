"""Embedding change: per-pixel cosine distance between two years of the same
model, from two embedding rasters or by running the model twice on an extent."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException, QgsProcessingOutputNumber, QgsProcessingParameterDefinition,
    QgsProcessingParameterExtent, QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from .analysis_common import BLOCK_MB, AnalysisAlgorithm, block_mb_param, embedding_raster
from ..embedders.catalog import PRODUCT_BACKENDS, model_ids
from ..qgis_common.choices import backend_labels, labelled, model_enum
from ..qgis_common.numbers import num
from ..qgis_common.params import enum_param, enum_value, spatial_from_extent, spatial_params, tr
from ..qgis_common.postprocessors import attach_style
from ..qgis_common.styles import style_change
from ..qgis_common.worker import run_core_job

RESAMPLINGS = ("average", "bilinear", "nearest")


class EmbeddingChangeAlgorithm(AnalysisAlgorithm):
    TAGS = ("change", "change detection", "cosine", "years")
    MODEL_TAGS = True
    INPUT_A, INPUT_B, EXTENT, MODEL = "INPUT_A", "INPUT_B", "EXTENT", "MODEL"
    YEAR_A, YEAR_B, BACKEND, RESAMPLING = "YEAR_A", "YEAR_B", "BACKEND", "RESAMPLING"
    OUTPUT, GRID_A, GRID_B = "OUTPUT", "GRID_A", "GRID_B"

    def name(self):
        return "embedding_change"

    def displayName(self):  # noqa: N802
        return tr("Embedding change")

    def help_text(self):
        return tr(
            "Per-pixel change between two years of the same model as cosine distance 1 - cos(a, b): 0 = "
            "the same vector, 1 = orthogonal, up to 2 = opposite.<br><br>Either give two embedding rasters "
            "(<b>Embeddings A and B</b>; B is resampled onto A's grid when the grids differ), or an "
            "<b>Extent</b>, a <b>Model</b> and <b>Year A</b> / <b>Year B</b>: the model is run for both "
            "years (optionally keeping both grids).<br>Output: float32 GeoTIFF on A's grid, NaN where "
            "either has no data, styled with a colour ramp (2-98 % stretch). Processed block by block.")

    def initAlgorithm(self, config=None):  # noqa: N802
        ids = model_ids()
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT_A, tr("Embedding A (earlier)"), optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT_B, tr("Embedding B (later)"), optional=True))
        self.addParameter(QgsProcessingParameterExtent(self.EXTENT, tr("Or: extent (any CRS)"), optional=True))
        self.addParameter(model_enum(self.MODEL, tr("Model (with an extent)"), ids,
                                     default="tessera" if "tessera" in ids else ids[0]))
        for name, label in ((self.YEAR_A, tr("Year A (with an extent)")), (self.YEAR_B, tr("Year B (with an extent)"))):
            self.addParameter(QgsProcessingParameterNumber(name, label, QgsProcessingParameterNumber.Integer,
                                                           None, True, 1970, 2100))
        advanced = [labelled(enum_param(self.BACKEND, tr("Backend for precomputed products"), PRODUCT_BACKENDS,
                                        "auto"), backend_labels()),
                    enum_param(self.RESAMPLING, tr("Resampling of B onto A's grid"), RESAMPLINGS, "average"),
                    block_mb_param()]
        for p in advanced:
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Change (cosine distance)")))
        for name, label in ((self.GRID_A, tr("Embedding grid of year A")), (self.GRID_B, tr("Embedding grid of year B"))):
            self.addParameter(QgsProcessingParameterRasterDestination(name, label, optional=True,
                                                                      createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("MEAN_DISTANCE", tr("Mean cosine distance")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        given = [parameters.get(n) not in (None, "") for n in (self.INPUT_A, self.INPUT_B)]
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        params = {"output": out, "resampling": enum_value(self, parameters, self.RESAMPLING, context, RESAMPLINGS),
                  "block_mb": self.parameterAsDouble(parameters, BLOCK_MB, context)}
        if all(given):
            (la, a), (lb, b) = (embedding_raster(self, parameters, n, context) for n in (self.INPUT_A, self.INPUT_B))
            params.update(input_a=a, input_b=b)
            label = f"{la.name()} → {lb.name()}"
        elif any(given):
            raise QgsProcessingException(tr("Give both embeddings A and B, or neither and an extent with two years."))
        else:
            label = self._extent_params(parameters, context, params)
        res = run_core_job("embedding_change", params, [out, params.get("grid_a"), params.get("grid_b")], feedback)
        if res["resampled"]:
            feedback.pushInfo(tr("B was resampled onto A's grid ({}).").format(params["resampling"]))
        mean = res["mean"] if res["mean"] is not None else float("nan")
        feedback.pushInfo(tr("Mean cosine distance {}").format(num(mean, 4)))
        attach_style(context, out, style_change, name=f"change {label}")
        kept = {name: res[key] for name, key in ((self.GRID_A, "grid_a"), (self.GRID_B, "grid_b")) if res.get(key)}
        return {self.OUTPUT: out, "MEAN_DISTANCE": mean, **kept}

    def _extent_params(self, parameters, context, params):
        """The 'two years of one model on an extent' mode as job params; returns the layer label."""
        if parameters.get(self.EXTENT) in (None, ""):
            raise QgsProcessingException(tr("Give two embedding rasters, or an extent with a model and two years."))
        years = [parameters.get(n) for n in (self.YEAR_A, self.YEAR_B)]
        if any(y in (None, "") for y in years):
            raise QgsProcessingException(tr("With an extent, give Year A and Year B."))
        years = [self.parameterAsInt(parameters, n, context) for n in (self.YEAR_A, self.YEAR_B)]
        model = enum_value(self, parameters, self.MODEL, context, model_ids())
        spatial = spatial_from_extent(self, parameters, self.EXTENT, context)
        params.update(model=model, years=years, spatial=spatial_params(spatial),
                      backend=enum_value(self, parameters, self.BACKEND, context, PRODUCT_BACKENDS))
        for name, key in ((self.GRID_A, "grid_a"), (self.GRID_B, "grid_b")):
            if parameters.get(name) not in (None, ""):
                params[key] = self.parameterAsOutputLayer(parameters, name, context)
        return f"{model} {years[0]} → {years[1]}"
