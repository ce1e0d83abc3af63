"""TerraMind 1.0 encoder on raw Sentinel-2 L2A (PyTorch), written after reading the
authors' code (IBM terratorch 1.1.1, ``models/backbones/terramind/model``:
``terramind_vit.py``, ``encoder_embeddings.py``, ``tm_utils.py``,
``terramind_register.py``) and the paper (Jakubik et al., ICCV 2025).

Imported only when the model runs (it imports torch). Tensor names are the
authors' (``TerraMindViT`` built with the modality ``S2L2A``), so the encoder
part of ``TerraMind_v1_base.pt`` loads into it by name:

* ``encoder_embeddings.untok_sen2l2a@224``: the raw-pixel S2 L2A embedding. Each
  16 x 16 patch is flattened pixel-major, channel-minor (row, column, band) and
  projected by a linear layer without bias; a fixed 2-D sin-cos position code
  (``pos_emb``, a buffer) and a learned modality vector (``mod_emb``) are added.
* ``encoder.N``: pre-norm transformer blocks without any bias (LayerNorms keep a
  zero ``bias`` buffer), softmax attention, and a SwiGLU feed-forward
  ``fc2(silu(fc1(x)) * fc3(x))`` of hidden width ``int(2 * 4 * dim / 3)``.
* ``encoder_norm``: the final LayerNorm (bias-free too), eps 1e-6 throughout.

The encoder has no class token and no register tokens: its output is the normed
patch tokens, row-major.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

S2L2A_KEY = "untok_sen2l2a@224"  # the authors' modality key (MODALITY_INFO)
EPS = 1e-6


class BiasFreeLayerNorm(nn.Module):
    """LayerNorm whose bias is a fixed zero buffer (saved under ``bias``, as the authors' is)."""

    def __init__(self, dim: int, eps: float = EPS):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))
        self.register_buffer("bias", torch.zeros(dim))

    def forward(self, x):
        return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, self.eps)


class SelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v)  # softmax(q k^T / sqrt(head dim)) v
        return self.proj(out.transpose(1, 2).reshape(b, n, d))


class SwiGLU(nn.Module):
    def __init__(self, dim: int, mlp_ratio: float = 4.0):
        super().__init__()
        hidden = int(2 * int(dim * mlp_ratio) / 3)
        self.fc1 = nn.Linear(dim, hidden, bias=False)  # gated branch (SiLU)
        self.fc3 = nn.Linear(dim, hidden, bias=False)  # linear branch
        self.fc2 = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        return self.fc2(F.silu(self.fc1(x)) * self.fc3(x))


class EncoderBlock(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.norm1 = BiasFreeLayerNorm(dim)
        self.attn = SelfAttention(dim, heads)
        self.norm2 = BiasFreeLayerNorm(dim)
        self.mlp = SwiGLU(dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


def sincos_position_code(rows: int, cols: int, dim: int, temperature: float = 10000.0) -> torch.Tensor:
    """(1, rows * cols, dim), tokens row-major: the first half of each code encodes
    the token's row, the second half its column, each as [sin, cos] over dim / 4
    frequencies 1 / temperature^(k / (dim / 4)). (This is the layout of the authors'
    buffer: their meshgrid names the outer, row, index ``w``.)"""
    quarter = dim // 4
    freq = 1.0 / temperature ** (torch.arange(quarter, dtype=torch.float32) / quarter)
    r = torch.arange(rows, dtype=torch.float32).repeat_interleave(cols)[:, None] * freq
    c = torch.arange(cols, dtype=torch.float32).repeat(rows)[:, None] * freq
    return torch.cat([r.sin(), r.cos(), c.sin(), c.cos()], dim=1)[None]


class RawImageEmbedding(nn.Module):
    def __init__(self, channels: int, dim: int, patch: int, img_size: int):
        super().__init__()
        self.patch = patch
        self.grid = img_size // patch
        self.proj = nn.Linear(channels * patch * patch, dim, bias=False)
        self.mod_emb = nn.Parameter(torch.zeros(1, 1, dim))
        self.register_buffer("pos_emb", sincos_position_code(self.grid, self.grid, dim))

    def forward(self, x):
        b, c, h, w = x.shape
        p, g = self.patch, self.grid
        if (h, w) != (g * p, g * p):
            raise ValueError(f"TerraMind's S2 L2A embedding takes {g * p} x {g * p} inputs, got {h} x {w}")
        patches = x.reshape(b, c, g, p, g, p).permute(0, 2, 4, 3, 5, 1).reshape(b, g * g, p * p * c)
        return self.proj(patches) + self.pos_emb + self.mod_emb


class TerraMindS2L2AEncoder(nn.Module):
    def __init__(self, dim: int = 768, depth: int = 12, heads: int = 12, channels: int = 12,
                 patch: int = 16, img_size: int = 224):
        super().__init__()
        self.encoder_embeddings = nn.ModuleDict({S2L2A_KEY: RawImageEmbedding(channels, dim, patch, img_size)})
        self.encoder = nn.ModuleList([EncoderBlock(dim, heads) for _ in range(depth)])
        self.encoder_norm = BiasFreeLayerNorm(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, 12, 224, 224) standardised S2 L2A -> normed patch tokens (B, 196, D)."""
        tokens = self.encoder_embeddings[S2L2A_KEY](x)
        for block in self.encoder:
            tokens = block(tokens)
        return self.encoder_norm(tokens)


PREFIXES = (f"encoder_embeddings.{S2L2A_KEY}.", "encoder.", "encoder_norm.")


def encoder_state(checkpoint: dict) -> dict:
    """The tensors of the S2 L2A encoder in a TerraMind checkpoint (which also holds
    the other modalities' embeddings and the decoder)."""
    return {k: v for k, v in checkpoint.items() if k.startswith(PREFIXES)}


def fixed_buffers(model: nn.Module) -> dict:
    """Names of the constant buffers (zero LayerNorm biases, the sin-cos code) with
    their values, for a checkpoint that was saved without them."""
    out = {}
    for name, module in model.named_modules():
        prefix = f"{name}." if name else ""
        if isinstance(module, BiasFreeLayerNorm):
            out[prefix + "bias"] = torch.zeros(module.weight.shape[0])
        elif isinstance(module, RawImageEmbedding):
            out[prefix + "pos_emb"] = sincos_position_code(module.grid, module.grid, module.mod_emb.shape[-1])
    return out


def terramind_base(depth: int = 12) -> TerraMindS2L2AEncoder:
    """TerraMind 1.0 base: ViT-B width (768), 12 heads, 12 encoder blocks."""
    return TerraMindS2L2AEncoder(dim=768, depth=depth, heads=12)
