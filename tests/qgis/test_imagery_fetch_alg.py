"""The "Fetch imagery" Processing algorithm through processing.run, run in the
core's worker, with the STAC API and COGs of fixtures_imagery on 127.0.0.1
(served by the core's Python) and with a local raster written by GDAL."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core_fixtures import Raster, stac_server, write_gtiff
from fixtures_imagery import CRS, X0, Y0

ALG = "rs_embed:fetch_imagery"


pytestmark = pytest.mark.usefixtures("fresh_workers")  # each test its own worker


def roi_for(offset_m=(640.0, 640.0), buffer_m=300.0):
    """The square of fixtures_imagery.roi_for inside the test scenes, in their UTM CRS."""
    from qgis.core import QgsRectangle

    x, y = X0 + offset_m[0], Y0 - offset_m[1]
    return QgsRectangle(x - buffer_m, y - buffer_m, x + buffer_m, y + buffer_m)


def extent_3857(rect):
    """The extent in Web Mercator: any CRS is accepted and transformed."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject

    r = QgsCoordinateTransform(QgsCoordinateReferenceSystem(CRS), QgsCoordinateReferenceSystem("EPSG:3857"),
                               QgsProject.instance()).transformBoundingBox(rect)
    return f"{r.xMinimum()},{r.xMaximum()},{r.yMinimum()},{r.yMaximum()} [EPSG:3857]"


@pytest.fixture
def stac_url(tmp_path, monkeypatch):
    root = tmp_path / "www"
    root.mkdir()
    scenes = [[f"s{i}", f"2022-06-{day}T10:00:00", cloud, "04.00",
               {"B04": level, "B03": level + 10, "B02": level + 20, "B08": level + 30}]
              for i, (day, cloud, level) in enumerate([(10, 5, 1000), (20, 15, 3000), (25, 70, 9000)])]
    with stac_server(root, scenes) as url:
        monkeypatch.setenv("RS_EMBED_STAC_URL", url + "/stac")
        yield url


def test_fetch_imagery_writes_the_composite_as_geotiff(rs_provider, stac_url, tmp_path):
    import processing

    out = tmp_path / "img.tif"
    res = processing.run(ALG, {
        "EXTENT": extent_3857(roi_for()), "START_DATE": "2022-06-01", "END_DATE": "2022-07-01",
        "IMAGERY_SOURCE": "stac", "BANDS": "B08,B04,B03,B02", "CLOUD_MAX": 30, "COMPOSITE": "median",
        "OUTPUT": str(out)})
    assert res["OUTPUT"] == str(out)
    src = Raster(out)
    assert src.epsg == 32633 and src.res == (10.0, 10.0)
    assert src.descriptions == ("B08", "B04", "B03", "B02")
    assert src.dtype == "Float32" and np.isnan(src.nodata)
    data = src.data
    meta = json.loads(src.tags["RS_EMBED_META"])
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
    from qgis.core import QgsMultiBandColorRenderer, QgsProject

    # A local 4-band raster (blue, green, red, nir) mapped with BAND_MAP.
    r, c = np.mgrid[0:128, 0:128]
    bands = np.stack([1000 + c, 2000 + c, 3000 + c, 4000 + c]).astype(np.uint16)
    src = write_gtiff(tmp_path / "scene.tif", bands, 32633, (500000, 10, 0, 5800000, 0, -10), nodata=0)
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


def test_fetch_imagery_reads_an_8_bit_raster_with_its_value_scale(rs_provider, tmp_path):
    """Issue 13: Fetch imagery takes a local raster, so it takes its value
    scale too (VALUE_SCALE=uint8: 0..255 becomes reflectance x 10^4)."""
    import processing
    from osgeo import gdal

    from rs_embed_qgis.embedders.catalog import VALUE_SCALES

    rgb = np.stack([np.full((128, 128), v) for v in (200, 120, 60)]).astype(np.uint8)
    src = write_gtiff(tmp_path / "aerial.tif", rgb, 32633, (500000, 10, 0, 5800000, 0, -10))
    out = tmp_path / "rgb.tif"
    processing.run(ALG, {"EXTENT": extent_3857(roi_for()), "YEAR": 2022, "IMAGERY_SOURCE": "local",
                         "INPUT_RASTER": str(src), "BAND_MAP": "B04=1,B03=2,B02=3", "VALUE_SCALE": "uint8",
                         "BANDS": "RGB", "OUTPUT": str(out)})
    ds = gdal.Open(str(out))
    red = ds.GetRasterBand(1).ReadAsArray()
    assert np.allclose(red[np.isfinite(red)], 200 * VALUE_SCALES["uint8"], rtol=1e-5)
