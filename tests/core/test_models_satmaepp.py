"""``satmaepp_s2`` against the authors' SatMAE++ code.

Oracle: ``models_mae_group_channels.py`` of techmn/satmae_pp as shipped unchanged
in rs-embed 0.3.1 (``rs_embed.embedders._vendor.satmaepp_s2``, test-only). Its
``MaskedAutoencoderGroupChannelViT`` (ViT-L, 96 px, patch 8, the 3 published
channel groups) gets random weights; the checkpoint is written as the authors'
training script writes it (``{"model": state_dict, "args": Namespace, ...}``).
Their ``forward_encoder(x, mask_ratio=0)`` shuffles the tokens; the test puts
them back in place with the returned ``ids_restore`` before comparing.
"""
from __future__ import annotations

import argparse

import numpy as np
import pytest

from fixtures_models import s2_patch, spec_for

from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import DownloadError
from rs_embed_qgis.embedders.imagery.base import S2_BANDS
from rs_embed_qgis.embedders.models.satmaepp import BANDS, MEAN, STD, SatMAEPPS2
from rs_embed_qgis.embedders.specs import OutputSpec

import torch  # noqa: E402  (the core env has it: make test installs every family)
# oracle: rs-embed 0.3.1 (the authors' models_mae_group_channels.py), family "dev"
import rs_embed.embedders._vendor.satmaepp_s2.models_mae_group_channels as vendor  # noqa: E402


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    ref = vendor.mae_vit_large_patch16(img_size=96, patch_size=8, in_chans=10)
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if name not in ("pos_embed", "channel_embed", "decoder_pos_embed", "decoder_channel_embed"):
                p.add_(0.02 * torch.randn(p.shape, generator=g))
    wdir = tmp_path_factory.mktemp("w")
    path = wdir / SatMAEPPS2.weights.repo_id / SatMAEPPS2.weights.filename
    path.parent.mkdir(parents=True)
    torch.save({"model": ref.state_dict(), "epoch": 799, "args": argparse.Namespace(model="mae_vit_large_patch16",
                                                                                     input_size=96)}, path)
    return wdir, path, ref.eval()


@pytest.fixture
def emb(published, monkeypatch):
    wdir, path, _ = published
    monkeypatch.setattr(SatMAEPPS2, "weights", spec_for(SatMAEPPS2.weights, path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return SatMAEPPS2(), get_config(weights_dir=str(wdir))


def authors_input(data):
    """SentinelNormalize (to uint8) then ToTensor (/255), on the 10 kept bands."""
    x = data[[S2_BANDS.index(b) for b in BANDS]].transpose(1, 2, 0).astype(np.float64)
    mn, mx = np.array(MEAN) - 2 * np.array(STD), np.array(MEAN) + 2 * np.array(STD)
    u8 = np.clip((x - mn) / (mx - mn) * 255.0, 0, 255).astype(np.uint8)
    return torch.from_numpy(u8.transpose(2, 0, 1).astype(np.float32) / 255.0)[None]


def test_grid_and_pooled_equal_the_authors_encoder_in_place(emb, published):
    e, cfg = emb
    _, _, ref = published
    patch = s2_patch(96, 96, bands=S2_BANDS, seed=4)
    grid, pooled = e.embed_patch_both(patch, OutputSpec.grid(), config=cfg)
    assert grid.data.shape == (1024, 12, 12) and pooled.data.shape == (1024,)
    with torch.no_grad():
        latent, mask, ids_restore = ref.forward_encoder(authors_input(patch.data), mask_ratio=0.0)
    assert mask.sum() == 0
    tokens = latent[:, 1:]
    in_place = torch.gather(tokens, 1, ids_restore.unsqueeze(-1).expand(-1, -1, tokens.shape[-1]))
    expected = in_place[0].reshape(3, 144, 1024).mean(0).numpy()  # groups averaged per cell
    got = grid.to_numpy().reshape(1024, -1).T
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=3e-4)
    np.testing.assert_allclose(pooled.data, expected.mean(0), rtol=1e-4, atol=3e-4)


def test_checkpoint_pickles_other_than_the_args_namespace_are_refused(emb, published, tmp_path, monkeypatch):
    e, _ = emb
    _, _, ref = published
    path = tmp_path / SatMAEPPS2.weights.repo_id / SatMAEPPS2.weights.filename
    path.parent.mkdir(parents=True)
    import fractions

    torch.save({"model": ref.state_dict(), "args": fractions.Fraction(1, 3)}, path)  # a class not allowed
    monkeypatch.setattr(SatMAEPPS2, "weights", spec_for(SatMAEPPS2.weights, path))
    with pytest.raises(DownloadError, match="weights_only"):
        SatMAEPPS2().embed_patch(s2_patch(96, 96, bands=S2_BANDS), config=get_config(weights_dir=str(tmp_path)))
