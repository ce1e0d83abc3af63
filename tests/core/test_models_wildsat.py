"""``wildsat`` against the authors' WildSAT satellite model.

The authors' ``get_model("vitb16", ...)`` (cvl-umass/wildsat ``models/get_model.py``)
is torchvision's ``vit_b_16`` whole, and their ``SingleTaskModel.embed(x)`` is
``backbone(x)``; rs-embed 0.3.1 vendors no WildSAT code, and the authors' module
imports packages that do not install here (satlaspretrain_models, their sinr
package), so the oracle is torchvision's ``vit_b_16`` called as they call it, with
random weights, on an image made as their quickstart makes it (8-bit RGB PNG ->
``ToTensor``, ``Resize(224)``, minimum subtracted). It is torchvision's
``VisionTransformer`` with ``vit_b_16``'s arguments but 2 layers (the full-size key
set is compared on the meta device). The checkpoint is written as
their ``train.py`` saves it (``epoch``, ``opt`` Namespace, ``satellite_state_dict``
with DataParallel ``module.`` keys and the three linear heads, ``sinr_state_dict``,
``text_emb_model``) and served from 127.0.0.1 at the pinned URL's path.
"""
from __future__ import annotations

import argparse
import dataclasses
import shutil
from urllib.parse import urlsplit

import numpy as np
import pytest

from fixtures_models import s2_patch
from loopback import LoopbackServer, free_env_proxies

from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import DownloadError
from rs_embed_qgis.embedders.models import wildsat_net
from rs_embed_qgis.embedders.models.wildsat import BANDS, WildSAT
from rs_embed_qgis.embedders.specs import OutputSpec

import torch  # noqa: E402
import torchvision  # noqa: E402
from PIL import Image  # noqa: E402
from torchvision import transforms  # noqa: E402
from torchvision.models.vision_transformer import VisionTransformer  # noqa: E402

TOL = dict(rtol=1e-4, atol=3e-4)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    free_env_proxies()
    torch.manual_seed(9)
    ref = VisionTransformer(image_size=224, patch_size=16, num_layers=2, num_heads=12, hidden_dim=768,
                            mlp_dim=3072).eval()  # vit_b_16's class and arguments, 2 of its 12 layers
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if "ln" in name or "heads" in name:
                p.add_(0.1 * torch.randn(p.shape))
    sat = {f"module.backbone.{k}": v for k, v in ref.state_dict().items()}
    for i in (1, 2, 3):
        sat[f"module.decoder.backbone{i}.0.weight"] = torch.randn(256, 1000)
    ckpt = {"epoch": 3, "satellite_state_dict": sat, "sinr_state_dict": {"module.head.weight": torch.randn(256, 256)},
            "text_emb_model": {"module.head.weight": torch.randn(256, 4096)},
            "opt": argparse.Namespace(satellite_encoder="vitb16", satellite_head="threelinearnobias",
                                      common_embed_dim=256, use_bnft=True, is_tunefc=True)}
    root = tmp_path_factory.mktemp("gdrive")
    served = root / urlsplit(WildSAT.weights.url).path.lstrip("/")
    served.parent.mkdir(parents=True, exist_ok=True)
    torch.save(ckpt, served)
    with LoopbackServer(root) as server:
        yield server, served, ref


def authors_forward(ref, patch):
    """(patch tokens (196, 768), embed (1000,)) on the quickstart's image of the patch."""
    rgb = np.floor(np.clip(patch.data[[list(patch.bands).index(b) for b in BANDS]] / 2000.0, 0, 1) * 255)
    png = Image.fromarray(rgb.astype(np.uint8).transpose(1, 2, 0), mode="RGB")
    image = transforms.Compose([transforms.ToTensor(), transforms.Resize(size=(224, 224))])(png)
    image = image - torch.min(image)
    image = image / torch.maximum(torch.max(image), torch.tensor(1))
    seen = {}
    hook = ref.encoder.register_forward_hook(lambda m, i, o: seen.setdefault("tokens", o))
    try:
        with torch.no_grad():
            embed = ref(image[None])  # SingleTaskModel.embed(x) == backbone(x)
    finally:
        hook.remove()
    return seen["tokens"][0, 1:].numpy(), embed[0].numpy()


