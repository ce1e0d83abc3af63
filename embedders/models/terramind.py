"""TerraMind 1.0 base (IBM / ESA) on twelve Sentinel-2 L2A bands (``terramind``).

Weights: ``TerraMind_v1_base.pt`` of ``ibm-esa-geospatial/TerraMind-1.0-base``, a
plain state dict of the whole any-to-any model (every modality's embeddings,
encoder, decoder), read with ``weights_only=True``. Only the encoder and the raw
S2 L2A embedding are used: our own implementation (``terramind_net``) of the
authors' ``TerraMindViT`` with ``modalities=["S2L2A"]`` and the
``terramind_v1_base`` settings of terratorch's ``terramind_register.py``. All
parameters must be in the file; the constant buffers (zero LayerNorm biases,
the sin-cos position code) are taken from it when present, else computed.

Preprocessing as terratorch does for ``untok_sen2l2a@224``: the 12 L2A bands in
the authors' order (B01 ... B12 without B10, their PRETRAINED_BANDS), values
reflectance x 10^4 as stored (not clipped), standardised per band with the v1
pretraining mean and std, 224 x 224 pixels, patch 16.

Output: the encoder's last-block tokens after its final norm (what the authors'
backbone returns as its last layer output, and what rs-embed 0.3.1 takes with
``layer_index=-1``): the grid is 768 x 14 x 14; TerraMind has no class token, so
the pooled vector is the mean of the grid cells (rs-embed's pooling too).
rs-embed clips to [0, 10000] before standardising and defaults to the small
model; we follow the authors (no clip) with the base model this entry names.
"""
from __future__ import annotations

from ..errors import DownloadError
from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from .base import OnTheFlyEmbedder, build_empty, check_materialized, load_weights, normalize, unwrap_state_dict

BANDS = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12")
# terratorch 1.1.1 terramind_register.py: v1_pretraining_mean / _std["untok_sen2l2a@224"]
MEAN = (1390.458, 1503.317, 1718.197, 1853.91, 2199.1, 2779.975, 2987.011, 3083.234, 3132.22, 3162.988,
        2424.884, 1857.648)
STD = (2106.761, 2141.107, 2038.973, 2134.138, 2085.321, 1889.926, 1820.257, 1871.918, 1753.829, 1797.379,
       1434.261, 1334.311)

PREPROCESSING = {
    "bands": ", ".join(BANDS) + " (the authors' S2L2A order: coastal, blue, green, red, red edge 1-3, "
                                "NIR broad, NIR narrow, water vapour, SWIR 1, SWIR 2)",
    "scaling": "Sentinel-2 L2A reflectance x 10^4 as stored (no clipping)",
    "normalisation": {"formula": "(x - mean) / std per band", "mean": list(MEAN), "std": list(STD),
                      "source": "terratorch 1.1.1 terramind_register.py, v1_pretraining_mean/std "
                                "['untok_sen2l2a@224']"},
    "input_size": 224,
    "patch_size": 16,
    "modality": "S2L2A (raw-pixel embedding untok_sen2l2a@224; no tokenizer)",
    "side_inputs": None,
    "pooled": "mean of the grid cells (TerraMind has no class token)",
    "grid": "the encoder's last-block patch tokens after its final norm (768 x 14 x 14)",
}


@register
class TerraMindBase(OnTheFlyEmbedder):
    model_id = "terramind"
    aliases = ("terramind_v1_base", "terramind_base", "terramind_s2l2a")
    title = "TerraMind 1.0 base (ViT-B/16 encoder, 12 Sentinel-2 L2A bands)"
    dim = 768
    bands = BANDS
    input_size = 224
    patch_size = 16
    requires = ("torch", "huggingface_hub")
    depth = 12  # encoder blocks of the base model
    product_version = "ibm-esa-geospatial/TerraMind-1.0-base TerraMind_v1_base.pt @ fb96c70"
    notes = ("IBM / ESA TerraMind 1.0 (Jakubik et al., ICCV 2025): any-to-any multimodal encoder-decoder "
             "pretrained on TerraMesh; its encoder run here on the raw Sentinel-2 L2A modality alone.")
    preprocessing = PREPROCESSING
    # Revision, sha256 and size as pinned by several independent public projects that
    # download this file (the LFS object of that commit); not re-checked against the
    # Hub from this machine (no internet here).
    weights = WeightsSpec(
        repo_id="ibm-esa-geospatial/TerraMind-1.0-base",
        filename="TerraMind_v1_base.pt",
        revision="fb96c70d0a5f68dcc44030b89cbfd8ec3fb0c67a",
        sha256="83c3a0938067c83867a46e564443c2fa38383bf4f966d931b11cb025b847d7ec",
        size=1518713958, license="Apache-2.0")

    def load_model(self, device):
        from .terramind_net import encoder_state, fixed_buffers, terramind_base

        sd = encoder_state(unwrap_state_dict(load_state_dict(self.fetch_weights())))
        model = build_empty(lambda: terramind_base(self.depth))
        state = {**fixed_buffers(model), **sd}
        params = {n for n, _ in model.named_parameters()}
        lacking = sorted(params - set(sd))
        if lacking:
            raise DownloadError(f"The TerraMind weights lack {len(lacking)} tensors of the S2 L2A encoder, "
                                f"e.g. {lacking[:4]}: use the official {self.weights.filename}.")
        load_weights(model, state, strict=True)
        return check_materialized(model)

    def preprocess(self, x):
        return normalize(x, MEAN, STD)

    def forward_tokens(self, model, x, ctx):
        return model(x)
