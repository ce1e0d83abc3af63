"""Check environment: runs inside the core's worker, with the core's own
Python, and reports each model family ready or missing with the installed and
pinned versions, the models that can run and the accelerator torch sees.
Optionally installs exactly what is missing into that environment."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException, QgsProcessingOutputNumber, QgsProcessingOutputString,
    QgsProcessingParameterBoolean, QgsProcessingParameterFileDestination,
)

from ..embedders.envsetup import EnvSetupError
from ..embedders.errors import CancelledError
from ..embedders.jobclient import WorkerError
from ..qgis_common import env_report
from ..qgis_common.params import tr
from ..qgis_common.worker import core_python, error_text, run_core_job
from .analysis_common import ToolsAlgorithm


def check(verify: bool, on_progress=None, on_log=None, is_cancelled=None) -> dict:
    """The report dict from the worker (WorkerError 'NotSetUp' before set-up)."""
    return run_core_job("environment_report", {"verify_imports": bool(verify)}, on_progress=on_progress,
                        on_log=on_log, is_cancelled=is_cancelled)


def write_html(path, body):
    from ..embedders.fileio import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text("<html><head><meta charset='utf-8'></head><body>" + body + "</body></html>",
                       encoding="utf-8")


class CheckEnvironmentAlgorithm(ToolsAlgorithm):
    VERIFY, INSTALL, OUTPUT = "VERIFY_IMPORTS", "INSTALL_MISSING", "OUTPUT"

    def name(self):
        return "check_environment"

    def displayName(self):  # noqa: N802
        return tr("Check environment")

    TAGS = ("environment", "packages", "torch", "GPU", "CUDA", "install")

    def help_text(self):
        return tr(
            "Checks the core's own environment (the Python of the core, not QGIS's): for each model family "
            "whether its pinned packages are installed (with the installed and pinned versions), which models "
            "can run, and whether torch sees a GPU (CUDA or Apple MPS) or runs on the CPU.<br><br>"
            "<b>Import every package</b> also imports each present package to catch broken installs.<br>"
            "<b>Install what is missing</b> installs exactly the missing pinned packages into the core's "
            "environment (never into QGIS's Python).<br><br>"
            "Before set-up it says how to set up: Raster › RS Embed › Set up RS Embed.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterBoolean(
            self.VERIFY, tr("Import every package (catches broken installs)"), True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.INSTALL, tr("Install what is missing into the core's environment"), False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Environment report"), tr("HTML files (*.html)"), optional=True,
            createByDefault=True))
        self.addOutput(QgsProcessingOutputString("PYTHON", tr("Python of the core")))
        self.addOutput(QgsProcessingOutputString("SUMMARY", tr("Summary")))
        self.addOutput(QgsProcessingOutputString("MISSING", tr("Missing packages (pinned requirements)")))
        self.addOutput(QgsProcessingOutputString("MISSING_FAMILIES", tr("Missing families")))
        self.addOutput(QgsProcessingOutputNumber("MISSING_COUNT", tr("Number of missing packages")))
        self.addOutput(QgsProcessingOutputString("INSTALLED", tr("Packages installed by this run")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        verify = self.parameterAsBool(parameters, self.VERIFY, context)
        install = self.parameterAsBool(parameters, self.INSTALL, context)
        path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        feedback.pushInfo(tr("Checking the core's environment{}...").format(tr(" (importing each package)")
                                                                             if verify else ""))
        try:
            report = check(verify, lambda f: feedback.setProgress(40 * f), feedback.pushInfo, feedback.isCanceled)
        except WorkerError as exc:
            if exc.error != "NotSetUp":
                raise QgsProcessingException(error_text(exc)) from None
            feedback.reportError(exc.message)
            if path:
                write_html(path, env_report.not_set_up_html(exc.message))
            return {self.OUTPUT: path, "PYTHON": "", "SUMMARY": exc.message, "MISSING": "",
                    "MISSING_FAMILIES": "", "MISSING_COUNT": 0, "INSTALLED": ""}
        installed = []
        if install and report["missing_families"]:
            installed = self._install(report, feedback)
            report = check(verify, lambda f: feedback.setProgress(90 + 10 * f), feedback.pushInfo,
                           feedback.isCanceled)
        summary = env_report.report_summary(report)
        for line in summary.splitlines():
            feedback.pushInfo(line)
        if report["missing_families"] and not install:
            feedback.pushInfo(env_report.install_hint(report["missing_families"]))
        if path:
            write_html(path, env_report.report_html(report))
        missing = env_report.missing_requirements(report)
        return {self.OUTPUT: path, "PYTHON": report["python"], "SUMMARY": summary, "MISSING": ", ".join(missing),
                "MISSING_FAMILIES": ",".join(report["missing_families"]), "MISSING_COUNT": len(missing),
                "INSTALLED": ", ".join(installed)}

    def _install(self, report, feedback):
        from ..qgis_common.core_env import install

        families = report["missing_families"]
        feedback.pushInfo(tr("Installing what {} lack into {} ...").format(", ".join(families), report["python"]))
        try:
            return install(core_python() or report["python"], families, on_line=feedback.pushConsoleInfo,
                           on_progress=feedback.setProgress, is_cancelled=feedback.isCanceled, span=(40, 90))
        except (EnvSetupError, CancelledError) as exc:
            raise QgsProcessingException(str(exc)) from None
