"""Enum values read by index (QGIS without static strings) come from the
parameter's own option list, which may leave some of the catalog's out."""
from __future__ import annotations

from qgis.core import QgsProcessingAlgorithm, QgsProcessingContext, QgsProcessingParameterEnum

from rs_embed_qgis.embedders.catalog import IMAGERY_SOURCES
from rs_embed_qgis.qgis_common.params import enum_value, enum_values


class _Alg(QgsProcessingAlgorithm):
    def name(self):
        return "enum_probe"

    def createInstance(self):  # noqa: N802
        return _Alg()

    def initAlgorithm(self, config=None):  # noqa: N802
        no_local = [s for s in IMAGERY_SOURCES if s != "local"]
        self.addParameter(QgsProcessingParameterEnum("ONE", "one", options=no_local, defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum("MANY", "many", options=no_local, allowMultiple=True))


def test_index_enums_read_from_the_parameters_own_options(qgis_app):
    alg = _Alg()
    alg.initAlgorithm()
    context = QgsProcessingContext()
    assert enum_value(alg, {"ONE": 1}, "ONE", context, IMAGERY_SOURCES) == "stac"
    assert enum_values(alg, {"MANY": [1, 2]}, "MANY", context, IMAGERY_SOURCES) == ["stac", "gee"]