def test_downloaded_weights_give_the_authors_embed_and_tokens(published, tmp_path, monkeypatch):
    server, served, ref = published
    u = urlsplit(WildSAT.weights.url)
    monkeypatch.setattr(WildSAT, "weights", dataclasses.replace(WildSAT.weights, url=f"{server.url}{u.path}?{u.query}"))
    monkeypatch.delenv("RS_EMBED_WILDSAT_WEIGHTS", raising=False)
    cfg = get_config(weights_dir=str(tmp_path))
    patch = s2_patch(224, 224, bands=("B02", "B03", "B04"), seed=8)
    server.reset_counters()
    grid, pooled = WildSAT().embed_patch_both(patch, OutputSpec.grid(), config=cfg)
    assert [r[3] for r in server.requests if r[0] == "GET"] == [200]
    assert list((tmp_path / ".verified").iterdir()), "the sha256 of the first download is recorded"

    tokens, embed = authors_forward(ref, patch)
    assert grid.data.shape == (768, 14, 14) and pooled.data.shape == (1000,)
    np.testing.assert_allclose(grid.to_numpy().reshape(768, -1).T, tokens, **TOL)
    np.testing.assert_allclose(pooled.data, embed, **TOL)
    t = grid.transform
    assert (t.a, t.e, t.c, t.f) == (160.0, -160.0, patch.grid.transform.c, patch.grid.transform.f)


def test_user_weights_file_and_tampering(published, tmp_path, monkeypatch):
    _, served, ref = published
    mine = tmp_path / "wildsat.pth"
    shutil.copy(served, mine)
    monkeypatch.setattr(WildSAT, "weights", dataclasses.replace(WildSAT.weights, url="http://127.0.0.1:9/download"))
    monkeypatch.setenv("RS_EMBED_WILDSAT_WEIGHTS", str(mine))
    cfg = get_config(weights_dir=str(tmp_path / "w"))
    patch = s2_patch(224, 224, bands=BANDS, seed=1)
    pooled = WildSAT().embed_patch(patch, OutputSpec.pooled(), config=cfg)
    np.testing.assert_allclose(pooled.data, authors_forward(ref, patch)[1], **TOL)

    with open(mine, "r+b") as fh:  # one byte changed after its first use: refused
        fh.seek(-200, 2)
        b = fh.read(1)
        fh.seek(-200, 2)
        fh.write(bytes([b[0] ^ 0xFF]))
    with pytest.raises(DownloadError, match="RS_EMBED_WILDSAT_WEIGHTS.*does not match"):
        WildSAT().embed_patch(patch, OutputSpec.pooled(), config=cfg)


def test_checkpoint_pickles_other_than_the_options_namespace_are_refused(tmp_path, monkeypatch):
    import fractions

    bad = tmp_path / "bad.pth"
    torch.save({"satellite_state_dict": {}, "opt": fractions.Fraction(1, 3)}, bad)
    monkeypatch.setenv("RS_EMBED_WILDSAT_WEIGHTS", str(bad))
    with pytest.raises(DownloadError, match="weights_only"):
        WildSAT().embed_patch(s2_patch(224, 224, bands=BANDS), config=get_config(weights_dir=str(tmp_path / "w")))


def test_backbone_key_set_is_vit_b_16s():
    """The published architecture (torchvision ``vit_b_16``, 12 layers): read off its
    state dict, ours has exactly its tensors and shapes."""
    with torch.device("meta"):
        official = torchvision.models.vit_b_16(weights=None).state_dict()
        arch = wildsat_net.arch_of(official)
        ours = wildsat_net.build(**arch).state_dict()
    assert arch == dict(image_size=224, patch_size=16, num_layers=12, num_heads=12, hidden_dim=768, mlp_dim=3072,
                        num_classes=1000)
    assert {k: tuple(v.shape) for k, v in ours.items()} == {f"vit.{k}": tuple(v.shape) for k, v in official.items()}
