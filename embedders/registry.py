"""The model registry: ids, aliases, descriptions.

A model is one module defining an :class:`~embedders.base.Embedder` subclass
decorated with ``@register``; its package ``__init__`` imports the module.
Model modules import heavy libraries (torch, ...) only inside methods, so
listing models stays cheap.
"""
from __future__ import annotations

import difflib
import threading
from typing import Dict, List, Type

from .errors import ModelNotFoundError

_MODELS: Dict[str, Type] = {}
_ALIASES: Dict[str, str] = {}
_loaded = False


def register(cls):
    """Class decorator: register an Embedder under ``cls.model_id`` and its aliases."""
    mid = cls.model_id
    if not mid or mid != mid.lower():
        raise ValueError(f"model ids are lowercase and non-empty: {mid!r}")
    if mid in _MODELS and _MODELS[mid] is not cls:
        raise ValueError(f"model id {mid!r} registered twice")
    _MODELS[mid] = cls
    for alias in getattr(cls, "aliases", ()):
        _ALIASES[alias.lower()] = mid
    return cls


_LOAD_LOCK = threading.RLock()  # background tasks may list models concurrently


def _load_builtin():
    global _loaded
    if _loaded:
        return
    with _LOAD_LOCK:
        if not _loaded:
            from . import products, models  # noqa: F401  (registration side effects)
            _loaded = True


def resolve(name: str) -> str:
    _load_builtin()
    key = str(name).strip().lower()
    if key in _MODELS:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    known = sorted(_MODELS) + sorted(_ALIASES)
    close = difflib.get_close_matches(key, known, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise ModelNotFoundError(
        f"Unknown model {name!r}.{hint} Available models: {', '.join(sorted(_MODELS))}."
    )


def get_embedder_class(name: str):
    return _MODELS[resolve(name)]


def create_embedder(name: str, **kwargs):
    return get_embedder_class(name)(**kwargs)


def list_models(kind: str = None) -> List[str]:
    """Registered model ids, optionally only ``precomputed`` or ``onthefly``."""
    _load_builtin()
    return sorted(m for m, c in _MODELS.items() if kind is None or c.kind == kind)


def describe_model(name: str) -> dict:
    """What a model is and what it needs: dims, resolution, inputs, preprocessing.
    For a known model that is not offered (``models.not_offered``): why not."""
    from .models.not_offered import NOT_OFFERED

    key = str(name).strip().lower()
    if key in NOT_OFFERED and key not in _MODELS and key not in _ALIASES:
        return dict(NOT_OFFERED[key])
    return get_embedder_class(name).describe()


def aliases() -> Dict[str, str]:
    _load_builtin()
    return dict(_ALIASES)
