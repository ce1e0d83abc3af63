"""Benchmark: the Compare models agreement map (`agreement_map`) on a
1000 x 1000 px common grid with two models of 64 and 128 bands, this code
against the previous implementation (kept below as the peer, `old_*`: per
offset distance stacks and scipy's rankdata along axis 0), in the same run on
the same rasters, each in its own child process so that its time and peak RSS
(VmHWM) are its own. The outputs are compared bit for bit.

Model "a": 64 bands at 10 m on the grid. Model "b": 128 bands at 50 m, warped
onto the 10 m grid ("average" resampling of a coarser raster repeats each value
over 5 x 5 pixels), so neighbours 3 px apart often share a value and their
distances tie (the share of pixels with ties is recorded). Both show one landscape of rectangular fields (class vectors of their
own) plus smooth gradients and noise, quantised to 1/32 (more ties); "b" sees
other fields in the east third; NaN squares as no-data in both.

    python bench/bench_agreement.py [--size 1000] [--methods new,new_1thread,old] [--out agreement.json]

Rasters are written once under $RS_EMBED_BENCH_DIR (default /tmp/rs_embed_bench)
as Embed ROI writes grids; JSON goes to bench/results/agreement.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / ".build" / "pkg"))
from support import vm_kb  # noqa: E402  (bench/, beside this script)
DIMS = {"a": 64, "b": 128}
COARSE = {"a": 1, "b": 5}           # pixel size in grid pixels
SEED, GEN_VERSION = 0, "agreement-2"
PIXEL_M, X0, Y0, CRS = 10.0, 500_000.0, 5_800_000.0, "EPSG:32631"


# --- the rasters --------------------------------------------------------------------

def model_array(name: str, size: int) -> np.ndarray:
    """(D, size / coarse, size / coarse) float32 for model ``name``."""
    d, f = DIMS[name], COARSE[name]
    n = size // f
    g = np.random.default_rng([SEED, d])
    yy, xx = (np.mgrid[0:n, 0:n] + 0.5) * f               # grid pixel coordinates of the centres
    fields = np.random.default_rng(SEED).integers(0, 8, size=(size // 37 + 2, size // 53 + 2))
    land = fields[(yy // 37).astype(int), (xx // 53).astype(int)]
    if name == "b":   # other fields in the east third
        other = np.random.default_rng(SEED + 1).integers(0, 8, size=(size // 29 + 2, size // 41 + 2))
        east = xx >= 2 * size / 3
        land[east] = other[(yy[east] // 29).astype(int), (xx[east] // 41).astype(int)]
    out = (2.0 * g.normal(size=(8, d)).astype(np.float32))[land].transpose(2, 0, 1)
    smooth = np.stack([np.sin(xx / size * 3), np.cos(yy / size * 4), np.sin((xx + yy) / size * 5)])
    out += np.einsum("kd,khw->dhw", g.normal(size=(3, d)), smooth).astype(np.float32)
    out += 0.4 * g.standard_normal(out.shape, dtype=np.float32)
    np.round(out * 32, out=out)
    out /= 32
    holes = (yy % 400 < 30) & (xx % 400 < 30) if name == "a" else (yy % 500 < 40) & ((xx + 200) % 500 < 40)
    out[:, holes] = np.nan
    return out


def ensure_rasters(base: Path, size: int):
    import rasterio

    from rs_embed_qgis.embedders.embedding import Embedding, make_grid
    from rs_embed_qgis.embedders.writers import write_geotiff

    paths = {}
    for name in DIMS:
        path = base / f"agreement_{name}_{size}.tif"
        if path.exists():
            with rasterio.open(path) as src:
                if src.tags().get("BENCH_GEN") == GEN_VERSION:
                    paths[name] = path
                    continue
        arr, res = model_array(name, size), PIXEL_M * COARSE[name]
        grid = make_grid(arr, CRS, (res, 0.0, X0, 0.0, -res, Y0))
        tmp = write_geotiff(Embedding(grid, {"model": f"bench_{name}"}), path.with_suffix(".part.tif"))
        with rasterio.open(tmp, "r+") as dst:
            dst.update_tags(BENCH_GEN=GEN_VERSION)
        os.replace(tmp, path)
        paths[name] = path
    return paths


def common_grid(size: int):
    from rs_embed_qgis.embedders.geo import RasterGrid

    return RasterGrid.from_bounds(CRS, (X0, Y0 - size * PIXEL_M, X0 + size * PIXEL_M, Y0), PIXEL_M)


# --- the peer: the previous implementation (embedders/analysis/agreement.py at 48209d5) ------

OLD_STRIP_BYTES, MIN_NEIGHBOURS = 64 * 2**20, 8


def old_neighbour_distances(block, radius, rows, step=1):
    d, hp, wp = block.shape
    w = wp - 2 * radius
    r0, r1 = rows.start + radius, rows.stop + radius
    centre = block[:, r0:r1, radius:radius + w]
    out = []
    for dy in range(-radius, radius + 1, step):
        for dx in range(-radius, radius + 1, step):
            if dy or dx:
                other = block[:, r0 + dy:r1 + dy, radius + dx:radius + dx + w]
                out.append(np.sqrt(np.sum((other - centre) ** 2, axis=0, dtype=np.float32)))
    return np.stack(out)


def old_rank_agreement(da, db):
    from scipy.stats import rankdata

    both = np.isfinite(da) & np.isfinite(db)
    da, db = np.where(both, da, np.nan), np.where(both, db, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ra = rankdata(da, axis=0, nan_policy="omit")
        rb = rankdata(db, axis=0, nan_policy="omit")
        ra = ra - np.nanmean(ra, axis=0)
        rb = rb - np.nanmean(rb, axis=0)
        rho = np.nansum(ra * rb, axis=0) / np.sqrt(np.nansum(ra * ra, axis=0) * np.nansum(rb * rb, axis=0))
    rho[both.sum(axis=0) < MIN_NEIGHBOURS] = np.nan
    return rho


def old_read_padded(vrt, grid, r0, r1, radius):
    from rasterio.windows import Window

    lo, hi = max(0, r0 - radius), min(grid.height, r1 + radius)
    data = vrt.read(window=Window(0, lo, grid.width, hi - lo), out_dtype="float32")
    if vrt.nodata is not None and not np.isnan(vrt.nodata):
        data[data == vrt.nodata] = np.nan
    out = np.full((data.shape[0], (r1 - r0) + 2 * radius, grid.width + 2 * radius), np.nan, dtype=np.float32)
    top = lo - (r0 - radius)
    out[:, top:top + (hi - lo), radius:radius + grid.width] = data
    return out


def old_agreement_map(paths, grid, out_path, step=3, reach=4, resampling="average"):
    """The previous agreement_map's strip loop (its result's mean and count)."""
    from contextlib import ExitStack

    from rasterio.windows import Window

    from rs_embed_qgis.embedders.analysis.blocks import gdal_env, open_raster, warped_onto
    from rs_embed_qgis.embedders.writers import geotiff_writer

    names = list(paths)
    pairs = list(combinations(names, 2))
    radius, side = step * reach, 2 * reach + 1
    total, count = 0.0, 0
    with ExitStack() as stack:
        stack.enter_context(gdal_env())
        vrts = {}
        for m in names:
            src = stack.enter_context(open_raster(paths[m]))
            vrts[m] = stack.enter_context(warped_onto(src, grid.crs, grid.transform, grid.width, grid.height,
                                                      resampling))
        dims = sum(v.count for v in vrts.values())
        n_off = side * side - 1
        per_row = grid.width * (4 * dims + 4 * n_off * len(names) + 40 * n_off)
        strip = int(max(min(4, grid.height), min(grid.height, OLD_STRIP_BYTES // per_row)))
        tags = {"RS_EMBED_AGREEMENT_PAIRS": ";".join(f"{a}|{b}" for a, b in pairs),
                "RS_EMBED_AGREEMENT_LATTICE": f"step {step}, reach {reach}", "RS_EMBED_STRETCH": "0,1"}
        bands = ["model agreement (0..1)"] + ([f"{a} / {b}" for a, b in pairs] if len(pairs) > 1 else [])
        with geotiff_writer(out_path, grid.width, grid.height, len(bands), "float32", grid.crs, grid.transform,
                            float("nan"), tags, bands) as dst:
            for r0 in range(0, grid.height, strip):
                r1 = min(grid.height, r0 + strip)
                dist = {m: old_neighbour_distances(old_read_padded(v, grid, r0, r1, radius), radius,
                                                   slice(0, r1 - r0), step)
                        for m, v in vrts.items()}
                with np.errstate(invalid="ignore"):
                    rho = np.stack([old_rank_agreement(dist[a], dist[b]) for a, b in pairs])
                    valid = np.isfinite(rho).any(axis=0)
                    agree = np.full(rho.shape[1:], np.nan, dtype=np.float32)
                    agree[valid] = np.nanmean(np.clip(rho[:, valid], 0.0, 1.0), axis=0)
                out = agree[None] if len(bands) == 1 else np.concatenate(
                    [agree[None], np.clip(rho, 0.0, 1.0).astype(np.float32)])
                dst.write(out, window=Window(0, r0, grid.width, r1 - r0))
                total += float(agree[valid].sum())
                count += int(valid.sum())
    return total / count if count else float("nan"), count


# --- the methods, each in a child process ---------------------------------------------


def child(method, size, dst):
    import rasterio  # noqa: F401  (imports counted in the baseline)
    import scipy.stats  # noqa: F401

    from rs_embed_qgis.embedders.analysis import agreement

    paths = ensure_rasters(Path(os.environ.get("RS_EMBED_BENCH_DIR", "/tmp/rs_embed_bench")), size)
    grid = common_grid(size)
    baseline = vm_kb("VmRSS") / 1024
    t0 = time.perf_counter()
    if method == "old":
        mean, count = old_agreement_map(paths, grid, dst)
        threads = 1
    else:
        if method == "new_1thread":
            agreement.THREADS = 1
        res = agreement.agreement_map(paths, grid, dst)
        mean, count, threads = res.mean, res.valid_pixels, agreement.THREADS
    seconds = time.perf_counter() - t0
    print(json.dumps({"method": method, "seconds": seconds, "peak_rss_mb": vm_kb("VmHWM") / 1024,
                      "baseline_rss_mb": baseline, "mean": mean, "valid_pixels": count, "threads": threads,
                      "us_per_pixel": seconds / (size * size) * 1e6}))


def run(method, size, out_dir: Path):
    dst = out_dir / f"agreement_{method}_{size}.tif"
    env = dict(os.environ, MALLOC_ARENA_MAX="2")
    proc = subprocess.run([sys.executable, __file__, "--child", method, "--size", str(size), "--dst", str(dst)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{method}: {proc.stderr[-3000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{method:12s} {res['seconds']:7.1f} s, peak RSS {res['peak_rss_mb']:6.0f} MB "
          f"(baseline {res['baseline_rss_mb']:.0f} MB), mean {res['mean']:.6f}", flush=True)
    return res, dst


def tie_share(paths, size, rows=60):
    """Share of pixels (in ``rows`` rows mid-grid) with at least two equal
    finite distances among their 80 lattice neighbours, per model."""
    from rs_embed_qgis.embedders.analysis.agreement import neighbour_distances
    from rs_embed_qgis.embedders.analysis.blocks import open_raster, warped_onto

    grid, r, r0 = common_grid(size), 12, size // 2
    out = {}
    for m, p in paths.items():
        with open_raster(p) as src, warped_onto(src, grid.crs, grid.transform, grid.width, grid.height,
                                                "average") as vrt:
            block = np.full((vrt.count, rows + 2 * r, size + 2 * r), np.nan, np.float32)
            from rasterio.windows import Window
            block[:, :, r:r + size] = vrt.read(window=Window(0, r0 - r, size, rows + 2 * r), out_dtype="float32")
        d = np.sort(neighbour_distances(block, r, slice(0, rows), 3), axis=0)
        tied = ((d[1:] == d[:-1]) & np.isfinite(d[1:])).any(axis=0)
        out[m] = round(float(tied.mean()), 4)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--child")
    ap.add_argument("--dst")
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--methods", default="new,new_1thread,old", help="comma-separated, run in this order")
    ap.add_argument("--out", default="agreement.json", help="file name under bench/results/")
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.size, args.dst)
    import rasterio
    import scipy

    from rs_embed_qgis.embedders.analysis import agreement

    base = Path(os.environ.get("RS_EMBED_BENCH_DIR", "/tmp/rs_embed_bench"))
    base.mkdir(parents=True, exist_ok=True)
    paths = ensure_rasters(base, args.size)
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    load0 = os.getloadavg()
    runs, outputs = [], {}
    for m in args.methods.split(","):
        res, dst = run(m, args.size, base)
        runs.append(res)
        outputs[m] = dst
    same = {}
    if "old" in outputs:
        with rasterio.open(outputs["old"]) as ref:
            want = ref.read()
        for m, p in outputs.items():
            if m != "old":
                with rasterio.open(p) as got:
                    have = got.read()
                diff = np.abs(have.astype(np.float64) - want)
                same[m] = {"bit_identical": bool(np.array_equal(have, want, equal_nan=True)),
                           "same_nodata": bool(np.array_equal(np.isnan(have), np.isnan(want))),
                           "max_abs_diff": float(np.nanmax(diff)) if np.isfinite(diff).any() else 0.0,
                           "pixels_differing": int((have != want).sum() - (np.isnan(have) & np.isnan(want)).sum())}
    by = {r["method"]: r for r in runs}
    summary = {f"{m}_seconds": round(r["seconds"], 1) for m, r in by.items()}
    summary.update({f"{m}_peak_rss_mb": round(r["peak_rss_mb"]) for m, r in by.items()})
    summary.update({f"{m}_us_per_pixel": round(r["us_per_pixel"], 2) for m, r in by.items()})
    if "old" in by:
        summary.update({f"speedup_{m}": round(by["old"]["seconds"] / r["seconds"], 1) for m, r in by.items()
                        if m != "old"})
    for m, r in by.items():   # 25 M px (the largest common grid) at this rate, for scale only
        summary[f"{m}_minutes_at_25M_px_linear"] = round(r["us_per_pixel"] * 25e6 / 1e6 / 60, 1)
    out = {
        "benchmark": "agreement_map (Compare models) on a common grid of size x size px, two models "
                     "(64 bands at the grid's 10 m, 128 bands at 50 m warped onto it), this code against the "
                     "previous implementation (kept in this script as old_*), each in its own child process",
        "commit": commit,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "numpy": np.__version__, "scipy": scipy.__version__, "rasterio": rasterio.__version__,
                    "gdal": rasterio.__gdal_version__, "load_average_at_start": load0,
                    "load_average_at_end": os.getloadavg(), "threads_new": agreement.THREADS},
        "grid": {"width": args.size, "height": args.size, "pixel_m": PIXEL_M,
                 "models": {m: {"bands": DIMS[m], "pixel_m": PIXEL_M * COARSE[m]} for m in DIMS},
                 "lattice": "step 3, reach 4 (80 neighbours)",
                 "pixels_with_tied_distances": tie_share(paths, args.size)},
        "results": runs, "output_vs_old": same, "summary": summary,
    }
    dest = REPO / "bench" / "results" / args.out
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, indent=2))
    for p in outputs.values():
        p.unlink(missing_ok=True)
    print(json.dumps({"summary": summary, "output_vs_old": same}, indent=2))
    print(f"-> {dest}")


if __name__ == "__main__":
    main()
