"""TerraFM ViT encoder (PyTorch), written from the paper and the authors'
``terrafm.py`` published with the weights (MBZUAI/TerraFM on Hugging Face).

Imported only when the model runs (it imports torch). Parameter names equal the
keys of ``TerraFM-B.pth`` (164 tensors), which therefore loads strictly.

The patch embedding is modality-specific: one 16x16 convolution per input kind
(S2 L2A, S2 L1C, S1) to 3x the width, plus a learned modality vector, then a
shared token projection (linear without bias, LayerNorm, linear, linear) to the
ViT width. The rest is a DINO-style ViT with a final LayerNorm: the authors'
``model(x)`` returns the normed class token and their ``extract_feature`` the
normed patch tokens of the last block.
"""
from __future__ import annotations

from functools import partial

import torch
from torch import nn
from timm.models.vision_transformer import Block

MODALITIES = ("s2_l2a", "s2_l1c", "s1")


class TokenProjection(nn.Module):
    def __init__(self, dim: int, wide: int):
        super().__init__()
        self.proj1 = nn.Linear(wide, wide, bias=False)
        self.norm_input = nn.LayerNorm(wide)
        self.proj2 = nn.Linear(wide, wide)
        self.proj3 = nn.Linear(wide, dim)

    def forward(self, x):
        return self.proj3(self.proj2(self.norm_input(self.proj1(x))))


class ModalityPatchEmbed(nn.Module):
    def __init__(self, dim: int, patch: int = 16, s2_chans: int = 12, s1_chans: int = 2):
        super().__init__()
        wide = dim * 3
        self.patch = patch
        self.conv2d_s2_l2a = nn.Conv2d(s2_chans, wide, patch, patch)
        self.conv2d_s2_l1c = nn.Conv2d(s2_chans, wide, patch, patch)
        self.conv2d_s1 = nn.Conv2d(s1_chans, wide, patch, patch)
        self.projection = TokenProjection(dim, wide)
        self.s2_l2a_embed = nn.Parameter(torch.zeros(1, wide))
        self.s2_l1c_embed = nn.Parameter(torch.zeros(1, wide))
        self.s1_embed = nn.Parameter(torch.zeros(1, wide))

    def forward(self, x: torch.Tensor, modality: str) -> torch.Tensor:
        if modality not in MODALITIES:
            raise ValueError(f"modality must be one of {MODALITIES}")
        conv = getattr(self, f"conv2d_{modality}")
        tokens = conv(x).flatten(2).transpose(1, 2) + getattr(self, f"{modality}_embed")
        return self.projection(tokens)


class TerraFMEncoder(nn.Module):
    def __init__(self, dim=768, depth=12, heads=12, patch=16, img_size=224, mlp_ratio=4.0):
        super().__init__()
        self.patch = patch
        self.grid = img_size // patch
        self.patch_embed = ModalityPatchEmbed(dim, patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.grid ** 2 + 1, dim))
        norm = partial(nn.LayerNorm, eps=1e-6)
        self.blocks = nn.ModuleList([
            Block(dim, heads, mlp_ratio, qkv_bias=True, norm_layer=norm) for _ in range(depth)
        ])
        self.norm = norm(dim)

    def forward(self, x: torch.Tensor, modality: str = "s2_l1c") -> torch.Tensor:
        """x (B, 12, 224, 224) in [0, 1] -> normed sequence (B, 1 + 196, D): the class
        token first (the authors' ``model(x)`` output), then the patch tokens."""
        h, w = x.shape[-2:]
        if (h // self.patch, w // self.patch) != (self.grid, self.grid) or h % self.patch or w % self.patch:
            raise ValueError(f"TerraFM takes {self.grid * self.patch}x{self.grid * self.patch} inputs, got {h}x{w}")
        tokens = self.patch_embed(x, modality)
        seq = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), tokens], dim=1)
        seq = seq + self.pos_embed
        for blk in self.blocks:
            seq = blk(seq)
        return self.norm(seq)


def terrafm_base(depth: int = 12) -> TerraFMEncoder:
    return TerraFMEncoder(dim=768, depth=depth, heads=12)
