"""Comparable PCA colours: each model's three PCA components, standardised,
are rotated onto a reference model's by orthogonal Procrustes (fitted on a
sample of the pixels valid in both, on one common display grid), then drawn
with the reference's colour scale, so that the same field gets the same
colour in every panel (and, rewritten with write_aligned, in every PCA
layer). The reference model's own colours do not change."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict

import numpy as np

FIT_SAMPLE = 20_000


@dataclass
class Aligned:
    rgba: np.ndarray           # (H, W, 4) uint8, in the reference's colours
    rotation: np.ndarray       # (3, 3): standardised scores @ rotation ~ the reference's
    fit: float                 # share of the reference's standardised variance reproduced (1 = exact)
    mean: np.ndarray = None    # (3,) this model's colour mean and spread on the common display grid
    std: np.ndarray = None
    ref_mean: np.ndarray = None
    ref_std: np.ndarray = None

    def recolour(self, rgba: np.ndarray) -> np.ndarray:
        """(..., 4) uint8 RGBA of this model's PCA -> the same in the reference's colours."""
        rgba = np.asarray(rgba)
        valid = rgba[..., 3] > 0
        z = (rgba[..., :3].astype(np.float64)[valid] - self.mean) / self.std
        out = np.zeros(rgba.shape, dtype=np.uint8)
        out[valid, :3] = np.clip(np.round(self.ref_mean + self.ref_std * (z @ self.rotation)), 1, 255)
        out[valid, 3] = 255
        return out


def _standardised(rgba: np.ndarray, valid: np.ndarray):
    x = rgba[..., :3].astype(np.float64)[valid]
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    return (x - mean) / std, mean, std


def align_pca(panels: Dict[str, np.ndarray], reference: str, seed: int = 0) -> Dict[str, Aligned]:
    """``panels``: per model an (H, W, 4) PCA RGBA (alpha 0 = no data) on the
    same grid. Returns each model aligned onto ``reference``."""
    from scipy.linalg import orthogonal_procrustes

    ref = np.asarray(panels[reference])
    ref_valid = ref[..., 3] > 0
    z_ref_all, ref_mean, ref_std = _standardised(ref, ref_valid)
    z_ref = np.full(ref.shape[:2] + (3,), np.nan)
    z_ref[ref_valid] = z_ref_all
    rng = np.random.default_rng(seed)
    out = {}
    for name, rgba in panels.items():
        rgba = np.asarray(rgba)
        valid = rgba[..., 3] > 0
        z, mean, std = _standardised(rgba, valid) if valid.any() else (np.zeros((0, 3)), np.zeros(3), np.ones(3))
        z_full = np.full(rgba.shape[:2] + (3,), np.nan)
        z_full[valid] = z
        both = np.flatnonzero((valid & ref_valid).ravel())
        if name == reference or len(both) < 3:
            rot = np.eye(3)
        else:
            if len(both) > FIT_SAMPLE:
                both = rng.choice(both, FIT_SAMPLE, replace=False)
            a, b = z_full.reshape(-1, 3)[both], z_ref.reshape(-1, 3)[both]
            rot, _ = orthogonal_procrustes(a, b)
        fit = float("nan")
        if len(both) >= 3:
            a, b = z_full.reshape(-1, 3)[both], z_ref.reshape(-1, 3)[both]
            fit = float(1.0 - np.sum((a @ rot - b) ** 2) / np.sum(b ** 2))
        result = Aligned(None, rot, fit, mean, std, ref_mean, ref_std)
        result.rgba = rgba.astype(np.uint8) if name == reference else result.recolour(rgba)
        out[name] = result
    return out


def write_aligned(src_path, dst_path, aligned: Aligned, reference: str, block_mb: float = 64) -> Path:
    """A PCA RGBA GeoTIFF ``src_path`` rewritten, block by block, in the
    reference's colours at ``dst_path`` (may be the same file: written aside,
    then renamed), tagged RS_EMBED_PCA_ALIGNED_TO."""
    from ..pca import _write_rgba
    from .blocks import block_windows, open_raster

    with open_raster(src_path) as src:
        tags = dict(src.tags(), RS_EMBED_PCA_ALIGNED_TO=reference)
        tags.pop("AREA_OR_POINT", None)

        def blocks():
            for win in block_windows(src, block_mb):
                yield win, np.moveaxis(aligned.recolour(np.moveaxis(src.read(window=win), 0, -1)), -1, 0)

        return _write_rgba(dst_path, blocks(), src.width, src.height, src.crs, src.transform, tags)
