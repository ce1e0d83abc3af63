"""Clay v1.5 (made-with-clay) on ten Sentinel-2 L2A bands (``clay``).

The encoder is our own implementation (``clay_net``) of the authors' code
(Clay-foundation/model ``claymodel``; the ``claymodel`` 1.5.0 wheel pins
torch 2.4.0, which the core's torch cannot share). It loads the
``model.encoder.*`` tensors of the published Lightning checkpoint
``v1.5/clay-v1.5.ckpt`` strictly; the MAE decoder, the projection head and the
distillation teacher in the same file are dropped. The checkpoint is read with
``torch.load(weights_only=True)`` (its hyper-parameters are plain values).

Inputs as the authors' tutorials build them (``docs/tutorials/wall-to-wall.ipynb``,
``configs/metadata.yaml`` entry ``sentinel-2-l2a``):

* bands blue, green, red, rededge1-3, nir, nir08, swir16, swir22 = B02, B03,
  B04, B05, B06, B07, B08, B8A, B11, B12, surface reflectance x 10^4 as stored,
  normalised ``(x - mean) / std`` with the metadata's per-band statistics (no
  clipping, no rescaling);
* wavelengths: the metadata's central wavelengths in µm, which condition the
  dynamic patch embedding;
* gsd: ground sample distance of the model-input pixels in metres (the
  tutorials pass the imagery's resolution; 10 m for native-resolution tiles,
  more when a larger patch is resized to 256 px);
* time: [sin, cos] of ISO week x 2 pi / 52 and [sin, cos] of hour x 2 pi / 24,
  for the time window's midpoint date at hour 0 (a composite has no
  acquisition hour; rs-embed 0.3.1 does the same); without a time window
  zeros (the state the authors train for unknown metadata: 20 % of the chips
  had time and location set to zero);
* latlon: [sin, cos] of latitude and of longitude (radians) of the imagery
  patch centre;
* input 256 x 256 (the training chip size), patch size 8: a 32 x 32 token grid;
  nothing masked, nothing shuffled.

Outputs: the encoder returns (class token, 1024 patch tokens) after its final
LayerNorm. Pooled = the class token, which the authors' tutorials use as "the
overall single embedding" and which pretraining distils towards a teacher's
image embedding; grid = the patch tokens (1024 x 32 x 32).
"""
from __future__ import annotations

import datetime as _dt
import math

from ..errors import DownloadError
from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from .base import (OnTheFlyEmbedder, build_empty, check_materialized, load_weights, normalize,
                   unwrap_state_dict)
from .prithvi import patch_centre_lonlat

BANDS = ("B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12")
# configs/metadata.yaml, sentinel-2-l2a, in band_order (blue .. swir22)
MEAN = (1105.0, 1355.0, 1552.0, 1887.0, 2422.0, 2630.0, 2743.0, 2785.0, 2388.0, 1835.0)
STD = (1809.0, 1757.0, 1888.0, 1870.0, 1732.0, 1697.0, 1742.0, 1648.0, 1470.0, 1379.0)
WAVELENGTHS_UM = (0.493, 0.56, 0.665, 0.704, 0.74, 0.783, 0.842, 0.865, 1.61, 2.19)
PATCH = 8
SIZE = 256

PREPROCESSING = {
    "bands": "B02, B03, B04, B05, B06, B07, B08, B8A, B11, B12 (metadata.yaml sentinel-2-l2a band_order: "
             "blue, green, red, rededge1-3, nir, nir08, swir16, swir22)",
    "scaling": "surface reflectance x 10^4 as stored (no clipping, no rescaling)",
    "normalisation": {"mean": list(MEAN), "std": list(STD),
                      "source": "Clay-foundation/model configs/metadata.yaml (sentinel-2-l2a)"},
    "input_size": SIZE,
    "side_inputs": {
        "wavelengths_um": list(WAVELENGTHS_UM),
        "gsd": "ground sample distance of the model-input pixels, metres",
        "time": "[sin, cos](ISO week x 2pi/52), [sin, cos](hour x 2pi/24) of the time window's midpoint "
                "date at hour 0; zeros without a time window",
        "latlon": "[sin, cos](lat), [sin, cos](lon), radians, of the imagery patch centre",
    },
    "patch_size": PATCH,
    "pooled": "the class token after the final LayerNorm (the authors' embedding)",
    "grid": "patch tokens after the final LayerNorm (1024 x 32 x 32)",
}


