"""WildSAT ViT-B/16 (ImageNet start, fine-tuned with WildSAT): the satellite encoder.

The authors' satellite model (cvl-umass/wildsat ``models/get_model.py``,
``get_model("vitb16", ...)``) is torchvision's ``vit_b_16`` kept whole, its ImageNet
classification layer included (``heads.head``, 768 -> 1000, tuned by WildSAT's
``--is_tunefc``), wrapped with three linear heads (text, location, image; 1000 -> 256).
Their ``SingleTaskModel.embed(x)`` returns ``backbone(x)``: the 1000-d output.

Our module is torchvision's ``VisionTransformer`` (the class of ``vit_b_16``, the
authors' architecture) with its arguments read off the checkpoint, built empty, and
a forward that returns both the patch tokens after the encoder's final LayerNorm and
the ``embed`` vector (class token -> ``heads``).
"""
from __future__ import annotations

from ..errors import DownloadError


def backbone_state(ckpt: dict) -> dict:
    """The ViT's tensors of a WildSAT checkpoint: ``satellite_state_dict`` with the
    ``module.`` prefixes dropped (as the authors' quickstart does), ``backbone.`` keys."""
    sd = ckpt.get("satellite_state_dict") if isinstance(ckpt, dict) else None
    if not isinstance(sd, dict):
        raise DownloadError("The WildSAT weights file has no 'satellite_state_dict': it is not a WildSAT "
                            "training checkpoint (e.g. vitb16-imagenet-bnfc.pth).")
    sd = {k.split("module.")[-1]: v for k, v in sd.items()}
    out = {k[len("backbone."):]: v for k, v in sd.items() if k.startswith("backbone.")}
    if "conv_proj.weight" not in out:
        raise DownloadError("The WildSAT checkpoint's satellite model is not a ViT-B/16 (no backbone.conv_proj): "
                            "only the ViT-B/16 ImageNet variant is offered.")
    return out


HEAD_DIM = 64  # ViT-B/16: 768 wide, 12 heads


def arch_of(sd: dict) -> dict:
    """torchvision ``VisionTransformer`` arguments of a backbone state dict (ViT-B/16:
    12 layers, 768 wide, MLP 3072, 1000 outputs)."""
    layers = {k.split(".")[2] for k in sd if k.startswith("encoder.layers.")}
    hidden = sd["conv_proj.weight"].shape[0]
    return {"image_size": 224, "patch_size": sd["conv_proj.weight"].shape[-1], "num_layers": len(layers),
            "num_heads": hidden // HEAD_DIM, "hidden_dim": hidden,
            "mlp_dim": sd["encoder.layers.encoder_layer_0.mlp.0.weight"].shape[0],
            "num_classes": sd["heads.head.weight"].shape[0]}


def build(**arch):
    """torchvision's ViT (the authors' ``vit_b_16`` class) wrapped to return tokens and
    the embed vector; build on the meta device and fill with ``load_weights``."""
    import torch
    from torchvision.models.vision_transformer import VisionTransformer

    class WildSATViT(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.vit = VisionTransformer(**arch)

        def forward(self, x):
            """x (B, 3, 224, 224) -> (patch tokens (B, 196, 768), embed (B, 1000))."""
            v = self.vit
            t = v._process_input(x)
            t = torch.cat([v.class_token.expand(t.shape[0], -1, -1), t], dim=1)
            t = v.encoder(t)
            return t[:, 1:], v.heads(t[:, 0])

    return WildSATViT()
