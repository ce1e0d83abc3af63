"""The ``local`` imagery source: rasters in other CRSs, band mappings,
windowed reads; and the choice of source."""
from __future__ import annotations

import numpy as np
import pytest
from affine import Affine

from fixtures_imagery import X0, Y0, roi_for, write_cog
from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import CredentialsError, DataUnavailableError, SpecError
from rs_embed_qgis.embedders.imagery import ImageryRequest, get_patch, resolve_source
from rs_embed_qgis.embedders.imagery.local import parse_band_map
from rs_embed_qgis.embedders.specs import SensorSpec, TemporalSpec

RGB = ["B04", "B03", "B02"]
WHEN = TemporalSpec.year(2022)


def utm_truth(n=128):
    """Three 10 m bands over the test area whose values encode their position."""
    r, c = np.mgrid[0:n, 0:n]
    pos = (1000 + r * n + c).astype(np.uint16)
    return np.stack([pos, pos + 1, pos + 2]), Affine(10, 0, X0, 0, -10, Y0)


def write_raster(path, data, crs, transform, descriptions=None, colorinterp=None, nodata=None,
                 dtype=None):
    import rasterio

    prof = dict(driver="GTiff", width=data.shape[2], height=data.shape[1], count=data.shape[0],
                dtype=dtype or data.dtype.name, crs=crs, transform=transform, nodata=nodata,
                tiled=True, blockxsize=64, blockysize=64)
    with rasterio.open(path, "w", **prof) as dst:
        dst.write(data.astype(prof["dtype"]))
        for i, d in enumerate(descriptions or [], start=1):
            dst.set_band_description(i, d)
        if colorinterp:
            dst.colorinterp = colorinterp
    return str(path)


def reprojected(data, transform, dst_crs, res):
    """``data`` (EPSG:32633) warped by GDAL to ``dst_crs`` at ``res`` (nearest)."""
    from rasterio.warp import calculate_default_transform, reproject

    h, w = data.shape[1:]
    t, dw, dh = calculate_default_transform("EPSG:32633", dst_crs, w, h,
                                            *rasterio_bounds(transform, w, h), resolution=res)
    out = np.zeros((data.shape[0], dh, dw), dtype=data.dtype)
    reproject(data, out, src_transform=transform, src_crs="EPSG:32633", dst_transform=t,
              dst_crs=dst_crs, src_nodata=0, dst_nodata=0)
    return out, t


def rasterio_bounds(t, w, h):
    return (t.c, t.f + t.e * h, t.c + t.a * w, t.f)


def local(path, bands=RGB, roi=None, band_map=None, **sensor):
    req = ImageryRequest(roi or roi_for(), WHEN, bands, SensorSpec(**sensor), source="local",
                         input_raster=str(path), band_map=band_map)
    return get_patch(req, get_config())


def expected_rgb():
    truth, _ = utm_truth()
    return truth[:, 34:94, 34:94].astype(np.float32)


def test_web_mercator_raster_is_read_onto_the_utm_grid(tmp_path):
    truth, t = utm_truth()
    # 10 Mercator units (~6.1 ground metres at 52N): nearest sampling back onto
    # 10 m finds each pixel's own value (the pixel centres are < 5 m apart).
    merc, mt = reprojected(truth, t, "EPSG:3857", 10.0)
    path = write_raster(tmp_path / "merc.tif", merc, "EPSG:3857", mt, descriptions=["B4", "b03", "Blue"],
                        nodata=0)
    p = local(path)
    assert p.grid.crs == "EPSG:32633"
    assert tuple(p.grid.transform)[:6] == (10.0, 0.0, 500340.0, 0.0, -10.0, 5799660.0)
    np.testing.assert_array_equal(p.data, expected_rgb())
    assert p.meta["source"] == "local"
    assert {b: v["index"] for b, v in p.meta["band_map"].items()} == {"B04": 1, "B03": 2, "B02": 3}


def test_wgs84_rgb_raster_maps_by_colour_or_by_band_map(tmp_path):
    from rasterio.enums import ColorInterp as CI

    truth, t = utm_truth()
    geo, gt = reprojected(truth, t, "EPSG:4326", 8e-5)  # ~5.4 x 8.9 m
    # Stored blue, green, red with no band names: colour interpretation decides.
    path = write_raster(tmp_path / "bgr.tif", geo[::-1], "EPSG:4326", gt, nodata=0,
                        colorinterp=[CI.blue, CI.green, CI.red])
    np.testing.assert_array_equal(local(path).data, expected_rgb())
    # An explicit mapping by index wins; by name works too.
    p = local(path, band_map={"B04": 1, "B03": 2, "B02": 3})
    np.testing.assert_array_equal(p.data, expected_rgb()[::-1])
    named = write_raster(tmp_path / "named.tif", geo, "EPSG:4326", gt, nodata=0,
                         descriptions=["rot", "gruen", "blau"])
    p = local(named, band_map=parse_band_map("B04=rot, B03=gruen; B02=3"))
    np.testing.assert_array_equal(p.data, expected_rgb())


def test_band_mapping_errors_say_what_to_do(tmp_path):
    truth, t = utm_truth()
    path = write_raster(tmp_path / "anon.tif", truth, "EPSG:32633", t)
    with pytest.raises(SpecError, match=r"Cannot tell which bands .* are B04, B03, B02.*1: \(no name\).*B04=3"):
        local(path)
    with pytest.raises(SpecError, match="has bands 1..3"):
        local(path, band_map={"B04": 4, "B03": 2, "B02": 1})
    with pytest.raises(SpecError, match="no entry for band B02"):
        local(path, band_map={"B04": 1, "B03": 2})
    with pytest.raises(SpecError, match="no raster band has that name"):
        local(path, band_map={"B04": "nir", "B03": 2, "B02": 1})
    with pytest.raises(SpecError, match="not 'band=raster band'"):
        parse_band_map("B04:1")


