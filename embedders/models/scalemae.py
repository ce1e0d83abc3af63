"""Scale-MAE ViT-L/16 (fMoW-RGB) on Sentinel-2 RGB (``scalemae_s2rgb``).

torchgeo's ``scalemae_large_patch16`` with the weights of
``ScaleMAELarge16_Weights.FMOW_RGB`` (the same file, revision and name as
torchgeo's URL; a copy torchgeo already put in ``$TORCH_HOME/hub/checkpoints`` is
used). The ground sample distance of the model input is passed as ``res``
(metres per input pixel), which scales the positional encodings.

Pooled = the class token after the encoder norm: the feature the authors
evaluate with (scale-mae ``models_mae.py`` ``forward(..., knn_feats=True)``
returns ``forward_encoder(...)[:, 0]``, the patch mean is commented out
there). Grid = the normed patch tokens.
"""
from __future__ import annotations

from ..errors import DownloadError
from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from .base import (OnTheFlyEmbedder, build_empty, check_materialized, load_weights, normalize,
                   reflectance_to_uint8, unwrap_state_dict)

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
FILE = "vit_large_patch16_224_fmow_rgb_scalemae-98ed9821.pth"
# keys the encoder may lack (pos_embed is recomputed from res) or may carry unused
OPTIONAL = ("pos_embed",)
UNUSED = ("head.", "fc_norm.")


@register
class ScaleMAES2RGB(OnTheFlyEmbedder):
    model_id = "scalemae_s2rgb"
    aliases = ("scalemae", "scalemae_rgb")
    title = "Scale-MAE ViT-L/16, fMoW-RGB (Sentinel-2 RGB)"
    dim = 1024
    bands = ("B04", "B03", "B02")
    input_size = 224
    patch_size = 16
    requires = ("torch", "torchgeo", "timm")
    pooled_from = "class token after the encoder norm (authors' kNN feature)"
    product_version = "torchgeo ScaleMAELarge16_Weights.FMOW_RGB @ 9dc7f56"
    notes = "Scale-aware masked autoencoder (Reed et al., ICCV 2023); GSD-scaled positional encodings."
    weights = WeightsSpec(
        repo_id="torchgeo/vit_large_patch16_224_fmow_rgb_scalemae", filename=FILE,
        revision="9dc7f569424baeb780698352cf6e87638c882123",
        sha256="386989c9cf349a5045c2ac76f7d0225ae3a54b2a2c158fa87e5df5103e5d9ed9",
        size=1213304038, torch_hub_name=FILE, license="CC-BY-NC-4.0")
    preprocessing = {
        "bands": "B04, B03, B02 (R, G, B)",
        "scaling": "uint8 = floor(clip(reflectance / 10000, 0, 1) * 255) (as rs-embed), then / 255 (torchgeo transforms)",
        "normalisation": {"mean": list(IMAGENET_MEAN), "std": list(IMAGENET_STD), "source": "ImageNet (torchgeo)"},
        "input_size": 224,
        "side_inputs": {"res": "ground sample distance of the model input in metres: patch resolution "
                               "(tile) or patch extent / 224 (resize)"},
        "pooled": "class token after the encoder norm (the authors' kNN feature, knn_feats=True)",
        "grid": "patch tokens (1024 x 14 x 14)",
    }

    def load_model(self, device):
        from torchgeo.models import scalemae_large_patch16

        import torch

        model = build_empty(lambda: scalemae_large_patch16(weights=None, num_classes=0))
        sd = unwrap_state_dict(load_state_dict(self.fetch_weights()))
        sd = {k: v for k, v in sd.items() if not k.startswith(UNUSED)}
        missing, unexpected = load_weights(model, sd, strict=False)
        if "pos_embed" in missing:  # recomputed from res in every forward; never read
            model.pos_embed = torch.nn.Parameter(torch.zeros(model.pos_embed.shape), requires_grad=False)
        missing = [k for k in missing if k not in OPTIONAL]
        if missing or unexpected:
            raise DownloadError(f"The Scale-MAE weights do not match the ViT-L/16 encoder: "
                                f"missing {missing[:5]}, unexpected {unexpected[:5]}.")
        return check_materialized(model)

    def preprocess(self, x):
        return normalize(reflectance_to_uint8(x) / 255.0, IMAGENET_MEAN, IMAGENET_STD)

    def forward_tokens(self, model, x, ctx):
        model.res = float(ctx.gsd_m)
        seq = model.forward_features(x)
        return seq[:, model.num_prefix_tokens:], seq[:, 0]
