"""Embed ROI with an on-the-fly model over 64 tiles (8 x 8 tiles of 224 px at
10 m, a local Sentinel-2 raster), through the chunk engine: a Dask
LocalCluster of 2 workers against 1 (RS_EMBED_DASK_WORKERS), and this
process alone (0) as the baseline; the same job each time.

Model: RemoteCLIP ViT-B/32 with a random-init checkpoint in its official
format (the timing and memory do not depend on the weights' values), made
once under .build/bench-onthefly/; each process running chunks points the
model's pinned spec at it (Dask workers through ``client.run``). Chunks of
2 x 2 tiles (RS_EMBED_CHUNK_MB=6): 16 chunks, batches of 4 tiles.

Each measured run is a fresh subprocess. Wall time: the job (model loads on
the workers included), the LocalCluster's start apart. Peak RSS: VmHWM of
the client process and of each worker process.

    .build/core-env/bin/python bench/bench_onthefly_dask.py [--workers 0,1,2]

Writes bench/results/onthefly_dask.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".build" / "bench-onthefly"
CRS, X0, Y0 = "EPSG:32633", 500000.0, 5800000.0
TILES, SIZE = 8, 224
MODEL = "remoteclip_s2rgb"
CHUNK_MB = "6"


def _paths():
    sys.path[:0] = [str(REPO / ".build" / "pkg")]


def make_data():
    """The raster (8 x 8 tiles plus a margin) and the checkpoint, once."""
    import numpy as np
    import rasterio
    from affine import Affine

    DATA.mkdir(parents=True, exist_ok=True)
    raster = DATA / "s2_rgb.tif"
    if not raster.exists():
        n = TILES * SIZE + 64
        r, c = np.mgrid[0:n, 0:n]
        rng = np.random.default_rng(1)
        bands = np.stack([600 + 2400 * (0.5 + 0.5 * np.sin(c / (9 + 4 * i) + r / (13 + 3 * i) + i))
                          + rng.normal(0, 200, r.shape) for i in range(3)])
        prof = dict(driver="GTiff", width=n, height=n, count=3, dtype="uint16", crs=CRS, nodata=0,
                    transform=Affine(10, 0, X0, 0, -10, Y0), tiled=True, blockxsize=256, blockysize=256,
                    compress="deflate")
        tmp = raster.with_suffix(".tmp.tif")
        with rasterio.open(tmp, "w", **prof) as dst:
            dst.write(np.clip(bands, 1, 10000).astype(np.uint16))
            for i, d in enumerate(("B04", "B03", "B02"), start=1):
                dst.set_band_description(i, d)
        os.replace(tmp, raster)
    ckpt = DATA / "RemoteCLIP-ViT-B-32.pt"
    if not ckpt.exists():
        import open_clip
        import torch

        torch.manual_seed(0)
        tmp = ckpt.with_suffix(".tmp")
        torch.save(open_clip.create_model("ViT-B-32", pretrained=None).state_dict(), tmp)
        os.replace(tmp, ckpt)
    return raster, ckpt


def weights_spec(ckpt):
    import dataclasses
    import hashlib

    from rs_embed_qgis.embedders.models.remoteclip import RemoteCLIPS2RGB

    h = hashlib.sha256()
    with open(ckpt, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    h = h.hexdigest()
    return dataclasses.replace(RemoteCLIPS2RGB.weights, sha256=h, size=ckpt.stat().st_size)


def use_weights(spec):
    """Point RemoteCLIP at the bench checkpoint in this process (also run on each worker)."""
    from rs_embed_qgis.embedders.models.remoteclip import RemoteCLIPS2RGB

    RemoteCLIPS2RGB.weights = spec
    return os.getpid()


def vmhwm_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def roi():
    from rs_embed_qgis.embedders.geo import transform_bounds

    fp = (X0 + 320, Y0 - 320 - TILES * SIZE * 10, X0 + 320 + TILES * SIZE * 10, Y0 - 320)
    return {"bbox": list(transform_bounds(CRS, "EPSG:4326", fp)), "footprint": [CRS, *fp]}


def child(workers: int, out_dir: str):
    _paths()
    from rs_embed_qgis.embedders import Progress, jobs
    from rs_embed_qgis.embedders.dask_engine import client_for, close_all

    raster, ckpt = make_data()
    spec = weights_spec(ckpt)
    use_weights(spec)
    client, start_s, worker_pids = None, 0.0, []
    if workers:
        t0 = time.perf_counter()
        client = client_for(None, workers)
        client.wait_for_workers(workers)
        worker_pids = sorted(client.run(use_weights, spec).values())
        start_s = time.perf_counter() - t0
    job = {"version": 1, "id": "bench", "kind": "embed_roi",
           "params": {"model": MODEL, "spatial": roi(), "imagery_source": "local", "input_raster": str(raster),
                      "input_prep": "tile", "device": "auto",
                      "output": str(Path(out_dir) / "grid.tif"), "pca_output": str(Path(out_dir) / "pca.tif")}}
    t0 = time.perf_counter()
    out = jobs.run(job, Progress())
    wall = time.perf_counter() - t0
    worker_rss = sorted(round(v, 1) for v in client.run(vmhwm_mb).values()) if client else []
    threads = sorted(client.run(torch_threads).values()) if client else [torch_threads()]
    close_all()
    import numpy as np
    import rasterio

    with rasterio.open(Path(out_dir) / "grid.tif") as src:
        grid = src.read()
    np.save(Path(out_dir) / "grid.npy", grid)   # compared across runs by the parent
    return {"dask_workers": workers, "engine": out["engine"], "chunks": out["chunks"],
            "tiles": out["metadata"]["tiles"], "tiles_per_chunk": out["metadata"]["tiles_per_chunk"],
            "device": out["metadata"]["device"], "shape": out["shape"], "wall_s": round(wall, 2),
            "cluster_start_s": round(start_s, 2), "client_peak_rss_mb": round(vmhwm_mb(), 1),
            "worker_peak_rss_mb": worker_rss, "worker_pids": worker_pids,
            "load_average_1m_after": round(os.getloadavg()[0], 2),
            "torch_threads": threads,
            "grid_sha256": __import__("hashlib").sha256(np.ascontiguousarray(grid).tobytes()).hexdigest()}


def torch_threads():
    """torch's intra-op threads in this process (on each worker: its share of the cores)."""
    import torch

    return torch.get_num_threads()


