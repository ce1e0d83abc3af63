"""Setting up the core's environment from QGIS (the *Set up RS Embed*
algorithm and action, the install action of *Check environment*): the
standard-library code of embedders/envsetup.py, run in QGIS's process (it
only makes venvs and runs pip in child processes), with pip's lines and a
progress estimate relayed, and cancel stopping pip within a second."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, List, Optional

from ..embedders import envsetup, jobclient
from ..embedders import packages as pk
from . import worker

# set up by default: the core and the precomputed products (torch only when a model needs it)
DEFAULT_FAMILIES = pk.DEFAULT_FAMILIES
# pip's lines that mark one more package on its way
_STEP_WORDS = ("Collecting ", "Processing ", "Downloading ", "Using cached ", "Obtaining ")


def family_ids() -> List[str]:
    """The families a user can set up (test-only ones left out)."""
    return [f.id for f in pk.FAMILIES if f.in_all]


def env_dir() -> Path:
    """The environment that Set up RS Embed makes in the active profile."""
    return envsetup.default_env_dir(worker.data_dir())


def is_own_env(python) -> bool:
    """Whether ``python`` is the environment that Set up RS Embed made."""
    return bool(python) and Path(python).absolute() == Path(envsetup.env_python(env_dir())).absolute()


class _Steps:
    """Progress from pip's output: each package line is one step of ``total``."""

    def __init__(self, on_line, on_progress, lo, hi, total):
        self.on_line, self.on_progress = on_line, on_progress
        self.lo, self.hi, self.total, self.done = lo, hi, max(1, total), 0

    def __call__(self, line: str):
        self.on_line(line)
        if line.lstrip().startswith(_STEP_WORDS):
            self.done += 1
            self.on_progress(self.lo + (self.hi - self.lo) * min(1.0, self.done / self.total))


def install(python: str, families: Iterable[str], wheel_dir=None, on_line: Callable[[str], None] = print,
            on_progress: Callable[[float], None] = lambda p: None,
            is_cancelled: Callable[[], bool] = lambda: False, span=(0.0, 100.0)) -> List[str]:
    """Install exactly what ``families`` lack into the environment of
    ``python``; returns the requirements installed. Warm workers are closed
    afterwards, so the next job sees the new packages."""
    families = list(families)
    lo, hi = span
    on_progress(lo)
    todo = envsetup.missing_packages(python, families)
    steps = _Steps(on_line, on_progress, lo, hi, 2 * len(todo) + 1)  # pip names most packages twice
    try:
        return envsetup.install_families(python, families, wheel_dir, on_line=steps, is_cancelled=is_cancelled)
    finally:
        jobclient.shutdown()
        on_progress(hi)


def set_up(families: Iterable[str] = DEFAULT_FAMILIES, base_python: Optional[str] = None, wheel_dir=None,
           on_line: Callable[[str], None] = print, on_progress: Callable[[float], None] = lambda p: None,
           is_cancelled: Callable[[], bool] = lambda: False) -> dict:
    """Create the profile's environment when missing, then install
    ``families`` into it. Returns {"python", "installed", "env_dir", "in_use"}:
    ``in_use`` is False when the setting 'Python of the core' names another
    Python, which then runs the core instead."""
    target = env_dir()
    on_progress(0.0)
    python = envsetup.create_env(target, base_python or None, on_line, is_cancelled)
    on_progress(10.0)
    installed = install(python, families, wheel_dir, on_line, on_progress, is_cancelled, span=(10.0, 100.0))
    return {"python": python, "installed": installed, "env_dir": str(target), "in_use": is_own_env(worker.core_python())}
