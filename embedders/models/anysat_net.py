"""AnySat's Sentinel-2 path as a module of its own (torch only).

Our implementation, written after reading the authors' release code
(gastruc/AnySat ``hubconf.py`` and ``src/models/networks/encoder``: ``Any_multi.py``
``forward_release``, ``Transformer.py``, ``utils/ltae.py``, ``utils/utils_ViT.py``,
``utils/irpe.py``, ``utils/pos_embed.py``). Parameter names are the checkpoint's
(``AnyModule`` keys), so the S2 part of ``models/AnySat.pth`` loads strictly:
``cls_token``, ``projector_s2.*``, ``spatial_encoder.*``, ``blocks.*``.

The forward for one modality (``s2``) with ``scale`` = patch size in metres / 10:

1. ``projector_s2``: a lightweight temporal attention encoder (L-TAE) per pixel:
   MLP (Linear, GroupNorm(4), ReLU) 10 -> D, GroupNorm over heads and time,
   plus a sin-cos code of the day of year (period 367, one table per head), one
   learned master query per head over the T dates, MLP and GroupNorm -> (B, D, H, W);
   then cut into ``scale`` x ``scale`` pixel patches.
2. ``spatial_encoder``: per patch, a class token and the pixels with 2-D sin-cos
   positions at 10 m steps, ViT blocks with contextual relative position
   encoding on keys (iRPE, Euclidean buckets), final LayerNorm; the class token
   is the patch token.
3. Patch tokens + 2-D sin-cos positions (step ``scale``), a class token, ViT
   blocks, and a last cross-attention block whose queries are a learned vector
   plus the positions (no residual around that attention).
   Output (B, 1 + N, D): index 0 = the authors' ``tile`` vector, the rest
   their ``patch`` tokens (row-major).

Two behaviours of the released code kept on purpose, because the weights were
trained with them: (a) the relative-position term of every head is computed
from head 0's queries (the PyTorch fallback of their iRPE gathers with a
one-head index; their compiled op takes no batch of indices, so it cannot have
run with this code); (b) the subpatch attention adds the term from queries
already multiplied by the attention scale, the final cross attention from
unscaled queries.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

RPE_ALPHA, RPE_BETA, RPE_GAMMA = 1.9, 3.8, 15.2   # iRPE ratio 1.9: alpha = r, beta = 2r, gamma = 8r
RPE_BUCKETS = 2 * int(RPE_BETA) + 1 + 1          # distances 0..6 plus one for the class token
S2_RES_M = 10
S2_PREFIXES = ("cls_token", "projector_s2.", "spatial_encoder.", "blocks.")


# ---- position codes ---------------------------------------------------------------
def sincos_1d(dim: int, pos: torch.Tensor) -> torch.Tensor:
    """(M, dim): sin of pos * 10000^(-i / (dim/2)) then cos, for M positions."""
    omega = 1.0 / 10000 ** (torch.arange(dim // 2, dtype=torch.float32, device=pos.device) / (dim / 2.0))
    ang = pos.reshape(-1, 1).float() * omega[None]
    return torch.cat([torch.sin(ang), torch.cos(ang)], dim=1)


def sincos_grid(dim: int, side: int, step: float, device=None) -> torch.Tensor:
    """(1, 1 + side^2, dim): a zero row for the class token, then cells row-major;
    the first half codes the column x step, the second the row x step."""
    idx = torch.arange(side, dtype=torch.float32, device=device) * step
    rows, cols = torch.meshgrid(idx, idx, indexing="ij")
    emb = torch.cat([sincos_1d(dim // 2, cols.reshape(-1)), sincos_1d(dim // 2, rows.reshape(-1))], dim=1)
    return torch.cat([emb.new_zeros(1, dim), emb], dim=0)[None]


def day_code(doy: torch.Tensor, dim: int, heads: int, period: float = 367.0) -> torch.Tensor:
    """(..., dim * heads): day of year over period^(2 floor(i/2) / dim), sin on even and
    cos on odd i, the same table for each head."""
    i = torch.arange(dim, device=doy.device)
    denom = torch.pow(torch.tensor(period, device=doy.device), 2 * torch.div(i, 2, rounding_mode="floor").float() / dim)
    ang = doy.float()[..., None] / denom
    code = torch.where(i % 2 == 0, torch.sin(ang), torch.cos(ang))
    return code.repeat(*([1] * (code.ndim - 1)), heads)


# ---- image relative position encoding (contextual, on keys) -------------------------
def rpe_buckets(side: int, device=None) -> torch.Tensor:
    """(1 + side^2, 1 + side^2) bucket of each query/key pair: the rounded Euclidean
    distance of their cells, log-compressed beyond alpha and capped at beta, offset
    by int(beta); the class-token row and column get the last bucket."""
    r, c = torch.meshgrid(torch.arange(side, device=device), torch.arange(side, device=device), indexing="ij")
    pos = torch.stack([r.reshape(-1), c.reshape(-1)], dim=1)
    dist = (pos[:, None] - pos[None]).square().sum(-1).float().sqrt().round()
    far = dist > RPE_ALPHA
    idx = dist.clone()
    idx[far] = (RPE_ALPHA + torch.log(dist[far] / RPE_ALPHA) / math.log(RPE_GAMMA / RPE_ALPHA)
                * (RPE_BETA - RPE_ALPHA)).round().clamp(max=RPE_BETA)
    n = side * side
    out = torch.full((n + 1, n + 1), RPE_BUCKETS - 1, dtype=torch.long, device=device)
    out[1:, 1:] = idx.long() + int(RPE_BETA)
    return out


class KeyRPE(nn.Module):
    """Contextual relative-position term added to the attention logits."""

    def __init__(self, head_dim: int):
        super().__init__()
        self.lookup_table_weight = nn.Parameter(torch.zeros(1, head_dim, RPE_BUCKETS))

    def forward(self, q: torch.Tensor, side: int) -> torch.Tensor:
        """q (B, H, Lq, hd) of the first Lq of L tokens -> (B, 1, Lq, L), from head 0's
        queries (see the module doc)."""
        table = q[:, :1] @ self.lookup_table_weight          # (B, 1, Lq, buckets)
        idx = rpe_buckets(side, q.device)[: q.shape[2]]
        return table.gather(-1, idx.expand(q.shape[0], 1, *idx.shape))


# ---- blocks -------------------------------------------------------------------------
class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(dim, hidden), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class SelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int, rpe: bool):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.rpe_k = KeyRPE(dim // heads) if rpe else None

    def forward(self, x, first_only: bool = False):
        """Attention output of every token, or of the first (class) token only."""
        b, n, d = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        if first_only:
            q = q[:, :, :1]
        if self.rpe_k is None:
            out = F.scaled_dot_product_attention(q, k, v)
        else:
            q = q * (d // self.heads) ** -0.5
            logits = q @ k.transpose(-2, -1) + self.rpe_k(q, int(n ** 0.5))
            out = logits.softmax(-1) @ v
        return self.proj(out.transpose(1, 2).reshape(b, q.shape[2], d))


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, eps: float, rpe: bool):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = SelfAttention(dim, heads, rpe)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, 4 * dim)

    def forward(self, x, first_only: bool = False):
        """first_only: the class token's output only (the rest is not used after the last block)."""
        x = (x[:, :1] if first_only else x) + self.attn(self.norm1(x), first_only)
        return x + self.mlp(self.norm2(x))


