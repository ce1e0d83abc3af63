"""Test helpers for the multispectral on-the-fly models (Prithvi-EO 2.0, DOFA,
TerraFM): random-init checkpoints with the tensor names and shapes of the
official files, and plain functional re-computations of the published
architectures (written from the papers / model cards, independently of
``embedders.models.*_net``) to compare our pipeline with."""
from __future__ import annotations

import numpy as np


# ---- shared ---------------------------------------------------------------
def vit_block_shapes(prefix: str, d: int, mlp: int = 4) -> dict:
    s = {}
    for n in ("norm1", "norm2"):
        s[f"{prefix}{n}.weight"] = (d,)
        s[f"{prefix}{n}.bias"] = (d,)
    s[f"{prefix}attn.qkv.weight"] = (3 * d, d)
    s[f"{prefix}attn.qkv.bias"] = (3 * d,)
    s[f"{prefix}attn.proj.weight"] = (d, d)
    s[f"{prefix}attn.proj.bias"] = (d,)
    s[f"{prefix}mlp.fc1.weight"] = (mlp * d, d)
    s[f"{prefix}mlp.fc1.bias"] = (mlp * d,)
    s[f"{prefix}mlp.fc2.weight"] = (d, mlp * d)
    s[f"{prefix}mlp.fc2.bias"] = (d,)
    return s


def random_state(shapes: dict, seed: int = 0) -> dict:
    """Random tensors for ``shapes``: norms near 1 / 0, scales 0.3, the rest N(0, 0.02)
    (biases and tokens N(0, 0.05)) so every tensor influences the output."""
    import torch

    g = torch.Generator().manual_seed(seed)
    out = {}
    for k, shp in shapes.items():
        if ".norm" in k or k.startswith("norm.") or "norm_input" in k or "decoder_norm" in k:
            t = (torch.rand(shp, generator=g) + 0.5) if k.endswith("weight") else (torch.rand(shp, generator=g) - 0.5) * 0.4
        elif k.endswith(".scale"):
            t = torch.full(shp, 0.3)
        elif k.endswith("bias") or "token" in k or "_embed" in k:
            t = torch.randn(shp, generator=g) * 0.05
        else:
            t = torch.randn(shp, generator=g) * 0.02
        out[k] = t.float().contiguous()
    return out


