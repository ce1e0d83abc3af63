"""Resumable, verified HTTP downloads into the cache (product files, weights).

:func:`download_verified` fetches one URL into ``dest`` through ``<dest>.part``:

* a lock between processes on ``dest`` (:mod:`.locks`): a second process
  waits, then finds the file the first one finished;
* retries with exponential backoff on HTTP 429 (honouring ``Retry-After``),
  5xx and dropped connections, resuming the partial file with a Range request;
* a stall timeout (under 1 KiB in ``download_stall_s`` seconds) and an overall
  deadline (``download_deadline_s``), settings RS_EMBED_DOWNLOAD_STALL_S /
  RS_EMBED_DOWNLOAD_DEADLINE_S, each a clear :class:`DownloadError`;
* cancel within ~0.1 s even when no byte arrives (a watchdog thread closes
  the socket; bytes are read as they come, never waiting for a full chunk);
* sha256 (and ``check(part)``) verified before the rename; a mismatch removes
  the file. URLs in messages go through :func:`.redact.redact`.
"""
from __future__ import annotations

import contextlib
import email.utils
import hashlib
import os
import re
import socket
import threading
import time
from pathlib import Path
from typing import Optional

from .errors import CancelledError, DownloadError
from .locks import file_lock
from .progress import NULL_PROGRESS
from .redact import redact

MAX_ATTEMPTS = 5
BACKOFF_S = 0.5           # 0.5, 1, 2, 4 s between attempts unless Retry-After says otherwise
STALL_MIN_BYTES = 1024    # fewer bytes than this within the stall time is a stall
POLL_S = 0.1              # how often the watchdog looks at cancel, stall and deadline
REPORT_S = 0.1            # progress callbacks at most this often


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


def limits(config=None):
    """(stall seconds, deadline seconds) from the settings."""
    if config is None:
        from .config import get_config

        config = get_config()
    return float(config.download_stall_s), float(config.download_deadline_s)


class _Retry(Exception):
    def __init__(self, reason, wait=None):
        super().__init__(reason)
        self.wait = wait


