"""Existing on-the-fly models against the authors' code, not against our rewrite.

Oracles (test-only, never imported by the plugin):
* Prithvi-EO 2.0 and TerraFM: the authors' modules ``prithvi_mae.py`` and
  ``terrafm.py`` as shipped (vendored, unchanged) in rs-embed 0.3.1
  (``rs_embed.embedders._vendor``), installed into the core env with
  ``pip install --no-deps --ignore-requires-python rs_embed-0.3.1-py3-none-any.whl``.
* DOFA (base and large) and Scale-MAE: torchgeo 0.8.1's implementations.

Each test builds the authors' model, gives it random weights, saves its own
``state_dict`` (so the file has exactly the official key names and shapes),
puts that file where our weight resolution finds it, and compares what our
embedder returns on an S2 patch with the authors' forward on the same,
identically preprocessed input. Prithvi runs with 2 of its 24 blocks (the full
key set is compared on the meta device); TerraFM and DOFA run full size.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from fixtures_models import s2_patch, spec_for

from rs_embed_qgis.embedders.base import EmbedRequest
from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.imagery.base import S2_BANDS
from rs_embed_qgis.embedders.models import dofa as dofa_mod
from rs_embed_qgis.embedders.models import prithvi as prithvi_mod
from rs_embed_qgis.embedders.models.dofa import DOFALargeS2, DOFAS2
from rs_embed_qgis.embedders.models.prithvi import PrithviS2_6B, PrithviS2_6B_TL
from rs_embed_qgis.embedders.models.terrafm import TerraFMB
from rs_embed_qgis.embedders.specs import BBox, OutputSpec, TemporalSpec

import torch  # noqa: E402  (the core env has it: make test installs every family)
# oracles: rs-embed 0.3.1 (the authors' prithvi_mae.py and terrafm.py), family "dev"
import rs_embed.embedders._vendor.prithvi_mae as vendor_prithvi  # noqa: E402
import rs_embed.embedders._vendor.terrafm as vendor_terrafm  # noqa: E402

TOL = dict(rtol=1e-4, atol=2e-4)
PRITHVI_CFG = dict(img_size=224, patch_size=(1, 16, 16), num_frames=4, in_chans=6, embed_dim=1024,
                   depth=24, num_heads=16, decoder_embed_dim=512, decoder_depth=8, decoder_num_heads=16,
                   mlp_ratio=4.0)  # the published config.json (pretrained_cfg) of both checkpoints


def close(a, b):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), **TOL)


def cosine(a, b):
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def tokens_of(grid):
    a = grid.to_numpy()
    return a.reshape(a.shape[0], -1).T


def randomize(module, seed):
    """Every parameter perturbed (LayerNorms around 1/0) so each one matters."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.ndim == 1 and ("norm" in name and name.endswith("weight")):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith("scale"):
                p.fill_(0.3)
            else:
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
    return module.eval()


@pytest.fixture
def place(cfg, monkeypatch):
    """Save a state dict where weight resolution looks first (<weights_dir>/<repo_id>/<file>)
    and pin the model's spec to that file's size and sha256 (the real pins name the
    published files)."""
    def put(cls, state):
        path = cfg.weights_dir / cls.weights.repo_id / cls.weights.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({k: v.contiguous() for k, v in state.items()}, path)
        monkeypatch.setattr(cls, "weights", spec_for(cls.weights, path))
        return path
    return put


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # nothing may be downloaded
    return get_config(weights_dir=str(tmp_path / "weights"))


# ---- Prithvi-EO 2.0 -----------------------------------------------------------------
def prithvi_input(patch):
    idx = [S2_BANDS.index(b) for b in ("B02", "B03", "B04", "B8A", "B11", "B12")]
    mean = np.array([1087, 1342, 1433, 2734, 1958, 1363], np.float32)[:, None, None]
    std = np.array([2248, 2179, 2178, 1850, 1242, 1049], np.float32)[:, None, None]
    return torch.from_numpy((patch.data[idx] - mean) / std)[None]  # authors' inference.py: (x - mean) / std


