"""Galileo (nasaharvest, Tseng et al. ICML 2025) on ten Sentinel-2 bands (``galileo``).

Galileo is pretrained on many modalities at once (Sentinel-1/2, NDVI, SRTM,
Dynamic World, WorldCereal, ERA5, TerraClimate, VIIRS, LandScan, location);
this plugin fetches Sentinel-2 L2A only, so every other channel group is masked,
as the authors' own S2 entry points do (``construct_galileo_input(s2=...)`` in
``src/data/utils.py`` and ``GalileoWrapper`` in ``src/galileo.py``: only the
groups whose name contains "S2" are visible; NDVI is not computed).

* Weights: ``nasaharvest/galileo`` on Hugging Face, ``models/<size>/encoder.pt``
  (a plain state dict, read with ``weights_only=True``) and
  ``models/<size>/config.json`` (the encoder's hyper-parameters, read as the
  authors' ``Encoder.load_from_folder`` reads them).
* Architecture: our own implementation (``galileo_net``) of the authors'
  ``single_file_galileo.Encoder``; the test compares it with theirs.
* Input: B2, B3, B4, B5, B6, B7, B8, B8A, B11, B12 (the authors' ``S2_BANDS``)
  as reflectance x 10^4, normalised as their ``Normalizer(std=True)`` does with
  the pretraining statistics (``config/normalization.json``, key "13"):
  ``(x - (mean - 2 std)) / (4 std)``; 64 x 64 px, patch size 8 (8 x 8 tokens;
  pretraining used up to 12 x 12 tokens of patch <= 8 px); one timestep (T = 1)
  with month = the time window's midpoint month, 0-based (rslearn's
  ``time_ranges_to_timestamps``; the authors' default month 5 without a window);
  ``input_resolution_m`` = ground sample distance of the model input.
  ``options={"frames": T}`` (2..12; pretraining samples held up to 12 monthly
  timesteps) splits the window into T equal parts, one composite each, fed as T
  timesteps with each part's midpoint month.
* Output: the final-LayerNorm tokens (H' x W' x T x 5 S2 groups). Grid = per
  cell the mean of its visible tokens over groups and timesteps (the authors'
  ``apply_mask_and_average_tokens_per_patch``); pooled = mean of the grid cells
  (= ``average_tokens`` of all visible tokens, the authors' pooled embedding).
"""
from __future__ import annotations

import datetime as _dt
import json

from ..errors import DownloadError
from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from .base import OnTheFlyEmbedder, build_empty, check_materialized, load_weights, unwrap_state_dict
from .frames import MultiFrame, split_window

BANDS = ("B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12")
# config/normalization.json of nasaharvest/galileo, key "13" (S1 VV, VH, then the 10 S2
# bands, then NDVI): the S2 entries, in BANDS order
MEAN = (1395.3408730676722, 1338.4026921784578, 1343.09883810357, 1543.8607982512297,
        2186.2022069512263, 2525.0932853316694, 2410.3377187373408, 2750.2854646886753,
        2234.911100061487, 1474.5311266077113)
STD = (917.7041440370853, 913.2988423581528, 1092.678723527555, 1047.2206083460424,
       1048.0101611156767, 1143.6903026819996, 1098.979177731649, 1204.472755085893,
       1145.9774063078878, 980.2429840007796)
STD_MULTIPLIER = 2.0
PATCH = 8
INPUT_SIZE = 64
DEFAULT_MONTH = 5  # 0-based (June): construct_galileo_input's default
MAX_FRAMES = 12    # src/data/config.py NUM_TIMESTEPS: pretraining samples of up to 12 months
# Commit pinned by allenai/rslearn's Galileo loader for config.json and encoder.pt of
# every size; no sha256 is published (recorded at first download).
REVISION = "f039dd5dde966a931baeda47eb680fa89b253e4e"
REPO = "nasaharvest/galileo"
MASKED = ("S1", "NDVI", "SRTM", "DW", "WC", "ERA5", "TC", "VIIRS", "LS", "location", "DW_static", "WC_static")


