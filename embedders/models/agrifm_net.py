"""AgriFM encoder (Li et al., RSE 2026): our implementation of its video Swin Transformer.

Read from flyakon/AgriFM ``AgriFM/models/video_swin_transformer.py``
(``PretrainingSwinTransformer3DEncoder`` with ``SwinPatchEmbed3D`` and
``SwinTransformer3D`` as ``configs/cropland_mapping.py`` sets them up):

* patch embedding: a (T, H, W) = (4, 2, 2) strided Conv3d over the (C, T, H, W) stack,
  zero-padding T, H, W up to multiples of the patch first; no norm;
* four stages of 3-D Swin blocks (pre-norm window attention with a learned relative
  position bias over the (8, 7, 7) window, clamped to the feature size along any axis
  that fits in one window; odd blocks shift by half a window, with the -100 mask between
  rolled regions; features are zero-padded to whole windows after the first norm);
* between stages a patch merging that halves time by averaging frame pairs (an odd
  count gets a zero frame) and gathers 2 x 2 pixels: LayerNorm(4C) -> Linear(4C, 2C);
* a final LayerNorm; the frames left (one for T <= 32) are stacked into channels.

Key names are the authors' (``patch_emd.*``, ``backbone.layers.*``, ``backbone.norm``);
the relative position index is computed, not read.
"""
from __future__ import annotations

import functools
import re

WINDOW = (8, 7, 7)      # the config's window_size
SHIFT_MASK = -100.0     # the authors' mask value between regions of a shifted window


def arch_of(sd: dict) -> dict:
    """Constructor arguments of :func:`build` read from an encoder state dict."""
    w = sd["patch_emd.proj.weight"]
    depths, heads = [], []
    for i in range(8):
        blocks = {int(m.group(1)) for k in sd if (m := re.match(rf"backbone\.layers\.{i}\.blocks\.(\d+)\.", k))}
        if not blocks:
            break
        depths.append(max(blocks) + 1)
        heads.append(sd[f"backbone.layers.{i}.blocks.0.attn.relative_position_bias_table"].shape[1])
    mlp = sd["backbone.layers.0.blocks.0.mlp.fc1.weight"].shape[0] / w.shape[0]
    return {"in_chans": w.shape[1], "embed_dim": w.shape[0], "patch": tuple(w.shape[2:]),
            "depths": tuple(depths), "heads": tuple(heads), "mlp_ratio": mlp}


def encoder_state(sd: dict) -> dict:
    """The S2 encoder's tensors of a checkpoint, under the encoder's names: the
    ``module.`` prefix dropped and ``S2_patch_emd`` read as ``patch_emd`` (the
    renames the authors' encoder applies when it loads the pretrained file);
    other sources' patch embeddings and the index buffers are left out."""
    out = {}
    for k, v in sd.items():
        k = re.sub(r"^module\.", "", k).replace("S2_patch_emd", "patch_emd")
        if k.startswith(("patch_emd.", "backbone.")) and not k.endswith("relative_position_index"):
            out[k] = v
    return out


