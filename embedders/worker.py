"""The worker process: reads job specs (one JSON object a line) on stdin,
runs each in this process, and writes events (one JSON object a line) on the
original stdout:

    {"event": "ready", "pid": 123, "version": "0.2.0", "python": "3.11.2"}
    {"event": "progress", "id": "<job>", "value": 0.42}
    {"event": "log", "id": "<job>", "message": "..."}
    {"event": "result", "id": "<job>", "outputs": {...}}
    {"event": "error", "id": "<job>", "error": "SpecError", "message": "...", "traceback": "..."}

Anything a library prints goes to stderr, which the client keeps as the log
tail for crash reports. The worker stays for the next job (warm) until stdin
closes or it has been idle for RS_EMBED_WORKER_IDLE_S seconds (600).

    python -c "import sys; sys.path.insert(0, PARENT); from rs_embed_qgis.embedders.worker import main; main()"
"""
from __future__ import annotations

import json
import os
import select
import sys
import threading
import time
import traceback

from .version import __version__

_IDLE_S = float(os.environ.get("RS_EMBED_WORKER_IDLE_S", "600") or 600)


class _Channel:
    """The protocol stream: the process's original stdout; fd 1 then points
    at stderr so that stray prints (Python or C) never corrupt it."""

    def __init__(self):
        sys.stdout.flush()
        self._out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self._lock = threading.Lock()
        self._last = 0.0

    def send(self, event: str, **fields):
        """One event. Log lines, errors and a result's metadata leave the worker
        without secrets (redact.py); output paths are passed as they are."""
        from .redact import redact

        if event == "result":
            out = dict(fields.get("outputs") or {})
            if "metadata" in out:
                out["metadata"] = redact(out["metadata"])
            fields = dict(fields, outputs=out)
        elif event in ("log", "error"):
            fields = redact(fields)
        line = json.dumps({"event": event, **fields}, default=str, allow_nan=False)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()

    def progress(self, job_id, value):
        now = time.monotonic()  # at most ~20 progress events a second
        if value < 1.0 and now - self._last < 0.05:
            return
        self._last = now
        self.send("progress", id=job_id, value=round(float(value), 4))


def _error_fields(exc: BaseException) -> dict:
    from .errors import RSEmbedError
    from .errors_text import user_message

    fields = {"error": type(exc).__name__, "message": user_message(exc)}
    if not isinstance(exc, RSEmbedError):
        fields["traceback"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:]
    return fields


def run_one(channel: _Channel, spec: dict) -> None:
    from . import jobs
    from .fileio import JOB_ENV
    from .progress import Progress

    job_id = str(spec.get("id") or "job")
    if isinstance(spec.get("env"), dict):   # the caller's RS_EMBED_* settings of now
        for k in [k for k in os.environ if k.startswith("RS_EMBED_")]:
            del os.environ[k]
        os.environ.update({str(k): str(v) for k, v in spec["env"].items() if str(k).startswith("RS_EMBED_")})
    os.environ[JOB_ENV] = job_id
    progress = Progress(on_progress=lambda v: channel.progress(job_id, v),
                        on_message=lambda m: channel.send("log", id=job_id, message=str(m)))
    try:
        outputs = jobs.run(spec, progress)
    except BaseException as exc:  # every failure is an outcome, never a dead worker
        channel.send("error", id=job_id, **_error_fields(exc))
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
    else:
        channel.send("result", id=job_id, outputs=outputs)
    finally:
        os.environ.pop(JOB_ENV, None)


def _next_line(stream, idle_s: float):
    """The next line of stdin, or None at EOF or after ``idle_s`` idle seconds."""
    if hasattr(select, "poll") and stream.isatty() is False:
        try:
            ready, _, _ = select.select([stream], [], [], idle_s)
        except (OSError, ValueError):  # not selectable (Windows pipes): block
            ready = [stream]
        if not ready:
            return None
    line = stream.readline()
    return line or None


def main() -> int:
    channel = _Channel()
    import platform

    channel.send("ready", pid=os.getpid(), version=__version__, python=platform.python_version(),
                 executable=sys.executable)
    while True:
        line = _next_line(sys.stdin, _IDLE_S)
        if line is None:
            return 0
        line = line.strip()
        if not line:
            continue
        try:
            spec = json.loads(line)
        except json.JSONDecodeError as exc:
            channel.send("error", id=None, error="SpecError", message=f"The job spec is not JSON: {exc}")
            continue
        run_one(channel, spec)


if __name__ == "__main__":
    sys.exit(main())
