"""The comparison report's figures, drawn with matplotlib's Agg canvas (no
pyplot, no display): georeferenced PCA panels with a scale bar, the N x N
similarity heatmap, and the agreement map. Each PNG is written atomically."""
from __future__ import annotations

import math
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np

from ..fileio import atomic_path
from ..geo import RasterGrid
from .pairwise import PairwiseStats


def _figure(w_in, h_in):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w_in, h_in), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", facecolor="white", bbox_inches="tight")
    return Path(path)


def nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^n metres) of at most a quarter of ``span_m``."""
    target = max(span_m / 4.0, 1e-9)
    base = 10 ** math.floor(math.log10(target))
    return max(m * base for m in (1, 2, 5) if m * base <= target)


def _length_label(m: float) -> str:
    return f"{m / 1000:g} km" if m >= 1000 else f"{m:g} m"


def _metres_per_unit(grid: RasterGrid) -> float:
    """Ground metres per map unit along x (geographic grids: at the centre latitude)."""
    from pyproj import CRS

    crs = CRS.from_user_input(grid.crs)
    if crs.is_geographic:
        return 111_320.0 * math.cos(math.radians((grid.bounds[1] + grid.bounds[3]) / 2.0))
    return crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0


def _map_axes(ax, grid: RasterGrid):
    """Axes in the grid's map units, with a scale bar in metres."""
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    left, bottom, right, top = grid.bounds
    per_unit = _metres_per_unit(grid)
    length = nice_length((right - left) * per_unit)
    ax.add_artist(AnchoredSizeBar(ax.transData, length / per_unit, _length_label(length), "lower right",
                                  pad=0.4, color="black", frameon=True, size_vertical=(top - bottom) / 150))
    geographic = per_unit != 1.0 and abs(right - left) < 360 and per_unit > 1000
    ax.set_xlabel(f"{'longitude' if geographic else 'easting (m)'}, {grid.crs}", fontsize=8)
    ax.set_ylabel("latitude" if geographic else "northing (m)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.ticklabel_format(useOffset=False, style="plain")
    return (left, right, bottom, top)


def pca_figure(panels: Sequence[Tuple[str, np.ndarray]], grid: RasterGrid, path, cols: int = 2) -> Path:
    """(title, (H, W, 4) uint8 RGBA on ``grid``) panels, georeferenced, about
    5.5 inches each, ``cols`` per row."""
    n = len(panels)
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    aspect = grid.height / grid.width
    fig = _figure(5.5 * cols, (5.5 * aspect + 1.0) * rows)
    for i, (title, rgba) in enumerate(panels):
        ax = fig.add_subplot(rows, cols, i + 1)
        extent = _map_axes(ax, grid)
        ax.imshow(np.clip(np.nan_to_num(np.asarray(rgba, dtype=np.float64)), 0, 255).astype(np.uint8),
                  extent=extent, interpolation="nearest")
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return _save(fig, path)


def agreement_figure(values: np.ndarray, grid: RasterGrid, path, title: str) -> Path:
    """The agreement map (0..1, NaN = no data) with a colour bar."""
    aspect = grid.height / grid.width
    fig = _figure(7.0, 6.0 * aspect + 1.2)
    ax = fig.add_subplot(1, 1, 1)
    extent = _map_axes(ax, grid)
    im = ax.imshow(np.ma.masked_invalid(values), extent=extent, cmap="viridis", vmin=0.0, vmax=1.0,
                   interpolation="nearest")
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, shrink=0.8, label="agreement (0 = unrelated, 1 = same local structure)")
    fig.tight_layout()
    return _save(fig, path)


def similarity_matrix(names: List[str], stats: PairwiseStats):
    """(N, N): linear CKA above the diagonal, k-NN overlap below, NaN on it."""
    n = len(names)
    m = np.full((n, n), np.nan)
    for i in range(n):
        for j in range(i + 1, n):
            p = stats.get(names[i], names[j])
            m[i, j], m[j, i] = p.cka, p.knn_overlap
    return m


def heatmap_figure(names: List[str], stats: PairwiseStats, path) -> Path:
    """One N x N heatmap: CKA (upper right) and k-NN overlap (lower left), each
    cell with its 95 % interval and the shuffled baseline."""
    n = len(names)
    m = similarity_matrix(names, stats)
    size = max(4.5, 2.0 * n + 1.5)
    fig = _figure(size + 1.2, size)
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(np.ma.masked_invalid(m), cmap="viridis", vmin=0.0, vmax=1.0)
    ax.set_facecolor("#dddddd")
    for i in range(n):
        for j in range(n):
            if i == j:
                ax.text(j, i, "—", ha="center", va="center", fontsize=9)
                continue
            p = stats.get(names[i], names[j])
            val, ci, base = (p.cka, p.cka_ci, p.cka_shuffled) if j > i else (p.knn_overlap, p.knn_ci, p.knn_shuffled)
            ax.text(j, i, f"{'CKA' if j > i else 'k-NN'} {val:.2f}\n[{ci[0]:.2f}, {ci[1]:.2f}]\nshuffled {base:.2f}",
                    ha="center", va="center", fontsize=8, color="white" if not val > 0.6 else "black")
    ax.set_xticks(range(n), names, rotation=30, ha="right", fontsize=9)
    ax.set_yticks(range(n), names, fontsize=9)
    ax.set_title(f"upper right: linear CKA · lower left: {stats.k}-NN overlap\n"
                 f"mean of {stats.repeats} samples of {stats.sample} pixels, 95 % interval, shuffled baseline",
                 fontsize=9)
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    return _save(fig, path)
