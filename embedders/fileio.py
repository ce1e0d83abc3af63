"""Atomic file writing: a temporary name in the target folder, renamed on
success, removed on any failure (cancel included)."""
from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path, suffix=None):
    """Yield a temporary path beside ``path``; on success it replaces ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = suffix if suffix is not None else path.suffix
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}{suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        for p in (tmp, Path(str(tmp) + ".aux.xml")):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(str(tmp) + ".aux.xml").unlink()
