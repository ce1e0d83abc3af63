"""Benchmark: a random forest (100 trees) applied to a 5000 x 5000 x 128
float32 embedding raster by the plugin's block-wise predictor (the
apply_model job: skops model file, block reads, class + confidence rasters)
against a plain whole-array ``predict``, each in its own subprocess so that
its peak RSS (VmHWM) is its own.

The whole-array peer holds the raster in RAM (12.8 GB at 5000 x 5000, plus the
C-contiguous copy scikit-learn makes): it runs at full size only when the
machine has room for it (MemAvailable > 2.5 x the raster), else on a smaller
raster made by the same generator, where the block-wise predictor runs too
(a same-size time ratio and identical maps).

    python bench/bench_predict.py [--size 5000] [--small 2000]

Rasters: rank-6 smooth fields x fixed loadings + noise, NaN squares as
no-data; tiled, band-interleaved and uncompressed (written in minutes),
under $RS_EMBED_BENCH_DIR/predict (default /tmp/rs_embed_bench). Labels for
training: 4 classes from the signs of two of the loadings on 4000 pixels
read from random windows. JSON goes to bench/results/predict.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / ".build" / "pkg"))
from support import raster_once, vm_kb  # noqa: E402  (bench/, beside this script)
N_TRAIN, TREES = 4000, 100
D, RANK, SEED, GEN = 128, 6, 0, "predict-1"


def generator():
    g = np.random.default_rng(SEED)
    loadings = g.normal(size=(RANK, D)).astype(np.float32)
    freqs = g.uniform(0.001, 0.02, size=(RANK, 2))
    phases = g.uniform(0, 2 * np.pi, size=RANK)
    return loadings, freqs, phases


def generate_block(gen, r0, rows, width):
    """(D, rows, width) float32; NaN squares every 1000 px."""
    loadings, freqs, phases = gen
    y = np.arange(r0, r0 + rows, dtype=np.float32)[:, None]
    x = np.arange(width, dtype=np.float32)[None, :]
    fields = np.stack([np.sin(fx * x + fy * y + p) for (fx, fy), p in zip(freqs, phases)]).reshape(RANK, -1)
    out = np.random.default_rng([SEED, r0]).standard_normal((D, rows * width), dtype=np.float32)
    out *= 0.3
    out += loadings.T @ fields
    out = out.reshape(D, rows, width)
    rr = np.arange(r0, r0 + rows)[:, None] % 1000 < 40
    out[:, rr & (np.arange(width)[None, :] % 1000 < 40)] = np.nan
    return out


def ensure_raster(path: Path, size: int) -> Path:
    """The size x size x D raster, written once (reused while the generator is unchanged)."""
    gen = generator()
    return raster_once(path, size, D, GEN, lambda r0, rows, width: generate_block(gen, r0, rows, width),
                       compressed=False, band_names=True)



def mem_available_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def train(src_path, model_path):
    """Fit the forest on pixels of random windows and save it as the plugin does."""
    import rasterio
    from rasterio.windows import Window
    from sklearn.ensemble import RandomForestClassifier

    from rs_embed_qgis.embedders.learn.modelfile import save_model
    from rs_embed_qgis.embedders.learn.stack import raster_signature

    loadings = generator()[0][:2]
    rng = np.random.default_rng(1)
    parts = []
    with rasterio.open(src_path) as src:
        for _ in range(40):
            r, c = rng.integers(0, src.height - 32), rng.integers(0, src.width - 32)
            parts.append(src.read(window=Window(int(c), int(r), 32, 32)).reshape(D, -1).T)
        sig = raster_signature(src)
    x = np.concatenate(parts)
    x = x[np.isfinite(x).all(axis=1)]
    x = x[rng.choice(len(x), N_TRAIN, replace=False)]
    y = ((x @ loadings.T) > 0) @ np.array([1, 2])
    t0 = time.perf_counter()
    est = RandomForestClassifier(TREES, n_jobs=-1, random_state=0).fit(x, y)
    fit_s = time.perf_counter() - t0
    names = [str(v) for v in range(4)]
    save_model(model_path, est, {"task": "classification", "estimator": "random_forest", "model_id": "bench",
                                 "inputs": [sig], "class_names": names})
    return {"fit_seconds": fit_s, "train_pixels": int(len(y)),
            "mean_tree_depth": float(np.mean([t.tree_.max_depth for t in est.estimators_]))}


# --- the predictors (each in a child process) --------------------------------

def blockwise(model, src, dst):
    from rs_embed_qgis.embedders import jobs
    from rs_embed_qgis.embedders.progress import Progress

    spec = {"version": jobs.JOB_VERSION, "id": "bench", "kind": "apply_model", "config": {},
            "params": {"model": model, "inputs": [src], "output": dst}}   # the class raster, as the peer writes
    return jobs.run(spec, Progress())["class_pixels"]


def whole(model, src, dst):
    """Plain: read everything, predict everything at once, write."""
    import rasterio

    from rs_embed_qgis.embedders.learn.modelfile import load_model

    est, _ = load_model(model)
    with rasterio.open(src) as ds:
        arr = ds.read()
        prof = ds.profile
    x = arr.reshape(arr.shape[0], -1).T
    valid = np.isfinite(x).all(axis=1)
    labels = np.zeros(x.shape[0], dtype=np.uint8)
    labels[valid] = est.predict(x[valid]) + 1
    prof.update(count=1, dtype="uint8", nodata=0, interleave="pixel", predictor=1)
    with rasterio.open(dst, "w", **prof) as out:
        out.write(labels.reshape(arr.shape[1:]), 1)
    return np.bincount(labels, minlength=5)[1:].tolist()


METHODS = {"blockwise": blockwise, "whole": whole}


def child(method, model, src, dst):
    import rasterio  # noqa: F401
    import sklearn.ensemble  # noqa: F401

    baseline = vm_kb("VmRSS") / 1024
    t0 = time.perf_counter()
    counts = METHODS[method](model, src, dst)
    print(json.dumps({"seconds": time.perf_counter() - t0, "peak_rss_mb": vm_kb("VmHWM") / 1024,
                      "baseline_rss_mb": baseline, "class_pixels": counts}))


def run(method, model, src, out_dir, size):
    dst = str(out_dir / f"pred_{method}_{size}.tif")
    proc = subprocess.run([sys.executable, __file__, "--child", method, str(model), str(src), dst],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{method} on {size}: {proc.stderr[-2000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res.update(method=method, size=size, mpx_per_s=size * size / 1e6 / res["seconds"])
    print(f"{method:10s} {size}x{size}: {res['seconds']:7.1f} s, peak RSS {res['peak_rss_mb']:8.0f} MB", flush=True)
    return res, dst


def same_map(a, b) -> bool:
    import rasterio

    with rasterio.open(a) as x, rasterio.open(b) as y:
        return all(np.array_equal(x.read(1, window=w), y.read(1, window=w)) for _, w in x.block_windows(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=4)
    ap.add_argument("--size", type=int, default=5000)
    ap.add_argument("--small", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=2, help="same-size pairs, in alternating order")
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    base = Path(os.environ.get("RS_EMBED_BENCH_DIR", "/tmp/rs_embed_bench"))
    out_dir = base / "predict"
    out_dir.mkdir(parents=True, exist_ok=True)
    big = ensure_raster(out_dir / f"emb_{args.size}.tif", args.size)
    small = ensure_raster(out_dir / f"emb_{args.small}.tif", args.small)
    model = out_dir / "rf100.skops"
    info = train(big, model)
    print(f"trained: {info}", flush=True)
    raster_gb = args.size ** 2 * 128 * 4 / 2**30
    avail = mem_available_gb()
    whole_size = args.size if avail > 2.5 * raster_gb else args.small
    results = []
    pair = {}
    whole_src = big if whole_size == args.size else small
    plan = []
    for rep in range(args.repeat):   # alternate the order: page cache and the neighbours' load vary
        plan += [("blockwise", whole_src), ("whole", whole_src)][::1 if rep % 2 == 0 else -1]
    if whole_size != args.size:
        plan.append(("blockwise", big))
    for method, src in plan:
        size = args.size if src == big else args.small
        res, dst = run(method, model, src, out_dir, size)
        results.append(res)
        if size == whole_size:
            pair[method] = dst
    identical = same_map(pair["blockwise"], pair["whole"]) if len(pair) == 2 else None
    for p in out_dir.glob("pred_*"):
        p.unlink()
    summary = {
        "benchmark": "random forest (100 trees) on a D=128 float32 embedding raster: block-wise apply_model vs whole-array predict",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "mem_available_gb_at_start": round(avail, 1),
                    "load_average_at_end": os.getloadavg()},
        "training": info, "sizes": {"full": args.size, "small": args.small},
        "whole_array_size": whole_size,
        "whole_array_note": ("at full size" if whole_size == args.size else
                             f"whole-array predict run at {args.small}x{args.small} only: the full raster needs "
                             f"{raster_gb:.1f} GB in RAM plus scikit-learn's copy, with {avail:.1f} GB available"),
        "same_map_blockwise_vs_whole": identical, "results": results,
        "median_seconds": {f"{m} {z}": float(np.median([r["seconds"] for r in results if r["method"] == m and r["size"] == z]))
                           for m, z in {(r["method"], r["size"]) for r in results}},
    }
    out = REPO / "bench" / "results" / "predict.json"
    out.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
