"""Test helpers for on-the-fly models: random-init checkpoints in each model's
official format and key names, a Hugging Face-style endpoint on 127.0.0.1,
and synthetic Sentinel-2 patches on a UTM grid."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pytest

_RESOLVE = re.compile(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$")


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 23), b""):
            h.update(chunk)
    return h.hexdigest()


# ---- checkpoints in the official formats -------------------------------
def remoteclip_checkpoint(path: Path, seed: int = 0) -> Path:
    """open_clip ViT-B-32 state dict saved with torch.save, as RemoteCLIP-ViT-B-32.pt."""
    import open_clip
    import torch

    model = random_init(lambda: open_clip.create_model("ViT-B-32", pretrained=None, device="meta"), seed)
    torch.save(model.state_dict(), path)
    return path


def random_init(factory, seed: int = 0):
    """The module built on the meta device, then filled with seeded random
    weights (normal(0, 0.02); LayerNorms around 1 and 0): fast, and non-trivial
    norms show a wrong eps or a missing key."""
    import torch

    with torch.device("meta"):
        model = factory()
    model.to_empty(device="cpu")
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for t in list(model.parameters()) + list(model.buffers()):
            if t.is_floating_point():
                t.normal_(0.0, 0.02, generator=g)
        for m in model.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.uniform_(-0.2, 0.2, generator=g)
    return model


def satmae_module():
    """SatMAE's MaskedAutoencoderViT for fMoW-RGB ViT-L/16 (8-block 512-wide decoder),
    with its attribute names, built from timm's PatchEmbed/Block as SatMAE does."""
    import torch
    import torch.nn as nn
    from functools import partial
    from timm.models.vision_transformer import Block, PatchEmbed

    norm = partial(nn.LayerNorm, eps=1e-6)

    class MaskedAutoencoderViT(nn.Module):
        def __init__(self, d=1024, depth=24, heads=16, dd=512, ddepth=8, p=16, n=196):
            super().__init__()
            self.patch_embed = PatchEmbed(224, p, 3, d)
            self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
            self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, d), requires_grad=False)
            self.blocks = nn.ModuleList([Block(d, heads, 4.0, qkv_bias=True, norm_layer=norm) for _ in range(depth)])
            self.norm = norm(d)
            self.decoder_embed = nn.Linear(d, dd)
            self.mask_token = nn.Parameter(torch.zeros(1, 1, dd))
            self.decoder_pos_embed = nn.Parameter(torch.zeros(1, n + 1, dd), requires_grad=False)
            self.decoder_blocks = nn.ModuleList([Block(dd, 16, 4.0, qkv_bias=True, norm_layer=norm) for _ in range(ddepth)])
            self.decoder_norm = norm(dd)
            self.decoder_pred = nn.Linear(dd, p * p * 3)

        def encode_unmasked(self, x):
            """MAE forward_encoder with nothing masked, tokens in place: (B, 1 + N, D)."""
            x = self.patch_embed(x) + self.pos_embed[:, 1:, :]
            cls = (self.cls_token + self.pos_embed[:, :1, :]).expand(x.shape[0], -1, -1)
            x = torch.cat((cls, x), dim=1)
            for blk in self.blocks:
                x = blk(x)
            return self.norm(x)

    return MaskedAutoencoderViT()


def satmae_checkpoint(path: Path, seed: int = 0) -> Path:
    """A random-init SatMAE MaskedAutoencoderViT state dict as model.safetensors
    (encoder, decoder and mask token keys, as MVRL's file has them)."""
    from safetensors.torch import save_file

    model = random_init(satmae_module, seed)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path), metadata={"format": "pt"})
    return path


# models/nano/config.json of nasaharvest/galileo, "model.encoder" (config/models/nano.json)
GALILEO_NANO = dict(embedding_size=128, depth=4, num_heads=8, mlp_ratio=4, max_sequence_length=24,
                    freeze_projections=False, drop_path=0.1, max_patch_size=8)


def galileo_checkpoint(folder: Path, seed: int = 0) -> dict:
    """The authors' Galileo nano ``Encoder`` (single_file_galileo as vendored in
    rs-embed) with random weights: ``encoder.pt`` (its state dict) and
    ``config.json`` in ``folder``, as ``models/nano/`` of the Hub repository holds them."""
    import json

    import torch
    from rs_embed.embedders._vendor import galileo_single_file as vendor

    model = vendor.Encoder(**GALILEO_NANO)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():  # as tests/core/test_models_galileo.py randomises the oracle
        for name, t in model.named_parameters():
            if "norm" in name and name.endswith("weight"):
                t.copy_(1.0 + 0.2 * torch.randn(t.shape, generator=g))
            else:
                t.copy_(0.1 * torch.randn(t.shape, generator=g))
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), folder / "encoder.pt")
    (folder / "config.json").write_text(json.dumps({"training": {}, "model": {"encoder": GALILEO_NANO}}))
    return {name: folder / name for name in ("encoder.pt", "config.json")}


def scalemae_checkpoint(path: Path, seed: int = 0) -> Path:
    """torchgeo's scalemae_large_patch16() state dict (as torchgeo's own tests mock it)."""
    import torch
    from torchgeo.models import scalemae_large_patch16

    model = random_init(scalemae_large_patch16, seed)
    torch.save(model.state_dict(), path)
    return path


