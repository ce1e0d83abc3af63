"""Galileo's encoder (Tseng et al., ICML 2025), our implementation, run on Sentinel-2 only.

Read from the authors' ``single_file_galileo.py`` (nasaharvest/galileo, MIT); not
copied. The module holds the authors' full key set (every modality's projection,
so a published ``encoder.pt`` loads strictly), but computes only what an input
with nothing but Sentinel-2 visible needs:

* the encoder masks every other channel group (S1, NDVI, SRTM, Dynamic World,
  WorldCereal, ERA5, TerraClimate, VIIRS, LandScan, location); masked tokens are
  dropped before attention, so they neither attend nor are attended to;
* each of the 5 Sentinel-2 channel groups gets its own patch projection (a
  convolution with kernel = stride = ``patch_size``; 8, the size the weights
  are stored at, so no FlexiViT kernel resampling happens);
* a token is projection + concat(channel-group code, 1D sin-cos code of the
  timestep, month code, 2D sin-cos code of the cell scaled by
  ``input_res * patch_size / 10``), each a quarter of the width;
* the visible tokens (H' x W' x T x 5) go through the transformer blocks and the
  final LayerNorm (``add_layernorm_on_exit``, the authors' default).

Imported lazily (torch).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

BASE_GSD = 10.0  # metres; token resolution is expressed relative to it
# channel groups in the authors' order, with their input widths
SPACE_TIME_GROUPS = (("S1", 2), ("S2_RGB", 3), ("S2_Red_Edge", 3), ("S2_NIR_10m", 1),
                     ("S2_NIR_20m", 1), ("S2_SWIR", 2), ("NDVI", 1))
SPACE_GROUPS = (("SRTM", 2), ("DW", 9), ("WC", 5))
TIME_GROUPS = (("ERA5", 2), ("TC", 3), ("VIIRS", 1))
STATIC_GROUPS = (("LS", 1), ("location", 3), ("DW_static", 9), ("WC_static", 5))
# the Sentinel-2 groups as slices of B2, B3, B4, B5, B6, B7, B8, B8A, B11, B12
S2_GROUP_SLICES = (("S2_RGB", slice(0, 3)), ("S2_Red_Edge", slice(3, 6)), ("S2_NIR_10m", slice(6, 7)),
                   ("S2_NIR_20m", slice(7, 8)), ("S2_SWIR", slice(8, 10)))
S2_GROUP_INDEX = {name: i for i, (name, _) in enumerate(SPACE_TIME_GROUPS)}


def sincos_1d(width: int, positions):
    """(N, width) codes: sin then cos of ``positions`` times 1 / 10000^(k / (2 width)),
    k < width / 2 (the authors' frequencies)."""
    k = torch.arange(width // 2, dtype=torch.float32, device=positions.device)
    freqs = 1.0 / 10000.0 ** (k / width / 2.0)
    angles = positions.reshape(-1, 1).float() * freqs[None]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


def cell_codes(width: int, rows: int, cols: int, ratio: float, device):
    """(rows, cols, width): first half codes the column, second half the row, both
    positions multiplied by ``ratio`` (token ground size / 10 m)."""
    r, c = torch.meshgrid(torch.arange(rows, device=device), torch.arange(cols, device=device), indexing="ij")
    ratio = torch.tensor(float(ratio), dtype=torch.float32, device=device)
    col = sincos_1d(width // 2, c.reshape(-1).float() * ratio)
    row = sincos_1d(width // 2, r.reshape(-1).float() * ratio)
    return torch.cat([col, row], dim=1).reshape(rows, cols, width)


class _PatchProjection(nn.Module):
    def __init__(self, channels: int, dim: int, patch: int):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, kernel_size=patch, stride=patch)


class _Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = (t(x).reshape(b, n, self.heads, d // self.heads).transpose(1, 2) for t in (self.q, self.k, self.v))
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(b, n, d))


class _Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(dim, hidden), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class _Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = _Attention(dim, heads)
        self.mlp = _Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class GalileoS2Encoder(nn.Module):
    """``forward(x, months, input_res)``: x (B, T, 10, H, W) normalised Sentinel-2 in
    the authors' S2 band order, months (B, T) 0..11 -> tokens (B, H/p, W/p, T, 5, D)."""

    def __init__(self, embedding_size: int = 128, depth: int = 2, num_heads: int = 8, mlp_ratio: float = 2.0,
                 max_sequence_length: int = 24, max_patch_size: int = 8, **_training_only):
        super().__init__()
        d, q = embedding_size, embedding_size // 4
        self.dim, self.patch_size = d, max_patch_size
        self.pos_embed = nn.Parameter(torch.zeros(max_sequence_length, q), requires_grad=False)
        self.month_embed = nn.Embedding(12, q)
        self.s_t_channel_embed = nn.Parameter(torch.zeros(len(SPACE_TIME_GROUPS), q))
        self.sp_channel_embed = nn.Parameter(torch.zeros(len(SPACE_GROUPS), q))
        self.t_channel_embed = nn.Parameter(torch.zeros(len(TIME_GROUPS), q))
        self.st_channel_embed = nn.Parameter(torch.zeros(len(STATIC_GROUPS), q))
        self.space_time_embed = nn.ModuleDict({n: _PatchProjection(c, d, max_patch_size) for n, c in SPACE_TIME_GROUPS})
        self.space_embed = nn.ModuleDict({n: _PatchProjection(c, d, max_patch_size) for n, c in SPACE_GROUPS})
        self.time_embed = nn.ModuleDict({n: nn.Linear(c, d) for n, c in TIME_GROUPS})
        self.static_embed = nn.ModuleDict({n: nn.Linear(c, d) for n, c in STATIC_GROUPS})
        self.blocks = nn.ModuleList([_Block(d, num_heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(d)

    def forward(self, x, months, input_res: float = BASE_GSD):
        b, t, _, h, w = x.shape
        p = self.patch_size
        if h % p or w % p:
            raise ValueError(f"Galileo input {h} x {w} is not a multiple of the patch size {p}.")
        if t > self.pos_embed.shape[0]:
            raise ValueError(f"Galileo takes at most {self.pos_embed.shape[0]} timesteps, got {t}.")
        gh, gw = h // p, w // p
        frames = x.reshape(b * t, x.shape[2], h, w)
        proj = torch.stack([self.space_time_embed[name].proj(frames[:, sl]) for name, sl in S2_GROUP_SLICES],
                           dim=1)                                            # (B T, G, D, H', W')
        proj = proj.reshape(b, t, len(S2_GROUP_SLICES), self.dim, gh, gw).permute(0, 4, 5, 1, 2, 3)
        q = self.dim // 4
        groups = [S2_GROUP_INDEX[name] for name, _ in S2_GROUP_SLICES]
        codes = torch.cat([                                                  # (B, H', W', T, G, D)
            self.s_t_channel_embed[groups][None, None, None, None].expand(b, gh, gw, t, -1, -1),
            self.pos_embed[:t][None, None, None, :, None].expand(b, gh, gw, -1, len(groups), -1),
            self.month_embed(months.long())[:, None, None, :, None].expand(-1, gh, gw, -1, len(groups), -1),
            cell_codes(q, gh, gw, input_res * p / BASE_GSD, x.device)[None, :, :, None, None].expand(
                b, -1, -1, t, len(groups), -1),
        ], dim=-1)
        tokens = (proj + codes.to(proj.dtype)).reshape(b, -1, self.dim)      # order (H', W', T, G)
        for blk in self.blocks:
            tokens = blk(tokens)
        return self.norm(tokens).reshape(b, gh, gw, t, len(groups), self.dim)


def encoder_config(config: dict) -> dict:
    """The encoder's constructor arguments from the published ``config.json``."""
    try:
        enc = dict(config["model"]["encoder"])
    except (KeyError, TypeError) as exc:
        raise ValueError("config.json has no model.encoder section") from exc
    if enc.get("embedding_size", 0) % 8:
        raise ValueError(f"embedding_size {enc.get('embedding_size')} is not a multiple of 8")
    return enc


def clean_keys(state: dict) -> dict:
    """Key names as the authors' loader reads them (it drops a stray ``.backbone``)."""
    return {k.replace(".backbone", ""): v for k, v in state.items()}
