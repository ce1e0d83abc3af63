"""copernicus_embed benchmark: time to read a small ROI (a 5 km PointBuffer, one
0.25 degree cell) from a FULL-SIZE product file against a small file, in the
published layout as torchgeo's fixture of it records it (721 x 1440 cells x 768
float32 bands, EPSG:4326, tiled 256 x 256, deflate, pixel-interleaved: 201 MB
per tile once decompressed). The synthetic full file has ~30 % land (random
float32, incompressible like the real vectors) and zero ocean, ~0.9 GB on disk;
it is made once under $RS_EMBED_BENCH_DIR (default /tmp/rs_embed_bench).

Measured in fresh processes (cold GDAL block cache; the OS page cache is warm
for both files alike), imports warmed up first (once per QGIS session);
memory is the rise of the peak RSS during the measured call:
* ``direct``: a windowed read of the published layout (no re-tiling);
* ``retile``: the one-time re-tiling into 16 x 16-cell tiles in the cache;
* ``embed``: ``get_embedding`` from the re-tiled copy (what users get after the
  first call). Target: independent of the file size, under 0.5 s.

    .venv/bin/python bench/bench_copernicus.py [--repeat 3]

Writes bench/results/copernicus.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("RS_EMBED_BENCH_DIR", "/tmp/rs_embed_bench")) / "copernicus"
ROI = (8.5, 47.4, 2500.0)   # lon, lat, buffer_m: cell row 170, col 754 (inside tile row 0, col 2)
CROP = (166, 750, 8)        # row0, col0, size of the small file (same cells, same layout)


def _paths():
    sys.path[:0] = [str(REPO / ".build" / "pkg"), str(REPO / "tests")]


def make_files():
    _paths()
    from fixtures_precomputed import write_copernicus_tif

    full, small = CACHE / "full" / "embed_map_310k.tif", CACHE / "small" / "embed_map_310k.tif"
    if full.exists() and small.exists():
        return full, small
    print(f"making the full-size file {full} (once, about a minute) ...", flush=True)
    rng = np.random.default_rng(0)
    coarse = rng.random((24, 48))
    land = np.kron(coarse, np.ones((31, 30)))[:721, :1440] > 0.7
    land[150:200, 700:800] = True  # the ROI region is land
    import rasterio
    from rasterio.transform import Affine

    full.parent.mkdir(parents=True, exist_ok=True)
    profile = dict(driver="GTiff", dtype="float32", nodata=None, width=1440, height=721, count=768,
                   crs="EPSG:4326", transform=Affine(0.25, 0, -180.125, 0, -0.25, 90.125),
                   tiled=True, blockxsize=256, blockysize=256, compress="deflate", interleave="pixel",
                   num_threads="all_cpus")
    r0, c0, n = CROP
    with rasterio.open(full, "w", **profile) as ds:
        for row in range(0, 721, 256):
            h = min(256, 721 - row)
            block = rng.standard_normal((768, h, 1440), dtype=np.float32) * np.float32(0.05)
            block[:, ~land[row:row + h]] = 0.0
            ds.write(block, window=((row, row + h), (0, 1440)))
            if row <= r0 < row + h:
                crop = block[:, r0 - row:r0 - row + n, c0:c0 + n].copy()
    write_copernicus_tif(small, crop, col0=c0, row0=r0)
    return full, small


def child(mode: str, path: str) -> dict:
    """One measurement in this fresh process."""
    import resource

    _paths()
    import rasterio  # noqa: F401  (imports warm before timing: once per QGIS session)
    import xarray  # noqa: F401
    from rs_embed_qgis.embedders import (OutputSpec, PointBuffer, TemporalSpec, get_config,
                                         get_embedding, list_models)
    from rs_embed_qgis.embedders.embedding import make_grid
    from rs_embed_qgis.embedders.products import copernicus as cop

    list_models()
    make_grid(np.zeros((1, 1, 1), np.float32), "EPSG:4326", (1, 0, 0, 0, -1, 0))
    roi = PointBuffer(*ROI)
    bounds = roi.bounds_4326()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    if mode == "direct":
        data, _, win = cop.read_cells(Path(path), bounds)
        shape = list(data.shape)
    elif mode == "retile":
        out = cop.fast_copy(Path(path), get_config())
        shape = [Path(out).stat().st_size]
    else:
        emb = get_embedding("copernicus_embed", spatial=roi, temporal=TemporalSpec.year(2021),
                            output=OutputSpec.grid())
        shape = list(emb.data.shape)
        assert emb.meta["read_from"] != emb.meta["file"]
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss0
    return {"mode": mode, "seconds": seconds, "result": shape, "rss_peak_rise_mb": rss}


def run(mode, path, cache) -> dict:
    env = dict(os.environ, RS_EMBED_CACHE_DIR=str(cache), RS_EMBED_COPERNICUS_PATH=str(path))
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(path)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _gdal_version():
    import rasterio

    return rasterio.__gdal_version__


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=2)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    full, small = make_files()
    res = {}
    for name, path in (("full", full), ("small", small)):
        cache = CACHE / f"cache_{name}"
        tiled = cache / "copernicus_embed" / "embed_map_310k.tiles16.tif"
        for p in (tiled, tiled.with_suffix(".json")):
            p.unlink(missing_ok=True)
        r = {"file_bytes": path.stat().st_size,
             "direct": [run("direct", path, cache) for _ in range(args.repeat)],
             "retile": run("retile", path, cache),
             "embed": [run("embed", path, cache) for _ in range(args.repeat)]}
        r["direct_seconds_median"] = float(np.median([x["seconds"] for x in r["direct"]]))
        r["embed_seconds_median"] = float(np.median([x["seconds"] for x in r["embed"]]))
        r["retile_seconds"] = r["retile"]["seconds"]
        r["retiled_bytes"] = r["retile"]["result"][0]
        res[name] = r
        print(f"{name:5s} file {r['file_bytes'] / 1e6:7.1f} MB  direct read {r['direct_seconds_median']:.3f} s  "
              f"re-tiling once {r['retile_seconds']:.1f} s ({r['retiled_bytes'] / 1e6:.0f} MB)  "
              f"get_embedding {r['embed_seconds_median']:.3f} s  "
              f"(peak RSS rise {max(x['rss_peak_rise_mb'] for x in r['embed']):.0f} MB)", flush=True)
    out = {"roi": {"lon": ROI[0], "lat": ROI[1], "buffer_m": ROI[2]},
           "layout": "721x1440x768 float32, tiled 256x256, deflate, pixel-interleaved (torchgeo fixture profile)",
           "repeat": args.repeat, "machine_cpus": os.cpu_count(), "gdal": _gdal_version(),
           "target_seconds": 0.5, **res,
           "embed_ratio_full_to_small": res["full"]["embed_seconds_median"] / res["small"]["embed_seconds_median"],
           "direct_ratio_full_to_small": res["full"]["direct_seconds_median"] / res["small"]["direct_seconds_median"]}
    (REPO / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (REPO / "bench" / "results" / "copernicus.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
