"""Tessera benchmark: a 0.2° x 0.2° ROI (several tiles) from a warm cache to a GeoTIFF.

Ours (``get_embedding("tessera", ...)`` + ``write_geotiff``) against geotessera's
own ``fetch_mosaic_for_region`` for the same ROI and year (in the ROI's UTM zone,
written with the same GeoTIFF writer), in the same run. Each measured run is a
fresh subprocess, so its peak memory is its own: tracemalloc peak (numpy and
Python allocations) and the rise of the peak RSS over the process's RSS before
the run. Tiles are sample tiles in the real v1.1 format (``scripts/tessera_sample.py``)
served from 127.0.0.1; ``--pixel-m`` sets their pixel size (default 20 m, so 16
tiles take ~400 MB; real tiles are 10 m, 4x the pixels).

    .venv/bin/python bench/bench_tessera.py [--pixel-m 20] [--repeat 2]

Prints a table and writes bench/results/tessera.json.
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
ROI = (0.10, 52.00, 0.30, 52.20)  # minlon, minlat, maxlon, maxlat
YEAR = 2024
TILES = [(lon, lat) for lon in (0.05, 0.15, 0.25, 0.35) for lat in (51.95, 52.05, 52.15, 52.25)]
GDAL_CACHEMAX_MB = "256"  # the same block cache for both runs


def _paths():
    sys.path[:0] = [str(REPO / ".build" / "pkg"), str(REPO / "scripts"), str(REPO / "tests")]


def _rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def child(method: str, out: str) -> dict:
    """One measured run in this (fresh) process."""
    import resource
    import tracemalloc

    _paths()
    import numpy as np
    import geotessera  # noqa: F401  (imports outside the measurement, for both methods)
    from rs_embed_qgis.embedders import BBox, Embedding, OutputSpec, TemporalSpec, get_embedding, write_geotiff
    from rs_embed_qgis.embedders.embedding import make_grid

    base_rss = _rss_mb()
    tracemalloc.start()
    t0 = time.perf_counter()
    if method == "ours":
        emb = get_embedding("tessera", spatial=BBox(*ROI), temporal=TemporalSpec.year(YEAR),
                            output=OutputSpec.grid())
    else:
        import geotessera.registry as reg
        from geotessera import GeoTessera

        from rs_embed_qgis.embedders.products.tessera import tessera_epsg

        base = os.environ["RS_EMBED_TESSERA_URL"]
        reg.TESSERA_NPY_MIRROR_URL, reg.TESSERA_LANDMASKS_MIRROR_URL = f"{base}/npy", f"{base}/landmasks"
        cache = Path(os.environ["RS_EMBED_CACHE_DIR"]) / "tessera"
        gt = GeoTessera(dataset_version="v1.1", dataset_variant="cambridge",
                        cache_dir=cache / "registry", embeddings_dir=cache / "tiles")
        crs = f"EPSG:{tessera_epsg((ROI[0] + ROI[2]) / 2, (ROI[1] + ROI[3]) / 2)}"
        mosaic, transform, crs = gt.fetch_mosaic_for_region(ROI, year=YEAR, target_crs=crs)
        emb = Embedding(make_grid(mosaic.transpose(2, 0, 1), crs, transform), {"model": "geotessera"})
    t_mosaic = time.perf_counter() - t0
    rss_mosaic = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0 - base_rss
    write_geotiff(emb, out)
    t_total = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    arr = emb.to_numpy()
    return {
        "method": method, "seconds_total": t_total, "seconds_mosaic": t_mosaic,
        "shape": list(arr.shape), "output_mb": arr.nbytes / 2**20,
        "tracemalloc_peak_mb": peak / 2**20,
        "rss_peak_rise_mosaic_mb": rss_mosaic,
        "rss_peak_rise_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0 - base_rss,
        "valid_fraction": float(np.isfinite(arr).all(axis=0).mean()),
    }


def warm_geotessera(url, cache):
    """Download every tile geotessera's own mosaic reads (it takes whole tile rows/columns)."""
    import geotessera.registry as reg
    from geotessera import GeoTessera

    reg.TESSERA_NPY_MIRROR_URL, reg.TESSERA_LANDMASKS_MIRROR_URL = f"{url}/npy", f"{url}/landmasks"
    gt = GeoTessera(dataset_version="v1.1", dataset_variant="cambridge",
                    cache_dir=cache / "registry", embeddings_dir=cache / "tiles")
    for year, lon, lat in gt.registry.load_blocks_for_region(ROI, YEAR):
        if not gt.download_tile(lon, lat, year):
            raise SystemExit(f"could not download grid_{lon:.2f}_{lat:.2f}")


