"""Shared pieces of the algorithms: the base classes (toolbox group, icon,
search tags, help as plain lines with the choices by id, help URL), the
embedding-raster input and the memory-per-block parameter. (Backend routing
and all-or-nothing outputs live in the core: catalog.route, the worker's
OutputSet.)"""
from __future__ import annotations

from qgis.core import (
    QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingParameterDefinition,
    QgsProcessingParameterNumber,
)

from ..qgis_common.help import algorithm_tags, help_url, short_help, svg_icon_path
from ..qgis_common.icons import family_icon
from ..qgis_common.params import tr

BLOCK_MB = "BLOCK_MB"


class RSEmbedAlgorithm(QgsProcessingAlgorithm):
    """Base of every RS Embed algorithm. Subclasses give ``help_text()``
    (simple HTML or plain lines), ``TAGS`` and, when they take a model,
    ``MODEL_TAGS = True`` (model and product names for toolbox search)."""

    TAGS = ()
    MODEL_TAGS = False

    def help_text(self):
        return ""

    def shortHelpString(self):  # noqa: N802
        return short_help(self, self.help_text())

    def tags(self):
        return algorithm_tags(*self.TAGS, models=self.MODEL_TAGS)

    def helpUrl(self):  # noqa: N802
        return help_url()

    def icon(self):
        return family_icon(self.groupId())

    def svgIconPath(self):  # noqa: N802
        return svg_icon_path(self.groupId())

    def createInstance(self):  # noqa: N802
        return type(self)()


class AnalysisAlgorithm(RSEmbedAlgorithm):
    """Base of the algorithms in the 'Analysis' group."""

    def group(self):
        return tr("Analysis")

    def groupId(self):  # noqa: N802
        return "analysis"


class EmbeddingsAlgorithm(AnalysisAlgorithm):
    """Base of the algorithms in the 'Embeddings' group."""

    def group(self):
        return tr("Embeddings")

    def groupId(self):  # noqa: N802
        return "embeddings"


class ImageryAlgorithm(RSEmbedAlgorithm):
    """Base of the algorithms in the 'Imagery' group."""

    def group(self):
        return tr("Imagery")

    def groupId(self):  # noqa: N802
        return "imagery"


class ToolsAlgorithm(RSEmbedAlgorithm):
    """Base of the set-up and check algorithms ('Tools' group)."""

    def group(self):
        return tr("Tools")

    def groupId(self):  # noqa: N802
        return "tools"


def block_mb_param():
    """Advanced and optional (default 128 MB), so models and scripts may omit it."""
    p = QgsProcessingParameterNumber(
        BLOCK_MB, tr("Memory per block (MB): larger is faster, smaller uses less RAM"),
        QgsProcessingParameterNumber.Double, 128.0, True, 4.0, 4096.0)
    p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    return p


def embedding_raster(alg, parameters, name, context):
    """(layer, file path) of a raster parameter that GDAL reads from a file."""
    layer = alg.parameterAsRasterLayer(parameters, name, context)
    if layer is None or not layer.isValid():
        raise QgsProcessingException(tr("Choose an embedding raster for '{}'.").format(
            alg.parameterDefinition(name).description()))
    if layer.providerType() != "gdal":
        raise QgsProcessingException(tr("'{}' must be a raster file read by GDAL (e.g. an embedding "
                                        "GeoTIFF), not a '{}' layer.").format(layer.name(), layer.providerType()))
    return layer, layer.source().split("|")[0]
