"""``clay`` (Clay v1.5) against the authors' code.

Oracle: the authors' encoder (Clay-foundation/model ``claymodel/model.py``
``Encoder`` with its ``factory.py``, ``backbone.py``, ``utils.py``) as shipped
unchanged in rs-embed 0.3.1 (``rs_embed.embedders._vendor.clay``, test-only,
family "dev"). It gets random weights with 2 of its 24 blocks (the full-size
key set is compared on the meta device) and is saved as the authors'
Lightning checkpoint stores it: ``{"state_dict": {"model.encoder.*", decoder,
projection and teacher keys}, "hyper_parameters": {...}, ...}``. The side
inputs are built with the formulas of the authors' tutorial
(``normalize_timestamp`` / ``normalize_latlon``, transcribed in rs-embed's
adapter) and the encoder is called as the tutorial calls it, on the same
normalised input; its output ``[:, 0]`` is the embedding, ``[:, 1:]`` the
patch tokens.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from fixtures_models import s2_patch, spec_for

from rs_embed_qgis.embedders import api, describe_model
from rs_embed_qgis.embedders.base import EmbedRequest
from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import DownloadError
from rs_embed_qgis.embedders.imagery.base import S2_BANDS
from rs_embed_qgis.embedders.models import clay as clay_mod
from rs_embed_qgis.embedders.models.clay import ClayV15
from rs_embed_qgis.embedders.specs import BBox, OutputSpec, TemporalSpec

import torch  # noqa: E402  (the core env has it: make test installs every family)
# oracle: rs-embed 0.3.1 (the authors' Clay encoder, vendored unchanged), family "dev"
import rs_embed.embedders._vendor.clay.model as vendor  # noqa: E402
from rs_embed.embedders import onthefly_clay as rs_clay  # noqa: E402

DEPTH = 2
TOL = dict(rtol=1e-4, atol=2e-4)
WHEN = TemporalSpec.range("2021-06-01", "2021-07-01")
MID = dt.datetime(2021, 6, 16)  # midpoint of [Jun 1, Jul 1), hour 0


def cells(a):
    """(D, H, W) -> (H * W, D), row-major like the model's tokens."""
    return a.reshape(a.shape[0], -1).T


