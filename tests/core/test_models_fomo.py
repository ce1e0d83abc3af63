"""``fomo`` against the authors' FoMo-Net code.

Oracle: ``MultiSpectralViT`` of RolnickLab/FoMo-Bench ``model_zoo/multimodal_mae.py``
as shipped in rs-embed 0.3.1 (``rs_embed.embedders._vendor.fomo_multimodal_mae``,
family "dev", test-only), built as the authors' FoMo-Net_1 example builds it
(64 px, patch 16, one channel, the 37 modality keys) but 2 blocks wide 192 so
it runs quickly; the full-size key set is compared on the meta device. Its random
state dict is the weights file, served from 127.0.0.1 at the path of the pinned
Dropbox URL, so the real download (and the sha256 recorded then) runs.
"""
from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import numpy as np
import pytest

from fixtures_models import s2_patch
from loopback import LoopbackServer, free_env_proxies

from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import DownloadError
from rs_embed_qgis.embedders.imagery.base import S2_BANDS
from rs_embed_qgis.embedders.models import fomo_net
from rs_embed_qgis.embedders.models.fomo import BAND_KEYS, BANDS, MEAN, STD, FoMo
from rs_embed_qgis.embedders.specs import OutputSpec

import torch  # noqa: E402
import rs_embed.embedders._vendor.fomo_multimodal_mae as vendor  # noqa: E402  (family "dev")

MODALITIES = {i: f"m{i}" for i in range(37)}  # 37 keys, as configs/datasets/fomo_pretraining_datasets.json
TOL = dict(rtol=1e-4, atol=2e-4)


