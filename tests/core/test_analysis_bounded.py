"""PCA and k-means stay bounded at any size: memory follows the block budget,
not the raster, the sample or K (measured with tracemalloc, which sees every
numpy buffer), and the bounded code paths give the right answers: streamed
k-means finds planted clusters, its labels are numbered by exact pixel count,
and the PCA of a file matches the in-memory one."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import rasterio

from fixtures_analysis import CRS, X0, Y0, write_embedding
from rs_embed_qgis.embedders import CancelledError, Progress, pca
from rs_embed_qgis.embedders.analysis import kmeans

D, H, W = 16, 512, 1024          # 32 MB of float32


@pytest.fixture(scope="module")
def field():
    """(D, H, W) float32: a smooth rank-4 field plus noise, a no-data corner."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    comps = np.stack([np.sin(x / 37.0), np.cos(y / 23.0), np.sin((x + y) / 51.0), (x - W / 2) / W])
    arr = np.einsum("rd,rhw->dhw", rng.normal(size=(4, D)).astype(np.float32), comps)
    arr += 0.05 * rng.normal(size=arr.shape).astype(np.float32)
    arr[:, :40, :60] = np.nan
    return arr


@pytest.fixture(scope="module")
def field_tif(field, tmp_path_factory):
    """``field`` as a GeoTIFF with 64 x 64 tiles (so a block can be far smaller than the raster)."""
    path = tmp_path_factory.mktemp("bounded") / "field.tif"
    with rasterio.open(path, "w", driver="GTiff", width=W, height=H, count=D, dtype="float32", crs=CRS,
                       transform=rasterio.Affine(10, 0, X0, 0, -10, Y0), nodata=float("nan"), tiled=True,
                       blockxsize=64, blockysize=64, interleave="band") as dst:
        dst.write(field)
    return path


def peak_mb(fn):
    """Peak of numpy/Python memory (MB) while ``fn`` runs, imports done beforehand."""
    import sklearn.cluster  # noqa: F401  (imports are not the function's memory)
    import sklearn.metrics  # noqa: F401

    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


# --- PCA ------------------------------------------------------------------------------

def test_pca_of_a_file_is_bounded_by_the_budget_and_matches_in_memory(field, field_tif, tmp_path, monkeypatch):
    monkeypatch.setattr(pca, "FIT_SAMPLE_MB", 1)
    out = tmp_path / "pca.tif"
    peak = peak_mb(lambda: pca.pca_geotiff_from_file(field_tif, out, block_mb=1))
    assert peak < 8, f"{peak:.1f} MB for a 32 MB raster with 1 MB blocks"
    with rasterio.open(out) as ds:
        got = ds.read()
        assert ds.tags()["RS_EMBED_PCA_EXPLAINED"].startswith("0.")
    ref, model = pca.pca_rgba(field)
    assert (got[3] == 0).sum() == 40 * 60 and (got[3, 40:] == 255).all()
    # both fit on a random sample of 16384 of the 520 000 pixels: the stretched colours agree
    diff = np.abs(got[:3].astype(int) - ref[:3].astype(int))[:, got[3] > 0]
    assert np.percentile(diff, 99) <= 8 and np.mean(diff) < 2.5
    x = field[:, 40:].reshape(D, -1).astype(np.float64)              # exact, all valid pixels
    vals = np.linalg.eigvalsh(np.cov(x))[::-1]
    np.testing.assert_allclose(model.explained, vals[:3] / vals.sum(), rtol=0.03)


def test_pca_in_memory_makes_no_float64_copy(field, monkeypatch):
    monkeypatch.setattr(pca, "FIT_SAMPLE_MB", 1)
    peak = peak_mb(lambda: pca.pca_rgba(field))
    # output 2 MB, sample 1 MB, float32 chunks of 65536 pixels (4 MB): far below one float32 copy (32 MB)
    assert peak < 14, f"{peak:.1f} MB"


def test_pca_fit_sample_is_bounded_in_bytes():
    assert pca.fit_sample_size(64) == pca.MAX_FIT_SAMPLES
    assert pca.fit_sample_size(768) * 768 * 4 <= pca.FIT_SAMPLE_MB * 2**20
    x = np.random.default_rng(1).normal(size=(5000, 6)).astype(np.float32) * np.arange(1, 7, dtype=np.float32)
    model = pca.fit_pca(x)
    np.testing.assert_allclose(model.mean, x.astype(np.float64).mean(axis=0), atol=1e-9)
    vals = np.linalg.eigvalsh(np.cov(x.astype(np.float64), rowvar=False))[::-1]
    np.testing.assert_allclose(model.explained, vals[:3] / vals.sum(), rtol=1e-9)


# --- k-means ---------------------------------------------------------------------------

