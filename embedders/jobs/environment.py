"""Check environment, run inside the worker's own environment: the report
of :mod:`..environment` for the core's Python (never QGIS's)."""
from __future__ import annotations


def environment_report(params: dict, progress) -> dict:
    """params: verify_imports (import each present package, in a child
    process), with_gpu (ask torch which device it sees); both default true."""
    from ..environment import environment_report as report

    progress.info("Checking the core's environment…")
    out = report(verify_imports=bool(params.get("verify_imports", True)),
                 with_gpu=bool(params.get("with_gpu", True))).to_dict()
    progress.update(1.0)
    return out
