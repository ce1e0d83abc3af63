"""DOFA ViT-B/16 and ViT-L/16 (torchgeo ``dofa_base_patch16_224`` /
``dofa_large_patch16_224``, weights ``DOFA_MAE``) on nine Sentinel-2 bands
(``dofa_s2``, ``dofa_l_s2``).

DOFA generates its patch-embedding kernels from each band's central wavelength,
so the bands and their wavelengths are side inputs. We use the Sentinel-2 set
and order of the authors' Sentinel-2 example (zhu-xlab/DOFA README: B04, B03,
B02, B05, B06, B07, B08, B11, B12 with 0.665 ... 2.19 µm) and their per-band
statistics, which are for 8-bit values (SatlasPretrain's Sentinel-2 product);
reflectance is mapped to that range as ``clip(r / 10^4, 0, 1) * 255`` (as
rs-embed does). torchgeo leaves normalisation to the user.

Tokens are the last block's output (the MAE checkpoints have no final norm).
Pooled = the authors' ``forward_features`` with ``global_pool``: ``fc_norm``
(LayerNorm) of the patch-token mean; the checkpoints carry no ``fc_norm``, so
it is the freshly initialised LayerNorm (weight 1, bias 0), as in torchgeo.

Georeferencing: the patch convolution has stride 16 and padding 1, so token
``i`` sees input pixels ``16 i - 1 .. 16 i + 14`` — one input pixel (1/16 of a
cell) up-left of cell ``i``. ``grid_offset_px = 1`` shifts the grid's
transform by that much (tests/core/test_models_oracles.py proves it with an
impulse through torchgeo's own patch embedding).
"""
from __future__ import annotations

from ..errors import DownloadError
from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from .base import OnTheFlyEmbedder, normalize, unwrap_state_dict

BANDS = ("B04", "B03", "B02", "B05", "B06", "B07", "B08", "B11", "B12")
WAVELENGTHS_UM = (0.665, 0.56, 0.49, 0.705, 0.74, 0.783, 0.842, 1.61, 2.19)
# zhu-xlab/DOFA README, Sentinel-2 (8-bit values)
MEAN = (114.1099739, 114.81779093, 126.63977424, 84.33539309, 97.84789168,
        103.94461911, 101.435633, 72.32804172, 56.66528851)
STD = (77.84352553, 69.96844919, 67.42465279, 64.57022983, 61.72545487,
       61.34187099, 60.29744676, 47.88519516, 42.55886798)
FILE = "dofa_base_patch16_224-a0275954.pth"
FILE_L = "dofa_large_patch16_224-0ff904d3.pth"
REVISION = "b8db318b64a90b9e085ec04ba8851233c5893666"  # torchgeo's URLs
# created by torchgeo's constructor, absent from the MAE checkpoint
NOT_IN_CHECKPOINT = ("fc_norm.weight", "fc_norm.bias", "head.weight", "head.bias")


PREPROCESSING = {
    "bands": "B04, B03, B02, B05, B06, B07, B08, B11, B12 (DOFA's Sentinel-2 order)",
    "scaling": "v = clip(reflectance / 10000, 0, 1) * 255 (8-bit range of DOFA's Sentinel-2 statistics)",
    "normalisation": {"mean": list(MEAN), "std": list(STD), "source": "zhu-xlab/DOFA README, Sentinel-2"},
    "input_size": 224,
    "side_inputs": {"wavelengths_um": dict(zip(BANDS, WAVELENGTHS_UM))},
    "pooled": "the authors' forward_features (global_pool): fc_norm(mean of the 196 patch tokens); "
              "fc_norm is not in the MAE checkpoint, so it is LayerNorm with weight 1, bias 0",
    "grid": "patch tokens of the last block (no final norm); the patch convolution pads by 1 px, so "
            "each token sees its cell shifted up-left by 1 input pixel: the grid transform carries "
            "that shift (grid_offset_px = 1)",
}


