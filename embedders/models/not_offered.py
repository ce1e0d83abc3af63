"""Models of rs-embed 0.3.1 this plugin does not offer, and why (``describe_model`` says so).

Standard library only: read when a name is not a registered model."""
from __future__ import annotations

NOT_OFFERED = {
    "satvision": {
        "model": "satvision",
        "offered": False,
        "title": "SatVision-TOA (NASA, SwinV2-giant on MODIS top-of-atmosphere reflectance)",
        "why": ("SatVision-TOA was pretrained on MODIS TERRA/AQUA L1B top-of-atmosphere reflectance "
                "(14 bands, ~1 km), and this plugin fetches no MODIS imagery: its sources are "
                "Sentinel-2 L2A surface reflectance (Earth Engine, STAC, local rasters). Feeding it "
                "Sentinel-2 would be a different input distribution and resolution than the weights "
                "learned, so it is not offered rather than offered wrongly."),
        "what_would_be_needed": "a MODIS L1B (MOD021KM/MYD021KM) imagery source with the authors' band "
                                "set, calibration and normalisation",
    },
}
