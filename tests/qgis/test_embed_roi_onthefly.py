"""Embed ROI with an on-the-fly model, run in the core's worker: imagery from
a local raster (written with GDAL), the model's weights downloaded by the
worker from a Hugging Face-style endpoint on 127.0.0.1, grid and pooled
vector equal to the core's own output for the same request (computed by the
core's Python).

The model is SatMAE (``satmae_s2rgb``) with a random-init checkpoint in its
official format (model.safetensors with MVRL's key names). SatMAE is chosen
because no sha256 is published for its weights: the core pins the revision
and trusts the file on first use, so a test checkpoint verifies. RemoteCLIP
pins the published sha256, which a random checkpoint cannot match, and the
pin cannot be changed from QGIS's process now that the model runs in the
worker. The endpoint reaches the worker through HF_ENDPOINT in its
environment (a fresh worker is started for that)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core_fixtures import Raster, core, transform_xy, write_gtiff

LON, LAT = 3.1, 52.0
EPSG = 32631                      # UTM zone of (LON, LAT)
BUFFER_M = 1120                   # 224 px of 10 m: one SatMAE input, 14 x 14 tokens
REPO, FILE = "MVRL/satmae-vitlarge-fmow-pretrain-800", "model.safetensors"
REVISION = "a9ba7f4b935310067a49781eeba6482e1a606a5a"   # the core's pin (embedders/models/satmae.py)


@pytest.fixture(scope="module")
def satmae_ckpt(tmp_path_factory):
    """A random-init SatMAE checkpoint, made by the core's Python (torch, safetensors)."""
    return core("satmae_checkpoint", tmp_path_factory.mktemp("satmae") / FILE)


@pytest.fixture
def hub(satmae_ckpt, weights_hub):
    """The checkpoint on a Hub-style endpoint at the core's pin."""
    return weights_hub(REPO, REVISION, {FILE: satmae_ckpt})


def origin():
    x, y = transform_xy(LON, LAT, "EPSG:4326", f"EPSG:{EPSG}")
    return round(x) - 2000, round(y) + 2000


