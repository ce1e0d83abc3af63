"""``terramind`` against the authors' code.

Oracle: the TerraMind modules of IBM's terratorch 1.1.1 (family "dev", installed
with ``--no-deps``), unchanged: ``TerraMindViT`` (the backbone terratorch builds
for ``terramind_v1_base``) and the full encoder-decoder ``TerraMind`` whose state
dict is the published ``TerraMind_v1_base.pt``. ``import terratorch`` itself
cannot run here: its package ``__init__`` registers every model and dataset and
fails on torchgeo 0.8.1 (``torchgeo.models.resnet.ResNet`` is gone) and on
albumentations, which terratorch 1.1.1 pins against. So :func:`authors_modules`
loads ``terratorch/models/backbones/terramind/model/*.py`` from the installed
package as submodules of empty parent packages, without running those
``__init__`` files; the TerraMind code itself needs only torch, einops and
torchvision. The base model's settings and the S2 L2A standardisation constants
are read from the installed ``terramind_register.py`` (its source, with ``ast``:
that module imports terratorch's registry), not typed here.

The checkpoint is the authors' full model (every tensor of the encoder, the
decoder and several modalities' embeddings, in their names) with random weights,
2 encoder blocks and 1 decoder block to stay small; the full-size key set is
compared on the meta device. rs-embed 0.3.1's TerraMind adapter (family "dev") is
run on the same backbone as a second reference for the preprocessing and pooling.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import types
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from fixtures_models import s2_geotiff_around, s2_patch, spec_for

from rs_embed_qgis.embedders import api
from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import DownloadError
from rs_embed_qgis.embedders.imagery.base import S2_BANDS
from rs_embed_qgis.embedders.models.terramind import BANDS, MEAN, STD, TerraMindBase
from rs_embed_qgis.embedders.models.terramind_net import encoder_state, terramind_base
from rs_embed_qgis.embedders.registry import describe_model
from rs_embed_qgis.embedders.specs import BBox, OutputSpec, TemporalSpec

import torch  # noqa: E402  (the core env has it: make test installs every family)
from torch import nn  # noqa: E402
from torch.overrides import TorchFunctionMode  # noqa: E402
from torch.utils._device import _device_constructors  # noqa: E402

TOL = dict(rtol=1e-4, atol=2e-4)
PKG = "terratorch.models.backbones.terramind"
# a subset of the published checkpoint's modalities: raw and tokenised inputs, token outputs
ENCODER_MODALITIES = ["untok_sen2l2a@224", "untok_sen1grd@224", "tok_sen2l2a@224", "tok_lulc@224"]
DECODER_MODALITIES = ["tok_sen2l2a@224", "tok_lulc@224"]


def authors_modules():
    """(terramind_vit, terramind, modality_info, tm_utils, register source path) of the
    installed terratorch, loaded without running terratorch's package __init__ files."""
    # oracle: terratorch 1.1.1, family "dev" (pip install --no-deps terratorch==1.1.1)
    spec = importlib.util.find_spec("terratorch")
    if spec is None:
        raise ImportError("terratorch 1.1.1 is not installed: set up the 'dev' family")
    root = Path(spec.submodule_search_locations[0])
    parents = ["terratorch", "terratorch.models", "terratorch.models.backbones", PKG]
    saved = {n: m for n, m in sys.modules.items() if n == "terratorch" or n.startswith("terratorch.")}
    try:
        for name in parents:
            shell = types.ModuleType(name)
            shell.__path__ = [str(root.joinpath(*name.split(".")[1:]))]
            sys.modules[name] = shell
        mods = [importlib.import_module(f"{PKG}.model.{m}")
                for m in ("terramind_vit", "terramind", "modality_info", "tm_utils")]
    finally:  # leave no half-initialised terratorch behind for other tests
        for name in [n for n in sys.modules if n == "terratorch" or n.startswith("terratorch.")]:
            del sys.modules[name]
        sys.modules.update(saved)
    return (*mods, root / "models" / "backbones" / "terramind" / "model" / "terramind_register.py")