def authors_prithvi(tl, depth, seed):
    coords = dict(coords_encoding=["time", "location"], coords_scale_learn=True) if tl else {}
    # num_frames = number of input files, as the authors' inference.py sets it
    cfg = dict(PRITHVI_CFG, depth=depth, decoder_depth=1, num_frames=1, **coords)
    return randomize(vendor_prithvi.PrithviMAE(**cfg), seed)


def test_prithvi_encoder_key_set_is_the_authors_full_size_one():
    """Our encoder's tensors == the authors' PrithviMAE encoder (published config,
    24 blocks, with and without TL), minus the fixed pos_embed they discard."""
    from rs_embed_qgis.embedders.models.prithvi_net import PrithviEncoder, encoder_state_from_checkpoint

    for tl in (False, True):
        coords = dict(coords_encoding=["time", "location"], coords_scale_learn=True) if tl else {}
        with torch.device("meta"):
            official = vendor_prithvi.PrithviMAE(**PRITHVI_CFG, **coords).state_dict()
            ours = PrithviEncoder(coords=tl, **PrithviS2_6B.arch)
        kept = encoder_state_from_checkpoint(official)
        assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {k: tuple(v.shape) for k, v in kept.items()}
        assert set(official) - {"encoder." + k for k in kept} == (
            {"encoder.pos_embed"} | {k for k in official if k.startswith("decoder.")})


@pytest.mark.parametrize("tl", [False, True], ids=["300M", "300M-TL"])
def test_prithvi_tokens_equal_the_authors_forward_features(tl, cfg, place):
    """Grid tokens and pooled mean == the authors' ``forward_features(x, temporal_coords,
    location_coords)[-1]`` (class token dropped). For TL the side inputs are built as
    the authors' inference.py builds them: (year, tm_yday) and rasterio ``lnglat()``
    = (lon, lat). This checks our plumbing; which order the weights were trained with
    cannot be run here (the pretraining code is not public)."""
    depth = 2
    cls = PrithviS2_6B_TL if tl else PrithviS2_6B
    ref = authors_prithvi(tl, depth, seed=11 + tl)
    place(cls, ref.state_dict())
    emb = cls()
    emb.arch = dict(prithvi_mod.ARCH, depth=depth)
    patch = s2_patch(224, 224, bands=S2_BANDS, seed=21)
    req = EmbedRequest(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=TemporalSpec.range("2021-03-01", "2021-05-01"),
                       output=OutputSpec.grid(), config=cfg)
    grid, pooled = emb.embed_patch_both(patch, OutputSpec.grid(), request=req, config=cfg)
    tc = lc = None
    if tl:
        from pyproj import Transformer

        mid = dt.date(2021, 3, 31)  # midpoint of [Mar 1, May 1)
        xmin, ymin, xmax, ymax = patch.grid.bounds
        lon, lat = Transformer.from_crs(patch.grid.crs, "EPSG:4326", always_xy=True).transform(
            (xmin + xmax) / 2, (ymin + ymax) / 2)
        tc = torch.tensor([[[2021.0, float(mid.timetuple().tm_yday)]]])
        lc = torch.tensor([[lon, lat]], dtype=torch.float32)
        assert grid.meta["side_inputs"]["location_coords"] == pytest.approx({"lon": lon, "lat": lat})
        assert grid.meta["side_inputs"]["location_order"] == "(lon, lat)"
    with torch.no_grad():
        expected = ref.forward_features(prithvi_input(patch), tc, lc)[-1][0, 1:].numpy()
    close(tokens_of(grid), expected)
    close(pooled.data, expected.mean(0))
    if tl:  # the side inputs change the output, and swapping them would too
        with torch.no_grad():
            swapped = ref.forward_features(prithvi_input(patch), tc, lc.flip(-1))[-1][0, 1:].numpy()
        assert np.abs(swapped - expected).max() > 1e-3


