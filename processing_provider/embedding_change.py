"""Embedding change: per-pixel cosine distance between two years of the same
model, from two embedding rasters or by running the model twice on an extent."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException, QgsProcessingOutputNumber, QgsProcessingParameterDefinition,
    QgsProcessingParameterExtent, QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer, QgsProcessingUtils,
)

from .analysis_common import (
    BLOCK_MB, AnalysisAlgorithm, all_or_nothing, block_mb_param, embedding_raster, model_kwargs,
)
from .embed_roi import PRODUCT_BACKENDS, model_ids
from ..qgis_common.params import enum_param, enum_value, feedback_progress, spatial_from_extent, tr
from ..qgis_common.postprocessors import attach_style
from ..qgis_common.styles import style_change

RESAMPLINGS = ("average", "bilinear", "nearest")


class EmbeddingChangeAlgorithm(AnalysisAlgorithm):
    INPUT_A, INPUT_B, EXTENT, MODEL = "INPUT_A", "INPUT_B", "EXTENT", "MODEL"
    YEAR_A, YEAR_B, BACKEND, RESAMPLING = "YEAR_A", "YEAR_B", "BACKEND", "RESAMPLING"
    OUTPUT, GRID_A, GRID_B = "OUTPUT", "GRID_A", "GRID_B"

    def name(self):
        return "embedding_change"

    def displayName(self):  # noqa: N802
        return tr("Embedding change between two years")

    def shortHelpString(self):  # noqa: N802
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
        self.addParameter(enum_param(self.MODEL, tr("Model (with an extent)"), ids,
                                     default="tessera" if "tessera" in ids else ids[0]))
        for name, label in ((self.YEAR_A, tr("Year A (with an extent)")), (self.YEAR_B, tr("Year B (with an extent)"))):
            self.addParameter(QgsProcessingParameterNumber(name, label, QgsProcessingParameterNumber.Integer,
                                                           None, True, 1970, 2100))
        advanced = [enum_param(self.BACKEND, tr("Backend for precomputed products"), PRODUCT_BACKENDS, "auto"),
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
        from ..embedders.analysis.change import change_raster

        given = [parameters.get(n) not in (None, "") for n in (self.INPUT_A, self.INPUT_B)]
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        resampling = enum_value(self, parameters, self.RESAMPLING, context, RESAMPLINGS)
        block_mb = self.parameterAsDouble(parameters, BLOCK_MB, context)
        results = {}
        with all_or_nothing() as written:
            if all(given):
                (la, a), (lb, b) = (embedding_raster(self, parameters, n, context) for n in (self.INPUT_A, self.INPUT_B))
                label = f"{la.name()} → {lb.name()}"
                progress = feedback_progress(feedback)
            elif any(given):
                raise QgsProcessingException(tr("Give both embeddings A and B, or neither and an extent with two years."))
            else:
                a, b, label = self._run_model(parameters, context, feedback, written, results)
                progress = feedback_progress(feedback, 0.8, 1.0)
            res = change_raster(a, b, out, resampling, block_mb, progress)
            written.append(out)
        if res["resampled"]:
            feedback.pushInfo(tr("B was resampled onto A's grid ({}).").format(resampling))
        feedback.pushInfo(tr("Mean cosine distance {:.4f}").format(res["mean"]))
        attach_style(context, out, style_change, name=f"change {label}")
        return {self.OUTPUT: out, "MEAN_DISTANCE": res["mean"], **results}

    def _run_model(self, parameters, context, feedback, written, results):
        """Embed the extent for both years; returns the two grid paths and a label."""
        from ..embedders.threads import in_python_thread

        if parameters.get(self.EXTENT) in (None, ""):
            raise QgsProcessingException(tr("Give two embedding rasters, or an extent with a model and two years."))
        years = [parameters.get(n) for n in (self.YEAR_A, self.YEAR_B)]
        if any(y in (None, "") for y in years):
            raise QgsProcessingException(tr("With an extent, give Year A and Year B."))
        years = [self.parameterAsInt(parameters, n, context) for n in (self.YEAR_A, self.YEAR_B)]
        spatial = spatial_from_extent(self, parameters, self.EXTENT, context)
        model = enum_value(self, parameters, self.MODEL, context, model_ids())
        kwargs = model_kwargs(model, enum_value(self, parameters, self.BACKEND, context, PRODUCT_BACKENDS))
        paths = []
        for i, (year, name) in enumerate(zip(years, (self.GRID_A, self.GRID_B))):
            feedback.pushInfo(tr("Embedding {} with {} for {}").format(spatial.bounds_4326(), model, year))
            keep = self.parameterAsOutputLayer(parameters, name, context) if parameters.get(name) else None
            path = keep or QgsProcessingUtils.generateTempFilename(f"{model}_{year}.tif")
            in_python_thread(self._embed_year, model, spatial, year, path,  # pyproj: not on Qt pool threads
                             feedback_progress(feedback, 0.4 * i, 0.4 * (i + 1)), kwargs)
            written.append(path)
            if keep:
                results[name] = keep
            paths.append(path)
        return paths[0], paths[1], f"{model} {years[0]} → {years[1]}"

    @staticmethod
    def _embed_year(model, spatial, year, path, progress, kwargs):
        from ..embedders import TemporalSpec
        from ..embedders.api import get_grid_and_pooled
        from ..embedders.writers import write_geotiff

        grid, _ = get_grid_and_pooled(model, spatial=spatial, temporal=TemporalSpec.year(year),
                                      progress=progress, **kwargs)
        write_geotiff(grid, path)
