"""One way to show a run's layers, for Processing and the drawn-extent action
alike: one group per run at the top of the layer tree, the PCA layer styled
and visible above the embedding grid, which is hidden (64-768 bands draw as
grey)."""
from __future__ import annotations

import datetime as dt

from qgis.core import QgsProcessingLayerPostProcessorInterface, QgsProject, QgsRasterLayer

from .params import tr
from .postprocessors import style_pca

_KEEP = []  # strong references to post-processors (sip)


def run_title(models, time_label: str, when: dt.datetime = None) -> str:
    """The group's name: 'RS Embed tessera 2024 (14:03:07)'."""
    when = when or dt.datetime.now()
    return tr("RS Embed {} {} ({})").format(", ".join(models), time_label, when.strftime("%H:%M:%S"))


def unique_group_name(root, title: str) -> str:
    taken = {c.name() for c in root.children()}
    name, n = title, 1
    while name in taken:  # runs started in the same second
        n += 1
        name = f"{title} ({n})"
    return name


def place(project, layer, group_name: str, visible: bool, position: int):
    """Put a layer that the project holds into the top-level group
    ``group_name`` (made at the top when missing) at ``position``, checked
    or not. Returns the group, or None when the layer is not in the tree."""
    root = project.layerTreeRoot()
    node = root.findLayer(layer.id())
    if node is None:
        return None
    group = root.findGroup(group_name) or root.insertGroup(0, group_name)
    if node.parent() is not group:
        clone = node.clone()
        group.insertChildNode(min(position, len(group.children())), clone)
        node.parent().removeChildNode(node)
        node = clone
    node.setItemVisibilityChecked(visible)
    return group


class RunLayerPostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Styles a loaded output and puts it into the run's group (Processing
    calls it on the main thread once the layer is in the project)."""

    def __init__(self, style_fn, group_name, visible, position, native_group):
        super().__init__()
        self.style_fn, self.group_name = style_fn, group_name
        self.visible, self.position, self.native_group = visible, position, native_group

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if self.style_fn is not None and isinstance(layer, QgsRasterLayer) and layer.isValid():
            self.style_fn(layer)
        project = context.project() or QgsProject.instance()
        if self.native_group:  # QGIS put it into the group: only the check box is ours
            node = project.layerTreeRoot().findLayer(layer.id())
            if node is not None:
                node.setItemVisibilityChecked(self.visible)
        else:
            place(project, layer, self.group_name, self.visible, self.position)


def queue_in_group(context, items, group: str):
    """For Processing: each ``(path, name, style_fn, visible)`` that the run
    loads goes, styled and checked or not, into the group ``group`` in this
    order. LayerDetails gets the group natively where QGIS has groupName
    (3.32+); older versions move the layers in the post-processor."""
    for position, (path, name, style_fn, visible) in enumerate(items):
        if not path or not context.willLoadLayerOnCompletion(path):
            continue
        details = context.layerToLoadOnCompletionDetails(path)
        native = hasattr(details, "groupName")
        pp = RunLayerPostProcessor(style_fn, group, visible, position, native)
        _KEEP.append(pp)
        del _KEEP[:-64]
        details.setPostProcessor(pp)
        details.name = name
        if hasattr(details, "forceName"):
            details.forceName = True
        if native:
            details.groupName = group
            if hasattr(details, "layerSortKey"):
                details.layerSortKey = position
    return group


def load_embedding_outputs(context, grid_path, pca_path, model, time_label):
    """For Processing: when the run loads its outputs, the PCA (styled,
    visible) and the grid (hidden) go into one new group."""
    project = context.project() or QgsProject.instance()
    group = unique_group_name(project.layerTreeRoot(), run_title([model], time_label))
    return queue_in_group(context, [(pca_path, tr("{} PCA").format(model), style_pca, True),
                                    (grid_path, tr("{} embedding").format(model), None, False)], group)