def spec_for(spec, path, sha=None):
    """The model's pinned spec (same repo, revision, file name), with the
    sha256/size of the test checkpoint where the real spec pins them."""
    return dataclasses.replace(spec, sha256=(sha or sha256_file(path)) if spec.sha256 else None,
                               size=os.path.getsize(path) if spec.size else None)


_MADE = {}  # test modules import the fixture below: each import is its own FixtureDef


@pytest.fixture(scope="session")
def remoteclip_ckpt(tmp_path_factory):
    """(path, sha256) of a random-init RemoteCLIP-ViT-B-32.pt, made once per session."""
    if "remoteclip" not in _MADE:
        path = remoteclip_checkpoint(tmp_path_factory.mktemp("remoteclip") / "RemoteCLIP-ViT-B-32.pt")
        _MADE["remoteclip"] = (path, sha256_file(path))
    return _MADE["remoteclip"]


# ---- Hugging Face-style endpoint ---------------------------------------
class HFEndpoint:
    """Answers ``/{org}/{repo}/resolve/{rev}/{file}`` like the Hub does for LFS
    files: 302 to the file (served statically with Range support) with
    X-Repo-Commit, X-Linked-Etag (sha256) and X-Linked-Size."""

    def __init__(self, loopback, root: Path):
        self.root = Path(root)
        self.files = {}
        self.server = loopback(self.root, {"/": self._route})
        self.url = self.server.url

    def add(self, repo_id: str, filename: str, path: Path, commit: str):
        sha = sha256_file(path)
        dest = self.root / "lfs" / sha / filename
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.exists():
            os.link(path, dest)
        self.files[(repo_id, filename)] = (dest, sha, commit)
        return sha

    def _route(self, handler, path, query):
        m = _RESOLVE.match(path)
        if not m:
            return None  # static files (the LFS "CDN")
        repo, rev, filename = m.groups()
        entry = self.files.get((repo, filename))
        if entry is None:
            return 404, {"X-Error-Code": "EntryNotFound", "Content-Type": "text/plain"}, b"not found"
        dest, sha, commit = entry
        if rev not in (commit, "main"):
            return 404, {"X-Error-Code": "RevisionNotFound", "Content-Type": "text/plain"}, b"no revision"
        rel = dest.relative_to(self.root).as_posix()
        cdn = self.url.replace("127.0.0.1", "localhost")  # another host, as the Hub's LFS CDN is
        return 302, {"Location": f"{cdn}/{rel}", "X-Repo-Commit": commit,
                     "X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(dest.stat().st_size),
                     "ETag": f'"{sha}"', "Content-Length": "0"}, b""

    def downloads(self, filename: str) -> int:
        return sum(1 for (meth, p, _rng, st) in self.server.requests
                   if meth == "GET" and p.endswith("/" + filename) and p.startswith("/lfs/") and st in (200, 206))


# ---- imagery ------------------------------------------------------------
def s2_patch(height: int, width: int, bands=("B04", "B03", "B02"), seed: int = 0,
             origin=(600000.0, 5800000.0), res: float = 10.0):
    """An ImageryPatch of smooth random reflectance x 10^4 on a UTM 31N grid."""
    from rs_embed_qgis.embedders.geo import RasterGrid
    from rs_embed_qgis.embedders.imagery.base import ImageryPatch

    rng = np.random.default_rng(seed)
    x0, y1 = origin
    grid = RasterGrid.from_bounds("EPSG:32631", (x0, y1 - height * res, x0 + width * res, y1), res)
    yy, xx = np.mgrid[0:height, 0:width]
    data = np.stack([
        400 + 2500 * (0.5 + 0.5 * np.sin(xx / (7 + 3 * i) + yy / (11 + i) + i)) + rng.normal(0, 150, (height, width))
        for i in range(len(bands))
    ]).astype(np.float32)
    return ImageryPatch(np.clip(data, 0, 12000), list(bands), grid, {"source": "test"})


def s2_geotiff_around(path: Path, lon: float, lat: float, size: int, seed: int = 0):
    """A size x size px, 10 m, uint16 GeoTIFF of all Sentinel-2 bands (named in the band
    descriptions) centred on (lon, lat) in its UTM zone, as a user's local raster.
    Returns (path, EPSG code)."""
    import rasterio
    from rasterio.transform import from_origin

    from rs_embed_qgis.embedders.geo import transformer, utm_epsg
    from rs_embed_qgis.embedders.imagery.base import S2_BANDS

    epsg = utm_epsg(lon, lat)
    x, y = transformer("EPSG:4326", f"EPSG:{epsg}").transform(lon, lat)
    half = size * 10 // 2
    src = s2_patch(size, size, bands=S2_BANDS, seed=seed)
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=len(S2_BANDS), dtype="uint16",
                       crs=f"EPSG:{epsg}", transform=from_origin(round(x) - half, round(y) + half, 10, 10)) as ds:
        ds.write(src.data.astype("uint16"))
        ds.descriptions = tuple(S2_BANDS)
    return path, epsg
