"""``anysat`` against the authors' AnySat code.

Oracle: gastruc/AnySat's ``hubconf.py`` and ``src/models/networks/encoder`` as
shipped unchanged in rs-embed 0.3.1 (``rs_embed.embedders._vendor.anysat``,
family "dev", test-only). Their ``AnySat`` wrapper is built with the base
"tiny" config (width 256, the base layout and head width 64) with 1 main block
+ the cross-attention block and 2 subpatch blocks (the full base key set is
compared on the meta device), projectors for ``s2`` and ``s1-asc`` only, random
weights; its ``AnyModule`` state dict is saved as the published
file is (``{"state_dict": ...}``, read by their ``from_pretrained``). Their
forward runs on the input their demo notebook builds: ``(x - MEAN_S2) / STD_S2``
and ``s2_dates`` from ``tm_yday``.
"""
from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest

from fixtures_models import s2_geotiff_around, s2_patch, spec_for

from rs_embed_qgis.embedders.base import EmbedRequest
from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.imagery.base import S2_BANDS
from rs_embed_qgis.embedders.models.anysat import AnySatS2
from rs_embed_qgis.embedders.specs import OutputSpec, PointBuffer, TemporalSpec

import torch  # noqa: E402  (the core env has it: make test installs every family)

with warnings.catch_warnings():  # their irpe.py warns that its compiled op is absent
    warnings.simplefilter("ignore")
    # oracle: rs-embed 0.3.1 (the authors' AnySat release code), family "dev"
    import rs_embed.embedders._vendor.anysat.hubconf as vendor  # noqa: E402

TOL = dict(rtol=1e-4, atol=2e-4)
S2 = ("B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12")
# demo.ipynb (gastruc/AnySat): MEAN_S2, STD_S2
DEMO_MEAN = [4304.32958984375, 4159.2666015625, 4057.776611328125, 4328.951171875, 4571.22119140625,
             4644.87109375, 4837.2470703125, 4700.2578125, 2823.264404296875, 2319.97021484375]
DEMO_STD = [3537.99755859375, 3324.23486328125, 3270.070068359375, 3250.530029296875, 2897.391357421875,
            2754.4970703125, 2821.521484375, 2625.952392578125, 1731.56298828125, 1549.3028564453125]
SMALL = dict(dim=256, depth=1, heads=4, sub_depth=2)  # their "tiny" widths, 1 + 1 and 2 blocks


def authors_model(size="base", **over):
    return vendor.AnySat(model_size=size, flash_attn=False, **over)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    ref = authors_model("tiny", depth=1, **{"spatial_encoder.depth": 2, "modalities.all": ["s2", "s1-asc"]})
    g = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for name, p in ref.model.named_parameters():
            if p.ndim == 1 and "norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
    wdir = tmp_path_factory.mktemp("w")
    path = wdir / AnySatS2.weights.repo_id / AnySatS2.weights.filename
    path.parent.mkdir(parents=True)
    torch.save({"state_dict": ref.model.state_dict()}, path)
    return wdir, path, ref.eval()


@pytest.fixture
def cfg(published, monkeypatch):
    wdir, path, _ = published
    monkeypatch.setattr(AnySatS2, "weights", spec_for(AnySatS2.weights, path))
    monkeypatch.setattr(AnySatS2, "arch", SMALL)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # nothing may be downloaded
    return get_config(weights_dir=str(wdir))


def authors_forward(ref, data, doy):
    """The demo notebook's input: the 10 s2 bands standardised, dates as tm_yday;
    ``data`` one (C, H, W) frame or a list of them, ``doy`` one date or a list."""
    frames = [data] if isinstance(data, np.ndarray) else data
    x = np.stack([f[[S2_BANDS.index(b) for b in S2]] for f in frames])  # (T, 10, H, W), as their h5 series
    x = (x - np.array(DEMO_MEAN, np.float32)[:, None, None]) / np.array(DEMO_STD, np.float32)[:, None, None]
    inp = {"s2": torch.from_numpy(x.astype(np.float32))[None], "s2_dates": torch.tensor([np.atleast_1d(doy)])}
    with torch.no_grad():  # output="all": the "tile" vector, then the "patch" tokens row-major
        out = ref(inp, patch_size=40, output="all")[0].numpy()
    side = x.shape[-1] // 4
    return out[1:].T.reshape(-1, side, side), out[0]


