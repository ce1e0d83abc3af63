"""Base class of every model and the request it receives."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, Optional, Tuple

from .config import Config, get_config
from .embedding import Embedding
from .errors import SpecError
from .progress import NULL_PROGRESS, Progress
from .specs import OutputSpec, SensorSpec, TemporalSpec

INPUT_PREPS = ("resize", "tile", "auto")


@dataclass
class EmbedRequest:
    """Everything one ``get_embedding`` call asks for, validated."""

    spatial: Any
    temporal: Optional[TemporalSpec]
    output: OutputSpec
    sensor: Optional[SensorSpec] = None
    backend: str = "auto"
    input_prep: str = "resize"
    device: Optional[str] = None
    options: Dict[str, Any] = field(default_factory=dict)
    progress: Progress = NULL_PROGRESS
    config: Config = field(default_factory=get_config)

    def __post_init__(self):
        if self.input_prep not in INPUT_PREPS:
            raise SpecError(f"input_prep must be one of {INPUT_PREPS}, got {self.input_prep!r}.")
        self.backend = str(self.backend or "auto").lower()


class Embedder:
    """One model. Subclasses set the class attributes and implement
    :meth:`fetch_grid` (precomputed products) or override :meth:`embed`."""

    model_id: ClassVar[str] = ""
    aliases: ClassVar[Tuple[str, ...]] = ()
    kind: ClassVar[str] = "precomputed"  # or "onthefly"
    title: ClassVar[str] = ""
    dim: ClassVar[int] = 0
    resolution: ClassVar[str] = ""
    temporal_coverage: ClassVar[str] = ""
    backends: ClassVar[Tuple[str, ...]] = ("auto",)
    requires: ClassVar[Tuple[str, ...]] = ()  # Python packages (import names)
    product_version: ClassVar[str] = ""
    notes: ClassVar[str] = ""

    @classmethod
    def describe(cls) -> dict:
        return {
            "id": cls.model_id, "aliases": list(cls.aliases), "kind": cls.kind,
            "title": cls.title, "dim": cls.dim, "resolution": cls.resolution,
            "temporal_coverage": cls.temporal_coverage, "backends": list(cls.backends),
            "requires": list(cls.requires), "product_version": cls.product_version,
            "notes": cls.notes, **cls.describe_extra(),
        }

    @classmethod
    def describe_extra(cls) -> dict:
        return {}

    def check_backend(self, backend: str) -> str:
        if backend not in self.backends:
            raise SpecError(
                f"Model {self.model_id!r} has no backend {backend!r}; choose one of {list(self.backends)}."
            )
        return backend

    def fetch_grid(self, request: EmbedRequest) -> Embedding:
        raise NotImplementedError

    def embed(self, request: EmbedRequest) -> Embedding:
        """Grid, or the grid pooled over valid pixels only."""
        self.check_backend(request.backend)
        grid = self.fetch_grid(request)
        if request.output.mode == "grid":
            return grid
        return grid.pooled(request.output.pooling)

    def embed_grid_and_pooled(self, request: EmbedRequest):
        """(grid, pooled) from one fetch: Embed ROI writes both. Models whose
        pooled vector is not the grid's mean (e.g. a projection head) override."""
        self.check_backend(request.backend)
        grid = self.fetch_grid(request)
        return grid, grid.pooled(request.output.pooling)

    def base_meta(self, request: EmbedRequest) -> dict:
        from .version import __version__

        return {
            "model": self.model_id, "kind": self.kind, "product_version": self.product_version,
            "temporal": request.temporal.to_dict() if request.temporal else None,
            "roi": request.spatial.to_dict(), "roi_bounds_4326": list(request.spatial.bounds_4326()),
            "output": request.output.mode, "plugin_version": __version__,
        }
