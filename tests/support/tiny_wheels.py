"""Tiny pure-Python wheels, written at test time, for offline pip installs
(``pip install --no-index --find-links DIR``). A wheel is a zip archive with
the package, its ``.dist-info`` (METADATA, WHEEL) and a RECORD of sha256
hashes, which pip checks on install (PEP 427)."""
from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(folder, dist: str, version: str, module: str, source: str = "", requires=()) -> Path:
    """``folder/<dist>-<version>-py3-none-any.whl`` holding ``module/__init__.py``
    (``source`` plus ``__version__``), requiring ``requires`` (pip requirement strings)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    norm = dist.replace("-", "_")
    info = f"{norm}-{version}.dist-info"
    meta = [f"Metadata-Version: 2.1", f"Name: {dist}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    files = {
        f"{module}/__init__.py": f"__version__ = {version!r}\n{source}".encode(),
        f"{info}/METADATA": ("\n".join(meta) + "\n").encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: rs_embed tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{name},{_digest(data)},{len(data)}\n" for name, data in files.items())
    record += f"{info}/RECORD,,\n"
    path = folder / f"{norm}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr(f"{info}/RECORD", record)
    return path