def time_code(request):
    """([sin week, cos week, sin hour, cos hour], midpoint ISO date or None)."""
    temporal = getattr(request, "temporal", None) if request is not None else None
    if temporal is None:
        return [0.0, 0.0, 0.0, 0.0], None
    mid = temporal.start + _dt.timedelta(days=(temporal.end - temporal.start).days // 2)
    week = mid.isocalendar()[1] * 2 * math.pi / 52
    hour = 0.0
    return [math.sin(week), math.cos(week), math.sin(hour), math.cos(hour)], mid.isoformat()


def latlon_code(lon: float, lat: float):
    la, lo = math.radians(lat), math.radians(lon)
    return [math.sin(la), math.cos(la), math.sin(lo), math.cos(lo)]


@register
class ClayV15(OnTheFlyEmbedder):
    model_id = "clay"
    aliases = ("clay_v1_5", "clay_v15", "clay_s2")
    title = "Clay v1.5 ViT-L/8 (10 Sentinel-2 L2A bands, wavelength- and GSD-conditioned)"
    dim = 1024
    bands = BANDS
    input_size = SIZE
    patch_size = PATCH
    pooled_from = "class token (the authors' embedding; tiled: mean/max of the tiles' class tokens)"
    requires = ("torch", "huggingface_hub")
    product_version = "made-with-clay/Clay v1.5/clay-v1.5.ckpt @ 2033cf5"
    notes = ("Clay Foundation Model v1.5: MAE ViT-L/8 with a wavelength-conditioned (DOFA-style) patch "
             "embedding and GSD-scaled positions, time and location codes, pretrained on Sentinel-2, "
             "Landsat, Sentinel-1, NAIP, LINZ and MODIS with distillation from a SAM teacher.")
    preprocessing = PREPROCESSING
    encoder_size = "large"  # the published checkpoint's encoder
    depth = None  # the published encoder's 24 blocks (tests may use fewer)
    # Commit "Structure the checkpoint versions" (2033cf5...), which moved clay_v1.5.ckpt
    # to v1.5/clay-v1.5.ckpt (5.16 GB) and is that file's only commit on the Hub as
    # indexed; no sha256 is published that we could find (recorded at first download).
    weights = WeightsSpec(repo_id="made-with-clay/Clay", filename="v1.5/clay-v1.5.ckpt",
                          revision="2033cf5c59afbd8fef655008d0b0a9d6861951c8",
                          license="OpenRAIL-M at this revision (Apache-2.0 on later main)")

    def load_model(self, device):
        from .clay_net import clay_encoder, encoder_state_from_checkpoint

        ckpt = unwrap_state_dict(load_state_dict(self.fetch_weights()), keys=("state_dict",))
        sd = encoder_state_from_checkpoint(ckpt)
        if not sd:
            raise DownloadError(f"{self.weights.filename} holds no 'model.encoder.*' tensors: it is not a "
                                "Clay v1.5 training checkpoint. Use the official file.")
        model = build_empty(lambda: clay_encoder(self.encoder_size, self.depth))
        try:
            load_weights(model, sd, strict=True)
        except DownloadError as exc:
            raise DownloadError(f"The Clay v1.5 weights do not match the Clay {self.encoder_size} encoder: "
                                f"{exc}") from exc
        return check_materialized(model)

    def preprocess(self, x):
        return normalize(x, MEAN, STD)

    def forward_tokens(self, model, x, ctx):
        import torch

        b = x.shape[0]
        time, _ = time_code(ctx.request)
        lon, lat = patch_centre_lonlat(ctx.patch)
        out = model(x, torch.tensor(WAVELENGTHS_UM), torch.tensor(float(ctx.gsd_m)),
                    x.new_tensor([time] * b), x.new_tensor([latlon_code(lon, lat)] * b))
        return out[:, 1:], out[:, 0]

    def _meta(self, request, patch, prep, dev, gsd, output):
        meta = super()._meta(request, patch, prep, dev, gsd, output)
        time, mid = time_code(request)
        lon, lat = patch_centre_lonlat(patch)
        meta["side_inputs"] = {"time_midpoint": mid, "time": time, "hour": 0 if mid else None,
                               "lon": lon, "lat": lat, "latlon": latlon_code(lon, lat),
                               "gsd_m": gsd, "wavelengths_um": list(WAVELENGTHS_UM)}
        return meta