def _mid(window):
    return window.start + _dt.timedelta(days=(window.end - window.start).days // 2)


def months_of(request, n: int = 1):
    """(0-based month of each frame's window midpoint, where they came from)."""
    temporal = getattr(request, "temporal", None) if request is not None else None
    if temporal is None:
        return [DEFAULT_MONTH] * n, "default (no time window): the authors' DEFAULT_MONTH"
    windows = [temporal] if n == 1 else split_window(temporal, n)
    mids = [_mid(w) for w in windows]
    return [m.month - 1 for m in mids], "midpoints of the frames' windows: " + ", ".join(m.isoformat() for m in mids)


PREPROCESSING = {
    "bands": ", ".join(BANDS) + " (the authors' S2_BANDS order; 5 channel groups: RGB, red edge, "
             "NIR 10 m, NIR 20 m, SWIR)",
    "scaling": "Sentinel-2 L2A reflectance x 10^4 as stored (no clipping)",
    "normalisation": {"formula": "(x - (mean - 2 std)) / (4 std) (the authors' Normalizer, std=True, "
                                 "std_multiplier 2)",
                      "mean": list(MEAN), "std": list(STD),
                      "source": "nasaharvest/galileo config/normalization.json (key '13')"},
    "input_size": INPUT_SIZE,
    "side_inputs": {"months": "0-based month of each frame's window midpoint (5 = June without a window)",
                    "input_resolution_m": "ground sample distance of the model input, metres",
                    "frames": f"1 by default; options frames=T (2..{MAX_FRAMES}): the time window split into T "
                              "equal parts, one composite each, fed as T timesteps",
                    "patch_size": PATCH,
                    "masked": "every non-Sentinel-2 channel group: " + ", ".join(MASKED)},
    "pooled": "mean of the grid cells (= Encoder.average_tokens over the visible tokens)",
    "grid": "per 8 x 8 px cell: mean of its 5 Sentinel-2 group tokens (x T frames) after the final "
            "LayerNorm (= apply_mask_and_average_tokens_per_patch)",
}


class _Galileo(MultiFrame, OnTheFlyEmbedder):
    bands = BANDS
    input_size = INPUT_SIZE
    patch_size = PATCH
    requires = ("torch", "huggingface_hub")
    preprocessing = PREPROCESSING
    max_frames = MAX_FRAMES

    def load_model(self, device):
        from .galileo_net import GalileoS2Encoder, clean_keys, encoder_config

        cfg_path = self.fetch_config()
        try:
            enc = encoder_config(json.loads(cfg_path.read_text(encoding="utf-8")))
        except ValueError as exc:  # JSONDecodeError included
            raise DownloadError(f"{cfg_path} is not the Galileo config.json: {exc}") from exc
        if enc.get("embedding_size") != self.dim:
            raise DownloadError(f"{cfg_path} describes a {enc.get('embedding_size')}-wide encoder; "
                                f"{self.model_id} is {self.dim}-wide. Use the file of {self.weights.source}.")
        if enc.get("max_patch_size", PATCH) != PATCH:
            raise DownloadError(f"{cfg_path}: max_patch_size {enc['max_patch_size']}, expected {PATCH}.")
        model = build_empty(lambda: GalileoS2Encoder(**enc))
        load_weights(model, clean_keys(unwrap_state_dict(load_state_dict(self.fetch_weights()))))
        return check_materialized(model)

    # ---- the config.json travels with the weights -------------------------
    def plan_grid(self, request):
        from ..weights import ensure_weights

        ensure_weights(self.config_spec, request.config, request.progress)  # once, before the chunks
        return super().plan_grid(request)

    # ---- model ---------------------------------------------------------------
    def preprocess(self, x):
        shift = [m - STD_MULTIPLIER * s for m, s in zip(MEAN, STD)] * self.frames
        div = [2 * STD_MULTIPLIER * s for s in STD] * self.frames
        return (x - x.new_tensor(shift).view(1, -1, 1, 1)) / x.new_tensor(div).view(1, -1, 1, 1)

    def forward_tokens(self, model, x, ctx):
        import torch

        b, _, h, w = x.shape
        months, _ = months_of(ctx.request, self.frames)
        months = torch.tensor([months] * b, dtype=torch.long, device=x.device)
        frames = x.reshape(b, self.frames, len(BANDS), h, w)
        tokens = model(frames, months, input_res=float(ctx.gsd_m))  # (B, H', W', T, G, D)
        return tokens.mean(dim=(3, 4)).flatten(1, 2)

    def _meta(self, request, patch, prep, dev, gsd, output):
        meta = super()._meta(request, patch, prep, dev, gsd, output)
        months, source = months_of(request, self.frames)
        meta["frames"] = self.frames
        meta["side_inputs"] = {"months_0_based": months, "month_source": source, "input_resolution_m": gsd,
                               "patch_size": PATCH, "frames": self.frames, "visible_groups": [
                                   "S2_RGB", "S2_Red_Edge", "S2_NIR_10m", "S2_NIR_20m", "S2_SWIR"],
                               "masked_groups": list(MASKED)}
        meta["config"] = self.config_spec.describe()
        return meta


def _specs(size: str):
    kw = dict(repo_id=REPO, revision=REVISION, license="MIT")
    return (WeightsSpec(filename=f"models/{size}/encoder.pt", **kw),
            WeightsSpec(filename=f"models/{size}/config.json", **kw))


@register
class GalileoNano(_Galileo):
    model_id = "galileo"
    aliases = ("galileo_nano", "galileo_s2")
    title = "Galileo nano (10 Sentinel-2 bands, other modalities masked)"
    dim = 128
    product_version = f"nasaharvest/galileo models/nano @ {REVISION[:7]}"
    notes = ("Galileo (nasaharvest, ICML 2025) nano encoder (4 blocks, 128-d): a multi-modal, multi-time "
             "ViT pretrained with global and local masked-feature objectives; run here on one "
             "Sentinel-2 L2A composite with every other modality masked. rs-embed's default size.")
    weights, config_spec = _specs("nano")
