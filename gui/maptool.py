"""A map tool that lets the user drag a rectangle (shown as a rubber band)
and emits it in the canvas CRS."""
from __future__ import annotations

from qgis.core import QgsCoordinateReferenceSystem, QgsPointXY, QgsRectangle, QgsWkbTypes
from qgis.gui import QgsMapTool, QgsRubberBand
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor

MIN_DRAG_PX = 3  # smaller drags are clicks, not extents


class ExtentMapTool(QgsMapTool):
    """Press, drag and release the left button; Esc or the right button cancels."""

    extentDrawn = pyqtSignal(QgsRectangle, QgsCoordinateReferenceSystem)  # noqa: N815 (Qt style)

    def __init__(self, canvas):
        super().__init__(canvas)
        self.rubber_band = QgsRubberBand(canvas, QgsWkbTypes.PolygonGeometry)
        self.rubber_band.setStrokeColor(QColor(192, 38, 45))
        self.rubber_band.setFillColor(QColor(192, 38, 45, 40))
        self.rubber_band.setWidth(2)
        self._start = None       # map point
        self._start_px = None    # screen point
        self.setCursor(Qt.CrossCursor)

    def canvasPressEvent(self, event):  # noqa: N802 (QGIS API)
        if event.button() == Qt.RightButton:
            self.clear()
            return
        if event.button() != Qt.LeftButton:
            return
        self._start = QgsPointXY(event.mapPoint())
        self._start_px = event.pos()
        self._show(self._start, self._start)

    def canvasMoveEvent(self, event):  # noqa: N802
        if self._start is not None:
            self._show(self._start, QgsPointXY(event.mapPoint()))

    def canvasReleaseEvent(self, event):  # noqa: N802
        if self._start is None or event.button() != Qt.LeftButton:
            return
        start, start_px = self._start, self._start_px
        self._start = self._start_px = None
        d = event.pos() - start_px
        if abs(d.x()) < MIN_DRAG_PX or abs(d.y()) < MIN_DRAG_PX:
            self.clear()
            return
        rect = QgsRectangle(start, QgsPointXY(event.mapPoint()))
        rect.normalize()
        self._show(QgsPointXY(rect.xMinimum(), rect.yMinimum()), QgsPointXY(rect.xMaximum(), rect.yMaximum()))
        self.extentDrawn.emit(rect, self.canvas().mapSettings().destinationCrs())

    def keyPressEvent(self, event):  # noqa: N802
        if event.key() == Qt.Key_Escape:
            self.clear()

    def deactivate(self):
        self.clear()
        super().deactivate()

    def clear(self):
        """Remove the rubber band (it stays visible while the dialog is open)."""
        self._start = self._start_px = None
        self.rubber_band.reset(QgsWkbTypes.PolygonGeometry)

    def _show(self, a, b):
        rb = self.rubber_band
        rb.reset(QgsWkbTypes.PolygonGeometry)
        for x, y in ((a.x(), a.y()), (b.x(), a.y()), (b.x(), b.y()), (a.x(), b.y())):
            rb.addPoint(QgsPointXY(x, y), False)
        rb.closePoints(True)
        rb.show()
