"""Benchmark (issue 11, item 6): `cluster_embeddings` at K=250 with a 5 M
sample and `pca_rgb`, on a 4000 x 4000 x 64 float32 GeoTIFF; target peak RSS
under 1.5 GB. The peer is the previous implementation, loaded from git history
(commit OLD_COMMIT: hand-written k-means++/Lloyd, full-width float64 PCA
strips) and measured in the same run on the same raster.

Each method runs in its own child process, so its peak RSS (VmHWM) is its own.
The old code runs under an address-space limit (RLIMIT_AS, the child's size
after imports + PEER_HEADROOM_GB) so that a method needing far more memory
fails with MemoryError instead of pushing a shared machine into the OOM killer;
the failure, its time and the peak reached are recorded.

    python bench/bench_bounded.py [--size 4000] [--k 250] [--sample 5000000] [--only new|old]

The raster is written once under $RS_EMBED_BENCH_DIR (default /tmp/rs_embed_bench),
tiled 256 and deflate-compressed as Embed ROI writes grids (values quantised to
1/32: a rank-8 smooth field plus noise, NaN squares as no-data). JSON goes to
bench/results/bounded.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / ".build" / "pkg"))
from support import raster_once, vm_kb  # noqa: E402  (bench/, beside this script)
OLD_COMMIT = "22f2892713d4cd11571283e6b97f3dad0877119b"  # before the bounded PCA / MiniBatchKMeans
D, RANK, SEED, GEN_VERSION = 64, 8, 0, "bounded-1"
TARGET_MB = 1.5e9 / 2**20     # 1.5 GB
PEER_HEADROOM_GB = 8


def generate_block(r0, rows, width):
    """(D, rows, width) float32: rank-8 smooth fields x fixed loadings + noise,
    quantised to 1/32; NaN squares every 1000 px as no-data."""
    g = np.random.default_rng(SEED)
    loadings = g.normal(size=(RANK, D)).astype(np.float32)
    freqs = g.uniform(0.001, 0.02, size=(RANK, 2))
    phases = g.uniform(0, 2 * np.pi, size=RANK)
    y = np.arange(r0, r0 + rows, dtype=np.float32)[:, None]
    x = np.arange(width, dtype=np.float32)[None, :]
    fields = np.stack([np.sin(fx * x + fy * y + p) for (fx, fy), p in zip(freqs, phases)])
    out = np.einsum("rd,rhw->dhw", loadings, fields, optimize=True)
    out += 0.2 * np.random.default_rng([SEED, r0]).standard_normal((D, rows, width), dtype=np.float32)
    np.round(out * 32, out=out)
    out /= 32
    rr = np.arange(r0, r0 + rows)[:, None] % 1000 < 40
    out[:, rr & (np.arange(width)[None, :] % 1000 < 40)] = np.nan
    return out


def ensure_raster(path: Path, size: int) -> Path:
    """The size x size x D raster, written once (reused while the generator is unchanged)."""
    return raster_once(path, size, D, GEN_VERSION, generate_block)


# --- the methods (each run in a child process) ---------------------------------------

def old_module(path: str, package: str):
    """``path`` as it was at OLD_COMMIT, imported inside ``package`` (its
    relative imports resolve against today's package)."""
    code = subprocess.run(["git", "-C", str(REPO), "show", f"{OLD_COMMIT}:{path}"], check=True,
                          capture_output=True, text=True).stdout
    mod = types.ModuleType(f"{package}._old_{Path(path).stem}")
    mod.__package__ = package
    exec(compile(code, f"{OLD_COMMIT[:7]}:{path}", "exec"), mod.__dict__)
    return mod


def pca_new(src, dst, args):
    from rs_embed_qgis.embedders.pca import pca_geotiff_from_file

    pca_geotiff_from_file(src, dst)
    return {}


def pca_old(src, dst, args):
    old_module("embedders/pca.py", "rs_embed_qgis.embedders").pca_geotiff_from_file(src, dst)
    return {}


def cluster_new(src, dst, args):
    from rs_embed_qgis.embedders.analysis.kmeans import cluster_raster

    res = cluster_raster(src, dst, args.k, seed=0, sample_size=args.sample)
    return {"inertia": res["inertia"], "samples": res["samples"],
            "mean_sq_distance_sample": res["inertia"] / res["samples"],
            "clusters_used": int(np.count_nonzero(res["sizes"])), "largest": res["sizes"][0],
            "smallest": res["sizes"][-1]}


def cluster_old(src, dst, args):
    old = old_module("embedders/analysis/kmeans.py", "rs_embed_qgis.embedders.analysis")
    res = old.cluster_raster(src, dst, args.k, seed=0, sample_size=args.sample)
    return {"inertia": res["inertia"], "samples": res["samples"],
            "mean_sq_distance_sample": res["inertia"] / res["samples"]}


METHODS = {f.__name__: f for f in (pca_new, pca_old, cluster_new, cluster_old)}



def child(method, src, dst, args):
    import rasterio  # noqa: F401  (imports counted in the baseline)
    import sklearn.cluster  # noqa: F401
    import sklearn.metrics  # noqa: F401

    import rs_embed_qgis.embedders.analysis.kmeans  # noqa: F401
    import rs_embed_qgis.embedders.pca  # noqa: F401

    limit = None
    if method.endswith("_old"):
        limit = vm_kb("VmSize") * 1024 + PEER_HEADROOM_GB * 2**30
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    baseline = vm_kb("VmRSS") / 1024
    t0 = time.perf_counter()
    out = {"address_space_limit_gb": round(limit / 2**30, 2) if limit else None}
    try:
        out.update(METHODS[method](src, dst, args), ok=True)
    except MemoryError as exc:
        out.update(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    out.update(seconds=time.perf_counter() - t0, peak_rss_mb=vm_kb("VmHWM") / 1024, baseline_rss_mb=baseline)
    print(json.dumps(out))


def run(method, src: Path, out_dir: Path, args):
    dst = out_dir / f"{method}.tif"
    cmd = [sys.executable, __file__, "--child", method, str(src), str(dst),
           "--k", str(args.k), "--sample", str(args.sample)]
    env = dict(os.environ, MALLOC_ARENA_MAX="2")  # the same allocator setting for every method
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{method}: {proc.stderr[-3000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res.update(method=method)
    status = "ok" if res["ok"] else res["error"][:80]
    print(f"{method:12s} {res['seconds']:7.1f} s, peak RSS {res['peak_rss_mb']:7.0f} MB  {status}", flush=True)
    dst.unlink(missing_ok=True)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=3)
    ap.add_argument("--size", type=int, default=4000)
    ap.add_argument("--k", type=int, default=250)
    ap.add_argument("--sample", type=int, default=5_000_000)
    ap.add_argument("--only", choices=("new", "old"))
    ap.add_argument("--methods", help="comma-separated subset, run in this order (may repeat)")
    ap.add_argument("--out", default="bounded.json", help="file name under bench/results/")
    args = ap.parse_args()
    if args.child:
        return child(*args.child, args)
    import rasterio
    import sklearn

    base = Path(os.environ.get("RS_EMBED_BENCH_DIR", "/tmp/rs_embed_bench"))
    src = ensure_raster(base / f"emb{D}_{args.size}.tif", args.size)
    methods = args.methods.split(",") if args.methods else [
        m for m in ("pca_new", "pca_old", "cluster_new", "cluster_old") if not args.only or m.endswith(args.only)]
    runs = [run(m, src, base, args) for m in methods]
    results = {}
    for r in runs:  # repeated methods: best time, highest peak
        best = results.setdefault(r["method"], dict(r, repeats=0))
        best.update(seconds=min(best["seconds"], r["seconds"]), peak_rss_mb=max(best["peak_rss_mb"], r["peak_rss_mb"]),
                    repeats=best["repeats"] + 1)
    summary = {f"{m}_peak_rss_mb": round(r["peak_rss_mb"]) for m, r in results.items()}
    summary.update({f"{m}_seconds": round(r["seconds"], 1) for m, r in results.items()})
    summary.update({f"{m}_ok": r["ok"] for m, r in results.items()})
    summary["target_peak_rss_mb"] = round(TARGET_MB)
    summary["new_within_target"] = all(r["ok"] and r["peak_rss_mb"] < TARGET_MB
                                       for m, r in results.items() if m.endswith("_new"))
    out = {
        "benchmark": "bounded analysis: pca_rgb and cluster_embeddings (K, sample) on a 64-band raster, "
                     "this code against the previous implementation",
        "peer": f"embedders/pca.py and embedders/analysis/kmeans.py at {OLD_COMMIT}",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "numpy": np.__version__, "rasterio": rasterio.__version__, "gdal": rasterio.__gdal_version__,
                    "sklearn": sklearn.__version__, "load_average_at_start": os.getloadavg(),
                    "ram_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
        "raster": {"bands": D, "dtype": "float32", "width": args.size, "height": args.size,
                   "on_disk_gb": round(src.stat().st_size / 2**30, 2), "uncompressed_gb": round(
                       D * 4 * args.size ** 2 / 2**30, 2),
                   "format": "GeoTIFF tiled 256, deflate, float predictor (as write_geotiff), NaN no-data squares"},
        "params": {"k": args.k, "sample_size": args.sample, "block_mb": 128,
                   "peer_address_space_headroom_gb": PEER_HEADROOM_GB},
        "results": runs, "best": list(results.values()), "summary": summary,
    }
    dest = REPO / "bench" / "results" / args.out
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, indent=2))
    print(json.dumps(summary, indent=2))
    print(f"-> {dest}")


if __name__ == "__main__":
    main()
