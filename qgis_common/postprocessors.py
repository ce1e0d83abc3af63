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


def move_to_group(layer, group_name, project):
    """Move a loaded layer into the top-level group ``group_name`` (created at
    the top if missing), on top of the group: the fallback for QGIS versions
    whose LayerDetails has no groupName (< 3.32)."""
    root = project.layerTreeRoot() if project is not None else None
    node = root.findLayer(layer.id()) if root is not None else None
    if node is None:
        return False
    group = root.findGroup(group_name) or root.insertGroup(0, group_name)
    if node.parent() is group:
        return True
    group.insertChildNode(0, node.clone())
    node.parent().removeChildNode(node)
    return True


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Applies ``style_fn(layer)`` to a raster output when it is loaded, and
    moves it into ``group`` when one is given (see move_to_group)."""

    def __init__(self, style_fn, group=None):
        super().__init__()
        self.style_fn = style_fn
        self.group = group

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if self.style_fn is not None and isinstance(layer, QgsRasterLayer) and layer.isValid():
            self.style_fn(layer)
        if self.group:
            from qgis.core import QgsProject

            move_to_group(layer, self.group, context.project() or QgsProject.instance())


def attach_style(context, path, style_fn, name=None, group=None):
    """Style ``path`` on load with ``style_fn`` (None: keep QGIS's default) only
    if the run loads it, and optionally rename it
    and put it into a layer group (LayerDetails.groupName on QGIS >= 3.32; on
    older versions the post-processor moves the loaded layer into the group)."""
    if not path or not context.willLoadLayerOnCompletion(path):
        return None
    details = context.layerToLoadOnCompletionDetails(path)
    native_group = hasattr(details, "groupName")
    pp = None
    if style_fn is not None or (group and not native_group):
        pp = StylePostProcessor(style_fn, group=None if native_group else group)
        _KEEP.append(pp)
        del _KEEP[:-64]
        details.setPostProcessor(pp)
    if name:
        details.name = name
        if hasattr(details, "forceName"):
            details.forceName = True
    if group and native_group:
        details.groupName = group
    return pp

