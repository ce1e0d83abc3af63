"""THOR 1.0 Base (FM4CS: NR, UiT, ESA Phi-lab) on ten Sentinel-2 L2A bands (``thor``).

The authors publish no package that installs on Python 3.11 (``thor-terratorch-ext``
0.2.1 needs terratorch 1.2.4, Python >= 3.12, and their ``thor`` package from git,
not on PyPI); the encoder is our own
implementation (``thor_net``) of their ``ThorViTEncoder``, fed as their
``thor_terratorch_ext`` backbone (``THOREncoderWrapper``) is in their README and
embedding-generation config (``config/embedding_generation.yaml``):

* bands BLUE, GREEN, RED, NIR_BROAD (B02, B03, B04, B08: the 10 m group) and
  RED_EDGE_1..3, NIR_NARROW, SWIR_1, SWIR_2 (B05, B06, B07, B8A, B11, B12: the 20 m
  group); B01/B09 (60 m group) are left out as in their configs;
* reflectance x 10^4 / 10^4, standardised with the pretraining statistics
  (``THOR_NORMALIZATION_PARAMS`` = ``THORDatasetBase.NORMALIZATION``) and clamped
  to +-5 sigma as in pretraining (``clamp_5_sigma``);
* input 288 x 288 px at 10 m = ground cover 2880 m (the wrapper's default): the
  10 m group enters at 288 px, the 20 m group bilinearly resampled to 144 px
  (``_preprocess_input``); patch size 8 (README example, rs-embed's default) gives
  36 x 36 tokens of 80 m and 18 x 18 of 160 m; the model is told the nominal
  band GSDs (10 m, 20 m), so inputs resized to coarser pixels are seen as 10 m
  (the metadata records the real input GSD; ``input_prep`` tile keeps 10 m);
* output: the last block's tokens (``out_indices [-1]``, no final norm), the two
  groups merged with ``merge_method="mean"`` (20 m map upsampled bilinearly to
  36 x 36, averaged with the 10 m map: THORGroupReshapeTokensToImage); pooled =
  mean of that grid.
"""
from __future__ import annotations

from ..errors import DownloadError
from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from . import thor_net
from .base import OnTheFlyEmbedder, build_empty, check_materialized, load_weights, normalize, unwrap_state_dict

BANDS = ("B02", "B03", "B04", "B08", "B05", "B06", "B07", "B8A", "B11", "B12")  # 10 m group, then 20 m group
N10 = 4
# THOR_NORMALIZATION_PARAMS (reflectance) for S2:Blue, Green, Red, NIR, RE1, RE2, RE3, RE4, SWIR1, SWIR2
MEAN = (0.176620, 0.195923, 0.213948, 0.308133, 0.263378, 0.300818, 0.313144, 0.320993, 0.221550, 0.175772)
STD = (0.264520, 0.252949, 0.259180, 0.226434, 0.272771, 0.248175, 0.235432, 0.223274, 0.171606, 0.156223)
CLAMP = 5.0
INPUT, PATCH = 288, 8

PREPROCESSING = {
    "bands": "B02, B03, B04, B08 (10 m group: BLUE, GREEN, RED, NIR_BROAD) and B05, B06, B07, B8A, B11, B12 "
             "(20 m group: RED_EDGE_1..3, NIR_NARROW, SWIR_1, SWIR_2)",
    "scaling": "reflectance x 10^4 / 10^4 (L2A surface reflectance, offset removed)",
    "normalisation": {"mean": list(MEAN), "std": list(STD), "clamp_sigma": CLAMP,
                      "source": "THOR pretraining statistics (thor_terratorch_ext THOR_NORMALIZATION_PARAMS), "
                                "clamped to +-5 sigma as in pretraining"},
    "input_size": INPUT,
    "band_resampling": "20 m group bilinearly resampled to 144 x 144 px (ground cover / 20 m), as the authors' "
                       "THOREncoderWrapper._preprocess_input",
    "side_inputs": {"ground_cover_m": INPUT * 10, "band_gsd_m": {"10 m group": 10, "20 m group": 20},
                    "patch_size": PATCH,
                    "patch_size_code": "1-D sin-cos of patch x GSD / 40 m added to each group's tokens",
                    "attention_bias": "2-D ALiBi on token-centre distances in metres"},
    "pooled": "mean of the grid cells",
    "grid": "last block before the final LayerNorm (out_indices [-1]); 36 x 36 10 m-group tokens averaged with "
            "the 18 x 18 20 m-group tokens upsampled bilinearly (merge_method 'mean')",
}


