"""Loads a drawn-extent run's grid and PCA GeoTIFFs into one layer group
(main thread), the way Processing's Embed ROI loads them (qgis_common.run_layers)."""
from __future__ import annotations

from qgis.core import QgsRasterLayer

from ..qgis_common.params import tr
from ..qgis_common.postprocessors import style_pca
from ..qgis_common.run_layers import unique_group_name


def load_run(project, title, outputs):
    """Add ``outputs`` [(model, grid path, pca path)] to ``project`` in a new
    group at the top of the layer tree: per model the styled PCA layer
    (visible) above the embedding grid (hidden). Returns (group, layers, problems)."""
    root = project.layerTreeRoot()
    group = root.insertGroup(0, unique_group_name(root, title))
    layers, problems = [], []
    for model, grid_path, pca_path in outputs:
        pca = QgsRasterLayer(str(pca_path), tr("{} PCA").format(model), "gdal")
        grid = QgsRasterLayer(str(grid_path), tr("{} embedding").format(model), "gdal")
        for layer, visible, style in ((pca, True, style_pca), (grid, False, None)):
            if not layer.isValid():
                problems.append(tr("Could not load {}: the file is not a readable raster.").format(layer.source()))
                continue
            if style is not None:
                style(layer)
            project.addMapLayer(layer, False)
            node = group.addLayer(layer)
            node.setItemVisibilityChecked(visible)
            layers.append(layer)
    return group, layers, problems
