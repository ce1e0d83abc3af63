"""Check environment, run inside the worker's own environment."""
from __future__ import annotations


def environment_report(params: dict, progress) -> dict:
    from ..environment import environment_report as report

    progress.info("Checking the core's environment…")
    return report(verify_imports=bool(params.get("verify_imports", True))).to_dict()
