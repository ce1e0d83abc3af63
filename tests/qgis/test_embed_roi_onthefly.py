"""Embed ROI with an on-the-fly model: imagery from a local raster, the model
loaded from the weights folder, grid and pooled from one forward pass."""
import os

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from fixtures_models import remoteclip_ckpt, s2_patch, spec_for  # noqa: F401 (fixture)
from rs_embed_qgis.embedders import OutputSpec, PointBuffer, get_embedding
from rs_embed_qgis.embedders.geo import transformer, utm_epsg
from rs_embed_qgis.embedders.models.remoteclip import RemoteCLIPS2RGB

LON, LAT = 3.1, 52.0


@pytest.fixture
def clip_weights(remoteclip_ckpt, tmp_path, monkeypatch):  # noqa: F811
    path, sha = remoteclip_ckpt
    wdir = tmp_path / "weights"
    wdir.mkdir()
    os.link(path, wdir / path.name)
    monkeypatch.setattr(RemoteCLIPS2RGB, "weights", spec_for(RemoteCLIPS2RGB.weights, path, sha))
    monkeypatch.setenv("RS_EMBED_WEIGHTS_DIR", str(wdir))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def s2_tif(tmp_path):
    epsg = utm_epsg(LON, LAT)
    x, y = transformer("EPSG:4326", f"EPSG:{epsg}").transform(LON, LAT)
    src = s2_patch(400, 400, seed=3)
    tif = tmp_path / "s2.tif"
    with rasterio.open(tif, "w", driver="GTiff", width=400, height=400, count=3, dtype="uint16",
                       crs=f"EPSG:{epsg}", transform=from_origin(round(x) - 2000, round(y) + 2000, 10, 10)) as ds:
        ds.write(src.data.astype("uint16"))
        ds.descriptions = ("B04", "B03", "B02")
    return tif


def test_embed_roi_remoteclip_from_a_local_raster(rs_provider, clip_weights, s2_tif, tmp_path):
    import processing
    from qgis.core import QgsVectorLayer

    roi = PointBuffer(LON, LAT, 1120)
    x0, y0, x1, y1 = roi.bounds_4326()
    out, pooled = tmp_path / "clip.tif", tmp_path / "clip.gpkg"
    res = processing.run("rs_embed:embed_roi", {
        "EXTENT": f"{x0},{x1},{y0},{y1} [EPSG:4326]", "MODEL": "remoteclip_s2rgb",
        "START_DATE": "2024-06-01", "END_DATE": "2024-09-01", "IMAGERY_SOURCE": "local",
        "INPUT_RASTER": str(s2_tif), "OUTPUT": str(out), "PCA_OUTPUT": str(tmp_path / "pca.tif"),
        "POOLED_OUTPUT": str(pooled)})
    assert res["DIM"] == 768
    with rasterio.open(out) as src:
        assert (src.count, src.height, src.width) == (768, 7, 7)
        assert src.crs.to_epsg() == utm_epsg(LON, LAT)
        grid = src.read()
    from rs_embed_qgis.embedders import BBox, TemporalSpec

    kw = dict(spatial=BBox(x0, y0, x1, y1), temporal=TemporalSpec.range("2024-06-01", "2024-09-01"),
              backend="local", input_raster=str(s2_tif))
    core_grid = get_embedding("remoteclip_s2rgb", output=OutputSpec.grid(), **kw)
    core_vec = get_embedding("remoteclip_s2rgb", output=OutputSpec.pooled(), **kw)
    np.testing.assert_allclose(grid, core_grid.to_numpy(), rtol=1e-5, atol=1e-5)
    lyr = QgsVectorLayer(str(pooled), "pooled_layer", "ogr")
    feat = next(lyr.getFeatures())
    names = [f.name() for f in lyr.fields() if f.name().startswith("e")]
    assert len(names) == 512  # RemoteCLIP pools to its 512-d projection, not the grid mean
    vec = np.array([feat[n] for n in names])
    np.testing.assert_allclose(vec, core_vec.to_numpy(), rtol=1e-4, atol=1e-5)
