"""SatMAE++ ViT-L (fMoW-Sentinel pretraining) on ten Sentinel-2 bands (``satmaepp_s2``).

Weights: the authors' ``checkpoint_ViT-L_pretrain_fmow_sentinel.pth`` (Noman et
al., CVPR 2024; ``mubashir04/checkpoint_ViT-L_pretrain_fmow_sentinel`` on
Hugging Face, the repository the authors' README links), a training checkpoint
whose ``model`` entry is the state dict of their
``MaskedAutoencoderGroupChannelViT``. It also pickles the run's
``argparse.Namespace``; it is read with ``weights_only=True`` with exactly that
class allowed, nothing else.

The encoder is our own implementation of the authors' ``forward_encoder``
(techmn/satmae_pp ``models_mae_group_channels.py``), without masking: one 8 x 8
patch embedding per channel group ((B2, B3, B4, B8), (B5, B6, B7, B8A), (B11,
B12)), each token gets the fixed 2D sin-cos position code (checkpoint
``pos_embed``) concatenated with its group's code (``channel_embed``), then the
class token, 24 ViT-L blocks and the final norm. Tokens are group-major (G x L);
the grid averages each cell's 3 group tokens; pooled = mean of the grid. (The
authors' ``random_masking`` shuffles tokens even at mask ratio 0; we keep
positions.)

Preprocessing as the authors' ``SentinelNormalize`` + ``ToTensor``: for each band
with the fMoW-Sentinel mean m and std s, ``uint8(clip((x - (m - 2 s)) / (4 s) *
255, 0, 255)) / 255``; input 96 x 96 (their pretraining size), bands B1, B9 and
B10 dropped as in their ``dropped_bands=[0, 9, 10]``.
"""
from __future__ import annotations

from ..errors import DownloadError
from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from .base import OnTheFlyEmbedder, unwrap_state_dict

BANDS = ("B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12")
GROUPS = ((0, 1, 2, 6), (3, 4, 5, 7), (8, 9))
# techmn/satmae_pp util/datasets.py SentinelIndividualImageDataset (13 fMoW-Sentinel
# bands B1..B12 with B8A and B10), kept for the 10 bands above (indices 1-8, 11, 12)
_MEAN13 = (1370.19151926, 1184.3824625, 1120.77120066, 1136.26026392, 1263.73947144, 1645.40315151,
           1846.87040806, 1762.59530783, 1972.62420416, 582.72633433, 14.77112979, 1732.16362238,
           1247.91870117)
_STD13 = (633.15169573, 650.2842772, 712.12507725, 965.23119807, 948.9819932, 1108.06650639,
          1258.36394548, 1233.1492281, 1364.38688993, 472.37967789, 14.3114637, 1310.36996126,
          1087.6020813)
_KEEP = (1, 2, 3, 4, 5, 6, 7, 8, 11, 12)
MEAN = tuple(_MEAN13[i] for i in _KEEP)
STD = tuple(_STD13[i] for i in _KEEP)
ENCODER_PREFIXES = ("patch_embed.", "cls_token", "pos_embed", "channel_embed", "blocks.", "norm.")


def encoder_state(sd: dict) -> dict:
    return {k: v for k, v in sd.items() if k.startswith(ENCODER_PREFIXES)}


