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
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .config import Config, get_config
from .download import check_cached, download_verified, forget_cached
from .errors import DownloadError
from .packages import require
from .progress import NULL_PROGRESS, Progress
from .redact import redact

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


def verify(spec: WeightsSpec, path, weights_dir: Path, progress: Progress = NULL_PROGRESS,
           remember: bool = True) -> Optional[str]:
    """None if ``path`` matches the spec's size and sha256, else what is wrong.
    Without a published sha256 the one recorded at the first download (or
    first use) is the reference (trust on first use). Each process hashes a
    file once (again only if it is written to: see ``download.check_cached``)."""
    path = Path(path)
    size = path.stat().st_size
    if spec.size is not None and size != spec.size:
        return f"size {size} bytes, expected {spec.size}"
    if spec.sha256:
        progress.info(f"Verifying {path.name} (sha256)...")
    return check_cached(path, _marker(weights_dir, path) if remember else None, progress, sha256=spec.sha256)


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
            if problem and spec.url and not spec.repo_id and cand == wdir / spec.filename:
                progress.info(f"The weights file {cand} is damaged ({problem}); downloading it again.")
                forget_cached(cand, _marker(wdir, cand))
                break
            if problem:
                raise DownloadError(
                    f"The weights file {cand} does not match {redact(spec.source)}: {problem}. "
                    "Replace it with the official file or remove it so it can be downloaded"
                    + ("" if spec.sha256 else f" (if you replaced it on purpose, delete {_marker(wdir, cand)})")
                    + "."
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
    path = _hf_download(spec, wdir, progress)
    problem = verify(spec, path, wdir, progress)
    if problem:
        _remove_hf_file(path)
        forget_cached(path, _marker(wdir, path))
        progress.info(f"The cached weights {path.name} are damaged ({problem}); downloading them again.")
        path = _hf_download(spec, wdir, progress)
        problem = verify(spec, path, wdir, progress)
    if problem:
        _remove_hf_file(path)
        forget_cached(path, _marker(wdir, path))
        raise DownloadError(f"Downloaded {spec.source} failed verification ({problem}); the file was removed.")
    return path


def _hf_download(spec: WeightsSpec, wdir: Path, progress: Progress) -> Path:
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
        raise DownloadError(redact(f"Could not download {spec.source}: {exc}. {where}.")) from None
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
    progress.info(f"Downloading {redact(spec.url)} into {wdir}...")
    size = (lambda part: None if spec.size is None or part.stat().st_size == spec.size
            else f"size {part.stat().st_size} bytes, expected {spec.size}")
    download_verified(spec.url, target, spec.sha256, progress, chunk=_CHUNK, check=size,
                      hint=f"Or put {spec.filename} into {wdir}.")
    problem = verify(spec, target, wdir, progress)  # records the sha256 where none is published
    if problem:
        forget_cached(target, _marker(wdir, target))
        raise DownloadError(f"Downloaded {redact(spec.url)} failed verification ({problem}); the file was removed.")
    return target


def load_state_dict(path) -> dict:
    """Tensors of a weights file: safetensors, or a pickle read with
    ``torch.load(weights_only=True)`` (no arbitrary code)."""
    path = Path(path)
    if path.suffix == ".safetensors":
        st = require("safetensors.torch", "safetensors", "reading model weights")
        return st.load_file(str(path), device="cpu")
    torch = require("torch", None, "reading model weights")
    try:
        try:  # memory-mapped: tensors are paged in from the file, not copied
            return torch.load(str(path), map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as exc:
            if "mmap" not in str(exc) and "zip" not in str(exc).lower():
                raise
            return torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:  # UnpicklingError and friends
        raise DownloadError(
            f"{path} is not a plain weights file that loads safely (weights_only=True): "
            f"{torch_error_text(exc)}. Use the official weights file (the plugin never loads "
            "pickled code)."
        ) from None


_UNSAFE_ADVICE = re.compile(r"weights_only|re-running|arbitrary code|trust|safe_globals|documentation|"
                            r"can still be loaded|alternatively|pytorch\.org", re.I)


def torch_error_text(exc) -> str:
    """torch.load's error without its advice to retry with weights_only=False
    (or to allow-list globals): only the sentences that say what is wrong."""
    text = re.sub(r"\s+", " ", str(exc)).replace("WeightsUnpickler error: ", "")
    text = re.sub(r"\(\d\)\s*", "", text)
    keep = [t for t in re.split(r"(?<=[.!?])\s+", text) if t and not _UNSAFE_ADVICE.search(t)]
    return " ".join(keep).rstrip(". ") or type(exc).__name__
