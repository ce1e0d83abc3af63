"""Shared pieces of the analysis algorithms: their toolbox group, the
embedding-raster input, the memory-per-block parameter, per-model backend
choice and the all-or-nothing run of a core function."""
from __future__ import annotations

import contextlib

from qgis.core import (
    QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingParameterDefinition,
    QgsProcessingParameterNumber,
)

from ..qgis_common.icons import family_icon
from ..qgis_common.params import core_errors_as_processing, remove_files, tr

BLOCK_MB = "BLOCK_MB"


class AnalysisAlgorithm(QgsProcessingAlgorithm):
    """Base of the algorithms in the 'Analysis' group."""

    def group(self):
        return tr("Analysis")

    def groupId(self):  # noqa: N802
        return "analysis"

    def icon(self):
        return family_icon(self.groupId())

    def createInstance(self):  # noqa: N802
        return type(self)()


class EmbeddingsAlgorithm(AnalysisAlgorithm):
    """Base of the algorithms in the 'Embeddings' group."""

    def group(self):
        return tr("Embeddings")

    def groupId(self):  # noqa: N802
        return "embeddings"


def block_mb_param():
    p = QgsProcessingParameterNumber(
        BLOCK_MB, tr("Memory per block (MB): larger is faster, smaller uses less RAM"),
        QgsProcessingParameterNumber.Double, 128.0, False, 4.0, 4096.0)
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


def model_kwargs(model, backend="auto", imagery_source="auto"):
    """Backend for one model: the chosen product backend (precomputed) or
    imagery source (on-the-fly) where the model offers it, else 'auto'."""
    from ..embedders import describe_model

    d = describe_model(model)
    chosen = imagery_source if d["kind"] == "onthefly" else backend
    return {"backend": chosen if chosen in d.get("backends", ("auto",)) else "auto"}


@contextlib.contextmanager
def all_or_nothing():
    """Yields a list to append written outputs to. Core errors become
    QgsProcessingException, and on any failure the listed outputs are removed
    (each is written atomically; this undoes the earlier steps)."""
    written = []
    try:
        with core_errors_as_processing():
            yield written
    except BaseException:
        remove_files(written)
        raise
