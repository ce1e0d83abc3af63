"""Extents in any CRS to the core's BBox: the footprint travels with the box,
and extents across the antimeridian or around a pole get a true message."""
from __future__ import annotations

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransformContext, QgsRectangle

from rs_embed_qgis.embedders.errors import SpecError
from rs_embed_qgis.qgis_common.params import bbox_from_rect, spatial_params


def bbox(xmin, xmax, ymin, ymax, epsg):
    return bbox_from_rect(QgsRectangle(xmin, ymin, xmax, ymax), QgsCoordinateReferenceSystem(epsg),
                          QgsCoordinateTransformContext())


def test_projected_extent_keeps_its_own_footprint(qgis_app):
    b = bbox(500000, 503192, 5800000, 5803485, "EPSG:32633")
    assert b.footprint == ("EPSG:32633", 500000.0, 5800000.0, 503192.0, 5803485.0)
    assert spatial_params(b)["footprint"] == ["EPSG:32633", 500000.0, 5800000.0, 503192.0, 5803485.0]
    lon0, lat0, lon1, lat1 = b.bounds_4326()
    assert 14.9 < lon0 < lon1 < 15.1 and 52.3 < lat0 < lat1 < 52.4


def test_lonlat_extent_has_no_footprint(qgis_app):
    b = bbox(0.1, 0.3, 52.0, 52.1, "EPSG:4326")
    assert b.footprint is None and b.bounds_4326() == (0.1, 52.0, 0.3, 52.1)


def test_extent_across_the_antimeridian_is_refused_truthfully(qgis_app):
    with pytest.raises(SpecError) as exc:
        bbox(3331792.4, 3347377.1, 11372078.1, 11385780.1, "EPSG:3832")
    assert "antimeridian" in str(exc.value) and "km²" not in str(exc.value)


def test_extent_around_the_north_pole_is_refused_truthfully(qgis_app):
    with pytest.raises(SpecError) as exc:
        bbox(-20000, 20000, -20000, 20000, "EPSG:3995")
    assert "North Pole" in str(exc.value)
