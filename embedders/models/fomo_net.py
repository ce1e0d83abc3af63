"""FoMo-Net_1 encoder (Bountos et al., FoMo-Bench, AAAI 2025): our implementation.

Read from RolnickLab/FoMo-Bench ``model_zoo/multimodal_mae.py`` (``MultiSpectralViT``
with ``single_embedding_layer``): every input band is patchified on its own
(16 x 16 px, one channel), embedded by LayerNorm -> Linear -> LayerNorm shared by
all bands, plus the learned embedding of that band's modality key and the learned
position embedding; the band tokens of all bands go through one pre-norm ViT
(attention without q/k/v bias, head width 64, GELU MLP) and a final LayerNorm.
Tokens come out band-major: (B, C * N, D).

The architecture is read off the state dict (width, depth, heads, MLP width, patch
size and grid), so the published checkpoint and smaller test ones load alike.
Official keys are renamed onto this module by :func:`from_official`.
"""
from __future__ import annotations

import math
import re

HEAD_DIM = 64  # the authors' dim_head default, kept by their FoMo-Net_1 example


def from_official(sd: dict) -> dict:
    """The encoder's tensors of an official state dict, under this module's names
    (``cls_token`` and the classification ``mlp_head`` are not used: dropped)."""
    rules = (
        (r"^to_patch_embedding\.1\.", "patch_norm_in."),
        (r"^to_patch_embedding\.2\.", "patch_proj."),
        (r"^to_patch_embedding\.3\.", "patch_norm_out."),
        (r"^pos_embedding$", "pos_embed"),
        (r"^spectral_embedding$", "band_embed"),
        (r"^transformer\.norm\.", "norm."),
        (r"^transformer\.layers\.(\d+)\.0\.norm\.", r"blocks.\1.attn_norm."),
        (r"^transformer\.layers\.(\d+)\.0\.to_qkv\.", r"blocks.\1.qkv."),
        (r"^transformer\.layers\.(\d+)\.0\.to_out\.0\.", r"blocks.\1.proj."),
        (r"^transformer\.layers\.(\d+)\.1\.net\.0\.", r"blocks.\1.mlp_norm."),
        (r"^transformer\.layers\.(\d+)\.1\.net\.1\.", r"blocks.\1.fc1."),
        (r"^transformer\.layers\.(\d+)\.1\.net\.4\.", r"blocks.\1.fc2."),
    )
    out = {}
    for key, value in sd.items():
        for pattern, repl in rules:
            new, n = re.subn(pattern, repl, key)
            if n:
                out[new] = value
                break
    return out


def shape_of(sd: dict) -> dict:
    """Constructor arguments of :func:`build` read from an official state dict."""
    depth = 1 + max(int(m.group(1)) for k in sd if (m := re.match(r"transformer\.layers\.(\d+)\.", k)))
    dim = sd["pos_embedding"].shape[-1]
    patch = math.isqrt(sd["to_patch_embedding.1.weight"].shape[0])
    return {"dim": dim, "depth": depth, "heads": sd["transformer.layers.0.0.to_qkv.weight"].shape[0] // (3 * HEAD_DIM),
            "mlp_dim": sd["transformer.layers.0.1.net.1.weight"].shape[0], "patch": patch,
            "tokens": sd["pos_embedding"].shape[1] - 1, "keys": sd["spectral_embedding"].shape[1]}


def build(dim, depth, heads, mlp_dim, patch, tokens, keys):
    """The encoder module (imports torch lazily)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            inner = heads * HEAD_DIM
            self.attn_norm = nn.LayerNorm(dim)
            self.qkv = nn.Linear(dim, 3 * inner, bias=False)
            self.proj = nn.Linear(inner, dim)
            self.mlp_norm = nn.LayerNorm(dim)
            self.fc1 = nn.Linear(dim, mlp_dim)
            self.fc2 = nn.Linear(mlp_dim, dim)

        def forward(self, x):
            b, n, _ = x.shape
            q, k, v = self.qkv(self.attn_norm(x)).view(b, n, 3, heads, HEAD_DIM).permute(2, 0, 3, 1, 4)
            a = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, n, heads * HEAD_DIM)
            x = x + self.proj(a)
            return x + self.fc2(F.gelu(self.fc1(self.mlp_norm(x))))

    class FoMoEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.patch = patch
            self.patch_norm_in = nn.LayerNorm(patch * patch)
            self.patch_proj = nn.Linear(patch * patch, dim)
            self.patch_norm_out = nn.LayerNorm(dim)
            self.pos_embed = nn.Parameter(torch.zeros(1, tokens + 1, dim))
            self.band_embed = nn.Parameter(torch.zeros(1, keys, dim))
            self.blocks = nn.ModuleList([Block() for _ in range(depth)])
            self.norm = nn.LayerNorm(dim)

        def forward(self, x, band_keys):
            """x (B, C, H, W), ``band_keys`` the modality key of each channel ->
            tokens (B, C, N, D), N = (H / patch) * (W / patch) row-major."""
            b, c, h, w = x.shape
            p = self.patch
            gh, gw = h // p, w // p
            # each band's 16 x 16 pixels, row-major within the patch (the authors' p1 p2 order)
            px = x.reshape(b, c, gh, p, gw, p).permute(0, 1, 2, 4, 3, 5).reshape(b, c, gh * gw, p * p)
            t = self.patch_norm_out(self.patch_proj(self.patch_norm_in(px)))
            t = t + self.band_embed[0, list(band_keys)][None, :, None, :]
            t = t + self.pos_embed[:, 1:gh * gw + 1][:, None]
            seq = t.reshape(b, c * gh * gw, -1)
            for blk in self.blocks:
                seq = blk(seq)
            return self.norm(seq).reshape(b, c, gh * gw, -1)

    return FoMoEncoder()