def authors_model(**size):
    arch = dict(image_size=64, patch_size=16, channels=1, num_classes=1000, dim=768, depth=12, heads=12,
                mlp_dim=2048)
    arch.update(size)
    return vendor.MultiSpectralViT(configs={"modality_channels": MODALITIES}, **arch)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(server, served file, authors' model): the state dict at the pinned URL's path."""
    free_env_proxies()
    torch.manual_seed(3)
    ref = authors_model(dim=192, depth=2, heads=3, mlp_dim=256).eval()
    with torch.no_grad():  # the LayerNorms away from 1/0 so they matter
        for name, p in ref.named_parameters():
            if "norm" in name or "to_patch_embedding.1" in name or "to_patch_embedding.3" in name:
                p.add_(0.1 * torch.randn(p.shape))
    root = tmp_path_factory.mktemp("dropbox")
    served = root / urlsplit(FoMo.weights.url).path.lstrip("/")
    served.parent.mkdir(parents=True)
    torch.save(ref.state_dict(), served)
    with LoopbackServer(root) as server:
        yield server, served, ref


def at_loopback(spec, server):
    parts = urlsplit(spec.url)
    import dataclasses

    return dataclasses.replace(spec, url=f"{server.url}{parts.path}?{parts.query}")


def authors_tokens(ref, patch):
    """The authors' forward on the same standardised bands: (band tokens (C, N, D), pooled)."""
    x = (patch.data[[S2_BANDS.index(b) for b in BANDS]] - np.array(MEAN)[:, None, None]) / np.array(STD)[:, None, None]
    with torch.no_grad():
        out = ref((torch.from_numpy(x.astype(np.float32))[None], list(BAND_KEYS)), pool=False)[0]
    return out.reshape(len(BANDS), -1, out.shape[-1]).numpy(), out.mean(0).numpy()


def test_downloaded_weights_give_the_authors_tokens_on_the_imagery_grid(published, tmp_path, monkeypatch):
    server, served, ref = published
    monkeypatch.setattr(FoMo, "weights", at_loopback(FoMo.weights, server))
    monkeypatch.delenv("RS_EMBED_FOMO_WEIGHTS", raising=False)
    cfg = get_config(weights_dir=str(tmp_path))
    patch = s2_patch(64, 64, bands=S2_BANDS, seed=5)
    server.reset_counters()
    grid, pooled = FoMo().embed_patch_both(patch, OutputSpec.grid(), config=cfg)
    assert [r[3] for r in server.requests if r[0] == "GET"] == [200]
    assert (tmp_path / FoMo.weights.filename).read_bytes() == served.read_bytes()
    assert list((tmp_path / ".verified").iterdir()), "the sha256 of the first download is recorded"

    band_tokens, expected_pooled = authors_tokens(ref, patch)
    assert grid.data.shape == (192, 4, 4) and pooled.data.shape == (192,)
    np.testing.assert_allclose(grid.to_numpy().reshape(192, -1).T, band_tokens.mean(0), **TOL)
    np.testing.assert_allclose(pooled.data, expected_pooled, **TOL)
    t = grid.transform  # 4 x 4 cells of 16 px (160 m) from the patch's corner
    assert (t.a, t.e, t.c, t.f) == (160.0, -160.0, patch.grid.transform.c, patch.grid.transform.f)

    server.reset_counters()  # a second instance uses the verified file, no download
    again = FoMo().embed_patch(patch, OutputSpec.pooled(), config=cfg)
    assert server.requests == []
    np.testing.assert_array_equal(again.data, pooled.data)


def test_user_weights_file_is_used_and_checked(published, tmp_path, monkeypatch):
    _, served, ref = published
    mine = tmp_path / "mine" / "fomo.pt"
    mine.parent.mkdir()
    shutil.copy(served, mine)
    # a dead URL: the user's file must be enough
    import dataclasses

    monkeypatch.setattr(FoMo, "weights", dataclasses.replace(FoMo.weights, url="http://127.0.0.1:9/x.pt"))
    monkeypatch.setenv("RS_EMBED_FOMO_WEIGHTS", str(mine))
    cfg = get_config(weights_dir=str(tmp_path / "w"))
    patch = s2_patch(64, 64, bands=S2_BANDS, seed=6)
    pooled = FoMo().embed_patch(patch, OutputSpec.pooled(), config=cfg)
    np.testing.assert_allclose(pooled.data, authors_tokens(ref, patch)[1], **TOL)

    sd = torch.load(mine, weights_only=True)  # tampered after its first use: refused
    sd["transformer.norm.bias"] += 1.0
    torch.save(sd, mine)
    with pytest.raises(DownloadError, match="RS_EMBED_FOMO_WEIGHTS.*does not match"):
        FoMo().embed_patch(patch, OutputSpec.pooled(), config=cfg)

    monkeypatch.setenv("RS_EMBED_FOMO_WEIGHTS", str(tmp_path / "missing.pt"))
    with pytest.raises(DownloadError, match="not a file"):
        FoMo().embed_patch(patch, OutputSpec.pooled(), config=cfg)


def test_pickled_code_in_the_weights_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "bad.pt"
    torch.save({"pos_embedding": torch.zeros(1), "x": np.random.default_rng(0)}, bad)  # needs unpickling code
    monkeypatch.setenv("RS_EMBED_FOMO_WEIGHTS", str(bad))
    with pytest.raises(DownloadError, match="weights_only"):
        FoMo().embed_patch(s2_patch(64, 64, bands=S2_BANDS), config=get_config(weights_dir=str(tmp_path / "w")))


def test_encoder_key_set_is_the_authors_full_size_one():
    """FoMo-Net_1 as published (ViT-B, 12 blocks): every tensor but the unused
    class token and classification head lands on ours, with the same shape."""
    with torch.device("meta"):
        official = authors_model().state_dict()
        ours = fomo_net.build(**fomo_net.shape_of(official)).state_dict()
    assert fomo_net.shape_of(official) == dict(dim=768, depth=12, heads=12, mlp_dim=2048, patch=16, tokens=16, keys=38)
    mapped = fomo_net.from_official(official)
    assert {k: tuple(v.shape) for k, v in ours.items()} == {k: tuple(v.shape) for k, v in mapped.items()}
    assert set(official) - set(k for k in official if fomo_net.from_official({k: 0})) == {
        "cls_token", "mlp_head.weight", "mlp_head.bias"}
