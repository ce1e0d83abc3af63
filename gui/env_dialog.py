"""The "Check environment" dialog: the same report as the algorithm, built in
a background task (importing torch takes seconds) and shown as HTML."""
from __future__ import annotations

from qgis.core import QgsApplication, QgsTask
from qgis.PyQt.QtWidgets import QApplication, QDialog, QDialogButtonBox, QPushButton, QTextBrowser, QVBoxLayout

from ..processing_provider.check_environment import report_html
from ..qgis_common.params import tr


def build_report(task=None):
    from ..embedders.environment import environment_report

    return environment_report(verify_imports=True)


class EnvironmentDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("RS Embed: check environment"))
        self.resize(760, 620)
        self.report = None
        self.task = None  # Python reference until it finishes (see NOTES.md §1)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.copy_button = QPushButton(tr("Copy install commands"))
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_commands)
        self.refresh_button = QPushButton(tr("Check again"))
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ActionRole)
        buttons.addButton(self.refresh_button, QDialogButtonBox.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)

    def refresh(self):
        """Start building the report in the task manager; shown when done."""
        if self.task is not None:
            return
        self.browser.setHtml("<p>{}</p>".format(tr("Checking packages (importing each)...")))
        self.refresh_button.setEnabled(False)
        self.task = QgsTask.fromFunction(tr("RS Embed: check environment"), build_report,
                                         on_finished=self._done)
        QgsApplication.taskManager().addTask(self.task)

    def _done(self, exception, result=None):
        self.task = None
        self.refresh_button.setEnabled(True)
        if exception is not None:
            self.browser.setHtml("<p style='color:#b00'>{}: {}</p>".format(
                tr("The check failed"), exception))
            return
        self.show_report(result)

    def show_report(self, report):
        self.report = report
        self.browser.setHtml(report_html(report))
        self.copy_button.setEnabled(bool(report.commands))

    def copy_commands(self):
        if self.report is not None and self.report.commands:
            QApplication.clipboard().setText("\n".join(self.report.commands))