# ---- TerraFM ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def terrafm_ref():
    return randomize(vendor_terrafm.terrafm_base(), seed=31)


def test_terrafm_key_set_is_the_authors_one(terrafm_ref):
    from rs_embed_qgis.embedders.models.terrafm_net import terrafm_base

    with torch.device("meta"):
        ours = terrafm_base(TerraFMB.depth)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in terrafm_ref.state_dict().items()}


def terrafm_run(cfg, place, terrafm_ref, options, patch):
    place(TerraFMB, terrafm_ref.state_dict())
    req = EmbedRequest(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=TemporalSpec.year(2021),
                       output=OutputSpec.grid(), options=options, config=cfg)
    return TerraFMB().embed_patch_both(patch, OutputSpec.grid(), request=req, config=cfg)


def test_terrafm_default_is_the_authors_documented_output(cfg, place, terrafm_ref):
    """Default pooled == the authors' ``model(x)`` (normed class token, 12 bands through
    their default L1C patch embedding); grid == their ``extract_feature`` of the last
    block (normed patch tokens)."""
    patch = s2_patch(224, 224, bands=S2_BANDS, seed=22)
    patch.data[3, :20, :20] = 14000.0  # clipped to 1.0
    grid, pooled = terrafm_run(cfg, place, terrafm_ref, {}, patch)
    x = torch.from_numpy(np.clip(patch.data / 10000.0, 0, 1))[None]
    with torch.no_grad():
        cls_tok = terrafm_ref(x)[0].numpy()
        fmap = terrafm_ref.extract_feature(x, out_indices=[11])[0][0].numpy()
    close(pooled.data, cls_tok)
    close(grid.to_numpy(), fmap)
    assert grid.meta["side_inputs"] == {"terrafm_input": "s2_l1c", "terrafm_pooled": "cls"}
    assert "class token" in pooled.meta["pooled_from"]
    assert cosine(pooled.data, tokens_of(grid).mean(0)) < 0.99  # not the patch mean


def test_terrafm_l2a_patch_mean_option_is_recorded_and_matches_the_authors_l2a_branch(cfg, place, terrafm_ref, monkeypatch):
    import functools

    patch = s2_patch(224, 224, bands=S2_BANDS, seed=23)
    grid, pooled = terrafm_run(cfg, place, terrafm_ref, {"terrafm_input": "s2_l2a", "terrafm_pooled": "patch_mean"}, patch)
    x = torch.from_numpy(np.clip(patch.data / 10000.0, 0, 1))[None]
    pe = terrafm_ref.patch_embed
    monkeypatch.setattr(pe, "forward", functools.partial(type(pe).forward, pe, is_l2a=True))
    with torch.no_grad():
        fmap = terrafm_ref.extract_feature(x, out_indices=[11])[0][0].numpy()
    close(grid.to_numpy(), fmap)
    close(pooled.data, fmap.reshape(768, -1).mean(1))
    assert pooled.meta["side_inputs"] == {"terrafm_input": "s2_l2a", "terrafm_pooled": "patch_mean"}


# ---- DOFA (torchgeo) ----------------------------------------------------------------
def dofa_input(patch):
    order = ["B04", "B03", "B02", "B05", "B06", "B07", "B08", "B11", "B12"]
    v = np.clip(patch.data[[S2_BANDS.index(b) for b in order]] / 10000.0, 0, 1) * 255.0
    x = (v - np.array(dofa_mod.MEAN)[:, None, None]) / np.array(dofa_mod.STD)[:, None, None]
    return torch.from_numpy(x).float()[None]


@pytest.mark.parametrize("cls,factory", [(DOFAS2, "dofa_base_patch16_224"), (DOFALargeS2, "dofa_large_patch16_224")],
                         ids=["base", "large"])
