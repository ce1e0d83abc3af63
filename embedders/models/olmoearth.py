"""OlmoEarth v1 (AllenAI) on twelve Sentinel-2 L2A bands (``olmoearth``).

Architecture and preprocessing come from the authors' package
``olmoearth-pretrain-minimal`` (0.1.5), used as its README documents:

* the model is built from the checkpoint's own ``config.json`` by the package's
  loader (``model_loader._load_model_from_config``) and its encoder is
  restricted to the modalities it was trained to encode
  (``_restrict_encoder_inputs``, as ``load_model_from_id`` does); the
  ``weights.pth`` state dict is then read by us with ``weights_only=True`` and
  loaded strictly (the package's own loader would unpickle it unrestricted);
* input: Sentinel-2 L2A values (reflectance x 10^4) in
  ``Modality.SENTINEL2_L2A.band_order``, normalised by ``NormalizerV1``
  (std_multiplier 2, the authors' v1 statistics), shaped (B, H, W, T, C) with
  one timestep (T = 1) and the timestamp (day, month - 1, year) of the time
  window's midpoint; all tokens visible (mask 0); encoder called with
  ``patch_size=8``, ``input_res`` = ground sample distance of the model input
  in metres, ``fast_pass=True`` (the README's call);
* the encoder returns tokens (B, H/8, W/8, T, band sets, D): the grid averages
  the three Sentinel-2 band-set tokens of each cell (the package's
  ``pool_spatially`` with mean); pooled = mean over the grid (equal to the
  package's ``pool_unmasked_tokens(MEAN)`` when nothing is masked).
"""
from __future__ import annotations

import datetime as _dt

from ..errors import DownloadError
from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from .base import OnTheFlyEmbedder, unwrap_state_dict

# Modality.SENTINEL2_L2A.band_order of olmoearth-pretrain-minimal 0.1.5
BANDS = ("B02", "B03", "B04", "B08", "B05", "B06", "B07", "B8A", "B11", "B12", "B01", "B09")
PACKAGE = "olmoearth-pretrain-minimal"  # 0.1.5; its pin belongs in embedders/packages.py
PATCH = 8


class _OlmoEarth(OnTheFlyEmbedder):
    bands = BANDS
    input_size = 128
    patch_size = PATCH
    requires = ("torch", "olmoearth_pretrain_minimal", "huggingface_hub")
    install = {"olmoearth_pretrain_minimal": PACKAGE}
    model_key = ""            # olmoearth_pretrain_minimal.ModelID value

    def load_model(self, device):
        from upath import UPath
        from olmoearth_pretrain_minimal import ModelID
        from olmoearth_pretrain_minimal import model_loader as ml

        cfg_path = self.fetch_config()
        model = ml._load_model_from_config(UPath(str(cfg_path)))
        ml._restrict_encoder_inputs(model, ml._get_encoder_input_modalities(ModelID(self.model_key)))
        sd = unwrap_state_dict(load_state_dict(self.fetch_weights()))
        try:
            model.load_state_dict(sd, strict=True)
        except RuntimeError as exc:
            raise DownloadError(f"The {self.model_key} weights do not match the model its config.json "
                                f"describes: {exc}") from exc
        return model.encoder

    def preprocess(self, x):
        import torch
        from olmoearth_pretrain_minimal import NormalizerV1
        from olmoearth_pretrain_minimal.olmoearth_pretrain_v1.utils.constants import Modality

        hwc = x.permute(0, 2, 3, 1).cpu().numpy()  # the normaliser takes (..., C)
        out = NormalizerV1().normalize(Modality.SENTINEL2_L2A, hwc)
        return torch.from_numpy(out).to(device=x.device, dtype=torch.float32).permute(0, 3, 1, 2)

    def forward_tokens(self, model, x, ctx):
        import torch
        from olmoearth_pretrain_minimal.olmoearth_pretrain_v1.utils.constants import Modality
        from olmoearth_pretrain_minimal.olmoearth_pretrain_v1.utils.datatypes import MaskedOlmoEarthSample

        b, _, h, w = x.shape
        day, month0, year = timestamp(ctx.request)
        sample = MaskedOlmoEarthSample(
            timestamps=torch.tensor([[[day, month0, year]]] * b, dtype=torch.long, device=x.device),
            sentinel2_l2a=x.permute(0, 2, 3, 1).unsqueeze(3),  # (B, H, W, T=1, C)
            sentinel2_l2a_mask=torch.zeros(b, h, w, 1, Modality.SENTINEL2_L2A.num_band_sets, device=x.device),
        )
        out = model(sample, patch_size=PATCH, input_res=float(ctx.gsd_m), fast_pass=True)
        tok = out["tokens_and_masks"].sentinel2_l2a  # (B, H/8, W/8, T, band sets, D)
        return tok.mean(dim=(3, 4)).flatten(1, 2)

    def _meta(self, request, patch, prep, dev, gsd, output):
        meta = super()._meta(request, patch, prep, dev, gsd, output)
        day, month0, year = timestamp(request)
        meta["side_inputs"] = {"timestamp": {"day": day, "month_0_based": month0, "year": year},
                               "input_res_m": gsd, "patch_size": PATCH, "frames": 1}
        return meta