def build_encoder(dim=1024, depth=24, heads=16, channel_dim=256, img_size=96, patch=8):
    """Imported lazily (torch, timm)."""
    import torch
    from torch import nn
    from timm.layers import PatchEmbed
    from timm.models.vision_transformer import Block
    from functools import partial

    class GroupChannelEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            n = (img_size // patch) ** 2
            self.patch_embed = nn.ModuleList([PatchEmbed(img_size, patch, len(g), dim) for g in GROUPS])
            self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
            self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim - channel_dim), requires_grad=False)
            self.channel_embed = nn.Parameter(torch.zeros(1, len(GROUPS), channel_dim), requires_grad=False)
            norm = partial(nn.LayerNorm, eps=1e-6)
            self.blocks = nn.ModuleList([Block(dim, heads, 4.0, qkv_bias=True, norm_layer=norm)
                                         for _ in range(depth)])
            self.norm = norm(dim)

        def forward(self, x):
            """x (B, 10, 96, 96) -> normed tokens (B, G, L, D), no class token."""
            per_group = torch.stack([pe(x[:, list(g)]) for pe, g in zip(self.patch_embed, GROUPS)], dim=1)
            b, g, n, _ = per_group.shape
            pos = self.pos_embed[:, 1:].unsqueeze(1).expand(-1, g, -1, -1)
            chan = self.channel_embed.unsqueeze(2).expand(-1, -1, n, -1)
            tokens = (per_group + torch.cat([pos, chan], dim=-1)).reshape(b, g * n, -1)
            seq = torch.cat([self.cls_token.expand(b, -1, -1), tokens], dim=1)
            for blk in self.blocks:
                seq = blk(seq)
            return self.norm(seq)[:, 1:].reshape(b, g, n, -1)

    return GroupChannelEncoder()


@register
class SatMAEPPS2(OnTheFlyEmbedder):
    model_id = "satmaepp_s2"
    aliases = ("satmaepp", "satmae_pp", "satmaepp_s2_10b")
    title = "SatMAE++ ViT-L/8, fMoW-Sentinel pretraining (10 Sentinel-2 bands)"
    dim = 1024
    bands = BANDS
    input_size = 96
    patch_size = 8
    requires = ("torch", "timm")
    product_version = "checkpoint_ViT-L_pretrain_fmow_sentinel @ e6792ae"
    notes = ("SatMAE++ (Noman et al., CVPR 2024): multi-scale MAE with channel-grouped ViT-L, "
             "pretrained on fMoW-Sentinel (Sentinel-2, 10 bands in 3 groups).")
    # Commit "Upload checkpoint_ViT-L_pretrain_fmow_sentinel.pth"; the LFS pointer in that
    # commit gives the sha256 and size.
    weights = WeightsSpec(
        repo_id="mubashir04/checkpoint_ViT-L_pretrain_fmow_sentinel",
        filename="checkpoint_ViT-L_pretrain_fmow_sentinel.pth",
        revision="e6792ae99987b96569993306b396c232f27ba8cc",
        sha256="a3c71857fa8c00394d40dd83bdd0a54c92b640c1909bfea148b069b857048af2",
        size=3951109525, license="Apache-2.0")
    preprocessing = {
        "bands": "B02, B03, B04, B05, B06, B07, B08, B8A, B11, B12 (fMoW-Sentinel without B1, B9, B10)",
        "scaling": "uint8(clip((x - (m - 2 s)) / (4 s) * 255, 0, 255)) / 255 (authors' SentinelNormalize + ToTensor)",
        "normalisation": {"mean": list(MEAN), "std": list(STD), "source": "techmn/satmae_pp util/datasets.py"},
        "input_size": 96,
        "side_inputs": None,
        "channel_groups": [[BANDS[i] for i in g] for g in GROUPS],
        "pooled": "mean of the grid cells (the pretrained MAE encoder has no pooling head)",
        "grid": "per 8 x 8 px cell: mean of its 3 channel-group tokens after the final norm (1024 x 12 x 12)",
    }

    def load_model(self, device):
        import argparse

        import torch

        with torch.serialization.safe_globals([argparse.Namespace]):  # the run's args, nothing else
            sd = encoder_state(unwrap_state_dict(load_state_dict(self.fetch_weights()), keys=("model",)))
        model = build_encoder()
        try:
            model.load_state_dict(sd, strict=True)
        except RuntimeError as exc:
            raise DownloadError(f"The SatMAE++ weights do not match the group-channel ViT-L encoder: {exc}") from exc
        return model

    def preprocess(self, x):
        import torch

        m = x.new_tensor(MEAN).view(1, -1, 1, 1)
        s = x.new_tensor(STD).view(1, -1, 1, 1)
        u8 = torch.clamp((x - (m - 2 * s)) / (4 * s) * 255.0, 0.0, 255.0).floor()
        return u8 / 255.0

    def forward_tokens(self, model, x, ctx):
        return model(x).mean(dim=1)  # (B, L, D): each cell's group tokens averaged
