"""remoteclip_s2rgb, satmae_s2rgb, scalemae_s2rgb end to end: a random-init
checkpoint in each model's official format is served by a Hugging Face-style
endpoint on 127.0.0.1, downloaded through huggingface_hub into the weights
cache, loaded, then loaded again offline from the cache; outputs equal a
direct computation with the library model (rtol = atol = 1e-5) and land on the
patch's ground."""
from __future__ import annotations

import types

import numpy as np
import pytest

from fixtures_models import (HFEndpoint, remoteclip_ckpt, s2_patch, satmae_checkpoint,  # noqa: F401
                             satmae_module, scalemae_checkpoint, sha256_file, spec_for)
from loopback import LoopbackServer

from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.models.remoteclip import CLIP_MEAN, CLIP_STD, RemoteCLIPS2RGB
from rs_embed_qgis.embedders.models.satmae import FMOW_RGB_MEAN, FMOW_RGB_STD, SatMAES2RGB
from rs_embed_qgis.embedders.models.scalemae import ScaleMAES2RGB
from rs_embed_qgis.embedders.progress import Progress
from rs_embed_qgis.embedders.specs import OutputSpec
from rs_embed_qgis.embedders.weights import ensure_weights
from rs_embed_qgis.embedders.writers import read_geotiff, write_geotiff

TOL = dict(rtol=1e-5, atol=1e-5)
MODELS = {
    "remoteclip_s2rgb": (RemoteCLIPS2RGB, None, (512,), (768, 7, 7)),  # session checkpoint
    "satmae_s2rgb": (SatMAES2RGB, satmae_checkpoint, (1024,), (1024, 14, 14)),
    "scalemae_s2rgb": (ScaleMAES2RGB, scalemae_checkpoint, (1024,), (1024, 14, 14)),
}


def _u8(patch):
    """rs-embed's RGB conversion, in numpy: (224, 224, 3) uint8."""
    return (np.clip(patch.data / 10000.0, 0, 1) * 255).astype(np.uint8).transpose(1, 2, 0)


def reference(model_id, ckpt, patch, tmp_path_factory, monkeypatch):
    """(pooled, tokens (N, D)) from the library model and its own preprocessing."""
    import torch
    from torchvision import transforms

    u8 = _u8(patch)
    with torch.inference_mode():
        if model_id == "remoteclip_s2rgb":
            import open_clip
            from PIL import Image

            ref = open_clip.create_model("ViT-B-32", pretrained=None).eval()
            ref.load_state_dict(torch.load(ckpt, map_location="cpu", weights_only=True))
            x = open_clip.image_transform(224, is_train=False, mean=CLIP_MEAN, std=CLIP_STD)(Image.fromarray(u8))[None]
            pooled = ref.encode_image(x)[0]
            ref.visual.output_tokens = True
            return pooled.numpy(), ref.visual(x)[1][0].numpy()
        if model_id == "satmae_s2rgb":
            from safetensors.torch import load_file

            with torch.device("meta"):
                ref = satmae_module().eval()
            ref.load_state_dict(load_file(str(ckpt)), strict=True, assign=True)
            x = transforms.Compose([transforms.ToTensor(), transforms.Normalize(FMOW_RGB_MEAN, FMOW_RGB_STD)])(u8)[None]
            tokens = ref.encode_unmasked(x)[0, 1:].numpy()
            return tokens.mean(0), tokens
        # scalemae: torchgeo's own loading path, finding the file where torch hub caches it
        from torchgeo.models import ScaleMAELarge16_Weights, scalemae_large_patch16

        home = tmp_path_factory.mktemp("torch_home")
        (home / "hub" / "checkpoints").mkdir(parents=True)
        (home / "hub" / "checkpoints" / ScaleMAES2RGB.weights.filename).symlink_to(ckpt)
        monkeypatch.setenv("TORCH_HOME", str(home))
        w = ScaleMAELarge16_Weights.FMOW_RGB
        ref = scalemae_large_patch16(weights=w, res=10.0).eval()
        x = w.transforms(torch.from_numpy(u8.transpose(2, 0, 1).astype(np.float32)).clone())[None]
        seq = ref.forward_features(x)[0].numpy()
        return seq[0], seq[1:]  # pooled: the normed class token (the authors' kNN feature)


