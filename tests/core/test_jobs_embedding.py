"""Job kinds that embed (compare_models, embed_features) and fetch imagery,
run as the worker runs them, on Tessera and AlphaEarth sample data in their
real formats served from 127.0.0.1 and on a local raster."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import rasterio

from fixtures_analysis import aef_mirror, serve_tessera, tessera_mirror
from rs_embed_qgis.embedders import (DataUnavailableError, OutputSpec, PointBuffer, TemporalSpec, get_embedding,
                                     get_embeddings_batch, jobs)
from rs_embed_qgis.embedders.errors import SpecError
from rs_embed_qgis.embedders.progress import Progress

Y = TemporalSpec.year(2024)
LAND = [(0.13, 52.03), (0.27, 52.07)]
OCEAN = (0.65, 52.05)
ROI = {"bbox": [0.165, 52.04, 0.195, 52.06]}


def run(kind, params, progress=None):
    spec = {"version": jobs.JOB_VERSION, "id": "t2", "kind": kind, "params": params, "config": {}}
    out = jobs.run(spec, progress or Progress())
    json.dumps(out, allow_nan=False)
    return out


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return tessera_mirror(tmp_path_factory.mktemp("tessera")), aef_mirror(tmp_path_factory.mktemp("aef"))


@pytest.fixture
def served(data, loopback, monkeypatch):
    tessera, aef = data
    serve_tessera(tessera, loopback, monkeypatch)
    monkeypatch.setenv("RS_EMBED_AEF_URL", loopback(aef).url)


def test_batch_on_error_return_keeps_going(served):
    rois = [PointBuffer(*LAND[0], 300), PointBuffer(*OCEAN, 300), PointBuffer(*LAND[1], 300)]
    out = get_embeddings_batch("tessera", spatials=rois, temporal=Y, on_error="return")
    assert isinstance(out[1], DataUnavailableError) and "ocean" in str(out[1])
    for roi, emb in zip(rois[::2], out[::2]):
        ref = get_embedding("tessera", spatial=roi, temporal=Y, output=OutputSpec.pooled())
        np.testing.assert_array_equal(emb.data, ref.data)
    with pytest.raises(DataUnavailableError, match="ocean"):
        get_embeddings_batch("tessera", spatials=rois, temporal=Y)


def test_compare_models_job_writes_everything_together(served, tmp_path, monkeypatch):
    from rs_embed_qgis.embedders.jobs import embed

    calls = []
    real = embed.embed_to_files
    monkeypatch.setattr(embed, "embed_to_files", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    out_dir = tmp_path / "cmp"
    out = run("compare_models", {"models": ["tessera", "gse_annual"], "spatial": ROI, "temporal": {"year": 2024},
                                 "backend": "cog", "output_folder": str(out_dir)})
    assert calls == ["tessera", "gse_annual"]          # the one embed sequence, once per model
    assert out["models_run"] == 2 and all(r["ok"] for r in out["runs"])
    assert sorted(Path(p).name for p in out["layers"]) == [
        "gse_annual_grid.tif", "gse_annual_pca.tif", "tessera_grid.tif", "tessera_pca.tif"]
    figures = ["agreement.png", "agreement.tif", "pca_side_by_side.png", "similarity_heatmap.png"]
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        [Path(p).name for p in out["layers"]] + figures + ["report.csv", "report.html"])
    assert sorted(out["files"]) == sorted(str(p) for p in out_dir.iterdir())
    assert out["agreement"] == str(out_dir / "agreement.tif")
    with rasterio.open(out_dir / "tessera_grid.tif") as t, rasterio.open(out["agreement"]) as a:
        assert t.count == 128
        assert (a.count, a.dtypes[0], a.crs, a.transform) == (1, "float32", t.crs, t.transform)  # the common grid
        values = a.read(1)
        assert np.isnan(a.nodata) and np.nanmin(values) >= 0 and np.nanmax(values) <= 1
    html = Path(out["html"]).read_text()
    assert "native grid of tessera (the coarsest)" in html
    for name in [Path(p).name for p in out["files"]]:
        assert f"href='{name}'" in html                     # every output file linked
    assert "gse_annual averaged from 10 m to 100 m" in html and "plugin version</b>: " in html
    assert "<td>100 x 100 m</td>" in html and "<td>10 x 10 m</td>" in html          # units on resolutions
    assert "20 random samples of" in html and "How to read it" in html


def test_a_model_raising_a_runtime_error_is_skipped(served, tmp_path, monkeypatch):
    """Issue 13: a torch RuntimeError (or any non-RSEmbedError) in one model
    is reported and skipped; the other models go on."""
    from rs_embed_qgis.embedders.jobs import embed

    real = embed.warm_embedder

    class Broken:
        model_id = "gse_annual"
        def embed_grid_and_pooled(self, req):
            raise RuntimeError("CUDA error: device-side assert triggered")

    monkeypatch.setattr(embed, "warm_embedder", lambda m: Broken() if m == "gse_annual" else real(m))
    messages = []
    out_dir = tmp_path / "cmp"
    out = run("compare_models", {"models": ["gse_annual", "tessera"], "spatial": ROI, "temporal": {"year": 2024},
                                 "backend": "cog", "output_folder": str(out_dir)},
              Progress(on_message=messages.append))
    gse = next(r for r in out["runs"] if r["model"] == "gse_annual")
    assert not gse["ok"] and gse["error"] == "RuntimeError: CUDA error: device-side assert triggered"
    assert any("gse_annual skipped: RuntimeError" in m for m in messages)
    assert out["models_run"] == 1 and not (out_dir / "gse_annual_grid.tif").exists()
    rows = list(csv.DictReader((out_dir / "report.csv").read_text().splitlines()))
    assert next(r for r in rows if r["model"] == "gse_annual")["status"] == "skipped"
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")]


def test_compare_models_job_failures_leave_nothing(served, tmp_path):
    out_dir = tmp_path / "cmp"
    with pytest.raises(SpecError, match="coarser common resolution"):
        run("compare_models", {"models": ["tessera"], "spatial": ROI, "temporal": {"year": 2024},
                               "res_m": 0.1, "output_folder": str(out_dir)})
    assert list(out_dir.iterdir()) == []
    with pytest.raises(SpecError, match="not among the chosen models"):
        run("compare_models", {"models": ["tessera"], "spatial": ROI, "temporal": {"year": 2024},
                               "reference": "gse_annual", "output_folder": str(out_dir)})
    with pytest.raises(SpecError, match="Unknown model"):
        run("compare_models", {"models": ["nope"], "spatial": ROI, "temporal": {"year": 2024},
                               "output_folder": str(out_dir)})


def test_embed_features_job_returns_vectors_through_a_temporary_npy(served, tmp_path, monkeypatch):
    monkeypatch.setenv("RS_EMBED_JOB_ID", "t2")  # as the worker sets it for the job it runs
    feats = [{"point": list(LAND[0]), "buffer_m": 300}, {"point": list(OCEAN), "buffer_m": 300},
             {"error": "no geometry"}, {"bbox": [0.12, 52.02, 0.16, 52.06]}]
    out = run("embed_features", {"model": "tessera", "temporal": {"year": 2024}, "features": feats,
                                 "vectors_folder": str(tmp_path)})
    path = Path(out["vectors"])
    assert path.parent == tmp_path and path.name.startswith(".vectors.rsjob-t2-")
    arr = np.load(path)
    assert arr.shape == (4, 128) and out["dim"] == 128 and out["embedded"] == 2
    assert np.isnan(arr[1]).all() and np.isnan(arr[2]).all()
    assert "ocean" in out["errors"][1] and out["errors"][2] == "no geometry" and out["errors"][0] is None
    from rs_embed_qgis.embedders import BBox

    for i, roi in ((0, PointBuffer(*LAND[0], 300)), (3, BBox(0.12, 52.02, 0.16, 52.06))):
        ref = get_embedding("tessera", spatial=roi, temporal=Y, output=OutputSpec.pooled())
        np.testing.assert_allclose(arr[i], ref.data, rtol=1e-6)
        assert out["coverage"][i] == pytest.approx(ref.meta["coverage_fraction"])
    assert out["coverage"][1] is None


def test_embed_features_job_all_failing(served, tmp_path):
    with pytest.raises(DataUnavailableError, match="No feature could be embedded: .*ocean"):
        run("embed_features", {"model": "tessera", "temporal": {"year": 2024}, "vectors_folder": str(tmp_path),
                               "features": [{"point": list(OCEAN), "buffer_m": 300}]})
    assert [p for p in tmp_path.iterdir() if p.suffix == ".npy"] == []


def test_fetch_imagery_job_on_a_local_raster(tmp_path):
    from affine import Affine
    from fixtures_imagery import CRS, roi_for, write_cog

    bands = np.stack([1000 + np.zeros((128, 128)), 2000 + np.zeros((128, 128)), 3000 + np.zeros((128, 128)),
                      4000 + np.zeros((128, 128))]).astype(np.uint16)
    src = write_cog(tmp_path / "scene.tif", bands, CRS, Affine(10, 0, 500000, 0, -10, 5800000), nodata=0)
    out = run("fetch_imagery", {"spatial": {"bbox": list(roi_for().bounds_4326())}, "temporal": {"year": 2022},
                                "imagery_source": "local", "input_raster": str(src), "bands": "B02,B03,B04",
                                "band_map": "B04=3,B03=2,B02=1", "output": str(tmp_path / "img.tif")})
    assert out["source"] == "local" and out["bands"] == ["B02", "B03", "B04"] and out["rgb"] == [3, 2, 1]
    with rasterio.open(tmp_path / "img.tif") as ds:
        assert ds.descriptions == ("B02", "B03", "B04")
        np.testing.assert_array_equal(ds.read(3), 3000)
    with pytest.raises(SpecError, match="needs an input raster"):
        run("fetch_imagery", {"spatial": {"bbox": list(roi_for().bounds_4326())}, "temporal": {"year": 2022},
                              "imagery_source": "local", "output": str(tmp_path / "x.tif")})


def test_a_misspelt_model_option_is_refused_before_any_work(served):
    from rs_embed_qgis.embedders.jobs.common import embed_kwargs

    with pytest.raises(SpecError, match=r"tessera takes no option 'frames'.*tessera_url"):
        get_embedding("tessera", spatial=PointBuffer(*LAND[0], 300), temporal=Y, frames=3)
    with pytest.raises(SpecError, match=r"prithvi_s2_6b takes no option 'frame'; its model options: frames"):
        embed_kwargs("prithvi_s2_6b", {"model_options": "frame=2"})
    with pytest.raises(SpecError, match="name=value"):
        embed_kwargs("prithvi_s2_6b", {"model_options": "frames"})
    with pytest.raises(SpecError, match="with the imagery inputs"):
        embed_kwargs("prithvi_s2_6b", {"model_options": "band_map=B04=1"})


def test_model_options_reach_the_models_request_on_both_paths():
    """A job's model options end in request.options, for the whole and the chunked path alike."""
    from rs_embed_qgis.embedders.jobs.common import embed_kwargs
    from rs_embed_qgis.embedders.jobs.embed import _fingerprint_options, _request_of
    from rs_embed_qgis.embedders.models.prithvi import PrithviS2_6B
    from rs_embed_qgis.embedders.models.terrafm import input_kind

    kw = embed_kwargs("prithvi_s2_6b", {"model_options": "frames = 3", "imagery_source": "stac"})
    req = _request_of(PointBuffer(*LAND[0], 300), Y, kw, None)
    assert req.options == {"frames": "3"} and PrithviS2_6B().frame_count(req) == 3
    assert _fingerprint_options(kw)["frames"] == "3"   # a resumed run with other options starts afresh
    kw = embed_kwargs("terrafm_b", {"model_options": "terrafm_input=s2_l2a; terrafm_pooled=patch_mean"})
    assert input_kind(_request_of(PointBuffer(*LAND[0], 300), Y, kw, None)) == "s2_l2a"