def timestamp(request):
    """(day, month - 1, year) of the time window's midpoint; 1 July 2022 without a
    window (recorded in the metadata)."""
    temporal = getattr(request, "temporal", None) if request is not None else None
    if temporal is None:
        return 1, 6, 2022
    mid = temporal.start + _dt.timedelta(days=(temporal.end - temporal.start).days // 2)
    return mid.day, mid.month - 1, mid.year


PREPROCESSING = {
    "bands": ", ".join(BANDS) + " (Modality.SENTINEL2_L2A.band_order)",
    "scaling": "Sentinel-2 L2A reflectance x 10^4 as stored (no clipping)",
    "normalisation": "olmoearth_pretrain_minimal NormalizerV1 (std_multiplier 2, the authors' v1 statistics)",
    "input_size": 128,
    "side_inputs": {"timestamp": "(day, month - 1, year) of the time window's midpoint (1 Jul 2022 without one)",
                    "input_res": "ground sample distance of the model input, metres",
                    "frames": "1 (T = 1)", "patch_size": PATCH},
    "pooled": "mean of the grid cells (= pool_unmasked_tokens(MEAN) with nothing masked)",
    "grid": "per 8 x 8 px cell: mean of the 3 Sentinel-2 band-set tokens (pool_spatially, mean)",
}


@register
class OlmoEarthBase(_OlmoEarth):
    model_id = "olmoearth"
    aliases = ("olmoearth_base", "olmoearth_v1_base")
    title = "OlmoEarth v1 Base (12 Sentinel-2 L2A bands)"
    dim = 768
    model_key = "OlmoEarth-v1-Base"
    product_version = "allenai/OlmoEarth-v1-Base @ 3241275 (olmoearth-pretrain-minimal 0.1.5)"
    notes = ("AllenAI OlmoEarth v1 Base (89M encoder): FlexiViT over Sentinel-2/1 and Landsat, "
             "pretrained with latent masked image modelling; run here on one Sentinel-2 L2A frame.")
    preprocessing = PREPROCESSING
    # Commit "Rename LICENSE to LICENSE.txt" (3241275...), after the upload of
    # config.json and weights.pth; no sha256 is published (recorded at first download).
    _rev = "3241275f07634f046f5cbdaa955e71db013dc41a"
    weights = WeightsSpec(repo_id="allenai/OlmoEarth-v1-Base", filename="weights.pth", revision=_rev,
                          license="OlmoEarth Artifact License")
    config_spec = WeightsSpec(repo_id="allenai/OlmoEarth-v1-Base", filename="config.json", revision=_rev,
                              license="OlmoEarth Artifact License")
