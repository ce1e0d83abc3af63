"""The analysis job kinds run as the worker runs them (embedders.jobs.run on a
spec, outputs strict JSON): similarity map, k-means, PCA RGB, change on two
rasters and on two years of Tessera served from 127.0.0.1. Outputs appear
only on success; failures leave no file, no temporary."""
from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio

from fixtures_analysis import (CRS, X0, Y0, cosine_reference, pixel_centre, planted_clusters, serve_tessera,
                               tessera_mirror, write_embedding)
from rs_embed_qgis.embedders import jobs
from rs_embed_qgis.embedders.errors import DataUnavailableError, SpecError
from rs_embed_qgis.embedders.progress import Progress


def run(kind, params, progress=None):
    spec = {"version": jobs.JOB_VERSION, "id": "t1", "kind": kind, "params": params, "config": {}}
    out = jobs.run(spec, progress or Progress())
    json.dumps(out, allow_nan=False)  # what the worker sends must be strict JSON
    return out


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def planted(tmp_path):
    arr, labels = planted_clusters()
    return write_embedding(tmp_path / "emb.tif", arr), arr, labels


def test_every_kind_resolves():
    for kind in jobs.KINDS:
        assert callable(jobs.resolve(kind))


def test_similarity_map_points_and_polygons_in_the_raster_crs(planted, tmp_path):
    path, arr, _ = planted
    x0, y1 = X0 + 100, Y0 - 200                                   # pixels rows 20..24, cols 10..19
    poly = {"type": "Polygon", "coordinates": [[[x0, y1], [x0 + 100, y1], [x0 + 100, y1 - 50], [x0, y1 - 50],
                                                [x0, y1]]]}
    out = run("similarity_map", {"input": str(path), "output": str(tmp_path / "s.tif"),
                                 "points": [list(pixel_centre(30, 60)), [0.0, 0.0]], "polygons": [poly],
                                 "combine": "mean"})
    refs = np.stack([arr[:, 30, 60], arr[:, 20:25, 10:20].mean(axis=(1, 2))])
    mean_dir = (refs / np.linalg.norm(refs, axis=1, keepdims=True)).mean(axis=0)
    with rasterio.open(tmp_path / "s.tif") as ds:
        got = ds.read(1)
    np.testing.assert_allclose(got, cosine_reference(arr, mean_dir), atol=1e-5)
    assert out["references"] == 2 and "outside the raster" in out["skipped"][0]
    assert out["mean"] == pytest.approx(np.nanmean(got), abs=1e-3) and leftovers(tmp_path) == []


def test_similarity_map_without_references_or_onto_its_input(planted, tmp_path):
    path, _, _ = planted
    with pytest.raises(SpecError, match="Give reference points"):
        run("similarity_map", {"input": str(path), "output": str(tmp_path / "s.tif")})
    with pytest.raises(SpecError, match="also an input raster"):
        run("similarity_map", {"input": str(path), "output": str(path), "points": [list(pixel_centre(1, 1))]})
    with pytest.raises(DataUnavailableError, match="outside the raster"):
        run("similarity_map", {"input": str(path), "output": str(tmp_path / "s.tif"), "points": [[0, 0]]})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emb.tif"]


def test_cluster_embeddings_finds_the_planted_clusters(planted, tmp_path):
    path, _, labels = planted
    out = run("cluster_embeddings", {"input": str(path), "output": str(tmp_path / "k.tif"), "k": 3, "seed": 2,
                                     "sample_size": 2000, "block_mb": 4})
    with rasterio.open(tmp_path / "k.tif") as ds:
        got = ds.read(1)
        assert ds.tags()["RS_EMBED_K"] == "3"
    assert (got[labels == -1] == 0).all()
    assert len(set(zip(labels[labels >= 0], got[labels >= 0]))) == 3
    assert out["sizes"] == [int((got == k).sum()) for k in (1, 2, 3)] and out["inertia"] > 0


def test_pca_rgb_job(planted, tmp_path):
    path, _, labels = planted
    assert run("pca_rgb", {"input": str(path), "output": str(tmp_path / "p.tif")})["output"] == str(tmp_path / "p.tif")
    with rasterio.open(tmp_path / "p.tif") as ds:
        assert ds.count == 4 and ds.crs.to_string() == CRS
        assert (ds.read(4)[labels == -1] == 0).all()


def test_change_on_two_rasters_and_input_errors(planted, tmp_path):
    path, arr, _ = planted
    later = arr.copy()
    later[:, 40:50, 20:30] *= -1
    b = write_embedding(tmp_path / "later.tif", later, year=2025)
    out = run("embedding_change", {"input_a": str(path), "input_b": str(b), "output": str(tmp_path / "c.tif")})
    with rasterio.open(tmp_path / "c.tif") as ds:
        got = ds.read(1)
    np.testing.assert_allclose(got[40:50, 20:30], 2.0, atol=1e-5)
    assert out["mean"] == pytest.approx(np.nanmean(got), abs=1e-4) and out["resampled"] is False
    with pytest.raises(SpecError, match="Give both embeddings A and B"):
        run("embedding_change", {"input_a": str(path), "output": str(tmp_path / "x.tif")})
    with pytest.raises(SpecError, match="or an extent with a model and two years"):
        run("embedding_change", {"output": str(tmp_path / "x.tif")})
    assert not (tmp_path / "x.tif").exists() and leftovers(tmp_path) == []


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return tessera_mirror(tmp_path_factory.mktemp("tessera"))


@pytest.fixture
def tessera(mirror, loopback, monkeypatch):
    return serve_tessera(mirror, loopback, monkeypatch)


CHANGE = {"spatial": {"bbox": [0.21, 52.02, 0.29, 52.08]}, "model": "tessera"}


def test_change_embeds_both_years_through_the_embed_sequence(tessera, tmp_path, monkeypatch):
    from rs_embed_qgis.embedders.jobs import embed

    tmp_path = tmp_path / "out"

    calls = []
    real = embed.embed_to_files
    monkeypatch.setattr(embed, "embed_to_files", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    out = run("embedding_change", dict(CHANGE, years=[2022, 2024], output=str(tmp_path / "c.tif"),
                                       grid_a=str(tmp_path / "a.tif")))
    assert [t.year_value for t in calls] == [2022, 2024]
    assert out["grid_a"] == str(tmp_path / "a.tif") and "grid_b" not in out
    with rasterio.open(tmp_path / "a.tif") as a, rasterio.open(tmp_path / "c.tif") as c:
        assert a.tags()["RS_EMBED_TIME"] == "2022" and c.transform == a.transform
        assert c.tags()["RS_EMBED_TIME_B"] == "2024"
        assert 1e-3 < np.nanmean(c.read(1))
    # year B's grid was scratch: gone, as are all temporaries
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tif", "c.tif"]


def test_change_with_a_year_without_data_leaves_nothing(tessera, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(DataUnavailableError, match="2021"):
        run("embedding_change", dict(CHANGE, years=[2024, 2021], output=str(tmp_path / "c.tif"),
                                     grid_a=str(tmp_path / "a.tif"), grid_b=str(tmp_path / "b.tif")))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SpecError, match="give Year A and Year B"):
        run("embedding_change", dict(CHANGE, years=[2024], output=str(tmp_path / "c.tif")))
