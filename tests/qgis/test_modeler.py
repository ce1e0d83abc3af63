"""Outputs chain in the graphical modeler: a model whose Embed ROI grid feeds
PCA RGB and Similarity-free analysis runs like any Processing model (each
child in the core's worker; the Tessera sample made by the core's Python)."""
import numpy as np
import pytest

from core_fixtures import Raster, core


@pytest.fixture
def sample_env(tmp_path_factory, monkeypatch):
    from rs_embed_qgis.embedders import jobclient

    d = core("tessera_demo", tmp_path_factory.mktemp("tessera_sample_modeler"))
    for k, v in d["env"].items():
        monkeypatch.setenv(k, v)
    jobclient.shutdown()  # the worker reads RS_EMBED_* when it starts
    yield
    jobclient.shutdown()


def build_model():
    from qgis.core import (
        QgsProcessingModelAlgorithm, QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource, QgsProcessingModelOutput, QgsProcessingModelParameter,
        QgsProcessingParameterExtent,
    )

    model = QgsProcessingModelAlgorithm("embed_then_pca", "tests")
    model.addModelParameter(QgsProcessingParameterExtent("roi", "ROI"), QgsProcessingModelParameter("roi"))
    embed = QgsProcessingModelChildAlgorithm("rs_embed:embed_roi")
    embed.setChildId("embed")
    embed.addParameterSources("EXTENT", [QgsProcessingModelChildParameterSource.fromModelParameter("roi")])
    embed.addParameterSources("MODEL", [QgsProcessingModelChildParameterSource.fromStaticValue("tessera")])
    embed.addParameterSources("YEAR", [QgsProcessingModelChildParameterSource.fromStaticValue(2024)])
    out = QgsProcessingModelOutput("grid", "grid")
    out.setChildOutputName("OUTPUT")
    embed.setModelOutputs({"grid": out})
    model.addChildAlgorithm(embed)
    pca = QgsProcessingModelChildAlgorithm("rs_embed:pca_rgb")
    pca.setChildId("pca")
    pca.addParameterSources("INPUT", [QgsProcessingModelChildParameterSource.fromChildOutput("embed", "OUTPUT")])
    pout = QgsProcessingModelOutput("pca", "pca")
    pout.setChildOutputName("OUTPUT")
    pca.setModelOutputs({"pca": pout})
    model.addChildAlgorithm(pca)
    return model


def test_embed_roi_chains_into_pca_rgb_in_a_model(rs_provider, sample_env, tmp_path):
    import processing

    model = build_model()
    if hasattr(model, "validate"):  # QGIS >= 3.26: the model validates
        ok, issues = model.validate()
        assert ok, issues
    res = processing.run(model, {"roi": "0.12,0.28,52.01,52.09 [EPSG:4326]",
                                 "embed:grid": str(tmp_path / "grid.tif"),
                                 "pca:pca": str(tmp_path / "pca.tif")})
    g, p = Raster(res["embed:grid"]), Raster(res["pca:pca"])
    assert g.count == 128 and p.count == 4
    assert g.transform == p.transform and g.crs == p.crs
    rgb = p.data
    assert rgb[3].min() == 255  # full coverage
    assert len(np.unique(rgb[0])) > 20
