"""Embed ROI at growing extents: Tessera at 10 m (generated tiles in the real
v1.1 format, read locally), 1x, 4x and 16x the area of 0.1° x 0.1°, PCA on.

Ours: the chunk engine (``jobs.embed_roi``: windows into a tiled BigTIFF,
running pooled sum, PCA fitted on a bounded sample and applied block-wise).
Peer, in the same run: release 0.1.0's sequence (the whole grid in memory,
``write_geotiff`` + ``write_pca_geotiff``), at the sizes this machine can hold.
Also: Dask LocalCluster with 2 workers against 1 on the 16x job.
Each measured run is a fresh subprocess; peak memory is its VmHWM.

    .build/core-env/bin/python bench/bench_scale.py [--sizes 1,4,16] [--peer-sizes 1,4]

Writes bench/results/scale.json.
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
DATA = REPO / ".build" / "bench-tessera-10m"
BASE = (0.10, 52.00)                     # south-west corner of every ROI
SIDE = {1: 0.1, 4: 0.2, 16: 0.4}         # degrees a side


def _paths():
    sys.path[:0] = [str(REPO / ".build" / "pkg"), str(REPO / "scripts")]


def roi(size):
    s = SIDE[size]
    return [BASE[0], BASE[1], BASE[0] + s, BASE[1] + s]


def make_data():
    _paths()
    import tessera_sample as ts

    stamp = DATA / "sample.json"
    tiles = [(round(0.05 + 0.1 * i, 2), round(51.95 + 0.1 * j, 2)) for i in range(6) for j in range(6)]
    if stamp.exists():
        return
    ts.tile_content = fast_content      # the values do not matter here, only sizes and layout
    mirror = ts.write_mirror(DATA / "mirror", tiles, (2024,), pixel_m=10.0, seed=1)
    ts.install_local(mirror, DATA)
    import shutil

    shutil.rmtree(mirror.root)
    stamp.write_text(json.dumps({"tiles": len(tiles)}))


def fast_content(lon_c, lat_c, x_c, y_c, year, seed=0):
    """Float32 (H, W, 128) tile values, quickly: a few classes plus noise."""
    import numpy as np

    rng = np.random.default_rng(int(abs(x_c[0, 0]) + abs(y_c[0, 0])) + seed)
    protos = rng.normal(0.0, 0.35, size=(6, 128)).astype(np.float32)
    cls = ((np.floor(x_c / 700.0) + np.floor(y_c / 900.0)) % 6).astype(np.int64)
    v = protos[cls]
    v += rng.standard_normal(v.shape, dtype=np.float32) * np.float32(0.05)
    return v


def vmhwm_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def child(method, size, out_dir):
    _paths()
    from rs_embed_qgis.embedders import BBox, TemporalSpec, jobs
    from rs_embed_qgis.embedders.progress import Progress

    out_dir = Path(out_dir)
    t0 = time.perf_counter()
    if method == "chunked":
        spec = {"version": 1, "id": "bench", "kind": "embed_roi",
                "params": {"model": "tessera", "spatial": {"bbox": roi(size)}, "temporal": {"year": 2024},
                           "output": str(out_dir / "grid.tif"), "pca_output": str(out_dir / "pca.tif")}}
        out = jobs.run(spec, Progress())
        info = {"chunks": out["chunks"], "engine": out["engine"], "shape": out["shape"]}
    else:  # release 0.1.0: whole grid in memory
        from rs_embed_qgis.embedders.api import get_grid_and_pooled
        from rs_embed_qgis.embedders.pca import write_pca_geotiff
        from rs_embed_qgis.embedders.writers import write_geotiff

        grid, _ = get_grid_and_pooled("tessera", spatial=BBox(*roi(size)), temporal=TemporalSpec.year(2024))
        write_geotiff(grid, out_dir / "grid.tif")
        write_pca_geotiff(grid, out_dir / "pca.tif")
        info = {"shape": list(grid.data.shape)}
    wall = time.perf_counter() - t0
    try:
        from rs_embed_qgis.embedders.dask_engine import close_all

        close_all()
    except ImportError:
        pass
    return {"method": method, "size": size, "wall_s": round(wall, 2), "peak_rss_mb": round(vmhwm_mb(), 1), **info}


def measure(method, size, workers="0"):
    import shutil
    import tempfile

    out = Path(tempfile.mkdtemp(prefix="rs_bench_", dir=REPO / ".build"))
    cache = Path(tempfile.mkdtemp(prefix="rs_cache_", dir=REPO / ".build"))
    env = dict(os.environ, RS_EMBED_TESSERA_REGISTRY_DIR=str(DATA / "registry"),
               RS_EMBED_TESSERA_TILES_DIR=str(DATA / "tiles"), RS_EMBED_CACHE_DIR=str(cache),
               RS_EMBED_DASK_WORKERS=workers)
    try:
        p = subprocess.run([sys.executable, __file__, "--child", method, str(size), str(out)],
                           env=env, capture_output=True, text=True)
        if p.returncode != 0:
            return {"method": method, "size": size, "error": p.stderr[-2000:]}
        return json.loads(p.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=3)
    ap.add_argument("--sizes", default="1,4,16")
    ap.add_argument("--peer-sizes", default="1,4")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child[0], int(a.child[1]), a.child[2])))
        return
    make_data()
    rows = []
    for size in [int(s) for s in a.sizes.split(",")]:
        rows.append(measure("chunked", size))
        print(rows[-1], flush=True)
    for size in [int(s) for s in a.peer_sizes.split(",") if s]:
        rows.append(measure("whole_grid_0.1.0", size))
        print(rows[-1], flush=True)
    big = max(int(s) for s in a.sizes.split(","))
    dask_rows = []
    for workers in ("1", "2"):
        r = measure("chunked", big, workers)
        r["dask_workers"] = int(workers)
        dask_rows.append(r)
        print(r, flush=True)
    res = {"bench": "scale", "cpus": os.cpu_count(), "rows": rows, "dask": dask_rows}
    (REPO / "bench" / "results").mkdir(exist_ok=True)
    (REPO / "bench" / "results" / "scale.json").write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