def tokens_of(grid):
    return cells(grid.to_numpy())


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(weights_dir, checkpoint path, the authors' encoder with those weights)."""
    ref = vendor.Encoder(mask_ratio=0.0, patch_size=8, shuffle=False, depth=DEPTH,
                         **{k: v for k, v in vendor.ENCODER_SIZE_ARGS["large"].items() if k != "depth"})
    g = torch.Generator().manual_seed(17)
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if "norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.add_(0.05 * torch.randn(p.shape, generator=g))
    state = {f"model.encoder.{k}": v for k, v in ref.state_dict().items()}
    state.update({"model.decoder.cls_token": torch.zeros(1, 1, 512), "model.proj.weight": torch.zeros(768, 1024),
                  "model.teacher.pos_embed": torch.zeros(1, 4, 768)})
    wdir = tmp_path_factory.mktemp("clay_w")
    path = wdir / ClayV15.weights.repo_id / ClayV15.weights.filename
    path.parent.mkdir(parents=True)
    torch.save({"state_dict": state, "epoch": 76, "global_step": 123, "pytorch-lightning_version": "2.1.0",
                "hyper_parameters": {"model_size": "large", "mask_ratio": 0.75, "patch_size": 8,
                                     "shuffle": True, "metadata_path": "configs/metadata.yaml",
                                     "teacher": "samvit_base_patch16.sa1b", "dolls": [16, 32, 64, 128, 256, 768],
                                     "embeddings_level": "mean"}}, path)
    return wdir, path, ref.eval()


@pytest.fixture
def cfg(published, monkeypatch):
    wdir, path, _ = published
    monkeypatch.setattr(ClayV15, "weights", spec_for(ClayV15.weights, path))
    monkeypatch.setattr(ClayV15, "depth", DEPTH)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # nothing may be downloaded
    return get_config(weights_dir=str(wdir))


def centre_lonlat(patch):
    from pyproj import Transformer

    xmin, ymin, xmax, ymax = patch.grid.bounds
    return Transformer.from_crs(patch.grid.crs, "EPSG:4326", always_xy=True).transform(
        (xmin + xmax) / 2, (ymin + ymax) / 2)


def authors_forward(ref, data, lonlat, gsd=10.0, when=MID):
    """The tutorial's datacube for a (10, 256, 256) reflectance array in our band order."""
    x = (data - rs_clay._CLAY_S2_MEAN[:, None, None]) / rs_clay._CLAY_S2_STD[:, None, None]
    lon, lat = lonlat
    time = rs_clay._normalize_clay_timestamp(when) if when else np.zeros(4, np.float32)
    cube = {"pixels": torch.from_numpy(x.astype(np.float32))[None],
            "time": torch.from_numpy(time)[None],
            "latlon": torch.from_numpy(rs_clay._normalize_clay_latlon(lat, lon))[None],
            "gsd": torch.tensor(gsd), "waves": torch.from_numpy(rs_clay._CLAY_S2_WAVELENGTHS_UM)}
    with torch.no_grad():
        out = ref(cube)[0][0].numpy()
    return out[1:], out[0]


def test_constants_and_key_set_are_the_authors():
    """Band order, mean/std and wavelengths == metadata.yaml's sentinel-2-l2a entry (as
    rs-embed transcribed it); our full-size encoder's tensors == the authors' large
    encoder's, and the checkpoint's ``model.encoder.*`` keys are what we load."""
    from rs_embed_qgis.embedders.models.clay_net import clay_encoder, encoder_state_from_checkpoint

    assert [b.replace("B0", "B") for b in clay_mod.BANDS] == rs_clay._CLAY_S2_BANDS
    assert clay_mod.MEAN == tuple(rs_clay._CLAY_S2_MEAN) and clay_mod.STD == tuple(rs_clay._CLAY_S2_STD)
    np.testing.assert_array_equal(np.float32(clay_mod.WAVELENGTHS_UM), rs_clay._CLAY_S2_WAVELENGTHS_UM)
    with torch.device("meta"):
        official = vendor.clay_encoder("large").state_dict()
        ours = clay_encoder("large").state_dict()
    assert {k: tuple(v.shape) for k, v in ours.items()} == {k: tuple(v.shape) for k, v in official.items()}
    ckpt = {f"model.encoder.{k}": v for k, v in official.items()} | {"model.decoder.x": 0, "model.teacher.y": 0}
    assert set(encoder_state_from_checkpoint(ckpt)) == set(official)
    assert len(official) == 1 + 18 + 4 + 24 * 10 + 2  # cls, kernel generator, wave MLP, 24 blocks, final norm


def test_grid_and_pooled_equal_the_authors_encoder(cfg, published):
    """Grid == the authors' patch tokens, pooled == their class token, on the same
    normalised input with the same time, lat/lon, gsd and wavelengths."""
    _, _, ref = published
    patch = s2_patch(256, 256, bands=S2_BANDS, seed=5)
    req = EmbedRequest(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=WHEN, output=OutputSpec.grid(), config=cfg)
    grid, pooled = ClayV15().embed_patch_both(patch, OutputSpec.grid(), request=req, config=cfg)
    assert grid.data.shape == (1024, 32, 32) and pooled.data.shape == (1024,)
    lonlat = centre_lonlat(patch)
    data = patch.data[[S2_BANDS.index(b) for b in clay_mod.BANDS]]
    tokens, cls_tok = authors_forward(ref, data, lonlat)
    np.testing.assert_allclose(tokens_of(grid), tokens, **TOL)
    np.testing.assert_allclose(pooled.data, cls_tok, **TOL)
    assert pooled.meta["pooled_from"].startswith("class token")
    side = grid.meta["side_inputs"]
    assert side["time_midpoint"] == "2021-06-16" and side["gsd_m"] == 10.0
    assert (side["lon"], side["lat"]) == pytest.approx(lonlat)
    # the side inputs reach the model: another date or location changes the tokens
    other_time, _ = authors_forward(ref, data, lonlat, when=dt.datetime(2021, 12, 16))
    swapped, _ = authors_forward(ref, data, lonlat[::-1])
    assert np.abs(other_time - tokens).max() > 1e-3 and np.abs(swapped - tokens).max() > 1e-3


def test_resized_patch_uses_the_model_input_gsd_and_no_window_zero_time(cfg, published):
    """A 512 px patch resized to 256 px: gsd 20 m reaches the position code; without a
    time window the time code is zeros (the authors' 'unknown metadata' state)."""
    import torch.nn.functional as F

    _, _, ref = published
    patch = s2_patch(512, 512, bands=S2_BANDS, seed=6)
    grid, pooled = ClayV15().embed_patch_both(patch, OutputSpec.grid(), config=cfg)
    data = torch.from_numpy(patch.data[[S2_BANDS.index(b) for b in clay_mod.BANDS]])[None]
    small = F.interpolate(data, size=(256, 256), mode="bilinear", align_corners=False, antialias=True)[0].numpy()
    tokens, cls_tok = authors_forward(ref, small, centre_lonlat(patch), gsd=20.0, when=None)
    np.testing.assert_allclose(tokens_of(grid), tokens, **TOL)
    np.testing.assert_allclose(pooled.data, cls_tok, **TOL)
    assert grid.meta["input_gsd_m"] == 20.0 and grid.meta["side_inputs"]["time"] == [0.0] * 4
    assert (grid.transform.a, grid.transform.e) == (160.0, -160.0)


def test_tiles_run_at_native_gsd_and_pool_their_class_tokens(cfg, published):
    """input_prep=tile on a 256 x 512 patch: two native 10 m tiles side by side, each
    with the patch centre's lat/lon; grid = their token grids stitched (32 x 64 cells
    of 80 m), pooled = the mean of their class tokens."""
    _, _, ref = published
    patch = s2_patch(256, 512, bands=S2_BANDS, seed=8)
    req = EmbedRequest(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=WHEN, output=OutputSpec.grid(), config=cfg)
    grid, pooled = ClayV15().embed_patch_both(patch, OutputSpec.grid(), input_prep="tile", request=req, config=cfg)
    assert grid.data.shape == (1024, 32, 64) and grid.transform.a == 80.0
    data = patch.data[[S2_BANDS.index(b) for b in clay_mod.BANDS]]
    lonlat = centre_lonlat(patch)
    left, cls_l = authors_forward(ref, data[:, :, :256], lonlat)
    right, cls_r = authors_forward(ref, data[:, :, 256:], lonlat)
    g = grid.to_numpy()
    np.testing.assert_allclose(cells(g[:, :, :32]), left, **TOL)
    np.testing.assert_allclose(cells(g[:, :, 32:]), right, **TOL)
    np.testing.assert_allclose(pooled.data, (cls_l + cls_r) / 2, **TOL)
    assert grid.meta["input_gsd_m"] == 10.0


def test_public_api_on_a_local_raster(cfg, published, tmp_path):
    """get_grid_and_pooled("clay") on a GeoTIFF: token grid georeferenced on the
    raster's grid (8 px = 80 m cells from its origin), values == the authors' encoder,
    metadata naming the preprocessing and weights."""
    import rasterio

    _, _, ref = published
    patch = s2_patch(256, 256, bands=S2_BANDS, seed=7, origin=(500000.0, 5700000.0))
    path = tmp_path / "s2.tif"
    with rasterio.open(path, "w", driver="GTiff", width=256, height=256, count=len(S2_BANDS), dtype="float32",
                       crs=patch.grid.crs, transform=patch.grid.transform) as dst:
        dst.write(patch.data)
        for i, b in enumerate(S2_BANDS, 1):
            dst.set_band_description(i, b)
    from rasterio.warp import transform_bounds

    fp = patch.grid.bounds
    spatial = BBox(*transform_bounds(patch.grid.crs, "EPSG:4326", *fp), footprint=[patch.grid.crs, *fp])
    grid, pooled = api.get_grid_and_pooled("clay", spatial=spatial, temporal=WHEN, backend="local",
                                           device="cpu", config=cfg, input_raster=str(path))
    assert grid.data.shape == (1024, 32, 32) and pooled.data.shape == (1024,)
    t = grid.transform
    assert (t.a, t.b, t.c, t.d, t.e, t.f) == (80.0, 0.0, 500000.0, 0.0, -80.0, 5700000.0)
    assert str(grid.crs).endswith("32631")
    tokens, cls_tok = authors_forward(ref, patch.data[[S2_BANDS.index(b) for b in clay_mod.BANDS]],
                                      centre_lonlat(patch))
    np.testing.assert_allclose(tokens_of(grid), tokens, **TOL)
    np.testing.assert_allclose(pooled.data, cls_tok, **TOL)
    meta = grid.meta
    assert meta["model"] == "clay" and meta["bands"] == list(clay_mod.BANDS) and meta["patch_size"] == 8
    assert meta["preprocessing"]["normalisation"]["mean"] == list(clay_mod.MEAN)
    assert meta["weights"]["source"] == ("hf://made-with-clay/Clay@2033cf5c59afbd8fef655008d0b0a9d6861951c8"
                                         "/v1.5/clay-v1.5.ckpt")
    described = describe_model("clay")
    assert described["preprocessing"]["side_inputs"]["wavelengths_um"] == list(clay_mod.WAVELENGTHS_UM)


def test_a_checkpoint_without_the_encoder_is_refused(cfg, tmp_path, monkeypatch):
    path = tmp_path / ClayV15.weights.repo_id / ClayV15.weights.filename
    path.parent.mkdir(parents=True)
    torch.save({"state_dict": {"model.decoder.cls_token": torch.zeros(1, 1, 512)}}, path)
    monkeypatch.setattr(ClayV15, "weights", spec_for(ClayV15.weights, path))
    with pytest.raises(DownloadError, match="model.encoder"):
        ClayV15().embed_patch(s2_patch(256, 256, bands=S2_BANDS), config=get_config(weights_dir=str(tmp_path)))