def test_dofa_pooled_is_torchgeo_forward_features_and_tokens_its_last_block(cls, factory, cfg, place):
    """Pooled == torchgeo ``forward_features`` (fc_norm of the token mean; fc_norm as
    torchgeo creates it, not in the checkpoint); grid == the output of torchgeo's
    last block (captured by a hook), class token dropped."""
    import torchgeo.models as tgm

    ref = randomize(getattr(tgm, factory)(weights=None), seed=41)
    ref.fc_norm.reset_parameters()  # generated at load time, never in the MAE files
    place(cls, {k: v for k, v in ref.state_dict().items() if not k.startswith(("fc_norm.", "head."))})
    patch = s2_patch(224, 224, bands=S2_BANDS, seed=24)
    grid, pooled = cls().embed_patch_both(patch, OutputSpec.grid(), config=cfg)
    seen = {}
    ref.blocks[-1].register_forward_hook(lambda m, i, o: seen.update(out=o))
    with torch.no_grad():
        expected = ref.forward_features(dofa_input(patch), list(dofa_mod.WAVELENGTHS_UM))[0].numpy()
    assert pooled.data.shape == (cls.dim,) and grid.data.shape == (cls.dim, 14, 14)
    close(pooled.data, expected)
    assert cosine(pooled.data, expected) > 0.99999
    close(tokens_of(grid), seen["out"][0, 1:].numpy())
    assert pooled.meta["pooled_from"].startswith("fc_norm")


def test_dofa_grid_is_shifted_by_the_patch_convolution_padding():
    """torchgeo's DOFA patch embedding (stride 16, padding 1): an impulse at input
    pixel 16k-1 changes token k only (not k-1, as an unpadded convolution would).
    Our grid transform puts cell k over that pixel's ground: origin shifted by
    one input pixel up-left."""
    import torchgeo.models as tgm

    model = randomize(tgm.dofa_base_patch16_224(weights=None), seed=42)
    waves = torch.tensor(dofa_mod.WAVELENGTHS_UM)
    k = 5
    x = torch.zeros(1, 9, 224, 224)
    with torch.no_grad():
        base, _ = model.patch_embed(x, waves)
        x[0, :, 16 * k - 1, 16 * k - 1] = 1.0
        hit, _ = model.patch_embed(x, waves)
    changed = (hit - base).abs().sum(-1)[0].reshape(14, 14)
    assert changed.nonzero().tolist() == [[k, k]]

    # the same geometry through our framework: a 224 px patch at 10 m, resized 1:1
    patch = s2_patch(224, 224, bands=S2_BANDS, seed=25, origin=(500000.0, 5700000.0))
    emb = DOFAS2()
    emb._models["cpu"] = model  # the model is not what is tested here, only the transform
    grid = emb.embed_patch(patch, OutputSpec.grid(), device="cpu", config=get_config())
    t = grid.transform
    assert (t.a, t.e) == (160.0, -160.0)
    assert (t.c, t.f) == (500000.0 - 10.0, 5700000.0 + 10.0)
    px = patch.grid.transform @ (16 * k - 1 + 0.5, 16 * k - 1 + 0.5)  # the impulse pixel's centre
    col, row = ~t @ px
    assert (int(np.floor(col)), int(np.floor(row))) == (k, k)
    assert grid.meta["grid_offset_px"] == 1


