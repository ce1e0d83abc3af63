"""On-the-fly models through the chunk engine: RemoteCLIP (a random-init
checkpoint served by a Hugging Face-style endpoint on 127.0.0.1) on a local
Sentinel-2 raster: a 600 x 500 px ROI is 3 x 3 model tiles, 4 chunks of up to
2 x 2 tiles (the last row and column of tiles cut by the ROI).

- the chunked grid equals the whole tile path (``get_grid_and_pooled``, one
  patch) bit for bit when both run one tile per forward pass;
- cancel leaves no output, and a resume runs only the missing chunks' tiles
  (forward passes counted on the model);
- a Dask LocalCluster of two worker processes gives the same grid, each worker
  loading the model at most once;
- ``resize`` stays one forward pass of the whole patch.
"""
from __future__ import annotations

import math
import os
import types

import numpy as np
import pytest
import rasterio
from affine import Affine

from fixtures_imagery import CRS, X0, Y0, write_cog
from fixtures_models import HFEndpoint, remoteclip_ckpt, spec_for  # noqa: F401
from loopback import LoopbackServer

from rs_embed_qgis.embedders import BBox, CancelledError, Progress, jobs
from rs_embed_qgis.embedders.api import get_grid_and_pooled
from rs_embed_qgis.embedders.geo import transform_bounds
from rs_embed_qgis.embedders.jobs import common
from rs_embed_qgis.embedders.models.remoteclip import RemoteCLIPS2RGB

MODEL = "remoteclip_s2rgb"
RASTER_PX = 800                     # 8 km of 10 m pixels
ROI_PX = (100, 150, 700, 650)       # col0, row0, col1, row1 inside the raster: 600 x 500 px
W, H = 600, 500
CHUNK_MB = "6"                      # 2 x 2 RemoteCLIP tiles per chunk -> 2 x 2 chunks


@pytest.fixture(scope="module")
def served(tmp_path_factory, remoteclip_ckpt):  # noqa: F811
    """The checkpoint on a loopback Hub (class spec pointed at it) and the raster."""
    tmp = tmp_path_factory.mktemp("onthefly_chunks")
    ckpt, _ = remoteclip_ckpt
    (tmp / "hub").mkdir()
    hub = HFEndpoint(lambda root, routes: LoopbackServer(root, routes).start(), tmp / "hub")
    w = RemoteCLIPS2RGB.weights
    sha = hub.add(w.repo_id, w.filename, ckpt, w.revision)
    spec = spec_for(w, ckpt, sha)
    mp = pytest.MonkeyPatch()
    mp.setattr(RemoteCLIPS2RGB, "weights", spec)
    rng = np.random.default_rng(5)
    r, c = np.mgrid[0:RASTER_PX, 0:RASTER_PX]
    bands = np.stack([600 + 2400 * (0.5 + 0.5 * np.sin(c / (9 + 4 * i) + r / (13 + 3 * i) + i))
                      + rng.normal(0, 200, r.shape) for i in range(3)])
    raster = write_cog(tmp / "s2.tif", np.clip(bands, 1, 10000).astype(np.uint16), CRS,
                       Affine(10, 0, X0, 0, -10, Y0), nodata=0, block=256,
                       descriptions=["B04", "B03", "B02"])
    common._WARM.pop(MODEL, None)       # a fresh instance: these weights, loaded here
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)            # as on a Dask worker (OMP_NUM_THREADS=1); steady on a busy CPU
    yield types.SimpleNamespace(hub=hub, spec=spec, raster=str(raster), weights=tmp / "weights")
    common._WARM.pop(MODEL, None)
    torch.set_num_threads(threads)
    mp.undo()
    hub.server.stop()