@pytest.fixture(scope="module")
def authors():
    vit, tm, info, utils, register = authors_modules()
    tree = ast.parse(register.read_text())
    env = {"partial": partial, "nn": nn, "LayerNorm": utils.LayerNorm}

    def settings(function):
        fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
        call = next(n for n in ast.walk(fn) if isinstance(n, ast.Call) and n.keywords)
        return {k.arg: eval(compile(ast.Expression(k.value), str(register), "eval"), env)  # noqa: S307
                for k in call.keywords
                if k.arg and k.arg not in ("variant", "pretrained_bands", "tokenizer_dict")}

    def constant(name):
        node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == name)
        return ast.literal_eval(node.value)["untok_sen2l2a@224"]

    return types.SimpleNamespace(vit=vit, tm=tm, info=info, vit_settings=settings("terramind_v1_base"),
                                 encdec_settings=settings("terramind_v1_base_encdec"),
                                 mean=constant("v1_pretraining_mean"), std=constant("v1_pretraining_std"))


def full_model(authors, encoder_depth, decoder_depth):
    """The authors' encoder-decoder (base settings), as the published file holds it."""
    info = authors.info.MODALITY_INFO
    enc, _ = authors.tm.build_modality_embeddings(info, ENCODER_MODALITIES, img_size=224, dim=768, patch_size=16)
    dec, _ = authors.tm.build_output_modality_embeddings(info, DECODER_MODALITIES, img_size=224, dim=768,
                                                         patch_size=16)
    kw = dict(authors.encdec_settings, encoder_depth=encoder_depth, decoder_depth=decoder_depth)
    return authors.tm.TerraMind(encoder_embeddings=enc, decoder_embeddings=dec, modality_info=info, **kw)


def backbone(authors, depth):
    """terratorch's terramind_v1_base backbone for S2L2A (TerraMindViT)."""
    return authors.vit.TerraMindViT(modalities=["S2L2A"], **dict(authors.vit_settings, encoder_depth=depth))


