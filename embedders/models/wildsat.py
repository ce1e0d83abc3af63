"""WildSAT ViT-B/16 on Sentinel-2 RGB (``wildsat``).

WildSAT (Daroya et al., 2024/25) fine-tunes satellite encoders contrastively with
wildlife observations, habitat text and location. Offered: the authors' sample model,
the ImageNet-started ViT-B/16 (``vitb16-imagenet-bnfc.pth``, their README's Google
Drive link; no Hugging Face copy, no published checksum: the sha256 is recorded at the
first download and checked after). ``RS_EMBED_WILDSAT_WEIGHTS`` names a file of one's
own (same checks). The training checkpoint also pickles the run's
``argparse.Namespace``: it is read with ``weights_only=True`` allowing exactly that class.

Preprocessing, as the authors' quickstart feeds their model: an 8-bit RGB image
(SatlasPretrain's Sentinel-2 true-colour images; here B04, B03, B02 coded as the ESA
TCI, reflectance 0-0.2 onto 0-255), ``ToTensor`` (/255), 224 x 224, then the image's
minimum (over all bands) subtracted (their division by max(max, 1) leaves [0, 1]
images unchanged). No ImageNet mean/std.

Outputs: pooled = the authors' ``SingleTaskModel.embed`` (``backbone(x)``: class token
through the WildSAT-tuned ``heads``, 1000-d); grid = the 196 patch tokens after the
encoder's final LayerNorm (768 x 14 x 14). rs-embed 0.3.1 defaults to the 256-d image
projection head instead, on clip(x/10^4) scaled images.
"""
from __future__ import annotations

import argparse

from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from . import wildsat_net
from .base import OnTheFlyEmbedder, build_empty, check_materialized, load_weights, reflectance_to_uint8
from .user_weights import UserWeights

BANDS = ("B04", "B03", "B02")
TCI_FULL_SCALE = 2000.0  # reflectance x 10^4 coded 255 in the S2 true-colour image


@register
class WildSAT(UserWeights, OnTheFlyEmbedder):
    model_id = "wildsat"
    aliases = ("wildsat_vitb16", "wildsat_s2rgb")
    title = "WildSAT ViT-B/16 (ImageNet start, WildSAT fine-tuned), Sentinel-2 RGB"
    dim = 1000
    grid_dim = 768
    bands = BANDS
    input_size = 224
    patch_size = 16
    requires = ("torch", "torchvision")
    install = {"torchvision": "torchvision"}
    pooled_from = "SingleTaskModel.embed: class token through the WildSAT-tuned heads (1000-d)"
    product_version = "vitb16-imagenet-bnfc.pth (WildSAT README, Google Drive)"
    notes = ("WildSAT (Daroya et al.): satellite image representations learned from wildlife "
             "observations, habitat descriptions and location (contrastive fine-tuning).")
    weights_env = "RS_EMBED_WILDSAT_WEIGHTS"
    weights = WeightsSpec(
        filename="vitb16-imagenet-bnfc.pth",
        url=("https://drive.usercontent.google.com/download"
             "?id=1IxBpf3nbEMzny4YJWS6stMBxel6gMiYE&export=download&confirm=t"),
        license="see cvl-umass/wildsat")
    preprocessing = {
        "bands": "B04, B03, B02 (RGB)",
        "scaling": "floor(clip(x / 2000, 0, 1) * 255) / 255 (8-bit true-colour image, ESA TCI range), "
                   "then the image minimum subtracted (authors' quickstart)",
        "normalisation": None,
        "input_size": 224,
        "side_inputs": None,
        "grid": "patch tokens after the encoder's final LayerNorm (768 x 14 x 14)",
        "pooled": "authors' SingleTaskModel.embed = backbone(x): class token -> heads (1000-d)",
        "weights": "authors' Google Drive link (README), or the file named by RS_EMBED_WILDSAT_WEIGHTS",
    }

    def load_model(self, device):
        import torch

        with torch.serialization.safe_globals([argparse.Namespace]):  # the run's options, nothing else
            ckpt = load_state_dict(self.fetch_weights())
        sd = wildsat_net.backbone_state(ckpt)
        model = build_empty(lambda: wildsat_net.build(**wildsat_net.arch_of(sd)))
        load_weights(model, {f"vit.{k}": v for k, v in sd.items()})
        return check_materialized(model)

    def preprocess(self, x):
        img = reflectance_to_uint8(x, TCI_FULL_SCALE) / 255.0
        return img - img.amin(dim=(1, 2, 3), keepdim=True)

    def forward_tokens(self, model, x, ctx):
        return model(x)  # (tokens, embed)
