"""Prithvi-EO 2.0 300M on six Sentinel-2 bands (``prithvi_s2_6b``, ``prithvi_s2_6b_tl``).

The encoder is our own implementation (``prithvi_net``) of the authors'
``prithvi_mae.py`` published with the weights; it loads the ``encoder.*`` part
of the official checkpoints strictly (the MAE decoder and the fixed 4-frame
position table are dropped, as the authors' inference script does). One frame
(T = 1) per input by default; ``options={"frames": T}`` splits the time window
into T equal parts, composites each, and feeds the stack (C, T, H, W) as the
temporal ViT was pretrained on (the grid then averages each cell's T tokens).
Output tokens after the encoder's final LayerNorm.

``prithvi_s2_6b_tl`` adds the time/location encoders of the TL checkpoint:
(year, day-of-year 1..366) of the time window's midpoint and the patch centre
as (lon, lat). The order follows the authors' executable code published with
these weights: their ``inference.py`` fills ``location_coords`` from rasterio's
``src.lnglat()`` (longitude first) and the dates from ``tm_yday`` (1-based).
The encoder's docstring says "lat and lon" but the pretraining code is not
public; the authors' own inference path (and TerraTorch's docs, "(lon, lat)")
are the best evidence of what the weights saw. The metadata records the
pair by name.
"""
from __future__ import annotations

import datetime as _dt

from ..errors import DownloadError
from ..registry import register
from ..weights import WeightsSpec, load_state_dict
from .base import OnTheFlyEmbedder, normalize, unwrap_state_dict
from .frames import MultiFrame, split_window

# HLS bands BLUE, GREEN, RED, NIR_NARROW, SWIR_1, SWIR_2 = Sentinel-2 B02, B03, B04, B8A, B11, B12
BANDS = ("B02", "B03", "B04", "B8A", "B11", "B12")
# config.json "mean"/"std" (reflectance x 10^4), both checkpoints
MEAN = (1087.0, 1342.0, 1433.0, 2734.0, 1958.0, 1363.0)
STD = (2248.0, 2179.0, 2178.0, 1850.0, 1242.0, 1049.0)
ARCH = dict(in_chans=6, dim=1024, depth=24, heads=16, patch=16, tubelet=1)

PREPROCESSING = {
    "bands": "B02, B03, B04, B8A, B11, B12 (HLS BLUE, GREEN, RED, NIR_NARROW, SWIR_1, SWIR_2)",
    "scaling": "surface reflectance x 10^4, unclipped (HLS units)",
    "normalisation": {"mean": list(MEAN), "std": list(STD), "source": "Prithvi-EO-2.0 config.json"},
    "input_size": 224,
    "frames": "1 by default; options frames=T (2..8): the time window split into T equal parts, one "
              "composite each, stacked as (C, T, H, W) (3D patches with tubelet 1, 3D sin-cos positions "
              "for T frames); grid and pooled = mean over the frames of each cell's tokens",
    "pooled": "mean/max of the 196 patch tokens after the final LayerNorm (class token removed)",
    "grid": "patch tokens (1024 x 14 x 14)",
}


class _PrithviBase(MultiFrame, OnTheFlyEmbedder):
    dim = 1024
    bands = BANDS
    input_size = 224
    patch_size = 16
    requires = ("torch", "timm", "huggingface_hub")
    coords = False
    arch = ARCH
    max_frames = 8

    def load_model(self, device):
        from .prithvi_net import PrithviEncoder, encoder_state_from_checkpoint

        model = PrithviEncoder(coords=self.coords, **self.arch)
        sd = encoder_state_from_checkpoint(unwrap_state_dict(load_state_dict(self.fetch_weights())))
        try:
            model.load_state_dict(sd, strict=True)
        except RuntimeError as exc:
            raise DownloadError(f"The {self.weights.filename} weights do not match the Prithvi-EO 2.0 "
                                f"300M encoder: {exc}") from exc
        return model

    def preprocess(self, x):
        if self.frames == 1:
            return normalize(x, MEAN, STD)
        b, _, h, w = x.shape
        x = normalize(x, MEAN * self.frames, STD * self.frames)
        return x.reshape(b, self.frames, len(BANDS), h, w).permute(0, 2, 1, 3, 4)  # (B, C, T, H, W)

    def forward_tokens(self, model, x, ctx):
        tcs, lc = self.side_inputs(ctx.patch, ctx.request)
        b = x.shape[0]
        tct = None if tcs is None else x.new_tensor([tcs]).expand(b, len(tcs), 2)
        lct = None if lc is None else x.new_tensor([lc]).expand(b, 2)
        tokens = model(x, tct, lct)  # (B, T*h*w, D), time-major
        if self.frames > 1:  # one vector per cell: the mean over the frames
            tokens = tokens.reshape(b, self.frames, -1, tokens.shape[-1]).mean(dim=1)
        return tokens

    def side_inputs(self, patch, request):
        return None, None

    def _meta(self, request, patch, prep, dev, gsd, output):
        meta = super()._meta(request, patch, prep, dev, gsd, output)
        tcs, lc = self.side_inputs(patch, request)
        meta["frames"] = self.frames
        meta["side_inputs"] = {
            "temporal_coords": None if tcs is None else [{"year": y, "day_of_year": d} for y, d in tcs],
            "location_coords": None if lc is None else {"lon": lc[0], "lat": lc[1]},
            "location_order": "(lon, lat)"}
        return meta


