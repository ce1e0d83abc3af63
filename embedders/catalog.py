"""The built-in models and the option lists, as plain data.

Standard library only: QGIS's process reads this module to build its choices
before the core's environment exists. Every option list and the routing of a
model's choice (product backend or imagery source) live here, once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

from .errors import SpecError

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
    options: Tuple[str, ...] = ()  # the model's own options (OPTION_HELP), besides its kind's


# Options every model of a kind takes (given by the imagery inputs, not typed by users).
KIND_OPTIONS = {"onthefly": ("input_raster", "band_map"), "precomputed": ()}
OPTION_HELP = {
    "frames": "number of frames T, Prithvi 1-8, Galileo 1-12, AgriFM 1-32 (default 8), AnySat 1-8; "
              "the time window is split into T equal parts, one composite each",
    "terrafm_input": "TerraFM patch embedding: s2_l1c (the authors' default) or s2_l2a",
    "terrafm_pooled": "TerraFM pooled vector: cls (the authors' normed class token) or patch_mean",
    "tessera_url": "Tessera: base URL of the tiles (a mirror)",
    "tessera_landmasks_url": "Tessera: base URL of the landmask tiles",
    "tessera_registry_dir": "Tessera: a local folder with manifest.parquet and landmasks.parquet",
    "tessera_tiles_dir": "Tessera: a local folder for the downloaded tiles",
}


def _onthefly(mid, label, tags, options=()):
    return ModelCard(mid, "onthefly", label, ("core", "torch_models"), IMAGERY_SOURCES, tags, options)


MODELS: Tuple[ModelCard, ...] = (
    ModelCard("tessera", "precomputed", "Tessera v1.1: precomputed, 128-d, 10 m", ("core", "tessera"),
              ("auto",), ("Tessera", "geotessera"),
              ("tessera_url", "tessera_landmasks_url", "tessera_registry_dir", "tessera_tiles_dir")),
    ModelCard("gse_annual", "precomputed",
              "Google Satellite Embedding (AlphaEarth): precomputed, 64-d, 10 m", ("core", "gse_cog"),
              PRODUCT_BACKENDS, ("AlphaEarth", "Google Satellite Embedding", "AEF")),
    ModelCard("copernicus_embed", "precomputed", "Copernicus Embed: precomputed, 768-d, 0.25°, 2021",
              ("core", "copernicus"), ("auto",), ("Copernicus",)),
    _onthefly("remoteclip_s2rgb", "RemoteCLIP ViT-B/32: Sentinel-2 RGB, 512-d", ("RemoteCLIP", "CLIP")),
    _onthefly("satmae_s2rgb", "SatMAE ViT-L/16: Sentinel-2 RGB, 1024-d", ("SatMAE",)),
    _onthefly("scalemae_s2rgb", "Scale-MAE ViT-L/16: Sentinel-2 RGB, 1024-d", ("ScaleMAE", "Scale-MAE")),
    _onthefly("prithvi_s2_6b", "Prithvi-EO 2.0 300M: 6 Sentinel-2 bands, 1024-d", ("Prithvi",), ("frames",)),
    _onthefly("prithvi_s2_6b_tl", "Prithvi-EO 2.0 300M-TL: 6 bands + time/location, 1024-d",
              ("Prithvi",), ("frames",)),
    _onthefly("dofa_s2", "DOFA ViT-B/16: 9 Sentinel-2 bands, 768-d", ("DOFA",)),
    _onthefly("dofa_l_s2", "DOFA ViT-L/16: 9 Sentinel-2 bands, 1024-d", ("DOFA", "DOFA Large")),
    _onthefly("terrafm_b", "TerraFM-B: 12 Sentinel-2 bands, 768-d", ("TerraFM",),
              ("terrafm_input", "terrafm_pooled")),
    _onthefly("satmaepp_s2", "SatMAE++ ViT-L/8: 10 Sentinel-2 bands, 1024-d", ("SatMAE++", "SatMAEPP")),
    _onthefly("olmoearth", "OlmoEarth v1 Base: 12 Sentinel-2 bands, 768-d", ("OlmoEarth", "AllenAI")),
    _onthefly("thor", "THOR 1.0 Base: 10 Sentinel-2 bands (10 m + 20 m groups), 768-d", ("THOR", "FM4CS")),
    _onthefly("galileo", "Galileo nano: 10 Sentinel-2 bands, 128-d", ("Galileo", "nasaharvest"), ("frames",)),
    _onthefly("fomo", "FoMo-Net_1 ViT-B/16: 10 Sentinel-2 bands, 768-d", ("FoMo", "FoMo-Bench")),
    _onthefly("agrifm", "AgriFM video Swin-B: Sentinel-2 time series (10 bands), 1024-d", ("AgriFM",),
              ("frames",)),
    _onthefly("wildsat", "WildSAT ViT-B/16: Sentinel-2 RGB, 1000-d", ("WildSAT",)),
    _onthefly("clay", "Clay v1.5 ViT-L/8: 10 Sentinel-2 bands, 1024-d", ("Clay", "made-with-clay")),
    _onthefly("anysat", "AnySat Base: 10 Sentinel-2 bands, 40 m patches, 768-d", ("AnySat", "GeoPlex"),
              ("frames",)),
    _onthefly("terramind", "TerraMind 1.0 base: 12 Sentinel-2 L2A bands, 768-d", ("TerraMind", "IBM", "ESA")),
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


def model_options(model_id: str) -> Tuple[str, ...]:
    """Every option ``model_id`` takes: its kind's and its own."""
    c = card(model_id)
    return KIND_OPTIONS.get(c.kind, ()) + c.options


def check_options(model_id: str, options: dict) -> None:
    """Refuse an option the model does not take (a typo would otherwise be ignored)."""
    unknown = sorted(set(options or {}) - set(model_options(model_id)))
    if unknown:
        own = card(model_id).options
        known = ", ".join(own) if own else "none"
        raise SpecError(f"{model_id} takes no option {', '.join(repr(u) for u in unknown)}; "
                        f"its model options: {known}.")


def parse_options(text) -> dict:
    """``"frames=3; terrafm_input=s2_l2a"`` (``;``, ``,`` or new lines between
    pairs) as a dict of strings; a dict is returned as it is."""
    if isinstance(text, dict):
        return dict(text)
    out = {}
    for part in str(text or "").replace("\n", ";").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SpecError(f"Model options are name=value pairs separated by ';', got {part!r}.")
        out[key.strip().lower()] = value.strip()
    return out
