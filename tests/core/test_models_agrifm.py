"""``agrifm`` against the authors' AgriFM encoder.

Oracle: ``PretrainingSwinTransformer3DEncoder`` of flyakon/AgriFM
``AgriFM/models/video_swin_transformer.py`` as shipped in rs-embed 0.3.1
(``rs_embed.embedders._vendor.agrifm_video_swin_transformer``, family "dev").
That module imports mmseg/mmengine only for their registries, ``BaseModel`` and
``load_checkpoint``; mmcv/mmseg do not install here, so the test installs
rs-embed's own stand-ins for those imports (``_install_agrifm_lightweight_shims``)
and builds the encoder without a checkpoint. It is built with the published config
(patch (4, 2, 2), window (8, 7, 7), frame-averaging merges) but narrower (embed 32,
2 blocks a stage, so every stage has a shifted block); the full-size key set is
compared on the meta device. The weights file is its state dict in the layout the
authors' loader expects (``{"state_dict": ...}`` with ``S2_patch_emd`` and another
source's patch embedding), served from 127.0.0.1 at the pinned URL's path.
"""
from __future__ import annotations

import dataclasses
import shutil
from urllib.parse import urlsplit

import numpy as np
import pytest

from fixtures_models import s2_patch
from loopback import LoopbackServer, free_env_proxies

from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import DownloadError
from rs_embed_qgis.embedders.models import agrifm_net
from rs_embed_qgis.embedders.models.agrifm import BANDS, MEAN, STD, AgriFM
from rs_embed_qgis.embedders.specs import OutputSpec

import torch  # noqa: E402
from rs_embed.embedders import onthefly_agrifm  # noqa: E402  (family "dev")

onthefly_agrifm._install_agrifm_lightweight_shims()  # registry/BaseModel stand-ins for mmseg, mmengine
import rs_embed.embedders._vendor.agrifm_video_swin_transformer as vendor  # noqa: E402

TOL = dict(rtol=1e-4, atol=3e-4)


def authors_encoder(embed_dim=128, depths=(2, 2, 18, 2), heads=(4, 8, 16, 32)):
    patch = dict(type="SwinPatchEmbed3D", patch_size=(4, 2, 2), in_chans=10, embed_dim=embed_dim)
    backbone = dict(type="SwinTransformer3D", pretrained=None, pretrained2d=False, patch_size=(4, 2, 2),
                    embed_dim=embed_dim, depths=list(depths), num_heads=list(heads), window_size=(8, 7, 7),
                    out_indices=(0, 1, 2, 3), mlp_ratio=4.0, qkv_bias=True, qk_scale=None, drop_rate=0.0,
                    attn_drop_rate=0.0, drop_path_rate=0.2, patch_norm=False, frozen_stages=-1,
                    use_checkpoint=False, downsample_steps=((2, 2, 2),) * 4, feature_fusion="cat",
                    mean_frame_down=True)
    return vendor.PretrainingSwinTransformer3DEncoder(patch_emd_cfg=patch, backbone_cfg=backbone, init_cfg=None)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    free_env_proxies()
    torch.manual_seed(5)
    ref = authors_encoder(embed_dim=32, depths=(2, 2, 2, 2), heads=(1, 2, 4, 8)).eval()
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if "norm" in name or "relative_position_bias_table" in name:
                p.add_(0.2 * torch.randn(p.shape))
    sd = {k.replace("patch_emd.", "S2_patch_emd."): v for k, v in ref.state_dict().items()}
    sd["HLSL30_patch_emd.proj.weight"] = torch.randn(32, 6, 4, 2, 2)  # another source's embedding
    root = tmp_path_factory.mktemp("glass")
    served = root / urlsplit(AgriFM.weights.url).path.lstrip("/")
    served.parent.mkdir(parents=True)
    torch.save({"state_dict": sd}, served)
    with LoopbackServer(root) as server:
        yield server, served, ref


def authors_features(ref, patch, frames):
    """The authors' encoder on the same standardised stack (1, T, 10, H, W)."""
    x = patch.data.reshape(frames, len(BANDS), *patch.data.shape[1:])
    x = (x - np.array(MEAN)[None, :, None, None]) / np.array(STD)[None, :, None, None]
    with torch.no_grad():
        return ref(torch.from_numpy(x.astype(np.float32))[None], mode="tensor")["encoder_features"][0].numpy()


