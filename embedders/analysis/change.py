"""Per-pixel change between two embedding rasters of the same model: cosine
distance 1 - cos(a, b) in [0, 2]. The second raster is read on the first's
grid (resampled through a warped VRT when the grids differ), block by block."""
from __future__ import annotations

import contextlib

import numpy as np

from ..errors import DataUnavailableError, SpecError
from ..progress import NULL_PROGRESS
from .blocks import (
    BLOCK_MB, RangeHistogram, block_writer, block_windows, gdal_env, open_raster, read_block,
    same_grid, source_tags, warped_onto,
)
from .guards import memory_guard, refuse_overwrite

RESAMPLINGS = ("nearest", "bilinear", "average")


def cosine_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(D, h, w) blocks -> (h, w) float32 1 - cos, NaN where either has no data."""
    d, h, w = a.shape
    x, y = a.reshape(d, -1), b.reshape(d, -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.einsum("dp,dp->p", x, y) / np.sqrt(np.einsum("dp,dp->p", x, x) * np.einsum("dp,dp->p", y, y))
    dist = 1.0 - np.clip(cos, -1.0, 1.0)
    dist[~np.isfinite(dist)] = np.nan
    return dist.reshape(h, w).astype(np.float32)


@contextlib.contextmanager
def on_grid_of(ref, src, resampling: str = "average"):
    """``src`` as a dataset on ``ref``'s grid: itself when the grids agree,
    else a WarpedVRT (windows of it are warped on demand)."""
    if same_grid(ref, src):
        yield src
        return
    if resampling not in RESAMPLINGS:
        raise SpecError(f"resampling must be one of {RESAMPLINGS}, got {resampling!r}.")
    with warped_onto(src, ref.crs, ref.transform, ref.width, ref.height, resampling) as vrt:
        yield vrt


def check_same_model(a, b, name_a="A", name_b="B"):
    """Raise when the rasters cannot be compared vector by vector."""
    if a.count != b.count:
        raise SpecError(
            f"Raster {name_a} has {a.count} bands and raster {name_b} {b.count}: change needs two "
            "embeddings of the same model (use Compare models for different models).")
    ma, mb = a.tags().get("RS_EMBED_MODEL"), b.tags().get("RS_EMBED_MODEL")
    if ma and mb and ma != mb:
        raise SpecError(
            f"Raster {name_a} comes from model {ma!r} and raster {name_b} from {mb!r}: their vectors "
            "live in different spaces. Use two years of the same model.")


def change_raster(a_path, b_path, dst_path, resampling: str = "average", block_mb: float = BLOCK_MB,
                  progress=None) -> dict:
    """Write 1 - cos(a, b) per pixel on the grid of ``a_path`` (float32, NaN no-data,
    2-98 % stretch in RS_EMBED_STRETCH).

    Refuses (SpecError) an output that is one of the inputs. When no pixel has
    valid data in both rasters (all NaN, or no overlap), there is nothing to
    compare: DataUnavailableError is raised and no output is written."""
    progress = progress or NULL_PROGRESS
    refuse_overwrite(dst_path, a_path, b_path)
    with memory_guard("the change map", block_mb), gdal_env(), open_raster(a_path) as a, \
            open_raster(b_path) as b_raw:
        check_same_model(a, b_raw)
        if a.crs is None or b_raw.crs is None:
            raise SpecError("Both rasters need a CRS to be aligned.")
        resampled = not same_grid(a, b_raw)
        with on_grid_of(a, b_raw, resampling) as b:
            hist = RangeHistogram(0.0, 2.0)
            ta, tb = a.tags().get("RS_EMBED_TIME", ""), b_raw.tags().get("RS_EMBED_TIME", "")
            tags = dict(source_tags(a), RS_EMBED_ANALYSIS="cosine distance",
                        RS_EMBED_TIME_A=ta, RS_EMBED_TIME_B=tb, RS_EMBED_RESAMPLED=str(resampled))
            # half the budget for each input
            windows = list(block_windows(a, block_mb / 2))
            with block_writer(a, dst_path, 1, "float32", float("nan"), tags,
                              ["cosine distance"]) as dst:
                for i, win in enumerate(windows):
                    dist = cosine_distance(read_block(a, win), read_block(b, win))
                    hist.add(dist)
                    dst.write(dist, 1, window=win)
                    progress.update((i + 1) / len(windows))
                if not hist.n:
                    raise DataUnavailableError(
                        f"No pixel has valid data in both {a_path} and {b_path} (all no-data, or the "
                        "rasters do not overlap): there is nothing to compare. Check that both "
                        "embeddings cover the same area and that each has data there.")
                lo, hi = hist.percentile(2), hist.percentile(98)
                dst.update_tags(RS_EMBED_STRETCH=f"{lo:.4f},{hi:.4f}")
    return {"mean": hist.mean, "stretch": (lo, hi), "valid_pixels": hist.n, "resampled": resampled}
