"""The core modules QGIS's process imports use the standard library only:
they import in a Python started without any site packages (-S), and the
package's lazy exports do not pull in the rest of the core."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PKG_PARENT = Path(__file__).resolve().parents[2] / ".build" / "pkg"
STDLIB_ONLY = ["version", "catalog", "errors", "errors_text", "specs", "progress", "palette", "fileio",
               "jobs", "jobclient", "packages", "envsetup"]


def test_modules_for_qgis_import_without_site_packages():
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "import importlib\n"
        "for m in %r: importlib.import_module('rs_embed_qgis.embedders.' + m)\n"
        "core = sorted(m for m in sys.modules if m.startswith('rs_embed_qgis.embedders.'))\n"
        "third = sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names)"
        " - {'rs_embed_qgis', '__main__'})\n"
        "print(core); print(third)\n" % (str(PKG_PARENT), STDLIB_ONLY))
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    core, third = (eval(line) for line in out.stdout.strip().splitlines())
    assert third == []
    assert not any(m.endswith((".api", ".registry", ".writers", ".pca", ".geo")) for m in core), core


def _package_imports(path: Path) -> set:
    """Modules of the package that a file imports anywhere (lazy imports in
    functions included), and whether it imports dynamically."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("rs_embed_qgis")):
            if node.level and not node.module:  # from . import x
                found.update(a.name for a in node.names)
            else:
                found.add(node.module if node.level else node.module.split("embedders.")[-1])
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("rs_embed_qgis") or a.name == "importlib")
        elif isinstance(node, ast.Name) and node.id == "__import__":
            found.add("__import__")
    return found


def test_errors_is_a_leaf_and_specs_needs_only_errors_and_utm():
    """errors and utm import nothing of the package (require() lives in
    packages.py, beside install_hint); specs only those two leaves (never geo,
    so never pyproj)."""
    core = PKG_PARENT / "rs_embed_qgis" / "embedders"
    assert _package_imports(core / "errors.py") == set()
    assert _package_imports(core / "utm.py") == set()
    assert _package_imports(core / "specs.py") == {"errors", "utm"}