def test_partial_and_missing_coverage(tmp_path):
    truth, t = utm_truth()
    half = truth.copy()
    half[:, :, 64:] = 0  # no data east of x = 640 m
    path = write_raster(tmp_path / "half.tif", half, "EPSG:32633", t, descriptions=RGB, nodata=0)
    p = local(path)
    valid = np.isfinite(p.data).all(axis=0)
    assert valid[:, :30].all() and not valid[:, 30:].any()
    far = write_raster(tmp_path / "far.tif", truth, "EPSG:32633", Affine(10, 0, X0 + 50_000, 0, -10, Y0),
                       descriptions=RGB)
    with pytest.raises(DataUnavailableError, match="has no data over the area"):
        local(far)


def test_fine_raster_is_read_decimated_and_only_its_window_is_fetched(tmp_path, loopback):
    # 1 m noise over 2 km, served over HTTP: a 10 m pixel is the mean of its 10 x 10 block.
    n = 2000
    noise = np.random.default_rng(1).integers(1000, 3000, (n, n)).astype(np.uint16)
    write_cog(tmp_path / "fine.tif", noise[None], "EPSG:32633", Affine(1, 0, X0, 0, -1, Y0), nodata=0,
              block=128, descriptions=["B08"])
    srv = loopback(tmp_path)
    p = local(f"/vsicurl/{srv.url}/fine.tif", bands=["B08"], roi=roi_for((1000.0, 1000.0), 200.0))
    assert p.data.shape == (1, 40, 40)
    expect = noise[800:1200, 800:1200].reshape(40, 10, 40, 10).mean(axis=(1, 3))
    np.testing.assert_allclose(p.data[0], expect, atol=0.5)  # GDAL rounds integer averages
    size = (tmp_path / "fine.tif").stat().st_size
    assert srv.bytes_sent < 0.15 * size, (srv.bytes_sent, size)


def test_value_scale_for_reflectance_stored_as_fractions(tmp_path):
    truth, t = utm_truth()
    frac = truth.astype(np.float32) / 10000
    path = write_raster(tmp_path / "frac.tif", frac, "EPSG:32633", t, descriptions=RGB)
    p = local(path, extra={"value_scale": 10000})
    np.testing.assert_allclose(p.data, expected_rgb(), rtol=1e-6)


def test_source_choice():
    base = get_config()
    proj = get_config(ee_project="my-project")
    req = ImageryRequest(roi_for(), WHEN, RGB)
    assert resolve_source(req, base) == "stac"
    assert resolve_source(req, proj) == "gee"
    with_raster = ImageryRequest(roi_for(), WHEN, RGB, input_raster="/data/scene.tif")
    assert resolve_source(with_raster, proj) == "local"
    assert resolve_source(ImageryRequest(roi_for(), WHEN, RGB, source="stac"), proj) == "stac"
    with pytest.raises(SpecError, match="needs an input raster"):
        resolve_source(ImageryRequest(roi_for(), WHEN, RGB, source="local"), base)
    with pytest.raises(CredentialsError, match="RS_EMBED_EE_PROJECT"):
        resolve_source(ImageryRequest(roi_for(), WHEN, RGB, source="gee"), base)
    with pytest.raises(SpecError, match="Unknown imagery source"):
        resolve_source(ImageryRequest(roi_for(), WHEN, RGB, source="sentinelhub"), base)


def test_too_large_area_is_refused_early():
    from rs_embed_qgis.embedders.specs import BBox

    req = ImageryRequest(BBox(10, 50, 12, 52), WHEN, RGB, source="stac")
    with pytest.raises(SpecError, match="above the limit"):
        get_patch(req, get_config())


def test_value_scales_and_a_warning_when_values_do_not_fit(tmp_path):
    """An 8-bit aerial image read as reflectance x 10^4 would be a black image
    to the model: the job's value scale converts it, and a mismatch is said."""
    from rs_embed_qgis.embedders import catalog
    from rs_embed_qgis.embedders.jobs.common import embed_kwargs
    from rs_embed_qgis.embedders.progress import Progress

    rng = np.random.default_rng(0)
    eight_bit = rng.integers(1, 256, size=(3, 128, 128)).astype(np.uint8)
    path = write_raster(tmp_path / "aerial.tif", eight_bit, "EPSG:32633", Affine(10, 0, X0, 0, -10, Y0),
                        descriptions=RGB)

    def fetch(value_scale=None):
        params = {"imagery_source": "local", "input_raster": path, "band_map": "B04=1,B03=2,B02=3"}
        if value_scale:
            params["value_scale"] = value_scale
        kw = embed_kwargs("remoteclip_s2rgb", params)
        said = []
        req = ImageryRequest(roi_for(), WHEN, RGB, kw.get("sensor") or SensorSpec(), source="local",
                             input_raster=path, band_map=kw["band_map"], progress=Progress(on_message=said.append))
        return get_patch(req, get_config()), said

    raw_patch, said = fetch()
    assert any("look like 8-bit" in m and "VALUE_SCALE" in m for m in said)
    assert "8-bit" in raw_patch.meta["value_scale_warning"]
    patch, said = fetch("uint8")
    assert not any(m.startswith("Warning") for m in said)
    np.testing.assert_allclose(patch.data, raw_patch.data * np.float32(catalog.VALUE_SCALES["uint8"]), rtol=1e-6)
    assert patch.data.max() <= 10000.0 and patch.data.max() > 9000.0
    with pytest.raises(SpecError, match="value_scale must be one of"):
        embed_kwargs("remoteclip_s2rgb", {"value_scale": "percent"})