def _retry_after(value) -> Optional[float]:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class _Watchdog:
    """Watches a streaming response from another thread; on cancel, stall or
    deadline it records why and shuts the socket so a blocked read returns."""

    def __init__(self, response, progress, stall_s, t_end):
        self.response, self.progress, self.stall_s, self.t_end = response, progress, stall_s, t_end
        self.done = 0
        self.reason = None
        self._mark = (time.monotonic(), 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.wait(POLL_S):
            now = time.monotonic()
            if self.done - self._mark[1] >= STALL_MIN_BYTES:
                self._mark = (now, self.done)
            if self.progress.cancelled:
                self.reason = "cancelled"
            elif now - self._mark[0] > self.stall_s:
                self.reason = "stall"
            elif now > self.t_end:
                self.reason = "deadline"
            if self.reason:
                self._abort()
                return

    def _abort(self):
        sock = _socket_of(self.response.raw)
        try:
            if sock is not None:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.response.close()
        except Exception:  # noqa: BLE001 - closing from another thread may complain
            pass


def _socket_of(raw):
    """The socket under a urllib3 response: on the connection, or (``Connection:
    close``: http.client hands it to the response) under the response's file."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:
        fp = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    return sock


def _kept(part: Path) -> str:
    size = part.stat().st_size if part.exists() else 0
    return f"The partial file {part} ({size:,} bytes) is kept: run again to resume" if size else "Run again"


def download_verified(url: str, dest: Path, sha256: Optional[str], progress=NULL_PROGRESS,
                      timeout: Optional[float] = None, chunk: int = 1 << 16, check=None,
                      hint: str = "", config=None) -> Path:
    """Download ``url`` to ``dest`` (see the module docstring). ``check(part)``
    returns a problem or None; ``hint`` ends error messages; ``timeout``
    overrides the stall setting. If ``dest`` exists once the lock is held
    (another process just finished it), it is returned as it is."""
    dest = Path(dest)
    stall_s, deadline_s = limits(config)
    stall_s = float(timeout) if timeout else stall_s
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(dest, progress):
            if dest.exists():
                return dest
            return _download(url, dest, sha256, progress, stall_s, deadline_s, chunk, check, hint)
    except _WriteError as exc:
        raise DownloadError(_cannot_write(dest, exc.__cause__, hint)) from None
    except OSError as exc:  # the folder or lock cannot be made; requests' errors never get here
        raise DownloadError(_cannot_write(dest, exc, hint)) from None


class _WriteError(Exception):
    """Writing the downloaded bytes failed (disk full, read-only folder...)."""


def _cannot_write(dest, exc, hint) -> str:
    import errno

    why = getattr(exc, "strerror", None) or str(exc)
    full = getattr(exc, "errno", None) == errno.ENOSPC
    return (f"Cannot write the download to {dest.parent} ({why}). "
            + ("Free some disk space" if full else "Choose a writable cache folder (setting 'cache folder' / "
               "RS_EMBED_CACHE_DIR, or RS_EMBED_WEIGHTS_DIR for weights)")
            + (", or: " + hint[0].lower() + hint[1:] if hint else "."))


def _download(url, dest, sha256, progress, stall_s, deadline_s, chunk, check, hint):
    shown = redact(url)
    part = dest.with_name(dest.name + ".part")
    end = " " + hint if hint else ""
    t_end = time.monotonic() + deadline_s
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            h = _attempt(url, shown, part, progress, stall_s, deadline_s, t_end, chunk, end)
            break
        except _Retry as r:
            reason = redact(str(r))
            if attempt == MAX_ATTEMPTS:
                raise DownloadError(f"Downloading {shown} failed {attempt} times (last: {reason}). "
                                    f"{_kept(part)}{end}") from None
            wait = r.wait if r.wait is not None else BACKOFF_S * 2 ** (attempt - 1)
            if time.monotonic() + wait > t_end:
                raise DownloadError(
                    f"Downloading {shown} failed ({reason}) and a retry in {wait:g} s would pass the "
                    f"{deadline_s:g} s download deadline (setting RS_EMBED_DOWNLOAD_DEADLINE_S). "
                    f"{_kept(part)}{end}") from None
            progress.info(f"{shown}: {reason}; retrying in {wait:g} s (attempt {attempt + 1} of {MAX_ATTEMPTS})")
            _sleep(wait, progress)
    digest = h.hexdigest()
    if sha256 and digest != sha256.lower():
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"The file downloaded from {shown} failed verification: it does not match its published checksum "
            f"(sha256 {digest}, expected {sha256}); it was removed. Run again to download it anew.")
    problem = check(part) if check is not None else None
    if problem:
        part.unlink(missing_ok=True)
        raise DownloadError(f"Downloaded {shown} failed verification ({problem}); the file was removed.")
    os.replace(part, dest)
    progress.update(1.0)
    return dest


def _sleep(seconds, progress):
    t_end = time.monotonic() + seconds
    while True:
        progress.check()
        left = t_end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(POLL_S, left))


def _attempt(url, shown, part, progress, stall_s, deadline_s, t_end, chunk, end):
    """One request: the sha256 of the complete ``part``, or :class:`_Retry`."""
    import requests

    have = part.stat().st_size if part.exists() else 0
    headers = {"Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    connect = max(0.1, min(stall_s, 30.0, t_end - time.monotonic()))
    progress.check()
    try:
        r = requests.get(url, headers=headers, stream=True, timeout=(connect, stall_s))
    except requests.Timeout as exc:
        raise _Retry(f"no answer within {connect:g} s ({type(exc).__name__})") from exc
    except requests.RequestException as exc:
        raise _Retry(f"connection failed: {exc}") from exc
    with r:
        status = r.status_code
        if status == 429 or 500 <= status < 600:
            raise _Retry(f"HTTP {status} {r.reason or ''}".strip(), _retry_after(r.headers.get("Retry-After")))
        m = re.match(r"bytes (\d+)-\d+/(\d+)", r.headers.get("Content-Range", ""))
        if have and status == 206 and not (m and int(m.group(1)) == have):
            part.unlink()
            raise DownloadError(f"{shown} answered the wrong byte range ({r.headers.get('Content-Range')}"
                                f" for bytes={have}-); the partial file was removed. Run again.")
        if have and status == 206:
            mode, total = "ab", int(m.group(2))
            progress.info(f"Resuming the download of {shown} at {have:,} bytes")
        elif have and status == 416:  # nothing left: the part is complete
            return _hash_file(part)
        elif status >= 400:
            raise DownloadError(f"Downloading {shown} failed: HTTP {status} {r.reason or ''}. "
                                f"{_kept(part)}{end}")
        else:
            mode, have = "wb", 0
            total = int(r.headers.get("Content-Length") or 0)
            progress.info(f"Downloading {shown} ({total / 1e6:,.1f} MB)")
        h = _hash_file(part) if mode == "ab" else hashlib.sha256()
        _stream(r, part, mode, h, have, total, progress, stall_s, deadline_s, t_end, chunk, shown, end)
    return h


def _stream(r, part, mode, h, done, total, progress, stall_s, deadline_s, t_end, chunk, shown, end):
    import urllib3

    last = 0.0
    try:
        fh = open(part, mode)
    except OSError as exc:
        raise _WriteError() from exc
    with fh, _Watchdog(r, progress, stall_s, t_end) as dog:
        dog.done = done
        while True:
            try:
                data = r.raw.read1(chunk)  # whatever has arrived, up to chunk bytes
            except (urllib3.exceptions.HTTPError, OSError, ValueError, AttributeError) as exc:
                if dog.reason is None:
                    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
                        dog.reason = "stall"
                    else:
                        raise _Retry(f"the connection broke after {done:,} bytes ({type(exc).__name__})") from exc
                break
            if not data:
                break
            try:
                fh.write(data)
            except OSError as exc:
                raise _WriteError() from exc
            h.update(data)
            done += len(data)
            dog.done = done
            now = time.monotonic()
            if now - last >= REPORT_S:
                last = now
                progress.update(done / total) if total else progress.check()
    fh_done = done
    if dog.reason == "cancelled":
        raise CancelledError("Cancelled by the user.")
    if dog.reason == "stall":
        raise DownloadError(
            f"Downloading {shown} stalled: less than {STALL_MIN_BYTES} bytes arrived in {stall_s:g} s "
            f"(setting RS_EMBED_DOWNLOAD_STALL_S). {_kept(part)}{end}")
    if dog.reason == "deadline":
        raise DownloadError(
            f"Downloading {shown} did not finish within the {deadline_s:g} s deadline (setting "
            f"RS_EMBED_DOWNLOAD_DEADLINE_S). {_kept(part)}{end}")
    if total and fh_done < total:
        raise _Retry(f"the server closed the connection after {fh_done:,} of {total:,} bytes")


# --------------------------------------------------------------------------
# Cached files checked on every use

_seen = {}  # str(path) -> (stat key, sha256) of files this process has hashed


def _stat_key(path):
    st = os.stat(path)  # ctime changes on any write, even when the mtime is put back
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _recorded(record: Path) -> Optional[str]:
    import json

    try:
        return json.loads(Path(record).read_text()).get("sha256") or None
    except (OSError, ValueError, AttributeError):
        return None


def record_sha256(path, record, digest: str):
    import json

    from .fileio import atomic_path

    with atomic_path(record) as tmp:
        tmp.write_text(json.dumps({"sha256": digest, "size": os.path.getsize(path), "file": str(path)}))


def check_cached(path, record, progress=NULL_PROGRESS, sha256: Optional[str] = None,
                 check=None) -> Optional[str]:
    """None when the cached file ``path`` is intact, else what is wrong.

    Intact: its sha256 equals ``sha256`` (published) or, without one, the
    sha256 recorded in ``record`` (a JSON file) when it was first seen; with
    no record yet, ``check(path) -> problem or None`` decides and the sha256 is
    recorded then (trust on first use). A file this process already hashed is
    not hashed again while its size, mtime, ctime and inode are unchanged."""
    path = Path(path)
    expected = (sha256 or _recorded(record) or "").lower() or None
    seen = _seen.get(str(path))
    if seen is not None and seen[0] == _stat_key(path):
        digest = seen[1]  # hashed by this process, unchanged since
    else:
        if expected is None and check is not None:
            problem = check(path)
            if problem:
                return problem
        digest = sha256_of(path, progress)
    if expected and digest != expected:
        how = "published sha256" if sha256 else "sha256 recorded when it was first downloaded"
        return f"sha256 {digest[:16]}... differs from the {how} ({expected[:16]}...)"
    if not expected and record is not None:
        with contextlib.suppress(OSError):
            record_sha256(path, record, digest)
    _seen[str(path)] = (_stat_key(path), digest)
    return None


def forget_cached(path, record=None):
    """Remove a bad cached file, its record and what this process knew of it."""
    _seen.pop(str(path), None)
    Path(path).unlink(missing_ok=True)
    if record is not None:
        Path(record).unlink(missing_ok=True)