def measure(workers: int, out: Path):
    import shutil
    import tempfile

    (REPO / ".build").mkdir(exist_ok=True)
    cache = Path(tempfile.mkdtemp(prefix="rs_cache_otf_", dir=REPO / ".build"))
    env = dict(os.environ, RS_EMBED_CACHE_DIR=str(cache), RS_EMBED_WEIGHTS_DIR=str(DATA),
               RS_EMBED_DASK_WORKERS=str(workers), RS_EMBED_CHUNK_MB=CHUNK_MB, HF_HUB_OFFLINE="1")
    try:
        p = subprocess.run([sys.executable, __file__, "--child", str(workers), str(out)],
                           env=env, capture_output=True, text=True)
        if p.returncode != 0:
            return {"dask_workers": workers, "error": p.stderr[-3000:]}
        return json.loads(p.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=2)
    ap.add_argument("--workers", default="0,1,2")
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "onthefly_dask.json"))
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(int(a.child[0]), a.child[1])))
        return
    _paths()
    make_data()
    import shutil
    import tempfile

    import numpy as np

    rows, grids = [], []
    tmp = Path(tempfile.mkdtemp(prefix="rs_bench_otf_", dir=REPO / ".build"))
    try:
        for w in [int(s) for s in a.workers.split(",")]:
            (tmp / str(w)).mkdir()
            rows.append(measure(w, tmp / str(w)))
            if (tmp / str(w) / "grid.npy").exists():
                g = np.load(tmp / str(w) / "grid.npy")
                if grids:   # against the first run: float summation order depends on torch's threads
                    rows[-1]["max_abs_diff_vs_first"] = float(np.nanmax(np.abs(g - grids[0])))
                grids.append(g)
            print(rows[-1], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ok = [r for r in rows if "error" not in r]
    res = {"bench": "onthefly_dask", "model": MODEL, "tiles": TILES * TILES, "tile_px": SIZE,
           "chunk_mb": float(CHUNK_MB), "cpus": os.cpu_count(),
           "load_average_at_end": list(os.getloadavg()),
           "identical_grids": len({r["grid_sha256"] for r in ok}) == 1 if ok else None, "rows": rows}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
