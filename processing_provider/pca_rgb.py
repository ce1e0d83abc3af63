"""PCA RGB: any embedding raster -> three principal components as an RGBA
pseudocolour GeoTIFF (the same code Embed ROI uses), streamed in row blocks."""
from __future__ import annotations

from qgis.core import QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer

from .analysis_common import BLOCK_MB, AnalysisAlgorithm, block_mb_param, embedding_raster
from ..qgis_common.params import tr
from ..qgis_common.postprocessors import attach_style, style_pca
from ..qgis_common.worker import run_core_job


class PcaRgbAlgorithm(AnalysisAlgorithm):
    TAGS = ("PCA", "RGB", "principal components", "visualise")
    INPUT, OUTPUT = "INPUT", "OUTPUT"

    def name(self):
        return "pca_rgb"

    def displayName(self):  # noqa: N802
        return tr("PCA RGB of embeddings")

    def help_text(self):
        return tr(
            "Projects every pixel of an embedding raster (any model, one band per dimension, NaN or the "
            "raster's no-data where empty) onto its first three principal components and writes them as "
            "an RGBA GeoTIFF (2-98 % stretch, transparent where there is no data). The PCA is fitted on a "
            "regular sample of up to 200,000 pixels and applied block by block, so large rasters fit in "
            "memory. The explained variance is stored in the tag RS_EMBED_PCA_EXPLAINED.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Embedding raster")))
        self.addParameter(block_mb_param())
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("PCA RGB")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        layer, src = embedding_raster(self, parameters, self.INPUT, context)
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        run_core_job("pca_rgb", {"input": src, "output": out,
                                 "block_mb": self.parameterAsDouble(parameters, BLOCK_MB, context)}, [out], feedback)
        attach_style(context, out, style_pca, name=f"{layer.name()} PCA")
        return {self.OUTPUT: out}
