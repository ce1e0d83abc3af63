"""Choice (enum) parameters that show readable labels in the dialog and the
modeler while Processing, scripts and qgis_process take the ids: the labels
ride in the parameter's metadata and a small widget wrapper shows them."""
from __future__ import annotations

from ..embedders import catalog

LABELS_KEY = "rs_embed_labels"
# A dotted path, so that defining a parameter never imports Processing's GUI (qgis_process stays light).
WRAPPER = f"{__package__}.choice_widget.LabelledChoiceWrapper"


def labelled(param, labels: dict):
    """``param`` (an enum with static strings) showing ``labels[id]`` for each id."""
    meta = dict(param.metadata() or {})
    meta["widget_wrapper"] = {"class": WRAPPER}
    meta[LABELS_KEY] = {k: str(v) for k, v in labels.items()}
    param.setMetadata(meta)
    return param


def option_labels(param) -> dict:
    """id -> label of a choice parameter (the id itself where none is set)."""
    labels = (param.metadata() or {}).get(LABELS_KEY) or {}
    return {opt: labels.get(opt, opt) for opt in param.options()}


def model_labels() -> dict:
    """id -> the model's label in the user's language (catalog text, translated)."""
    from .params import tr

    return {m.id: tr(m.label) for m in catalog.MODELS}


def model_enum(name, description, ids, default=None, multiple=False, optional=False):
    """A model choice: the ids go to Processing, the catalog's labels to the user."""
    from .params import enum_param

    labels = model_labels()
    return labelled(enum_param(name, description, ids, default, multiple, optional),
                    {i: labels.get(i, i) for i in ids})


def value_scale_labels() -> dict:
    """What each value scale of a local raster means, as the user reads it."""
    from .params import tr

    return {"reflectance_1e4": tr("Reflectance x 10^4 (Sentinel-2 L2A)"),
            "reflectance_0_1": tr("Reflectance 0-1"),
            "uint8": tr("8-bit, 0-255 (aerial or photo RGB)")}


def backend_labels() -> dict:
    """Where a precomputed product comes from (keys: catalog.PRODUCT_BACKENDS)."""
    from .params import tr

    return {"auto": tr("Automatic (Earth Engine when a project is set, else the public copy)"),
            "gee": tr("Google Earth Engine (project needed)"),
            "cog": tr("Public COG copy (no account)")}


def imagery_source_labels() -> dict:
    """Where an on-the-fly model's imagery comes from (keys: catalog.IMAGERY_SOURCES)."""
    from .params import tr

    return {"auto": tr("Automatic (local raster if given, else Earth Engine when a project is set, "
                       "else STAC)"),
            "local": tr("Local raster"),
            "stac": tr("STAC: Earth Search / Planetary Computer (no account)"),
            "gee": tr("Google Earth Engine (project needed)")}
