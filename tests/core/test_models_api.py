"""inspect_model_input and get_embedding_from_data (rs-embed API parity).

DOFA (torchgeo architecture, random weights saved in its official key names)
is the model: its preprocessing is a closed formula, so the expected model
input is computed here in numpy from the patch."""
from __future__ import annotations

import numpy as np
import pytest

from fixtures_models import s2_patch, spec_for

from rs_embed_qgis.embedders import api
from rs_embed_qgis.embedders.config import get_config
from rs_embed_qgis.embedders.errors import SpecError
from rs_embed_qgis.embedders.imagery.base import S2_BANDS
from rs_embed_qgis.embedders.models import dofa as dofa_mod
from rs_embed_qgis.embedders.models.dofa import DOFAS2
from rs_embed_qgis.embedders.specs import OutputSpec

import torch  # noqa: E402  (the core env has it: make test installs every family)


def dofa_formula(data):
    """DOFA's input from reflectance x 10^4 in S2_BANDS order (numpy, float64)."""
    v = np.clip(data[[S2_BANDS.index(b) for b in dofa_mod.BANDS]] / 10000.0, 0, 1) * 255.0
    return (v - np.array(dofa_mod.MEAN)[:, None, None]) / np.array(dofa_mod.STD)[:, None, None]


@pytest.fixture(scope="module")
def cfg(tmp_path_factory):
    import torchgeo.models as tgm

    wdir = tmp_path_factory.mktemp("w")
    path = wdir / DOFAS2.weights.repo_id / DOFAS2.weights.filename
    path.parent.mkdir(parents=True)
    model = tgm.dofa_base_patch16_224(weights=None)
    torch.save({k: v for k, v in model.state_dict().items() if not k.startswith(("fc_norm.", "head."))}, path)
    mp = pytest.MonkeyPatch()
    mp.setattr(DOFAS2, "weights", spec_for(DOFAS2.weights, path))
    mp.setenv("HF_HUB_OFFLINE", "1")
    yield get_config(weights_dir=str(wdir))
    mp.undo()


def test_inspect_gives_the_exact_model_input_as_a_georeferenced_geotiff(cfg, tmp_path):
    import rasterio

    patch = s2_patch(224, 224, bands=S2_BANDS, seed=1)
    patch.data[2, 5, 7] = np.nan  # no data: filled with the band median before the model
    out = api.inspect_model_input("dofa", patch=patch, output_path=tmp_path / "in.tif", config=cfg)
    valid = np.isfinite(patch.data).all(0)
    filled = patch.data.copy()
    for i in range(len(S2_BANDS)):
        filled[i][~valid] = np.median(patch.data[i][valid])
    expected = dofa_formula(filled)
    np.testing.assert_allclose(out["array"], expected, rtol=1e-5, atol=1e-4)
    assert out["input_prep"] == "resize" and out["bands"] == list(dofa_mod.BANDS)
    assert out["transform"] == tuple(patch.grid.transform)[:6]
    assert out["stats"][0]["mean"] == pytest.approx(float(expected[0].mean()), rel=1e-5)
    assert out["nodata_fraction"] == pytest.approx(1 / 224 ** 2)
    with rasterio.open(out["path"]) as src:
        assert src.count == 9 and src.crs.to_string() == "EPSG:32631"
        assert tuple(src.transform)[:6] == tuple(patch.grid.transform)[:6]
        np.testing.assert_array_equal(src.read(), out["array"])
        assert src.descriptions[0] == "B04 (model input)"


def test_inspect_tile_mode_stitches_native_tiles_with_edge_padding(cfg):
    patch = s2_patch(300, 250, bands=S2_BANDS, seed=2)
    out = api.inspect_model_input("dofa_s2", patch=patch, input_prep="tile", config=cfg)
    assert out["array"].shape == (9, 448, 448) and out["tiles"] == 4
    np.testing.assert_allclose(out["array"][:, :300, :250], dofa_formula(patch.data), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(out["array"][:, 300:, 100], out["array"][:, 299:300, 100].repeat(148, 1),
                               rtol=1e-6)  # edge padding
    assert out["transform"] == tuple(patch.grid.transform)[:6]


def test_embedding_from_an_array_or_a_raster_equals_embedding_the_patch(cfg, tmp_path):
    import rasterio

    patch = s2_patch(160, 200, bands=S2_BANDS, seed=3)
    direct = DOFAS2().embed_patch(patch, OutputSpec.grid(), config=cfg)
    from_array = api.get_embedding_from_data("dofa_s2", patch.data, bands=S2_BANDS, crs=patch.grid.crs,
                                             transform=patch.grid.transform.to_gdal(),
                                             output=OutputSpec.grid(), config=cfg)
    np.testing.assert_allclose(from_array.to_numpy(), direct.to_numpy(), rtol=1e-5, atol=1e-5)
    assert tuple(from_array.transform) == tuple(direct.transform)
    assert from_array.meta["input"]["source"] == "array"

    # a 0..1 float raster with band descriptions, bands in another order, and a nodata value
    order = list(reversed(S2_BANDS))
    path = tmp_path / "mine.tif"
    data = patch.data[[S2_BANDS.index(b) for b in order]] / 10000.0
    data[:, :3, :3] = -1.0
    with rasterio.open(path, "w", driver="GTiff", width=200, height=160, count=len(order), dtype="float32",
                       crs=patch.grid.crs, transform=patch.grid.transform, nodata=-1.0) as dst:
        dst.write(data.astype("float32"))
        for i, b in enumerate(order, 1):
            dst.set_band_description(i, b)
    pooled = api.get_embedding_from_data("dofa_s2", str(path), value_scale=10000.0, config=cfg)
    masked = patch.data.copy()
    masked[:, :3, :3] = np.nan
    ref = DOFAS2().embed_patch(patch.__class__(masked, patch.bands, patch.grid, {}), OutputSpec.pooled(), config=cfg)
    np.testing.assert_allclose(pooled.data, ref.data, rtol=1e-4, atol=1e-4)
    assert pooled.meta["input"]["input_raster"] == str(path)


def test_bad_input_says_what_to_do(cfg):
    patch = s2_patch(32, 32, bands=S2_BANDS)
    with pytest.raises(SpecError, match="crs"):
        api.get_embedding_from_data("dofa_s2", patch.data, bands=S2_BANDS, config=cfg)
    with pytest.raises(SpecError, match=f"{len(S2_BANDS)} bands but 2"):
        api.get_embedding_from_data("dofa_s2", patch.data, bands=["B02", "B03"], crs="EPSG:32631",
                                    transform=patch.grid.transform.to_gdal(), config=cfg)
    with pytest.raises(SpecError, match="precomputed"):
        api.inspect_model_input("tessera", patch=patch, config=cfg)
