"""Embed features: one pooled embedding per feature (a square around a point,
or a bounding box), the model loaded once for all. A feature that fails is
reported and left without a vector; the job fails only if every one does."""
from __future__ import annotations

from pathlib import Path

from ..errors import DataUnavailableError, SpecError
from ..fileio import atomic_path, temp_path
from .common import embed_kwargs, spatial_from, temporal_from
from .staging import finite


def embed_features(params: dict, progress) -> dict:
    """params: model, temporal, backend / imagery_source (and the other
    options of :func:`common.embed_kwargs`), vectors_folder (where the
    vectors go), features: one entry per feature, in EPSG:4326 lon/lat:
    ``{"point": [lon, lat], "buffer_m": m}``, ``{"bbox": [minlon, minlat,
    maxlon, maxlat]}`` or ``{"error": "why it has no ROI"}``.

    Outputs: ``vectors`` a temporary .npy (features x dim float32, NaN rows
    for failures) in vectors_folder, tagged with this job's id (the caller
    reads it, then moves or removes it); ``dim``; per feature ``coverage``
    (None on failure) and ``errors`` (None on success)."""
    import numpy as np

    from ..api import get_embeddings_batch

    model = params.get("model")
    if not model:
        raise SpecError("The job needs a 'model'.")
    folder = params.get("vectors_folder")
    if not folder:
        raise SpecError("The job needs a 'vectors_folder' for the vectors it returns.")
    items = list(params.get("features") or [])
    if not items:
        raise SpecError("The layer has no features to embed.")
    temporal = temporal_from(params.get("temporal"))
    kwargs = embed_kwargs(model, params)
    Path(folder).mkdir(parents=True, exist_ok=True)  # an unusable folder fails before any embedding
    errors, rois = [None] * len(items), []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or item.get("error"):
            errors[i] = str(item.get("error") if isinstance(item, dict) else "no geometry")
            continue
        try:
            rois.append((i, spatial_from(item)))
        except SpecError as exc:
            errors[i] = str(exc)
    progress.info(f"Embedding {len(items)} features with {model} for {temporal}")
    embs = get_embeddings_batch(model, spatials=[s for _, s in rois], temporal=temporal,
                                progress=progress.sub(0.0, 0.95), on_error="return", **kwargs) if rois else []
    vectors, coverage = {}, [None] * len(items)
    for (i, _), emb in zip(rois, embs):
        if isinstance(emb, Exception):
            errors[i] = f"{type(emb).__name__}: {emb}"
        else:
            vectors[i] = np.asarray(emb.data, dtype=np.float32).ravel()
            coverage[i] = float(emb.meta.get("coverage_fraction", 1.0))
    if not vectors:
        reasons = sorted({e for e in errors if e})[:5]
        raise DataUnavailableError("No feature could be embedded: " + "; ".join(reasons))
    dim = len(next(iter(vectors.values())))
    array = np.full((len(items), dim), np.nan, dtype=np.float32)
    for i, v in vectors.items():
        array[i] = v
    path = temp_path(Path(folder) / "vectors.npy")
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.save(fh, array)
    progress.update(1.0, f"{len(vectors)} of {len(items)} features embedded ({dim} dimensions).")
    return finite({"vectors": str(path), "dim": dim, "model": model, "coverage": coverage, "errors": errors,
                   "embedded": len(vectors), "time": str(temporal)})
