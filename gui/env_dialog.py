"""The "Check environment" dialog: the report of the core's worker (run in
the core's own Python, never in QGIS's: torch and friends stay out of this
process), built in a background task and shown as HTML, with one action that
installs exactly what is missing into that environment, or, before set-up,
one that sets RS Embed up."""
from __future__ import annotations

from qgis.core import QgsApplication, QgsTask
from qgis.PyQt import sip
from qgis.PyQt.QtWidgets import QApplication, QDialog, QDialogButtonBox, QPushButton, QTextBrowser, QVBoxLayout

from ..embedders.jobclient import WorkerError
from ..qgis_common import env_report
from ..qgis_common.params import tr
from ..qgis_common.worker import core_python, error_text, run_core_job


def build_report(task):
    """In a task thread: the worker's environment report (a dict)."""
    return run_core_job("environment_report", {"verify_imports": True},
                        on_progress=lambda f: task.setProgress(100.0 * f), is_cancelled=task.isCanceled)


class EnvironmentDialog(QDialog):
    def __init__(self, parent=None, message_bar=None):
        super().__init__(parent)
        self.setWindowTitle(tr("RS Embed: check environment"))
        self.resize(820, 680)
        self.message_bar = message_bar
        self.report = None        # the last report (dict)
        self.not_set_up = None    # the message when RS Embed is not set up
        self.error = None         # the message when the check failed
        self.task = None          # Python references until they finish (NOTES.md §1)
        self.install_task = None
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.install_button = QPushButton(tr("Install what is missing"))
        self.install_button.setToolTip(tr("Installs exactly the missing pinned packages into the core's "
                                          "environment (never into QGIS's own Python)."))
        self.install_button.clicked.connect(self.install_missing)
        self.setup_button = QPushButton(tr("Set up RS Embed"))
        self.setup_button.clicked.connect(self.set_up)
        self.copy_button = QPushButton(tr("Copy report"))
        self.copy_button.clicked.connect(self.copy_report)
        self.refresh_button = QPushButton(tr("Check again"))
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        for b in (self.install_button, self.setup_button, self.copy_button, self.refresh_button):
            buttons.addButton(b, QDialogButtonBox.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self._buttons()

    def _busy(self):
        return self.task is not None or self.install_task is not None

    def _buttons(self):
        busy = self._busy()
        missing = bool(self.report and self.report.get("missing_families") and not self.report.get("refusal"))
        self.install_button.setVisible(self.not_set_up is None)
        self.install_button.setEnabled(missing and not busy)
        self.setup_button.setVisible(self.not_set_up is not None)
        self.setup_button.setEnabled(not busy)
        self.refresh_button.setEnabled(not busy)
        self.copy_button.setEnabled(self.report is not None)

    # -- the check -----------------------------------------------------------
    def refresh(self):
        """Build the report in the task manager; shown when done."""
        if self._busy():
            return
        self.browser.setHtml("<p>{}</p>".format(tr("Checking the core's environment (importing each package)...")))
        self.task = QgsTask.fromFunction(tr("RS Embed: check environment"), build_report, on_finished=self._done)
        self._buttons()
        QgsApplication.taskManager().addTask(self.task)

    def _done(self, exception, result=None):
        if sip.isdeleted(self):   # closed with the plugin while the check ran
            return
        self.task = None
        self.report = self.not_set_up = self.error = None
        if isinstance(exception, WorkerError) and exception.error == "NotSetUp":
            self.not_set_up = exception.message
            self.browser.setHtml(env_report.not_set_up_html(exception.message))
        elif exception is not None:
            self.error = error_text(exception) if isinstance(exception, WorkerError) else str(exception)
            self.browser.setHtml("<p style='color:#b00'>{}:</p><pre>{}</pre>".format(
                tr("The check failed"), self.error))
        else:
            self.show_report(result)
        self._buttons()

    def show_report(self, report: dict):
        self.report = report
        from ..qgis_common.core_env import is_own_env

        source = tr("the environment made by Set up RS Embed") if is_own_env(core_python()) \
            else tr("named by the setting 'Python of the core' (RS_EMBED_PYTHON)")
        self.browser.setHtml(env_report.report_html(report, source))

    # -- actions -------------------------------------------------------------
    def install_missing(self):
        """Install exactly what the report says is missing, then check again."""
        from .env_tasks import start_install

        if self._busy() or not self.report or not self.report.get("missing_families"):
            return
        families = list(self.report["missing_families"])
        self.browser.append("<p><b>{}</b></p>".format(tr("Installing {} into {} ... (progress in the task manager, "
                                                        "pip's output in the RS Embed log)").format(
            ", ".join(families), core_python())))
        self.install_task = start_install(core_python(), families, self._installed, self.message_bar)
        self._buttons()

    def set_up(self):
        from .env_tasks import start_setup

        if self._busy():
            return
        self.browser.append("<p><b>{}</b></p>".format(tr("Setting up RS Embed ... (progress in the task manager, "
                                                        "pip's output in the RS Embed log)")))
        self.install_task = start_setup(on_done=self._installed, message_bar=self.message_bar)
        self._buttons()

    def _installed(self, task):
        if sip.isdeleted(self):
            return
        self.install_task = None
        self._buttons()
        if task.error is not None:
            self.browser.append("<p style='color:#b00'>{}</p>".format(task.error))
            return
        self.refresh()

    def copy_report(self):
        if self.report is not None:
            QApplication.clipboard().setText(env_report.report_summary(self.report))
