"""Layer post-processors that style outputs when QGIS loads them (main thread).

QGIS only keeps a C++ pointer to a post-processor, so a Python reference is
held here for as long as the run may need it."""
from __future__ import annotations

from qgis.core import (
    QgsContrastEnhancement, QgsMultiBandColorRenderer, QgsProcessingLayerPostProcessorInterface,
    QgsRasterLayer,
)

_KEEP = []  # strong references (sip)


def _stretch(data_type, vmin, vmax):
    ce = QgsContrastEnhancement(data_type)
    ce.setContrastEnhancementAlgorithm(QgsContrastEnhancement.StretchToMinimumMaximum)
    ce.setMinimumValue(vmin)
    ce.setMaximumValue(vmax)
    return ce


def style_rgb(layer: QgsRasterLayer, bands=(1, 2, 3), alpha_band=None, vmin=0.0, vmax=255.0):
    """Multiband colour with a fixed stretch; each band gets its own
    QgsContrastEnhancement (sharing one would crash QGIS on delete)."""
    provider = layer.dataProvider()
    renderer = QgsMultiBandColorRenderer(provider, *bands)
    dtype = provider.dataType(bands[0])
    renderer.setRedContrastEnhancement(_stretch(dtype, vmin, vmax))
    renderer.setGreenContrastEnhancement(_stretch(dtype, vmin, vmax))
    renderer.setBlueContrastEnhancement(_stretch(dtype, vmin, vmax))
    if alpha_band:
        renderer.setAlphaBand(alpha_band)
    layer.setRenderer(renderer)
    layer.triggerRepaint()


def style_pca(layer: QgsRasterLayer):
    """PCA RGBA GeoTIFFs are pre-stretched to 1..255 with alpha in band 4."""
    style_rgb(layer, (1, 2, 3), alpha_band=4 if layer.bandCount() >= 4 else None)


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Applies ``style_fn(layer)`` to a raster output when it is loaded."""

    def __init__(self, style_fn):
        super().__init__()
        self.style_fn = style_fn

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if isinstance(layer, QgsRasterLayer) and layer.isValid():
            self.style_fn(layer)


def attach_style(context, path, style_fn, name=None, group=None):
    """Style ``path`` on load (only if the run loads it) and optionally rename it
    and put it into a layer group (where this QGIS supports groups)."""
    if not path or not context.willLoadLayerOnCompletion(path):
        return None
    pp = StylePostProcessor(style_fn)
    _KEEP.append(pp)
    del _KEEP[:-64]
    details = context.layerToLoadOnCompletionDetails(path)
    details.setPostProcessor(pp)
    if name:
        details.name = name
        if hasattr(details, "forceName"):
            details.forceName = True
    if group and hasattr(details, "groupName"):
        details.groupName = group
    return pp

