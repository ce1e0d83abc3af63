"""Locks between processes on shared cache entries: ``fcntl.flock`` on POSIX,
``msvcrt.locking`` on Windows, on ``<entry>.lock`` beside the entry.

The wait polls, so a cancel (``progress.check()``) ends it within ~0.1 s.
On POSIX the lock file is removed on release; a waiter that then holds a lock
on a removed file notices (inode check) and locks the new one instead.
"""
from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from .progress import NULL_PROGRESS

POLL_S = 0.1

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd):
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

    def _still_there(fd, path) -> bool:
        return True
else:
    import fcntl

    def _try_lock(fd) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd):
        fcntl.flock(fd, fcntl.LOCK_UN)

    def _still_there(fd, path) -> bool:
        try:
            return os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            return False


def lock_path(entry) -> Path:
    entry = Path(entry)
    return entry.with_name(entry.name + ".lock")


@contextlib.contextmanager
def file_lock(entry, progress=NULL_PROGRESS):
    """Hold the lock of cache entry ``entry`` (a path) while the block runs."""
    path = lock_path(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    told = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        if _try_lock(fd):
            if _still_there(fd, path):
                break
            _unlock(fd)
        os.close(fd)
        if not told:
            progress.info(f"Waiting for another process that is fetching {Path(entry).name}...")
            told = True
        progress.check()
        time.sleep(POLL_S)
    try:
        yield
    finally:
        if os.name != "nt":
            with contextlib.suppress(OSError):
                os.unlink(path)
        _unlock(fd)
        os.close(fd)
