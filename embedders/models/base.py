"""Framework of the on-the-fly models: imagery in, token grid / pooled vector out.

A model module subclasses :class:`OnTheFlyEmbedder`, sets the class
attributes and implements three hooks; the framework does the rest (fetching
imagery, no-data, resize/tile, batching, device, pooling, georeferencing).

Class attributes (besides ``model_id``, ``title``, ``aliases``, ``notes``)
    ``bands``          S2 band names (``imagery.base.S2_BANDS``) in model channel order
    ``input_size``     square model input, pixels
    ``patch_size``     pixels per token side: the grid is ``input_size // patch_size`` a side
    ``dim``            pooled vector length; ``grid_dim`` token width (defaults to ``dim``)
    ``weights``        :class:`~embedders.weights.WeightsSpec` (or None)
    ``requires``       import names; ``install`` maps them to pip specs for the error message
    ``preprocessing``  dict shown by ``describe()``: scaling, normalisation constants, side inputs
    ``grid_offset_px`` model-input pixels by which each token's footprint sits up-left of its
                       cell (a patch convolution with padding p has offset p); the grid's
                       transform is shifted by it, so cells land on the ground the token saw
    ``pooled_from``    what a ``pooled`` override of ``forward_tokens`` is (recorded in metadata)

Hooks
    ``load_model(device) -> torch.nn.Module``
        Build the architecture and load the weights (``self.fetch_weights()`` gives the
        verified local file; ``embedders.weights.load_state_dict`` reads it safely).
        Called once per instance and device; the framework calls ``eval()`` and caches it.
    ``preprocess(x) -> Tensor``
        ``x``: (B, C, S, S) float32 reflectance x 10^4 in ``bands`` order, already at
        ``input_size``, no NaN (no-data filled). Returns the model input.
    ``forward_tokens(model, x, ctx) -> tokens | (tokens, pooled)``
        ``tokens``: (B, N, D) patch tokens, row-major, class/register tokens removed,
        N = (S / patch_size)^2. ``pooled`` (B, D') optionally replaces token pooling
        (e.g. CLIP's projected class token). ``ctx`` is a :class:`TileContext`
        (``gsd_m`` of model-input pixels, the ``patch``, the ``request`` or None).

Entry points
    ``embed(request)``  fetches the patch (``embedders.imagery.get_patch``; ``request.backend``
        is the imagery source, ``request.options`` may carry ``input_raster`` / ``band_map``,
        ``request.sensor`` cloud and composite settings) then calls ``embed_patch``.
    ``embed_patch(patch, output=, input_prep=, device=, progress=, request=, config=)``
        embeds an :class:`~embedders.imagery.base.ImageryPatch` directly.
    ``model(device)`` the loaded module; ``resolve_device(name)`` the device actually used.
    Helpers: ``reflectance_to_uint8(x)`` (rs-embed's RGB scaling), ``normalize(x, mean, std)``,
    ``build_empty(factory)`` + ``load_weights(module, sd)`` + ``check_materialized(module)``
    (build on the meta device and assign the weights: no wasted random init).

Semantics
    * ``input_prep``: ``resize`` squashes the patch to S x S (bilinear, antialiased, on
      reflectance); ``tile`` cuts native-resolution S x S tiles (the last row/column padded),
      runs them in batches of ``config.batch_size`` and stitches the token grids into one grid
      of ``patch_size``-pixel cells; ``auto`` tiles when resizing would shrink the patch by more
      than 2x (max(H, W) > 2 S), else resizes.
    * Grid: GDAL transform of the token cells on the patch's grid (resize: cell = patch extent /
      grid size; tile: cell = ``patch_size`` native pixels), so GeoTIFFs land on the imagery.
    * No-data: pixels with any NaN band are filled with the patch's per-band median of valid
      pixels before the model; token cells whose footprint is more than half no-data (or
      padding) are NaN in the grid. Pooled = mean/max over the valid token cells of all tiles
      (or over tiles' ``pooled`` overrides, weighted equally, tiles mostly no-data left out).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Dict, Optional, Tuple

import numpy as np

from ..base import EmbedRequest, Embedder
from ..config import Config, get_config
from ..embedding import Embedding, make_grid
from ..errors import DataUnavailableError, RSEmbedError, SpecError
from ..packages import require
from ..progress import NULL_PROGRESS, Progress
from ..specs import OutputSpec, SensorSpec
from .chunked import ChunkedTiles

IMAGERY_SOURCES = ("auto", "local", "stac", "gee")
NODATA_TOKEN_FRACTION = 0.5
DEFAULT_INSTALL = {  # distribution names; the pinned versions live in embedders/packages.py
    "torch": "torch", "timm": "timm", "open_clip": "open_clip_torch", "torchgeo": "torchgeo",
    "huggingface_hub": "huggingface_hub", "safetensors": "safetensors", "einops": "einops"}


@dataclass
class TileContext:
    gsd_m: float              # ground sample distance of one model-input pixel, metres
    patch: Any                # the ImageryPatch being embedded
    request: Optional[EmbedRequest] = None
    input_prep: str = "resize"


def resolve_device(name: Optional[str]) -> str:
    """``auto`` -> cuda, then mps, else cpu; explicit names are checked."""
    torch = require("torch", "torch", "on-the-fly models")
    req = str(name or "auto").strip().lower()
    mps = getattr(torch.backends, "mps", None)
    has_mps = bool(mps is not None and mps.is_available())
    if req == "auto":
        return "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    if req.startswith("cuda"):
        if not torch.cuda.is_available():
            raise SpecError(f"Device {req!r} was asked for, but this torch has no usable CUDA "
                            f"(torch {torch.__version__}). Use device 'auto' or 'cpu'.")
        return req
    if req == "mps":
        if not has_mps:
            raise SpecError("Device 'mps' was asked for, but Apple MPS is not available. Use 'auto' or 'cpu'.")
        return req
    if req == "cpu":
        return req
    raise SpecError(f"Unknown device {name!r}: use auto, cpu, cuda, cuda:N or mps.")


def device_label(device: str) -> str:
    import torch

    if device.startswith("cuda"):
        return f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return device


def reflectance_to_uint8(x, full_scale: float = 10000.0):
    """Reflectance x 10^4 -> 8-bit values 0..255 as floats: ``floor(clip(x / full_scale, 0, 1) * 255)``
    (rs-embed's conversion of Sentinel-2 RGB for RGB models)."""
    import torch

    return torch.floor(torch.clamp(x / full_scale, 0.0, 1.0) * 255.0)


def normalize(x, mean, std):
    """Per-channel ``(x - mean) / std`` for a (B, C, H, W) tensor."""
    m = x.new_tensor(mean).view(1, -1, 1, 1)
    s = x.new_tensor(std).view(1, -1, 1, 1)
    return (x - m) / s


def build_empty(factory):
    """Build a module on the meta device: no time spent on a random init that the
    weights overwrite. Fill it with :func:`load_weights`."""
    import torch

    with torch.device("meta"):
        return factory()


def load_weights(module, state_dict, strict: bool = True):
    """``load_state_dict(..., assign=True)`` into a module from :func:`build_empty`;
    returns (missing, unexpected) keys."""
    try:
        return module.load_state_dict(state_dict, strict=strict, assign=True)
    except RuntimeError as exc:
        from ..errors import DownloadError

        raise DownloadError(f"The weights do not fit the model architecture: {exc}") from exc


def check_materialized(module):
    """Raise if a parameter or buffer of ``module`` was left without weights."""
    left = [n for n, t in list(module.named_parameters()) + list(module.named_buffers()) if t.is_meta]
    if left:
        from ..errors import DownloadError

        raise DownloadError(f"The weights file lacks {len(left)} tensors of the model, e.g. {left[:5]}.")
    return module


def unwrap_state_dict(obj, keys=("state_dict", "model")) -> dict:
    """The tensor dict inside common checkpoint wrappers, without a
    DataParallel ``module.`` prefix."""
    while isinstance(obj, dict):
        inner = next((obj[k] for k in keys if isinstance(obj.get(k), dict)), None)
        if inner is None:
            break
        obj = inner
    if not isinstance(obj, dict):
        from ..errors import DownloadError

        raise DownloadError(f"The weights file holds a {type(obj).__name__}, not a state dict.")
    if obj and all(k.startswith("module.") for k in obj):
        obj = {k[len("module."):]: v for k, v in obj.items()}
    return obj


def resolve_input_prep(input_prep: str, height: int, width: int, input_size: int) -> str:
    if input_prep == "auto":
        return "tile" if max(height, width) > 2 * input_size else "resize"
    if input_prep not in ("resize", "tile"):
        raise SpecError(f"input_prep must be resize, tile or auto, got {input_prep!r}.")
    return input_prep


class _Prepared:
    """The filled patch and its no-data mask, cut into model inputs."""

    def __init__(self, data: np.ndarray, nodata: np.ndarray, mode: str, size: int, patch: int):
        self.mode, self.size, self.patch = mode, size, patch
        c, h, w = data.shape
        self.height, self.width = h, w
        if mode == "resize":
            self.rows = self.cols = 1
            self.g_rows = self.g_cols = size // patch
            self.data, self.nodata = data, nodata
        else:
            self.rows, self.cols = math.ceil(h / size), math.ceil(w / size)
            self.g_rows, self.g_cols = math.ceil(h / patch), math.ceil(w / patch)
            ph, pw = self.rows * size - h, self.cols * size - w
            # tiles of the last row/column are padded by repeating their edge pixels
            # (when cut, see batch); padding counts as no-data for the token cells
            self.data = data
            self.nodata = np.pad(nodata, ((0, ph), (0, pw)), constant_values=True)
        self.cell_nodata = self._cell_fraction()

    def _cell_fraction(self) -> np.ndarray:
        """Fraction of no-data pixels in each token cell's footprint (g_rows, g_cols)."""
        m = self.nodata.astype(np.float32)
        if self.mode == "resize":
            import torch
            import torch.nn.functional as F

            g = self.size // self.patch
            return F.adaptive_avg_pool2d(torch.from_numpy(m)[None, None], (g, g))[0, 0].numpy()
        p = self.patch
        frac = m.reshape(m.shape[0] // p, p, m.shape[1] // p, p).mean(axis=(1, 3))
        return frac[: self.g_rows, : self.g_cols]

    @property
    def n_tiles(self) -> int:
        return self.rows * self.cols

    def tile_cells(self, i: int) -> Tuple[slice, slice, int, int]:
        """Grid rows/cols the tile's tokens land on and how many of them (cropped)."""
        g = self.size // self.patch
        r, c = divmod(i, self.cols)
        r0, c0 = r * g, c * g
        nr, nc = min(g, self.g_rows - r0), min(g, self.g_cols - c0)
        return slice(r0, r0 + nr), slice(c0, c0 + nc), nr, nc

    def tile_nodata(self, i: int) -> float:
        rs, cs, _, _ = self.tile_cells(i)
        if self.mode == "resize":
            return float(self.cell_nodata.mean())
        r, c = divmod(i, self.cols)
        s = self.size
        return float(self.nodata[r * s:(r + 1) * s, c * s:(c + 1) * s].mean())

    def batch(self, idx, torch) -> "Any":
        """(B, C, S, S) float32 tensor of tiles ``idx`` at model size."""
        s = self.size
        if self.mode == "resize":
            import torch.nn.functional as F

            x = torch.from_numpy(np.ascontiguousarray(self.data))[None]
            if x.shape[-2:] != (s, s):
                x = F.interpolate(x, size=(s, s), mode="bilinear", align_corners=False, antialias=True)
            return x
        tiles = []
        for i in idx:
            r, c = divmod(i, self.cols)
            t = self.data[:, r * s:(r + 1) * s, c * s:(c + 1) * s]
            if t.shape[1:] != (s, s):
                t = np.pad(t, ((0, 0), (0, s - t.shape[1]), (0, s - t.shape[2])), mode="edge")
            tiles.append(t)
        return torch.from_numpy(np.stack(tiles))


class OnTheFlyEmbedder(ChunkedTiles, Embedder):
    """Base class of the on-the-fly models (see the module docstring)."""

    kind: ClassVar[str] = "onthefly"
    backends: ClassVar[Tuple[str, ...]] = IMAGERY_SOURCES
    resolution: ClassVar[str] = "Sentinel-2 at 10 m (sensor scale_m); token cells of patch_size pixels"
    temporal_coverage: ClassVar[str] = "any window with Sentinel-2 L2A imagery (2017 onwards)"
    bands: ClassVar[Tuple[str, ...]] = ()
    input_size: ClassVar[int] = 224
    patch_size: ClassVar[int] = 16
    grid_dim: ClassVar[Optional[int]] = None
    grid_offset_px: ClassVar[int] = 0
    pooled_from: ClassVar[str] = "model projection"
    weights: ClassVar[Any] = None
    config_spec: ClassVar[Any] = None   # a file the weights need beside them (config.json), pinned alike
    install: ClassVar[Dict[str, str]] = {}
    preprocessing: ClassVar[Dict[str, Any]] = {}
    requires: ClassVar[Tuple[str, ...]] = ("torch",)

    def __init__(self):
        self._models: Dict[str, Any] = {}
        self._config: Optional[Config] = None
        self._progress: Progress = NULL_PROGRESS

    # ---- hooks -------------------------------------------------------
    def load_model(self, device: str):
        raise NotImplementedError

    def preprocess(self, x):
        raise NotImplementedError

    def forward_tokens(self, model, x, ctx: TileContext):
        raise NotImplementedError

    # ---- description -------------------------------------------------
    @classmethod
    def token_grid(cls) -> int:
        return cls.input_size // cls.patch_size

    @classmethod
    def describe_extra(cls) -> dict:
        g, gd = cls.token_grid(), cls.grid_dim or cls.dim
        return {
            "input": {"bands": list(cls.bands), "size": cls.input_size, "patch_size": cls.patch_size,
                      "values": "Sentinel-2 L2A surface reflectance x 10^4 (offset removed)",
                      "sources": list(IMAGERY_SOURCES)},
            "preprocessing": dict(cls.preprocessing),
            "outputs": {"pooled": cls.dim, "grid": [gd, g, g],
                        "grid_note": f"{gd} x {g} x {g} per {cls.input_size} px input (resize); "
                                     f"tile: one cell per {cls.patch_size} native pixels"},
            "input_prep": {"resize": "bilinear antialiased resize of the patch to the input size",
                           "tile": "native-resolution tiles, token grids stitched",
                           "auto": f"tile when the patch is larger than {2 * cls.input_size} px"},
            "no_data": "filled with the per-band median of valid pixels; token cells more than "
                       "half no-data are NaN in the grid and left out of pooling",
            "weights": cls.weights.describe() if cls.weights else None,
            **({"config": cls.config_spec.describe()} if cls.config_spec else {}),
        }

    def pooled_desc(self, request) -> str:
        return self.pooled_from

    # ---- resources ---------------------------------------------------
    def check_requirements(self):
        for mod in self.requires:
            require(mod, self.install.get(mod, DEFAULT_INSTALL.get(mod, mod)), f"the model {self.model_id}")

    def fetch_weights(self):
        """Verified local path of ``self.weights`` (downloaded once)."""
        from ..weights import ensure_weights

        return ensure_weights(self.weights, self._config or get_config(), self._progress)

    def fetch_config(self):
        """Verified local path of ``self.config_spec``, the file the weights need beside them."""
        from ..weights import ensure_weights

        return ensure_weights(self.config_spec, self._config or get_config(), self._progress)

    def model(self, device: str, config: Optional[Config] = None):
        """The loaded module for ``device`` (loaded once per instance)."""
        if device not in self._models:
            self.check_requirements()
            saved = self._config
            self._config = config or saved
            try:
                self._progress.info(f"Loading {self.model_id} on {device}…")
                m = self.load_model(device)
            finally:
                self._config = saved
            m.eval()
            self._models[device] = m.to(device)
        return self._models[device]

    # ---- embedding ---------------------------------------------------
    def embed(self, request: EmbedRequest) -> Embedding:
        self.check_backend(request.backend)
        self.check_requirements()
        patch = self.fetch_patch(request, request.progress.sub(0.0, 0.3))
        return self.embed_patch(patch, output=request.output, input_prep=request.input_prep,
                                device=request.device or request.config.device,
                                progress=request.progress.sub(0.3, 1.0), request=request,
                                config=request.config)

    def fetch_patch(self, request: EmbedRequest, progress: Progress = NULL_PROGRESS, grid=None):
        try:
            from ..imagery import get_patch
            from ..imagery.base import ImageryRequest
        except ImportError as exc:
            raise RSEmbedError(f"Imagery sources are not available in this installation: {exc}") from exc
        opts = request.options or {}
        if request.temporal is None and not opts.get("input_raster"):
            raise SpecError(f"{self.model_id} embeds imagery: give a time window "
                            "(temporal=TemporalSpec.year(...) or .range(...)) or an input raster.")
        sensor = request.sensor or SensorSpec(scale_m=request.output.scale_m or 10.0)
        ireq = ImageryRequest(spatial=request.spatial, temporal=request.temporal, bands=list(self.bands),
                              sensor=sensor, source=request.backend,
                              input_raster=opts.get("input_raster"), band_map=opts.get("band_map"),
                              grid=grid, progress=progress)  # grid: a window of the ROI's grid (chunks)
        return get_patch(ireq, request.config)

    def embed_grid_and_pooled(self, request: EmbedRequest):
        """(grid, pooled) from one fetch and one forward pass (Embed ROI writes both)."""
        self.check_backend(request.backend)
        self.check_requirements()
        patch = self.fetch_patch(request, request.progress.sub(0.0, 0.3))
        return self.embed_patch_both(patch, output=OutputSpec("grid", request.output.pooling),
                                     input_prep=request.input_prep,
                                     device=request.device or request.config.device,
                                     progress=request.progress.sub(0.3, 1.0), request=request,
                                     config=request.config)

    def embed_patch(self, patch, output: Optional[OutputSpec] = None, input_prep: str = "resize",
                    device: Optional[str] = None, progress: Progress = NULL_PROGRESS,
                    request: Optional[EmbedRequest] = None, config: Optional[Config] = None) -> Embedding:
        """Embed an ImageryPatch (reflectance x 10^4, NaN = no data) without fetching."""
        output = output or OutputSpec.grid()
        grid, pooled = self.embed_patch_both(patch, output, input_prep, device, progress, request, config)
        return grid if output.mode == "grid" else pooled

    def embed_patch_both(self, patch, output: OutputSpec, input_prep: str = "resize",
                         device: Optional[str] = None, progress: Progress = NULL_PROGRESS,
                         request: Optional[EmbedRequest] = None, config: Optional[Config] = None):
        """(grid Embedding, pooled Embedding) of an ImageryPatch from one forward pass."""
        cfg = config or (request.config if request else None) or get_config()
        self.check_requirements()
        data, nodata = self._select(patch)
        h, w = nodata.shape
        mode = resolve_input_prep(input_prep, h, w, self.input_size)
        prep = _Prepared(data, nodata, mode, self.input_size, self.patch_size)
        dev = resolve_device(device or cfg.device)
        self._config, self._progress = cfg, progress.sub(0.0, 0.2)  # weights download / load
        try:
            model = self.model(dev)
        finally:
            self._config, self._progress = None, NULL_PROGRESS
        progress = progress.sub(0.2, 1.0)
        rx, ry = patch.grid.res
        t = patch.grid.transform
        if mode == "resize":
            cw, ch = w * rx / prep.g_cols, h * ry / prep.g_rows
            gsd = 0.5 * (w * rx + h * ry) / self.input_size
        else:
            cw, ch = self.patch_size * rx, self.patch_size * ry
            gsd = 0.5 * (rx + ry)
        ctx = TileContext(gsd_m=gsd, patch=patch, request=request, input_prep=mode)
        grid, pooled_tiles = self._infer(model, dev, prep, ctx, progress, cfg.batch_size)
        grid[:, prep.cell_nodata > NODATA_TOKEN_FRACTION] = np.nan
        from affine import Affine

        a, e = math.copysign(cw, t.a), math.copysign(ch, t.e)
        shift = self.grid_offset_px / self.patch_size  # of a cell, up-left
        transform = Affine(a, 0.0, t.c - shift * a, 0.0, e, t.f - shift * e)
        meta = self._meta(request, patch, prep, dev, gsd, output)
        emb = Embedding(make_grid(grid, patch.grid.crs, transform), meta)
        if pooled_tiles:
            vecs = np.stack([v for v, frac in pooled_tiles if frac <= NODATA_TOKEN_FRACTION]
                            or [v for v, _ in pooled_tiles])
            vec = vecs.mean(0) if output.pooling == "mean" else vecs.max(0)
            m = dict(meta, output="pooled", pooling=output.pooling, pooled_from=self.pooled_desc(request),
                     coverage_fraction=float(1.0 - prep.cell_nodata.mean()), grid_shape=list(grid.shape))
            return emb, Embedding(vec.astype(np.float32), m)
        pooled = emb.pooled(output.pooling)
        pooled.meta["pooled_from"] = "patch tokens (class token removed)"
        return emb, pooled

    def model_input(self, patch, input_prep: str = "resize", device: str = "cpu", request=None):
        """The exact tensor the model gets for ``patch``: (tiles, C, S, S) float32 after
        no-data filling, resize/tiling and ``preprocess``, plus where it lies:
        ``(array, crs, transform, info)``; tiles are stitched back into one raster
        (resize: one S x S image over the patch extent; tile: native pixels, padding kept)."""
        import torch

        from affine import Affine

        data, nodata = self._select(patch)
        h, w = nodata.shape
        mode = resolve_input_prep(input_prep, h, w, self.input_size)
        prep = _Prepared(data, nodata, mode, self.input_size, self.patch_size)
        s = self.input_size
        with torch.inference_mode():
            x = self.preprocess(prep.batch(list(range(prep.n_tiles)), torch).to(device)).float().cpu().numpy()
        t = patch.grid.transform
        if mode == "resize":
            px, py = w * abs(t.a) / s, h * abs(t.e) / s
            arr = x[0]
        else:
            px, py = abs(t.a), abs(t.e)
            c = x.shape[1]
            arr = x.reshape(prep.rows, prep.cols, c, s, s).transpose(2, 0, 3, 1, 4).reshape(
                c, prep.rows * s, prep.cols * s)
        transform = Affine(math.copysign(px, t.a), 0.0, t.c, 0.0, math.copysign(py, t.e), t.f)
        info = {"model": self.model_id, "input_prep": mode, "tiles": prep.n_tiles, "input_size": s,
                "bands": list(self.bands), "nodata_fraction": float(nodata.mean()),
                "nodata_fill": "per-band median of valid pixels",
                "preprocessing": dict(self.preprocessing)}
        return arr, patch.grid.crs, transform, info

    def _select(self, patch):
        missing = [b for b in self.bands if b not in list(patch.bands)]
        if missing:
            raise SpecError(f"{self.model_id} needs bands {list(self.bands)}; the imagery lacks {missing}. "
                            "Map them with band_map or use a raster that has them.")
        idx = [list(patch.bands).index(b) for b in self.bands]
        data = np.array(patch.data[idx], dtype=np.float32)  # our own copy, filled in place
        nodata = ~np.isfinite(data).all(axis=0)
        if nodata.all():
            raise DataUnavailableError("The imagery patch has no valid pixels (all no-data / clouds).")
        if nodata.any():
            for band in data:
                band[nodata] = np.median(band[~nodata])
        return data, nodata

    def _infer(self, model, dev, prep: _Prepared, ctx, progress: Progress, batch_size: int):
        import torch

        g = self.token_grid()
        todo = [i for i in range(prep.n_tiles) if prep.tile_nodata(i) < 1.0]
        grid = None
        pooled_tiles = []
        for start in range(0, len(todo), max(1, int(batch_size))):
            progress.check()
            idx = todo[start:start + batch_size]
            with torch.inference_mode():
                x = self.preprocess(prep.batch(idx, torch).to(dev))
                out = self.forward_tokens(model, x, ctx)
                tokens, pooled = out if isinstance(out, tuple) else (out, None)
                tokens = tokens.float().cpu().numpy()
                pooled = None if pooled is None else pooled.float().cpu().numpy()
            b, n, d = tokens.shape
            if b != len(idx) or n != g * g:
                raise RSEmbedError(f"{self.model_id}: expected {len(idx)} x {g * g} tokens, got {tokens.shape}.")
            if grid is None:
                grid = np.full((d, prep.g_rows, prep.g_cols), np.nan, dtype=np.float32)
            for j, i in enumerate(idx):
                rs, cs, nr, nc = prep.tile_cells(i)
                grid[:, rs, cs] = tokens[j].reshape(g, g, d)[:nr, :nc].transpose(2, 0, 1)
                if pooled is not None:
                    pooled_tiles.append((pooled[j], prep.tile_nodata(i)))
            progress.update(min(1.0, (start + len(idx)) / len(todo)),
                            f"{self.model_id}: {start + len(idx)}/{len(todo)} tiles")
        return grid, pooled_tiles

    def _meta(self, request, patch, prep: _Prepared, dev: str, gsd: float, output: OutputSpec) -> dict:
        meta = self.base_meta(request) if request is not None else {
            "model": self.model_id, "kind": self.kind, "output": output.mode}
        meta.update({
            "device": device_label(dev), "input_prep": prep.mode, "tiles": prep.n_tiles,
            "input_size": self.input_size, "patch_size": self.patch_size, "input_gsd_m": gsd,
            "grid_offset_px": self.grid_offset_px,
            "bands": list(self.bands), "patch_shape": [int(prep.height), int(prep.width)],
            "patch_res_m": list(patch.grid.res), "nodata_fraction": float(prep.nodata[: prep.height, : prep.width].mean()),
            "nodata_fill": "per-band median of valid pixels",
            "preprocessing": dict(self.preprocessing),
            "weights": self.weights.describe() if self.weights else None,
            "imagery": dict(getattr(patch, "meta", {}) or {}),
        })
        if request is not None:
            meta["imagery_source"] = request.backend
        return meta
