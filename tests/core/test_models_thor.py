"""``thor`` against the authors' THOR code.

Oracle (test-only, family "dev"): the authors' ``ThorViTEncoder`` (FM4CS/THOR v1.0.2
``thor/models/thor_vit.py``) and their terratorch backbone wrapper
``THOREncoderWrapper`` with ``process_thor_bands`` (FM4CS/thor_terratorch_ext), as
shipped unchanged in rs-embed 0.3.1 (``rs_embed.embedders._vendor.thor*``); the
normalisation is rs-embed's ``_normalize_s2_for_thor`` (the authors' pretraining
statistics). The encoder gets the Base v1 arguments with 2 of its 12 blocks (the
full Base key set is compared on the meta device) and random weights, saved as the
authors' loader reads checkpoints (``{"state_dict": {"encoder.<key>": ...}}``) and
read back through their ``extract_model_state_dict_from_ckpt``.

Importing the authors' modules patches timm's ``Attention.forward`` and
``Block.forward`` process-wide (their ALiBi hook); the test keeps timm's own
methods in place except while the authors' model runs, so our encoder runs on
timm's code and other tests are not affected.
"""
from __future__ import annotations

import contextlib
import copy
from functools import partial

import numpy as np
import pytest

from fixtures_models import s2_patch, spec_for

from rs_embed_qgis.embedders import api
from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.imagery.base import S2_BANDS
from rs_embed_qgis.embedders.models import thor as thor_mod
from rs_embed_qgis.embedders.models import thor_net
from rs_embed_qgis.embedders.models.thor import THORBase
from rs_embed_qgis.embedders.registry import describe_model
from rs_embed_qgis.embedders.specs import OutputSpec

import torch  # noqa: E402  (the core env has it: make test installs every family)
import timm.models.vision_transformer as timm_vit  # noqa: E402

_TIMM = (timm_vit.Attention.forward, timm_vit.Block.forward)
# oracle: rs-embed 0.3.1 (the authors' thor_vit.py, thor_terratorch_ext wrapper), family "dev"
import rs_embed.embedders._vendor.thor_vit as vendor_wrapper  # noqa: E402
from rs_embed.embedders._vendor.thor.models import thor_vit as vendor_encoder  # noqa: E402
from rs_embed.embedders._vendor.thor.utils.helper import extract_model_state_dict_from_ckpt  # noqa: E402
from rs_embed.embedders.onthefly_thor import _S2_SR_10_BANDS, _THOR_MODEL_BANDS, _normalize_s2_for_thor  # noqa: E402

_AUTHORS = (timm_vit.Attention.forward, timm_vit.Block.forward)
timm_vit.Attention.forward, timm_vit.Block.forward = _TIMM


@contextlib.contextmanager
def authors_timm():
    timm_vit.Attention.forward, timm_vit.Block.forward = _AUTHORS
    try:
        yield
    finally:
        timm_vit.Attention.forward, timm_vit.Block.forward = _TIMM


def authors_encoder(depth):
    """The registered thor_vit_base_encoder_alibi_patch_size_embed_v1 arguments (checked in
    the key-set test), with ``depth`` blocks, configured as load_thor_model does for
    rs-embed's ten S2 bands, ground cover 2880 m and patch size 8."""
    bands, channels = vendor_wrapper.process_thor_bands(_THOR_MODEL_BANDS)
    params = copy.deepcopy(vendor_wrapper._default_input_params)
    params["channels"].update(channels)
    params.update(ground_covers=[2880], flexivit_patch_size_seqs=[8])
    return vendor_encoder.ThorViTEncoder(
        params, embed_dim=768, depth=depth, num_heads=12, embed_band=True, band_embed_dim=128, embed_prod=False,
        prod_embed_dim=0, embed_patch_size=True, mlp_ratio=4.0, qkv_bias=True,
        norm_layer=partial(torch.nn.LayerNorm, eps=1e-6)), bands


