"""The analysis core on constructed embedding rasters with known answers:
CKA and k-NN agreement, k-means, cosine similarity, change, block streaming,
the common grid of a comparison and its report."""
from __future__ import annotations

import base64
import csv
import re

import numpy as np
import pytest
import rasterio

from fixtures_analysis import (CRS, X0, Y0, cosine_reference, pixel_centre, planted_clusters,
                               write_embedding)
from rs_embed_qgis.embedders import BBox, DataUnavailableError, SpecError
from rs_embed_qgis.embedders.analysis import blocks, change, compare, kmeans, report, similarity


def rotation(d, seed):
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    return q


# --- measures ---------------------------------------------------------------

def cka_by_gram(x, y):
    """Independent reference: HSIC on centred Gram matrices."""
    n = len(x)
    h = np.eye(n) - 1.0 / n
    k, l_ = h @ x @ x.T @ h, h @ y @ y.T @ h
    return np.sum(k * l_) / np.sqrt(np.sum(k * k) * np.sum(l_ * l_))


def test_linear_cka_known_answers():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 20)) @ rng.normal(size=(20, 20))  # anisotropic
    assert compare.linear_cka(x, x) == pytest.approx(1.0, abs=1e-12)
    # orthogonal map + isotropic scale + translation, into more dimensions
    wide = np.hstack([x, np.zeros((400, 12))]) @ rotation(32, 1) * 3.5 + 7.0
    assert compare.linear_cka(x, wide) == pytest.approx(1.0, abs=1e-10)
    # a non-isotropic scaling is a different geometry: CKA drops below 1
    assert compare.linear_cka(x, x * np.linspace(0.1, 3, 20)) < 0.99
    unrelated = rng.normal(size=(400, 7))
    assert compare.linear_cka(x, unrelated) < 0.15
    # both formulations (features and Gram: n < D) agree with the reference
    for a, b in ((x, unrelated), (rng.normal(size=(30, 50)), rng.normal(size=(30, 64)))):
        assert compare.linear_cka(a, b) == pytest.approx(cka_by_gram(a, b), rel=1e-9)
    assert np.isnan(compare.linear_cka(x, np.ones((400, 3))))
    with pytest.raises(SpecError):
        compare.linear_cka(x, x[:10])


def test_knn_agreement_known_answers():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(150, 16))
    assert compare.knn_agreement(x, x, 10) == (1.0, 1.0)
    assert compare.knn_agreement(x, 2.0 * x @ rotation(16, 2) - 4.0, 10) == pytest.approx((1.0, 1.0))
    # reference by explicit sets
    y = x[:, :4] + 0.5 * rng.normal(size=(150, 4))
    d = lambda a: ((a[:, None] - a[None]) ** 2).sum(-1) + np.diag(np.full(len(a), np.inf))  # noqa: E731
    na, nb = np.argsort(d(x), axis=1)[:, :5], np.argsort(d(y), axis=1)[:, :5]
    inter = np.array([len(set(a) & set(b)) for a, b in zip(na, nb)])
    jac, ovl = compare.knn_agreement(x, y, 5)
    assert jac == pytest.approx(np.mean(inter / (10 - inter)))
    assert ovl == pytest.approx(np.mean(inter / 5))
    assert 0 < jac < 1
    # unrelated items: about k / n of the neighbours shared by chance
    assert compare.knn_agreement(x, rng.normal(size=(150, 16)), 10)[1] < 0.2
    assert np.isnan(compare.knn_agreement(x[:5], x[:5], 10)[0])


# --- streaming ----------------------------------------------------------------

@pytest.mark.parametrize("block_mb", [0.05, 0.3, 1000])
def test_block_windows_tile_the_raster_once_within_budget(tmp_path, block_mb):
    arr = np.zeros((24, 300, 530), np.float32)
    path = write_embedding(tmp_path / "e.tif", arr)
    with rasterio.open(path) as src:
        seen = np.zeros((src.height, src.width), int)
        bh, bw = src.block_shapes[0]
        for win in blocks.block_windows(src, block_mb):
            r, c, h, w = int(win.row_off), int(win.col_off), int(win.height), int(win.width)
            seen[r:r + h, c:c + w] += 1
            assert r % bh == 0 and c % bw == 0                     # tile-aligned
            assert h * w * 24 * 4 <= max(block_mb * 2**20, bh * bw * 24 * 4)
    assert (seen == 1).all()


