"""Model weights: pinned, verified, downloaded once, loaded safely.

A :class:`WeightsSpec` names one published file: a Hugging Face repo, file
name and pinned revision (commit hash), or a direct URL; plus its sha256 and
size where published. :func:`ensure_weights` returns a local path, looking in
order at

1. the weights folder (setting ``weights_dir`` / ``RS_EMBED_WEIGHTS_DIR``):
   ``<weights_dir>/<repo_id>/<filename>``, or ``<weights_dir>/<filename>`` when
   the spec pins a sha256 — files copied there by hand serve machines without
   internet;
2. torch hub's checkpoint folder (``$TORCH_HOME/hub/checkpoints``) for
   files torchgeo/torchvision download there (``torch_hub_name``);
3. the Hugging Face cache under ``<weights_dir>/hf`` (huggingface_hub layout),
   downloading into it unless ``HF_HUB_OFFLINE`` is set. ``HF_ENDPOINT`` is read
   at call time and passed to ``hf_hub_download``, so a mirror works without
   re-importing huggingface_hub.

Every file is checked against the pinned size and sha256 (a verified-marker
avoids re-hashing unchanged files); a download that does not verify is
deleted and raises :class:`DownloadError`. :func:`load_state_dict` reads
safetensors, or pickles with ``torch.load(weights_only=True)`` only.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .config import Config, get_config
from .download import download_verified, sha256_of
from .errors import DownloadError, require
from .fileio import atomic_path
from .progress import NULL_PROGRESS, Progress

_CHUNK = 1 << 20


@dataclass(frozen=True)
class WeightsSpec:
    filename: str
    repo_id: Optional[str] = None      # Hugging Face repo ("org/name")
    revision: Optional[str] = None     # pinned commit hash (40 hex)
    url: Optional[str] = None          # direct URL, when not on Hugging Face
    sha256: Optional[str] = None       # full hex digest (None only where none is published)
    size: Optional[int] = None         # bytes
    torch_hub_name: Optional[str] = None  # file name torch hub / torchgeo caches it under
    license: str = ""

    def __post_init__(self):
        if not (self.repo_id or self.url):
            raise ValueError("WeightsSpec needs a repo_id or a url")
        if self.repo_id and not self.revision:
            raise ValueError("Hugging Face weights must be pinned to a revision")

    @property
    def source(self) -> str:
        if self.repo_id:
            return f"hf://{self.repo_id}@{self.revision}/{self.filename}"
        return self.url

    def describe(self) -> dict:
        return {"source": self.source, "file": self.filename, "sha256": self.sha256,
                "size": self.size, "license": self.license}


def _offline() -> bool:
    v = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return v.strip().lower() in ("1", "true", "yes", "on")


def _marker(weights_dir: Path, path: Path) -> Path:
    key = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
    return weights_dir / ".verified" / f"{path.name}.{key}.json"


def _stamp(spec: WeightsSpec, path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": spec.sha256}


def _remember(spec: WeightsSpec, path: Path, weights_dir: Path):
    with contextlib.suppress(OSError):
        with atomic_path(_marker(weights_dir, path)) as tmp:
            tmp.write_text(json.dumps(_stamp(spec, path)))


def verify(spec: WeightsSpec, path, weights_dir: Path, progress: Progress = NULL_PROGRESS,
           remember: bool = True) -> Optional[str]:
    """None if ``path`` matches the spec's size and sha256, else what is wrong."""
    path = Path(path)
    size = path.stat().st_size
    if spec.size is not None and size != spec.size:
        return f"size {size} bytes, expected {spec.size}"
    if not spec.sha256:
        return None
    with contextlib.suppress(OSError, ValueError):
        if json.loads(_marker(weights_dir, path).read_text()) == _stamp(spec, path):
            return None
    progress.info(f"Verifying {path.name} (sha256)…")
    digest = sha256_of(path, progress)
    if digest != spec.sha256:
        return f"sha256 {digest}, expected {spec.sha256}"
    if remember:
        _remember(spec, path, weights_dir)
    return None


def _local_candidates(spec: WeightsSpec, weights_dir: Path):
    if spec.sha256 or not spec.repo_id:  # a bare file name is only trusted with a checksum
        yield weights_dir / spec.filename
    if spec.repo_id:
        yield weights_dir / spec.repo_id / spec.filename
    if spec.torch_hub_name:
        with contextlib.suppress(Exception):
            import torch.hub

            yield Path(torch.hub.get_dir()) / "checkpoints" / spec.torch_hub_name