def test_s2_key_set_is_the_authors_full_size_one(monkeypatch):
    """Our encoder's tensors == the S2 part of the authors' base AnyModule; the rest
    of their state dict is other sensors' projectors only. (Built on the meta device;
    their drop-path schedule calls ``.item()`` on ``torch.linspace``, kept on the CPU.)"""
    from rs_embed_qgis.embedders.models.anysat_net import AnySatS2Encoder, s2_state

    linspace = torch.linspace
    monkeypatch.setattr(torch, "linspace", lambda *a, **k: linspace(*a, **dict(k, device="cpu")))
    with warnings.catch_warnings(), torch.device("meta"):
        warnings.simplefilter("ignore")
        official = authors_model().model.state_dict()
        ours = AnySatS2Encoder(**AnySatS2.arch)
    kept = s2_state(official)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {k: tuple(v.shape) for k, v in kept.items()}
    others = {k.split(".")[0] for k in set(official) - set(kept)}
    assert others == {f"projector_{m}" for m in ("aerial", "aerial-flair", "spot", "naip", "s1-asc", "s1",
                                                 "alos", "l7", "l8", "modis")}


def test_grid_and_pooled_equal_the_authors_patch_and_tile_outputs(cfg, published):
    _, _, ref = published
    patch = s2_patch(64, 64, bands=S2_BANDS, seed=8)
    req = EmbedRequest(spatial=PointBuffer(3.1, 52.0, 315), temporal=TemporalSpec.range("2021-03-01", "2021-05-01"),
                       output=OutputSpec.grid(), config=cfg)
    grid, pooled = AnySatS2().embed_patch_both(patch, OutputSpec.grid(), input_prep="auto", request=req, config=cfg)
    doy = dt.date(2021, 3, 31).timetuple().tm_yday  # midpoint of [1 Mar, 1 May)
    expected_grid, expected_tile = authors_forward(ref, patch.data, doy)
    assert grid.data.shape == (256, 16, 16) and pooled.data.shape == (256,)
    np.testing.assert_allclose(grid.to_numpy(), expected_grid, **TOL)
    np.testing.assert_allclose(pooled.data, expected_tile, **TOL)
    # the date is a real input (another day, another embedding), so a wrong one would show above
    small = patch.data[:, :8, :8]
    assert np.abs(authors_forward(ref, small, doy + 120)[1] - authors_forward(ref, small, doy)[1]).max() > 1e-2
    assert grid.meta["side_inputs"]["s2_dates"] == [doy] and grid.meta["input_prep"] == "tile"
    # one cell per 40 m on the imagery grid
    t = patch.grid.transform
    assert tuple(grid.transform)[:6] == (40.0, 0.0, t.c, 0.0, -40.0, t.f) and grid.crs == patch.grid.crs
    assert "tile" in pooled.meta["pooled_from"]


def test_public_api_on_a_local_raster(cfg, tmp_path):
    """get_grid_and_pooled through the 'local' imagery source: a 12-band GeoTIFF, a
    640 m ROI; auto = native 10 m tile; grid on the ROI's UTM grid; metadata."""
    from rs_embed_qgis.embedders.api import get_grid_and_pooled
    from rs_embed_qgis.embedders.imagery.fetch import target_grid
    from rs_embed_qgis.embedders.registry import describe_model

    lon, lat = 3.1, 52.0
    tif, epsg = s2_geotiff_around(tmp_path / "s2.tif", lon, lat, 100, seed=12)
    roi = PointBuffer(lon, lat, 315)
    grid, pooled = get_grid_and_pooled("anysat", spatial=roi, temporal=TemporalSpec.year(2022), backend="local",
                                       input_prep="auto", device="cpu", input_raster=str(tif), config=cfg)
    g = target_grid(roi, 10.0)
    assert (g.width, g.height) == (64, 64)
    assert grid.data.shape == (256, 16, 16) and pooled.data.shape == (256,)
    assert np.isfinite(grid.to_numpy()).all() and np.isfinite(pooled.data).all()
    assert grid.crs == g.crs and tuple(grid.transform)[:6] == (40.0, 0.0, g.transform.c, 0.0, -40.0, g.transform.f)
    assert grid.meta["imagery_source"] == "local" and grid.meta["input_prep"] == "tile"
    assert grid.meta["side_inputs"] == {"s2_dates": [dt.date(2022, 7, 2).timetuple().tm_yday], "day_of_year_base": 1,
                                        "frames": 1, "patch_size_m": 40, "pixel_m_assumed": 10}
    assert grid.meta["weights"]["source"] == (
        "hf://g-astruc/AnySat@2aeec0825b722e25e9d4d15465e86fd8b6d1f08c/models/AnySat.pth")
    d = describe_model("anysat")
    pre = d["preprocessing"]
    assert pre["normalisation"]["mean"] == DEMO_MEAN and pre["normalisation"]["std"] == DEMO_STD
    assert pre["patch_size_m"] == 40 and "tm_yday" in pre["side_inputs"]["s2_dates"]
    assert d["input_prep"]["auto"].startswith("tile")
    assert d["input"]["bands"] == list(S2) and d["outputs"] == {
        "pooled": 768, "grid": [768, 16, 16], "grid_note": d["outputs"]["grid_note"]}


