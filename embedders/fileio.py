"""Atomic file writing: a temporary name in the target folder, renamed on
success, removed on any failure (cancel included).

Temporary names carry the worker's job id (``.<stem>.rsjob-<job>-<rand><suffix>``),
so that when a worker is killed (cancel, crash) the job client removes exactly
that job's leftovers. Clean-up never hides the error that caused it.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import List, Tuple

JOB_ENV = "RS_EMBED_JOB_ID"   # set by the worker for the job it runs
TEMP_MARK = ".rsjob-"


def temp_path(path, suffix=None) -> Path:
    """A fresh temporary name beside ``path``, tagged with the current job."""
    path = Path(path)
    suffix = suffix if suffix is not None else path.suffix
    job = os.environ.get(JOB_ENV) or f"p{os.getpid()}"
    return path.with_name(f".{path.stem}{TEMP_MARK}{job}-{uuid.uuid4().hex[:8]}{suffix}")


def job_temporaries(folder, job_id) -> List[Path]:
    """Files a job left in ``folder`` under temporary names."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f".*{TEMP_MARK}{job_id}-*"))


def remove_quietly(*paths) -> None:
    """Best-effort removal: used while another error propagates, so any OS
    error here (read-only folder, EROFS, permissions) is swallowed."""
    for p in paths:
        if p:
            with contextlib.suppress(OSError):
                Path(p).unlink()


@contextlib.contextmanager
def atomic_path(path, suffix=None):
    """Yield a temporary path beside ``path``; on success it replaces ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path, suffix)
    aux = Path(str(tmp) + ".aux.xml")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp, aux)
        raise
    finally:
        remove_quietly(aux)


class OutputSet:
    """All outputs of one run, written under temporary names and renamed
    together at the end: a run's outputs succeed or fail together."""

    def __init__(self):
        self._pending: List[Tuple[Path, Path]] = []

    def path(self, final) -> Path:
        final = Path(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path(final)
        self._pending.append((tmp, final))
        return tmp

    def commit(self) -> None:
        for tmp, final in self._pending:
            os.replace(tmp, final)
        self._pending = []

    def discard(self) -> None:
        for tmp, _ in self._pending:
            remove_quietly(tmp, Path(str(tmp) + ".aux.xml"))
        self._pending = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.discard()
        return False