@pytest.fixture(scope="module", params=list(MODELS))
def online(request, tmp_path_factory):
    """The model downloaded through the loopback Hub and used once online."""
    cls, make, _, _ = MODELS[request.param]
    tmp = tmp_path_factory.mktemp(request.param)
    ckpt = make(tmp / cls.weights.filename) if make else request.getfixturevalue("remoteclip_ckpt")[0]
    (tmp / "hub").mkdir()
    hub = HFEndpoint(lambda root, routes: LoopbackServer(root, routes).start(), tmp / "hub")
    sha = hub.add(cls.weights.repo_id, cls.weights.filename, ckpt, cls.weights.revision)
    mp = pytest.MonkeyPatch()
    mp.setattr(cls, "weights", spec_for(cls.weights, ckpt, sha))
    mp.setenv("HF_ENDPOINT", hub.url)
    mp.delenv("HF_HUB_OFFLINE", raising=False)
    mp.setenv("TORCH_HOME", str(tmp / "empty_torch_home"))
    cfg = get_config(weights_dir=str(tmp / "weights"))
    fracs = []
    emb = cls()
    patch = s2_patch(224, 224, seed=11)
    grid = emb.embed_patch(patch, OutputSpec.grid(), config=cfg, progress=Progress(fracs.append))
    yield types.SimpleNamespace(id=request.param, cls=cls, ckpt=ckpt, sha=sha, hub=hub, cfg=cfg, emb=emb,
                                patch=patch, grid=grid, fracs=fracs, mp=mp)
    mp.undo()
    hub.server.stop()


def test_downloaded_once_through_the_hub_into_the_cache(online):
    spec = online.cls.weights
    assert online.hub.downloads(spec.filename) == 1
    org, name = spec.repo_id.split("/")
    cached = online.cfg.weights_dir / "hf" / f"models--{org}--{name}" / "snapshots" / spec.revision / spec.filename
    assert cached.is_file() and sha256_file(cached) == online.sha
    # download (and checksum) progress fills the first fifth, inference the rest
    assert any(0 < f <= 0.2 for f in online.fracs) and max(online.fracs) == pytest.approx(1.0)
    assert online.grid.meta["weights"]["source"] == f"hf://{spec.repo_id}@{spec.revision}/{spec.filename}"


def test_loads_offline_from_the_cache(online, monkeypatch):
    import torch

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    again = online.cls().model("cpu", config=online.cfg)
    first = online.emb.model("cpu").state_dict()
    loaded = again.state_dict()
    assert loaded.keys() == first.keys()
    assert all(torch.equal(loaded[k], first[k]) for k in first)
    assert online.hub.downloads(online.cls.weights.filename) == 1


def test_matches_the_library_model_and_shapes(online, tmp_path_factory, monkeypatch):
    _, _, pooled_shape, grid_shape = MODELS[online.id]
    assert online.grid.data.shape == grid_shape
    pooled = online.emb.embed_patch(online.patch, OutputSpec.pooled(), config=online.cfg)
    assert pooled.data.shape == pooled_shape
    ref_pooled, ref_tokens = reference(online.id, online.ckpt, online.patch, tmp_path_factory, monkeypatch)
    d, g = grid_shape[0], grid_shape[1]
    np.testing.assert_allclose(online.grid.to_numpy(), ref_tokens.reshape(g, g, d).transpose(2, 0, 1), **TOL)
    np.testing.assert_allclose(pooled.data, ref_pooled, **TOL)
    assert online.grid.meta["input_gsd_m"] == 10.0


def test_grid_geotiff_lands_on_the_patch(online, tmp_path):
    g = MODELS[online.id][3][1]
    path = tmp_path / "grid.tif"
    write_geotiff(online.grid, path)
    back = read_geotiff(path)
    t, pt = back.transform, online.patch.grid.transform
    assert back.crs == online.patch.grid.crs == "EPSG:32631"
    assert (t.a, -t.e) == (2240.0 / g, 2240.0 / g) and (t.c, t.f) == (pt.c, pt.f)
    # the centre of token cell (i, j) is the centre of its pixel block on the patch
    cell = 224 // g
    for i, j in ((0, 0), (g - 1, 0), (2, g - 1)):
        assert t * (j + 0.5, i + 0.5) == pytest.approx(pt * ((j + 0.5) * cell, (i + 0.5) * cell))
    np.testing.assert_allclose(back.to_numpy(), online.grid.to_numpy())


def test_scalemae_uses_torchgeo_hub_cache_and_gsd(tmp_path, monkeypatch):
    """A file torchgeo already downloaded into $TORCH_HOME/hub/checkpoints is used
    offline without a download; its checksum is still verified."""
    ckpt = tmp_path / "src.pth"
    ckpt.write_bytes(b"not the weights")
    home = tmp_path / "th"
    (home / "hub" / "checkpoints").mkdir(parents=True)
    target = home / "hub" / "checkpoints" / ScaleMAES2RGB.weights.filename
    target.write_bytes(ckpt.read_bytes())
    monkeypatch.setenv("TORCH_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cfg = get_config(weights_dir=str(tmp_path / "w"))
    spec = spec_for(ScaleMAES2RGB.weights, target)
    assert ensure_weights(spec, cfg) == target
    from rs_embed_qgis.embedders.errors import DownloadError

    with pytest.raises(DownloadError, match="does not match"):
        ensure_weights(ScaleMAES2RGB.weights, cfg)  # the real pin: size and sha256 differ
