"""The drawn-extent map tool on a real canvas: mouse press/move/release on the
canvas viewport give the rectangle in the canvas CRS, shown as a rubber band."""
from __future__ import annotations

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsRectangle, QgsWkbTypes
from qgis.PyQt.QtCore import QEvent, QPoint, Qt
from qgis.PyQt.QtGui import QMouseEvent
from qgis.PyQt.QtWidgets import QApplication

from rs_embed_qgis.gui.maptool import ExtentMapTool


@pytest.fixture
def canvas_3857(qgis_canvas):
    """The canvas, laid out at its full size (its window shown, offscreen)."""
    qgis_canvas.window().show()
    QApplication.processEvents()
    qgis_canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    qgis_canvas.setExtent(QgsRectangle(10_000, 6_800_000, 40_000, 6_820_000))
    QApplication.processEvents()
    assert qgis_canvas.mapSettings().outputSize().width() > 500
    yield qgis_canvas
    if qgis_canvas.mapTool() is not None:
        qgis_canvas.unsetMapTool(qgis_canvas.mapTool())
    qgis_canvas.window().hide()


def send(canvas, kind, pos, button=Qt.LeftButton):
    buttons = Qt.NoButton if kind == QEvent.MouseButtonRelease else button
    if kind == QEvent.MouseMove:
        button = Qt.NoButton
    ev = QMouseEvent(kind, pos, canvas.viewport().mapToGlobal(pos), button, buttons, Qt.NoModifier)
    QApplication.sendEvent(canvas.viewport(), ev)


def drag(canvas, a, b):
    send(canvas, QEvent.MouseButtonPress, a)
    mid = QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2)
    send(canvas, QEvent.MouseMove, mid)
    send(canvas, QEvent.MouseMove, b)
    send(canvas, QEvent.MouseButtonRelease, b)


def test_drag_emits_the_rectangle_in_the_canvas_crs(canvas_3857):
    canvas = canvas_3857
    tool = ExtentMapTool(canvas)
    canvas.setMapTool(tool)
    got = []
    tool.extentDrawn.connect(lambda rect, crs: got.append((QgsRectangle(rect), crs.authid())))
    a, b = QPoint(420, 60), QPoint(100, 300)  # dragged up-left to down-right in any direction
    drag(canvas, a, b)
    assert len(got) == 1
    rect, authid = got[0]
    assert authid == "EPSG:3857"
    xf = canvas.getCoordinateTransform()
    pa, pb = xf.toMapCoordinates(a), xf.toMapCoordinates(b)
    assert rect.xMinimum() == pytest.approx(min(pa.x(), pb.x()))
    assert rect.xMaximum() == pytest.approx(max(pa.x(), pb.x()))
    assert rect.yMinimum() == pytest.approx(min(pa.y(), pb.y()))
    assert rect.yMaximum() == pytest.approx(max(pa.y(), pb.y()))
    assert canvas.extent().contains(rect) and rect.width() > 0 and rect.height() > 0
    band = tool.rubber_band.asGeometry()  # the rubber band shows the same rectangle
    assert band.type() == QgsWkbTypes.PolygonGeometry
    assert band.boundingBox().toString(3) == rect.toString(3)
    tool.clear()
    assert tool.rubber_band.asGeometry().isEmpty()


def test_rubber_band_follows_the_mouse_while_dragging(canvas_3857):
    canvas = canvas_3857
    tool = ExtentMapTool(canvas)
    canvas.setMapTool(tool)
    send(canvas, QEvent.MouseButtonPress, QPoint(50, 50))
    send(canvas, QEvent.MouseMove, QPoint(150, 120))
    xf = canvas.getCoordinateTransform()
    expected = QgsRectangle(xf.toMapCoordinates(QPoint(50, 50)), xf.toMapCoordinates(QPoint(150, 120)))
    assert tool.rubber_band.asGeometry().boundingBox().toString(3) == expected.toString(3)
    send(canvas, QEvent.MouseButtonPress, QPoint(150, 120), Qt.RightButton)  # right click cancels
    assert tool.rubber_band.asGeometry().isEmpty()


def test_a_click_or_a_drag_in_another_crs(canvas_3857):
    canvas = canvas_3857
    tool = ExtentMapTool(canvas)
    canvas.setMapTool(tool)
    got = []
    tool.extentDrawn.connect(lambda rect, crs: got.append((QgsRectangle(rect), crs.authid())))
    drag(canvas, QPoint(200, 200), QPoint(201, 201))  # a click, not an extent
    assert got == []
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:32631"))
    canvas.setExtent(QgsRectangle(300_000, 5_760_000, 330_000, 5_780_000))
    QApplication.processEvents()
    drag(canvas, QPoint(100, 100), QPoint(300, 250))
    assert [authid for _, authid in got] == ["EPSG:32631"]
    assert canvas.extent().contains(got[0][0])
