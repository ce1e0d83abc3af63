"""RemoteCLIP ViT-B/32 on Sentinel-2 RGB (``remoteclip_s2rgb``).

Architecture: open_clip ``ViT-B-32`` (built with ``pretrained=None``), weights
``chendelong/RemoteCLIP`` ``RemoteCLIP-ViT-B-32.pt`` (an open_clip state dict).
Only the image tower is kept. Pooled = the CLIP image embedding (class token
after ``ln_post`` times ``proj``, 512); grid = the 7 x 7 patch tokens after
``ln_post`` (768, before the projection).
"""
from __future__ import annotations

from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from .base import (OnTheFlyEmbedder, build_empty, check_materialized, load_weights, normalize,
                   reflectance_to_uint8, unwrap_state_dict)

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@register
class RemoteCLIPS2RGB(OnTheFlyEmbedder):
    model_id = "remoteclip_s2rgb"
    aliases = ("remoteclip",)
    title = "RemoteCLIP ViT-B/32 (Sentinel-2 RGB)"
    dim = 512
    grid_dim = 768
    bands = ("B04", "B03", "B02")
    input_size = 224
    patch_size = 32
    requires = ("torch", "open_clip")
    product_version = "RemoteCLIP-ViT-B-32 @ bf1d8a3"
    notes = "CLIP fine-tuned on remote-sensing image-text pairs (Liu et al., TGRS 2024)."
    weights = WeightsSpec(
        repo_id="chendelong/RemoteCLIP", filename="RemoteCLIP-ViT-B-32.pt",
        revision="bf1d8a3ccf2ddbf7c875705e46373bfe542bce38",
        sha256="60014e395d930a3f2963d1d89c8522bf4ad56775571e4356e866864789af85c4",
        size=605208421, license="Apache-2.0")
    preprocessing = {
        "bands": "B04, B03, B02 (R, G, B)",
        "scaling": "uint8 = floor(clip(reflectance / 10000, 0, 1) * 255) (as rs-embed), then / 255",
        "normalisation": {"mean": list(CLIP_MEAN), "std": list(CLIP_STD)},
        "input_size": 224,
        "side_inputs": None,
        "pooled": "CLIP image embedding: ln_post(class token) @ proj (512)",
        "grid": "patch tokens after ln_post, before projection (768 x 7 x 7)",
    }

    def load_model(self, device):
        import open_clip

        model = build_empty(lambda: open_clip.create_model("ViT-B-32", pretrained=None, device="meta"))
        load_weights(model, unwrap_state_dict(load_state_dict(self.fetch_weights())))
        visual = check_materialized(model.visual)  # the text tower is not kept
        visual.output_tokens = True
        return visual

    def preprocess(self, x):
        return normalize(reflectance_to_uint8(x) / 255.0, CLIP_MEAN, CLIP_STD)

    def forward_tokens(self, model, x, ctx):
        pooled, tokens = model(x)
        return tokens, pooled
