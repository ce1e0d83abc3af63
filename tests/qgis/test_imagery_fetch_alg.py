"""The "Fetch imagery" Processing algorithm through processing.run, with the
STAC API and COGs of fixtures_imagery on 127.0.0.1 and with a local raster."""
from __future__ import annotations

import json

import numpy as np
import pytest

from fixtures_imagery import CRS, make_scene, roi_for, serve_stac, write_cog

ALG = "rs_embed:fetch_imagery"


def extent_3857(roi):
    from rs_embed_qgis.embedders.geo import roi_bounds_in

    xmin, ymin, xmax, ymax = roi_bounds_in(roi, "EPSG:3857")
    return f"{xmin},{xmax},{ymin},{ymax} [EPSG:3857]"


@pytest.fixture
def stac_url(loopback, tmp_path, monkeypatch):
    root = tmp_path / "www"
    root.mkdir()
    srv, api = serve_stac(loopback, root)
    for i, (day, cloud, level) in enumerate([(10, 5, 1000), (20, 15, 3000), (25, 70, 9000)]):
        api.items.append(make_scene(root, srv.url, f"s{i}", f"2022-06-{day}T10:00:00", cloud, baseline="04.00",
                                    values={"B04": level, "B03": level + 10, "B02": level + 20,
                                            "B08": level + 30}))
    monkeypatch.setenv("RS_EMBED_STAC_URL", srv.url + "/stac")
    return srv


def test_fetch_imagery_writes_the_composite_as_geotiff(rs_provider, stac_url, tmp_path):
    import processing
    import rasterio

    out = tmp_path / "img.tif"
    res = processing.run(ALG, {
        "EXTENT": extent_3857(roi_for()), "START_DATE": "2022-06-01", "END_DATE": "2022-07-01",
        "IMAGERY_SOURCE": "stac", "BANDS": "B08,B04,B03,B02", "CLOUD_MAX": 30, "COMPOSITE": "median",
        "OUTPUT": str(out)})
    assert res["OUTPUT"] == str(out)
    with rasterio.open(out) as src:
        assert src.crs.to_epsg() == 32633 and src.res == (10.0, 10.0)
        assert src.descriptions == ("B08", "B04", "B03", "B02")
        assert src.dtypes[0] == "float32" and np.isnan(src.nodata)
        data = src.read()
        meta = json.loads(src.tags()["RS_EMBED_META"])
    # Extent came in Web Mercator: the grid covers at least the ROI in UTM.
    assert data.shape[1] >= 60 and data.shape[2] >= 60
    np.testing.assert_array_equal(data[1], 2000)  # median of 1000 and 3000; the 70% scene is filtered
    np.testing.assert_array_equal(data[0], 2030)
    assert meta["source"] == "stac" and sorted(s["id"] for s in meta["scenes"]) == ["s0", "s1"]
    assert not list(tmp_path.glob(".img.tmp-*"))


def test_fetch_imagery_errors_become_processing_errors(rs_provider, stac_url, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    out = tmp_path / "none.tif"
    with pytest.raises(QgsProcessingException, match="cloud cover <= 1%"):
        processing.run(ALG, {"EXTENT": extent_3857(roi_for()), "START_DATE": "2022-06-01",
                             "END_DATE": "2022-07-01", "IMAGERY_SOURCE": "stac", "CLOUD_MAX": 1,
                             "OUTPUT": str(out)})
    with pytest.raises(QgsProcessingException, match="Unknown Sentinel-2 band"):
        processing.run(ALG, {"EXTENT": extent_3857(roi_for()), "YEAR": 2022, "IMAGERY_SOURCE": "stac",
                             "BANDS": "B04,B10", "OUTPUT": str(out)})
    with pytest.raises(QgsProcessingException, match="needs an input raster"):
        processing.run(ALG, {"EXTENT": extent_3857(roi_for()), "YEAR": 2022, "IMAGERY_SOURCE": "local",
                             "OUTPUT": str(out)})
    assert not out.exists()


def test_fetch_imagery_local_raster_loads_as_styled_rgb(rs_provider, tmp_path, qgis_iface):
    import processing
    from affine import Affine
    from qgis.core import QgsMultiBandColorRenderer, QgsProject

    # A local 4-band raster (blue, green, red, nir) mapped with BAND_MAP.
    r, c = np.mgrid[0:128, 0:128]
    bands = np.stack([1000 + c, 2000 + c, 3000 + c, 4000 + c]).astype(np.uint16)
    src = write_cog(tmp_path / "scene.tif", bands, CRS, Affine(10, 0, 500000, 0, -10, 5800000), nodata=0)
    out = tmp_path / "rgb.tif"
    processing.runAndLoadResults(ALG, {
        "EXTENT": extent_3857(roi_for()), "YEAR": 2022, "IMAGERY_SOURCE": "auto", "INPUT_RASTER": str(src),
        "BAND_MAP": "B04=3,B03=2,B02=1", "BANDS": "RGB", "OUTPUT": str(out)})
    layers = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.source() == str(out)]
    try:
        assert len(layers) == 1
        rend = layers[0].renderer()
        assert isinstance(rend, QgsMultiBandColorRenderer)
        assert (rend.redBand(), rend.greenBand(), rend.blueBand()) == (1, 2, 3)
        assert rend.redContrastEnhancement().minimumValue() == 0
        assert rend.blueContrastEnhancement().maximumValue() == 3000
        prov = layers[0].dataProvider()
        assert prov.block(1, layers[0].extent(), 4, 4).value(0, 0) >= 3000  # B04 = raster band 3
    finally:
        QgsProject.instance().removeAllMapLayers()
