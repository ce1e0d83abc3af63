"""The on-the-fly framework (resize/tile/auto, stitching, georeferencing,
no-data, batching, device, dependencies) and the weights cache, exercised with
the real RemoteCLIP ViT-B/32 architecture and a random-init checkpoint in its
official format."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from fixtures_models import HFEndpoint, remoteclip_ckpt, s2_patch, sha256_file, spec_for  # noqa: F401

from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import (DataUnavailableError, DependencyMissingError, DownloadError,
                                            SpecError)
from rs_embed_qgis.embedders.models import base as fw
from rs_embed_qgis.embedders.models.remoteclip import CLIP_MEAN, CLIP_STD, RemoteCLIPS2RGB
from rs_embed_qgis.embedders.progress import Progress
from rs_embed_qgis.embedders.specs import OutputSpec
from rs_embed_qgis.embedders.weights import WeightsSpec, ensure_weights, load_state_dict

TOL = dict(rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def clip(remoteclip_ckpt, tmp_path_factory):
    """A RemoteCLIP embedder reading its weights from the weights folder, and
    the open_clip reference model built from the same file."""
    import open_clip
    import torch

    path, sha = remoteclip_ckpt
    wdir = tmp_path_factory.mktemp("weights")
    os.link(path, wdir / path.name)
    mp = pytest.MonkeyPatch()
    mp.setattr(RemoteCLIPS2RGB, "weights", spec_for(RemoteCLIPS2RGB.weights, path, sha))
    ref = open_clip.create_model("ViT-B-32", pretrained=None)
    ref.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    ref.eval()
    loads = []
    emb = RemoteCLIPS2RGB()
    orig = emb.load_model
    emb.load_model = lambda device: loads.append(device) or orig(device)
    yield emb, get_config(weights_dir=str(wdir)), ref, loads
    mp.undo()


def reference_tokens(ref, windows):
    """open_clip's own preprocessing and image tower on uint8 RGB windows:
    (projected pooled (B, 512), tokens (B, 49, 768))."""
    import torch
    from PIL import Image
    import open_clip

    tf = open_clip.image_transform(224, is_train=False, mean=CLIP_MEAN, std=CLIP_STD)
    imgs = []
    for w in windows:  # (3, 224, 224) reflectance x 1e4, RGB order
        u8 = (np.clip(w / 10000.0, 0, 1) * 255).astype(np.uint8).transpose(1, 2, 0)
        imgs.append(tf(Image.fromarray(u8)))
    x = torch.stack(imgs)
    with torch.inference_mode():
        ref.visual.output_tokens = True
        pooled, tokens = ref.visual(x)
    return pooled.numpy(), tokens.numpy()


def test_tiles_stitch_to_per_tile_passes_and_pool_agrees(clip):
    emb, cfg, ref, _ = clip
    cfg = get_config(weights_dir=str(cfg.weights_dir), batch_size=3)  # batches of 3 + 1 tiles
    patch = s2_patch(448, 448, seed=1)
    grid = emb.embed_patch(patch, OutputSpec.grid(), input_prep="tile", config=cfg)
    assert grid.data.shape == (768, 14, 14) and grid.meta["tiles"] == 4 and grid.meta["input_prep"] == "tile"
    windows = [patch.data[:, r * 224:(r + 1) * 224, c * 224:(c + 1) * 224] for r in (0, 1) for c in (0, 1)]
    pooled_ref, tok_ref = reference_tokens(ref, windows)
    stitched = np.zeros((768, 14, 14), np.float32)
    for i, t in enumerate(tok_ref):
        r, c = divmod(i, 2)
        stitched[:, r * 7:(r + 1) * 7, c * 7:(c + 1) * 7] = t.reshape(7, 7, 768).transpose(2, 0, 1)
    np.testing.assert_allclose(grid.to_numpy(), stitched, **TOL)
    # one token cell = 32 native 10 m pixels, anchored on the patch origin
    t, pt = grid.transform, patch.grid.transform
    assert (t.a, t.e, t.c, t.f) == (320.0, -320.0, pt.c, pt.f)
    # pooled: token mean over all tiles, and RemoteCLIP's projection averaged over tiles
    np.testing.assert_allclose(grid.pooled("mean").data, tok_ref.reshape(-1, 768).mean(0), **TOL)
    pooled = emb.embed_patch(patch, OutputSpec.pooled(), input_prep="tile", config=cfg)
    assert pooled.data.shape == (512,)
    np.testing.assert_allclose(pooled.data, pooled_ref.mean(0), **TOL)


def test_resize_pass_matches_library_and_cells_span_the_patch(clip):
    import torch
    import torch.nn.functional as F

    emb, cfg, ref, _ = clip
    patch = s2_patch(300, 200, seed=2)  # not square: cells are rectangles
    grid = emb.embed_patch(patch, OutputSpec.grid(), input_prep="resize", config=cfg)
    x = F.interpolate(torch.from_numpy(patch.data)[None], size=(224, 224), mode="bilinear",
                      align_corners=False, antialias=True)[0].numpy()
    _, tok_ref = reference_tokens(ref, [x])
    np.testing.assert_allclose(grid.to_numpy(), tok_ref[0].reshape(7, 7, 768).transpose(2, 0, 1), **TOL)
    t = grid.transform
    assert t.a == pytest.approx(2000 / 7) and t.e == pytest.approx(-3000 / 7)
    xmin, ymin, xmax, ymax = patch.grid.bounds
    assert (t.c, t.f) == (xmin, ymax)
    assert (t * (7, 7)) == pytest.approx((xmax, ymin))
    assert grid.meta["input_gsd_m"] == pytest.approx(0.5 * (2000 + 3000) / 224)


def test_tile_edges_are_padded_and_mostly_padding_cells_are_nan(clip):
    emb, cfg, _, _ = clip
    patch = s2_patch(300, 250, seed=3)
    grid = emb.embed_patch(patch, OutputSpec.grid(), input_prep="tile", config=cfg)
    # ceil(300/32) x ceil(250/32) cells; the last row holds 12 of 32 pixel rows (NaN),
    # the last column 26 of 32 pixel columns (kept)
    assert grid.data.shape == (768, 10, 8)
    valid = grid.valid_mask()
    assert not valid[9].any() and valid[:9].all()
    assert grid.meta["tiles"] == 4


def test_auto_tiles_only_beyond_twice_the_input_size(clip):
    assert fw.resolve_input_prep("auto", 448, 448, 224) == "resize"
    assert fw.resolve_input_prep("auto", 100, 449, 224) == "tile"
    emb, cfg, _, _ = clip
    out = emb.embed_patch(s2_patch(460, 120, seed=4), OutputSpec.grid(), input_prep="auto", config=cfg)
    assert out.meta["input_prep"] == "tile" and out.data.shape == (768, 15, 4)


def test_nodata_is_filled_with_band_medians_and_masked_in_the_grid(clip):
    emb, cfg, _, _ = clip
    patch = s2_patch(224, 224, seed=5)
    holed = s2_patch(224, 224, seed=5)
    holed.data[:, :64, :64] = np.nan  # exactly token cells (0..1, 0..1)
    grid = emb.embed_patch(holed, OutputSpec.grid(), config=cfg)
    valid = grid.valid_mask()
    assert not valid[:2, :2].any() and valid.sum() == 49 - 4
    filled = patch.data.copy()
    ok = np.ones((224, 224), bool)
    ok[:64, :64] = False
    for b in range(3):
        filled[b][~ok] = np.median(patch.data[b][ok])
    patch.data[:] = filled
    ref = emb.embed_patch(patch, OutputSpec.grid(), config=cfg).to_numpy()
    np.testing.assert_allclose(grid.to_numpy()[:, valid], ref[:, valid], **TOL)
    pooled = emb.embed_patch(holed, OutputSpec.pooled(), config=cfg)
    assert pooled.meta["coverage_fraction"] == pytest.approx(45 / 49)
    holed.data[:] = np.nan
    with pytest.raises(DataUnavailableError):
        emb.embed_patch(holed, OutputSpec.grid(), config=cfg)


def test_model_is_loaded_once_per_instance_and_device_is_recorded(clip):
    import torch

    emb, cfg, _, loads = clip
    for seed in (6, 7):
        out = emb.embed_patch(s2_patch(224, 224, seed=seed), OutputSpec.pooled(), config=cfg)
    expected = fw.resolve_device("auto")
    assert loads == [expected]  # one load for every call of this module's embedder
    assert out.meta["device"].startswith("cuda" if torch.cuda.is_available() else expected)


def test_device_resolution_is_honest():
    import torch

    assert fw.resolve_device("cpu") == "cpu"
    auto = fw.resolve_device("auto")
    if torch.cuda.is_available():
        assert auto == "cuda" and fw.resolve_device("cuda") == "cuda"
    else:
        assert auto in ("mps", "cpu")
        with pytest.raises(SpecError, match="CUDA"):
            fw.resolve_device("cuda")
    with pytest.raises(SpecError, match="Unknown device"):
        fw.resolve_device("tpu")


def test_missing_bands_and_missing_dependency_say_what_to_do(clip):
    emb, cfg, _, _ = clip
    with pytest.raises(SpecError, match="B04"):
        emb.embed_patch(s2_patch(64, 64, bands=("B02", "B03", "B08")), config=cfg)

    class NeedsMissing(RemoteCLIPS2RGB):
        requires = ("torch", "rs_embed_no_such_module")
        install = {"rs_embed_no_such_module": "rs-embed-no-such-package"}

    with pytest.raises(DependencyMissingError) as err:
        NeedsMissing().embed_patch(s2_patch(64, 64), config=cfg)
    # names the package, the model and where to install it (require() since 0dc87ff)
    assert "'rs-embed-no-such-package'" in str(err.value) and "remoteclip_s2rgb" in str(err.value)
    assert "core's environment" in str(err.value)


def test_listing_and_describing_models_imports_no_torch():
    code = textwrap.dedent("""
        import sys
        sys.path.insert(0, %r)
        from rs_embed_qgis.embedders.registry import list_models, describe_model
        ids = list_models("onthefly")
        d = describe_model("remoteclip_s2rgb")
        assert {"remoteclip_s2rgb", "satmae_s2rgb", "scalemae_s2rgb"} <= set(ids), ids
        assert d["input"]["bands"] == ["B04", "B03", "B02"] and d["outputs"]["grid"] == [768, 7, 7]
        assert d["preprocessing"]["normalisation"]["mean"][0] == 0.48145466
        assert "torch" not in sys.modules, "torch imported at listing time"
    """ % str(__import__("pathlib").Path(__file__).resolve().parents[2] / ".build" / "pkg"))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr


# ---- weights cache -------------------------------------------------------
def _tiny_checkpoint(path):
    import torch

    torch.save({"w": torch.arange(6.0).reshape(2, 3)}, path)
    return path


def test_url_weights_download_once_verify_and_report_progress(tmp_path, loopback):
    src = tmp_path / "srv"
    src.mkdir()
    f = _tiny_checkpoint(src / "tiny-0123abcd.pth")
    srv = loopback(src)
    spec = WeightsSpec(filename=f.name, url=f"{srv.url}/{f.name}", sha256=sha256_file(f), size=f.stat().st_size)
    cfg = get_config(weights_dir=str(tmp_path / "w"))
    fracs = []
    p = ensure_weights(spec, cfg, Progress(fracs.append))
    assert p == tmp_path / "w" / f.name and fracs and max(fracs) == 1.0
    assert load_state_dict(p)["w"].shape == (2, 3)
    ensure_weights(spec, cfg)
    assert sum(1 for r in srv.requests if r[0] == "GET") == 1
    bad = WeightsSpec(filename="other.pth", url=f"{srv.url}/{f.name}", sha256="0" * 64)
    with pytest.raises(DownloadError, match="failed verification"):
        ensure_weights(bad, cfg)
    assert not (tmp_path / "w" / "other.pth").exists() and not list((tmp_path / "w").glob(".other*"))


def test_hf_download_with_wrong_hash_is_removed(tmp_path, loopback, monkeypatch):
    f = _tiny_checkpoint(tmp_path / "tiny.pth")
    hub = HFEndpoint(loopback, tmp_path / "hub")
    rev = "1" * 40
    hub.add("org/tiny", "tiny.pth", f, rev)
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    cfg = get_config(weights_dir=str(tmp_path / "w"))
    good = WeightsSpec(filename="tiny.pth", repo_id="org/tiny", revision=rev, sha256=sha256_file(f))
    path = ensure_weights(good, cfg)
    assert path.is_file() and f"snapshots/{rev}/tiny.pth" in path.as_posix()
    cfg2 = get_config(weights_dir=str(tmp_path / "w2"))
    bad = WeightsSpec(filename="tiny.pth", repo_id="org/tiny", revision=rev, sha256="f" * 64)
    with pytest.raises(DownloadError, match="failed verification"):
        ensure_weights(bad, cfg2)
    assert not [p for p in (tmp_path / "w2").rglob("tiny.pth") if p.exists()]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DownloadError, match="HF_HUB_OFFLINE"):
        ensure_weights(bad, get_config(weights_dir=str(tmp_path / "w3")))


def test_weights_folder_is_used_first_and_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    wdir = tmp_path / "offline"
    wdir.mkdir()
    f = _tiny_checkpoint(wdir / "tiny.pth")
    spec = WeightsSpec(filename="tiny.pth", repo_id="org/tiny", revision="2" * 40, sha256=sha256_file(f))
    monkeypatch.setenv("RS_EMBED_WEIGHTS_DIR", str(wdir))
    assert ensure_weights(spec, get_config()) == f
    wrong = WeightsSpec(filename="tiny.pth", repo_id="org/tiny", revision="2" * 40, sha256="a" * 64)
    with pytest.raises(DownloadError, match="does not match"):
        ensure_weights(wrong, get_config())
    assert f.exists()  # a user's file is never deleted
    # without a published checksum only <weights_dir>/<repo_id>/<file> is trusted
    unpinned = WeightsSpec(filename="tiny.pth", repo_id="org/tiny", revision="2" * 40)
    with pytest.raises(DownloadError, match="HF_HUB_OFFLINE"):
        ensure_weights(unpinned, get_config())
    (wdir / "org" / "tiny").mkdir(parents=True)
    g = _tiny_checkpoint(wdir / "org" / "tiny" / "tiny.pth")
    assert ensure_weights(unpinned, get_config()) == g


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo owned",))


def test_pickles_with_code_are_refused(tmp_path):
    p = tmp_path / "evil.pth"
    with open(p, "wb") as fh:
        pickle.dump({"w": _Evil()}, fh)
    with pytest.raises(DownloadError, match="weights_only"):
        load_state_dict(p)


def test_batch_call_fetches_from_a_local_raster_and_loads_the_model_once(clip, tmp_path, monkeypatch):
    """get_embeddings_batch -> imagery 'local' source -> one model load for all ROIs;
    each grid lands on its ROI's UTM grid."""
    import rasterio
    from rasterio.transform import from_origin

    from rs_embed_qgis.embedders.api import get_embeddings_batch
    from rs_embed_qgis.embedders.geo import utm_epsg, transformer
    from rs_embed_qgis.embedders.imagery.fetch import target_grid
    from rs_embed_qgis.embedders.specs import PointBuffer

    _, cfg, _, _ = clip
    lon, lat = 3.1, 52.0
    x, y = transformer("EPSG:4326", f"EPSG:{utm_epsg(lon, lat)}").transform(lon, lat)
    src = s2_patch(800, 800, seed=9)
    tif = tmp_path / "s2.tif"
    with rasterio.open(tif, "w", driver="GTiff", width=800, height=800, count=3, dtype="uint16",
                       crs=f"EPSG:{utm_epsg(lon, lat)}",
                       transform=from_origin(round(x) - 4000, round(y) + 4000, 10, 10)) as ds:
        ds.write(src.data.astype("uint16"))
        ds.descriptions = ("B04", "B03", "B02")
    loads = []
    orig = RemoteCLIPS2RGB.load_model
    monkeypatch.setattr(RemoteCLIPS2RGB, "load_model", lambda self, d: loads.append(d) or orig(self, d))
    rois = [PointBuffer(lon, lat, 1120), PointBuffer(lon + 0.01, lat - 0.005, 1120)]
    out = get_embeddings_batch("remoteclip_s2rgb", spatials=rois, output=OutputSpec.grid(), backend="local",
                               input_raster=str(tif), config=cfg)
    assert len(loads) == 1 and len(out) == 2
    for roi, e in zip(rois, out):
        g = target_grid(roi, 10.0)
        assert e.data.shape == (768, 7, 7) and e.crs == g.crs
        assert (e.transform.c, e.transform.f) == (g.transform.c, g.transform.f)
        assert e.transform.a == pytest.approx(g.width * 10.0 / 7)
        assert e.meta["imagery_source"] == "local" and e.meta["input_prep"] == "resize"


def test_satvision_is_described_as_not_offered_and_not_listed():
    from rs_embed_qgis.embedders.errors import ModelNotFoundError
    from rs_embed_qgis.embedders.registry import create_embedder, describe_model, list_models

    d = describe_model("SatVision")
    assert d["offered"] is False and "MODIS" in d["why"] and "Sentinel-2" in d["why"]
    assert "satvision" not in list_models()
    with pytest.raises(ModelNotFoundError):
        create_embedder("satvision")