def sincos(dim: int, pos) -> np.ndarray:
    """Transformer sin-cos code of each position: [sin(p w_k)..., cos(p w_k)...],
    w_k = 10000^(-k / (dim/2)), k < dim/2."""
    pos = np.atleast_1d(np.asarray(pos, dtype=np.float64))
    rows = []
    for p in pos:
        w = [10000.0 ** (-k / (dim / 2)) for k in range(dim // 2)]
        rows.append([np.sin(p * x) for x in w] + [np.cos(p * x) for x in w])
    return np.asarray(rows)


def vit_blocks(seq, sd, prefix: str, depth: int, heads: int, eps: float):
    """Pre-norm ViT blocks written out with torch.nn.functional."""
    import torch.nn.functional as F

    b, n, d = seq.shape
    for i in range(depth):
        p = f"{prefix}blocks.{i}."
        h = F.layer_norm(seq, (d,), sd[p + "norm1.weight"], sd[p + "norm1.bias"], eps)
        qkv = F.linear(h, sd[p + "attn.qkv.weight"], sd[p + "attn.qkv.bias"])
        q, k, v = qkv.reshape(b, n, 3, heads, d // heads).permute(2, 0, 3, 1, 4)
        att = ((q @ k.transpose(-2, -1)) * (d // heads) ** -0.5).softmax(-1)
        seq = seq + F.linear((att @ v).transpose(1, 2).reshape(b, n, d),
                             sd[p + "attn.proj.weight"], sd[p + "attn.proj.bias"])
        h = F.layer_norm(seq, (d,), sd[p + "norm2.weight"], sd[p + "norm2.bias"], eps)
        h = F.linear(F.gelu(F.linear(h, sd[p + "mlp.fc1.weight"], sd[p + "mlp.fc1.bias"])),
                     sd[p + "mlp.fc2.weight"], sd[p + "mlp.fc2.bias"])
        seq = seq + h
    return seq


# ---- Prithvi-EO 2.0 (PrithviMAE checkpoint: encoder.* + decoder.*) ----------
def prithvi_position_table(dim: int, frames: int, side: int = 14) -> np.ndarray:
    """The fixed 3D sin-cos table of the model card: per token (t, row, col), the
    1D codes of col (6/16 of dim), row (6/16) and t (4/16), tokens time-major."""
    rows = []
    for t in range(frames):
        for r in range(side):
            for c in range(side):
                rows.append(np.concatenate([sincos(dim // 16 * 6, c)[0], sincos(dim // 16 * 6, r)[0],
                                            sincos(dim // 16 * 4, t)[0]]))
    return np.asarray(rows)


def prithvi_shapes(depth=24, d=1024, in_chans=6, frames=4, tl=False, dec_d=512, dec_depth=8) -> dict:
    """Tensor names and shapes of ``Prithvi_EO_V2_300M(_TL).pt`` (PrithviMAE state
    dict: ``encoder.*`` ViT-L/16 with a Conv3d tubelet-1 patch embedding, and the
    ``decoder.*`` MAE decoder), for ``frames`` pretraining frames of 224 px."""
    n = frames * 196 + 1
    s = {"encoder.cls_token": (1, 1, d), "encoder.pos_embed": (1, n, d),
         "encoder.patch_embed.proj.weight": (d, in_chans, 1, 16, 16), "encoder.patch_embed.proj.bias": (d,)}
    if tl:
        s["encoder.temporal_embed_enc.scale"] = (1,)
        s["encoder.location_embed_enc.scale"] = (1,)
    for i in range(depth):
        s.update(vit_block_shapes(f"encoder.blocks.{i}.", d))
    s["encoder.norm.weight"] = s["encoder.norm.bias"] = (d,)
    s.update({"decoder.mask_token": (1, 1, dec_d), "decoder.decoder_pos_embed": (1, n, dec_d),
              "decoder.decoder_embed.weight": (dec_d, d), "decoder.decoder_embed.bias": (dec_d,)})
    if tl:
        s["decoder.temporal_embed_dec.scale"] = (1,)
        s["decoder.location_embed_dec.scale"] = (1,)
    for i in range(dec_depth):
        s.update(vit_block_shapes(f"decoder.decoder_blocks.{i}.", dec_d))
    s["decoder.decoder_norm.weight"] = s["decoder.decoder_norm.bias"] = (dec_d,)
    s["decoder.decoder_pred.weight"] = (16 * 16 * in_chans, dec_d)
    s["decoder.decoder_pred.bias"] = (16 * 16 * in_chans,)
    return s


def prithvi_checkpoint(path, depth=2, tl=False, seed=0, frames=4):
    """A Prithvi checkpoint in the official format (torch.save of the PrithviMAE
    state dict, fixed sin-cos position tables for ``frames`` frames), with the
    real 1024 width but ``depth`` encoder blocks to keep tests light."""
    import torch

    sd = random_state(prithvi_shapes(depth=depth, tl=tl, frames=frames, dec_depth=1), seed)
    table = np.concatenate([np.zeros((1, 1024)), prithvi_position_table(1024, frames)])
    sd["encoder.pos_embed"] = torch.from_numpy(table).float()[None]
    dec = np.concatenate([np.zeros((1, 512)), prithvi_position_table(512, frames)])
    sd["decoder.decoder_pos_embed"] = torch.from_numpy(dec).float()[None]
    if tl:
        sd["encoder.temporal_embed_enc.scale"] = torch.tensor([0.7])
        sd["encoder.location_embed_enc.scale"] = torch.tensor([0.4])
    torch.save(sd, path)
    return sd


def pair_code(dim: int, a: float, b: float):
    """Prithvi's time / location code: sin-cos of the first value on dim/2, of the
    second on the rest, in float32 as the published module computes it."""
    import torch

    def code(n, v):
        w = 1.0 / 10000 ** (torch.arange(n // 2, dtype=torch.float32) / (n / 2.0))
        ang = torch.tensor([v], dtype=torch.float32)[:, None] * w[None]
        return torch.cat([torch.sin(ang), torch.cos(ang)], 1)[0]

    return torch.cat([code(dim // 2, a), code(dim - dim // 2, b)])


def prithvi_reference(sd, x, depth, heads=16, time=None, loc=None):
    """Encoder tokens (B, 196, 1024) of normalised input x (B, 6, 224, 224) at T = 1."""
    import torch
    import torch.nn.functional as F

    d = sd["encoder.cls_token"].shape[-1]
    w = sd["encoder.patch_embed.proj.weight"][:, :, 0]  # tubelet of one frame
    tok = F.conv2d(x, w, sd["encoder.patch_embed.proj.bias"], stride=16).flatten(2).transpose(1, 2)
    tok = tok + torch.from_numpy(prithvi_position_table(d, 1)).float()[None]
    if time is not None:
        tok = tok + sd["encoder.temporal_embed_enc.scale"] * pair_code(d, *time)
    if loc is not None:
        tok = tok + sd["encoder.location_embed_enc.scale"] * pair_code(d, *loc)
    seq = torch.cat([sd["encoder.cls_token"].expand(x.shape[0], -1, -1), tok], 1)
    seq = vit_blocks(seq, sd, "encoder.", depth, heads, 1e-5)
    return F.layer_norm(seq, (d,), sd["encoder.norm.weight"], sd["encoder.norm.bias"], 1e-5)[:, 1:]


# ---- TerraFM-B (TerraFM-B.pth: 164 tensors) ---------------------------------
def terrafm_shapes(d=768, depth=12) -> dict:
    w = 3 * d
    s = {}
    for kind, c in (("s2_l2a", 12), ("s2_l1c", 12), ("s1", 2)):
        s[f"patch_embed.conv2d_{kind}.weight"] = (w, c, 16, 16)
        s[f"patch_embed.conv2d_{kind}.bias"] = (w,)
        s[f"patch_embed.{kind}_embed"] = (1, w)
    s.update({"patch_embed.projection.proj1.weight": (w, w),
              "patch_embed.projection.norm_input.weight": (w,), "patch_embed.projection.norm_input.bias": (w,),
              "patch_embed.projection.proj2.weight": (w, w), "patch_embed.projection.proj2.bias": (w,),
              "patch_embed.projection.proj3.weight": (d, w), "patch_embed.projection.proj3.bias": (d,),
              "cls_token": (1, 1, d), "pos_embed": (1, 197, d)})
    for i in range(depth):
        s.update(vit_block_shapes(f"blocks.{i}.", d))
    s["norm.weight"] = s["norm.bias"] = (d,)
    return s


def terrafm_checkpoint(path, seed=0, depth=12):
    import torch

    sd = random_state(terrafm_shapes(depth=depth), seed)
    torch.save(sd, path)
    return sd


def terrafm_reference(sd, x, kind="s2_l2a", depth=12, heads=12):
    """Normed patch tokens (B, 196, 768) of x (B, 12, 224, 224) in [0, 1]."""
    import torch
    import torch.nn.functional as F

    p = "patch_embed."
    t = F.conv2d(x, sd[f"{p}conv2d_{kind}.weight"], sd[f"{p}conv2d_{kind}.bias"], stride=16)
    t = t.flatten(2).transpose(1, 2) + sd[f"{p}{kind}_embed"]
    t = F.linear(t, sd[p + "projection.proj1.weight"])
    t = F.layer_norm(t, t.shape[-1:], sd[p + "projection.norm_input.weight"], sd[p + "projection.norm_input.bias"], 1e-5)
    t = F.linear(t, sd[p + "projection.proj2.weight"], sd[p + "projection.proj2.bias"])
    t = F.linear(t, sd[p + "projection.proj3.weight"], sd[p + "projection.proj3.bias"])
    seq = torch.cat([sd["cls_token"].expand(x.shape[0], -1, -1), t], 1) + sd["pos_embed"]
    seq = vit_blocks(seq, sd, "", depth, heads, 1e-6)
    return F.layer_norm(seq, (seq.shape[-1],), sd["norm.weight"], sd["norm.bias"], 1e-6)[:, 1:]


# ---- DOFA (torchgeo dofa_base_patch16_224, MAE checkpoint) -------------------
def dofa_checkpoint(path, seed=0):
    """torchgeo's dofa_base_patch16_224() state dict without the parts the MAE
    checkpoint lacks (fc_norm, head), with non-trivial norms and position table."""
    import torch
    from torchgeo.models import dofa_base_patch16_224

    torch.manual_seed(seed)
    model = dofa_base_patch16_224()
    sd = {k: v for k, v in model.state_dict().items() if not k.startswith(("fc_norm.", "head."))}
    g = torch.Generator().manual_seed(seed)
    for k, v in sd.items():
        if ("norm" in k and v.ndim == 1) or k == "pos_embed":
            sd[k] = v + (torch.rand(v.shape, generator=g) - 0.5) * 0.4
    torch.save(sd, path)
    return sd
