"""What the worker process costs (issue "runs on any analyst's QGIS").

Measured in one run, each figure the median of ``--repeat`` runs:
* Embed ROI on the demo sample (Tessera, 0.2° x 0.1°, grid + PCA):
  - in-process: ``jobs.run`` in a process that already imported the core
    (release 0.1.0 ran the core inside QGIS's process like this);
  - cold worker: ``jobclient.run_job`` starting a fresh worker (start-up,
    imports, the job, the result back);
  - warm worker: the next job on the worker the previous one left.
* An on-the-fly model (SatMAE ViT-L/16, random-init weights in the official
  layout served by a Hugging Face-style endpoint on 127.0.0.1, a 224 x 224
  local Sentinel-2 RGB raster): first run on a cold worker (imports torch,
  loads the weights) against the second run on the same warm worker.

    .build/core-env/bin/python bench/bench_worker.py [--repeat 3]

Writes bench/results/worker.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / ".build" / "pkg"), str(REPO / "scripts"), str(REPO / "tests" / "support")]

from rs_embed_qgis.embedders import jobclient, jobs  # noqa: E402
from rs_embed_qgis.embedders.progress import Progress  # noqa: E402


def tessera_spec(out):
    import tessera_sample as ts

    return jobclient.new_job("embed_roi", {
        "model": "tessera", "spatial": {"bbox": list(ts.DEMO_EXTENT)}, "temporal": {"year": 2024},
        "output": str(out / f"g{time.monotonic_ns()}.tif"), "pca_output": str(out / f"p{time.monotonic_ns()}.tif")})


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench_tessera(tmp: Path, repeat: int) -> dict:
    import tessera_sample as ts

    os.environ.update(ts.demo_env(ts.setup_demo_data(REPO / ".build" / "demo-sample")))
    py = sys.executable
    jobs.run(tessera_spec(tmp), Progress())                     # warm this process
    inproc = [timed(lambda: jobs.run(tessera_spec(tmp), Progress())) for _ in range(repeat)]
    cold, warm = [], []
    for _ in range(repeat):
        jobclient.shutdown()
        cold.append(timed(lambda: jobclient.run_job(py, tessera_spec(tmp))))
        warm.append(timed(lambda: jobclient.run_job(py, tessera_spec(tmp))))
    jobclient.shutdown()
    med = statistics.median
    return {"in_process_s": round(med(inproc), 3), "cold_worker_s": round(med(cold), 3),
            "warm_worker_s": round(med(warm), 3),
            "cold_overhead_s": round(med(cold) - med(inproc), 3),
            "warm_overhead_s": round(med(warm) - med(inproc), 3)}


def bench_onthefly(tmp: Path, repeat: int) -> dict:
    import numpy as np
    import rasterio
    from affine import Affine
    from fixtures_models import HFEndpoint, satmae_checkpoint
    from loopback import LoopbackServer

    from rs_embed_qgis.embedders.models.satmae import SatMAES2RGB

    w = SatMAES2RGB.weights
    (tmp / "ckpt").mkdir(parents=True, exist_ok=True)
    ckpt = satmae_checkpoint(tmp / "ckpt" / w.filename)
    hub = HFEndpoint(lambda root, routes: LoopbackServer(root, routes).start(), tmp / "hub")
    hub.add(w.repo_id, w.filename, ckpt, w.revision)
    raster = tmp / "s2_rgb.tif"
    rng = np.random.default_rng(0)
    data = (rng.random((3, 224, 224)) * 3000 + 300).astype("uint16")
    with rasterio.open(raster, "w", driver="GTiff", width=224, height=224, count=3, dtype="uint16",
                       crs="EPSG:32631", transform=Affine(10, 0, 600000, 0, -10, 5800000)) as dst:
        dst.write(data)
        for i, b in enumerate(("B04", "B03", "B02")):
            dst.set_band_description(i + 1, b)
    os.environ.update(HF_ENDPOINT=hub.url, RS_EMBED_CACHE_DIR=str(tmp / "cache"))
    from pyproj import Transformer

    lon0, lat0 = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True).transform(600100, 5797860)
    lon1, lat1 = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True).transform(602140, 5799900)

    def spec():
        return jobclient.new_job("embed_roi", {
            "model": "satmae_s2rgb", "spatial": {"bbox": [lon0, lat0, lon1, lat1]},
            "temporal": {"start": "2024-05-01", "end": "2024-06-01"}, "imagery_source": "local",
            "input_raster": str(raster), "device": "cpu",
            "output": str(tmp / f"s{time.monotonic_ns()}.tif")})

    jobclient.run_job(sys.executable, spec())     # downloads the weights once into the cache
    cold, warm = [], []
    for _ in range(repeat):
        jobclient.shutdown()
        cold.append(timed(lambda: jobclient.run_job(sys.executable, spec())))
        warm.append(timed(lambda: jobclient.run_job(sys.executable, spec())))
    jobclient.shutdown()
    med = statistics.median
    return {"model": "satmae_s2rgb", "cold_worker_s": round(med(cold), 3), "warm_worker_s": round(med(warm), 3),
            "warm_speedup": round(med(cold) / med(warm), 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-onthefly", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=REPO / ".build") as d:
        tmp = Path(d)
        res = {"bench": "worker", "repeat": a.repeat, "cpus": os.cpu_count(),
               "embed_roi_tessera_demo": bench_tessera(tmp, a.repeat)}
        print(json.dumps(res, indent=2), flush=True)
        if not a.skip_onthefly:
            res["onthefly_warm_vs_cold"] = bench_onthefly(tmp, a.repeat)
    (REPO / "bench" / "results").mkdir(exist_ok=True)
    (REPO / "bench" / "results" / "worker.json").write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
