"""Core environments for the set-up and Check environment tests, made in a
second or two and offline: a bare venv (no pip) that sees the packages of the
suite's core environment (RS_EMBED_PYTHON) through a .pth file, minus the
distributions a test wants missing; and tiny wheels named like the pinned
packages, for pip to install from a local folder."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tiny_wheels import write_wheel


def site_packages(python) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def overlay_env(folder, hide=()) -> Path:
    """A venv at ``folder`` whose Python sees every package of the core's
    environment except the top-level names and distributions in ``hide``
    (e.g. ``("ee", "earthengine_api")``). Returns its Python."""
    folder = Path(folder)
    base = Path(os.environ["RS_EMBED_PYTHON"])
    subprocess.run([sys.executable if not base.exists() else str(base), "-m", "venv", "--without-pip",
                    str(folder / "env")], check=True, capture_output=True)
    python = folder / "env" / "bin" / "python"
    shared = folder / "shared"
    shared.mkdir()
    hidden = tuple(h.lower() for h in hide)
    for entry in site_packages(base).iterdir():
        name = entry.name.lower()
        if name.split("-")[0] in hidden or name.split(".")[0] in hidden or name in hidden:
            continue
        if name.endswith(".pth") or name == "__pycache__":
            continue
        (shared / entry.name).symlink_to(entry)
    (site_packages(python) / "rs_embed_shared.pth").write_text(str(shared) + "\n")
    return python


def pinned_wheel(folder, dist: str, module: str) -> Path:
    """A tiny wheel of ``dist`` at its pinned version providing ``module``."""
    from rs_embed_qgis.embedders import packages as pk

    return write_wheel(folder, dist, pk.LOCK[pk.canonical(dist)], module, "TINY = True\n")
