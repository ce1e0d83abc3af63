"""QGIS-side helpers shared by the Processing algorithms and the desktop GUI
(translation, icons, settings, extent conversion, styling, running jobs in the
core's worker). Imports only what QGIS ships."""
