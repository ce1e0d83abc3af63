"""The public entry points: ``get_embedding`` and ``get_embeddings_batch``."""
from __future__ import annotations

from typing import Iterable, List, Optional

from . import catalog
from .base import EmbedRequest
from .config import get_config
from .embedding import Embedding
from .errors import CancelledError, RSEmbedError, SpecError
from .progress import NULL_PROGRESS, Progress
from .registry import create_embedder
from .specs import OutputSpec, SensorSpec, check_spatial, check_temporal


def _request(spatial, temporal, output, sensor, backend, input_prep, device, progress, options, config,
             model=None):
    if model in catalog.CARDS:   # models registered by users declare no option list
        catalog.check_options(model, options)
    check_spatial(spatial)
    check_temporal(temporal)
    output = output or OutputSpec.pooled()
    if not isinstance(output, OutputSpec):
        raise SpecError(f"output must be an OutputSpec, got {type(output).__name__}.")
    if sensor is not None and not isinstance(sensor, SensorSpec):
        raise SpecError(f"sensor must be a SensorSpec, got {type(sensor).__name__}.")
    cfg = config or get_config()
    return EmbedRequest(spatial=spatial, temporal=temporal, output=output, sensor=sensor,
                        backend=backend, input_prep=input_prep, device=device,
                        options=dict(options or {}), progress=progress or NULL_PROGRESS, config=cfg)


def get_embedding(model: str, *, spatial, temporal=None, output: Optional[OutputSpec] = None,
                  sensor: Optional[SensorSpec] = None, backend: str = "auto",
                  input_prep: str = "resize", device: Optional[str] = None,
                  progress: Optional[Progress] = None, config=None, **options) -> Embedding:
    """Embedding of one ROI by one model.

    >>> get_embedding("tessera", spatial=PointBuffer(0.2, 52.05, 2000),
    ...               temporal=TemporalSpec.year(2024), output=OutputSpec.grid())
    """
    embedder = create_embedder(model)
    req = _request(spatial, temporal, output, sensor, backend, input_prep, device, progress, options, config,
                   embedder.model_id)
    req.progress.check()
    return embedder.embed(req)


def get_grid_and_pooled(model: str, *, spatial, temporal=None, pooling: str = "mean",
                        sensor: Optional[SensorSpec] = None, backend: str = "auto",
                        input_prep: str = "resize", device: Optional[str] = None,
                        progress: Optional[Progress] = None, config=None, embedder=None, **options):
    """Grid and pooled embeddings of one ROI from a single fetch/forward
    (``embedder``: an instance to reuse, e.g. a warm worker's)."""
    embedder = embedder or create_embedder(model)
    req = _request(spatial, temporal, OutputSpec("grid", pooling), sensor, backend, input_prep,
                   device, progress, options, config, embedder.model_id)
    req.progress.check()
    return embedder.embed_grid_and_pooled(req)


def get_embeddings_batch(model: str, *, spatials: Iterable, temporal=None,
                         output: Optional[OutputSpec] = None, sensor=None, backend: str = "auto",
                         input_prep: str = "resize", device=None, progress: Optional[Progress] = None,
                         config=None, on_error: str = "raise", **options) -> List[Embedding]:
    """Embeddings of many ROIs by one model; the model is created (and its
    weights loaded) once and reused for every ROI.

    ``on_error="return"``: an ROI that fails with an RSEmbedError (bad spec, no
    data...) gets that exception in its slot instead of stopping the batch;
    cancelling always raises."""
    if on_error not in ("raise", "return"):
        raise SpecError(f"on_error must be 'raise' or 'return', got {on_error!r}.")
    spatials = list(spatials)
    progress = progress or NULL_PROGRESS
    embedder = create_embedder(model)
    if embedder.model_id in catalog.CARDS:   # an unknown option stops the batch before any work
        catalog.check_options(embedder.model_id, options)
    if on_error == "raise":  # validate every ROI before any work
        reqs = [_request(s, temporal, output, sensor, backend, input_prep, device, None, options, config)
                for s in spatials]
    out = []
    n = max(1, len(spatials))
    for i, spatial in enumerate(spatials):
        progress.check()
        try:
            req = reqs[i] if on_error == "raise" else _request(
                spatial, temporal, output, sensor, backend, input_prep, device, None, options, config)
            req.progress = progress.sub(i / n, (i + 1) / n)
            out.append(embedder.embed(req))
        except CancelledError:
            raise
        except RSEmbedError as exc:
            if on_error == "raise":
                raise
            out.append(exc)
    progress.update(1.0)
    return out


