"""The ``rs_embed`` Processing provider."""
import importlib
from pathlib import Path

from qgis.core import QgsMessageLog, QgsProcessingProvider, Qgis
from qgis.PyQt.QtGui import QIcon

from ..embedders.version import __version__

# (module, class) of every algorithm, in toolbox order. A module that fails to
# import is logged and left out, so one broken algorithm never hides the rest.
ALGORITHMS = [
    ("embed_roi", "EmbedRoiAlgorithm"),
    ("compare_models", "CompareModelsAlgorithm"),
    ("fetch_imagery", "FetchImageryAlgorithm"),
    ("similarity_map", "SimilarityMapAlgorithm"),
    ("cluster_embeddings", "ClusterEmbeddingsAlgorithm"),
    ("pca_rgb", "PcaRgbAlgorithm"),
    ("embedding_change", "EmbeddingChangeAlgorithm"),
    ("embed_features", "EmbedFeaturesAlgorithm"),
    ("classify_embeddings", "ClassifyEmbeddingsAlgorithm"),
    ("regress_embeddings", "RegressEmbeddingsAlgorithm"),
    ("apply_model", "ApplyModelAlgorithm"),
    ("check_environment", "CheckEnvironmentAlgorithm"),
    ("setup_environment", "SetupEnvironmentAlgorithm"),
]

ICON = Path(__file__).resolve().parents[1] / "resources" / "icon.svg"


class RSEmbedProvider(QgsProcessingProvider):
    def __init__(self):
        super().__init__()
        self.load_errors = {}

    def id(self):
        return "rs_embed"

    def name(self):
        return "RS Embed"

    def longName(self):  # noqa: N802
        return f"RS Embed {__version__}: remote-sensing foundation-model embeddings"

    def icon(self):
        return QIcon(str(ICON)) if ICON.exists() else super().icon()

    def versionInfo(self):  # noqa: N802
        return __version__

    def loadAlgorithms(self):  # noqa: N802
        self.load_errors = {}
        for module_name, class_name in ALGORITHMS:
            try:
                module = importlib.import_module(f"{__package__}.{module_name}")
                self.addAlgorithm(getattr(module, class_name)())
            except ModuleNotFoundError as exc:
                if exc.name == f"{__package__}.{module_name}":
                    continue  # not part of this build
                self._log_failure(module_name, exc)
            except Exception as exc:  # keep the provider usable
                self._log_failure(module_name, exc)

    def _log_failure(self, module_name, exc):
        self.load_errors[module_name] = repr(exc)
        QgsMessageLog.logMessage(
            f"RS Embed: algorithm '{module_name}' could not be loaded: {exc!r}", "RS Embed", Qgis.Warning
        )
