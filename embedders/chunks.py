"""The chunk engine: an output grid cut into windows, each computed on its
own (here, or on Dask workers), written straight into a tiled BigTIFF, and
recorded for resume.

A product that can work window by window implements on its embedder
``plan_grid(request) -> GridPlan`` and ``compute_chunk(request, plan, window)
-> ChunkResult``. Memory is then set by the chunk size, whatever the extent:
the grid is never whole in memory, the pooled vector is a running sum over
covered pixels, and PCA is fitted on a bounded sample and applied block by
block (``pca.pca_geotiff_from_file``).

Resume: the partial grid and a manifest of finished chunks live under
``<cache>/resume/<fingerprint>/``, where the fingerprint hashes everything
that decides the values (model, place, time, options, grid, plugin version).
A re-run of the same request computes only the missing chunks.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

from .errors import SpecError
from .version import __version__

CHUNK_MB = 64.0   # float32 working set of one chunk (setting RS_EMBED_CHUNK_MB)
BLOCK = 256       # GeoTIFF tile size of large grids
MIN_SIDE = 16     # GeoTIFF tiles are multiples of 16 pixels


@dataclass(frozen=True)
class Window:
    id: int
    row: int
    col: int
    height: int
    width: int


@dataclass
class GridPlan:
    """What a chunked run will produce, known before any pixel is fetched."""
    model: str
    crs: str
    transform: Tuple[float, ...]     # affine a, b, c, d, e, f
    width: int
    height: int
    dim: int
    band_names: List[str]
    chunk: int                       # chunk side in pixels
    meta: dict = field(default_factory=dict)
    download_bytes: Optional[int] = None   # estimate, when the product knows it

    def windows(self) -> List[Window]:
        out, c = [], self.chunk
        for r in range(0, self.height, c):
            for k in range(0, self.width, c):
                out.append(Window(len(out), r, k, min(c, self.height - r), min(c, self.width - k)))
        return out

    def window_grid(self, w: Window):
        from affine import Affine

        from .geo import RasterGrid

        t = Affine(*self.transform[:6]) @ Affine.translation(w.col, w.row)
        return RasterGrid(self.crs, t, w.width, w.height)

    @property
    def grid_bytes(self) -> int:
        return 4 * self.dim * self.width * self.height


@dataclass
class ChunkResult:
    window: Window
    data: np.ndarray                 # (D, h, w) float32, NaN = no data
    meta: dict = field(default_factory=dict)   # e.g. tiles used


def chunk_side(dim: int, chunk_mb: Optional[float] = None) -> int:
    """Chunk side for a float32 budget: a multiple of the GeoTIFF block
    (256), or of 16 pixels for budgets below one block."""
    mb = chunk_mb or float(os.environ.get("RS_EMBED_CHUNK_MB") or CHUNK_MB)
    side = int(math.sqrt(mb * 2 ** 20 / (4.0 * max(1, dim))))
    step = BLOCK if side >= BLOCK else MIN_SIDE
    return max(MIN_SIDE, (side // step) * step)


def fingerprint(model: str, request, plan: GridPlan, extra: dict) -> str:
    spec = {"model": model, "spatial": request.spatial.to_dict(),
            "temporal": request.temporal.to_dict() if request.temporal else None,
            "backend": request.backend, "options": extra, "crs": plan.crs,
            "transform": [round(v, 9) for v in plan.transform], "size": [plan.width, plan.height],
            "dim": plan.dim, "chunk": plan.chunk, "version": __version__}
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:24]


# ---- estimates --------------------------------------------------------
def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:,.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024.0
    return f"{n:.1f} TB"


def estimate(plan: GridPlan, with_pca: bool) -> dict:
    """Output size (the grid is stored uncompressed: 4 bytes a value; PCA
    4 bytes a pixel plus overviews), download size where known, and chunks."""
    grid = plan.grid_bytes
    pca = int(4 * plan.width * plan.height * 4 / 3) if with_pca else 0
    return {"grid_bytes": grid, "pca_bytes": pca, "output_bytes": grid + pca,
            "download_bytes": plan.download_bytes, "chunks": len(plan.windows()),
            "pixels": plan.width * plan.height, "dim": plan.dim}


def check_space(est: dict, out_dir, state_dir) -> None:
    """Refuse, with the numbers, a job whose outputs cannot fit on the disk.
    The partial grid sits in the cache, then moves to the output folder."""
    need = {}
    for folder, n in ((Path(out_dir), est["output_bytes"]), (Path(state_dir), est["grid_bytes"])):
        folder = _existing(folder)
        dev = os.stat(folder).st_dev
        need[dev] = (folder, need.get(dev, (folder, 0))[1] + n)
    for folder, n in need.values():
        free = shutil.disk_usage(folder).free
        if n > free:
            raise SpecError(
                f"Not enough disk space: this job writes about {human_bytes(n)} under {folder} "
                f"({est['dim']} bands x {est['pixels']:,} pixels as float32"
                + (f", downloads about {human_bytes(est['download_bytes'])}" if est.get("download_bytes") else "")
                + f") but only {human_bytes(free)} is free. Free some space, choose another output or "
                "cache folder, or draw a smaller extent.")


def _existing(p: Path) -> Path:
    p = Path(p).resolve()
    while not p.exists() and p.parent != p:
        p = p.parent
    return p


# ---- the resumable partial grid ----------------------------------------
class PartialGrid:
    """The grid being filled: a tiled BigTIFF plus a manifest of finished
    chunks (with each chunk's pixel sum and count for the pooled vector)."""

    def __init__(self, state_dir: Path, plan: GridPlan, fp: str):
        self.dir = Path(state_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.tif = self.dir / "grid.tif"
        self.manifest = self.dir / "chunks.json"
        self.plan, self.fp = plan, fp
        self.done: Dict[int, dict] = {}
        if self.tif.exists() and self.manifest.exists():
            try:
                m = json.loads(self.manifest.read_text())
                if m.get("fingerprint") == fp:
                    self.done = {int(k): v for k, v in m["done"].items()}
            except (OSError, ValueError, KeyError):
                self.done = {}
        if not self.done:
            self._create()

    def _create(self):
        import rasterio

        from .writers import _profile

        p = self.plan
        prof = _profile(p.width, p.height, p.dim, "float32", p.crs, p.transform, float("nan"))
        block = max(MIN_SIDE, min(BLOCK, p.chunk) // MIN_SIDE * MIN_SIDE)   # TIFF tiles: multiples of 16
        # Uncompressed, band-interleaved tiles: a chunk is written in place in
        # ~0.1 s (deflate took 10-20 s a 256 x 256 x 128 chunk and saved less
        # than half of float embeddings' size), and the size is known in advance.
        for k in ("compress", "predictor"):
            prof.pop(k, None)
        prof.update(BIGTIFF="YES", tiled=True, blockxsize=block, blockysize=block, interleave="band")
        if p.width < block or p.height < block:
            prof.update(tiled=False)
            prof.pop("blockxsize")
            prof.pop("blockysize")
        with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(self.tif, "w", **prof) as dst:
            for i, name in enumerate(p.band_names):
                dst.set_band_description(i + 1, name)
        self._save()

    def _save(self):
        tmp = self.manifest.with_suffix(".tmp")
        tmp.write_text(json.dumps({"fingerprint": self.fp, "done": self.done}))
        os.replace(tmp, self.manifest)

    def pending(self) -> List[Window]:
        return [w for w in self.plan.windows() if w.id not in self.done]

    def write(self, res: ChunkResult):
        """Write one chunk into its window and record it (sum and count of
        covered pixels, so the pooled vector needs no re-read)."""
        import rasterio
        from rasterio.windows import Window as RWindow

        w, a = res.window, np.asarray(res.data, dtype=np.float32)
        ok = np.isfinite(a).all(axis=0)
        total = a[:, ok].sum(axis=1, dtype=np.float64) if ok.any() else np.zeros(a.shape[0])
        with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(self.tif, "r+") as dst:
            dst.write(a, window=RWindow(w.col, w.row, w.width, w.height))
        self.done[w.id] = {"n": int(ok.sum()), "sum": [float(v) for v in total], "meta": res.meta}
        self._save()

    def pooled(self):
        n = sum(c["n"] for c in self.done.values())
        if n == 0:
            return None, 0.0
        s = np.sum([c["sum"] for c in self.done.values() if c["n"]], axis=0)
        return (s / n).astype(np.float32), n / float(self.plan.width * self.plan.height)

    def finish(self, dest: Path, tags: dict):
        """Tags, then the grid moves to ``dest`` (renamed, or copied across disks)."""
        import rasterio

        from .writers import safe_tags

        with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(self.tif, "r+") as dst:
            dst.update_tags(**safe_tags(tags))
        try:
            os.replace(self.tif, dest)
        except OSError:
            shutil.copyfile(self.tif, dest)
        self.discard()

    def discard(self):
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- running chunks ----------------------------------------------------
def run_chunks(partial: PartialGrid, compute, engine, progress) -> None:
    """Compute every pending chunk with ``engine`` (``compute(window) ->
    ChunkResult``) and write each as it arrives. Progress per chunk; cancel
    stops at once (finished chunks stay recorded for resume)."""
    pending = partial.pending()
    total = len(partial.plan.windows())
    done0 = total - len(pending)
    if done0:
        progress.info(f"Resuming: {done0} of {total} chunks already done, {len(pending)} to go")
    import time

    t0 = time.monotonic()
    for i, res in enumerate(engine.map(compute, pending, progress)):
        partial.write(res)
        left = (time.monotonic() - t0) / (i + 1) * (len(pending) - i - 1)
        eta = f", about {_duration(left)} left" if i + 1 < len(pending) else ""
        progress.update((done0 + i + 1) / total, f"Chunk {done0 + i + 1}/{total} written{eta}")


def _duration(s: float) -> str:
    return f"{s:.0f} s" if s < 90 else f"{s / 60:.0f} min" if s < 5400 else f"{s / 3600:.1f} h"


class LocalEngine:
    """Chunks one after the other in this process."""
    name = "in-process"

    def map(self, compute, windows, progress):
        for w in windows:
            progress.check()
            yield compute(w)
