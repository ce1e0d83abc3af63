"""THOR 1.0 encoder restricted to Sentinel-2's 10 m and 20 m bands (our implementation).

Read from the authors' ``ThorViTEncoder.forward_intermediates`` (FM4CS/THOR,
``thor/models/thor_vit.py``) at inference (no FlexiViT sampling, one ground cover):

* every band has its own 1-channel patch convolution (checkpoint
  ``ind_patch_embed.patch_embed.S2:<band>``, 16 x 16 kernels); at a patch size
  other than the stored one the kernel is resampled by FlexiViT's pseudo-inverse
  resize (timm's ``resample_patch_embed``: bicubic, antialiased), as the authors'
  ``IndFlexiPatchEmbed`` does;
* the bands of a spectral group are averaged token-wise (``aggr_type`` subsetmean);
  the mean of per-band convolutions is one convolution over the group's bands with
  the kernels divided by the band count and the mean bias, which is how we store it;
* each group's tokens get [1-D sin-cos code of patch size x GSD / (4 x 10 m), the
  group's ``band_embed``] added (``embed_patch_size``; no absolute positions);
* the groups' tokens are concatenated (10 m group, then 20 m group) and run through
  timm ViT blocks whose attention gets a 2-D ALiBi bias: minus the head's slope
  times the distance between token centres in metres / the largest patch footprint;
* no class token (``cls_token_type`` pooled). The output is the last block's tokens
  before the final LayerNorm, as the authors' THOREncoderWrapper returns them.
"""
from __future__ import annotations

# (thor_terratorch_ext name, checkpoint channel) per group, in the authors' group order
GROUPS = (
    (("BLUE", "S2:Blue"), ("GREEN", "S2:Green"), ("RED", "S2:Red"), ("NIR_BROAD", "S2:NIR")),
    (("RED_EDGE_1", "S2:RE1"), ("RED_EDGE_2", "S2:RE2"), ("RED_EDGE_3", "S2:RE3"),
     ("NIR_NARROW", "S2:RE4"), ("SWIR_1", "S2:SWIR1"), ("SWIR_2", "S2:SWIR2")),
)
GROUP_KEYS = ("group0", "group1")  # index of each group in the authors' list: its band_embed key
GROUP_GSD = (10, 20)               # metres, the channel table of the checkpoints
REF_PATCH, MIN_GSD = 4, 10         # flexivit_ref_patch_size; the finest GSD of the model's channels
HEAD_DIM = 64                      # every published THOR v1 size (tiny..large) has 64-d heads
PREFIX = "encoder."                # the checkpoint's model name (extract_model_state_dict_from_ckpt)


def arch_of(state: dict) -> dict:
    """dim, depth, heads and band-embedding width of a THOR v1 encoder state dict."""
    dim = int(state["norm.bias"].shape[0])
    depth = 1 + max(int(k.split(".")[1]) for k in state if k.startswith("blocks."))
    return dict(dim=dim, depth=depth, heads=dim // HEAD_DIM,
                band_dim=int(state[f"band_embed.{GROUP_KEYS[0]}"].shape[0]))


def encoder_part(checkpoint: dict) -> dict:
    """The ``encoder.*`` tensors of a THOR checkpoint, prefix removed."""
    return {k[len(PREFIX):]: v for k, v in checkpoint.items() if k.startswith(PREFIX)}


def used_keys(state: dict) -> list:
    """Checkpoint keys the Sentinel-2 10/20 m encoder reads."""
    keys = [f"ind_patch_embed.patch_embed.{ch}.{p}" for g in GROUPS for _, ch in g for p in ("weight", "bias")]
    keys += [f"band_embed.{k}" for k in GROUP_KEYS] + ["encoder_slopes"]
    return keys + [k for k in state if k.startswith("blocks.")]


