"""Run jobs in the core's worker process (standard library only).

QGIS's process (and any script that wants the core out of its own process)
calls :func:`run_job`. It finds or starts a worker with the core's Python,
sends the job spec, relays progress and log lines, cancels by killing the
worker (gone at once, its temporary files removed), and turns a crash, a kill,
an out-of-memory or a hang into :class:`WorkerError` with the worker's last
log lines. A worker that finished a job stays warm for the next one (its
loaded models are reused) unless ``keep_warm=False``.
"""
from __future__ import annotations

import collections
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Dict, Iterable, Optional

from .fileio import job_temporaries, remove_quietly
from .jobs import JOB_VERSION

# The plugin's package as this process imported it (its name and the folder
# holding it, symlinks kept: a checkout linked as rs_embed_qgis is imported
# under that name, whatever the checkout's own folder is called).
PACKAGE = (__package__ or "rs_embed_qgis").split(".")[0]
PACKAGE_DIR = Path(sys.modules[PACKAGE].__path__[0]) if PACKAGE in sys.modules else \
    Path(os.path.abspath(__file__)).parents[1]
# Variables of QGIS's own Python and GDAL/PROJ that must not reach the core's
# environment (it brings its own libraries).
_DROP_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONEXECUTABLE", "PROJ_LIB", "PROJ_DATA",
             "GDAL_DATA", "GDAL_DRIVER_PATH", "PYTHONNOUSERSITE", "VIRTUAL_ENV", "__PYVENV_LAUNCHER__")
STALL_S = 1800.0     # no event for this long: the worker is hung
LOG_TAIL = 40


class WorkerError(Exception):
    """A job failed. ``error`` is the class name on the worker's side
    (SpecError, DataUnavailableError, ..., or WorkerCrashed, WorkerHung,
    NotSetUp, Cancelled); ``log_tail`` the worker's last stderr lines."""

    def __init__(self, error: str, message: str, log_tail: str = "", traceback: str = ""):
        super().__init__(message)
        self.error = error
        self.message = message
        self.log_tail = log_tail
        self.traceback = traceback

    @property
    def cancelled(self) -> bool:
        return self.error in ("Cancelled", "CancelledError")


def job_env() -> Dict[str, str]:
    """The caller's RS_EMBED_* variables: they travel with each job, so a warm
    worker sees the settings of now, not of when it started."""
    return {k: v for k, v in os.environ.items() if k.startswith("RS_EMBED_") and k != "RS_EMBED_PYTHON"}


def new_job(kind: str, params: dict, config: Optional[dict] = None) -> dict:
    return {"version": JOB_VERSION, "id": uuid.uuid4().hex[:12], "kind": kind,
            "params": params, "config": dict(config or {}), "env": job_env()}


def _warm_key(python, memory_mb) -> tuple:
    """A warm worker is reused only by callers with the same environment
    (apart from RS_EMBED_*, sent per job): HF_ENDPOINT, TORCH_HOME, proxies
    are read by libraries once, at import."""
    rest = tuple(sorted((k, v) for k, v in _child_env().items() if not k.startswith("RS_EMBED_")))
    return (python, memory_mb, hash(rest))


def _bootstrap() -> str:
    return (f"import sys; sys.path.insert(0, {str(PACKAGE_DIR.parent)!r}); "
            f"from {PACKAGE}.embedders.worker import main; sys.exit(main())")


def _child_env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return env


