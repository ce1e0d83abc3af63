"""The Compare models report's views on planted cases: the agreement map is
high where two models agree and low where they do not; a model that is a
rotation of another gets the same PCA colours once aligned; the heatmap's
scores beat their shuffled baselines; the figures show the maps."""
from __future__ import annotations

import numpy as np
import pytest
import rasterio

from fixtures_analysis import CRS, write_embedding
from rs_embed_qgis.embedders.analysis.agreement import agreement_map
from rs_embed_qgis.embedders.analysis.align import align_pca
from rs_embed_qgis.embedders.analysis.compare import RasterGrid, grid_of
from rs_embed_qgis.embedders.analysis.pairwise import pairwise_stats
from rs_embed_qgis.embedders.fileio import OutputSet
from rs_embed_qgis.embedders.pca import pca_rgba


def rotation(d, seed):
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    return q


def smooth_field(d, h, w, seed):
    """Embeddings that vary smoothly over space (fields, gradients), as real ones do."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    basis = np.stack([np.sin(3 * xx), np.cos(4 * yy), xx * yy, np.sin(5 * (xx + yy)), xx, yy])
    return np.einsum("dk,khw->dhw", rng.normal(size=(d, len(basis))), basis) + 0.05 * rng.normal(size=(d, h, w))


def patchwork(h, w, fields, classes, seed):
    """A map of ``fields`` Voronoi fields, each one of ``classes`` land covers."""
    rng = np.random.default_rng(seed)
    cy, cx = rng.uniform(0, h, fields), rng.uniform(0, w, fields)
    yy, xx = np.mgrid[0:h, 0:w]
    return np.argmin((yy[..., None] - cy) ** 2 + (xx[..., None] - cx) ** 2, axis=-1) % classes


def test_agreement_map_is_high_where_the_models_agree_and_low_where_they_do_not(tmp_path):
    """Two models of one landscape of fields, each with its own dimensions,
    class vectors and noise: model b sees a's fields in the west and other
    fields in the east."""
    rng = np.random.default_rng(0)
    h, w = 40, 60
    land = patchwork(h, w, 30, 6, 1)
    a = (rng.normal(size=(6, 16)) * 2)[land].transpose(2, 0, 1) + 0.5 * rng.normal(size=(16, h, w))
    b = (rng.normal(size=(6, 24)) * 2)[land].transpose(2, 0, 1) * 3 + 1.5 * rng.normal(size=(24, h, w))
    other = (rng.normal(size=(6, 24)) * 2)[patchwork(h, w, 30, 6, 2)].transpose(2, 0, 1) + rng.normal(size=(24, h, w))
    b[:, :, w // 2:] = other[:, :, w // 2:]
    b[:, :2, :2] = np.nan                                                          # a corner without data
    paths = {"a": write_embedding(tmp_path / "a.tif", a), "b": write_embedding(tmp_path / "b.tif", b)}
    with OutputSet() as outs:
        res = agreement_map(paths, grid_of(paths["a"]), outs.path(tmp_path / "agreement.tif"))
    with rasterio.open(tmp_path / "agreement.tif") as ds:
        got = ds.read(1)
        assert ds.dtypes[0] == "float32" and np.isnan(ds.nodata) and ds.crs.to_string() == CRS
        assert ds.transform == grid_of(paths["a"]).transform
    west, east = got[:, :w // 2 - 12], got[:, w // 2 + 12:]     # away from the seam by the lattice's reach
    assert np.nanmean(west) > 0.6 and np.nanmean(east) < 0.25
    assert np.nanpercentile(west, 25) > np.nanpercentile(east, 75)
    assert np.isnan(got[:2, :2]).all() and np.nanmin(got) >= 0 and np.nanmax(got) <= 1
    assert res.pairs == ["a / b"] and res.mean == pytest.approx(np.nanmean(got), abs=1e-5)
    assert "80 neighbours" in res.method
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tif", "agreement.tif", "b.tif"]


def test_agreement_map_reads_in_strips_with_a_halo(tmp_path, monkeypatch):
    """Strips of a few rows give the same map as one strip (the halo carries the neighbours)."""
    from rs_embed_qgis.embedders.analysis import agreement

    a = smooth_field(8, 30, 20, 3)
    b = a + 0.3 * np.random.default_rng(4).normal(size=a.shape)
    paths = {"a": write_embedding(tmp_path / "a.tif", a), "b": write_embedding(tmp_path / "b.tif", b)}
    grid = grid_of(paths["a"])
    agreement_map(paths, grid, tmp_path / "whole.tif")
    monkeypatch.setattr(agreement, "STRIP_BYTES", 1)
    agreement_map(paths, grid, tmp_path / "strips.tif")
    with rasterio.open(tmp_path / "whole.tif") as x, rasterio.open(tmp_path / "strips.tif") as y:
        np.testing.assert_allclose(x.read(1), y.read(1), atol=1e-6)


def test_a_rotated_model_gets_the_same_colours_once_aligned():
    d, h, w = 12, 40, 50
    a = smooth_field(d, h, w, 5)
    b = np.einsum("ij,jhw->ihw", rotation(20, 12)[:, :d], a) * 2.0 - 3.0   # PCA signs flip under this one
    rgba_a, _ = pca_rgba(a.astype(np.float32))
    rgba_b, _ = pca_rgba(b.astype(np.float32))
    panels = {"a": np.moveaxis(rgba_a, 0, -1), "b": np.moveaxis(rgba_b, 0, -1)}
    raw = np.abs(panels["a"][..., :3].astype(int) - panels["b"][..., :3].astype(int))
    assert raw.mean() > 20                        # unaligned, the same ground has other colours
    aligned = align_pca(panels, "a")
    np.testing.assert_array_equal(aligned["a"].rgba, panels["a"])     # the reference keeps its colours
    diff = np.abs(aligned["b"].rgba[..., :3].astype(int) - panels["a"][..., :3].astype(int))
    assert diff.mean() < 2 and aligned["b"].fit > 0.99
    fields = np.random.default_rng(7).normal(size=(8, d))[patchwork(h, w, 25, 8, 7)].transpose(2, 0, 1)
    unrelated = np.moveaxis(pca_rgba(fields.astype(np.float32))[0], 0, -1)
    assert align_pca({"a": panels["a"], "u": unrelated}, "a")["u"].fit < aligned["b"].fit - 0.2


def test_pairwise_scores_beat_their_shuffled_baseline_with_intervals():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(1500, 16))
    related = x @ rotation(16, 9) + 0.5 * rng.normal(size=x.shape)
    stats = pairwise_stats({"x": x, "r": related, "u": rng.normal(size=(1500, 8))}, k=10, repeats=12,
                           sample=500, seed=3)
    assert (stats.repeats, stats.sample, stats.pool, stats.k, stats.seed) == (12, 500, 1500, 10, 3)
    p = stats.get("r", "x")
    assert p.cka > p.cka_shuffled + 0.5 and p.knn_overlap > p.knn_shuffled + 0.2
    assert p.cka_ci[0] <= p.cka <= p.cka_ci[1] and p.knn_ci[0] <= p.knn_overlap <= p.knn_ci[1]
    assert p.cka_ci[1] - p.cka_ci[0] > 0                           # repeats differ
    u = stats.get("x", "u")
    assert u.cka < 0.15 and u.knn_overlap < 0.1 and u.knn_shuffled < 0.1
    again = pairwise_stats({"x": x, "r": related}, k=10, repeats=12, sample=500, seed=3)
    assert again.get("x", "r") == stats.get("x", "r")               # the seed fixes the samples


def _not_white(png):
    import matplotlib.image as mpimg

    img = mpimg.imread(png)[..., :3]
    return 1.0 - (img > 0.98).all(axis=-1).mean(), img


def test_figures_show_the_maps_and_the_heatmap(tmp_path):
    from rs_embed_qgis.embedders.analysis.figures import (agreement_figure, heatmap_figure, nice_length,
                                                          pca_figure, similarity_matrix)

    assert [nice_length(s) for s in (2200, 480, 9.9e4)] == [500, 100, 2e4]
    grid = RasterGrid.from_bounds(CRS, (500_000, 5_769_000, 502_400, 5_770_800), 10.0)
    yy, xx = np.mgrid[0:grid.height, 0:grid.width]
    rgba = np.stack([xx % 255 + 1, yy % 255 + 1, np.full_like(xx, 128), np.full_like(xx, 255)], -1).astype(np.uint8)
    png = pca_figure([("a\nPC1 40%", rgba), ("b", rgba[::-1])], grid, tmp_path / "pca.png")
    shown, img = _not_white(png)
    assert shown > 0.4 and img.shape[1] > 900                       # two panels of about 550 px each
    png = agreement_figure(np.linspace(0, 1, grid.width * grid.height).reshape(grid.height, grid.width), grid,
                           tmp_path / "agree.png", "agreement")
    assert _not_white(png)[0] > 0.3
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 6))
    stats = pairwise_stats({"m1": x, "m2": x @ rotation(6, 2), "m3": rng.normal(size=(300, 4))}, k=5, repeats=4)
    m = similarity_matrix(["m1", "m2", "m3"], stats)
    assert m[0, 1] == pytest.approx(1.0) and m[1, 0] == pytest.approx(1.0)   # CKA above, k-NN overlap below
    assert m[0, 2] == stats.get("m1", "m3").cka and m[2, 0] == stats.get("m1", "m3").knn_overlap
    assert np.isnan(np.diag(m)).all()
    assert _not_white(heatmap_figure(["m1", "m2", "m3"], stats, tmp_path / "heat.png"))[0] > 0.3


def test_an_aligned_pca_layer_takes_the_reference_colours(tmp_path):
    """write_aligned rewrites a model's PCA GeoTIFF (in place, block by block)
    in the colours its panel has: a rotated model's layer matches the reference's."""
    from rs_embed_qgis.embedders.analysis.align import write_aligned
    from rs_embed_qgis.embedders.pca import pca_geotiff_from_file

    d, h, w = 12, 40, 50
    a = smooth_field(d, h, w, 5)
    b = np.einsum("ij,jhw->ihw", rotation(20, 12)[:, :d], a) * 2.0 - 3.0
    b[:, :3, :3] = np.nan
    layers = {}
    for name, arr in (("a", a), ("b", b)):
        pca_geotiff_from_file(write_embedding(tmp_path / f"{name}.tif", arr), tmp_path / f"{name}_pca.tif")
        with rasterio.open(tmp_path / f"{name}_pca.tif") as ds:
            layers[name] = np.moveaxis(ds.read(), 0, -1)
            explained = ds.tags()["RS_EMBED_PCA_EXPLAINED"]
    aligned = align_pca(layers, "a")
    write_aligned(tmp_path / "b_pca.tif", tmp_path / "b_pca.tif", aligned["b"], "a", block_mb=0.01)
    with rasterio.open(tmp_path / "b_pca.tif") as ds:
        got = np.moveaxis(ds.read(), 0, -1)
        assert ds.tags()["RS_EMBED_PCA_ALIGNED_TO"] == "a" and ds.tags()["RS_EMBED_PCA_EXPLAINED"] == explained
    np.testing.assert_array_equal(got, aligned["b"].rgba)
    assert (got[:3, :3, 3] == 0).all()
    valid = got[..., 3] > 0
    assert np.abs(got[valid, :3].astype(int) - layers["a"][valid, :3].astype(int)).mean() < 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tif", "a_pca.tif", "b.tif", "b_pca.tif"]


def test_agreement_of_three_models_is_the_mean_with_a_band_per_pair(tmp_path):
    rng = np.random.default_rng(11)
    h, w = 30, 40
    land = patchwork(h, w, 20, 5, 3)
    a = (rng.normal(size=(5, 8)) * 2)[land].transpose(2, 0, 1) + 0.3 * rng.normal(size=(8, h, w))
    b = (rng.normal(size=(5, 12)) * 2)[land].transpose(2, 0, 1) + 0.3 * rng.normal(size=(12, h, w))
    u = (rng.normal(size=(5, 6)) * 2)[patchwork(h, w, 20, 5, 4)].transpose(2, 0, 1)
    paths = {n: write_embedding(tmp_path / f"{n}.tif", x) for n, x in (("a", a), ("b", b), ("u", u))}
    res = agreement_map(paths, grid_of(paths["a"]), tmp_path / "agree.tif")
    with rasterio.open(tmp_path / "agree.tif") as ds:
        assert ds.descriptions == ("model agreement (0..1)", "a / b", "a / u", "b / u")
        mean, ab, au, bu = ds.read()
    np.testing.assert_allclose(mean, np.nanmean(np.stack([ab, au, bu]), axis=0), atol=1e-6)
    assert np.nanmean(ab) > 0.6 > 0.3 > max(np.nanmean(au), np.nanmean(bu))
    assert res.pairs == ["a / b", "a / u", "b / u"]
