"""SatMAE ViT-L/16 pretrained on fMoW-RGB on Sentinel-2 RGB (``satmae_s2rgb``).

Weights ``MVRL/satmae-vitlarge-fmow-pretrain-800`` ``model.safetensors`` (the
``MaskedAutoencoderViT`` state dict: MAE encoder keys, which are timm's
ViT keys, plus ``decoder_*`` / ``mask_token`` that are dropped). The encoder runs
as timm ``vit_large_patch16_224`` without masking, so tokens keep their
positions (rs-embed's ``forward_encoder(mask_ratio=0)`` shuffles them).
"""
from __future__ import annotations

from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from .base import (OnTheFlyEmbedder, build_empty, check_materialized, load_weights, normalize,
                   reflectance_to_uint8, unwrap_state_dict)

# SatMAE util/datasets.py, CustomDatasetFromImages (fMoW-RGB), applied after ToTensor (/255)
FMOW_RGB_MEAN = (0.4182007312774658, 0.4214799106121063, 0.3991275727748871)
FMOW_RGB_STD = (0.28774282336235046, 0.27541765570640564, 0.2764017581939697)
DROPPED = ("decoder_", "mask_token")


def encoder_state_dict(sd: dict) -> dict:
    return {k: v for k, v in sd.items() if not k.startswith(DROPPED)}


@register
class SatMAES2RGB(OnTheFlyEmbedder):
    model_id = "satmae_s2rgb"
    aliases = ("satmae", "satmae_rgb")
    title = "SatMAE ViT-L/16, fMoW-RGB pretraining (Sentinel-2 RGB)"
    dim = 1024
    bands = ("B04", "B03", "B02")
    input_size = 224
    patch_size = 16
    requires = ("torch", "timm", "safetensors")
    product_version = "satmae-vitlarge-fmow-pretrain-800 @ a9ba7f4"
    notes = "Masked autoencoder ViT-L/16 (Cong et al., NeurIPS 2022), 800 epochs on fMoW-RGB."
    # No sha256 is published that we could find for this file; it is pinned to
    # the commit that added it and checked structurally (every encoder key and
    # shape must load strictly).
    weights = WeightsSpec(
        repo_id="MVRL/satmae-vitlarge-fmow-pretrain-800", filename="model.safetensors",
        revision="a9ba7f4b935310067a49781eeba6482e1a606a5a", sha256=None, size=None,
        license="Apache-2.0")
    preprocessing = {
        "bands": "B04, B03, B02 (R, G, B)",
        "scaling": "uint8 = floor(clip(reflectance / 10000, 0, 1) * 255) (as rs-embed), then / 255",
        "normalisation": {"mean": list(FMOW_RGB_MEAN), "std": list(FMOW_RGB_STD),
                          "source": "SatMAE fMoW-RGB statistics"},
        "input_size": 224,
        "side_inputs": None,
        "pooled": "mean/max of the 196 patch tokens after the encoder norm (class token removed)",
        "grid": "patch tokens (1024 x 14 x 14), no masking",
    }

    def load_model(self, device):
        import timm

        model = build_empty(lambda: timm.create_model("vit_large_patch16_224", pretrained=False,
                                                      num_classes=0, global_pool=""))
        sd = encoder_state_dict(unwrap_state_dict(load_state_dict(self.fetch_weights())))
        load_weights(model, sd, strict=True)  # every encoder key and shape, nothing else
        return check_materialized(model)

    def preprocess(self, x):
        return normalize(reflectance_to_uint8(x) / 255.0, FMOW_RGB_MEAN, FMOW_RGB_STD)

    def forward_tokens(self, model, x, ctx):
        return model.forward_features(x)[:, model.num_prefix_tokens:]