def _fit_window(size, window=WINDOW):
    """Window and shift actually used for a (D, H, W) feature: an axis that fits in
    one window uses its whole length and no shift."""
    ws = tuple(s if s <= w else w for s, w in zip(size, window))
    shift = tuple(0 if s <= w else w // 2 for s, w in zip(size, window))
    return ws, shift


@functools.lru_cache(maxsize=None)
def _relative_index(window=WINDOW):
    """(N, N) index into the bias table for every token pair of a full window (d-major)."""
    import torch

    d, h, w = window
    grid = torch.stack(torch.meshgrid(torch.arange(d), torch.arange(h), torch.arange(w), indexing="ij")).flatten(1)
    rel = (grid[:, :, None] - grid[:, None, :]).permute(1, 2, 0)
    rel = rel + torch.tensor([d - 1, h - 1, w - 1])
    return rel[..., 0] * (2 * h - 1) * (2 * w - 1) + rel[..., 1] * (2 * w - 1) + rel[..., 2]


def _windows(x, ws):
    """(B, D, H, W, C) -> (B * nW, wd * wh * ww, C), windows in (d, h, w) order."""
    b, d, h, w, c = x.shape
    x = x.reshape(b, d // ws[0], ws[0], h // ws[1], ws[1], w // ws[2], ws[2], c)
    return x.permute(0, 1, 3, 5, 2, 4, 6, 7).reshape(-1, ws[0] * ws[1] * ws[2], c)


def _unwindows(win, ws, b, d, h, w):
    x = win.reshape(b, d // ws[0], h // ws[1], w // ws[2], ws[0], ws[1], ws[2], -1)
    return x.permute(0, 1, 4, 2, 5, 3, 6, 7).reshape(b, d, h, w, -1)


def _shift_mask(padded, ws, shift, device):
    """(nW, N, N) additive mask: 0 within one rolled region, -100 across regions."""
    import torch

    labels = []
    for n, w, s in zip(padded, ws, shift):
        i = torch.arange(n, device=device)
        # regions along an axis: before the last window, the last window minus the shift, the shift
        labels.append(torch.where(i < n - w, 0, torch.where(i < n - s, 1, 2)) if s else torch.zeros_like(i))
    region = (labels[0][:, None, None] * 9 + labels[1][None, :, None] * 3 + labels[2][None, None, :]).float()
    win = _windows(region[None, ..., None], ws).squeeze(-1)
    diff = win[:, None, :] - win[:, :, None]
    return torch.where(diff != 0, SHIFT_MASK, 0.0)


def build(in_chans, embed_dim, patch, depths, heads, mlp_ratio=4.0, window=WINDOW):
    """The encoder module (imports torch lazily)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    class Attention(nn.Module):
        def __init__(self, dim, n_heads):
            super().__init__()
            self.heads = n_heads
            self.qkv = nn.Linear(dim, 3 * dim)
            self.proj = nn.Linear(dim, dim)
            n_rel = (2 * window[0] - 1) * (2 * window[1] - 1) * (2 * window[2] - 1)
            self.relative_position_bias_table = nn.Parameter(torch.zeros(n_rel, n_heads))

        def forward(self, x, mask):
            bw, n, c = x.shape
            q, k, v = self.qkv(x).reshape(bw, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
            idx = _relative_index(tuple(window))[:n, :n].to(x.device)
            bias = self.relative_position_bias_table[idx.reshape(-1)].reshape(n, n, -1).permute(2, 0, 1)
            if mask is not None:  # (nW, N, N), windows batch-major
                nw = mask.shape[0]
                bias = (bias[None, None] + mask[None, :, None]).expand(bw // nw, -1, -1, -1, -1)
                bias = bias.reshape(bw, self.heads, n, n)
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype))
            return self.proj(out.transpose(1, 2).reshape(bw, n, c))

    class Mlp(nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.fc1 = nn.Linear(dim, int(dim * mlp_ratio))
            self.fc2 = nn.Linear(int(dim * mlp_ratio), dim)

        def forward(self, x):
            return self.fc2(F.gelu(self.fc1(x)))

    class Block(nn.Module):
        def __init__(self, dim, n_heads, shifted):
            super().__init__()
            self.shifted = shifted
            self.norm1 = nn.LayerNorm(dim)
            self.attn = Attention(dim, n_heads)
            self.norm2 = nn.LayerNorm(dim)
            self.mlp = Mlp(dim)

        def forward(self, x):
            b, d, h, w, c = x.shape
            ws, shift = _fit_window((d, h, w), window)
            if not self.shifted:
                shift = (0, 0, 0)
            y = self.norm1(x)
            pads = [(-n) % s for n, s in zip((d, h, w), ws)]
            y = F.pad(y, (0, 0, 0, pads[2], 0, pads[1], 0, pads[0]))
            dp, hp, wp = d + pads[0], h + pads[1], w + pads[2]
            mask = None
            if any(shift):
                y = torch.roll(y, shifts=tuple(-s for s in shift), dims=(1, 2, 3))
                mask = _shift_mask((dp, hp, wp), ws, shift, x.device)
            y = _unwindows(self.attn(_windows(y, ws), mask), ws, b, dp, hp, wp)
            if any(shift):
                y = torch.roll(y, shifts=shift, dims=(1, 2, 3))
            x = x + y[:, :d, :h, :w]
            return x + self.mlp(self.norm2(x))

    class Merge(nn.Module):
        """Frames averaged in pairs, 2 x 2 pixels gathered, LayerNorm, linear 4C -> 2C."""

        def __init__(self, dim):
            super().__init__()
            self.norm = nn.LayerNorm(4 * dim)
            self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)

        def forward(self, x):
            b, d, h, w, c = x.shape
            x = F.pad(x, (0, 0, 0, w % 2, 0, h % 2, 0, d % 2))
            x = 0.5 * (x[:, 0::2] + x[:, 1::2])
            parts = [x[:, :, i::2, j::2] for j in (0, 1) for i in (0, 1)]  # (h0 w0), (h1 w0), (h0 w1), (h1 w1)
            return self.reduction(self.norm(torch.cat(parts, dim=-1)))

    class Stage(nn.Module):
        def __init__(self, dim, depth, n_heads, merge):
            super().__init__()
            self.blocks = nn.ModuleList([Block(dim, n_heads, shifted=i % 2 == 1) for i in range(depth)])
            self.downsample = Merge(dim) if merge else None

        def forward(self, x):
            for blk in self.blocks:
                x = blk(x)
            return self.downsample(x) if self.downsample is not None else x

    class Backbone(nn.Module):
        def __init__(self):
            super().__init__()
            n = len(depths)
            self.layers = nn.ModuleList([Stage(embed_dim * 2 ** i, depths[i], heads[i], i < n - 1) for i in range(n)])
            self.norm = nn.LayerNorm(embed_dim * 2 ** (n - 1))

    class PatchEmbed(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Conv3d(in_chans, embed_dim, kernel_size=patch, stride=patch)

    class AgriFMEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.patch_emd = PatchEmbed()
            self.backbone = Backbone()

        def forward(self, x):
            """x (B, T, C, H, W) normalised -> features (B, D_out * C_out, H / 16, W / 16)."""
            x = x.permute(0, 2, 1, 3, 4)
            t, h, w = x.shape[2:]
            x = F.pad(x, (0, (-w) % patch[2], 0, (-h) % patch[1], 0, (-t) % patch[0]))
            x = self.patch_emd.proj(x).permute(0, 2, 3, 4, 1)  # (B, D, H, W, C)
            for stage in self.backbone.layers:
                x = stage(x)
            x = self.backbone.norm(x)
            b, d, h, w, c = x.shape
            return x.permute(0, 4, 1, 2, 3).reshape(b, c * d, h, w)  # frames stacked into channels

    return AgriFMEncoder()
