"""Comparable PCA colours: each model's three PCA components, standardised,
are rotated onto a reference model's by orthogonal Procrustes (fitted on a
sample of the pixels valid in both, on one common display grid), then drawn
with the reference's colour scale, so that the same field gets the same
colour in every panel. The reference model's own colours do not change."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict

import numpy as np

FIT_SAMPLE = 20_000


@dataclass
class Aligned:
    rgba: np.ndarray           # (H, W, 4) uint8, in the reference's colours
    rotation: np.ndarray       # (3, 3): standardised scores @ rotation ~ the reference's
    fit: float                 # share of the reference's standardised variance reproduced (1 = exact)


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
        z, _, _ = _standardised(rgba, valid) if valid.any() else (np.zeros((0, 3)), None, None)
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
        aligned = np.zeros(rgba.shape[:2] + (4,), dtype=np.uint8)
        colours = ref_mean + ref_std * (z @ rot)
        aligned[valid, :3] = np.clip(np.round(colours), 1, 255).astype(np.uint8)
        aligned[valid, 3] = 255
        fit = float("nan")
        if len(both) >= 3:
            a, b = z_full.reshape(-1, 3)[both], z_ref.reshape(-1, 3)[both]
            fit = float(1.0 - np.sum((a @ rot - b) ** 2) / np.sum(b ** 2))
        out[name] = Aligned(aligned, rot, fit)
    return out
