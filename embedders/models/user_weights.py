"""Weights published outside Hugging Face: the authors' URL, or a file the user names.

A model sets ``weights`` (a :class:`~embedders.weights.WeightsSpec` with the
authors' ``url``) and ``weights_env`` (e.g. ``RS_EMBED_FOMO_WEIGHTS``). When that
environment variable names a file, it is used instead of the download, under the
same rules: checked against the published sha256 and size where there are any,
else against the sha256 recorded the first time that file was used (a file that
changes afterwards is refused). It is then read like the download, with
``weights_only=True``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from ..config import get_config
from ..errors import DownloadError
from ..redact import redact
from ..weights import ensure_weights, verify


def user_weights_path(env: str):
    """The file named by ``env`` (None when the variable is unset or empty)."""
    value = (os.environ.get(env) or "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        raise DownloadError(f"{env} names {path}, which is not a file. Give the path of the weights "
                            f"file you downloaded, or unset {env} to download the official weights.")
    return path


class UserWeights:
    """Mixin for :class:`~.base.OnTheFlyEmbedder`: ``fetch_weights`` honours ``weights_env``."""

    weights_env: ClassVar[str] = ""

    def fetch_weights(self):
        cfg = self._config or get_config()
        path = user_weights_path(self.weights_env) if self.weights_env else None
        if path is None:
            return ensure_weights(self.weights, cfg, self._progress)
        wdir = Path(cfg.weights_dir)
        wdir.mkdir(parents=True, exist_ok=True)
        problem = verify(self.weights, path, wdir, self._progress)
        if problem:
            how = ("the published checksum" if self.weights.sha256 else
                   "the checksum recorded when this file was first used")
            raise DownloadError(
                f"The weights file {path} ({self.weights_env}) does not match {how}: {problem}. "
                f"Use the official file from {redact(self.weights.source)}.")
        self._progress.info(f"Using the weights file {path} ({self.weights_env}).")
        return path

    @classmethod
    def describe_extra(cls) -> dict:
        d = super().describe_extra()
        if d.get("weights") is not None:
            d["weights"] = dict(d["weights"], user_file_env=cls.weights_env,
                                offline_copy=f"<weights folder>/{cls.weights.filename}",
                                checksum="published" if cls.weights.sha256 else
                                "recorded at the first download (or first use of a user file), checked after")
        return d
