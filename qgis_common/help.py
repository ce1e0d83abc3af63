"""What QGIS shows about an algorithm besides its parameters: the help as
plain lines (the toolbox makes each line a paragraph; qgis_process prints it
as it is), the choices listed by id, search tags, the help URL and the icon."""
from __future__ import annotations

import html
import re
from pathlib import Path

from ..embedders import catalog
from .icons import icon_path
from .params import tr

README = Path(__file__).resolve().parents[1] / "README.md"
BASE_TAGS = ("RS Embed", "embedding", "embeddings", "foundation model", "remote sensing", "Sentinel-2")

_BREAKS = re.compile(r"<br\s*/?>|</p>|</ul>", re.I)
_ITEM = re.compile(r"<li>", re.I)
_DROP = re.compile(r"</li>|<ul>", re.I)
_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Simple help HTML (<br>, <ul><li>, <b>, <i>) as plain lines."""
    text = _ITEM.sub("\n- ", _BREAKS.sub("\n", _DROP.sub("", text)))
    text = html.unescape(_TAG.sub("", text))
    lines = [ln.strip() for ln in text.split("\n")]
    out = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip()


def choices_text(alg) -> str:
    """Each choice parameter's values by id, as qgis_process and scripts take
    them (the dialog shows labels; qgis_process lists indexes)."""
    lines, seen = [], {}
    for p in alg.parameterDefinitions():
        if p.type() != "enum":
            continue
        opts = tuple(p.options())
        same = seen.setdefault(opts, p.name())
        lines.append(f"- {p.name()}: " + (tr("as {}").format(same) if same != p.name() else ", ".join(opts)))
    if not lines:
        return ""
    return "\n".join([tr("Choices by id (as qgis_process and scripts take them):")] + lines)


def short_help(alg, text: str) -> str:
    """The algorithm's help text as plain lines, then its choices by id."""
    parts = [plain(text), choices_text(alg)]
    return "\n\n".join(p for p in parts if p)


def model_label(model_id: str) -> str:
    """The model's label as the user reads it (catalog text, translated)."""
    return tr(catalog.card(model_id).label)


def option_help() -> str:
    """One line per model option: which models take it and what it does."""
    lines = []
    for name, text in catalog.OPTION_HELP.items():
        users = [m.id for m in catalog.MODELS if name in m.options]
        lines.append(f"<li><b>{name}</b> ({', '.join(users)}): {html.escape(tr(text))}</li>")
    return "<ul>" + "".join(lines) + "</ul>"


def model_help() -> str:
    """One line per model: id and what it is."""
    lines = [f"<li><b>{m.id}</b>: {html.escape(model_label(m.id))}</li>" for m in catalog.MODELS]
    return "<ul>" + "".join(lines) + "</ul>"


def help_url() -> str:
    """The README that ships with the plugin, as a file:// URL (nothing when it is absent)."""
    from qgis.PyQt.QtCore import QUrl

    return QUrl.fromLocalFile(str(README)).toString() if README.is_file() else ""


def model_tags(model_ids=None) -> list:
    """Model ids and product names (catalog tags), so toolbox search finds them."""
    out = []
    for m in catalog.MODELS:
        if model_ids is None or m.id in model_ids:
            out += [m.id, *m.tags]
    return list(dict.fromkeys(out))


def algorithm_tags(*extra, models=False) -> list:
    return list(dict.fromkeys([*BASE_TAGS, *extra, *(model_tags() if models else [])]))


def svg_icon_path(group_id: str) -> str:
    """The family icon's SVG (the modeler draws it), or the provider's."""
    p = icon_path(f"family_{group_id}")
    return str(p if p.is_file() else icon_path("icon"))
