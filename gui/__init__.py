"""Interactive use in the QGIS desktop: the drawn-extent action, its dialog
and background task, the options page and the environment dialog."""
