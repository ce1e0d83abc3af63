"""AgriFM (Li et al., Remote Sensing of Environment 2026) on Sentinel-2 time series (``agrifm``).

Weights: ``AgriFM.pth`` from the authors' GLASS website (the README's link; also on
OneDrive), no Hugging Face copy and no published checksum: the sha256 is recorded at
the first download and checked after. ``RS_EMBED_AGRIFM_WEIGHTS`` names a file of
one's own (same checks). Read with ``weights_only=True``; the S2 encoder's tensors
are taken as the authors' encoder loads them (``module.`` dropped, ``S2_patch_emd``
read as ``patch_emd``).

Architecture (:mod:`.agrifm_net`): the video Swin-B encoder of the authors'
``configs/cropland_mapping.py`` (patch (4, 2, 2), embed 128, depths 2-2-18-2, heads
4-8-16-32, window (8, 7, 7), frames averaged in pairs at each merge).

Input: T frames of the ten Sentinel-2 bands, each the composite of one of T equal
parts of the time window (default T = 8 as in rs-embed; ``options={"frames": T}``,
1-32; the authors' fine-tuning config uses 32). Each band is standardised with the
config's S2 mean/std (``MapNormalize``), then the frames are stacked (T, 10, 256, 256)
as their ``MapResize`` to ``img_size=256`` gives. A patch of plain (untagged) bands is
one frame (the authors' encoder pads the time axis with zeros).

Outputs: the encoder's final feature map after its LayerNorm, 1024 x 16 x 16 per
256 px input (one cell per 16 px); pooled = mean of the cells (the pretrained
encoder has no pooling head).
"""
from __future__ import annotations

from ..errors import DownloadError
from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from . import agrifm_net
from .base import OnTheFlyEmbedder, build_empty, check_materialized, load_weights, normalize, unwrap_state_dict
from .frames import MultiFrame
from .user_weights import UserWeights

BANDS = ("B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12")
# configs/cropland_mapping.py mean/std of 'S2', in this band order
MEAN = (4179.192015478227, 4065.9106675194444, 3957.274910960156, 5207.452475253116, 4327.12234687,
        4873.16102239, 5049.1637925, 5111.07806856, 3056.86349163, 2490.9675032)
STD = (4041.5212325268735, 3691.003119315892, 3629.331318356375, 2973.5178530908756, 3569.73343885,
       3085.9151435, 2937.56005119, 2806.04462314, 1808.30013156, 1694.20220774)
DEFAULT_FRAMES = 8
MAX_FRAMES = 32  # more would leave two frames after the last merge (2048-d features)


@register
class AgriFM(UserWeights, MultiFrame, OnTheFlyEmbedder):
    model_id = "agrifm"
    aliases = ("agrifm_s2", "agri_fm")
    title = "AgriFM video Swin-B, Sentinel-2 time series (10 bands)"
    dim = 1024
    bands = BANDS
    input_size = 256
    patch_size = 16
    requires = ("torch",)
    product_version = "AgriFM.pth (GLASS website, README link)"
    notes = ("AgriFM (Li et al., RSE 2026): a multi-source temporal foundation model for agriculture "
             "mapping (video Swin Transformer, pretrained on MODIS, Landsat and Sentinel-2 series).")
    weights_env = "RS_EMBED_AGRIFM_WEIGHTS"
    weights = WeightsSpec(filename="AgriFM.pth", url="https://glass.hku.hk/casual/AgriFM/AgriFM.pth",
                          license="Apache-2.0 (AgriFM)")
    default_frames = DEFAULT_FRAMES
    max_frames = MAX_FRAMES
    preprocessing = {
        "bands": ", ".join(BANDS),
        "frames": f"{DEFAULT_FRAMES} by default; options frames=T (1-{MAX_FRAMES}): the time window split "
                  "into T equal parts, one composite each, stacked (T, 10, H, W)",
        "scaling": "(x - mean) / std per band on reflectance x 10^4 (the authors' MapNormalize)",
        "normalisation": {"mean": list(MEAN), "std": list(STD),
                          "source": "flyakon/AgriFM configs/cropland_mapping.py, 'S2'"},
        "input_size": 256,
        "side_inputs": None,
        "grid": "the encoder's last feature map after its LayerNorm (1024 x 16 x 16 per 256 px)",
        "pooled": "mean of the grid cells (no pooling head in the pretrained encoder)",
        "weights": "authors' GLASS website link (README), or the file named by RS_EMBED_AGRIFM_WEIGHTS",
    }

    def load_model(self, device):
        sd = agrifm_net.encoder_state(unwrap_state_dict(load_state_dict(self.fetch_weights())))
        if "patch_emd.proj.weight" not in sd:
            raise DownloadError("The AgriFM weights file has no Sentinel-2 patch embedding "
                                "('S2_patch_emd' / 'patch_emd'): it is not the AgriFM encoder.")
        model = build_empty(lambda: agrifm_net.build(**agrifm_net.arch_of(sd)))
        load_weights(model, sd)
        return check_materialized(model)

    def supports_chunks(self, request) -> bool:
        return False  # a stack of frames: the whole-patch path

    def preprocess(self, x):
        b, _, h, w = x.shape
        x = normalize(x, MEAN * self.frames, STD * self.frames)
        return x.reshape(b, self.frames, len(BANDS), h, w)  # (B, T, C, H, W) as the authors' loader

    def forward_tokens(self, model, x, ctx):
        feats = model(x)  # (B, C, g, g) for T <= 32
        return feats.flatten(2).transpose(1, 2)

    def _meta(self, request, patch, prep, dev, gsd, output):
        meta = super()._meta(request, patch, prep, dev, gsd, output)
        meta["frames"] = self.frames
        return meta
