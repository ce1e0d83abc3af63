"""T frames from one time window, for the models that take a time series
(Prithvi, Galileo, AnySat, AgriFM): ``options={"frames": T}`` splits the window
into T equal parts, one composite each, stacked frame-major as the bands
``<band>@t<i>`` of one patch on the ROI's grid. A local raster is one frame.

While a patch of T frames runs, the embedder's ``frames`` is T and its
``bands`` are the T-frame names (read from the patch, so a patch stacked by
hand runs the same way); each model's ``preprocess`` / ``forward_tokens`` /
``_meta`` read ``self.frames``.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt

import numpy as np

from ..errors import RSEmbedError, SpecError
from ..progress import NULL_PROGRESS
from ..specs import OutputSpec, TemporalSpec


def parse_frames(raw, default: int, maximum: int, model_id: str) -> int:
    """The frames option as a whole number from 1 to ``maximum`` (``default`` when absent)."""
    if raw is None:
        return default
    try:
        n = int(raw)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= maximum or str(raw).strip() not in (str(n), f"{n}.0"):
        raise SpecError(f"{model_id}: frames must be a whole number from 1 to {maximum}, got {raw!r}.")
    return n


def split_window(temporal, n: int):
    """n consecutive half-open windows covering [start, end) (whole days, as equal as possible)."""
    days = (temporal.end - temporal.start).days
    if days < n:
        raise SpecError(f"The time window has {days} days: too short for {n} frames.")
    cuts = [temporal.start + _dt.timedelta(days=round(i * days / n)) for i in range(n + 1)]
    return [TemporalSpec.range(a, b) for a, b in zip(cuts, cuts[1:])]


def frame_bands(bands, n: int):
    """The band names of n frames, frame-major."""
    return tuple(f"{b}@t{i}" for i in range(n) for b in bands)


def frames_in(names, bands) -> int:
    """How many whole frames of ``bands`` the band names hold (0: plain names, one frame)."""
    names = set(names)
    n = 0
    while all(f"{b}@t{n}" in names for b in bands):
        n += 1
    return n


class MultiFrame:
    """Mixin, listed before ``OnTheFlyEmbedder``: the frames option and its whole-patch path."""
    default_frames = 1
    max_frames = 8
    frames = 1          # this call's T (see _framed)

    def frame_count(self, request) -> int:
        opts = getattr(request, "options", None) or {}
        raw = opts.get("frames")
        n = parse_frames(raw, self.default_frames, self.max_frames, self.model_id)
        if opts.get("input_raster"):
            if raw is not None and n > 1:
                raise SpecError(f"{self.model_id}: a local raster is one frame; frames={n} needs imagery "
                                "over a time window (imagery source stac or gee).")
            return 1
        return n

    def supports_chunks(self, request) -> bool:
        return self.frame_count(request) == 1 and super().supports_chunks(request)  # frames: whole path

    def embed(self, request):
        if self.frame_count(request) == 1:
            return super().embed(request)
        grid, pooled = self.embed_grid_and_pooled(request)
        return grid if request.output.mode == "grid" else pooled

    def embed_grid_and_pooled(self, request):
        n = self.frame_count(request)
        if n == 1:
            return super().embed_grid_and_pooled(request)
        self.check_backend(request.backend)
        self.check_requirements()
        patch = self.fetch_frames(request, n, request.progress.sub(0.0, 0.3))
        return self.embed_patch_both(patch, output=OutputSpec("grid", request.output.pooling),
                                     input_prep=request.input_prep, device=request.device or request.config.device,
                                     progress=request.progress.sub(0.3, 1.0), request=request, config=request.config)

    def fetch_frames(self, request, n: int, progress=NULL_PROGRESS):
        """One ImageryPatch of n frames, each the composite of its part of the window."""
        from ..imagery.base import ImageryPatch

        if request.temporal is None:
            raise SpecError(f"{self.model_id} with frames={n} splits the time window into {n} parts: "
                            "give a time window.")
        bands = list(type(self).bands)
        parts = split_window(request.temporal, n)
        patches = [self.fetch_patch(dataclasses.replace(request, temporal=w), progress.sub(i / n, (i + 1) / n))
                   for i, w in enumerate(parts)]
        grid = patches[0].grid
        if any(p.grid != grid for p in patches):
            raise RSEmbedError("The frames' imagery came on different grids; cannot stack them.")
        data = np.concatenate([p.select(bands).data for p in patches], axis=0)
        meta = dict(patches[0].meta, frames=[{"window": w.to_dict(), "imagery": dict(p.meta)}
                                             for w, p in zip(parts, patches)])
        return ImageryPatch(data, frame_bands(bands, n), grid, meta)

    def embed_patch_both(self, patch, output, *args, **kwargs):
        with self._framed(patch):
            return super().embed_patch_both(patch, output, *args, **kwargs)

    def model_input(self, patch, *args, **kwargs):
        with self._framed(patch):
            return super().model_input(patch, *args, **kwargs)

    @contextlib.contextmanager
    def _framed(self, patch):
        base = type(self).bands
        n = frames_in(patch.bands, base)
        if n > self.max_frames:
            raise SpecError(f"{self.model_id} takes at most {self.max_frames} frames; the patch has {n}.")
        if n == 0:
            yield
            return
        self.frames, self.bands = n, frame_bands(base, n)
        try:
            yield
        finally:
            del self.frames, self.bands  # back to the class values