def ensure_weights(spec: WeightsSpec, config: Optional[Config] = None,
                   progress: Progress = NULL_PROGRESS) -> Path:
    """Local path of verified weights, downloading them once if needed."""
    cfg = config or get_config()
    wdir = Path(cfg.weights_dir)
    for cand in _local_candidates(spec, wdir):
        if cand.is_file():
            problem = verify(spec, cand, wdir, progress)
            if problem:
                raise DownloadError(
                    f"The weights file {cand} does not match {spec.source}: {problem}. "
                    "Replace it with the official file or remove it so it can be downloaded."
                )
            return cand
    if spec.repo_id:
        return _from_hf(spec, wdir, progress)
    return _from_url(spec, wdir, progress)


def _tqdm_to(progress: Progress):
    from tqdm.auto import tqdm

    class _ToProgress(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)
            self._bytes = int(kwargs.get("initial") or 0)

        def update(self, n=1):
            self._bytes += int(n or 0)
            if self.total:
                progress.update(self._bytes / self.total)

    return _ToProgress


def _from_hf(spec: WeightsSpec, wdir: Path, progress: Progress) -> Path:
    hub = require("huggingface_hub", "huggingface_hub", "downloading model weights")
    offline = _offline()
    kwargs = dict(repo_id=spec.repo_id, filename=spec.filename, revision=spec.revision,
                  cache_dir=str(wdir / "hf"), local_files_only=offline)
    endpoint = os.environ.get("HF_ENDPOINT")
    if endpoint:
        kwargs["endpoint"] = endpoint.rstrip("/")
    if not offline:
        progress.info(f"Downloading {spec.source} into {wdir / 'hf'}…")
    try:
        path = Path(hub.hf_hub_download(tqdm_class=_tqdm_to(progress), **kwargs))
    except Exception as exc:  # noqa: BLE001 - huggingface_hub raises many types
        from .errors import CancelledError

        if isinstance(exc, CancelledError):
            raise
        where = f"Put {spec.filename} into the weights folder {wdir} (setting 'weights folder' / RS_EMBED_WEIGHTS_DIR)"
        if offline:
            raise DownloadError(
                f"Weights {spec.source} are not in the local cache and HF_HUB_OFFLINE is set. {where}, "
                "or unset HF_HUB_OFFLINE to download them."
            ) from exc
        raise DownloadError(f"Could not download {spec.source}: {exc}. {where}.") from exc
    problem = verify(spec, path, wdir, progress)
    if problem:
        _remove_hf_file(path)
        raise DownloadError(f"Downloaded {spec.source} failed verification ({problem}); the file was removed.")
    return path


def _remove_hf_file(path: Path):
    """Remove a snapshot entry and the blob it links to."""
    with contextlib.suppress(OSError):
        blob = path.resolve()
        path.unlink()
        if blob != path:
            blob.unlink()


def _from_url(spec: WeightsSpec, wdir: Path, progress: Progress) -> Path:
    target = wdir / spec.filename
    if _offline():
        raise DownloadError(
            f"Weights {spec.url} are not on disk and HF_HUB_OFFLINE is set. Put {spec.filename} into {wdir}."
        )
    require("requests", "requests", "downloading model weights")
    progress.info(f"Downloading {spec.url} into {wdir}…")
    download_verified(spec.url, target, None, progress, chunk=_CHUNK,  # verify() checks size and sha256
                      check=lambda part: verify(spec, part, wdir, NULL_PROGRESS, remember=False),
                      hint=f"or put {spec.filename} into {wdir}.")
    _remember(spec, target, wdir)
    return target


def load_state_dict(path) -> dict:
    """Tensors of a weights file: safetensors, or a pickle read with
    ``torch.load(weights_only=True)`` (no arbitrary code)."""
    path = Path(path)
    if path.suffix == ".safetensors":
        st = require("safetensors.torch", "safetensors", "reading model weights")
        return st.load_file(str(path), device="cpu")
    torch = require("torch", "torch==2.14.1", "reading model weights")
    try:
        try:  # memory-mapped: tensors are paged in from the file, not copied
            return torch.load(str(path), map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as exc:
            if "mmap" not in str(exc) and "zip" not in str(exc).lower():
                raise
            return torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # UnpicklingError and friends
        raise DownloadError(
            f"{path} is not a plain weights file that loads safely (weights_only=True): {exc}"
        ) from exc


def unwrap_state_dict(obj, keys=("state_dict", "model")) -> dict:
    """The tensor dict inside common checkpoint wrappers, without a
    DataParallel ``module.`` prefix."""
    while isinstance(obj, dict):
        inner = next((obj[k] for k in keys if isinstance(obj.get(k), dict)), None)
        if inner is None:
            break
        obj = inner
    if not isinstance(obj, dict):
        raise DownloadError(f"The weights file holds a {type(obj).__name__}, not a state dict.")
    if obj and all(k.startswith("module.") for k in obj):
        obj = {k[len("module."):]: v for k, v in obj.items()}
    return obj
