"""The built-in models and the option lists, as plain data.

Standard library only: QGIS's process reads this module to build its choices
before the core's environment exists. Every option list and the routing of a
model's choice (product backend or imagery source) live here, once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

PRODUCT_BACKENDS = ("auto", "gee", "cog")
IMAGERY_SOURCES = ("auto", "local", "stac", "gee")
COMPOSITES = ("median", "mosaic")
INPUT_PREPS = ("resize", "tile", "auto")
DEVICES = ("auto", "cpu", "cuda", "mps")
DEFAULT_YEAR = 2024
# How a local raster's values become reflectance x 10^4 (the models' input):
# value * factor. 8-bit images map 0..255 onto 0..1 reflectance.
VALUE_SCALES = {"reflectance_1e4": 1.0, "reflectance_0_1": 10000.0, "uint8": 10000.0 / 255.0}


@dataclass(frozen=True)
class ModelCard:
    id: str
    kind: str                  # "precomputed" or "onthefly"
    label: str                 # what the user reads in a choice list
    families: Tuple[str, ...]  # environment families it needs (embedders/packages.py)
    backends: Tuple[str, ...] = ("auto",)
    tags: Tuple[str, ...] = ()  # words toolbox search should find


def _onthefly(mid, label, tags):
    return ModelCard(mid, "onthefly", label, ("core", "torch_models"), IMAGERY_SOURCES, tags)


MODELS: Tuple[ModelCard, ...] = (
    ModelCard("tessera", "precomputed", "Tessera v1.1: precomputed, 128-d, 10 m", ("core", "tessera"),
              ("auto",), ("Tessera", "geotessera")),
    ModelCard("gse_annual", "precomputed",
              "Google Satellite Embedding (AlphaEarth): precomputed, 64-d, 10 m", ("core", "gse_cog"),
              PRODUCT_BACKENDS, ("AlphaEarth", "Google Satellite Embedding", "AEF")),
    ModelCard("copernicus_embed", "precomputed", "Copernicus Embed: precomputed, 768-d, 0.25°, 2021",
              ("core", "copernicus"), ("auto",), ("Copernicus",)),
    _onthefly("remoteclip_s2rgb", "RemoteCLIP ViT-B/32: Sentinel-2 RGB, 512-d", ("RemoteCLIP", "CLIP")),
    _onthefly("satmae_s2rgb", "SatMAE ViT-L/16: Sentinel-2 RGB, 1024-d", ("SatMAE",)),
    _onthefly("scalemae_s2rgb", "Scale-MAE ViT-L/16: Sentinel-2 RGB, 1024-d", ("ScaleMAE", "Scale-MAE")),
    _onthefly("prithvi_s2_6b", "Prithvi-EO 2.0 300M: 6 Sentinel-2 bands, 1024-d", ("Prithvi",)),
    _onthefly("prithvi_s2_6b_tl", "Prithvi-EO 2.0 300M-TL: 6 bands + time/location, 1024-d",
              ("Prithvi",)),
    _onthefly("dofa_s2", "DOFA ViT-B/16: 9 Sentinel-2 bands, 768-d", ("DOFA",)),
    _onthefly("dofa_l_s2", "DOFA ViT-L/16: 9 Sentinel-2 bands, 1024-d", ("DOFA", "DOFA Large")),
    _onthefly("terrafm_b", "TerraFM-B: 12 Sentinel-2 bands, 768-d", ("TerraFM",)),
    _onthefly("satmaepp_s2", "SatMAE++ ViT-L/8: 10 Sentinel-2 bands, 1024-d", ("SatMAE++", "SatMAEPP")),
    _onthefly("olmoearth", "OlmoEarth v1 Base: 12 Sentinel-2 bands, 768-d", ("OlmoEarth", "AllenAI")),
)
CARDS: Dict[str, ModelCard] = {m.id: m for m in MODELS}


def model_ids(kind: str = None):
    return [m.id for m in MODELS if kind is None or m.kind == kind]


def card(model_id: str) -> ModelCard:
    try:
        return CARDS[model_id]
    except KeyError:
        raise KeyError(f"Unknown model {model_id!r}; known: {', '.join(CARDS)}") from None


def route(model_id: str, backend: str = "auto", imagery_source: str = "auto") -> str:
    """The one routing rule: a precomputed product takes the product backend,
    an on-the-fly model the imagery source; a choice the model lacks is 'auto'."""
    c = card(model_id)
    chosen = imagery_source if c.kind == "onthefly" else backend
    return chosen if chosen in c.backends else "auto"


def families_for(model_ids) -> Tuple[str, ...]:
    out = []
    for mid in model_ids:
        for fam in card(mid).families:
            if fam not in out:
                out.append(fam)
    return tuple(out)
