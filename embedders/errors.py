"""Error hierarchy of the embedding core.

Every error the core raises on purpose derives from :class:`RSEmbedError`, so
callers (the QGIS algorithms among them) can turn them into clear messages.
"""


class RSEmbedError(Exception):
    """Base class of every error the core raises on purpose."""


class SpecError(RSEmbedError, ValueError):
    """A spatial, temporal, output or sensor spec is invalid."""


class ModelNotFoundError(RSEmbedError, KeyError):
    """No model is registered under the requested id or alias."""

    def __str__(self):  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DataUnavailableError(RSEmbedError):
    """The product or imagery has no data for the requested place or time."""


class DependencyMissingError(RSEmbedError, ImportError):
    """An optional Python package needed by a model is not installed."""


class CredentialsError(RSEmbedError):
    """A service needs credentials or a project that are not configured."""


class DownloadError(RSEmbedError):
    """A download failed or its content did not verify."""


class CancelledError(RSEmbedError):
    """The run was cancelled by the user."""

