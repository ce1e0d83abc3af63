"""RS Embed QGIS plugin. The core (``embedders``) never imports qgis, so this
module stays import-free: QGIS calls ``classFactory``."""


def classFactory(iface):  # noqa: N802 (QGIS API name)
    from .plugin import RSEmbedPlugin

    return RSEmbedPlugin(iface)
