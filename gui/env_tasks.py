"""Set-up and installs as QgsTasks (progress bar and cancel in QGIS's task
manager; pip's lines in the RS Embed log): the action Set up RS Embed and the
button 'Install what is missing' of Check environment."""
from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsTask

from ..qgis_common import core_env
from ..qgis_common.params import tr

LOG_TAG = "RS Embed"
_RUNNING = []  # Python references until finished() ran (sip)


class CoreEnvTask(QgsTask):
    """Runs ``work(on_line, on_progress, is_cancelled)`` in a task thread;
    ``on_done(task)`` runs on the main thread with ``result`` or ``error`` set."""

    def __init__(self, description, work, on_done=None, message_bar=None):
        super().__init__(description, QgsTask.CanCancel)
        self.work, self.on_done, self.message_bar = work, on_done, message_bar
        self.result = self.error = None
        self.done = False

    def run(self):
        try:
            self.result = self.work(self._line, self.setProgress, self.isCanceled)
            return True
        except Exception as exc:  # EnvSetupError, cancel, or a bug: reported in finished()
            self.error = exc
            return False

    @staticmethod
    def _line(text):
        QgsMessageLog.logMessage(text, LOG_TAG, Qgis.Info)

    def finished(self, ok):  # noqa: D401 (QGIS API)
        from .dialog import forget_family_state

        forget_family_state()
        try:
            if self.message_bar is not None:
                if ok:
                    self.message_bar.pushMessage(tr("RS Embed"), tr("{}: done.").format(self.description()),
                                                 Qgis.Success, 8)
                elif self.isCanceled():
                    self.message_bar.pushMessage(tr("RS Embed"), tr("{}: cancelled.").format(self.description()),
                                                 Qgis.Info, 8)
                else:
                    self.message_bar.pushMessage(tr("RS Embed"), "{}: {}".format(self.description(), self.error),
                                                 Qgis.Critical, 0)
            if self.on_done is not None:
                self.on_done(self)
        finally:
            self.done = True
            if self in _RUNNING:
                _RUNNING.remove(self)


def _start(task):
    _RUNNING.append(task)
    QgsApplication.taskManager().addTask(task)
    return task


def start_setup(families=core_env.DEFAULT_FAMILIES, base_python=None, wheel_dir=None, on_done=None,
                message_bar=None) -> CoreEnvTask:
    """Set up RS Embed (what the algorithm rs_embed:setup_environment does) as a task."""
    def work(on_line, on_progress, is_cancelled):
        return core_env.set_up(families, base_python, wheel_dir, on_line, on_progress, is_cancelled)

    return _start(CoreEnvTask(tr("RS Embed: set up {}").format(", ".join(families)), work, on_done, message_bar))


def start_install(python, families, on_done=None, message_bar=None) -> CoreEnvTask:
    """Install exactly what ``families`` lack into the environment of ``python``."""
    def work(on_line, on_progress, is_cancelled):
        return core_env.install(python, families, None, on_line, on_progress, is_cancelled)

    return _start(CoreEnvTask(tr("RS Embed: install {}").format(", ".join(families)), work, on_done, message_bar))