def base_params():
    params = copy.deepcopy(vendor_wrapper._default_input_params)
    params.update(ground_covers=[2880], flexivit_patch_size_seqs=[8])
    return params


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(weights dir, the authors' wrapper loaded from the saved file)."""
    enc, bands = authors_encoder(depth=2)
    g = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for name, p in enc.named_parameters():
            if p.ndim == 1 and "norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
        enc.encoder_slopes.mul_(0.5 + torch.rand(enc.encoder_slopes.shape, generator=g))  # read, not recomputed
    wdir = tmp_path_factory.mktemp("w")
    path = wdir / THORBase.weights.repo_id / THORBase.weights.filename
    path.parent.mkdir(parents=True)
    torch.save({"state_dict": {"encoder." + k: v for k, v in enc.state_dict().items()}}, path)

    ref, _ = authors_encoder(depth=2)
    ref.load_state_dict(extract_model_state_dict_from_ckpt(torch.load(path, weights_only=True))["encoder"])
    wrapper = vendor_wrapper.THOREncoderWrapper(ref, bands=bands, out_indices=[-1], return_channel_params=True,
                                                merge_method="mean").eval()
    mp = pytest.MonkeyPatch()
    mp.setattr(THORBase, "weights", spec_for(THORBase.weights, path))
    mp.setenv("HF_HUB_OFFLINE", "1")
    yield wdir, wrapper
    mp.undo()


def test_key_set_is_the_authors_full_size_base(published):
    """The oracle's arguments build the registered Base v1 but for its depth, and our
    encoder takes exactly its S2 10/20 m tensors: the other channels' patch kernels,
    the other groups' band codes and the final norm (unused by the wrapper's output)
    are left."""
    _, wrapper = published
    # built on the CPU: the authors' constructor fills its band codes through numpy (no meta device)
    official = vendor_encoder.thor_vit_base_encoder_alibi_patch_size_embed_v1(base_params()).state_dict()
    replica = {k: tuple(v.shape) for k, v in wrapper.model.state_dict().items()}
    assert replica == {k: tuple(v.shape) for k, v in official.items()
                       if not k.startswith("blocks.") or int(k.split(".")[1]) < 2}
    arch = thor_net.arch_of(official)
    assert arch == dict(dim=768, depth=12, heads=12, band_dim=128)
    left = set(official) - set(thor_net.used_keys(official))
    assert left == ({k for k in official if k.startswith("ind_patch_embed.") and k.split(".")[2]
                     not in {ch for g in thor_net.GROUPS for _, ch in g}}
                    | {f"band_embed.group{i}" for i in range(2, 10)} | {"norm.weight", "norm.bias"})
    with torch.device("meta"):
        ours = thor_net.build_encoder(768, 12, 12, 16)
    converted = thor_net.convert(official, 16)  # at the stored 16 px kernels
    assert ({k: tuple(v.shape) for k, v in ours.state_dict().items()}
            == {k: tuple(v.shape) for k, v in converted.items()})


def test_grid_and_pooled_equal_the_authors_wrapper_forward(published):
    wdir, wrapper = published
    cfg = get_config(weights_dir=str(wdir))
    patch = s2_patch(288, 288, bands=S2_BANDS, seed=8)
    grid, pooled = THORBase().embed_patch_both(patch, OutputSpec.grid(), config=cfg)
    assert grid.data.shape == (768, 36, 36) and pooled.data.shape == (768,)

    ours = {b: "B%02d" % int(b[1:]) if b[1:].isdigit() else b for b in _S2_SR_10_BANDS}  # B2 -> B02
    raw = patch.data[[S2_BANDS.index(ours[b]) for b in _S2_SR_10_BANDS]]  # rs-embed's S2 order
    x = torch.from_numpy(_normalize_s2_for_thor(raw, mode="thor_stats"))[None]
    with authors_timm(), torch.no_grad():
        merged, params = wrapper(x)
    assert params["S2:Blue"]["num_patch"] == 36 and params["S2:RE1"]["num_patch"] == 18
    expected = merged[0][0].numpy()  # (768, 36, 36): last block, groups merged by mean
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(grid.to_numpy(), expected, rtol=1e-5, atol=2e-5 * scale)
    np.testing.assert_allclose(pooled.data, expected.mean(axis=(1, 2)), rtol=1e-5, atol=2e-5 * scale)



def test_public_api_on_a_local_raster_is_georeferenced_and_described(published, tmp_path):
    import rasterio

    wdir, _ = published
    cfg = get_config(weights_dir=str(wdir))
    patch = s2_patch(288, 288, bands=S2_BANDS, seed=9)
    path = tmp_path / "s2.tif"
    order = list(reversed(thor_mod.BANDS))  # bands found by their descriptions
    with rasterio.open(path, "w", driver="GTiff", width=288, height=288, count=len(order), dtype="uint16",
                       crs=patch.grid.crs, transform=patch.grid.transform) as dst:
        dst.write(patch.data[[S2_BANDS.index(b) for b in order]].astype("uint16"))
        dst.descriptions = tuple(order)
    grid = api.get_embedding_from_data("thor", str(path), output=OutputSpec.grid(), config=cfg)
    t = patch.grid.transform
    assert grid.data.shape == (768, 36, 36) and grid.crs == patch.grid.crs
    assert tuple(grid.transform)[:6] == (80.0, 0.0, t.c, 0.0, -80.0, t.f)  # 8 px cells on the raster's grid
    m = grid.meta
    assert m["model"] == "thor" and m["bands"] == list(thor_mod.BANDS) and m["input_size"] == 288
    assert m["side_inputs"] == {"ground_cover_m": 2880, "band_gsd_m": [10, 20], "patch_size": 8,
                                "input_gsd_m": pytest.approx(10.0)}
    assert "gsd_note" not in m and m["preprocessing"]["normalisation"]["mean"] == list(thor_mod.MEAN)
    assert THORBase.weights.revision in m["weights"]["source"] and len(THORBase.weights.revision) == 40
    pooled = api.get_embedding_from_data("thor", str(path), output=OutputSpec.pooled(), config=cfg)
    np.testing.assert_allclose(pooled.data, grid.to_numpy().mean(axis=(1, 2)), rtol=1e-5, atol=1e-5)
    d = describe_model("thor")
    assert d["preprocessing"] == thor_mod.PREPROCESSING and d["outputs"]["grid"] == [768, 36, 36]
