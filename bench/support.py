"""What the benchmark scripts share: a process's own memory figures, and a
synthetic embedding raster written once, block by block, atomically (reused
while its generator version is unchanged). Not a benchmark itself."""
from __future__ import annotations

import os
import time
from pathlib import Path


def vm_kb(field: str) -> int:
    """VmHWM (peak), VmRSS or VmSize of this process in kB. Not getrusage:
    Linux keeps ru_maxrss across execve, so a child would report its parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def raster_once(path: Path, size: int, bands: int, version: str, block, compressed: bool = True,
                band_names: bool = False) -> Path:
    """A size x size x ``bands`` float32 GeoTIFF (10 m, EPSG:32631, NaN no-data) of
    ``block(r0, rows, width) -> (bands, rows, width)``; deflate level 1 as the
    plugin writes grids, or uncompressed band-interleaved tiles."""
    import rasterio
    from rasterio.windows import Window

    from rs_embed_qgis.embedders.writers import _profile

    if path.exists():
        with rasterio.open(path) as src:
            if src.tags().get("BENCH_GEN") == version and src.width == size:
                return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part.tif")
    transform = (10, 0, 500000, 0, -10, 5800000)
    if compressed:
        prof = _profile(size, size, bands, "float32", "EPSG:32631", transform, float("nan"))
        prof.update(zlevel=1, num_threads="ALL_CPUS")
    else:
        prof = dict(driver="GTiff", width=size, height=size, count=bands, dtype="float32", crs="EPSG:32631",
                    transform=rasterio.Affine(*transform), nodata=float("nan"), tiled=True,
                    blockxsize=256, blockysize=256, interleave="band", BIGTIFF="YES")
    t0 = time.perf_counter()
    with rasterio.Env(GDAL_CACHEMAX=512 * 2**20), rasterio.open(tmp, "w", **prof) as dst:
        for r0 in range(0, size, 256):
            rows = min(256, size - r0)
            dst.write(block(r0, rows, size), window=Window(0, r0, size, rows))
        dst.update_tags(BENCH_GEN=version, RS_EMBED_MODEL="bench")
        if band_names:
            for i in range(bands):
                dst.set_band_description(i + 1, f"dim_{i:03d}")
    os.replace(tmp, path)
    print(f"wrote {path} ({path.stat().st_size / 2**30:.2f} GB on disk) in {time.perf_counter() - t0:.0f} s",
          flush=True)
    return path