def midpoint(window):
    mid = window.start + _dt.timedelta(days=(window.end - window.start).days // 2)
    return float(mid.year), float(mid.timetuple().tm_yday)


@register
class PrithviS2_6B(_PrithviBase):
    model_id = "prithvi_s2_6b"
    aliases = ("prithvi", "prithvi_eo_v2_s2_6b", "prithvi_eo_v2_300")
    title = "Prithvi-EO 2.0 300M (ViT-L/16, 6 Sentinel-2 bands)"
    product_version = "Prithvi-EO-2.0-300M @ 9eb1b11"
    notes = ("IBM/NASA MAE ViT-L/16 with 3D patch and sin-cos position embeddings, pretrained on "
             "HLS V2 (30 m) time series; run here on one Sentinel-2 frame.")
    weights = WeightsSpec(
        repo_id="ibm-nasa-geospatial/Prithvi-EO-2.0-300M", filename="Prithvi_EO_V2_300M.pt",
        revision="9eb1b1102806593963daa333bcc491b1c6f8562f",
        sha256="faab2c8b776f0723f93431747603a7ec586a54fc45473613b4322c29752486e7",
        size=1326658396, license="Apache-2.0")
    preprocessing = dict(PREPROCESSING, side_inputs=None)


@register
class PrithviS2_6B_TL(_PrithviBase):
    model_id = "prithvi_s2_6b_tl"
    aliases = ("prithvi_tl", "prithvi_eo_v2_300_tl")
    title = "Prithvi-EO 2.0 300M-TL (time + location embeddings, 6 Sentinel-2 bands)"
    product_version = "Prithvi-EO-2.0-300M-TL @ f4421c9"
    notes = ("Prithvi-EO 2.0 300M with learned-weight sin-cos time and location encodings; "
             "no sha256 of the weights is published that we could find.")
    coords = True
    # Commit "Fix inference" (f4421c9...), whose tree holds Prithvi_EO_V2_300M_TL.pt
    # (1.33 GB, added in "Add V2 300M TL model" and unchanged since) with the
    # inference.py read for the (lon, lat) order. No sha256 is published: the file
    # is checked structurally (every encoder key and shape loads strictly).
    weights = WeightsSpec(
        repo_id="ibm-nasa-geospatial/Prithvi-EO-2.0-300M-TL", filename="Prithvi_EO_V2_300M_TL.pt",
        revision="f4421c96e39878a44daedec68056c64985308d01", sha256=None, size=None,
        license="Apache-2.0")
    preprocessing = dict(PREPROCESSING, side_inputs={
        "temporal_coords": "(year, day-of-year 1..366) of the time window's midpoint (of each frame's part "
                           "with frames=T)",
        "location_coords": "(lon, lat) in degrees of the imagery patch centre (authors' inference.py: lnglat())",
        "when missing": "left out (the model was pretrained with them randomly dropped)",
    })

    def side_inputs(self, patch, request):
        """([(year, day-of-year) per frame] or None, (lon, lat) or None)."""
        tcs = lc = None
        temporal = getattr(request, "temporal", None) if request is not None else None
        if temporal is not None:
            tcs = [midpoint(w) for w in (split_window(temporal, self.frames) if self.frames > 1 else [temporal])]
        if patch is not None:
            lc = patch_centre_lonlat(patch)
        return tcs, lc


def patch_centre_lonlat(patch):
    """(lon, lat) of the centre of an ImageryPatch's grid."""
    from ..geo import transformer

    xmin, ymin, xmax, ymax = patch.grid.bounds
    lon, lat = transformer(patch.grid.crs, "EPSG:4326").transform((xmin + xmax) / 2, (ymin + ymax) / 2)
    return float(lon), float(lat)