class _DOFA(OnTheFlyEmbedder):
    bands = BANDS
    input_size = 224
    patch_size = 16
    grid_offset_px = 1
    pooled_from = "fc_norm(mean of patch tokens) (authors' forward_features)"
    requires = ("torch", "torchgeo", "timm")
    preprocessing = PREPROCESSING
    factory = "dofa_base_patch16_224"

    def load_model(self, device):
        import torchgeo.models as tgm

        model = getattr(tgm, self.factory)(weights=None)
        sd = unwrap_state_dict(load_state_dict(self.fetch_weights()))
        missing, unexpected = model.load_state_dict(sd, strict=False)
        if "fc_norm.weight" in missing:  # generated, as torchgeo does: a plain LayerNorm
            model.fc_norm.reset_parameters()
        missing = [k for k in missing if k not in NOT_IN_CHECKPOINT]
        if missing or unexpected:
            raise DownloadError(f"The DOFA weights do not match {self.factory}: "
                                f"missing {missing[:5]}, unexpected {unexpected[:5]}.")
        return model

    def preprocess(self, x):
        import torch

        return normalize(torch.clamp(x / 10000.0, 0.0, 1.0) * 255.0, MEAN, STD)

    def forward_tokens(self, model, x, ctx):
        tokens = dofa_tokens(model, x, WAVELENGTHS_UM)
        return tokens, model.fc_norm(tokens.mean(dim=1))


@register
class DOFAS2(_DOFA):
    model_id = "dofa_s2"
    aliases = ("dofa", "dofa_base")
    title = "DOFA ViT-B/16 (wavelength-conditioned, 9 Sentinel-2 bands)"
    dim = 768
    product_version = "torchgeo DOFABase16_Weights.DOFA_MAE @ b8db318"
    notes = ("Dynamic One-For-All MAE ViT-B/16 (Xiong et al., 2024): patch embeddings generated "
             "from band wavelengths; pretrained on SatlasPretrain, Five-Billion-Pixels, HySpecNet-11k.")
    # torchgeo's URL https://hf.co/torchgeo/dofa/resolve/b8db318.../<FILE>. The "-a0275954"
    # in the name is the sha256 prefix (torch hub convention); no full digest is published.
    weights = WeightsSpec(repo_id="torchgeo/dofa", filename=FILE, revision=REVISION,
                          sha256=None, size=None, torch_hub_name=FILE, license="MIT (zhu-xlab/DOFA)")


@register
class DOFALargeS2(_DOFA):
    model_id = "dofa_l_s2"
    aliases = ("dofa_large", "dofa_l")
    title = "DOFA ViT-L/16 (wavelength-conditioned, 9 Sentinel-2 bands)"
    dim = 1024
    factory = "dofa_large_patch16_224"
    product_version = "torchgeo DOFALarge16_Weights.DOFA_MAE @ b8db318"
    notes = ("DOFA MAE ViT-L/16 (Xiong et al., 2024), the large size of dofa_s2: same bands, "
             "wavelengths and preprocessing; 24 blocks, 1024-d tokens.")
    # "-0ff904d3" is the sha256 prefix (torch hub convention); no full digest is published.
    weights = WeightsSpec(repo_id="torchgeo/dofa", filename=FILE_L, revision=REVISION,
                          sha256=None, size=None, torch_hub_name=FILE_L, license="MIT (zhu-xlab/DOFA)")


def dofa_tokens(model, x, wavelengths):
    """Patch tokens of torchgeo's DOFA (its ``forward_features`` up to the
    blocks, without pooling): (B, 196, D)."""
    import torch

    waves = torch.tensor(wavelengths, device=x.device, dtype=torch.float32)
    tokens, _ = model.patch_embed(x, waves)
    tokens = tokens + model.pos_embed[:, 1:, :]
    cls = (model.cls_token + model.pos_embed[:, :1, :]).expand(x.shape[0], -1, -1)
    seq = torch.cat([cls, tokens], dim=1)
    for block in model.blocks:
        seq = block(seq)
    return seq[:, 1:]
