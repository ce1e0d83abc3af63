"""SVG icons in resources/: the provider's, one per algorithm family, the action's."""
from pathlib import Path

from qgis.PyQt.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def icon_path(name: str) -> Path:
    return RESOURCES / f"{name}.svg"


def icon(name: str) -> QIcon:
    """resources/<name>.svg, or the provider icon when there is no such file."""
    p = icon_path(name)
    return QIcon(str(p if p.is_file() else icon_path("icon")))


def family_icon(group_id: str) -> QIcon:
    """Icon of an algorithm family (its groupId): embeddings, imagery, analysis, tools."""
    return icon(f"family_{group_id}")
