"""Running a core job from QGIS: the core's Python, the settings as the job's
config, progress / log / cancel relayed to a Processing feedback or a task,
and the worker's errors as messages the user can act on."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, Optional

from qgis.core import QgsApplication, QgsProcessingException, QgsSettings

from ..embedders import jobclient

PYTHON_KEY = "rs_embed/python"


def data_dir() -> Path:
    """The plugin's data folder in the active profile (its environment lives there)."""
    return Path(QgsApplication.qgisSettingsDirPath()) / "rs_embed"


def core_python() -> Optional[str]:
    """The Python that runs the core: the setting 'Python of the core'
    (RS_EMBED_PYTHON or rs_embed/python), else the environment that
    'Set up RS Embed' made in the profile."""
    chosen = os.environ.get("RS_EMBED_PYTHON") or str(QgsSettings().value(PYTHON_KEY, "", type=str) or "")
    if chosen.strip():
        return chosen.strip()
    from ..embedders.envsetup import default_env_dir, env_is_complete, env_python

    env = default_env_dir(data_dir())
    return str(env_python(env)) if env_is_complete(env) else None


def core_config() -> dict:
    """The RS Embed settings as the job's config (empty ones left to the core)."""
    from .settings import core_settings

    return core_settings()


def error_text(error: jobclient.WorkerError) -> str:
    """What the user reads: the message, and for a crash or hang the worker's last lines."""
    text = error.message
    if error.log_tail and error.error in ("WorkerCrashed", "WorkerHung"):
        text += "\n" + error.log_tail
    return text


def run_core_job(kind: str, params: dict, outputs: Iterable = (), feedback=None,
                 on_progress: Callable[[float], None] = None, on_log: Callable[[str], None] = None,
                 is_cancelled: Callable[[], bool] = None, span=(0.0, 100.0)) -> dict:
    """Run one job in the worker and return its outputs. ``feedback`` (a
    QgsProcessingFeedback) gets progress in ``span`` percent, log lines and
    cancel, and a failure is a QgsProcessingException (sip maps only that
    exact class to a Processing error); a QgsTask passes its own callbacks
    and gets :class:`jobclient.WorkerError`."""
    lo, hi = span
    if feedback is not None:
        on_progress = on_progress or (lambda f: feedback.setProgress(lo + (hi - lo) * f))
        on_log = on_log or feedback.pushInfo
        is_cancelled = is_cancelled or feedback.isCanceled
    spec = jobclient.new_job(kind, params, core_config())
    try:
        return jobclient.run_job(core_python(), spec, outputs, on_progress=on_progress, on_log=on_log,
                                 is_cancelled=is_cancelled)
    except jobclient.WorkerError as exc:
        if feedback is None:
            raise
        raise QgsProcessingException(error_text(exc)) from None
