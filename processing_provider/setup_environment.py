"""Set up RS Embed: make the core's own Python environment (a venv in the
profile's data folder) and install the pinned packages of the chosen model
families into it, online or from a folder of wheels. Headless too:

    qgis_process run rs_embed:setup_environment -- FAMILIES=core FAMILIES=tessera WHEELS=/path/to/wheels
"""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException, QgsProcessingOutputString, QgsProcessingParameterFile,
)

from ..embedders.envsetup import EnvSetupError
from ..embedders.errors import CancelledError
from ..qgis_common import core_env
from ..qgis_common.env_report import family_texts
from ..qgis_common.params import enum_param, enum_values, tr
from .analysis_common import ToolsAlgorithm


class SetupEnvironmentAlgorithm(ToolsAlgorithm):
    FAMILIES, PYTHON, WHEELS = "FAMILIES", "PYTHON", "WHEELS"

    def name(self):
        return "setup_environment"

    def displayName(self):  # noqa: N802
        return tr("Set up RS Embed")

    TAGS = ("set up", "setup", "install", "environment", "packages", "wheels", "offline")

    def help_text(self):
        texts = family_texts()
        fams = "".join("<li><b>{}</b>: {}</li>".format(f, texts.get(f, (f, ""))[0])
                       for f in core_env.family_ids())
        return tr(
            "Creates RS Embed's own Python environment (a virtual environment in the profile's folder "
            "rs_embed/) from a Python 3.11 or newer, and installs the pinned packages of the chosen model "
            "families into it. Only what is missing is installed; pip's output goes to the log, and cancel "
            "stops it. The core then runs in that environment, away from QGIS's own libraries.<br><br>"
            "<b>Python to build from</b>: optional; by default a Python 3.11+ with venv is looked for.<br>"
            "<b>Folder of wheels</b>: optional; install offline from it (pip --no-index --find-links).<br>"
            "If the setting 'Python of the core' (RS_EMBED_PYTHON) names another Python, that one keeps "
            "running the core.<br><br>Families:") + f"<ul>{fams}</ul>"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(enum_param(self.FAMILIES, tr("Model families to install"), core_env.family_ids(),
                                     default=list(core_env.DEFAULT_FAMILIES), multiple=True))
        self.addParameter(QgsProcessingParameterFile(
            self.PYTHON, tr("Python to build the environment from (3.11 or newer)"),
            QgsProcessingParameterFile.File, optional=True))
        self.addParameter(QgsProcessingParameterFile(
            self.WHEELS, tr("Folder of wheels (offline installation)"), QgsProcessingParameterFile.Folder,
            optional=True))
        self.addOutput(QgsProcessingOutputString("PYTHON_OF_CORE", tr("Python of the core")))
        self.addOutput(QgsProcessingOutputString("ENV_DIR", tr("Environment folder")))
        self.addOutput(QgsProcessingOutputString("INSTALLED", tr("Packages installed by this run")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        families = enum_values(self, parameters, self.FAMILIES, context, core_env.family_ids())
        if not families:
            raise QgsProcessingException(tr("Choose at least one model family."))
        base = self.parameterAsFile(parameters, self.PYTHON, context) or None
        wheels = self.parameterAsFile(parameters, self.WHEELS, context) or None
        feedback.pushInfo(tr("Setting up {} in {}").format(", ".join(families), core_env.env_dir()))
        try:
            out = core_env.set_up(families, base, wheels, on_line=feedback.pushConsoleInfo,
                                  on_progress=feedback.setProgress, is_cancelled=feedback.isCanceled)
        except (EnvSetupError, CancelledError) as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(tr("Python of the core: {}").format(out["python"]))
        if not out["in_use"]:
            feedback.pushWarning(tr("The setting 'Python of the core' (RS_EMBED_PYTHON) names another Python, "
                                    "which keeps running the core; clear it to use this environment."))
        return {"PYTHON_OF_CORE": out["python"], "ENV_DIR": out["env_dir"], "INSTALLED": ", ".join(out["installed"])}
