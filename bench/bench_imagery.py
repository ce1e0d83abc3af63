"""Imagery benchmark: a 10 km x 10 km median composite of four Sentinel-2 L2A
scenes (all 12 bands + SCL) from a STAC API and COGs served on 127.0.0.1.

* bytes fetched / bytes needed: every HTTP response body the server sent
  (STAC JSON and COG reads) over the compressed size of the COG tiles that
  intersect each window read (what an ideal tile reader must fetch).
  Target <= 1.5.
* wall time of the fetch, and of the same request again, served from the
  on-disk patch cache (no HTTP). Target: the cached one >= 20x faster.

Scenes are 20 km x 20 km in UTM 33N (10 m bands 2000 x 2000 px, 512 px tiles,
deflate), smooth fields plus noise, two of them baseline 04.00 (+1000 DN).

    .venv/bin/python bench/bench_imagery.py [--repeat 3]

Prints a summary and writes bench/results/imagery.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / ".build" / "pkg"), str(REPO / "tests")]

PLACEHOLDER = "http://placeholder"
SCENE_M = 20_000
ROI_OFFSET_M = (8_730.0, 9_170.0)  # ROI centre from the scenes' corner: windows not tile-aligned
SCENES = [("S2A_33UVU_20220604_0_L2A", "2022-06-04T10:05:00", 3.0, "04.00"),
          ("S2B_33UVU_20220614_0_L2A", "2022-06-14T10:05:00", 9.0, "04.00"),
          ("S2A_33UVU_20210610_0_L2A", "2021-06-10T10:05:00", 12.0, "03.00"),
          ("S2B_33UVU_20210620_0_L2A", "2021-06-20T10:05:00", 20.0, "03.00")]


def make_scenes(root, base_url):
    import numpy as np

    from fixtures_imagery import make_scene
    from rs_embed_qgis.embedders.imagery import S2_BANDS

    items = []
    for k, (item_id, when, cloud, baseline) in enumerate(SCENES):
        rng = np.random.default_rng(k)

        def field(r, c, res, level=0):
            x, y = c * res, r * res
            v = 900 + level + 400 * np.sin(x / 1700.0 + k) * np.cos(y / 2300.0) + rng.normal(0, 25, r.shape)
            return np.clip(v, 1, 60000)

        def scl(r, c, res):  # a few cloud and shadow blobs per scene
            s = np.full(r.shape, 4, dtype=np.uint8)
            for _ in range(6):
                cy, cx, rad = rng.integers(0, r.shape[0]), rng.integers(0, r.shape[1]), rng.integers(10, 60)
                blob = (r - cy) ** 2 + (c - cx) ** 2 < rad ** 2
                s[blob] = rng.choice([3, 8, 9])
            return s

        values = {b: (lambda r, c, res, lv=100 * i: field(r, c, res, lv)) for i, b in enumerate(S2_BANDS)}
        items.append(make_scene(root, base_url, item_id, when, cloud, baseline=baseline, values=values,
                                scl=scl, bands=list(S2_BANDS), size_m=SCENE_M, block=512))
    return items


def tile_bytes_needed(path, grid):
    """Compressed bytes of the tiles of ``path`` that the window over ``grid`` touches."""
    import rasterio

    from rs_embed_qgis.embedders.imagery.warp import source_window

    with rasterio.open(path) as src:
        win = source_window(src, grid)
        if win is None:
            return 0
        c0, r0, c1, r1 = win
        bh, bw = src.block_shapes[0]
        return sum(src.block_size(1, j, i)
                   for j in range(r0 // bh, (r1 - 1) // bh + 1) for i in range(c0 // bw, (c1 - 1) // bw + 1))


def serve(root, item_dicts, conn):
    """The STAC API and COG server, in its own process (so serving does not
    compete with the reader for the GIL); answers 'stats', 'reset', 'stop'."""
    import pystac

    from fixtures_imagery import StacApi
    from loopback import LoopbackServer, free_env_proxies

    free_env_proxies()
    api = StacApi()
    srv = LoopbackServer(root, api.routes()).start()
    api.base_url = srv.url
    api.items = [pystac.Item.from_dict(json.loads(json.dumps(d).replace(PLACEHOLDER, srv.url)))
                 for d in item_dicts]
    conn.send(srv.url)
    while True:
        cmd = conn.recv()
        if cmd == "stats":
            conn.send((srv.bytes_sent, list(srv.requests)))
        elif cmd == "reset":
            srv.reset_counters()
            conn.send(True)
        else:
            srv.stop()
            conn.send(True)
            return


def run_once(root, items, cache_dir):
    import multiprocessing as mp

    from fixtures_imagery import roi_for
    from rs_embed_qgis.embedders.config import get_config
    from rs_embed_qgis.embedders.imagery import S2_BANDS, ImageryRequest, get_patch
    from rs_embed_qgis.embedders.specs import SensorSpec, TemporalSpec

    ctx = mp.get_context("spawn")
    conn, child_conn = ctx.Pipe()
    proc = ctx.Process(target=serve, args=(str(root), [it.to_dict() for it in items], child_conn), daemon=True)
    proc.start()
    url = conn.recv()  # a new port each run: GDAL's own HTTP cache is cold

    def stats():
        conn.send("stats")
        return conn.recv()

    try:
        cfg = get_config(stac_url=url + "/stac", cache_dir=str(cache_dir))
        req = ImageryRequest(roi_for(ROI_OFFSET_M, 5000.0), TemporalSpec.range("2021-01-01", "2023-01-01"),
                             list(S2_BANDS), SensorSpec(cloudy_pct=30, composite="median"), source="stac")
        t0 = time.perf_counter()
        patch = get_patch(req, cfg)
        t_fetch = time.perf_counter() - t0
        assert patch.meta["cache"] == "miss", patch.meta.get("cache")
        http_bytes, requests = stats()  # every response body, STAC JSON included
        conn.send("reset")
        conn.recv()
        t0 = time.perf_counter()
        again = get_patch(req, cfg)
        t_cache = time.perf_counter() - t0
        assert again.meta["cache"] == "hit" and stats()[1] == []
        needed = sum(tile_bytes_needed(root / "scenes" / s["id"] / f"{b}.tif", patch.grid)
                     for s in patch.meta["scenes"] for b in list(S2_BANDS) + ["SCL"])
        return {"fetch_s": t_fetch, "cache_s": t_cache, "bytes_fetched": http_bytes,
                "bytes_needed": needed, "cog_requests": sum(1 for r in requests if r[1].startswith("/scenes/")),
                "grid": [patch.grid.width, patch.grid.height], "scenes_used": len(patch.meta["scenes"]),
                "valid_fraction": float((patch.data == patch.data).all(axis=0).mean())}
    finally:
        conn.send("stop")
        conn.recv()
        proc.join(10)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from loopback import free_env_proxies

    free_env_proxies()
    with tempfile.TemporaryDirectory(prefix="rs_bench_imagery_") as tmp:
        root = Path(tmp) / "www"
        root.mkdir()
        t0 = time.perf_counter()
        items = make_scenes(root, PLACEHOLDER)
        t_make = time.perf_counter() - t0
        data_mb = sum(f.stat().st_size for f in root.rglob("*.tif")) / 2**20
        runs = [run_once(root, items, Path(tmp) / f"cache{i}")
                for i in range(args.repeat)]
    fetch_s = statistics.median(r["fetch_s"] for r in runs)
    cache_s = statistics.median(r["cache_s"] for r in runs)
    r0 = runs[0]
    ratio = r0["bytes_fetched"] / r0["bytes_needed"]
    result = {
        "benchmark": "imagery: 10 km x 10 km median of 4 S2 L2A scenes, 12 bands + SCL, STAC + COGs on 127.0.0.1",
        "grid_px": r0["grid"], "scenes_used": r0["scenes_used"], "valid_fraction": round(r0["valid_fraction"], 4),
        "scene_files_mb": round(data_mb, 1), "fixture_seconds": round(t_make, 1),
        "bytes_fetched": r0["bytes_fetched"], "bytes_needed": r0["bytes_needed"],
        "bytes_ratio": round(ratio, 3), "bytes_ratio_target": 1.5,
        "cog_http_requests": r0["cog_requests"],
        "fetch_seconds_median": round(fetch_s, 3), "cache_seconds_median": round(cache_s, 4),
        "cache_speedup": round(fetch_s / cache_s, 1), "cache_speedup_target": 20,
        "runs": runs, "repeat": args.repeat,
        "pass": ratio <= 1.5 and fetch_s / cache_s >= 20,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    out = REPO / "bench" / "results" / "imagery.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"bytes fetched / needed: {r0['bytes_fetched'] / 2**20:.2f} MiB / {r0['bytes_needed'] / 2**20:.2f} MiB "
          f"= {ratio:.3f} (target <= 1.5); {r0['cog_requests']} COG requests")
    print(f"fetch {fetch_s:.2f} s, from cache {cache_s * 1000:.1f} ms: {fetch_s / cache_s:.0f}x (target >= 20x); "
          f"grid {r0['grid']}, {r0['scenes_used']} scenes")
    print(f"wrote {out}")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
