"""The environment report of the core's worker (the dict of the job
"environment_report") as HTML and text, for the Check environment algorithm
and dialog; and what to say before RS Embed is set up."""
from __future__ import annotations

import html

from .numbers import value_text
from .params import tr

MENU_PATH = "Raster \u203a RS Embed"


def family_texts():
    """Translated (title, purpose) of the model families (embedders/packages.py)."""
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
                         tr("every on-the-fly model (Prithvi, Clay, OlmoEarth, TerraMind, DOFA, Galileo, "
                            "THOR and the rest)")),
        "analysis": (tr("Analysis tools"), tr("cluster embeddings (k-means), compare models, reports")),
        "dask": (tr("Dask"), tr("large extents in chunks, on a local or remote Dask cluster")),
    }


def setup_hint() -> str:
    return tr("Set it up with {} › Set up RS Embed (or headless: qgis_process run rs_embed:setup_environment), "
              "or point the setting 'Python of the core' (RS_EMBED_PYTHON) at a Python that has the core's "
              "packages.").format(MENU_PATH)


def not_set_up_html(message: str) -> str:
    return "<h2>{}</h2><p>{}</p><p>{}</p>".format(
        tr("RS Embed is not set up yet"), html.escape(message), html.escape(setup_hint()))


def _ok(text):
    return f'<b style="color:#070">{html.escape(text)}</b>'


def _bad(text):
    return f'<b style="color:#b00">{html.escape(text)}</b>'


def _package_cell(p: dict) -> str:
    name = html.escape(p["dist"])
    if p.get("error"):
        return '<span style="color:#b00">{} {} ({}: {})</span>'.format(
            name, html.escape(p.get("installed") or ""), tr("broken"), html.escape(p["error"]))
    if not p.get("installed"):
        return '<span style="color:#b00">{} ({}; {} {})</span>'.format(
            name, tr("missing"), tr("pinned"), html.escape(p["pinned"]))
    if p.get("state") == "other version":
        return '<span style="color:#a60">{} {} ({} {})</span>'.format(
            name, html.escape(p["installed"]), tr("pinned"), html.escape(p["pinned"]))
    return '<span style="color:#070">{} {}</span>'.format(name, html.escape(p["installed"]))


def _families_table(report: dict) -> str:
    texts = family_texts()
    head = "<tr><th>{}</th><th>{}</th><th>{}</th></tr>".format(tr("Family"), tr("Status"), tr("Packages"))
    rows = []
    for f in report["families"]:
        title, purpose = texts.get(f["id"], (f["title"], f["purpose"]))
        state = _ok(tr("ready")) if f["ready"] else _bad(tr("missing"))
        pkgs = ", ".join(_package_cell(report["packages"][m]) for m in f["modules"]) or tr("nothing extra")
        rows.append(f"<tr><td><b>{html.escape(title)}</b> <small>({html.escape(f['id'])})</small><br>"
                    f"<small>{html.escape(purpose)}</small></td><td>{state}</td><td>{pkgs}</td></tr>")
    return f'<table border="1" cellpadding="4" cellspacing="0">{head}{"".join(rows)}</table>'


def _models_table(report: dict) -> str:
    head = "<tr><th>{}</th><th>{}</th><th>{}</th></tr>".format(tr("Model"), tr("Status"), tr("Families"))
    rows = []
    for m in report["models"]:
        state = _ok(tr("ready")) if m["ready"] else _bad(tr("needs {}").format(", ".join(m["missing_families"])))
        rows.append(f"<tr><td><b>{html.escape(m['id'])}</b><br><small>{html.escape(tr(m['title']))}</small></td>"
                    f"<td>{state}</td><td>{html.escape(', '.join(m['families']))}</td></tr>")
    return f'<table border="1" cellpadding="4" cellspacing="0">{head}{"".join(rows)}</table>'


def _setting_text(v) -> str:
    """A setting's value as shown: numbers in the user's locale."""
    if v is None:
        return ""
    return str(v) if isinstance(v, (bool, str)) else value_text(v)


def report_html(report: dict, source: str = "") -> str:
    """The report as HTML (results viewer and dialog). ``source`` says where
    the core's Python comes from (set-up environment or the setting)."""
    venv = (", " + tr("virtual environment")) if report.get("in_venv") else ""
    parts = [
        "<h2>{}</h2>".format(tr("RS Embed environment")),
        "<p>{}: <code>{}</code> (Python {}{}){}</p>".format(
            tr("Python of the core"), html.escape(report["python"]), html.escape(report["python_version"]),
            venv, f"<br><small>{html.escape(source)}</small>" if source else ""),
        "<h3>{}</h3>".format(tr("Families")), _families_table(report),
        "<h3>{}</h3>".format(tr("Models")), _models_table(report),
        "<h3>{}</h3><p>{}</p>".format(tr("GPU"), html.escape(report["gpu"].get("summary", ""))),
    ]
    missing = report.get("missing_families") or []
    if report.get("refusal"):
        parts.append("<p>{}</p>".format(html.escape(report["refusal"])))
    elif missing:
        parts.append("<h3>{}</h3><p>{}</p>".format(tr("What is missing"), html.escape(install_hint(missing))))
    else:
        parts.append("<p><b>{}</b></p>".format(tr("Every model family has what it needs.")))
    cfg = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(_setting_text(v))}</td></tr>"
                  for k, v in (report.get("config") or {}).items())
    parts.append("<h3>{}</h3><table>{}</table>".format(tr("Settings in effect"), cfg))
    return "\n".join(parts)


def install_hint(missing_families) -> str:
    return tr("The families {} are missing. 'Install what is missing' (Raster › RS Embed › Check environment) "
              "installs exactly their pinned packages into the core's environment; headless: qgis_process run "
              "rs_embed:check_environment -- INSTALL_MISSING=true. Nothing is installed into QGIS's own "
              "Python.").format(", ".join(missing_families))


def report_summary(report: dict) -> str:
    """One line per family and model: 'ready' or what is missing."""
    texts = family_texts()
    lines = [tr("Python of the core: {} ({})").format(report["python"], report["python_version"])]
    for f in report["families"]:
        title = texts.get(f["id"], (f["title"],))[0]
        if f["ready"]:
            state = tr("ready")
        else:
            state = tr("missing {}").format(", ".join(
                "{}=={}".format(report["packages"][m]["dist"], report["packages"][m]["pinned"]) for m in f["missing"]))
        lines.append(f"{title}: {state}")
    for m in report["models"]:
        state = tr("ready") if m["ready"] else tr("needs {}").format(", ".join(m["missing_families"]))
        lines.append(tr("model {}: {}").format(m["id"], state))
    lines.append(tr("GPU: {}").format(report["gpu"].get("summary", "")))
    return "\n".join(lines)


def missing_requirements(report: dict):
    """The pinned requirements of the packages that the families lack."""
    mods = dict.fromkeys(m for f in report["families"] for m in f["missing"])
    return ["{}=={}".format(report["packages"][m]["dist"], report["packages"][m]["pinned"]) for m in mods]