class CrossAttention(nn.Module):
    """Queries: a learned vector plus each output position's code; keys/values: the tokens."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.wk, self.wv = nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.q_learned = nn.Parameter(torch.zeros(1, 1, dim))
        self.rpe_k = KeyRPE(dim // heads)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, side: int, step: float):
        b, n, d = x.shape
        hd = d // self.heads
        q = (self.q_learned + sincos_grid(d, side, step, x.device)).expand(b, -1, -1)
        q, k, v = (t.reshape(b, n, self.heads, hd).transpose(1, 2) for t in (q, self.wk(x), self.wv(x)))
        logits = (q @ k.transpose(-2, -1)) * hd ** -0.5 + self.rpe_k(q, side)
        return self.proj((logits.softmax(-1) @ v).transpose(1, 2).reshape(b, n, d))


class CrossBlock(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = CrossAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, 4 * dim)

    def forward(self, x, side, step):
        x = self.attn(self.norm1(x), side, step)  # no residual here, as released
        return x + self.mlp(self.norm2(x))


# ---- the Sentinel-2 projector (L-TAE) ------------------------------------------------
def _mlp(widths, groups=4):
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [nn.Linear(a, b), nn.GroupNorm(groups, b), nn.ReLU(), nn.Dropout(0.0)]
    return nn.Sequential(*layers)


class MasterQueryAttention(nn.Module):
    def __init__(self, heads: int, d_k: int, d_in: int):
        super().__init__()
        self.heads, self.d_k = heads, d_k
        self.Q = nn.Parameter(torch.zeros(heads, d_k))
        self.fc1_k = nn.Linear(d_in, heads * d_k)

    def forward(self, v):
        """v (N, T, D) -> (N, D): per head, attention of its learned query over the T dates."""
        n, t, d = v.shape
        k = self.fc1_k(v).view(n, t, self.heads, self.d_k)
        w = (torch.einsum("nthk,hk->nht", k, self.Q) / self.d_k ** 0.5).softmax(-1)
        return torch.einsum("nht,nthc->nhc", w, v.view(n, t, self.heads, d // self.heads)).reshape(n, d)


class LTAE(nn.Module):
    def __init__(self, in_channels=10, heads=16, d_k=8, dim=768):
        super().__init__()
        self.heads = heads
        widths = [in_channels, dim // 8, dim // 2, dim, 2 * dim, dim]
        self.inconv = _mlp(widths)
        self.in_norm = nn.GroupNorm(heads, dim)
        self.attention_heads = MasterQueryAttention(heads, d_k, dim)
        self.mlp = _mlp([dim, dim])[:3]
        self.out_norm = nn.GroupNorm(heads, dim)

    def forward(self, x, doy):
        """x (B, T, C, H, W), doy (B, T) -> (B, H, W, D)."""
        b, t, c, h, w = x.shape
        v = self.inconv(x.permute(0, 3, 4, 1, 2).reshape(-1, c)).reshape(b * h * w, t, -1)
        v = self.in_norm(v.transpose(1, 2)).transpose(1, 2)
        d = v.shape[-1]
        v = v + day_code(doy, d // self.heads, self.heads).repeat_interleave(h * w, dim=0)
        out = self.out_norm(self.mlp(self.attention_heads(v)))
        return out.view(b, h, w, d)


class S2Projector(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.patch_embed = LTAE(dim=dim)
        self.pad_parameter = nn.Parameter(torch.tensor(0.0), requires_grad=False)


class SubpatchEncoder(nn.Module):
    def __init__(self, dim: int, depth: int, heads: int):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.predictor_blocks = nn.ModuleList([Block(dim, heads, 1e-5, rpe=True) for _ in range(depth)])
        self.predictor_norm = nn.LayerNorm(dim)

    def forward(self, x, scale: int):
        """x (P, scale^2, D) pixel tokens of P patches -> (P, D) patch tokens."""
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = x + sincos_grid(x.shape[-1], scale, S2_RES_M, x.device)
        for i, blk in enumerate(self.predictor_blocks):
            x = blk(x, first_only=i == len(self.predictor_blocks) - 1)
        return self.predictor_norm(x[:, 0])


class AnySatS2Encoder(nn.Module):
    """AnySat (base: dim 768, 6 + 1 blocks, 6 subpatch blocks) on one S2 time series."""

    def __init__(self, dim=768, depth=6, heads=12, sub_depth=6):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.projector_s2 = S2Projector(dim)
        self.spatial_encoder = SubpatchEncoder(dim, sub_depth, heads)
        self.blocks = nn.ModuleList([Block(dim, heads, 1e-6, rpe=False) for _ in range(depth)]
                                    + [CrossBlock(dim, heads)])

    def forward(self, x, doy, scale: int):
        """x (B, T, 10, H, W) standardised, doy (B, T), scale = patch size in 10 m pixels
        -> (B, 1 + N, D): the tile vector then N = (H / scale)^2 patch tokens."""
        b, _, _, h, w = x.shape
        if h != w or h % scale:
            raise ValueError(f"AnySat needs a square input whose side divides into patches of {scale} px.")
        n = h // scale
        px = self.projector_s2.patch_embed(x, doy)                       # (B, H, W, D)
        d = px.shape[-1]
        px = px.reshape(b, n, scale, n, scale, d).permute(0, 1, 3, 2, 4, 5).reshape(b * n * n, scale * scale, d)
        tokens = self.spatial_encoder(px, scale).reshape(b, n * n, d)
        pos = sincos_grid(d, n, scale, x.device)
        x = torch.cat([(self.cls_token + pos[:, :1]).expand(b, -1, -1), tokens + pos[:, 1:]], dim=1)
        for blk in self.blocks[:-1]:
            x = blk(x)
        return self.blocks[-1](x, n, scale)


def s2_state(sd: dict) -> dict:
    """The tensors of the S2 path from a full AnySat state dict (other sensors' projectors dropped)."""
    return {k: v for k, v in sd.items() if k.startswith(S2_PREFIXES)}