def _memory_limit(mb: Optional[float]):
    if not mb or os.name != "posix":
        return None

    def limit():
        import resource

        size = int(float(mb) * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    return limit


def _signal_name(rc: int) -> str:
    try:
        return signal.Signals(-rc).name
    except (ValueError, AttributeError):
        return f"signal {-rc}"


class Worker:
    """One worker process."""

    def __init__(self, python: str, memory_mb: Optional[float] = None, start_timeout: float = 120.0):
        if not python or not Path(python).exists():
            raise WorkerError(
                "NotSetUp",
                "RS Embed's environment is not set up: no Python for the core"
                + (f" at {python}" if python else "") + ". Run 'Set up RS Embed' (Raster › RS Embed, or "
                "qgis_process run rs_embed:setup_environment), or point the setting 'Python of the core' "
                "(RS_EMBED_PYTHON) at a Python that has the core's packages.")
        self.python = str(python)
        kwargs = {}
        if os.name == "posix":
            kwargs["start_new_session"] = True   # its own process group: cancel kills its children too
            kwargs["preexec_fn"] = _memory_limit(memory_mb)
        else:
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) | \
                getattr(subprocess, "CREATE_NO_WINDOW", 0)
        self.proc = subprocess.Popen(
            [self.python, "-u", "-c", _bootstrap()], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=_child_env(), cwd=str(Path.home()), **kwargs)
        self.events: "queue.Queue" = queue.Queue()
        self.log = collections.deque(maxlen=LOG_TAIL)
        threading.Thread(target=self._read_events, daemon=True).start()
        threading.Thread(target=self._read_log, daemon=True).start()
        ready = self._next_event(start_timeout, lambda: False)
        if ready is None or ready.get("event") != "ready":
            self.kill()
            raise WorkerError("WorkerCrashed", "The RS Embed worker did not start with " + self.python
                              + ". Run 'Set up RS Embed' again, or check the setting 'Python of the core'.",
                              self.log_tail())
        self.pid = ready.get("pid")
        self.version = ready.get("version")

    # -- streams -----------------------------------------------------
    def _read_events(self):
        with self.proc.stdout:   # each reader closes its own pipe at EOF
            for raw in self.proc.stdout:
                try:
                    self.events.put(json.loads(raw.decode("utf-8", "replace")))
                except json.JSONDecodeError:
                    self.log.append(raw.decode("utf-8", "replace").rstrip())
        self.events.put({"event": "eof"})

    def _read_log(self):
        with self.proc.stderr:
            for raw in self.proc.stderr:
                self.log.append(raw.decode("utf-8", "replace").rstrip())

    def log_tail(self) -> str:
        time.sleep(0.05)  # let the reader thread catch the last lines
        return "\n".join(self.log)

    def _next_event(self, timeout: float, is_cancelled: Callable[[], bool]):
        deadline = time.monotonic() + timeout
        while True:
            if is_cancelled():
                return {"event": "cancel"}
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                return self.events.get(timeout=min(0.1, left))
            except queue.Empty:
                continue

    # -- life --------------------------------------------------------
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self):
        """Gone now: the whole process group on POSIX."""
        if self.proc.poll() is None:
            try:
                if os.name == "posix":
                    os.killpg(self.proc.pid, signal.SIGKILL)
                else:
                    self.proc.kill()
            except (ProcessLookupError, PermissionError, OSError):
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def close(self):
        """Let an idle worker exit (stdin closed), killing it if it lingers."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=3)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()

    def _crash_error(self) -> WorkerError:
        try:
            rc = self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            rc = None
        if rc is not None and rc < 0:
            name = _signal_name(rc)
            why = {"SIGKILL": "it was killed (often: the system ran out of memory)",
                   "SIGSEGV": "it crashed (segmentation fault in a native library)",
                   "SIGABRT": "it aborted (a native library failed)"}.get(name, f"it received {name}")
        else:
            why = f"it exited with code {rc}"
        return WorkerError("WorkerCrashed",
                           f"The RS Embed worker stopped before the job finished: {why}. QGIS is "
                           "fine and no output was written; the next run starts a new worker. "
                           "The worker's last log lines follow.", self.log_tail())

    def run(self, spec: dict, on_progress=None, on_log=None, is_cancelled=None, stall_s: float = STALL_S):
        """Send one job and wait for its outcome. Returns the outputs dict."""
        is_cancelled = is_cancelled or (lambda: False)
        try:
            self.proc.stdin.write((json.dumps(spec, default=str) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._crash_error() from None
        while True:
            ev = self._next_event(stall_s, is_cancelled)
            if ev is None:
                self.kill()
                raise WorkerError("WorkerHung", f"The RS Embed worker sent nothing for {stall_s:.0f} s and "
                                  "was stopped (setting RS_EMBED_WORKER_STALL_S). No output was written. "
                                  "The worker's last log lines follow.", self.log_tail())
            kind = ev.get("event")
            if kind == "cancel":
                self.kill()
                raise WorkerError("Cancelled", "Cancelled by the user.")
            if kind == "eof":
                raise self._crash_error()
            if ev.get("id") not in (spec["id"], None):
                continue
            if kind == "progress" and on_progress:
                on_progress(float(ev.get("value", 0.0)))
            elif kind == "log":
                self.log.append(str(ev.get("message", "")))  # a crash report shows the job's last steps too
                if on_log:
                    on_log(str(ev.get("message", "")))
            elif kind == "result":
                return ev.get("outputs") or {}
            elif kind == "error":
                raise WorkerError(ev.get("error") or "Error", ev.get("message") or "The job failed.",
                                  self.log_tail() if ev.get("traceback") else "", ev.get("traceback") or "")


_idle: Dict[tuple, Worker] = {}
_idle_lock = threading.Lock()


def _take(python, memory_mb) -> Worker:
    with _idle_lock:
        w = _idle.pop(_warm_key(python, memory_mb), None)
    if w is not None and w.alive():
        return w
    return Worker(python, memory_mb)


def _give_back(w: Worker, memory_mb):
    with _idle_lock:
        key = _warm_key(w.python, memory_mb)
        if key in _idle and _idle[key].alive():
            w.close()            # one warm worker per Python is enough
        else:
            _idle[key] = w


def shutdown():
    """Close every warm worker (plugin unload)."""
    with _idle_lock:
        workers = list(_idle.values())
        _idle.clear()
    for w in workers:
        w.close()


def clean_temporaries(job_id: str, paths: Iterable) -> None:
    """Remove the job's temporary files beside each output path (and inside
    output folders)."""
    folders = set()
    for p in paths:
        if not p:
            continue
        p = Path(p)
        folders.add(p.parent)
        if p.is_dir():
            folders.add(p)
    for folder in folders:
        remove_quietly(*job_temporaries(folder, job_id))


def _identity(path):
    """(inode, mtime) of an output file, or None: tells whether a run made it."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return None if Path(path).is_dir() else (st.st_ino, st.st_mtime_ns)