def test_sample_valid_is_uniform_without_repeats(tmp_path):
    h, w = 120, 140
    ids = np.arange(h * w, dtype=np.float32).reshape(1, h, w)
    arr = np.concatenate([ids, np.ones((2, h, w), np.float32)])
    arr[:, :60] = np.nan                                           # top half no data
    path = write_embedding(tmp_path / "e.tif", arr)
    with rasterio.open(path) as src:
        s = blocks.sample_valid(src, 2000, seed=4, block_mb=0.01)
        everything = blocks.sample_valid(src, 10**6, seed=4, block_mb=0.01)
    assert s.shape == (2000, 3) and np.isfinite(s).all()
    assert len(np.unique(s[:, 0])) == 2000 and s[:, 0].min() >= 60 * w
    cols = s[:, 0] % w
    assert abs(cols.mean() - (w - 1) / 2) < 5 and abs(np.median(s[:, 0] // w) - 90) < 4
    assert sorted(everything[:, 0]) == list(range(60 * w, h * w))


# --- k-means ------------------------------------------------------------------

def test_kmeans_recovers_planted_clusters_blockwise(tmp_path):
    arr, labels = planted_clusters()
    src = write_embedding(tmp_path / "e.tif", arr)
    res = kmeans.cluster_raster(src, tmp_path / "k.tif", 3, seed=1, sample_size=3000, block_mb=0.02)
    with rasterio.open(tmp_path / "k.tif") as ds:
        got = ds.read(1)
        assert ds.dtypes[0] == "uint8" and ds.nodata == 0
        cmap = ds.colormap(1)
        assert ds.tags()["RS_EMBED_K"] == "3"
    assert (got[labels == -1] == 0).all()
    # a one-to-one mapping between planted and found clusters, no pixel misassigned
    pairs = {(p, g) for p, g in zip(labels[labels >= 0], got[labels >= 0])}
    assert len(pairs) == 3 and len({g for _, g in pairs}) == 3 and {g for _, g in pairs} == {1, 2, 3}
    sizes = [int((got == c).sum()) for c in (1, 2, 3)]
    assert res["sizes"] == sizes and sizes == sorted(sizes, reverse=True)   # 1 = largest
    assert res["nodata_pixels"] == 12
    assert [cmap[c][:3] for c in (1, 2, 3)] == kmeans.palette(3)
    # repeatable for a seed
    kmeans.cluster_raster(src, tmp_path / "k2.tif", 3, seed=1, sample_size=3000, block_mb=5)
    with rasterio.open(tmp_path / "k2.tif") as ds:
        np.testing.assert_array_equal(ds.read(1), got)


def test_kmeans_fit_matches_lloyd_fixed_point():
    rng = np.random.default_rng(3)
    x = np.vstack([rng.normal(m, 0.3, size=(200, 5)) for m in (-2, 0, 3)]).astype(np.float32)
    centres, inertia = kmeans.kmeans_fit(x, 3, seed=0)
    lab = ((x[:, None, :] - centres[None]) ** 2).sum(-1).argmin(axis=1)      # independent argmin
    # converged: each centre is the mean of its members
    for j in range(3):
        np.testing.assert_allclose(centres[j], x[lab == j].mean(axis=0), atol=1e-5)
    assert inertia == pytest.approx(sum(((x[lab == j] - centres[j]) ** 2).sum() for j in range(3)), rel=1e-4)


def test_kmeans_errors(tmp_path):
    arr = np.full((4, 20, 20), np.nan, np.float32)
    arr[:, 0, :3] = 1.0
    src = write_embedding(tmp_path / "e.tif", arr)
    with pytest.raises(DataUnavailableError, match="3 valid pixels, fewer than K=5"):
        kmeans.cluster_raster(src, tmp_path / "k.tif", 5)
    with pytest.raises(SpecError, match="K must lie between"):
        kmeans.cluster_raster(src, tmp_path / "k.tif", 1)
    assert not (tmp_path / "k.tif").exists()


# --- similarity ---------------------------------------------------------------

def test_similarity_point_polygon_and_block_independence(tmp_path):
    arr, _ = planted_clusters(h=70, w=90)
    src = write_embedding(tmp_path / "e.tif", arr)
    r, c = 40, 70
    a = similarity.similarity_raster(src, tmp_path / "s1.tif", points=[pixel_centre(r, c)], block_mb=0.02)
    b = similarity.similarity_raster(src, tmp_path / "s2.tif", points=[pixel_centre(r, c)], block_mb=500)
    with rasterio.open(tmp_path / "s1.tif") as s1, rasterio.open(tmp_path / "s2.tif") as s2:
        got = s1.read(1)
        np.testing.assert_allclose(got, s2.read(1), atol=1e-6)  # float32 BLAS rounding only
        lo, hi = (float(v) for v in s1.tags()["RS_EMBED_STRETCH"].split(","))
    assert got[r, c] == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(got, cosine_reference(arr, arr[:, r, c]), atol=1e-5)
    assert np.isnan(got[:3, :4]).all() and np.isfinite(got[3:]).all()
    assert a["valid_pixels"] == b["valid_pixels"] == 70 * 90 - 12
    assert -1 <= lo < hi <= 1
    # polygon: mean vector of the pixels whose centres are inside (rows 10..19, cols 5..14)
    x0, y1 = X0 + 50, Y0 - 100
    poly = {"type": "Polygon", "coordinates": [[(x0, y1), (x0 + 100, y1), (x0 + 100, y1 - 100), (x0, y1 - 100), (x0, y1)]]}
    similarity.similarity_raster(src, tmp_path / "s3.tif", polygons=[poly])
    with rasterio.open(tmp_path / "s3.tif") as s3:
        np.testing.assert_allclose(s3.read(1), cosine_reference(arr, arr[:, 10:20, 5:15].mean(axis=(1, 2))), atol=1e-5)


def test_similarity_several_references_max_and_mean(tmp_path):
    arr, _ = planted_clusters()
    src = write_embedding(tmp_path / "e.tif", arr)
    pts = [(10, 10), (30, 70)]
    similarity.similarity_raster(src, tmp_path / "max.tif", points=[pixel_centre(*p) for p in pts])
    res = similarity.similarity_raster(src, tmp_path / "mean.tif", combine="mean",
                                       points=[pixel_centre(*p) for p in pts] + [(0.0, 0.0)])
    refs = [arr[:, r, c] / np.linalg.norm(arr[:, r, c]) for r, c in pts]
    with rasterio.open(tmp_path / "max.tif") as m, rasterio.open(tmp_path / "mean.tif") as n:
        np.testing.assert_allclose(m.read(1), np.fmax(*(cosine_reference(arr, v) for v in refs)), atol=1e-5)
        np.testing.assert_allclose(n.read(1), cosine_reference(arr, np.mean(refs, axis=0)), atol=1e-5)
    assert res["references"] == 2 and "outside the raster" in res["skipped"][0]


def test_similarity_without_usable_reference_is_a_clear_error(tmp_path):
    arr, _ = planted_clusters()
    src = write_embedding(tmp_path / "e.tif", arr)
    with pytest.raises(DataUnavailableError, match=r"point 1 .* no-data pixel; point 2 .* outside"):
        similarity.similarity_raster(src, tmp_path / "s.tif", points=[pixel_centre(0, 0), (1.0, 2.0)])
    assert not (tmp_path / "s.tif").exists()


# --- change -------------------------------------------------------------------

def test_change_identical_zero_and_planted_change(tmp_path):
    arr, _ = planted_clusters()
    a = write_embedding(tmp_path / "a.tif", arr, year=2022)
    res = change.change_raster(a, a, tmp_path / "same.tif", block_mb=0.02)
    later = arr.copy()
    later[:, 20:30, 10:30] = -later[:, 20:30, 10:30]           # opposite vectors
    later[:, 40:50, 50:60] = np.roll(later[:, 40:50, 50:60], 1, axis=0)
    b = write_embedding(tmp_path / "b.tif", later, year=2024)
    change.change_raster(a, b, tmp_path / "d.tif", block_mb=0.02)
    with rasterio.open(tmp_path / "same.tif") as s, rasterio.open(tmp_path / "d.tif") as d:
        same, dist = s.read(1), d.read(1)
        assert d.tags()["RS_EMBED_TIME_A"] == "2022" and d.tags()["RS_EMBED_TIME_B"] == "2024"
    assert np.nanmax(np.abs(same)) < 1e-6 and np.isnan(same[:3, :4]).all() and res["resampled"] is False
    np.testing.assert_allclose(dist[20:30, 10:30], 2.0, atol=1e-5)
    a64, b64 = arr[:, 40:50, 50:60].astype(float), later[:, 40:50, 50:60].astype(float)
    exp = 1 - (a64 * b64).sum(0) / (np.linalg.norm(a64, axis=0) * np.linalg.norm(b64, axis=0))
    np.testing.assert_allclose(dist[40:50, 50:60], exp, atol=1e-5)
    untouched = np.ones(dist.shape, bool)
    untouched[20:30, 10:30] = untouched[40:50, 50:60] = False
    untouched[:3, :4] = False
    assert np.abs(dist[untouched]).max() < 1e-6


def test_change_resamples_the_second_raster_onto_the_first(tmp_path):
    rng = np.random.default_rng(2)
    coarse = rng.normal(size=(6, 20, 25)).astype(np.float32)
    fine = coarse.repeat(2, axis=1).repeat(2, axis=2)              # the same field at 10 m
    a = write_embedding(tmp_path / "a.tif", fine, res=10.0)
    b = write_embedding(tmp_path / "b.tif", coarse, res=20.0)
    res = change.change_raster(a, b, tmp_path / "d.tif", resampling="average")
    with rasterio.open(tmp_path / "d.tif") as d:
        dist = d.read(1)
        assert (d.width, d.height) == (50, 40)
    assert res["resampled"] is True and np.nanmax(np.abs(dist)) < 1e-5 and np.isfinite(dist).all()


def test_change_refuses_different_models(tmp_path):
    a = write_embedding(tmp_path / "a.tif", np.ones((4, 8, 8)), model="tessera")
    b = write_embedding(tmp_path / "b.tif", np.ones((4, 8, 8)), model="gse_annual")
    c = write_embedding(tmp_path / "c.tif", np.ones((5, 8, 8)), model="tessera")
    with pytest.raises(SpecError, match="different spaces"):
        change.change_raster(a, b, tmp_path / "d.tif")
    with pytest.raises(SpecError, match="4 bands and raster B 5"):
        change.change_raster(a, c, tmp_path / "d.tif")
    assert not (tmp_path / "d.tif").exists()


# --- comparison -----------------------------------------------------------------

def test_compare_rasters_identical_rotated_and_resampled(tmp_path):
    rng = np.random.default_rng(5)
    coarse = rng.normal(size=(8, 30, 40))
    fine = coarse.repeat(2, axis=1).repeat(2, axis=2)
    a = write_embedding(tmp_path / "a.tif", fine, res=10.0)                       # 8 d at 10 m
    wide = np.einsum("ij,jhw->ihw", rotation(20, 3)[:, :8], coarse) * 2.5 + 1.0   # 20 d at 20 m
    b = write_embedding(tmp_path / "b.tif", wide, res=20.0)
    u = write_embedding(tmp_path / "u.tif", rng.normal(size=(5, 30, 40)), res=20.0)
    paths = {"a": a, "a_again": a, "b": b, "u": u}
    grid, how = compare.common_grid({m: compare.grid_of(p) for m, p in paths.items()})
    assert how.startswith("native grid of b") and grid.res == (20.0, 20.0)
    comp = compare.compare_rasters(paths, grid, how, k=10)
    res = {(p.a, p.b): p for p in comp.pairs}
    assert comp.common_pixels == 1200 and comp.n_cka == 1200
    assert comp.n_knn == 960 and comp.stats.repeats == 20     # repeats of 80 % of the pool, so they differ
    assert res[("a", "a_again")].cka == pytest.approx(1.0, abs=1e-9)
    assert res[("a", "a_again")].knn_jaccard == 1.0
    assert res[("a", "b")].cka == pytest.approx(1.0, abs=1e-6)       # 10 m averaged onto 20 m == b
    assert res[("a", "b")].knn_overlap == pytest.approx(1.0)
    assert res[("a", "u")].cka < 0.1 and res[("a", "u")].knn_overlap < 0.1


def test_compare_counts_common_valid_pixels_only(tmp_path):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(6, 20, 30)).astype(np.float32)
    y = x.copy()
    x[:, :5] = np.nan
    y[:, :, :10] = np.nan
    paths = {"x": write_embedding(tmp_path / "x.tif", x), "y": write_embedding(tmp_path / "y.tif", y)}
    grid, how = compare.common_grid({m: compare.grid_of(p) for m, p in paths.items()}, reference="y")
    comp = compare.compare_rasters(paths, grid, how, k=5)
    assert comp.common_pixels == 15 * 20 and comp.coverage == {"x": 0.75, "y": pytest.approx(20 / 30)}
    assert comp.pairs[0].cka == pytest.approx(1.0)


def test_common_grid_choices_and_limits(tmp_path):
    roi = BBox(3.0, 52.0, 3.05, 52.03)
    geo = compare.RasterGrid.from_bounds("EPSG:4326", (3, 52, 3.5, 52.5), 0.25)
    utm = compare.RasterGrid.from_bounds(CRS, (500000, 5760000, 503000, 5763000), 10.0)
    assert compare.resolution_m(utm) == 10.0
    assert compare.resolution_m(geo) == pytest.approx((0.25 * 111320 * np.cos(np.radians(52.25)) + 0.25 * 110574) / 2)
    grid, how = compare.common_grid({"cop": geo, "tes": utm})
    assert grid == geo and "coarsest" in how
    grid, how = compare.common_grid({"cop": geo, "tes": utm}, roi, res_m=30)
    assert grid.crs == "EPSG:32631" and grid.res == (30.0, 30.0) and "30 m" in how
    assert grid.width == pytest.approx(3430 / 30, abs=2)
    with pytest.raises(SpecError, match="coarser common resolution"):
        compare.common_grid({"tes": utm}, roi, res_m=0.5)
    with pytest.raises(SpecError, match="reference model 'x'"):
        compare.common_grid({"tes": utm}, reference="x")


def test_report_csv_html_and_png(tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    panels = [("a", rng.integers(0, 255, (30, 40, 4), dtype=np.uint8)), ("b", np.zeros((30, 40, 4), np.uint8))]
    png = report.side_by_side_png(panels, tmp_path / "side.png")
    with rasterio.open(png) as ds:
        assert ds.driver == "PNG" and ds.count in (3, 4) and ds.width > ds.height
    # without matplotlib: a plain mosaic, the panels side by side with an 8 px gap
    monkeypatch.setitem(__import__("sys").modules, "matplotlib.backends.backend_agg", None)
    plain = report.side_by_side_png(panels, tmp_path / "plain.png")
    with rasterio.open(plain) as ds:
        assert (ds.width, ds.height) == (88, 30)
        np.testing.assert_array_equal(np.moveaxis(ds.read(), 0, -1)[:, :40], panels[0][1])
    runs = [compare.ModelRun("m1", 1.5, None, None, 8, CRS, "10 x 10", 10.0, 0.9),
            compare.ModelRun("m2", 0.1, error="CredentialsError: Earth Engine needs a Google Cloud project."),
            compare.ModelRun("m3", 2.0, None, None, 16, CRS, "20 x 20", 20.0, 1.0)]
    grid = compare.RasterGrid.from_bounds(CRS, (0, 0, 100, 100), 20.0)
    comp = compare.Comparison(grid, "native grid of m3", 25, {"m1": 1.0, "m3": 1.0},
                              [compare.PairResult("m1", "m3", 25, 0.8123, 0.5, 0.66)], 10, 25, 25)
    report.write_csv(tmp_path / "r.csv", runs, comp)
    rows = list(csv.DictReader((tmp_path / "r.csv").read_text().splitlines()))
    assert [r["record"] for r in rows] == ["model", "model", "model", "pair"]
    assert rows[1]["status"] == "skipped" and "CredentialsError" in rows[1]["message"]
    assert rows[3]["cka"] == "0.8123" and rows[3]["model_b"] == "m3" and rows[3]["k"] == "10"
    report.write_html(tmp_path / "r.html", runs, comp, png)
    html = (tmp_path / "r.html").read_text()
    assert "skipped</span>: CredentialsError" in html and "Linear CKA" not in html   # the heatmap replaced the tables
    data = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html).group(1)
    assert base64.b64decode(data) == png.read_bytes()


def test_side_by_side_png_shows_the_maps_whatever_their_dtype(tmp_path):
    """Float panels of 1..255 (a float PCA raster) used to be clipped to a white frame."""
    import matplotlib.image as mpimg

    from rs_embed_qgis.embedders.analysis.report import side_by_side_png

    yy, xx = np.mgrid[0:64, 0:64]
    rgba = np.stack([1 + 3.9 * xx, 1 + 3.9 * yy, np.full_like(xx, 128.0), np.full_like(xx, 255.0)], -1)
    for name, panel in (("float", rgba.astype(np.float32)), ("uint8", rgba.astype(np.uint8))):
        png = side_by_side_png([("a", panel), ("b", panel[::-1])], tmp_path / f"{name}.png")
        img = mpimg.imread(png)[..., :3]
        white = (img > 0.98).all(axis=-1).mean()
        assert white < 0.6, f"{name}: {white:.0%} of the figure is white"
        assert img.std() > 0.1


def test_a_large_pca_layer_has_overviews(tmp_path):
    """QGIS draws large PCA layers from their overviews."""
    import rasterio
    from affine import Affine

    from rs_embed_qgis.embedders.pca import pca_geotiff_from_file

    rng = np.random.default_rng(1)
    src = tmp_path / "emb.tif"
    with rasterio.open(src, "w", driver="GTiff", width=1100, height=600, count=8, dtype="float32",
                       crs="EPSG:32631", transform=Affine(10, 0, 500000, 0, -10, 5800000), tiled=True) as ds:
        ds.write(rng.standard_normal((8, 600, 1100)).astype("float32"))
    out = pca_geotiff_from_file(src, tmp_path / "pca.tif")
    with rasterio.open(out) as ds:
        assert ds.overviews(1) == [2, 4] and ds.count == 4
