"""Outputs staged under temporary names that the job itself reads before they
are committed (a model's grid compared before the report exists, a scratch
grid that is never committed)."""
from __future__ import annotations

import math
from pathlib import Path

from ..fileio import OutputSet


class StagedOutputs(OutputSet):
    """An OutputSet that remembers where each output is staged."""

    def __init__(self):
        super().__init__()
        self.staged = {}

    def path(self, final) -> Path:
        tmp = super().path(final)
        self.staged[Path(final)] = tmp
        return tmp

    def temp_of(self, final) -> Path:
        return self.staged[Path(final)]


def commit_all(sets) -> None:
    for s in sets:
        s.commit()


def discard_all(sets) -> None:
    for s in sets:
        s.discard()


def finite(value):
    """``value`` with NaN/inf floats as None, recursively: job outputs are strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # numpy scalar
        return finite(value.item())
    return value
