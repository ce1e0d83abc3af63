"""RS Embed core: remote-sensing foundation-model embeddings for an ROI and a
time window. Plain Python; never imports qgis.

    from rs_embed_qgis.embedders import get_embedding, PointBuffer, TemporalSpec, OutputSpec
    emb = get_embedding("tessera", spatial=PointBuffer(0.2, 52.05, 2000),
                        temporal=TemporalSpec.year(2024), output=OutputSpec.grid())
"""
__version__ = "0.1.0"

from .api import get_embedding, get_embeddings_batch  # noqa: E402
from .config import Config, configure, get_config  # noqa: E402
from .embedding import Embedding  # noqa: E402
from .errors import (  # noqa: E402
    CancelledError, CredentialsError, DataUnavailableError, DependencyMissingError,
    DownloadError, ModelNotFoundError, RSEmbedError, SpecError,
)
from .progress import Progress  # noqa: E402
from .registry import describe_model, list_models  # noqa: E402
from .specs import BBox, OutputSpec, PointBuffer, SensorSpec, TemporalSpec  # noqa: E402
from .writers import read_geotiff, write_geotiff  # noqa: E402
from .pca import write_pca_geotiff  # noqa: E402

__all__ = [
    "get_embedding", "get_embeddings_batch", "BBox", "PointBuffer", "TemporalSpec", "OutputSpec",
    "SensorSpec", "Embedding", "list_models", "describe_model", "Config", "configure", "get_config",
    "Progress", "write_geotiff", "read_geotiff", "write_pca_geotiff", "RSEmbedError", "SpecError",
    "ModelNotFoundError", "DataUnavailableError", "DependencyMissingError", "CredentialsError",
    "DownloadError", "CancelledError",
]
