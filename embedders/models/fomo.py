"""FoMo-Net_1 (RolnickLab FoMo-Bench) on ten Sentinel-2 bands (``fomo``).

Weights: ``fomo_single_embedding_layer_weights.pt``, the FoMo-Net_1 state dict
the authors' README links on Dropbox (no Hugging Face copy, no published
checksum): the sha256 is recorded at the first download and checked after. A
file of one's own is named with ``RS_EMBED_FOMO_WEIGHTS`` (same checks). The
file is read with ``weights_only=True``.

Architecture (:mod:`.fomo_net`): the authors' FoMo-Net_1 example builds
``MultiSpectralViT(image_size=64, patch_size=16, dim=768, depth=12, heads=12,
mlp_dim=2048, channels=1)`` with the 37 modality keys of their pretraining
config; each band is one set of 4 x 4 tokens tagged with its modality key.

Preprocessing, as their training loader does it for every pretraining dataset:
``(x - mean) / std`` per band with that dataset's statistics
(``configs/stats/stats.json``). Sentinel-2 came into pretraining through TalloS
(global; bands B2-B8A, B11, B12) and RapidAI4EO (Europe); we take TalloS' ten S2
bands, their keys and their statistics. rs-embed 0.3.1 feeds 12 bands scaled to
[0, 1] instead, which no pretraining loader did.

Outputs: the grid cell = mean of the ten band tokens of that position after the
final norm; pooled = mean of all tokens, the authors' ``pool=True`` path before
its classification head (``mlp_head``, not pretrained by the MAE).
"""
from __future__ import annotations

from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from . import fomo_net
from .base import OnTheFlyEmbedder, check_materialized, build_empty, load_weights, normalize, unwrap_state_dict
from .user_weights import UserWeights

BANDS = ("B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12")
# configs/datasets/fomo_pretraining_datasets.json "modality_channels": sentinel-2-b2 = 7 ... b12 = 18
BAND_KEYS = (7, 8, 9, 10, 11, 12, 13, 14, 17, 18)
# configs/stats/stats.json "tallos", its first ten channels (the S2 bands above, in this order)
MEAN = (1283.97119, 1438.82031, 1378.67847, 1819.70667, 2835.08765, 3202.86938, 3276.03394, 3422.51392,
        2305.23926, 1555.97595)
STD = (2028.46753, 1908.08655, 1912.57837, 1931.35449, 1730.66138, 1714.06738, 1679.35315, 1671.14331,
       1351.27197, 1257.49890)


@register
class FoMo(UserWeights, OnTheFlyEmbedder):
    model_id = "fomo"
    aliases = ("fomo_net", "fomo_s2", "fomonet")
    title = "FoMo-Net_1 ViT-B/16 (FoMo-Bench), 10 Sentinel-2 bands"
    dim = 768
    bands = BANDS
    input_size = 64
    patch_size = 16
    requires = ("torch",)
    product_version = "fomo_single_embedding_layer_weights.pt (FoMo-Bench README)"
    notes = ("FoMo-Net_1 (Bountos et al., FoMo-Bench, AAAI 2025): a band-wise MAE-pretrained ViT for "
             "forest monitoring over Sentinel-1/2, Landsat, Planet, aerial and DEM inputs.")
    weights_env = "RS_EMBED_FOMO_WEIGHTS"
    weights = WeightsSpec(
        filename="fomo_single_embedding_layer_weights.pt",
        url=("https://www.dropbox.com/scl/fi/4ckmxlcbc0tcod8hknp7c/fomo_single_embedding_layer_weights.pt"
             "?rlkey=26tlf3yaz93vvcosr0qrvklub&dl=1"),
        license="MIT (FoMo-Bench)")
    preprocessing = {
        "bands": ", ".join(BANDS) + " (the TalloS Sentinel-2 bands of FoMo's pretraining)",
        "band_keys": dict(zip(BANDS, BAND_KEYS)),
        "scaling": "(x - mean) / std per band on reflectance x 10^4 (the authors' 'standard' normalisation)",
        "normalisation": {"mean": list(MEAN), "std": list(STD),
                          "source": "RolnickLab/FoMo-Bench configs/stats/stats.json, 'tallos'"},
        "input_size": 64,
        "side_inputs": "modality key per band (spectral embedding)",
        "grid": "per 16 x 16 px cell: mean of the 10 band tokens after the final norm (768 x 4 x 4)",
        "pooled": "mean of all band tokens (the authors' pool=True, before the classification head)",
        "weights": "authors' Dropbox link (README), or the file named by RS_EMBED_FOMO_WEIGHTS",
    }

    def load_model(self, device):
        sd = unwrap_state_dict(load_state_dict(self.fetch_weights()))
        if "pos_embedding" not in sd:
            from ..errors import DownloadError

            raise DownloadError("The FoMo weights file lacks 'pos_embedding': it is not a FoMo-Net_1 state dict.")
        shape = fomo_net.shape_of(sd)
        model = build_empty(lambda: fomo_net.build(**shape))
        load_weights(model, fomo_net.from_official(sd))
        return check_materialized(model)

    def preprocess(self, x):
        return normalize(x, MEAN, STD)

    def forward_tokens(self, model, x, ctx):
        return model(x, BAND_KEYS).mean(dim=1)  # (B, N, D): each cell's band tokens averaged
