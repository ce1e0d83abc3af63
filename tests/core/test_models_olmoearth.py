"""``olmoearth`` against the authors' package (olmoearth-pretrain-minimal 0.1.5).

The checkpoint pair is made the way the authors' files are: ``config.json``
holds ``{"model": <LatentMIMConfig.as_config_dict()>}`` of the v1 Base model
(the config ``OlmoEarthPretrain_v1("base", "v1")`` builds), ``weights.pth`` the
state dict of that model after random perturbation. The oracle is the README's
documented call on the same patch: ``NormalizerV1``, ``MaskedOlmoEarthSample``,
``model.encoder(sample, patch_size=8, input_res=10, fast_pass=True)`` and the
package's own pooling of the returned tokens.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from fixtures_models import s2_patch, spec_for

from rs_embed_qgis.embedders.base import EmbedRequest
from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import DownloadError
from rs_embed_qgis.embedders.imagery.base import S2_BANDS
from rs_embed_qgis.embedders.models.olmoearth import BANDS, OlmoEarthBase
from rs_embed_qgis.embedders.specs import BBox, OutputSpec, TemporalSpec

import torch  # noqa: E402  (the core env has it: make test installs every family)
import olmoearth_pretrain_minimal as om  # noqa: E402

TOL = dict(rtol=1e-4, atol=3e-4)


def base_config_dict():
    """The v1 Base LatentMIM config, as the package builds it, in config.json form."""
    from olmoearth_pretrain_minimal.olmoearth_pretrain_v1.nn import latent_mim

    seen = {}
    orig = latent_mim.LatentMIMConfig.build

    def record(self):
        seen["cfg"] = self
        return orig(self)

    latent_mim.LatentMIMConfig.build = record
    try:
        om.OlmoEarthPretrain_v1(model_size="base", model_version="v1")
    finally:
        latent_mim.LatentMIMConfig.build = orig
    return {"model": seen["cfg"].as_config_dict()}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(weights_dir, config dict, the authors' model with the test weights)."""
    from olmoearth_pretrain_minimal.olmoearth_pretrain_v1.utils.config import Config

    wdir = tmp_path_factory.mktemp("oe_weights")
    folder = wdir / OlmoEarthBase.weights.repo_id
    folder.mkdir(parents=True)
    cfg = base_config_dict()
    (folder / "config.json").write_text(json.dumps(cfg))
    model = Config.from_dict(cfg["model"]).build()
    g = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.add_(0.02 * torch.randn(p.shape, generator=g))
    torch.save(model.state_dict(), folder / "weights.pth")
    return wdir, cfg, model.eval()


@pytest.fixture
def emb(published, monkeypatch):
    wdir, _, _ = published
    folder = wdir / OlmoEarthBase.weights.repo_id
    monkeypatch.setattr(OlmoEarthBase, "weights", spec_for(OlmoEarthBase.weights, folder / "weights.pth"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return OlmoEarthBase(), get_config(weights_dir=str(wdir))


def test_grid_and_pooled_equal_the_authors_documented_encoder_call(emb, published):
    e, cfg = emb
    _, _, ref = published
    patch = s2_patch(128, 128, bands=S2_BANDS, seed=3)
    req = EmbedRequest(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=TemporalSpec.range("2021-06-01", "2021-07-01"),
                       output=OutputSpec.grid(), config=cfg)
    grid, pooled = e.embed_patch_both(patch, OutputSpec.grid(), request=req, config=cfg)
    assert grid.data.shape == (768, 16, 16) and pooled.data.shape == (768,)
    assert grid.meta["side_inputs"]["timestamp"] == {"day": 16, "month_0_based": 5, "year": 2021}

    from olmoearth_pretrain_minimal import NormalizerV1
    from olmoearth_pretrain_minimal.olmoearth_pretrain_v1.nn.flexi_vit import PoolingType
    from olmoearth_pretrain_minimal.olmoearth_pretrain_v1.utils.constants import Modality
    from olmoearth_pretrain_minimal.olmoearth_pretrain_v1.utils.datatypes import MaskedOlmoEarthSample

    assert list(BANDS) == Modality.SENTINEL2_L2A.band_order
    raw = patch.data[[S2_BANDS.index(b) for b in BANDS]].transpose(1, 2, 0)[None, :, :, None, :]  # B,H,W,T,C
    data = NormalizerV1().normalize(Modality.SENTINEL2_L2A, raw)
    sample = MaskedOlmoEarthSample(
        timestamps=torch.tensor([[[16, 5, 2021]]]),
        sentinel2_l2a=torch.from_numpy(data).float(),
        sentinel2_l2a_mask=torch.zeros(1, 128, 128, 1, Modality.SENTINEL2_L2A.num_band_sets))
    with torch.no_grad():
        out = ref.encoder(sample, patch_size=8, input_res=10, fast_pass=True)["tokens_and_masks"]
        spatial = out.pool_unmasked_tokens(PoolingType.MEAN, spatial_pooling=True)[0].numpy()  # H', W', D
        whole = out.pool_unmasked_tokens(PoolingType.MEAN)[0].numpy()
    np.testing.assert_allclose(grid.to_numpy(), spatial.transpose(2, 0, 1), **TOL)
    np.testing.assert_allclose(pooled.data, whole, **TOL)
    assert grid.meta["input_gsd_m"] == 10.0


def test_weights_that_do_not_fit_the_config_are_refused(emb, published, tmp_path, monkeypatch):
    e, cfg = emb
    wdir, _, ref = published
    bad_dir = tmp_path / "w"
    folder = bad_dir / OlmoEarthBase.weights.repo_id
    folder.mkdir(parents=True)
    (folder / "config.json").write_bytes((wdir / OlmoEarthBase.weights.repo_id / "config.json").read_bytes())
    sd = dict(ref.state_dict())
    sd.pop(next(iter(sd)))
    torch.save(sd, folder / "weights.pth")
    monkeypatch.setattr(OlmoEarthBase, "weights", spec_for(OlmoEarthBase.weights, folder / "weights.pth"))
    with pytest.raises(DownloadError, match="do not match"):
        OlmoEarthBase().embed_patch(s2_patch(128, 128, bands=S2_BANDS), config=get_config(weights_dir=str(bad_dir)))
