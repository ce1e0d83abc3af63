"""Render raster layers to PNG with QGIS's own renderer (headless-safe):
used for the demo preview, reports and tests."""
from __future__ import annotations

from qgis.core import QgsMapRendererParallelJob, QgsMapSettings
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def render_layers_png(layers, path, width=800, height=None, background="white"):
    """Render ``layers`` (top first) over their combined extent to ``path``."""
    ext = layers[0].extent()
    for lyr in layers[1:]:
        ext.combineExtentWith(lyr.extent())
    if height is None:
        height = max(1, int(round(width * ext.height() / ext.width()))) if ext.width() > 0 else width
    settings = QgsMapSettings()
    settings.setLayers(list(layers))
    settings.setDestinationCrs(layers[0].crs())
    settings.setExtent(ext)
    settings.setOutputSize(QSize(int(width), int(height)))
    settings.setBackgroundColor(QColor(background))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    if not image.save(str(path), "PNG"):
        raise OSError(f"Could not write {path}")
    return image
