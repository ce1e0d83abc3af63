"""Clay v1.5 encoder (PyTorch), written from the authors' description and code
(Clay-foundation/model ``claymodel/model.py``, ``factory.py``, ``backbone.py``,
``utils.py``; read, not copied).

Imported only when the model runs (it imports torch). Parameter names equal the
``model.encoder.*`` keys of the published Lightning checkpoint with that prefix
removed, so the encoder loads strictly.

Forward, for a normalised image (B, C, H, W), the C band wavelengths (µm), the
ground sample distance g (m), time (B, 4) and lat/lon (B, 4) codes:

1. Dynamic patch embedding (DOFA-style): each wavelength gets a 1-D sin-cos
   code (128 wide) refined by a residual two-layer MLP; a one-layer transformer
   over [128 learned weight tokens, the C wavelength codes, 1 bias token] turns
   each wavelength into a p x p x D kernel slice (linear head on output +
   input) and the bias token into the bias; the image is convolved with these
   kernels (x 0.02) at stride p.
2. Each token gets [2-D sin-cos position code scaled by g (D - 8 wide) | time
   (4) | lat/lon (4)] added; the class token (no code) goes first.
3. Pre-norm transformer (attention and MLP without dropout, qkv/out without
   bias), final LayerNorm. Returns (B, 1 + L, D): the class token, then the
   patch tokens row-major (nothing masked or shuffled at inference).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

WAVE_DIM = 128
LATENT_TOKENS = 128
SIZES = {  # encoder widths of the authors' clay_mae_* factories
    "tiny": dict(dim=192, depth=6, heads=4, dim_head=48, mlp_ratio=2),
    "small": dict(dim=384, depth=6, heads=6, dim_head=64, mlp_ratio=2),
    "base": dict(dim=768, depth=12, heads=12, dim_head=64, mlp_ratio=4),
    "large": dict(dim=1024, depth=24, heads=16, dim_head=64, mlp_ratio=4),
}


def wave_code(waves: torch.Tensor, width: int = WAVE_DIM) -> torch.Tensor:
    """(C,) wavelengths -> (C, width): [sin(w * f_k), cos(w * f_k)], f_k = 10000^(-k / (width/2 - 1))."""
    half = width // 2
    freqs = 10000.0 ** -(torch.arange(half, dtype=torch.float32, device=waves.device) / (half - 1))
    angles = waves.float()[:, None] * freqs[None, :]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


def position_code(side: int, width: int, gsd: torch.Tensor) -> torch.Tensor:
    """(side^2, width) 2-D sin-cos code of a side x side token grid, row-major,
    frequencies scaled by the ground sample distance as the authors train it:
    f_k = gsd / 10000^(2 k' / width) with k' = k / (width/4 - 1)."""
    quarter = width // 4
    k = torch.arange(quarter, dtype=torch.float32) / (quarter - 1)
    freqs = (1.0 / 10000.0 ** (2.0 * k / width)) * gsd.float().cpu()
    rows, cols = torch.meshgrid(torch.arange(side), torch.arange(side), indexing="ij")
    ax = cols.reshape(-1, 1).float() * freqs[None, :]
    ay = rows.reshape(-1, 1).float() * freqs[None, :]
    return torch.cat([ax.sin(), ax.cos(), ay.sin(), ay.cos()], dim=1)


class FCBlock(nn.Module):
    """x + gelu(l2(gelu(l1(x))))."""

    def __init__(self, width: int):
        super().__init__()
        self.l1 = nn.Linear(width, width)
        self.l2 = nn.Linear(width, width)

    def forward(self, x):
        return x + F.gelu(self.l2(F.gelu(self.l1(x))))


class WavesTransformer(nn.Module):
    """Kernel and bias generator of the dynamic patch embedding."""

    def __init__(self, kernel_width: int, dim: int):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model=WAVE_DIM, nhead=4, activation="gelu", dropout=0.0,
                                           norm_first=False, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        self.fc_weight = nn.Linear(WAVE_DIM, kernel_width)
        self.fc_bias = nn.Linear(WAVE_DIM, dim)
        self.weight_tokens = nn.Parameter(torch.zeros(LATENT_TOKENS, WAVE_DIM))
        self.bias_token = nn.Parameter(torch.zeros(1, WAVE_DIM))

    def forward(self, codes):
        seq = torch.cat([self.weight_tokens, codes, self.bias_token], dim=0)  # one unbatched sequence
        out = self.encoder(seq)
        band = slice(LATENT_TOKENS, seq.shape[0] - 1)
        return self.fc_weight(out[band] + seq[band]), self.fc_bias(out[-1])


class DynamicEmbedding(nn.Module):
    def __init__(self, patch: int, dim: int):
        super().__init__()
        self.patch, self.dim = patch, dim
        self.weight_generator = WavesTransformer(patch * patch * dim, dim)
        self.fclayer = FCBlock(WAVE_DIM)

    def forward(self, x, waves):
        """(B, C, H, W), (C,) µm -> (B, (H/p)(W/p), D)."""
        weight, bias = self.weight_generator(self.fclayer(wave_code(waves.to(x.device))))
        c, p = x.shape[1], self.patch
        kernel = weight.reshape(c, self.dim, p, p).transpose(0, 1)  # (D, C, p, p)
        out = F.conv2d(x, kernel * 0.02, bias=bias, stride=p)
        return out.flatten(2).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int, dim_head: int):
        super().__init__()
        self.heads = heads
        self.norm = nn.LayerNorm(dim)
        self.to_qkv = nn.Linear(dim, 3 * heads * dim_head, bias=False)
        self.to_out = nn.Linear(heads * dim_head, dim, bias=False)

    def forward(self, x):
        b, n, _ = x.shape
        q, k, v = (t.reshape(b, n, self.heads, -1).transpose(1, 2)
                   for t in self.to_qkv(self.norm(x)).chunk(3, dim=-1))
        y = F.scaled_dot_product_attention(q, k, v)
        return self.to_out(y.transpose(1, 2).reshape(b, n, -1))


class FeedForward(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x):
        return self.net(x)


class Transformer(nn.Module):
    def __init__(self, dim: int, depth: int, heads: int, dim_head: int, mlp_dim: int):
        super().__init__()
        self.layers = nn.ModuleList(
            nn.ModuleList([Attention(dim, heads, dim_head), FeedForward(dim, mlp_dim)]) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        for attn, ff in self.layers:
            x = x + attn(x)
            x = x + ff(x)
        return self.norm(x)


class ClayEncoder(nn.Module):
    def __init__(self, dim: int, depth: int, heads: int, dim_head: int, mlp_ratio: float, patch: int = 8):
        super().__init__()
        self.dim, self.patch = dim, patch
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.patch_embedding = DynamicEmbedding(patch, dim)
        self.transformer = Transformer(dim, depth, heads, dim_head, int(dim * mlp_ratio))

    def forward(self, pixels, waves, gsd, time, latlon):
        """pixels (B, C, S, S) normalised; waves (C,) µm; gsd scalar tensor (m);
        time, latlon (B, 4) -> (B, 1 + (S/p)^2, D), class token first."""
        tokens = self.patch_embedding(pixels, waves)
        b, n, _ = tokens.shape
        side = math.isqrt(n)
        pos = position_code(side, self.dim - 8, gsd).to(tokens)
        meta = torch.cat([time, latlon], dim=-1).to(tokens)  # (B, 8)
        tokens = tokens + torch.cat([pos.expand(b, -1, -1), meta[:, None, :].expand(-1, n, -1)], dim=-1)
        seq = torch.cat([self.cls_token.expand(b, -1, -1), tokens], dim=1)
        return self.transformer(seq)


def clay_encoder(size: str = "large", depth: int = None) -> ClayEncoder:
    """The encoder of the authors' ``clay_mae_<size>`` (``depth`` overrides the block count, for tests)."""
    args = dict(SIZES[size])
    if depth is not None:
        args["depth"] = depth
    return ClayEncoder(**args)


ENCODER_PREFIX = "model.encoder."


def encoder_state_from_checkpoint(state: dict) -> dict:
    """The encoder's tensors of a ClayMAEModule state dict (``model.encoder.*``;
    decoder, projection and teacher dropped)."""
    return {k[len(ENCODER_PREFIX):]: v for k, v in state.items() if k.startswith(ENCODER_PREFIX)}