# ---- Prithvi with T > 1 frames ----------------------------------------------------
def test_prithvi_tl_two_frames_equal_the_authors_temporal_forward(cfg, place, monkeypatch):
    """options frames=2: the window [Mar 1, May 1) is split into [Mar 1, Mar 31) and
    [Mar 31, May 1), one composite each (the imagery fetch is replaced here by two
    known patches, recorded per window); the stack (B, 6, 2, H, W) with per-frame
    (year, day-of-year) goes through the authors' forward_features (num_frames=2,
    as their inference.py sets it from the file count); each cell = mean of its 2
    frame tokens."""
    from rs_embed_qgis.embedders.models.base import OnTheFlyEmbedder

    depth = 2
    coords = dict(coords_encoding=["time", "location"], coords_scale_learn=True)
    ref = randomize(vendor_prithvi.PrithviMAE(**dict(PRITHVI_CFG, depth=depth, decoder_depth=1, num_frames=2,
                                                     **coords)), seed=13)
    place(PrithviS2_6B_TL, ref.state_dict())
    frames = {"2021-03-01": s2_patch(224, 224, bands=S2_BANDS, seed=31),
              "2021-03-31": s2_patch(224, 224, bands=S2_BANDS, seed=32)}
    asked = []

    def fake_fetch(self, request, progress=None):
        asked.append((request.temporal.start.isoformat(), request.temporal.end.isoformat()))
        return frames[request.temporal.start.isoformat()]

    monkeypatch.setattr(OnTheFlyEmbedder, "fetch_patch", fake_fetch)
    emb = PrithviS2_6B_TL()
    emb.arch = dict(prithvi_mod.ARCH, depth=depth)
    req = EmbedRequest(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=TemporalSpec.range("2021-03-01", "2021-05-01"),
                       output=OutputSpec.grid(), options={"frames": 2}, config=cfg)
    grid, pooled = emb.embed_grid_and_pooled(req)
    assert asked == [("2021-03-01", "2021-03-31"), ("2021-03-31", "2021-05-01")]
    assert grid.data.shape == (1024, 14, 14) and grid.meta["frames"] == 2
    tcs = [(2021.0, float(dt.date(2021, 3, 16).timetuple().tm_yday)), (2021.0, float(dt.date(2021, 4, 15).timetuple().tm_yday))]
    assert grid.meta["side_inputs"]["temporal_coords"] == [{"year": y, "day_of_year": d} for y, d in tcs]
    lon, lat = grid.meta["side_inputs"]["location_coords"]["lon"], grid.meta["side_inputs"]["location_coords"]["lat"]
    x = torch.stack([prithvi_input(frames["2021-03-01"])[0], prithvi_input(frames["2021-03-31"])[0]], dim=1)[None]
    with torch.no_grad():
        out = ref.forward_features(x, torch.tensor([tcs]), torch.tensor([[lon, lat]], dtype=torch.float32))[-1]
    expected = out[0, 1:].reshape(2, 196, 1024).mean(0).numpy()
    close(tokens_of(grid), expected)
    close(pooled.data, expected.mean(0))
    assert emb.bands == prithvi_mod.BANDS and emb.frames == 1  # restored after the call


def test_prithvi_frames_option_is_checked():
    from rs_embed_qgis.embedders.errors import SpecError
    from rs_embed_qgis.embedders.models.frames import split_window

    frame_count = PrithviS2_6B().frame_count

    for bad in (0, 9, "two", 2.5):
        with pytest.raises(SpecError, match="frames"):
            frame_count(EmbedRequest(spatial=None, temporal=None, output=OutputSpec.grid(), options={"frames": bad}))
    with pytest.raises(SpecError, match="too short"):
        split_window(TemporalSpec.range("2021-03-01", "2021-03-03"), 3)
    tiled = dict(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=TemporalSpec.year(2021), output=OutputSpec.grid(),
                 input_prep="tile")
    assert PrithviS2_6B().supports_chunks(EmbedRequest(**tiled))  # one frame: the chunk engine may run it
    assert not PrithviS2_6B().supports_chunks(EmbedRequest(options={"frames": 2}, **tiled))  # frames: whole path
    parts = split_window(TemporalSpec.year(2021), 4)
    assert [p.start.isoformat() for p in parts] == ["2021-01-01", "2021-04-02", "2021-07-02", "2021-10-02"]  # day 0, 91, 182, 274 of 365
    assert parts[-1].end.isoformat() == "2022-01-01"