def test_two_frames_equal_the_authors_time_series_forward(cfg, published, monkeypatch):
    """options frames=2: [1 Mar, 1 May) split into [1 Mar, 31 Mar) and [31 Mar, 1 May),
    one composite each (the fetch is replaced by two known patches, recorded per
    window); the series (1, 2, 10, H, W) with each part's midpoint as s2_dates goes
    through the authors' forward."""
    from rs_embed_qgis.embedders.models.base import OnTheFlyEmbedder

    _, _, ref = published
    frames = {"2021-03-01": s2_patch(64, 64, bands=S2_BANDS, seed=31),
              "2021-03-31": s2_patch(64, 64, bands=S2_BANDS, seed=32)}
    asked = []

    def fake_fetch(self, request, progress=None):
        asked.append((request.temporal.start.isoformat(), request.temporal.end.isoformat()))
        return frames[request.temporal.start.isoformat()]

    monkeypatch.setattr(OnTheFlyEmbedder, "fetch_patch", fake_fetch)
    emb = AnySatS2()
    req = EmbedRequest(spatial=PointBuffer(3.1, 52.0, 315), temporal=TemporalSpec.range("2021-03-01", "2021-05-01"),
                       output=OutputSpec.grid(), input_prep="auto", options={"frames": 2}, config=cfg)
    grid, pooled = emb.embed_grid_and_pooled(req)
    assert asked == [("2021-03-01", "2021-03-31"), ("2021-03-31", "2021-05-01")]
    doys = [dt.date(2021, 3, 16).timetuple().tm_yday, dt.date(2021, 4, 15).timetuple().tm_yday]
    assert grid.meta["side_inputs"]["s2_dates"] == doys and grid.meta["side_inputs"]["frames"] == 2
    expected_grid, expected_tile = authors_forward(ref, [p.data for p in frames.values()], doys)
    np.testing.assert_allclose(grid.to_numpy(), expected_grid, **TOL)
    np.testing.assert_allclose(pooled.data, expected_tile, **TOL)
    assert emb.bands == S2 and emb.frames == 1  # restored after the call


def test_model_input_is_the_demo_standardisation_and_bad_weights_are_refused(cfg, published, tmp_path, monkeypatch):
    """inspect_model_input: the 10 bands as the authors' demo standardises them, on a
    native 10 m tile ('auto'); a file without the S2 tensors is refused with a message."""
    from rs_embed_qgis.embedders.api import inspect_model_input
    from rs_embed_qgis.embedders.errors import DownloadError

    patch = s2_patch(64, 64, bands=S2_BANDS, seed=3)
    seen = inspect_model_input("anysat", patch=patch, input_prep="auto", config=cfg)
    x = patch.data[[S2_BANDS.index(b) for b in S2]]
    expected = (x - np.array(DEMO_MEAN, np.float32)[:, None, None]) / np.array(DEMO_STD, np.float32)[:, None, None]
    assert seen["input_prep"] == "tile" and seen["array"].shape == (10, 64, 64)
    np.testing.assert_allclose(seen["array"], expected, rtol=1e-5, atol=1e-5)
    assert tuple(seen["transform"]) == tuple(patch.grid.transform)[:6]

    _, _, ref = published
    path = tmp_path / AnySatS2.weights.repo_id / AnySatS2.weights.filename
    path.parent.mkdir(parents=True)
    torch.save({"state_dict": {k: v for k, v in ref.model.state_dict().items() if "s1-asc" in k}}, path)
    monkeypatch.setattr(AnySatS2, "weights", spec_for(AnySatS2.weights, path))
    with pytest.raises(DownloadError, match="do not fit"):
        AnySatS2().embed_patch(patch, config=get_config(weights_dir=str(tmp_path)))