def remove_new_outputs(before: dict) -> None:
    """A job stopped from outside may have renamed an output into place just
    before it was stopped: remove the output files it made, so that a
    cancelled or crashed job leaves nothing."""
    for path, ident in before.items():
        now = _identity(path)
        if now is not None and now != ident:
            remove_quietly(path)


def run_job(python: str, spec: dict, outputs: Iterable = (), on_progress=None, on_log=None,
            is_cancelled=None, keep_warm: bool = True, memory_mb: Optional[float] = None,
            stall_s: Optional[float] = None) -> dict:
    """Run ``spec`` in a worker of ``python``; ``outputs`` are the job's output
    paths (files or folders), cleaned of its temporaries if it does not finish."""
    outputs = [p for p in outputs if p]
    before = {str(p): _identity(p) for p in outputs}
    memory_mb = memory_mb or _env_float("RS_EMBED_WORKER_MEMORY_MB")
    stall_s = stall_s or _env_float("RS_EMBED_WORKER_STALL_S") or STALL_S
    worker = _take(str(python) if python else "", memory_mb) if keep_warm else Worker(python, memory_mb)
    try:
        try:
            result = worker.run(spec, on_progress, on_log, is_cancelled, stall_s)
        except WorkerError as exc:
            raise _as_memory_error(exc, memory_mb) from None
    except WorkerError as exc:
        if worker.alive() and keep_warm and exc.error != "OutOfMemory":
            _give_back(worker, memory_mb)   # a job error, not a dead worker (half-imported libraries are)
        else:
            worker.kill()
            remove_new_outputs(before)    # killed (cancel, crash, hang): nothing of it stays
        clean_temporaries(spec["id"], outputs)
        raise
    except BaseException:
        worker.kill()
        remove_new_outputs(before)
        clean_temporaries(spec["id"], outputs)
        raise
    if keep_warm:
        _give_back(worker, memory_mb)
    else:
        worker.close()
    return result


# what running out of address space looks like from inside: Python, the
# dynamic loader (mmap of a shared library) and native allocators
_MEMORY_SIGNS = ("MemoryError", "failed to map segment", "Cannot allocate memory", "Memory allocation",
                 "out of memory", "std::bad_alloc")


def _as_memory_error(exc: WorkerError, memory_mb: Optional[float]) -> WorkerError:
    """A failure caused by the worker's memory limit, said as such (a library
    that cannot be mapped otherwise reads as 'not installed')."""
    if not memory_mb or exc.cancelled:
        return exc
    text = " ".join((exc.error, exc.message, exc.log_tail, exc.traceback))
    if not any(sign in text for sign in _MEMORY_SIGNS):
        return exc
    return WorkerError("OutOfMemory",
                       f"The RS Embed worker ran out of memory: it may use {memory_mb:.0f} MB "
                       "(RS_EMBED_WORKER_MEMORY_MB), and the job needed more. No output was written. Raise "
                       "the limit, or use a smaller extent. The worker said: " + exc.message,
                       exc.log_tail, exc.traceback)


def _env_float(name) -> Optional[float]:
    try:
        return float(os.environ.get(name, "")) or None
    except ValueError:
        return None


if __name__ == "__main__":  # python -m ...jobclient PYTHON < spec.json: run one job, print the outputs
    out = run_job(sys.argv[1], json.load(sys.stdin), on_log=print, keep_warm=False)
    print(json.dumps(out, indent=2, default=str))
