"""Precomputed embedding products. Each module registers one model."""
from . import gse, copernicus  # noqa: F401
from . import tessera  # noqa: F401
