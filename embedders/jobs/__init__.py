"""Job kinds: what the worker can run. A job is a JSON-able spec

    {"version": 1, "id": "<hex>", "kind": "embed_roi", "params": {...}, "config": {...},
     "env": {"RS_EMBED_...": "..."}}

``params`` are in core terms (lon/lat boxes, ISO dates, model ids, output
paths); ``config`` holds the settings (cache folder, Earth Engine project...).
Each kind is a plain function ``(params, progress) -> outputs`` (a JSON-able
dict). The QGIS side, ``qgis_process``, the drawn-extent task and a Python
script all send the same specs (``embedders.jobclient``).
"""
from __future__ import annotations

import importlib
from typing import Callable, Dict

from ..errors import SpecError

JOB_VERSION = 1

# kind -> "module:function" (imported on first use: only what the job needs loads)
KINDS: Dict[str, str] = {
    "embed_roi": "embed:embed_roi",
    "environment_report": "environment:environment_report",
    "compare_models": "compare:compare_models",
    "similarity_map": "analysis:similarity_map",
    "cluster_embeddings": "analysis:cluster_embeddings",
    "pca_rgb": "analysis:pca_rgb",
    "embedding_change": "analysis:embedding_change",
    "embed_features": "features:embed_features",
    "fetch_imagery": "imagery:fetch_imagery",
    "export_batch": "export:export_batch",
    "classify_embeddings": "learn:classify_embeddings",
    "regress_embeddings": "learn:regress_embeddings",
    "apply_model": "learn:apply_model",
}


def register(kind: str, target: str) -> None:
    KINDS[kind] = target


def resolve(kind: str) -> Callable:
    try:
        module, func = KINDS[kind].split(":")
    except KeyError:
        raise SpecError(f"Unknown job kind {kind!r}; known: {', '.join(sorted(KINDS))}.") from None
    return getattr(importlib.import_module(f".{module}", __name__), func)


def validate(spec) -> dict:
    """The spec, checked: right version, known kind, params a dict."""
    if not isinstance(spec, dict):
        raise SpecError("A job spec is a JSON object.")
    if spec.get("version") != JOB_VERSION:
        raise SpecError(f"Job spec version {spec.get('version')!r} is not supported (this core speaks "
                        f"version {JOB_VERSION}): update the plugin and its environment together.")
    if spec.get("kind") not in KINDS:
        resolve(spec.get("kind"))
    if not isinstance(spec.get("params", {}), dict) or not isinstance(spec.get("config", {}), dict):
        raise SpecError("A job spec's 'params' and 'config' are JSON objects.")
    return spec


def run(spec: dict, progress) -> dict:
    """Run one validated job in this process."""
    from ..config import configure, reset_overrides

    validate(spec)
    reset_overrides()
    configure(**{k: v for k, v in (spec.get("config") or {}).items() if v not in (None, "")})
    return resolve(spec["kind"])(dict(spec.get("params") or {}), progress)
