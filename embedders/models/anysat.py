"""AnySat Base (Astruc et al., CVPR 2025) on ten Sentinel-2 bands (``anysat``).

The encoder is our own implementation (``anysat_net``) of the authors' release
code (gastruc/AnySat ``hubconf.py`` ``AnySat.forward`` -> ``AnyModule.forward_release``)
for the one modality ``s2``. Weights: ``models/AnySat.pth`` of ``g-astruc/AnySat``
(the file the authors' ``from_pretrained`` loads, a ``{"state_dict": ...}`` of
``AnyModule``); its S2 tensors (``cls_token``, ``projector_s2``,
``spatial_encoder``, ``blocks``) load strictly, the other sensors' projectors
are left out.

Input as the authors document it (README, ``demo.ipynb``):

* ``s2``: (B, T, 10, H, W), bands B2, B3, B4, B5, B6, B7, B8, B8A, B11, B12 at
  10 m, standardised ``(x - mean) / std`` with the S2 mean/std published in their
  demo notebook (TreeSatAI-TS statistics, reflectance x 10^4); T = 1 (the
  composite of the time window) by default, ``options={"frames": T}`` (2..8)
  splits the window into T equal parts and composites each, a time series as
  the model was pretrained on;
* ``s2_dates``: day of year of each frame (its part's midpoint). The README
  says 01/01 = 0, but every loader the weights were trained with (TreeSatAI-TS,
  FLAIR, PLANTED, S2NAIP-urban) and the demo use Python's ``tm_yday``
  (01/01 = 1): we follow the code (day 182, 1 July, without a time window);
* ``patch_size`` in metres (a multiple of 10): 40 m here, i.e. 4 x 4 pixels, on
  64 x 64 pixel tiles (640 m): the S2NAIP-urban tile size and its smallest
  pretraining scale; 16 x 16 = 256 patches (the authors advise at most 1024).

The S2 branch has no resolution input: it reads pixels as 10 m. ``input_prep``
``auto`` therefore means ``tile`` (native 10 m pixels); ``resize`` is done if
asked for, and the metadata records the real pixel size (``input_gsd_m``).

Outputs: grid = the authors' ``output='patch'`` tokens (768 x 16 x 16 per tile,
one cell per 40 m); pooled = their ``output='tile'`` vector (the final
cross-attention block's class query), the per-tile vector they document; over
several tiles the mean of the tiles' vectors.

rs-embed 0.3.1's adapter differs by choice, not by the authors: per-tile z-score
by default instead of the published statistics, 0-based dates, 8 frames on a
24 px square at 10 m patches, the "dense" grid, and a patch-token mean as pooled.
"""
from __future__ import annotations

import datetime as _dt

from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from .base import OnTheFlyEmbedder, build_empty, check_materialized, load_weights, normalize, unwrap_state_dict
from .frames import MultiFrame, split_window

BANDS = ("B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12")
# demo.ipynb MEAN_S2 / STD_S2 (gastruc/AnySat), reflectance x 10^4, in BANDS order
MEAN = (4304.32958984375, 4159.2666015625, 4057.776611328125, 4328.951171875, 4571.22119140625,
        4644.87109375, 4837.2470703125, 4700.2578125, 2823.264404296875, 2319.97021484375)
STD = (3537.99755859375, 3324.23486328125, 3270.070068359375, 3250.530029296875, 2897.391357421875,
       2754.4970703125, 2821.521484375, 2625.952392578125, 1731.56298828125, 1549.3028564453125)
PIXEL_M = 10
PATCH_M = 40
NO_WINDOW_DOY = 182  # 1 July (tm_yday), when no time window is given

PREPROCESSING = {
    "bands": ", ".join(BANDS) + " (the authors' s2 order: B2, B3, B4, B5, B6, B7, B8, B8a, B11, B12)",
    "scaling": "Sentinel-2 L2A reflectance x 10^4 as stored (no clipping)",
    "normalisation": {"mean": list(MEAN), "std": list(STD),
                      "source": "gastruc/AnySat demo.ipynb MEAN_S2/STD_S2 (TreeSatAI-TS statistics)"},
    "input_size": 64,
    "input_note": "64 x 64 pixels of 10 m (640 m): the S2 branch reads pixels as 10 m; input_prep auto = tile",
    "patch_size_m": PATCH_M,
    "side_inputs": {"s2_dates": "day of year (tm_yday, 1 January = 1, as the authors' loaders and demo) of "
                                f"each frame's time window midpoint; {NO_WINDOW_DOY} without a window",
                    "frames": "1 by default (T = 1: the window's composite); options frames=T (2..8): the "
                              "window split into T equal parts, one composite each, as the (B, T, 10, H, W) "
                              "time series the L-TAE projector attends over (closer to the pretraining series)"},
    "pooled": "the authors' output='tile' vector (class query of the final cross-attention block); "
              "mean over tiles",
    "grid": "the authors' output='patch' tokens: 768 x 16 x 16 per 64 px tile, one cell per 40 m",
}


