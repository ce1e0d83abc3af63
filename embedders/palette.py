"""Class colours for cluster and class rasters (standard library only: QGIS's
side styles with them too)."""
from __future__ import annotations

import colorsys

_BASE = [(228, 26, 28), (55, 126, 184), (77, 175, 74), (152, 78, 163), (255, 127, 0), (255, 255, 51),
         (166, 86, 40), (247, 129, 191), (27, 158, 119), (217, 95, 2), (117, 112, 179), (231, 41, 138),
         (102, 166, 30), (230, 171, 2), (166, 206, 227), (178, 223, 138), (251, 154, 153),
         (253, 191, 111), (202, 178, 214), (106, 61, 154), (31, 120, 180), (153, 153, 153)]


def palette(k: int):
    """``k`` distinct RGB colours, deterministic."""
    out = list(_BASE[:k])
    for i in range(len(out), k):
        r, g, b = colorsys.hsv_to_rgb((i * 0.618033988749895) % 1.0, 0.65 + 0.3 * (i % 2), 0.9 - 0.25 * (i % 3 == 0))
        out.append((int(r * 255), int(g * 255), int(b * 255)))
    return out