@pytest.fixture
def env(served, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", served.hub.url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("RS_EMBED_WEIGHTS_DIR", str(served.weights))
    monkeypatch.setenv("RS_EMBED_CHUNK_MB", CHUNK_MB)
    monkeypatch.setenv("RS_EMBED_BATCH_SIZE", "1")
    monkeypatch.setenv("RS_EMBED_DASK_WORKERS", "0")   # in this process unless a test says otherwise
    return served


def roi_spatial():
    c0, r0, c1, r1 = ROI_PX
    fp = (X0 + 10 * c0, Y0 - 10 * r1, X0 + 10 * c1, Y0 - 10 * r0)
    return {"bbox": list(transform_bounds(CRS, "EPSG:4326", fp)), "footprint": [CRS, *fp]}


def spec(served, out_dir, input_prep="auto"):
    return {"version": 1, "id": "otf", "kind": "embed_roi",
            "params": {"model": MODEL, "spatial": roi_spatial(), "imagery_source": "local",
                       "input_raster": served.raster, "input_prep": input_prep, "device": "cpu",
                       "output": str(out_dir / "grid.tif"), "pca_output": str(out_dir / "pca.tif"),
                       "pooled": True}}


def read(path):
    with rasterio.open(path) as src:
        return src.read(), src.transform, src.crs.to_string()


def whole_tile_path(served):
    s = roi_spatial()
    return get_grid_and_pooled(MODEL, spatial=BBox(*s["bbox"], footprint=s["footprint"]), backend="local",
                               input_prep="tile", device="cpu", input_raster=served.raster,
                               embedder=common.warm_embedder(MODEL))


def count_tiles(monkeypatch):
    """Tiles through the model's forward pass in this process."""
    emb = common.warm_embedder(MODEL)
    seen = []
    orig = emb.forward_tokens

    def counted(model, x, ctx):
        seen.append(int(x.shape[0]))
        return orig(model, x, ctx)

    monkeypatch.setattr(emb, "forward_tokens", counted)
    return seen


def test_chunked_grid_equals_the_whole_tile_path_bit_for_bit(env, tmp_path, monkeypatch):
    """One tile per forward pass (batch size 1) in both: the same tiles, the
    same pixels, the same cells, so the same bits."""
    seen = count_tiles(monkeypatch)
    out = jobs.run(spec(env, tmp_path), Progress())
    assert out["chunks"] == 4 and out["engine"] == "in-process"
    assert out["metadata"]["input_prep"] == "tile" and out["metadata"]["tiles_per_chunk"] == 4
    grid, pooled = whole_tile_path(env)
    arr, tr, crs = read(tmp_path / "grid.tif")
    ref = grid.data.values
    assert arr.shape == ref.shape == (768, math.ceil(H / 32), math.ceil(W / 32))
    assert crs == grid.crs == CRS and tuple(tr)[:6] == tuple(grid.transform)[:6]
    # the corner cell is more than half outside the ROI (20 x 24 of 32 x 32 px inside): NaN
    corner = np.zeros(ref.shape[1:], bool)
    corner[-1, -1] = True
    assert np.array_equal(np.isnan(ref).any(axis=0), corner) and np.isnan(ref[:, -1, -1]).all()
    assert np.array_equal(arr, ref, equal_nan=True)
    # the model's own pooled vectors (CLIP projection, 512), averaged over tiles in float64
    assert len(out["pooled"]) == 512
    np.testing.assert_allclose(out["pooled"], pooled.data, rtol=1e-5, atol=1e-6)
    assert seen.count(1) == len(seen) == 2 * 9            # 9 tiles, chunked then whole
    assert out["metadata"]["tiles"] == 9 and out["metadata"]["tiles_run"] == 9
    assert out["metadata"]["patch_shape"] == [H, W] and out["metadata"]["nodata_fraction"] == 0.0
    meta = out["metadata"]   # the whole path's keys and values, where a chunk does not change them
    assert set(grid.meta) <= set(meta), set(grid.meta) - set(meta)
    for k in ("input_prep", "tiles", "patch_shape", "patch_res_m", "input_gsd_m", "bands", "device"):
        assert meta[k] == grid.meta[k], k
    assert meta["imagery"]["scenes"] == grid.meta["imagery"]["scenes"]
    with rasterio.open(tmp_path / "pca.tif") as src:
        assert src.count == 4 and (src.width, src.height) == (arr.shape[2], arr.shape[1])


def test_batches_across_chunk_bounds_stay_within_float32_tolerance(env, tmp_path, monkeypatch):
    """Batches of 4: the whole path batches tiles row by row across the patch,
    a chunk batches its own 2 x 2 tiles, so the same tile shares a batch with
    different neighbours; batched matrix products may then sum in another
    order (CPU kernels block by batch size). Values agree to float32 rounding."""
    monkeypatch.setenv("RS_EMBED_BATCH_SIZE", "4")
    seen = count_tiles(monkeypatch)
    jobs.run(spec(env, tmp_path), Progress())
    chunked = list(seen)
    grid, _ = whole_tile_path(env)
    arr, _, _ = read(tmp_path / "grid.tif")
    assert sorted(chunked) == [1, 2, 2, 4]                # one batch per chunk
    np.testing.assert_allclose(arr, grid.data.values, rtol=1e-4, atol=1e-5)


def test_cancel_leaves_no_output_and_resume_runs_only_missing_chunks(env, tmp_path, monkeypatch):
    emb = common.warm_embedder(MODEL)
    written, messages = [], []

    def note(msg):
        messages.append(msg)
        if msg.startswith("Chunk "):
            written.append(msg)

    with pytest.raises(CancelledError):
        jobs.run(spec(env, tmp_path / "out"), Progress(on_message=note, is_cancelled=lambda: len(written) >= 2))
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

    from rs_embed_qgis.embedders.jobs.embed import _request_of
    from rs_embed_qgis.embedders.jobs.common import embed_kwargs, spatial_from

    params = spec(env, tmp_path)["params"]
    plan = emb.plan_grid(_request_of(spatial_from(params["spatial"]), None, embed_kwargs(MODEL, params), None))
    missing = plan.windows()[2:]
    tiles_left = sum(math.ceil(min(w.height * 32, H - w.row * 32) / 224)
                     * math.ceil(min(w.width * 32, W - w.col * 32) / 224) for w in missing)
    assert tiles_left == 3                                    # of the 9

    seen = count_tiles(monkeypatch)
    messages.clear()
    out = jobs.run(spec(env, tmp_path / "out"), Progress(on_message=note))
    assert out["resumed_chunks"] == 2 and sum(seen) == tiles_left
    assert any(m.startswith("Resuming: 2 of 4 chunks already done, 2 to go") for m in messages)
    assert out["metadata"]["tiles_run"] == 9                 # recorded: resumed chunks' tiles too
    grid, _ = whole_tile_path(env)
    arr, _, _ = read(tmp_path / "out" / "grid.tif")
    assert np.array_equal(arr, grid.data.values, equal_nan=True)


def test_dask_local_cluster_gives_the_same_grid_one_model_load_per_worker(env, tmp_path, monkeypatch):
    from rs_embed_qgis.embedders.dask_engine import client_for, close_all

    monkeypatch.setenv("RS_EMBED_DASK_WORKERS", "2")
    client = client_for(None, 2)
    try:
        weights = env.spec

        def on_worker():   # the test's weights spec on each worker process, and a load counter
            from rs_embed_qgis.embedders.models.remoteclip import RemoteCLIPS2RGB as cls

            cls.weights = weights
            if not hasattr(cls, "_loads"):
                cls._loads, load = [], cls.load_model

                def counted(self, device):
                    cls._loads.append(device)
                    return load(self, device)

                cls.load_model = counted
            return True

        assert all(client.run(on_worker).values())
        out = jobs.run(spec(env, tmp_path / "dask"), Progress())
        def loads_and_threads():
            import torch

            from rs_embed_qgis.embedders.models.remoteclip import RemoteCLIPS2RGB as cls

            return list(getattr(cls, "_loads", [])), torch.get_num_threads()

        seen = client.run(loads_and_threads)
    finally:
        close_all()
    assert out["engine"] == "Dask LocalCluster (2 workers)" and out["chunks"] == 4
    loads = {k: v[0] for k, v in seen.items()}
    assert all(len(v) <= 1 for v in loads.values()) and sum(len(v) for v in loads.values()) >= 1, loads
    # a worker that ran chunks gives torch its share of the cores (Dask starts it with one thread)
    cores = len(os.sched_getaffinity(0))
    assert all(t == max(1, cores // 2) for lv, t in seen.values() if lv), seen
    assert out["metadata"]["device"] == "cpu"
    # the same torch thread count in this process: CPU kernels split their sums by thread
    # (measured: 1 and 2 threads differ in the last bits), so bits match only at equal counts
    import torch

    monkeypatch.setenv("RS_EMBED_DASK_WORKERS", "0")
    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, cores // 2))
    try:
        single = jobs.run(spec(env, tmp_path / "single"), Progress())
    finally:
        torch.set_num_threads(threads)
    a, _, _ = read(tmp_path / "dask" / "grid.tif")
    b, _, _ = read(tmp_path / "single" / "grid.tif")
    assert np.array_equal(a, b, equal_nan=True)
    np.testing.assert_allclose(out["pooled"], single["pooled"], rtol=1e-6)


def test_resize_stays_one_forward_pass_of_the_whole_patch(env, tmp_path, monkeypatch):
    seen = count_tiles(monkeypatch)
    out = jobs.run(spec(env, tmp_path, input_prep="resize"), Progress())
    assert out["chunks"] == 1 and out["metadata"]["input_prep"] == "resize" and seen == [1]
    assert out["shape"] == [768, 7, 7]


def test_chunks_off_the_raster_are_no_data_not_a_failed_job(env, tmp_path, monkeypatch):
    """An ROI running 552 px past the raster's east edge: the chunks there have no
    pixels (NaN, no forward pass), the others equal the whole tile path, whose
    tiles there are all no-data too (skipped). The tiles with data have no
    no-data pixel, so the per-chunk no-data fill changes nothing here."""
    c0, r0 = RASTER_PX - 448, 150
    fp = (X0 + 10 * c0, Y0 - 10 * (r0 + H), X0 + 10 * (c0 + 1000), Y0 - 10 * r0)
    spatial = {"bbox": list(transform_bounds(CRS, "EPSG:4326", fp)), "footprint": [CRS, *fp]}
    job = spec(env, tmp_path)
    job["params"]["spatial"] = spatial
    seen = count_tiles(monkeypatch)
    out = jobs.run(job, Progress())
    assert out["chunks"] == 6 and sum(seen) == 6                  # 2 x 3 chunks; 2 tile columns x 3 rows
    grid, _ = get_grid_and_pooled(MODEL, spatial=BBox(*spatial["bbox"], footprint=spatial["footprint"]),
                                  backend="local", input_prep="tile", device="cpu", input_raster=env.raster,
                                  embedder=common.warm_embedder(MODEL))
    arr, _, _ = read(tmp_path / "grid.tif")
    ref = grid.data.values
    assert np.isfinite(ref[:, :, :14]).all() and np.isnan(ref[:, :, 14:]).all()
    assert np.array_equal(arr, ref, equal_nan=True)
    assert out["metadata"]["nodata_fraction"] == pytest.approx(grid.meta["nodata_fraction"]) == 552 / 1000
    assert out["coverage"] == pytest.approx(14 * 16 / (16 * 32))