@pytest.fixture(scope="module")
def published(authors, tmp_path_factory):
    """(weights_dir, file, the authors' backbone loaded from that file)."""
    full = full_model(authors, 2, 1)
    g = torch.Generator().manual_seed(11)
    with torch.no_grad():
        for name, p in full.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name.endswith("norm.weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.add_(0.05 * torch.randn(p.shape, generator=g))
    wdir = tmp_path_factory.mktemp("tm_weights")
    path = wdir / TerraMindBase.weights.repo_id / TerraMindBase.weights.filename
    path.parent.mkdir(parents=True)
    state = full.state_dict()
    torch.save(state, path)
    ref = backbone(authors, 2)
    # what terratorch's checkpoint_filter_fn keeps: the backbone's own keys, then a strict load
    ref.load_state_dict({k: v for k, v in state.items() if k in ref.state_dict()}, strict=True)
    return wdir, path, ref.eval()


@pytest.fixture
def emb(published, monkeypatch):
    wdir, path, _ = published
    monkeypatch.setattr(TerraMindBase, "weights", spec_for(TerraMindBase.weights, path))
    monkeypatch.setattr(TerraMindBase, "depth", 2)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return TerraMindBase(), get_config(weights_dir=str(wdir))


class MetaBuild(TorchFunctionMode):
    """``with torch.device("meta")``, except ``torch.linspace``: the authors' constructors
    turn their drop-path schedule into Python floats with ``.item()``."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _device_constructors() and func is not torch.linspace and kwargs.get("device") is None:
            kwargs["device"] = "meta"
        return func(*args, **kwargs)


def authors_forward(ref, model_input):
    with torch.no_grad():
        return ref({"S2L2A": torch.as_tensor(model_input, dtype=torch.float32)})[-1]  # last layer, normed


def test_constants_and_band_order_are_the_authors():
    from rs_embed_qgis.embedders.models.terramind_net import S2L2A_KEY

    assert S2L2A_KEY == "untok_sen2l2a@224"
    assert BANDS == S2_BANDS  # B01..B12 without B10 = their COASTAL_AEROSOL ... SWIR_2


def test_standardisation_constants_are_the_authors(authors):
    assert list(MEAN) == authors.mean and list(STD) == authors.std
    d = describe_model("terramind")
    assert d["preprocessing"]["normalisation"]["mean"] == authors.mean
    assert d["input"]["bands"] == list(BANDS) and d["outputs"]["grid"] == [768, 14, 14]
    assert d["weights"]["source"].startswith("hf://ibm-esa-geospatial/TerraMind-1.0-base@fb96c70d")


def test_key_set_is_the_authors_full_size_one(authors):
    """Our encoder's tensors == the S2 L2A encoder part of the authors' full base model
    (12 + 12 blocks) == terratorch's terramind_v1_base backbone, names and shapes."""
    with MetaBuild():
        full = {k: tuple(v.shape) for k, v in full_model(authors, 12, 12).state_dict().items()}
        vit = {k: tuple(v.shape) for k, v in backbone(authors, 12).state_dict().items()}
        ours = {k: tuple(v.shape) for k, v in terramind_base().state_dict().items()}
    assert ours == vit == encoder_state(full)
    assert any(k.startswith("decoder.") for k in full) and any("sen1grd" in k for k in full)


def test_grid_and_pooled_equal_the_authors_backbone(emb, published, authors):
    e, cfg = emb
    _, _, ref = published
    patch = s2_patch(224, 224, bands=S2_BANDS, seed=5)
    grid, pooled = e.embed_patch_both(patch, OutputSpec.grid(), config=cfg)
    assert grid.data.shape == (768, 14, 14) and pooled.data.shape == (768,)
    mean = np.array(authors.mean, np.float32)[:, None, None]
    std = np.array(authors.std, np.float32)[:, None, None]
    tokens = authors_forward(ref, ((patch.data[[S2_BANDS.index(b) for b in BANDS]] - mean) / std)[None])[0]
    expected = tokens.numpy()  # (196, 768), row-major
    got = grid.to_numpy().reshape(768, -1).T
    np.testing.assert_allclose(got, expected, **TOL)
    np.testing.assert_allclose(pooled.data, expected.mean(0), **TOL)
    # cells on the imagery: 16 px x 10 m from the patch's corner
    t = patch.grid.transform
    assert tuple(grid.transform)[:6] == (160.0, 0.0, t.c, 0.0, -160.0, t.f)
    assert grid.meta["preprocessing"]["normalisation"]["std"] == authors.std


def test_public_api_on_a_local_raster(emb, published, tmp_path):
    """get_embedding on a local 12-band GeoTIFF: the grid sits on the ROI's grid and is
    the authors' backbone on the exact tensor inspect_model_input reports."""
    from rs_embed_qgis.embedders.imagery.fetch import target_grid

    e, cfg = emb
    _, _, ref = published
    lon, lat = 3.1, 52.0
    tif, epsg = s2_geotiff_around(tmp_path / "s2_l2a.tif", lon, lat, 400, seed=8)
    roi = BBox(lon - 0.01, lat - 0.006, lon + 0.01, lat + 0.006)
    kw = dict(spatial=roi, temporal=TemporalSpec.range("2022-06-01", "2022-07-01"), backend="local",
              input_raster=str(tif), config=cfg)
    grid = api.get_embedding("terramind", output=OutputSpec.grid(), **kw)
    seen = api.inspect_model_input("terramind", **kw)
    g = target_grid(roi, 10.0)
    assert grid.data.shape == (768, 14, 14) and grid.crs == g.crs
    assert (grid.transform.c, grid.transform.f) == (g.transform.c, g.transform.f)
    assert grid.transform.a == pytest.approx(g.width * 10.0 / 14)
    assert grid.meta["imagery_source"] == "local" and grid.meta["model"] == "terramind"
    expected = authors_forward(ref, seen["array"][None])[0].numpy()
    np.testing.assert_allclose(grid.to_numpy().reshape(768, -1).T, expected, **TOL)


def test_rs_embed_adapter_agrees_on_reflectance_within_its_clip(emb, published):
    """rs-embed 0.3.1's TerraMind path (its preprocessing, its pick of the backbone's
    last output, its pooling) on the same backbone and a patch within [0, 10^4]: the
    same tokens and pooled vector. (rs-embed clips to [0, 10^4] first; the authors,
    and we, do not: brighter pixels differ by design.)"""
    import rs_embed.embedders.onthefly_terramind as rse
    from rs_embed.embedders.shared import pool_from_tokens

    e, cfg = emb
    _, _, ref = published
    patch = s2_patch(224, 224, bands=S2_BANDS, seed=9)
    patch.data[:] = np.minimum(patch.data, 10000.0)
    grid, pooled = e.embed_patch_both(patch, OutputSpec.grid(), config=cfg)
    x = rse._prepare_terramind_input_chw(patch.data, image_size=224, model_key="terramind_v1_base",
                                         normalize_mode="zscore")[None]
    tokens, _ = rse._terramind_forward_tokens_batch(ref, x, modality="S2L2A", layer_index=-1, device="cpu")
    vec, cls_removed = pool_from_tokens(tokens[0], "mean")
    assert not cls_removed
    np.testing.assert_allclose(grid.to_numpy().reshape(768, -1).T, tokens[0], **TOL)
    np.testing.assert_allclose(pooled.data, vec, **TOL)


def test_a_file_without_the_constant_buffers_gives_the_same_tokens(emb, published, tmp_path, monkeypatch):
    """Zero LayerNorm biases and the sin-cos code are buffers; saved without them, ours
    are computed, and must be the authors' (their layout: row code first, then column)."""
    e, cfg = emb
    _, path, ref = published
    state = torch.load(path, weights_only=True)
    constant = {k for k in ref.state_dict() if k.endswith("pos_emb") or k.endswith(".bias")}
    assert "encoder_embeddings.untok_sen2l2a@224.pos_emb" in constant and "encoder_norm.bias" in constant
    lean = tmp_path / TerraMindBase.weights.repo_id / TerraMindBase.weights.filename
    lean.parent.mkdir(parents=True)
    torch.save({k: v for k, v in state.items() if k not in constant}, lean)
    patch = s2_patch(224, 224, bands=S2_BANDS, seed=6)
    before = e.embed_patch(patch, OutputSpec.grid(), config=cfg).to_numpy()
    monkeypatch.setattr(TerraMindBase, "weights", spec_for(TerraMindBase.weights, lean))
    after = TerraMindBase().embed_patch(patch, OutputSpec.grid(), config=get_config(weights_dir=str(tmp_path)))
    np.testing.assert_allclose(after.to_numpy(), before, rtol=1e-5, atol=1e-5)


def test_weights_without_the_s2_encoder_are_refused(emb, published, tmp_path, monkeypatch):
    _, path, _ = published
    state = torch.load(path, weights_only=True)
    state.pop("encoder_embeddings.untok_sen2l2a@224.proj.weight")
    bad = tmp_path / TerraMindBase.weights.repo_id / TerraMindBase.weights.filename
    bad.parent.mkdir(parents=True)
    torch.save(state, bad)
    monkeypatch.setattr(TerraMindBase, "weights", spec_for(TerraMindBase.weights, bad))
    with pytest.raises(DownloadError, match="untok_sen2l2a@224.proj.weight"):
        TerraMindBase().embed_patch(s2_patch(224, 224, bands=S2_BANDS), config=get_config(weights_dir=str(tmp_path)))