def run_child(method, out, env):
    cmd = [sys.executable, __file__, "--child", method, "--out", str(out)]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if res.returncode:
        raise SystemExit(f"{method} failed:\n{res.stdout}\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pixel-m", type=float, default=20.0)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--child", choices=["ours", "geotessera"])
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, a.out)))
        return
    _paths()
    import tessera_sample as ts
    from loopback import LoopbackServer, free_env_proxies

    free_env_proxies()
    work = REPO / ".build" / "bench_tessera" / f"{a.pixel_m:g}m"
    stamp = work / "mirror.json"
    if not stamp.exists():
        print(f"writing {len(TILES)} sample tiles at {a.pixel_m:g} m under {work} ...", flush=True)
        ts.write_mirror(work / "mirror", TILES, (YEAR,), pixel_m=a.pixel_m, seed=1)
        stamp.write_text(json.dumps({"tiles": TILES, "pixel_m": a.pixel_m}))
    env = dict(os.environ, RS_EMBED_CACHE_DIR=str(work / "cache"), GDAL_CACHEMAX=GDAL_CACHEMAX_MB,
               QT_QPA_PLATFORM="offscreen")
    with LoopbackServer(work / "mirror", {"/": ts.s3_route(work / "mirror")}) as srv:
        env.update(ts.mirror_env(srv.url))
        outdir = work / "out"
        print("warming the cache ...", flush=True)
        run_child("ours", outdir / "ours_warm.tif", env)
        warm_geotessera(srv.url, work / "cache" / "tessera")
        runs = {m: [run_child(m, outdir / f"{m}.tif", env) for _ in range(a.repeat)]
                for m in ("ours", "geotessera")}
    best = {m: min(r, key=lambda x: x["seconds_total"]) for m, r in runs.items()}
    o, g = best["ours"], best["geotessera"]
    result = {
        "roi": ROI, "year": YEAR, "pixel_m": a.pixel_m, "tiles_in_mirror": len(TILES),
        "gdal_cachemax_mb": int(GDAL_CACHEMAX_MB), "repeat": a.repeat, "machine_cpus": os.cpu_count(),
        "ours": o, "geotessera": g, "all_runs": runs,
        "speedup_total": g["seconds_total"] / o["seconds_total"],
        "speedup_mosaic": g["seconds_mosaic"] / o["seconds_mosaic"],
        "ours_peak_over_output": {"tracemalloc": o["tracemalloc_peak_mb"] / o["output_mb"],
                                  "rss_mosaic": o["rss_peak_rise_mosaic_mb"] / o["output_mb"],
                                  "rss_with_write": o["rss_peak_rise_mb"] / o["output_mb"]},
        "targets": {"ours_no_slower": o["seconds_total"] <= g["seconds_total"],
                    "peak_under_2x_output": max(o["tracemalloc_peak_mb"], o["rss_peak_rise_mosaic_mb"]) < 2 * o["output_mb"]},
    }
    print(f"\nTessera {ROI} {YEAR}, {a.pixel_m:g} m tiles, warm cache, best of {a.repeat}")
    print(f"{'method':<12}{'grid (D,H,W)':>18}{'mosaic s':>10}{'total s':>10}{'output MB':>11}"
          f"{'tracemalloc MB':>16}{'RSS rise MB (mosaic/+write)':>29}{'valid':>8}")
    for m, r in best.items():
        print(f"{m:<12}{str(tuple(r['shape'])):>18}{r['seconds_mosaic']:>10.2f}{r['seconds_total']:>10.2f}"
              f"{r['output_mb']:>11.0f}{r['tracemalloc_peak_mb']:>16.0f}"
              f"{r['rss_peak_rise_mosaic_mb']:>22.0f} /{r['rss_peak_rise_mb']:>5.0f}"
              f"{r['valid_fraction']:>8.3f}")
    print(f"speed-up vs geotessera: total x{result['speedup_total']:.2f}, mosaic x{result['speedup_mosaic']:.2f}; "
          f"our peak / output: tracemalloc {result['ours_peak_over_output']['tracemalloc']:.2f}, "
          f"RSS mosaic {result['ours_peak_over_output']['rss_mosaic']:.2f}, "
          f"with the GeoTIFF write {result['ours_peak_over_output']['rss_with_write']:.2f} "
          f"(GDAL_CACHEMAX={GDAL_CACHEMAX_MB} MB)")
    dest = REPO / "bench" / "results" / "tessera.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(result, indent=2))
    print(f"wrote {dest}")


if __name__ == "__main__":
    main()