def sincos(dim: int, value: float):
    """The authors' 1-D sin-cos code of one scalar: [sin(v w_i), cos(v w_i)], w_i = 10000^(-2i/dim)."""
    import torch

    omega = 1.0 / 10000 ** (torch.arange(dim // 2, dtype=torch.float64) / (dim / 2.0))
    out = value * omega
    return torch.cat([torch.sin(out), torch.cos(out)]).float()


def convert(state: dict, patch: int) -> dict:
    """Our module's state from the authors' encoder state (see the module docstring)."""
    import torch
    from timm.layers import resample_patch_embed

    arch = arch_of(state)
    missing = [k for k in used_keys(state) if k not in state]
    if missing:
        raise KeyError(f"THOR checkpoint lacks {missing[:5]}")
    out = {"slopes": state["encoder_slopes"]}
    aux = []
    for i, (group, key, gsd) in enumerate(zip(GROUPS, GROUP_KEYS, GROUP_GSD)):
        ws, bs = [], []
        for _, ch in group:
            w = state[f"ind_patch_embed.patch_embed.{ch}.weight"]
            if tuple(w.shape[-2:]) != (patch, patch):
                w = resample_patch_embed(w.float(), [patch, patch])
            ws.append(w)
            bs.append(state[f"ind_patch_embed.patch_embed.{ch}.bias"])
        out[f"embed.{i}.weight"] = torch.cat(ws, dim=1) / len(group)
        out[f"embed.{i}.bias"] = torch.stack(bs).mean(0)
        size_code = sincos(arch["dim"] - arch["band_dim"], patch * gsd / (REF_PATCH * MIN_GSD))
        aux.append(torch.cat([size_code.to(state[f"band_embed.{key}"].device), state[f"band_embed.{key}"]]))
    out["aux"] = torch.stack(aux)
    out.update({k: v for k, v in state.items() if k.startswith("blocks.")})
    return out


def alibi(sizes, patch: int, slopes):
    """(1, heads, N, N) attention bias for groups of ``sizes`` tokens a side at GROUP_GSD."""
    import torch

    pts = []
    for n, gsd in zip(sizes, GROUP_GSD):
        line = (torch.arange(n, dtype=torch.float32, device=slopes.device) * patch + patch / 2) * gsd
        pts.append(torch.cartesian_prod(line, line))
    pts = torch.cat(pts) / (patch * max(GROUP_GSD[: len(sizes)]))
    return -(slopes.float()[:, None, None] * torch.cdist(pts, pts)[None])[None]


def build_encoder(dim: int, depth: int, heads: int, patch: int):
    """Imported lazily (torch, timm)."""
    from functools import partial

    import torch
    from timm.models.vision_transformer import Block
    from torch import nn

    class ThorS2Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.patch = patch
            self.embed = nn.ModuleList([nn.Conv2d(len(g), dim, patch, patch) for g in GROUPS])
            self.register_buffer("aux", torch.zeros(len(GROUPS), dim))
            self.register_buffer("slopes", torch.zeros(heads))
            norm = partial(nn.LayerNorm, eps=1e-6)
            self.blocks = nn.ModuleList([Block(dim, heads, 4.0, qkv_bias=True, norm_layer=norm)
                                         for _ in range(depth)])

        def forward(self, x10, x20):
            """(B, 4, S, S) 10 m group, (B, 6, S/2, S/2) 20 m group -> (B, N10 + N20, D)."""
            tokens = [conv(x).flatten(2).transpose(1, 2) + a for conv, x, a in zip(self.embed, (x10, x20), self.aux)]
            x = torch.cat(tokens, dim=1)
            bias = alibi([x10.shape[-1] // patch, x20.shape[-1] // patch], patch, self.slopes).to(x.dtype)
            for blk in self.blocks:
                x = blk(x, attn_mask=bias)
            return x

    return ThorS2Encoder()


def group_grid(tokens, n10: int, n20: int):
    """The authors' group merge 'mean': each group's token map bilinearly resized to the
    finest one (n10 x n10) and averaged; returns (B, n10 * n10, D) row-major."""
    import torch
    import torch.nn.functional as F

    b, _, d = tokens.shape
    maps = []
    for start, n in ((0, n10), (n10 * n10, n20)):
        m = tokens[:, start:start + n * n].reshape(b, n, n, d).permute(0, 3, 1, 2)
        maps.append(m if n == n10 else F.interpolate(m, size=(n10, n10), mode="bilinear"))
    return torch.stack(maps).mean(0).flatten(2).transpose(1, 2)
