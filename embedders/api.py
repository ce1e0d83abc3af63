"""The public entry points: ``get_embedding`` and ``get_embeddings_batch``."""
from __future__ import annotations

from typing import Iterable, List, Optional

from .base import EmbedRequest
from .config import get_config
from .embedding import Embedding
from .errors import CancelledError, RSEmbedError, SpecError
from .progress import NULL_PROGRESS, Progress
from .registry import create_embedder
from .specs import OutputSpec, SensorSpec, check_spatial, check_temporal


def _request(spatial, temporal, output, sensor, backend, input_prep, device, progress, options, config):
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
    req = _request(spatial, temporal, output, sensor, backend, input_prep, device, progress, options, config)
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
                   device, progress, options, config)
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