def smooth_rgb(n=400, seed=3, top=3000.0):
    """(3, n, n) smooth random image in [0, top] (structure for the model to see)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:n, 0:n]
    bands = [0.5 + 0.5 * np.sin(xx / (7 + 3 * i) + yy / (11 + i) + i) + rng.normal(0, 0.05, (n, n))
             for i in range(3)]
    return np.clip(np.stack(bands), 0, 1) * top


@pytest.fixture
def s2_tif(tmp_path):
    """Sentinel-2 L2A-like reflectance x 10^4, bands named B04, B03, B02."""
    x0, y1 = origin()
    return write_gtiff(tmp_path / "s2.tif", (400 + smooth_rgb()).astype("uint16"), EPSG,
                       (x0, 10, 0, y1, 0, -10), descriptions=("B04", "B03", "B02"))


@pytest.fixture
def rgb8_tif(tmp_path):
    """An 8-bit aerial-style RGB image with unnamed bands."""
    x0, y1 = origin()
    return write_gtiff(tmp_path / "rgb8.tif", smooth_rgb(seed=4, top=255).astype("uint8"), EPSG,
                       (x0, 10, 0, y1, 0, -10))


def roi_bbox():
    """The lon/lat box of a BUFFER_M square around (LON, LAT), through QGIS."""
    cx, cy = transform_xy(LON, LAT, "EPSG:4326", f"EPSG:{EPSG}")
    x0, y0 = transform_xy(cx - BUFFER_M, cy - BUFFER_M, f"EPSG:{EPSG}", "EPSG:4326")
    x1, y1 = transform_xy(cx + BUFFER_M, cy + BUFFER_M, f"EPSG:{EPSG}", "EPSG:4326")
    return [x0, y0, x1, y1]


def log_feedback():
    """A Processing feedback that keeps every line the run logs (``.text``)."""
    from qgis.core import QgsProcessingFeedback

    class Log(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.lines = []

        def pushInfo(self, info):  # noqa: N802
            self.lines.append(info)
            super().pushInfo(info)

        def pushWarning(self, warning):  # noqa: N802
            self.lines.append(warning)
            super().pushWarning(warning)

        def reportError(self, error, fatalError=False):  # noqa: N802
            self.lines.append(error)
            super().reportError(error, fatalError)

        @property
        def text(self):
            return "\n".join(self.lines)

    return Log()


def run_embed(tif, tmp_path, feedback=None, **extra):
    import processing

    x0, y0, x1, y1 = roi_bbox()
    out = tmp_path / f"{tif.stem}_emb.tif"
    params = dict({"EXTENT": f"{x0},{x1},{y0},{y1} [EPSG:4326]", "MODEL": "satmae_s2rgb",
                   "START_DATE": "2024-06-01", "END_DATE": "2024-09-01", "IMAGERY_SOURCE": "local",
                   "INPUT_RASTER": str(tif), "OUTPUT": str(out), "PCA_OUTPUT": str(tmp_path / f"{tif.stem}_pca.tif")},
                  **extra)
    return processing.run("rs_embed:embed_roi", params, feedback=feedback), out


def reference(tmp_path, tif, pooled=False, **options):
    """The core's own grid (or pooled vector) for the same request, by the core's Python."""
    params = dict({"model": "satmae_s2rgb", "spatial": {"bbox": roi_bbox()},
                   "temporal": {"start": "2024-06-01", "end": "2024-09-01"},
                   "imagery_source": "local", "input_raster": str(tif)}, **options)
    got = core("embed", json.dumps(params), tmp_path / ("ref_pooled.npy" if pooled else "ref_grid.npy"),
               *(["--pooled"] if pooled else []))
    return np.load(got["path"]), got


def test_embed_roi_satmae_from_a_local_raster(rs_provider, hub, s2_tif, tmp_path):
    from qgis.core import QgsVectorLayer

    pooled = tmp_path / "satmae.gpkg"
    res, out = run_embed(s2_tif, tmp_path, POOLED_OUTPUT=str(pooled))
    assert res["DIM"] == 1024
    assert hub.downloads(FILE) == 1          # the worker fetched the weights from the endpoint
    src = Raster(out)
    assert (src.count, src.height, src.width) == (1024, 14, 14) and src.epsg == EPSG
    ref, info = reference(tmp_path, s2_tif)
    assert ref.shape == (1024, 14, 14) and np.isfinite(ref).all() and ref.std() > 0
    np.testing.assert_allclose(src.data, ref, rtol=1e-5, atol=1e-5)
    assert info["crs"] == f"EPSG:{EPSG}"
    lyr = QgsVectorLayer(str(pooled), "pooled_layer", "ogr")
    feat = next(lyr.getFeatures())
    names = [f.name() for f in lyr.fields() if f.name().startswith("e")]
    assert len(names) == 1024
    vec = np.array([feat[n] for n in names])
    ref_vec, _ = reference(tmp_path, s2_tif, pooled=True)
    np.testing.assert_allclose(vec, ref_vec, rtol=1e-4, atol=1e-5)
    assert Raster(tmp_path / "s2_pca.tif").count == 4


def test_8bit_rgb_with_band_map_and_uint8_scale_runs_without_warning(rs_provider, hub, rgb8_tif, tmp_path):
    """An aerial 8-bit image: declared as 8-bit with a band map it runs quietly and
    equals the core's output for the same options; left at the default scale
    (reflectance x 10^4) the log says the values look like 8-bit."""
    log = log_feedback()
    res, out = run_embed(rgb8_tif, tmp_path, feedback=log, BAND_MAP="B04=1,B03=2,B02=3", VALUE_SCALE="uint8")
    assert res["DIM"] == 1024
    assert "look like" not in log.text and "Warning" not in log.text
    assert "value_scale_warning" not in res["METADATA"]
    ref, _ = reference(tmp_path, rgb8_tif, band_map="B04=1,B03=2,B02=3", value_scale="uint8")
    np.testing.assert_allclose(Raster(out).data, ref, rtol=1e-5, atol=1e-5)

    log = log_feedback()
    (tmp_path / "default").mkdir()
    res, _out = run_embed(rgb8_tif, tmp_path / "default", feedback=log, BAND_MAP="B04=1,B03=2,B02=3")
    assert "look like 8-bit" in log.text
    assert "VALUE_SCALE" in log.text          # says which setting to change
    assert "value_scale_warning" in res["METADATA"]