def _onthefly(model: str):
    from .models.base import OnTheFlyEmbedder

    embedder = create_embedder(model)
    if not isinstance(embedder, OnTheFlyEmbedder):
        raise SpecError(f"{model!r} is a precomputed product: it has no model input to inspect or "
                        "embed from your own data. Use an on-the-fly model (list_models('onthefly')).")
    return embedder


def inspect_model_input(model: str, *, spatial=None, temporal=None, sensor: Optional[SensorSpec] = None,
                        backend: str = "auto", input_prep: str = "resize", output_path=None,
                        progress: Optional[Progress] = None, config=None, patch=None, **options) -> dict:
    """The exact tensor an on-the-fly model gets for an ROI (or a given ImageryPatch):
    imagery fetched as for ``get_embedding``, no-data filled, resized or tiled and
    preprocessed. Returns ``{"array": (C, H, W) float32, "crs", "transform", "stats":
    per band min/max/mean/std, "path": GeoTIFF written atomically when output_path is
    given, plus the model's preprocessing and how the patch was prepared}``."""
    import numpy as np

    embedder = _onthefly(model)
    embedder.check_requirements()
    cfg = config or get_config()
    if patch is None:
        req = _request(spatial, temporal, None, sensor, backend, input_prep, None, progress, options, cfg,
                       embedder.model_id)
        patch = embedder.fetch_patch(req, req.progress)
    else:
        req = None
    arr, crs, transform, info = embedder.model_input(patch, input_prep, request=req)
    stats = [{"band": b, "min": float(np.min(a)), "max": float(np.max(a)), "mean": float(np.mean(a)),
              "std": float(np.std(a))} for b, a in zip(embedder.bands, arr)]
    out = dict(info, array=arr, crs=crs, transform=tuple(transform)[:6], stats=stats,
               imagery=dict(getattr(patch, "meta", {}) or {}), path=None)
    if output_path is not None:
        import json

        from .writers import geotiff_writer

        c, h, w = arr.shape
        tags = {"RS_EMBED_MODEL_INPUT": json.dumps({k: v for k, v in out.items() if k != "array"}, default=str)}
        with geotiff_writer(output_path, w, h, c, "float32", crs, transform, None, tags,
                            [f"{b} (model input)" for b in embedder.bands]) as dst:
            dst.write(arr.astype("float32"))
        out["path"] = str(output_path)
    return out


def get_embedding_from_data(model: str, data, *, bands=None, crs=None, transform=None, nodata=None,
                            band_map=None, value_scale: float = 1.0, output: Optional[OutputSpec] = None,
                            input_prep: str = "resize", device: Optional[str] = None,
                            temporal=None, progress: Optional[Progress] = None, config=None,
                            **options) -> Embedding:
    """Embed imagery the user already has with an on-the-fly model.

    ``data``: a (C, H, W) array of Sentinel-2 reflectance x 10^4 with ``bands`` (names
    in array order), ``crs`` and GDAL ``transform``; or the path of a raster (bands by
    ``band_map`` or Sentinel-2 band descriptions, ``value_scale`` to reach x 10^4, its
    nodata as no data). ``temporal`` feeds models with date side inputs (Prithvi-TL,
    OlmoEarth). Output and grid georeferencing are those of ``get_embedding``."""
    import os

    from .models import userdata

    embedder = _onthefly(model)
    embedder.check_requirements()
    if isinstance(data, (str, os.PathLike)):
        patch = userdata.patch_from_raster(data, list(bands or embedder.bands), band_map, value_scale)
    else:
        if bands is None:
            raise SpecError(f"Name the array's bands in order (bands=[...]); {model} uses {list(embedder.bands)}.")
        patch = userdata.patch_from_array(data, bands, crs, transform, nodata)
    output = output or OutputSpec.pooled()
    cfg = config or get_config()
    from .geo import transform_bounds
    from .specs import BBox

    g = patch.grid
    spatial = BBox(*transform_bounds(g.crs, "EPSG:4326", g.bounds), footprint=(g.crs, *g.bounds))
    req = EmbedRequest(spatial=spatial, temporal=temporal, output=output, sensor=None, backend="local",
                       input_prep=input_prep, device=device, options=dict(options or {}),
                       progress=progress or NULL_PROGRESS, config=cfg)
    emb = embedder.embed_patch(patch, output=output, input_prep=input_prep, device=device,
                               progress=req.progress, request=req, config=cfg)
    emb.meta["input"] = dict(patch.meta)
    return emb
