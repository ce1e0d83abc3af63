"""``galileo`` against the authors' code.

Oracle: ``single_file_galileo.py`` of nasaharvest/galileo as shipped unchanged in
rs-embed 0.3.1 (``rs_embed.embedders._vendor.galileo_single_file``, test-only,
family "dev"). Its ``Encoder`` is built from the published nano encoder config
(``models/nano/config.json``: 128 wide, 4 blocks, 8 heads, mlp ratio 4, patch 8),
every parameter randomised (channel, month and time codes included), and its
``state_dict`` saved as ``models/nano/encoder.pt`` beside that ``config.json``:
the layout of the Hugging Face repository, where our weight resolution finds it.

The oracle's input is built as the authors' ``construct_galileo_input(s2=...,
normalize=True)`` builds it (``src/data/utils.py``, not in the trimmed single
file): the 10 S2 bands in their slots of the 13 space-time bands, everything
else zero, only the "S2" channel groups visible, the pretraining statistics
(``config/normalization.json``, as rs-embed copies them) applied by the
``Normalizer(std=True)`` rule ``(x - (mean - 2 std)) / (4 std)``. Outputs
compared: ``apply_mask_and_average_tokens_per_patch`` (grid) and
``average_tokens`` (pooled).
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from fixtures_models import s2_geotiff_around, s2_patch, spec_for

from rs_embed_qgis.embedders.base import EmbedRequest
from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import DownloadError
from rs_embed_qgis.embedders.imagery.base import S2_BANDS
from rs_embed_qgis.embedders.models.galileo import GalileoNano
from rs_embed_qgis.embedders.models.galileo_net import GalileoS2Encoder
from rs_embed_qgis.embedders.specs import BBox, OutputSpec, TemporalSpec

import torch  # noqa: E402  (the core env has it: make test installs every family)
# oracle: rs-embed 0.3.1 (the authors' single_file_galileo.py), family "dev"
import rs_embed.embedders._vendor.galileo_single_file as vendor  # noqa: E402
from rs_embed.embedders.onthefly_galileo import _GALILEO_PRETRAIN_STATS  # noqa: E402

TOL = dict(rtol=1e-4, atol=2e-4)
# "model.encoder" of the published config.json files (config/models/<size>.json)
PUBLISHED = {"nano": dict(embedding_size=128, depth=4, num_heads=8, mlp_ratio=4, max_sequence_length=24,
                          freeze_projections=False, drop_path=0.1, max_patch_size=8),
             "tiny": dict(embedding_size=192, depth=12, num_heads=3, mlp_ratio=4, max_sequence_length=24,
                          freeze_projections=False, drop_path=0.1, max_patch_size=8),
             "base": dict(embedding_size=768, depth=12, num_heads=12, mlp_ratio=4, max_sequence_length=24,
                          freeze_projections=False, drop_path=0.1, max_patch_size=8)}


def randomize(module, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
    return module.eval()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(weights_dir, the authors' encoder with the weights saved there)."""
    ref = randomize(vendor.Encoder(**PUBLISHED["nano"]), 11)
    wdir = tmp_path_factory.mktemp("galileo_w")
    folder = wdir / "nasaharvest/galileo/models/nano"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"training": {}, "model": {"encoder": PUBLISHED["nano"]}}))
    torch.save(ref.state_dict(), folder / "encoder.pt")
    return wdir, ref


