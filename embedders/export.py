"""``export_batch``: many ROIs or points and one or more models to files,
through the same engine as Embed ROI (``jobs.embed.embed_to_files``).

* ``fmt="geotiff"``: ``<out>/<item>/<model>.tif`` per item and model (the grid).
* ``fmt="netcdf"``: one ``<out>/embeddings.nc`` with, per model, the pooled
  vectors (item x dim) and the coverage of every item.

``<out>/manifest.json`` lists every item and model with its status, file,
coverage and the fingerprint of its request. ``resume=True`` skips what a
previous run of the same request finished (its file still there);
``continue_on_error=True`` records a failing item and goes on, otherwise the
first failure stops the run (what finished stays, and is resumable).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Iterable, List, Optional, Sequence

from .errors import CancelledError, SpecError
from .fileio import OutputSet, atomic_path
from .progress import NULL_PROGRESS
from .version import __version__

FORMATS = ("geotiff", "netcdf")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._") or "item"


def _fingerprint(model, spatial, temporal, backend, fmt) -> str:
    from .jobs.embed import _spatial_dict, _temporal_dict

    spec = {"model": model, "spatial": _spatial_dict(spatial), "temporal": _temporal_dict(temporal),
            "backend": backend, "fmt": fmt, "version": __version__}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:24]


def _load_manifest(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _save_manifest(path: Path, manifest: dict):
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, default=str))


def export_batch(models: Sequence[str], spatials: Iterable, out_dir, temporal=None,
                 names: Optional[Sequence[str]] = None, fmt: str = "geotiff", resume: bool = True,
                 continue_on_error: bool = False, backend: str = "auto", imagery_source: str = "auto",
                 progress=None) -> dict:
    """Embed every ROI with every model; returns the manifest (also written)."""
    from . import catalog
    from .jobs.embed import embed_to_files
    from .registry import resolve
    from .specs import check_spatial, check_temporal

    progress = progress or NULL_PROGRESS
    if fmt not in FORMATS:
        raise SpecError(f"fmt must be one of {FORMATS}, got {fmt!r}.")
    models = [resolve(m) for m in models]
    spatials = list(spatials)
    if not models or not spatials:
        raise SpecError("export_batch needs at least one model and one ROI.")
    for s in spatials:
        check_spatial(s)
    check_temporal(temporal)
    names = [_safe(n) for n in (names or [f"item_{i:04d}" for i in range(len(spatials))])]
    if len(names) != len(spatials) or len(set(names)) != len(names):
        raise SpecError("names must be unique, one per ROI.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    man_path = out / "manifest.json"
    old = {(e["item"], e["model"]): e for e in _load_manifest(man_path).get("entries", [])} if resume else {}
    manifest = {"plugin_version": __version__, "format": fmt, "models": models,
                "temporal": str(temporal) if temporal else None, "entries": []}
    pooled = {m: {} for m in models}
    scratch = out / ".scratch"
    jobs_total = len(models) * len(spatials)
    k = 0
    try:
        for name, spatial in zip(names, spatials):
            for model in models:
                progress.check()
                sub = progress.sub(k / jobs_total, (k + 1) / jobs_total)
                k += 1
                fp = _fingerprint(model, spatial, temporal, backend, fmt)
                prev = old.get((name, model))
                if prev and prev.get("status") == "ok" and prev.get("fingerprint") == fp and \
                        (fmt != "geotiff" or Path(out / prev["path"]).exists()):
                    manifest["entries"].append(prev)
                    if fmt == "netcdf":
                        pooled[model][name] = (prev["pooled"], prev["coverage"])
                    sub.update(1.0, f"{name} / {model}: done in an earlier run")
                    continue
                entry = {"item": name, "model": model, "fingerprint": fp, "roi": list(spatial.bounds_4326())}
                kwargs = {"backend": catalog.route(model, backend, imagery_source)}
                grid_path = out / name / f"{model}.tif" if fmt == "geotiff" else scratch / f"{name}_{model}.tif"
                try:
                    with OutputSet() as outs:
                        res = embed_to_files(model, spatial, temporal, kwargs, grid_path, None, outs, sub)
                    entry.update(status="ok", coverage=res.coverage, shape=res.shape, crs=res.crs)
                    if fmt == "geotiff":
                        entry["path"] = str(grid_path.relative_to(out))
                    else:
                        entry["pooled"] = res.pooled
                        pooled[model][name] = (res.pooled, res.coverage)
                        os.remove(grid_path)
                except CancelledError:
                    raise
                except Exception as exc:  # recorded; stops unless continue_on_error
                    from .errors_text import user_message

                    entry.update(status="error", error=f"{type(exc).__name__}: {user_message(exc)}")
                    manifest["entries"].append(entry)
                    _save_manifest(man_path, manifest)
                    if not continue_on_error:
                        raise
                    sub.info(f"{name} / {model} failed: {entry['error']}")
                    continue
                manifest["entries"].append(entry)
                _save_manifest(man_path, manifest)
        if fmt == "netcdf":
            _write_netcdf(out / "embeddings.nc", names, pooled)
            manifest["file"] = "embeddings.nc"
        _save_manifest(man_path, manifest)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return manifest


def _write_netcdf(path: Path, names: List[str], pooled: dict):
    """Pooled vectors per model (item x dim, NaN where an item failed) and coverage."""
    import numpy as np
    import xarray as xr

    data = {}
    for model, got in pooled.items():
        if not got:
            continue
        dim = len(next(iter(got.values()))[0])
        arr = np.full((len(names), dim), np.nan, dtype=np.float32)
        cov = np.full(len(names), np.nan, dtype=np.float32)
        for i, n in enumerate(names):
            if n in got:
                arr[i], cov[i] = got[n][0], got[n][1]
        data[model] = (("item", f"{model}_dim"), arr)
        data[f"{model}_coverage"] = (("item",), cov)
    ds = xr.Dataset(data, coords={"item": names}, attrs={"rs_embed_plugin_version": __version__})
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="scipy")
