"""Check environment: which model families can run in this QGIS's Python,
what to install for the others, and which accelerator torch sees."""
from __future__ import annotations

import html

from qgis.core import (
    QgsProcessingAlgorithm, QgsProcessingOutputNumber, QgsProcessingOutputString,
    QgsProcessingParameterBoolean, QgsProcessingParameterFileDestination,
)

from ..qgis_common.icons import family_icon
from ..qgis_common.params import tr


def family_texts():
    """Translated (title, purpose) of the core's model families."""
    return {
        "core": (tr("Core"), tr("every model: GeoTIFF and PCA outputs, reprojection")),
        "tessera": (tr("Tessera (precomputed)"), tr("tessera embeddings via geotessera")),
        "gse_cog": (tr("Google Satellite Embedding, public COG copy"), tr("gse_annual with backend cog")),
        "earth_engine": (tr("Earth Engine"),
                         tr("gse_annual with backend gee, Sentinel-2 imagery from gee")),
        "copernicus": (tr("Copernicus Embed (precomputed)"),
                       tr("copernicus_embed download and windowed reads")),
        "stac": (tr("Sentinel-2 imagery from STAC"),
                 tr("imagery source stac (Earth Search, Planetary Computer)")),
        "torch_models": (tr("On-the-fly models"),
                         tr("RemoteCLIP, SatMAE, ScaleMAE, Prithvi, DOFA, TerraFM")),
        "analysis": (tr("Analysis tools"), tr("cluster embeddings (k-means), compare models")),
    }


def _pkg_cell(st):
    name = html.escape(st.module)
    if st.error:
        return '<span style="color:#b00">{} ({}: {})</span>'.format(name, tr("broken"), html.escape(st.error))
    if not st.present:
        return '<span style="color:#b00">{} ({})</span>'.format(name, tr("missing"))
    return '<span style="color:#070">{} {}</span>'.format(name, html.escape(st.version or ""))


def _table(report, groups, texts):
    head = "<tr><th>{}</th><th>{}</th><th>{}</th></tr>".format(tr("Family"), tr("Status"), tr("Packages"))
    ready, missing = tr("ready"), tr("missing")
    rows = []
    for g in groups:
        title, purpose = texts.get(g.id, (g.title, g.purpose))
        state = f'<b style="color:#070">{ready}</b>' if g.ok else f'<b style="color:#b00">{missing}</b>'
        pkgs = ", ".join(_pkg_cell(report.packages[m]) for m in g.modules) or tr("nothing extra")
        cmd = "".join(f"<pre>{html.escape(c)}</pre>" for c in g.commands)
        cmd += "".join(f"<p><small>{html.escape(report.packages[m].note)}</small></p>"
                       for m in g.missing if report.packages[m].note)
        rows.append(f"<tr><td><b>{html.escape(title)}</b><br><small>{html.escape(purpose)}</small></td>"
                    f"<td>{state}</td><td>{pkgs}{cmd}</td></tr>")
    return f'<table border="1" cellpadding="4" cellspacing="0">{head}{"".join(rows)}</table>'


def report_html(report) -> str:
    """The environment report as HTML (results viewer and dialog)."""
    venv = (", " + tr("virtual environment")) if report.in_venv else ""
    parts = [
        "<h2>{}</h2>".format(tr("RS Embed environment")),
        "<p>{}: <code>{}</code> ({}){}</p>".format(
            tr("Python"), html.escape(report.python), html.escape(report.python_version), venv),
        _table(report, report.families, family_texts()),
    ]
    if report.models:
        parts += ["<h3>{}</h3>".format(tr("Models")), _table(report, report.models, {})]
    parts.append("<h3>{}</h3><p>{}</p>".format(tr("GPU"), html.escape(report.gpu.get("summary", ""))))
    if report.commands:
        parts.append("<h3>{}</h3><p>{}</p>".format(tr("Install everything missing"), install_hint()))
        parts += [f"<pre>{html.escape(c)}</pre>" for c in report.commands]
    else:
        parts.append("<p><b>{}</b></p>".format(tr("Every model family has what it needs.")))
    cfg = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape('' if v is None else str(v))}</td></tr>"
                  for k, v in report.config.items())
    parts.append("<h3>{}</h3><table>{}</table>".format(tr("Settings in effect"), cfg))
    return "\n".join(parts)


def install_hint():
    return tr("Run these commands in a terminal (on Windows: the OSGeo4W Shell), then restart QGIS. "
              "They install into the Python that this QGIS runs and keep its numpy.")


def report_summary(report) -> str:
    """One line per family: 'ready' or what is missing."""
    texts = family_texts()
    lines = []
    for g in report.families + report.models:
        title = texts.get(g.id, (g.title,))[0]
        state = tr("ready") if g.ok else tr("missing {}").format(", ".join(g.missing))
        lines.append(f"{title}: {state}")
    lines.append(tr("GPU: {}").format(report.gpu.get("summary", "")))
    lines += report.commands
    return "\n".join(lines)


class CheckEnvironmentAlgorithm(QgsProcessingAlgorithm):
    VERIFY, OUTPUT = "VERIFY_IMPORTS", "OUTPUT"

    def name(self):
        return "check_environment"

    def displayName(self):  # noqa: N802
        return tr("Check environment")

    def group(self):
        return tr("Tools")

    def groupId(self):  # noqa: N802
        return "tools"

    def createInstance(self):  # noqa: N802
        return CheckEnvironmentAlgorithm()

    def icon(self):
        return family_icon(self.groupId())

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Reports, for each model family, which Python packages are present (with versions) and "
            "which are missing, the exact command that installs them into the Python this QGIS runs, "
            "and whether torch sees a GPU (CUDA or Apple MPS) or runs on the CPU.<br><br>"
            "<b>Import every package</b> also imports each present package to catch broken installs "
            "(slower: a few seconds).")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterBoolean(
            self.VERIFY, tr("Import every package (catches broken installs)"), True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Environment report"), tr("HTML files (*.html)"), optional=True,
            createByDefault=True))
        self.addOutput(QgsProcessingOutputString("SUMMARY", tr("Summary")))
        self.addOutput(QgsProcessingOutputString("MISSING", tr("Missing packages (pip requirements)")))
        self.addOutput(QgsProcessingOutputString("INSTALL_COMMANDS", tr("Install commands")))
        self.addOutput(QgsProcessingOutputNumber("MISSING_COUNT", tr("Number of missing packages")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        from ..embedders.environment import environment_report
        from ..embedders.fileio import atomic_path

        verify = self.parameterAsBool(parameters, self.VERIFY, context)
        feedback.pushInfo(tr("Checking packages{}...").format(tr(" (importing each)") if verify else ""))
        report = environment_report(verify_imports=verify)
        summary = report_summary(report)
        for line in summary.splitlines():
            feedback.pushInfo(line)
        path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        if path:
            with atomic_path(path) as tmp:
                tmp.write_text("<html><head><meta charset='utf-8'></head><body>"
                               + report_html(report) + "</body></html>", encoding="utf-8")
        missing = sorted({report.packages[m].pip for g in report.families + report.models
                          for m in g.missing})
        return {self.OUTPUT: path, "SUMMARY": summary, "MISSING": ", ".join(missing),
                "INSTALL_COMMANDS": "\n".join(report.commands), "MISSING_COUNT": len(missing)}