def test_downloaded_weights_give_the_authors_features_for_eight_frames(published, tmp_path, monkeypatch):
    """options frames=8: the window is split into 8 parts, one composite each (the
    imagery fetch is replaced by known patches, recorded per window), stacked
    frame-major (1, 8, 10, 256, 256) as the authors' loader gives (T, C, H, W)."""
    from rs_embed_qgis.embedders.base import EmbedRequest
    from rs_embed_qgis.embedders.imagery.base import S2_BANDS
    from rs_embed_qgis.embedders.models.base import OnTheFlyEmbedder
    from rs_embed_qgis.embedders.models.frames import split_window
    from rs_embed_qgis.embedders.specs import BBox, TemporalSpec

    server, served, ref = published
    url = urlsplit(AgriFM.weights.url)
    monkeypatch.setattr(AgriFM, "weights", dataclasses.replace(AgriFM.weights, url=f"{server.url}{url.path}"))
    monkeypatch.delenv("RS_EMBED_AGRIFM_WEIGHTS", raising=False)
    window = TemporalSpec.range("2021-01-01", "2021-09-01")
    parts = split_window(window, 8)
    frames = {w.start.isoformat(): s2_patch(256, 256, bands=S2_BANDS, seed=40 + i) for i, w in enumerate(parts)}
    asked = []

    def fake_fetch(self, request, progress=None):
        asked.append(request.temporal.start.isoformat())
        return frames[request.temporal.start.isoformat()]

    monkeypatch.setattr(OnTheFlyEmbedder, "fetch_patch", fake_fetch)
    req = EmbedRequest(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=window, output=OutputSpec.grid(),
                       options={"frames": 8}, config=get_config(weights_dir=str(tmp_path)))
    server.reset_counters()
    emb = AgriFM()
    grid, pooled = emb.embed_grid_and_pooled(req)
    assert asked == sorted(frames) and len(asked) == 8
    assert [r[3] for r in server.requests if r[0] == "GET"] == [200]
    assert list((tmp_path / ".verified").iterdir()), "the sha256 of the first download is recorded"
    assert emb.bands == BANDS and emb.frames == 1  # restored after the call

    stack = np.concatenate([frames[k].select(list(BANDS)).data for k in asked])
    expected = authors_features(ref, dataclasses.replace(frames[asked[0]], data=stack), 8)
    assert expected.shape == (256, 16, 16) and grid.data.shape == (256, 16, 16)  # one frame left after 3 merges
    np.testing.assert_allclose(grid.to_numpy(), expected, **TOL)
    np.testing.assert_allclose(pooled.data, expected.mean(axis=(1, 2)), **TOL)
    assert grid.meta["frames"] == 8 and len(grid.meta["imagery"]["frames"]) == 8
    t, g = grid.transform, frames[asked[0]].grid.transform
    assert (t.a, t.e, t.c, t.f) == (160.0, -160.0, g.c, g.f)


def test_user_weights_file_one_frame_and_tampering(published, tmp_path, monkeypatch):
    _, served, ref = published
    mine = tmp_path / "AgriFM-copy.pth"
    shutil.copy(served, mine)
    monkeypatch.setattr(AgriFM, "weights", dataclasses.replace(AgriFM.weights, url="http://127.0.0.1:9/AgriFM.pth"))
    monkeypatch.setenv("RS_EMBED_AGRIFM_WEIGHTS", str(mine))
    cfg = get_config(weights_dir=str(tmp_path / "w"))
    patch = s2_patch(256, 256, bands=BANDS, seed=3)  # plain bands: one frame, zero-padded in time
    grid = AgriFM().embed_patch(patch, OutputSpec.grid(), config=cfg)
    np.testing.assert_allclose(grid.to_numpy(), authors_features(ref, patch, 1), **TOL)

    with open(mine, "r+b") as fh:  # one byte changed after its first use: refused
        fh.seek(-100, 2)
        b = fh.read(1)
        fh.seek(-100, 2)
        fh.write(bytes([b[0] ^ 0xFF]))
    with pytest.raises(DownloadError, match="RS_EMBED_AGRIFM_WEIGHTS.*does not match"):
        AgriFM().embed_patch(patch, OutputSpec.grid(), config=cfg)


def test_encoder_key_set_is_the_authors_full_size_one():
    """The published config (Swin-B 2-2-18-2): every tensor of the authors' encoder
    but the computed index buffers lands on ours with the same shape. (Their
    constructor calls ``.item()``, so it cannot be built on the meta device.)"""
    official = authors_encoder().state_dict()
    kept = agrifm_net.encoder_state(official)
    arch = agrifm_net.arch_of(kept)
    with torch.device("meta"):
        ours = agrifm_net.build(**arch).state_dict()
    assert arch == dict(in_chans=10, embed_dim=128, patch=(4, 2, 2), depths=(2, 2, 18, 2), heads=(4, 8, 16, 32),
                        mlp_ratio=4.0)
    assert {k: tuple(v.shape) for k, v in ours.items()} == {k: tuple(v.shape) for k, v in kept.items()}
    assert {k for k in official if k not in kept} == {k for k in official if k.endswith("relative_position_index")}
