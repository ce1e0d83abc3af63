"""Prithvi-EO 2.0 encoder (PyTorch), written from the authors' description and
their ``prithvi_mae.py`` published with the weights on Hugging Face.

Imported only when the model runs (it imports torch). Parameter names equal the
``encoder.*`` keys of the official checkpoints (``Prithvi_EO_V2_300M(_TL).pt``)
with the prefix removed, so those load strictly. ``pos_embed`` is a fixed 3D
sin-cos table; the checkpoint's copy (built for 4 frames) is discarded and
recomputed for the frame count used, as the authors' inference script does.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from timm.models.vision_transformer import Block


def sincos_1d(dim: int, positions) -> np.ndarray:
    """(M, dim) sin-cos table of ``positions`` (float64, as the authors build it)."""
    freq = 1.0 / 10000 ** (np.arange(dim // 2, dtype=np.float64) / (dim / 2.0))
    angles = np.asarray(positions, dtype=np.float64).reshape(-1, 1) * freq[None]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)


def sincos_3d(dim: int, t: int, h: int, w: int) -> np.ndarray:
    """(t*h*w, dim) table: width, height and time parts take 6/16, 6/16, 4/16 of dim;
    tokens are ordered time-major, then rows, then columns."""
    if dim % 16:
        raise ValueError("embedding width must be a multiple of 16")
    tt, hh, ww = np.meshgrid(np.arange(t), np.arange(h), np.arange(w), indexing="ij")
    return np.concatenate([
        sincos_1d(dim // 16 * 6, ww.ravel()),
        sincos_1d(dim // 16 * 6, hh.ravel()),
        sincos_1d(dim // 16 * 4, tt.ravel()),
    ], axis=1)


def sincos_torch(dim: int, values: torch.Tensor) -> torch.Tensor:
    """Sin-cos embedding of float ``values`` (M,) computed in their dtype -> (M, dim)."""
    freq = torch.arange(dim // 2, dtype=values.dtype, device=values.device)
    freq = 1.0 / 10000 ** (freq / (dim / 2.0))
    angles = values.reshape(-1, 1) * freq[None]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


class PairEncoder(nn.Module):
    """Embeds a pair of scalars (year, day-of-year) or (first, second location
    coordinate): first half of the width for the first, the rest for the second,
    times a learned scale."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim
        self.scale = nn.Parameter(torch.full((1,), 0.1))

    def forward(self, pairs: torch.Tensor) -> torch.Tensor:
        """pairs (..., 2) -> (..., dim)"""
        lead = pairs.shape[:-1]
        a = sincos_torch(self.dim // 2, pairs[..., 0].flatten())
        b = sincos_torch(self.dim - self.dim // 2, pairs[..., 1].flatten())
        return self.scale * torch.cat([a, b], dim=-1).reshape(*lead, self.dim)


class PatchEmbed3D(nn.Module):
    def __init__(self, in_chans: int, dim: int, patch: int, tubelet: int = 1):
        super().__init__()
        self.patch = patch
        self.proj = nn.Conv3d(in_chans, dim, kernel_size=(tubelet, patch, patch),
                              stride=(tubelet, patch, patch))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, T, H, W) -> (B, T*h*w, dim)"""
        return self.proj(x).flatten(2).transpose(1, 2)


class PrithviEncoder(nn.Module):
    """ViT encoder with 3D patch embedding, 3D sin-cos positions and optional
    time/location encoders (TL variants)."""

    def __init__(self, in_chans=6, dim=1024, depth=24, heads=16, patch=16, tubelet=1,
                 mlp_ratio=4.0, coords=False):
        super().__init__()
        self.dim = dim
        self.patch = patch
        self.patch_embed = PatchEmbed3D(in_chans, dim, patch, tubelet)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.coords = coords
        if coords:
            self.temporal_embed_enc = PairEncoder(dim)
            self.location_embed_enc = PairEncoder(dim)
        self.blocks = nn.ModuleList([
            Block(dim, heads, mlp_ratio, qkv_bias=True, norm_layer=nn.LayerNorm)
            for _ in range(depth)
        ])
        self.norm = nn.LayerNorm(dim)
        self._pos_cache = {}

    def pos_embed(self, t: int, h: int, w: int, device, dtype) -> torch.Tensor:
        key = (t, h, w)
        if key not in self._pos_cache:
            self._pos_cache[key] = torch.from_numpy(sincos_3d(self.dim, t, h, w)).float()
        return self._pos_cache[key].to(device=device, dtype=dtype)[None]

    def forward(self, x: torch.Tensor, temporal_coords=None, location_coords=None) -> torch.Tensor:
        """x (B, C, H, W) or (B, C, T, H, W); temporal_coords (B, T, 2) = (year,
        day-of-year); location_coords (B, 2). Returns normed tokens (B, T*h*w, D)
        without the class token."""
        if x.ndim == 4:
            x = x.unsqueeze(2)
        b, _, t, hpx, wpx = x.shape
        if hpx % self.patch or wpx % self.patch:
            raise ValueError(f"input {hpx}x{wpx} is not a multiple of the {self.patch}-pixel patch")
        tokens = self.patch_embed(x)
        tokens = tokens + self.pos_embed(t, hpx // self.patch, wpx // self.patch,
                                         tokens.device, tokens.dtype)
        if self.coords and temporal_coords is not None:
            per_frame = tokens.shape[1] // t
            enc = self.temporal_embed_enc(temporal_coords.to(tokens))  # (B, T, D)
            tokens = tokens + enc.repeat_interleave(per_frame, dim=1)
        if self.coords and location_coords is not None:
            tokens = tokens + self.location_embed_enc(location_coords.to(tokens))[:, None]
        cls = self.cls_token.expand(b, -1, -1)  # its position code is all zeros
        seq = torch.cat([cls, tokens], dim=1)
        for blk in self.blocks:
            seq = blk(seq)
        return self.norm(seq)[:, 1:]


def encoder_state_from_checkpoint(state: dict) -> dict:
    """The ``encoder.*`` part of an official checkpoint, prefix removed, without
    the fixed ``pos_embed`` table."""
    out = {}
    for k, v in state.items():
        if k.startswith("encoder.") and k != "encoder.pos_embed":
            out[k[len("encoder."):]] = v
    return out
