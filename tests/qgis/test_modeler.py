"""Outputs chain in the graphical modeler: a model whose Embed ROI grid feeds
PCA RGB and Similarity-free analysis runs like any Processing model."""
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import tessera_sample as ts  # noqa: E402


@pytest.fixture
def sample_env(tmp_path_factory, monkeypatch):
    d = ts.setup_demo_data(tmp_path_factory.mktemp("tessera_sample_modeler"), pixel_m=100.0)
    for k, v in ts.demo_env(d).items():
        monkeypatch.setenv(k, v)


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
    with rasterio.open(res["embed:grid"]) as g, rasterio.open(res["pca:pca"]) as p:
        assert g.count == 128 and p.count == 4
        assert g.transform == p.transform and g.crs == p.crs
        rgb = p.read()
    assert rgb[3].min() == 255  # full coverage
    assert len(np.unique(rgb[0])) > 20
