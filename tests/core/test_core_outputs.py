"""Embedding type, pooling without no-data, the GeoTIFF writer, PCA, config, registry."""
import json

import numpy as np
import pytest
import rasterio

from rs_embed_qgis.embedders import (
    DataUnavailableError, Embedding, ModelNotFoundError, SpecError, configure, get_config,
    read_geotiff, write_geotiff, write_pca_geotiff,
)
from rs_embed_qgis.embedders.embedding import make_grid
from rs_embed_qgis.embedders.pca import fit_pca, pca_geotiff_from_file, pca_rgba
from rs_embed_qgis.embedders.registry import resolve

T = (10.0, 0.0, 500000.0, 0.0, -10.0, 5760000.0)


def grid_emb(arr, meta=None):
    return Embedding(make_grid(arr, "EPSG:32631", T), meta or {"model": "test", "temporal": {"year": 2024}})


def test_make_grid_coordinates_are_pixel_centres():
    g = make_grid(np.zeros((2, 3, 4)), "EPSG:32631", T)
    assert g.dims == ("band", "y", "x")
    assert g.x.values[0] == 500005.0 and g.y.values[0] == 5759995.0
    assert g.attrs["transform"] == T


def test_pooled_ignores_nodata():
    arr = np.ones((3, 2, 2), np.float32)
    arr[:, 0, 0] = 100.0
    arr[:, 1, 1] = np.nan
    pooled = grid_emb(arr).pooled()
    assert pooled.meta["coverage_fraction"] == 0.75
    np.testing.assert_allclose(pooled.data, [34.0, 34.0, 34.0])
    assert grid_emb(arr).pooled("max").data.tolist() == [100.0, 100.0, 100.0]


def test_pooling_in_chunks_equals_the_whole_computation():
    from rs_embed_qgis.embedders.embedding import pool_grid

    rng = np.random.default_rng(5)
    arr = rng.normal(size=(7, 50, 40)).astype(np.float32)
    arr[:, 3, 4] = np.nan
    arr[2, 10, 10] = np.nan  # one band missing: the whole pixel is out
    valid = np.isfinite(arr).all(axis=0)
    ref = arr[:, valid].astype(np.float64)
    for pooling, expected in (("mean", ref.mean(axis=1)), ("max", ref.max(axis=1))):
        vec, frac = pool_grid(arr, pooling, chunk_values=50)  # many small chunks
        np.testing.assert_allclose(vec, expected, rtol=1e-6)
        assert frac == valid.mean()


def test_pooled_all_nodata_errors():
    with pytest.raises(DataUnavailableError, match="no valid"):
        grid_emb(np.full((3, 2, 2), np.nan, np.float32)).pooled()


def test_geotiff_roundtrip(tmp_path):
    rng = np.random.default_rng(0)
    arr = rng.normal(size=(5, 20, 30)).astype(np.float32)
    arr[:, 3, 4] = np.nan
    path = write_geotiff(grid_emb(arr, {"model": "test", "temporal": {"year": 2024},
                                        "roi": {"type": "BBox"}}), tmp_path / "e.tif")
    with rasterio.open(path) as src:
        assert src.count == 5 and src.dtypes[0] == "float32" and np.isnan(src.nodata)
        assert src.crs.to_epsg() == 32631 and tuple(src.transform)[:6] == T
        assert src.compression is not None and src.descriptions[0] == "dim_000"
        tags = src.tags()
        assert tags["RS_EMBED_MODEL"] == "test" and tags["RS_EMBED_TIME"] == "2024"
        assert tags["RS_EMBED_PLUGIN_VERSION"] and json.loads(tags["RS_EMBED_META"])["model"] == "test"
    back = read_geotiff(path)
    np.testing.assert_array_equal(back.to_numpy(), arr)
    assert list(tmp_path.iterdir()) == [path]  # no temporary or sidecar files


def test_writer_failure_leaves_nothing(tmp_path):
    bad = Embedding(make_grid(np.zeros((1, 2, 2)), "NOT A CRS", T), {})
    with pytest.raises(Exception):
        write_geotiff(bad, tmp_path / "x.tif")
    assert list(tmp_path.iterdir()) == []


def test_writer_rejects_pooled(tmp_path):
    with pytest.raises(SpecError, match="grid"):
        write_geotiff(Embedding(np.zeros(4), {}), tmp_path / "x.tif")


def test_pca_recovers_planted_structure(tmp_path):
    # Left half and right half differ along one direction: PC1 separates them.
    rng = np.random.default_rng(1)
    arr = rng.normal(scale=0.01, size=(16, 10, 20)).astype(np.float32)
    arr[0, :, 10:] += 5
    arr[:, 0, 0] = np.nan
    rgba, model = pca_rgba(arr)
    assert rgba.dtype == np.uint8 and rgba.shape == (4, 10, 20)
    assert rgba[3, 0, 0] == 0 and rgba[3, 5, 5] == 255
    assert model.explained[0] > 0.9
    left, right = rgba[0, 1:, :10].mean(), rgba[0, 1:, 10:].mean()
    assert abs(left - right) > 200
    path = write_pca_geotiff(grid_emb(arr), tmp_path / "pca.tif")
    with rasterio.open(path) as src:
        assert src.count == 4 and src.dtypes[0] == "uint8" and src.crs.to_epsg() == 32631
        np.testing.assert_array_equal(src.read(), rgba)


def test_pca_from_file_in_blocks_matches_in_memory(tmp_path):
    rng = np.random.default_rng(2)
    arr = (rng.normal(size=(8, 1, 1)) * rng.normal(size=(1, 40, 30))).astype(np.float32)
    arr += rng.normal(scale=0.1, size=arr.shape).astype(np.float32)
    src = write_geotiff(grid_emb(arr), tmp_path / "e.tif")
    out = pca_geotiff_from_file(src, tmp_path / "p.tif", block_rows=7)
    with rasterio.open(out) as ds:
        got = ds.read()
    ref, _ = pca_rgba(arr)
    assert np.abs(got.astype(int) - ref.astype(int)).max() <= 1


def test_fit_pca_sign_is_deterministic():
    x = np.random.default_rng(3).normal(size=(100, 5))
    a, b = fit_pca(x), fit_pca(x[::-1])
    np.testing.assert_allclose(a.components, b.components, atol=1e-9)


def test_config_env_and_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("RS_EMBED_BATCH_SIZE", "4")
    monkeypatch.setenv("RS_EMBED_EE_PROJECT", "env-project")
    cfg = get_config()
    assert cfg.batch_size == 4 and cfg.ee_project == "env-project"
    assert cfg.weights_dir == cfg.cache_dir / "weights"
    configure(ee_project="settings-project", device="CUDA")
    assert get_config().ee_project == "settings-project" and get_config().device == "cuda"
    configure(ee_project=None)
    assert get_config().ee_project == "env-project"
    with pytest.raises(KeyError, match="Unknown setting"):
        configure(colour="red")


def test_unknown_model_suggests():
    with pytest.raises(ModelNotFoundError, match="Did you mean"):
        resolve("tesera")
