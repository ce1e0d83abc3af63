"""Spec validation: every error the specs raise, and their semantics."""
import datetime as dt

import pytest

from rs_embed_qgis.embedders import BBox, OutputSpec, PointBuffer, SensorSpec, SpecError, TemporalSpec
from rs_embed_qgis.embedders.geo import roi_bounds_in, utm_epsg


@pytest.mark.parametrize("args, words", [
    ((1, 0, 0, 1), "minlon"),            # inverted lon
    ((0, 1, 1, 0), "minlat"),            # inverted lat
    ((0, 0, 0, 1), "empty"),             # zero width
    ((-181, 0, 0, 1), "[-180, 180]"),
    ((0, -91, 1, 1), "[-90, 90]"),
    ((0, 0, float("nan"), 1), "finite"),
    (("a", 0, 1, 1), "number"),
])
def test_bbox_errors(args, words):
    with pytest.raises(SpecError, match=__import__("re").escape(words)):
        BBox(*args)


def test_bbox_rejects_other_crs():
    with pytest.raises(SpecError, match="EPSG:4326"):
        BBox(0, 0, 1, 1, crs="EPSG:3857")


@pytest.mark.parametrize("args, words", [
    ((0, 0, 0), "positive"), ((0, 0, -5), "positive"), ((200, 0, 10), "lon"),
    ((0, 95, 10), "lat"), ((0, 0, 1e7), "500 km"),
])
def test_pointbuffer_errors(args, words):
    with pytest.raises(SpecError, match=words):
        PointBuffer(*args)


def test_pointbuffer_is_true_ground_metres():
    pb = PointBuffer(0.2, 52.05, 2000)
    epsg = utm_epsg(0.2, 52.05)
    assert epsg == 32631
    xmin, ymin, xmax, ymax = roi_bounds_in(pb, f"EPSG:{epsg}")
    assert xmax - xmin == pytest.approx(4000) and ymax - ymin == pytest.approx(4000)
    lon0, lat0, lon1, lat1 = pb.bounds_4326()
    # 4 km at 52°N is ~0.058° of longitude and ~0.036° of latitude; the lon/lat
    # box of the UTM square is a little larger (grid convergence ~2° here).
    # Web-Mercator "metres" would give only 0.036° of longitude.
    assert lon1 - lon0 == pytest.approx(4000 / (111320 * 0.6149), rel=0.05)
    assert lat1 - lat0 == pytest.approx(4000 / 111200, rel=0.05)


def test_temporal_year_is_half_open_window():
    t = TemporalSpec.year(2024)
    assert (t.start, t.end) == (dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    assert t.years() == [2024] and t.year_value == 2024 and str(t) == "2024"


def test_temporal_range():
    t = TemporalSpec.range("2022-06-01", "2022-09-01")
    assert t.mode == "range" and t.year_value is None
    assert t.years() == [2022]
    assert TemporalSpec.range("2022-12-01", "2023-01-01").years() == [2022]  # end exclusive
    assert TemporalSpec.range("2022-12-01", "2023-01-02").years() == [2022, 2023]


@pytest.mark.parametrize("start, end, words", [
    ("2022-06-01", "2022-06-01", "empty"), ("2022-06-02", "2022-06-01", "empty"),
    ("June 1", "2022-06-01", "YYYY-MM-DD"),
])
def test_temporal_range_errors(start, end, words):
    with pytest.raises(SpecError, match=words):
        TemporalSpec.range(start, end)


@pytest.mark.parametrize("year", [1800, 3000, "abc", 2020.5])
def test_temporal_year_errors(year):
    with pytest.raises(SpecError):
        TemporalSpec.year(year)


def test_output_spec():
    assert OutputSpec.pooled().mode == "pooled" and OutputSpec.pooled("max").pooling == "max"
    assert OutputSpec.grid(scale_m=20).scale_m == 20.0
    with pytest.raises(SpecError, match="pooling"):
        OutputSpec.pooled("median")
    with pytest.raises(SpecError, match="mode"):
        OutputSpec("tokens")
    with pytest.raises(SpecError, match="scale_m"):
        OutputSpec.grid(scale_m=0)


def test_sensor_spec():
    s = SensorSpec(bands=["B04", "B03"], cloudy_pct=10, composite="mosaic")
    assert s.bands == ("B04", "B03")
    for bad, words in [(dict(scale_m=-1), "scale_m"), (dict(cloudy_pct=120), "cloudy_pct"),
                       (dict(composite="mean"), "composite")]:
        with pytest.raises(SpecError, match=words):
            SensorSpec(**bad)


@pytest.mark.parametrize("lon, lat, epsg", [
    (0.2, 52.05, 32631), (-0.1, 51.5, 32630), (121.5, 31.2, 32651), (-70, -33, 32719),
    (5.5, 60.0, 32632), (15, 78, 32633), (0, 85, 32661), (0, -85, 32761), (180, 0, 32660),
])
def test_utm_zones(lon, lat, epsg):
    assert utm_epsg(lon, lat) == epsg


def test_pointbuffer_box_without_pyproj_equals_the_utm_square_transformed():
    """specs computes the box on the ellipsoid in pure Python (embedders/utm.py);
    it equals the UTM (or UPS) square's densified outline through pyproj."""
    import random

    from rs_embed_qgis.embedders.geo import pointbuffer_utm_bounds, transform_bounds

    rng = random.Random(7)
    cases = [(0.2, 52.05, 2000), (10.7, 79.0, 50_000), (5.3, 60.0, 10_000), (-70.5, -85.0, 30_000),
             (45.0, 86.0, 100_000), (179.0, -40.0, 80_000), (-179.5, 10.0, 20_000)]
    cases += [(rng.uniform(-178, 178), rng.uniform(-88, 88), rng.uniform(100, 200_000)) for _ in range(40)]
    for lon, lat, b in cases:
        pb = PointBuffer(lon, lat, b)
        epsg, square = pointbuffer_utm_bounds(pb)
        assert pb.bounds_4326() == pytest.approx(transform_bounds(f"EPSG:{epsg}", "EPSG:4326", square),
                                                 abs=1e-8), (lon, lat, b)


@pytest.mark.parametrize("lon, lat, buffer_m, words", [
    (179.99, 71.0, 2000, "antimeridian"), (-179.99, -20.0, 5000, "antimeridian"),
    (0.0, 89.99, 5000, "North Pole"), (120.0, -89.95, 10_000, "South Pole"),
])
def test_pointbuffer_across_the_antimeridian_or_around_a_pole_is_refused_truthfully(lon, lat, buffer_m, words):
    with pytest.raises(SpecError, match=words):
        PointBuffer(lon, lat, buffer_m)
