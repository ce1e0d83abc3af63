"""Renderers for the analysis outputs, applied on load by post-processors:
a pseudocolour ramp for similarity and change (stretch from the tag
RS_EMBED_STRETCH the core writes, else the band's min/max) and a paletted
renderer for clusters (colours from the raster's own colour table)."""
from __future__ import annotations

from qgis.core import (
    QgsColorRampShader, QgsGradientColorRamp, QgsGradientStop, QgsPalettedRasterRenderer,
    QgsRasterBandStats, QgsRasterLayer, QgsRasterShader, QgsSingleBandPseudoColorRenderer,
)
from qgis.PyQt.QtGui import QColor

VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
MAGMA = ["#000004", "#51127c", "#b73779", "#fc8961", "#fcfdbf"]


def gradient(colours):
    """A QgsGradientColorRamp through evenly spaced ``colours``."""
    first, last = QColor(colours[0]), QColor(colours[-1])
    n = len(colours) - 1
    stops = [QgsGradientStop(i / n, QColor(c)) for i, c in enumerate(colours[1:-1], start=1)]
    return QgsGradientColorRamp(first, last, False, stops)


def stretch_of(layer: QgsRasterLayer, band: int = 1):
    """(low, high) for display: the RS_EMBED_STRETCH tag, else min/max."""
    try:
        from osgeo import gdal

        ds = gdal.Open(layer.source())
        tag = ds.GetMetadataItem("RS_EMBED_STRETCH") if ds is not None else None
        lo, hi = (float(v) for v in tag.split(","))
        if hi > lo:
            return lo, hi
    except Exception:  # no tag, or not a GDAL file: use statistics
        pass
    stats = layer.dataProvider().bandStatistics(band, QgsRasterBandStats.Min | QgsRasterBandStats.Max)
    lo, hi = stats.minimumValue, stats.maximumValue
    return (lo, hi) if hi > lo else (lo, lo + 1e-6)


def style_pseudocolor(layer: QgsRasterLayer, colours, low=None, high=None, band: int = 1):
    """Single-band pseudocolour with an interpolated ramp from ``low`` to ``high``."""
    if low is None or high is None:
        low, high = stretch_of(layer, band)
    shader_fn = QgsColorRampShader(low, high, gradient(colours), QgsColorRampShader.Interpolated)
    shader_fn.classifyColorRamp(len(colours), band)
    shader = QgsRasterShader()
    shader.setRasterShaderFunction(shader_fn)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), band, shader)
    renderer.setClassificationMin(low)
    renderer.setClassificationMax(high)
    layer.setRenderer(renderer)
    layer.triggerRepaint()


def style_similarity(layer: QgsRasterLayer):
    style_pseudocolor(layer, VIRIDIS)


def style_change(layer: QgsRasterLayer):
    style_pseudocolor(layer, MAGMA)


def style_clusters(layer: QgsRasterLayer):
    """Paletted renderer: one class per cluster value, colours from the raster's
    colour table (or the core's palette), labelled 'cluster N'."""
    from ..embedders.palette import palette

    provider = layer.dataProvider()
    classes = [c for c in QgsPalettedRasterRenderer.colorTableToClassData(provider.colorTable(1))
               if c.value != 0]
    if not classes:
        stats = provider.bandStatistics(1, QgsRasterBandStats.Max)
        k = max(1, int(stats.maximumValue))
        classes = [QgsPalettedRasterRenderer.Class(i + 1, QColor(*rgb)) for i, rgb in enumerate(palette(k))]
    # colour tables of GDAL cover 0..255; keep the values that are clusters
    k = _cluster_count(layer)
    if k:
        classes = [c for c in classes if c.value <= k]
    for c in classes:
        c.label = f"cluster {int(c.value)}"
    layer.setRenderer(QgsPalettedRasterRenderer(provider, 1, classes))
    layer.triggerRepaint()


def _cluster_count(layer):
    try:
        from osgeo import gdal

        return int(gdal.Open(layer.source()).GetMetadataItem("RS_EMBED_K"))
    except Exception:
        return None


def class_names_of(layer):
    """Class names of a class raster written by the core (tag RS_EMBED_CLASSES), or None."""
    try:
        import json

        from osgeo import gdal

        return json.loads(gdal.Open(layer.source()).GetMetadataItem("RS_EMBED_CLASSES"))
    except Exception:  # not a core class raster: no names
        return None


def style_classes(layer: QgsRasterLayer):
    """Paletted renderer of a class raster (1..K, 0 = no data): colours from its
    colour table (or the core's palette), labels from its class names."""
    from ..embedders.palette import palette

    names = class_names_of(layer) or []
    table = {c.value: c.color for c in QgsPalettedRasterRenderer.colorTableToClassData(
        layer.dataProvider().colorTable(1))}
    k = len(names) or int(layer.dataProvider().bandStatistics(1, QgsRasterBandStats.Max).maximumValue)
    colours = palette(max(k, 1))
    classes = []
    for v in range(1, k + 1):
        c = QgsPalettedRasterRenderer.Class(v, table.get(v, QColor(*colours[v - 1])))
        c.label = str(names[v - 1]) if names else f"class {v}"
        classes.append(c)
    layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, classes))
    layer.triggerRepaint()
