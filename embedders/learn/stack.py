"""One or more embedding rasters read as one stack of bands on the first
raster's grid (fusion): the others are warped onto it window by window."""
from __future__ import annotations

import contextlib

import numpy as np

from ..errors import SpecError
from ..analysis.blocks import (BLOCK_MB, block_windows, gdal_env, open_raster, read_block, same_grid,
                               warped_onto)


def raster_signature(src) -> dict:
    """What a model trained on ``src`` relies on: band count and names and the
    embedding model that made it (tag RS_EMBED_MODEL)."""
    names = [d if d else None for d in src.descriptions]
    return {"bands": int(src.count), "names": names, "model": src.tags().get("RS_EMBED_MODEL", "")}


class Stack:
    """Open with ``with Stack(paths) as st``; ``st.read(window)`` gives
    (bands of all rasters, h, w) float32 with NaN where any is no data."""

    def __init__(self, paths, resampling: str = "average"):
        if not paths:
            raise SpecError("Give at least one embedding raster.")
        self.paths = [str(p) for p in paths]
        self.resampling = resampling
        self._stack = contextlib.ExitStack()
        self.sources, self.signatures, self.warped = [], [], []

    def __enter__(self):
        try:
            self._stack.enter_context(gdal_env())
            for i, path in enumerate(self.paths):
                src = self._stack.enter_context(open_raster(path))
                if src.crs is None:
                    raise SpecError(f"{path} has no coordinate reference system; it is not an embedding grid.")
                self.signatures.append(raster_signature(src))
                if i and not same_grid(src, self.sources[0]):
                    ref = self.sources[0]
                    src = self._stack.enter_context(
                        warped_onto(src, ref.crs, ref.transform, ref.width, ref.height, self.resampling))
                    self.warped.append(path)
                self.sources.append(src)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc):
        self._stack.close()
        return False

    @property
    def ref(self):
        return self.sources[0]

    @property
    def count(self) -> int:
        return sum(s["bands"] for s in self.signatures)

    @property
    def band_names(self):
        out = []
        for i, sig in enumerate(self.signatures):
            prefix = f"{sig['model'] or 'raster'}{i + 1}:" if len(self.signatures) > 1 else ""
            out += [f"{prefix}{n or f'band{j + 1}'}" for j, n in enumerate(sig["names"])]
        return out

    def windows(self, block_mb: float = BLOCK_MB):
        return list(block_windows(self.ref, block_mb, count=self.count))

    def read(self, window) -> np.ndarray:
        blocks = [read_block(s, window) for s in self.sources]
        return blocks[0] if len(blocks) == 1 else np.concatenate(blocks, axis=0)