@register
class THORBase(OnTheFlyEmbedder):
    model_id = "thor"
    aliases = ("thor_v1_base", "thor_1_0_base", "thor_base")
    title = "THOR 1.0 Base (10 Sentinel-2 bands, 10 m and 20 m groups)"
    dim = 768
    bands = BANDS
    input_size = INPUT
    patch_size = PATCH
    requires = ("torch", "timm", "huggingface_hub")
    product_version = "FM4CS/THOR-1.0-base @ 823c265"
    notes = ("THOR 1.0 Base (Forgaard et al., 2026): compute-adaptive FlexiViT pretrained on Sentinel-1/2/3 "
             "with random patch sizes and ground covers; run here on one Sentinel-2 L2A composite, "
             "patch 8, ground cover 2880 m.")
    preprocessing = PREPROCESSING
    # The weights file named by the authors' loader (pretrained_weights["thor_v1_base"]). Revision
    # 823c265... is the one a third-party project pins for this repo (found by code search; the
    # Hub's commit list could not be read from here). No sha256 is published: recorded at first download.
    # Read with weights_only=True, as the authors' own loader reads it (a plain torch.load under the
    # torch >= 2.6 that their terratorch 1.2.4 requires).
    weights = WeightsSpec(repo_id="FM4CS/THOR-1.0-base", filename="thor_v1_vit_base.pt",
                          revision="823c265cbb941a3e1b9054910a65dbe190c11f11", license="Apache-2.0")

    def load_model(self, device):
        checkpoint = unwrap_state_dict(load_state_dict(self.fetch_weights()), keys=("state_dict",))
        state = thor_net.encoder_part(checkpoint)
        try:
            arch = thor_net.arch_of(state)
            converted = thor_net.convert(state, PATCH)
        except (KeyError, ValueError) as exc:
            raise DownloadError(f"{self.weights.filename} is not a THOR v1 encoder checkpoint "
                                f"(encoder.* tensors): {exc}") from None
        if arch["dim"] != self.dim:
            raise DownloadError(f"{self.weights.filename} holds a {arch['dim']}-wide THOR encoder; "
                                f"{self.model_id} is the {self.dim}-wide Base.")
        model = build_empty(lambda: thor_net.build_encoder(arch["dim"], arch["depth"], arch["heads"], PATCH))
        load_weights(model, {k: v.float() for k, v in converted.items()})
        return check_materialized(model)

    def preprocess(self, x):
        return normalize(x / 10000.0, MEAN, STD).clamp(-CLAMP, CLAMP)

    def forward_tokens(self, model, x, ctx):
        import torch.nn.functional as F

        s = x.shape[-1]
        x20 = F.interpolate(x[:, N10:], size=(s // 2, s // 2), mode="bilinear")
        tokens = model(x[:, :N10], x20)
        return thor_net.group_grid(tokens, s // PATCH, s // (2 * PATCH))

    def _meta(self, request, patch, prep, dev, gsd, output):
        meta = super()._meta(request, patch, prep, dev, gsd, output)
        meta["side_inputs"] = {"ground_cover_m": INPUT * 10, "band_gsd_m": [10, 20], "patch_size": PATCH,
                               "input_gsd_m": gsd}
        if abs(gsd - 10.0) > 2.5:
            meta["gsd_note"] = (f"THOR is told its input pixels are 10 m; these are {gsd:.1f} m "
                                "(resize). input_prep 'tile' keeps native 10 m pixels.")
        return meta