def test_kmeans_at_k250_streams_in_bounded_memory(field_tif, tmp_path):
    out = tmp_path / "k.tif"
    res = {}
    peak = peak_mb(lambda: res.update(kmeans.cluster_raster(field_tif, out, 250, seed=3, sample_size=200_000,
                                                            block_mb=1)))
    # the old k-means held the sample (12.8 MB) and 200000 x 250 float32 distances (200 MB, twice)
    assert peak < 12, f"{peak:.1f} MB"
    assert abs(res["samples"] - 200_000) < 2000                     # the sample size asked for
    with rasterio.open(out) as ds:
        labels = ds.read(1)
        assert ds.tags()["RS_EMBED_K"] == "250" and ds.colormap(1)[250][:3] == kmeans.palette(250)[249]
    counts = np.bincount(labels.ravel(), minlength=251)
    assert counts[0] == 40 * 60 and res["nodata_pixels"] == 40 * 60
    assert res["sizes"] == counts[1:].tolist() and res["sizes"] == sorted(res["sizes"], reverse=True)
    assert (counts[1:] > 0).sum() >= 240                             # (nearly) every cluster used


def test_kmeans_labels_match_centres_sizes_are_exact_and_inertia_is_the_samples(field, field_tif, tmp_path):
    fit = {}
    for block_mb, streamed in ((1, True), (64, False)):
        res = kmeans.cluster_raster(field_tif, tmp_path / "k.tif", 20, seed=0, sample_size=60_000,
                                    block_mb=block_mb)
        assert (60_000 > max(int(block_mb * 2**20) // (4 * D), 160)) is streamed
        with rasterio.open(tmp_path / "k.tif") as ds:
            labels = ds.read(1)
        centres = res["centres"]
        valid = labels > 0
        x = field[:, valid].T.astype(np.float64)
        d2 = np.stack([((x - c) ** 2).sum(axis=1) for c in centres.astype(np.float64)], axis=1)
        # every pixel carries the number of its nearest centre (independent argmin), in size order
        assert (d2.argmin(axis=1) + 1 == labels[valid]).mean() > 0.9999
        sizes = np.bincount(labels[valid], minlength=21)[1:]
        assert res["sizes"] == sizes.tolist() and np.all(np.diff(sizes) <= 0)
        # inertia is over the sample: per sampled pixel it is the mean squared distance of all pixels
        mean_all = d2.min(axis=1).mean()
        assert res["inertia"] / res["samples"] == pytest.approx(mean_all, rel=0.05)
        fit[streamed] = mean_all
    # streaming costs nothing beyond MiniBatchKMeans itself: as good as sklearn's MiniBatchKMeans
    # fitted in memory on a uniform sample of the same size (mean of three seeds, within 5 %) ...
    from sklearn.cluster import MiniBatchKMeans

    valid = np.isfinite(field).all(axis=0)
    x = field[:, valid].T
    ref = []
    for seed in range(3):
        sample = x[np.random.default_rng(seed).choice(len(x), 60_000, replace=False)]
        c = MiniBatchKMeans(20, batch_size=kmeans.BATCH, n_init=3, random_state=seed).fit(sample).cluster_centers_
        ref.append(np.stack([((x - ci) ** 2).sum(axis=1) for ci in c], axis=1).min(axis=1).mean())
    assert fit[True] <= 1.05 * np.mean(ref)
    # ... and the in-memory fit, polished to a Lloyd fixed point, is better still
    assert fit[False] <= fit[True]


def test_streamed_and_in_memory_kmeans_both_recover_planted_clusters(tmp_path):
    rng = np.random.default_rng(4)
    h, w, k = 120, 160, 12
    truth = rng.integers(0, k, size=(h // 8, w // 8)).repeat(8, 0).repeat(8, 1)
    centres = rng.normal(size=(k, 10)) * 5
    arr = (centres[truth].transpose(2, 0, 1) + 0.2 * rng.normal(size=(10, h, w))).astype(np.float32)
    src = write_embedding(tmp_path / "e.tif", arr)
    for block_mb, sample in ((0.05, 15_000), (64, 15_000)):
        kmeans.cluster_raster(src, tmp_path / "k.tif", k, seed=2, sample_size=sample, block_mb=block_mb)
        with rasterio.open(tmp_path / "k.tif") as ds:
            got = ds.read(1)
        pairs = set(zip(truth.ravel().tolist(), got.ravel().tolist()))
        assert len(pairs) == k and {g for _, g in pairs} == set(range(1, k + 1))   # one to one


def test_kmeans_cancelled_in_the_assignment_pass_leaves_no_file(field_tif, tmp_path):
    calls = []
    progress = Progress(on_progress=calls.append, is_cancelled=lambda: bool(calls) and calls[-1] > 0.6)
    with pytest.raises(CancelledError):
        kmeans.cluster_raster(field_tif, tmp_path / "k.tif", 3, sample_size=3000, block_mb=1,
                              progress=progress)
    assert 0.6 < calls[-1] < 0.95                                      # while labels were being written
    assert list(tmp_path.iterdir()) == []                               # no output, no temporary labels
