"""Resumable, verified HTTP downloads into the cache (product files, weights)."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Optional

from .errors import DownloadError
from .progress import NULL_PROGRESS


def _hash_file(path, h=None, progress=NULL_PROGRESS):
    """``h`` (a new sha256 by default) updated with the file's bytes."""
    h = h or hashlib.sha256()
    size, done = max(1, os.path.getsize(path)), 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            done += len(chunk)
            progress.update(done / size)
    return h


def sha256_of(path, progress=NULL_PROGRESS) -> str:
    return _hash_file(path, progress=progress).hexdigest()


def download_verified(url: str, dest: Path, sha256: Optional[str], progress=NULL_PROGRESS,
                      timeout: float = 60.0, chunk: int = 1 << 16, check=None, hint: str = "") -> Path:
    """Download ``url`` to ``dest`` through ``dest.part``: resume a partial
    file with an HTTP Range request, report progress, check cancellation,
    verify the sha256 and ``check(part) -> problem or None`` (a failure
    removes the file) and rename on success. ``hint`` ends error messages."""
    import requests

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    done, total = have, 0
    try:
        with requests.get(url, headers=headers, stream=True, timeout=timeout) as r:
            m = re.match(r"bytes (\d+)-\d+/(\d+)", r.headers.get("Content-Range", ""))
            if have and r.status_code == 206 and not (m and int(m.group(1)) == have):
                part.unlink()
                raise DownloadError(f"{url} answered the wrong byte range ({r.headers.get('Content-Range')}"
                                    f" for bytes={have}-); the partial file was removed. Run again.")
            if have and r.status_code == 206:
                mode, total = "ab", int(m.group(2))
                progress.info(f"Resuming the download of {url} at {have:,} bytes")
            elif have and r.status_code == 416:  # nothing left: the part is complete
                mode, total = None, have
            else:
                r.raise_for_status()
                mode, done = "wb", 0
                total = int(r.headers.get("Content-Length") or 0)
                progress.info(f"Downloading {url} ({total / 1e6:,.0f} MB)")
            h = _hash_file(part) if mode != "wb" and have else hashlib.sha256()
            if mode:
                with open(part, mode) as fh:
                    for data in r.iter_content(chunk):
                        fh.write(data)
                        h.update(data)
                        done += len(data)
                        if total:
                            progress.update(done / total)
                        else:
                            progress.check()
    except requests.RequestException as exc:
        kept = part.stat().st_size if part.exists() else 0
        raise DownloadError(
            f"Downloading {url} failed after {kept:,} bytes: {exc}. Run again to resume "
            f"(the partial file {part} is kept){', ' + hint if hint else '.'}") from exc
    digest = h.hexdigest()
    if sha256 and digest != sha256.lower():
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"The file downloaded from {url} does not match its published checksum "
            f"(sha256 {digest}, expected {sha256}); it was removed. Run again to download it anew.")
    problem = check(part) if check is not None else None
    if problem:
        part.unlink(missing_ok=True)
        raise DownloadError(f"Downloaded {url} failed verification ({problem}); the file was removed.")
    os.replace(part, dest)
    progress.update(1.0)
    return dest