@pytest.fixture
def emb(published, monkeypatch):
    wdir, _ = published
    folder = wdir / "nasaharvest/galileo/models/nano"
    monkeypatch.setattr(GalileoNano, "weights", spec_for(GalileoNano.weights, folder / "encoder.pt"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return GalileoNano(), get_config(weights_dir=str(wdir))


def authors_forward(ref, data, months, input_res):
    """data (T, 10, H, W) reflectance x 10^4 in the authors' S2_BANDS order, months (T,) 0-based
    -> (grid (H'W', D), pooled (D,))."""
    t, _, h, w = data.shape
    stats = _GALILEO_PRETRAIN_STATS["13"]
    mean, std = np.array(stats["mean"]), np.array(stats["std"])
    shift, div = mean - 2 * std, 4 * std
    shift[-1], div[-1] = 0.0, 1.0  # NDVI keeps the Normalizer's default shift/div
    s_t_x = np.zeros((1, h, w, t, len(vendor.SPACE_TIME_BANDS)))
    s_t_x[0][..., [vendor.SPACE_TIME_BANDS.index(b) for b in vendor.S2_BANDS]] = data.transpose(2, 3, 0, 1)
    s_t_x = torch.from_numpy((s_t_x - shift) / div).float()
    s_t_m = torch.ones(1, h, w, t, len(vendor.SPACE_TIME_BANDS_GROUPS_IDX))
    s_t_m[..., [i for i, k in enumerate(vendor.SPACE_TIME_BANDS_GROUPS_IDX) if "S2" in k]] = 0
    sp_x = torch.zeros(1, h, w, len(vendor.SPACE_BANDS))
    t_x, st_x = torch.zeros(1, t, len(vendor.TIME_BANDS)), torch.zeros(1, len(vendor.STATIC_BANDS))
    masks = (torch.ones(1, h, w, len(vendor.SPACE_BAND_GROUPS_IDX)), torch.ones(1, t, len(vendor.TIME_BAND_GROUPS_IDX)),
             torch.ones(1, len(vendor.STATIC_BAND_GROUPS_IDX)))
    with torch.no_grad():
        out = ref(s_t_x, sp_x, t_x, st_x, s_t_m, *masks, torch.tensor([list(months)]), patch_size=8,
                  input_resolution_m=input_res)
        grid = ref.apply_mask_and_average_tokens_per_patch(*out[:8])[0]
        pooled = ref.average_tokens(*out[:8])[0]
    return grid.numpy(), pooled.numpy()


def s2_order(patch):
    """(1, 10, H, W): one frame in the model's band order."""
    return patch.data[[S2_BANDS.index(b) for b in GalileoNano.bands]].astype(np.float64)[None]


def test_key_set_and_shapes_are_the_authors_for_every_published_size(monkeypatch):
    # the FlexiPatchEmbed resize matrices (pinvs) are a plain dict, not state: not built here
    monkeypatch.setattr(vendor.FlexiPatchEmbed, "_cache_pinvs", lambda self: {})
    for size, enc in PUBLISHED.items():
        with torch.device("meta"):
            ours = {k: tuple(v.shape) for k, v in GalileoS2Encoder(**enc).state_dict().items()}
            theirs = {k: tuple(v.shape) for k, v in vendor.Encoder(**enc).state_dict().items()}
        assert ours == theirs, size


def test_grid_and_pooled_equal_the_authors_encoder(emb, published):
    e, cfg = emb
    _, ref = published
    patch = s2_patch(64, 64, bands=S2_BANDS, seed=5)
    req = EmbedRequest(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=TemporalSpec.range("2021-03-01", "2021-05-01"),
                       output=OutputSpec.grid(), config=cfg)
    grid, pooled = e.embed_patch_both(patch, OutputSpec.grid(), request=req, config=cfg)
    assert grid.data.shape == (128, 8, 8) and pooled.data.shape == (128,)
    assert grid.meta["side_inputs"]["months_0_based"] == [2]  # midpoint 31 March 2021
    exp_grid, exp_pooled = authors_forward(ref, s2_order(patch), [2], 10.0)
    np.testing.assert_allclose(grid.to_numpy().reshape(128, -1).T, exp_grid, **TOL)
    np.testing.assert_allclose(pooled.data, exp_pooled, **TOL)
    # the month reaches the model: another month gives another embedding
    other, _ = authors_forward(ref, s2_order(patch), [8], 10.0)
    assert np.abs(other - exp_grid).max() > 1e-2


def test_tiles_at_20_m_equal_the_authors_encoder_told_20_m(emb, published):
    """Native 20 m tiles: input_resolution_m = 20 reaches the model, each tile's tokens
    land on its own cells, and cells are 8 native pixels on the imagery grid."""
    e, cfg = emb
    _, ref = published
    patch = s2_patch(128, 128, bands=S2_BANDS, seed=6, res=20.0)
    grid, pooled = e.embed_patch_both(patch, OutputSpec.grid(), input_prep="tile", config=cfg)
    assert grid.data.shape == (128, 16, 16) and grid.meta["input_gsd_m"] == 20.0
    assert grid.meta["side_inputs"]["months_0_based"] == [5]  # no window: the authors' default month
    t, tp = grid.transform, patch.grid.transform
    assert (t.a, t.e, t.c, t.f) == (160.0, -160.0, tp.c, tp.f)
    full = s2_order(patch)
    tiles = []
    for r in range(2):
        for c in range(2):
            g, _ = authors_forward(ref, full[..., r * 64:(r + 1) * 64, c * 64:(c + 1) * 64], [5], 20.0)
            tiles.append(g)
            got = grid.to_numpy()[:, r * 8:(r + 1) * 8, c * 8:(c + 1) * 8].reshape(128, -1).T
            np.testing.assert_allclose(got, g, **TOL)
    np.testing.assert_allclose(pooled.data, np.concatenate(tiles).mean(0), **TOL)
    told_10, _ = authors_forward(ref, full[..., :64, :64], [5], 10.0)
    assert np.abs(told_10 - tiles[0]).max() > 1e-2


def test_public_api_on_a_local_raster_is_georeferenced_and_recorded(emb, tmp_path):
    from rs_embed_qgis.embedders.api import get_grid_and_pooled
    from rs_embed_qgis.embedders.imagery.fetch import target_grid
    from rs_embed_qgis.embedders.specs import PointBuffer

    _, cfg = emb
    lon, lat = 3.1, 52.0
    tif, epsg = s2_geotiff_around(tmp_path / "s2.tif", lon, lat, 200, seed=8)
    roi = PointBuffer(lon, lat, 640)
    grid, pooled = get_grid_and_pooled("galileo", spatial=roi, temporal=TemporalSpec.range("2022-07-01", "2022-08-01"),
                                       backend="local", input_raster=str(tif), config=cfg)
    g = target_grid(roi, 10.0)
    assert grid.data.shape == (128, 8, 8) and pooled.data.shape == (128,) and grid.crs == g.crs
    assert (grid.transform.c, grid.transform.f) == (g.transform.c, g.transform.f)
    assert grid.transform.a == pytest.approx(g.width * 10.0 / 8)
    assert grid.transform.e == pytest.approx(-g.height * 10.0 / 8)
    np.testing.assert_allclose(pooled.data, grid.to_numpy().reshape(128, -1).mean(1), rtol=1e-5, atol=1e-6)
    m = grid.meta
    assert m["model"] == "galileo" and m["imagery_source"] == "local" and m["bands"] == list(GalileoNano.bands)
    assert m["side_inputs"]["months_0_based"] == [6] and m["side_inputs"]["frames"] == 1
    assert m["side_inputs"]["input_resolution_m"] == pytest.approx(g.width * 10.0 / 64)
    assert "S1" in m["side_inputs"]["masked_groups"] and "NDVI" in m["side_inputs"]["masked_groups"]
    assert m["weights"]["source"] == ("hf://nasaharvest/galileo@f039dd5dde966a931baeda47eb680fa89b253e4e"
                                      "/models/nano/encoder.pt")
    assert m["config"]["file"] == "models/nano/config.json"
    assert m["preprocessing"]["normalisation"]["mean"][0] == pytest.approx(1395.3408730676722)


def test_a_config_of_another_size_is_refused(published, tmp_path, monkeypatch):
    _, ref = published
    folder = tmp_path / "nasaharvest/galileo/models/nano"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"model": {"encoder": PUBLISHED["tiny"]}}))
    torch.save(ref.state_dict(), folder / "encoder.pt")
    monkeypatch.setattr(GalileoNano, "weights", spec_for(GalileoNano.weights, folder / "encoder.pt"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DownloadError, match="192-wide"):
        GalileoNano().embed_patch(s2_patch(64, 64, bands=S2_BANDS), config=get_config(weights_dir=str(tmp_path)))


def test_two_frames_equal_the_authors_encoder_with_two_monthly_timesteps(emb, published, monkeypatch):
    """options frames=2: [Mar 1, May 1) is split into [Mar 1, Mar 31) and [Mar 31, May 1),
    one composite each (the fetch is replaced by two known patches, recorded per window);
    they go in as T = 2 timesteps with months 2 and 3 (midpoints 16 March, 15 April)."""
    from rs_embed_qgis.embedders.models.base import OnTheFlyEmbedder

    e, cfg = emb
    _, ref = published
    frames = {"2021-03-01": s2_patch(64, 64, bands=S2_BANDS, seed=21),
              "2021-03-31": s2_patch(64, 64, bands=S2_BANDS, seed=22)}
    asked = []

    def fake_fetch(self, request, progress=None):
        asked.append((request.temporal.start.isoformat(), request.temporal.end.isoformat()))
        return frames[request.temporal.start.isoformat()]

    monkeypatch.setattr(OnTheFlyEmbedder, "fetch_patch", fake_fetch)
    req = EmbedRequest(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=TemporalSpec.range("2021-03-01", "2021-05-01"),
                       output=OutputSpec.grid(), options={"frames": 2}, config=cfg)
    grid, pooled = e.embed_grid_and_pooled(req)
    assert asked == [("2021-03-01", "2021-03-31"), ("2021-03-31", "2021-05-01")]
    assert grid.data.shape == (128, 8, 8) and grid.meta["frames"] == 2
    assert grid.meta["side_inputs"]["months_0_based"] == [2, 3]
    data = np.concatenate([s2_order(frames["2021-03-01"]), s2_order(frames["2021-03-31"])])
    exp_grid, exp_pooled = authors_forward(ref, data, [2, 3], 10.0)
    np.testing.assert_allclose(grid.to_numpy().reshape(128, -1).T, exp_grid, **TOL)
    np.testing.assert_allclose(pooled.data, exp_pooled, **TOL)
    assert e.bands == GalileoNano.bands and e.frames == 1  # restored after the call


def test_frames_option_is_checked():
    from rs_embed_qgis.embedders.errors import SpecError
    from rs_embed_qgis.embedders.models.galileo import GalileoNano

    frame_count = GalileoNano().frame_count

    def req(frames):
        return EmbedRequest(spatial=None, temporal=None, output=OutputSpec.grid(), options={"frames": frames})

    for bad in (0, 13, "two", 2.5):
        with pytest.raises(SpecError, match="frames"):
            frame_count(req(bad))
    assert frame_count(req(12)) == 12
    tiled = dict(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=TemporalSpec.year(2021), output=OutputSpec.grid(),
                 input_prep="tile")
    assert not GalileoNano().supports_chunks(EmbedRequest(options={"frames": 2}, **tiled))  # frames: whole path


def test_chunked_run_equals_the_whole_tile_path(emb, tmp_path, monkeypatch):
    """An Embed ROI job through the chunk engine (4 chunks of 2 x 2 tiles, config.json made
    local by plan_grid) writes the grid of the whole tile path, with its metadata."""
    import rasterio
    from affine import Affine

    from fixtures_imagery import CRS, X0, Y0, write_cog

    from rs_embed_qgis.embedders import Progress, jobs
    from rs_embed_qgis.embedders.api import get_grid_and_pooled
    from rs_embed_qgis.embedders.geo import transform_bounds
    from rs_embed_qgis.embedders.jobs import common

    _, cfg = emb
    monkeypatch.setenv("RS_EMBED_WEIGHTS_DIR", str(cfg.weights_dir))
    monkeypatch.setenv("RS_EMBED_CHUNK_MB", "1.4")   # 2 x 2 Galileo tiles per chunk
    monkeypatch.setenv("RS_EMBED_BATCH_SIZE", "1")
    monkeypatch.setenv("RS_EMBED_DASK_WORKERS", "0")
    monkeypatch.setattr(common, "_WARM", {})
    src = s2_patch(256, 256, bands=S2_BANDS, seed=12)
    raster = write_cog(tmp_path / "s2.tif", np.clip(src.data, 1, 10000).astype(np.uint16), CRS,
                       Affine(10, 0, X0, 0, -10, Y0), descriptions=list(S2_BANDS))
    fp = (X0 + 100, Y0 - 2100, X0 + 2100, Y0 - 100)  # 200 x 200 px: 4 x 4 tiles of 64 px
    spatial = {"bbox": list(transform_bounds(CRS, "EPSG:4326", fp)), "footprint": [CRS, *fp]}
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = jobs.run({"version": 1, "id": "gal", "kind": "embed_roi",
                    "params": {"model": "galileo", "spatial": spatial, "imagery_source": "local",
                               "input_raster": str(raster), "input_prep": "tile", "device": "cpu",
                               "output": str(out_dir / "grid.tif"), "pca_output": str(out_dir / "pca.tif"),
                               "pooled": True}}, Progress())
    assert out["chunks"] == 4 and out["metadata"]["tiles_per_chunk"] == 4
    grid, pooled = get_grid_and_pooled("galileo", spatial=BBox(*spatial["bbox"], footprint=spatial["footprint"]),
                                       backend="local", input_prep="tile", device="cpu", input_raster=str(raster),
                                       config=cfg)
    with rasterio.open(out_dir / "grid.tif") as ds:
        arr, tr = ds.read(), ds.transform
    assert arr.shape == grid.data.shape == (128, 25, 25) and tuple(tr)[:6] == tuple(grid.transform)[:6]
    np.testing.assert_allclose(arr, grid.data.values, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out["pooled"], pooled.data, rtol=1e-5, atol=1e-5)
    assert out["metadata"]["side_inputs"] == grid.meta["side_inputs"]
    assert out["metadata"]["config"]["file"] == "models/nano/config.json"
