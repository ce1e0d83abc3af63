"""RS Embed core: remote-sensing foundation-model embeddings for an ROI and a
time window. Plain Python; never imports qgis.

    from rs_embed_qgis.embedders import get_embedding, PointBuffer, TemporalSpec, OutputSpec
    emb = get_embedding("tessera", spatial=PointBuffer(0.2, 52.05, 2000),
                        temporal=TemporalSpec.year(2024), output=OutputSpec.grid())

The names below load on first use, so that QGIS's process can import the
standard-library modules of the core (``catalog``, ``packages``, ``envsetup``,
``jobclient``) without numpy, rasterio or torch.
"""
import importlib

from .version import __version__

_EXPORTS = {
    "get_embedding": "api", "get_embeddings_batch": "api", "export_batch": "export",
    "inspect_model_input": "api", "get_embedding_from_data": "api",
    "Config": "config", "configure": "config", "get_config": "config",
    "Embedding": "embedding",
    "CancelledError": "errors", "CredentialsError": "errors", "DataUnavailableError": "errors",
    "DependencyMissingError": "errors", "DownloadError": "errors", "ModelNotFoundError": "errors",
    "RSEmbedError": "errors", "SpecError": "errors",
    "Progress": "progress",
    "describe_model": "registry", "list_models": "registry",
    "BBox": "specs", "OutputSpec": "specs", "PointBuffer": "specs", "SensorSpec": "specs",
    "TemporalSpec": "specs",
    "read_geotiff": "writers", "write_geotiff": "writers",
    "write_pca_geotiff": "pca",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