def day_of_year(temporal) -> int:
    """tm_yday of the window's midpoint (NO_WINDOW_DOY without a window)."""
    if temporal is None:
        return NO_WINDOW_DOY
    mid = temporal.start + _dt.timedelta(days=(temporal.end - temporal.start).days // 2)
    return mid.timetuple().tm_yday


def frame_dates(request, n: int):
    """Day of year of each of the n frames of the request's window."""
    temporal = getattr(request, "temporal", None) if request is not None else None
    if n == 1 or temporal is None:
        return [day_of_year(temporal)] * n
    return [day_of_year(w) for w in split_window(temporal, n)]


@register
class AnySatS2(MultiFrame, OnTheFlyEmbedder):
    model_id = "anysat"
    aliases = ("anysat_s2", "anysat_base")
    title = "AnySat Base (10 Sentinel-2 bands, 40 m patches)"
    dim = 768
    bands = BANDS
    input_size = 64
    patch_size = PATCH_M // PIXEL_M
    requires = ("torch", "huggingface_hub")
    arch = dict(dim=768, depth=6, heads=12, sub_depth=6)  # hubconf get_default_config('base')
    max_frames = 8
    pooled_from = "tile vector (the authors' output='tile': class query of the final cross-attention block)"
    product_version = "g-astruc/AnySat models/AnySat.pth @ 2aeec08"
    notes = ("AnySat (Astruc et al., CVPR 2025): JEPA-pretrained, scale-adaptive encoder over 11 sensors "
             "(GeoPlex); run here on its Sentinel-2 time-series branch: one composite frame, or T with "
             "the frames option.")
    preprocessing = PREPROCESSING
    # Hugging Face commit "Update README.md" (2aeec08...), the newest one found; models/ has one
    # commit, "add weights" (f56149c4a4164ff6e33eb05bb173eb7e310c35fe): AnySat.pth, 504 MB, whose
    # pickle imports (OrderedDict, _rebuild_tensor_v2, FloatStorage) weights_only=True allows.
    # No sha256 is published: it is recorded at the first download and checked after.
    weights = WeightsSpec(repo_id="g-astruc/AnySat", filename="models/AnySat.pth",
                          revision="2aeec0825b722e25e9d4d15465e86fd8b6d1f08c", license="MIT")

    @classmethod
    def describe_extra(cls) -> dict:
        d = super().describe_extra()
        d["input_prep"]["auto"] = "tile (native 10 m pixels: the S2 branch has no resolution input)"
        return d

    def load_model(self, device):
        from .anysat_net import AnySatS2Encoder, s2_state

        sd = s2_state(unwrap_state_dict(load_state_dict(self.fetch_weights())))
        model = build_empty(lambda: AnySatS2Encoder(**self.arch))
        load_weights(model, sd)
        return check_materialized(model)

    def preprocess(self, x):
        return normalize(x, MEAN * self.frames, STD * self.frames)  # frame-major channels

    def forward_tokens(self, model, x, ctx):
        b, _, h, w = x.shape
        doy = x.new_tensor([frame_dates(ctx.request, self.frames)]).expand(b, -1)
        out = model(x.reshape(b, self.frames, len(BANDS), h, w), doy, self.patch_size)  # (B, 1 + N, D)
        return out[:, 1:], out[:, 0]

    # the S2 branch reads pixels as 10 m: "auto" keeps them native
    def embed_patch_both(self, patch, output, input_prep="resize", *args, **kwargs):
        return super().embed_patch_both(patch, output, _native(input_prep), *args, **kwargs)

    def model_input(self, patch, input_prep="resize", device="cpu", request=None):
        return super().model_input(patch, _native(input_prep), device, request)

    def _meta(self, request, patch, prep, dev, gsd, output):
        meta = super()._meta(request, patch, prep, dev, gsd, output)
        meta["side_inputs"] = {"s2_dates": frame_dates(request, self.frames), "day_of_year_base": 1,
                               "frames": self.frames, "patch_size_m": PATCH_M, "pixel_m_assumed": PIXEL_M}
        return meta


def _native(input_prep: str) -> str:
    return "tile" if input_prep == "auto" else input_prep
