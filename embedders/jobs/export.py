"""Export batch as a job: params models, spatials (list of job spatial
specs), names, temporal, out_dir, fmt, resume, continue_on_error, backend,
imagery_source."""
from __future__ import annotations

from .common import spatial_from, temporal_from


def export_batch(params: dict, progress) -> dict:
    from ..export import export_batch as run

    return run(params["models"], [spatial_from(s) for s in params["spatials"]], params["out_dir"],
               temporal=temporal_from(params.get("temporal")), names=params.get("names"),
               fmt=params.get("fmt", "geotiff"), resume=bool(params.get("resume", True)),
               continue_on_error=bool(params.get("continue_on_error", False)),
               backend=params.get("backend") or "auto", imagery_source=params.get("imagery_source") or "auto",
               progress=progress)