def test_embed_roi_job_announces_its_steps_in_the_log(served, tmp_path):
    """Issue 13: the Log says what is happening: the embedding, writing the
    GeoTIFF, computing the PCA, in that order."""
    said = []
    run("embed_roi", {"model": "tessera", "spatial": ROI, "temporal": {"year": 2024},
                      "output": str(tmp_path / "g.tif"), "pca_output": str(tmp_path / "p.tif")},
        Progress(on_message=said.append))
    steps = [next((i for i, m in enumerate(said) if m.startswith(prefix)), None)
             for prefix in ("Embedding ", "Writing the embedding GeoTIFF", "Computing the PCA")]
    assert None not in steps and steps == sorted(steps), said


def test_fetch_imagery_job_takes_the_value_scale_of_a_local_raster(tmp_path):
    """Issue 13: Fetch imagery accepts a local raster, so it takes its value
    scale too: an 8-bit image becomes reflectance x 10^4, and an 8-bit image
    left at the default scale is said to look 8-bit."""
    from affine import Affine
    from fixtures_imagery import CRS, roi_for, write_cog

    from rs_embed_qgis.embedders import catalog

    rgb = np.stack([np.full((128, 128), v) for v in (60, 120, 200)]).astype(np.uint8)
    src = write_cog(tmp_path / "aerial.tif", rgb, CRS, Affine(10, 0, 500000, 0, -10, 5800000))
    params = {"spatial": {"bbox": list(roi_for().bounds_4326())}, "temporal": {"year": 2022},
              "imagery_source": "local", "input_raster": str(src), "bands": "B04,B03,B02",
              "band_map": "B04=1,B03=2,B02=3"}
    said = []
    run("fetch_imagery", dict(params, output=str(tmp_path / "raw.tif")), Progress(on_message=said.append))
    assert any("look like 8-bit" in m for m in said)
    said.clear()
    run("fetch_imagery", dict(params, value_scale="uint8", output=str(tmp_path / "scaled.tif")),
        Progress(on_message=said.append))
    assert not any("look like" in m for m in said)
    with rasterio.open(tmp_path / "scaled.tif") as ds:
        np.testing.assert_allclose(ds.read(1), 60 * catalog.VALUE_SCALES["uint8"], rtol=1e-5)
    with pytest.raises(SpecError, match="value_scale must be one of"):
        run("fetch_imagery", dict(params, value_scale="percent", output=str(tmp_path / "x.tif")))
