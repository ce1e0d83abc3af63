"""Precomputed embedding products. Each module registers one model."""
from . import tessera  # noqa: F401
