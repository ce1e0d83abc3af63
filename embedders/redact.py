"""Secrets out of everything persisted or shown: metadata, GeoTIFF tags,
progress messages, error texts.

:func:`redact` takes a string, or a dict / list / tuple (walked), and returns
a copy with

* URL credentials (``scheme://user:pass@host``) -> ``scheme://***@host``;
* signature and token query parameters (``sig``, ``se``, ``st``, ``token``,
  ``access_token``, ``key``, ``X-Amz-*``, ``X-Goog-*`` ...) -> ``name=REDACTED``;
* the Earth Engine project id (setting ``ee_project`` / ``RS_EMBED_EE_PROJECT``)
  -> ``<ee-project>``; in a dict the values of keys such as ``ee_project``
  are replaced whole.
"""
from __future__ import annotations

import re

MASK = "REDACTED"
PROJECT_MASK = "<ee-project>"
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@?#\"']+@")
_PARAMS = (r"sig|signature|se|st|skoid|sktid|token|access_token|id_token|refresh_token|"
           r"api_key|apikey|key|password|passwd|secret|client_secret|"
           r"x-amz-[a-z0-9\-]+|x-goog-[a-z0-9\-]+|awsaccesskeyid")
_QUERY = re.compile(rf"(?i)([?&;](?:{_PARAMS})=)[^&#\s\"']*")
SECRET_KEYS = {"ee_project", "project", "project_id", "password", "token", "access_token", "api_key"}


def _ee_project():
    try:
        from .config import get_config

        p = (get_config().ee_project or "").strip()
    except Exception:  # a broken setting must not hide the message being redacted
        return None
    return p if len(p) >= 3 else None


def redact_text(text: str, project=None) -> str:
    text = _USERINFO.sub(r"\1***@", text)
    text = _QUERY.sub(rf"\1{MASK}", text)
    if project:
        text = text.replace(project, PROJECT_MASK)
    return text


def redact(obj, project=None):
    """A copy of ``obj`` (str, dict, list, tuple; other values as they are) without secrets."""
    project = project if project is not None else (_ee_project() or "")
    if isinstance(obj, str):
        return redact_text(obj, project)
    if isinstance(obj, dict):
        return {k: (PROJECT_MASK if v and str(k).lower() in ("ee_project", "project", "project_id")
                    else MASK if v and str(k).lower() in SECRET_KEYS else redact(v, project))
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(redact(v, project) for v in obj)
    return obj


class RedactingFilter:
    """A logging filter that redacts a record's message (args merged in)."""

    def filter(self, record):
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as it is
            return True
        record.msg, record.args = redact_text(msg, _ee_project()), None
        return True


_FILTER = RedactingFilter()


def redact_logs(*names):
    """Redact what the named loggers (third-party libraries) log."""
    import logging

    for name in names:
        log = logging.getLogger(name)
        if _FILTER not in log.filters:
            log.addFilter(_FILTER)
