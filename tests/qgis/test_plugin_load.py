"""The plugin loads light and complete, as QGIS and qgis_process load it."""
import json
import os
import subprocess
import sys
from pathlib import Path

from rs_embed_qgis.processing_provider.provider import ALGORITHMS

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "torchvision", "timm", "open_clip", "torchgeo", "ee", "geotessera",
         "pystac_client", "huggingface_hub", "sklearn", "planetary_computer", "rasterio", "pyproj", "affine",
         "pandas", "pyarrow", "xarray")

PROBE = r"""
import json, sys
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
import rs_embed_qgis
plugin = rs_embed_qgis.classFactory(None)
plugin.initProcessing()
provider = QgsApplication.processingRegistry().providerById("rs_embed")
algs = provider.algorithms()
for a in algs:
    a.shortHelpString()
    [p.name() for p in a.parameterDefinitions()]
out = {"ids": sorted(a.id() for a in algs), "errors": provider.load_errors,
       "names": {a.id(): a.displayName() for a in algs}, "groups": sorted({a.groupId() for a in algs})}
from processing.core.Processing import Processing
Processing.initialize()
import processing
env = processing.run("rs_embed:check_environment", {"VERIFY_IMPORTS": True})  # a job in a warm worker
out["core_python"] = env["PYTHON"]
out["heavy"] = [m for m in %r if m in sys.modules]
from rs_embed_qgis.embedders import jobclient
warm = [w.proc for w in jobclient._idle.values()]
out["warm"] = len(warm)
plugin.unload()
out["after_unload"] = QgsApplication.processingRegistry().providerById("rs_embed") is None
out["workers_left"] = [p.pid for p in warm if p.poll() is None]
print("RESULT" + json.dumps(out))
app.exitQgis()
""" % (HEAVY,)


def run_probe():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(REPO / ".build" / "pkg")] + sys.path[1:]))
    proc = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          timeout=300)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    assert line, proc.stdout + proc.stderr
    return json.loads(line[0][6:])


def test_provider_lists_every_algorithm_without_heavy_imports():
    res = run_probe()
    assert res["errors"] == {}
    assert res["ids"] == sorted(f"rs_embed:{m}" for m, _ in ALGORITHMS)
    assert res["heavy"] == [], f"heavy modules imported in QGIS's process: {res['heavy']}"
    assert res["core_python"] == os.environ["RS_EMBED_PYTHON"]  # the check ran in the worker
    assert res["after_unload"] is True
    assert res["warm"] == 1 and res["workers_left"] == []  # unload closed the warm worker
    assert all(g == g.lower() for g in res["groups"])


def test_the_desktop_gui_loads_and_unloads(qgis_iface):
    import rs_embed_qgis

    plugin = rs_embed_qgis.classFactory(qgis_iface)
    plugin.initGui()
    try:
        assert [a.text() for a in plugin.gui.actions] == [
            "Embed drawn extent", "Set up RS Embed...", "Check environment...", "Settings..."]
    finally:
        plugin.unload()
    assert plugin.gui is None and plugin.provider is None


def test_metadata_is_complete():
    import configparser

    cp = configparser.ConfigParser()
    cp.read(REPO / "metadata.txt")
    g = cp["general"]
    for key in ("name", "qgisMinimumVersion", "description", "about", "version", "author",
                "tags", "icon", "license"):
        assert g.get(key), key
    assert not any("example.org" in v or "example.com" in v for v in g.values())  # no placeholders
    assert g["qgisMinimumVersion"] == "3.22" and g["hasProcessingProvider"] == "yes"
    from rs_embed_qgis.embedders import __version__

    assert g["version"] == __version__


def test_core_never_imports_qgis():
    offenders = []
    for f in (REPO / "embedders").rglob("*.py"):
        text = f.read_text()
        if "import qgis" in text or "from qgis" in text:
            offenders.append(str(f.relative_to(REPO)))
    assert offenders == []


def _relative_imports(path):
    """(level, module) of every relative import in a file, lazy ones included."""
    import ast

    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            mods = [node.module] if node.module else [a.name for a in node.names]
            out += [(node.level, (m or "").split(".")[0]) for m in mods]
    return out


def test_algorithms_import_no_sibling_algorithm_and_gui_no_processing_provider():
    """Issue 13 (structure): what algorithms share lives in qgis_common/ or
    the provider's *_common modules, never in another algorithm's module."""
    algorithms = {mod for mod, _ in ALGORITHMS}
    offenders = []
    for f in sorted((REPO / "processing_provider").glob("*.py")):
        offenders += [f"{f.name} imports .{m}" for level, m in _relative_imports(f) if level == 1 and m in algorithms]
    for f in sorted((REPO / "gui").glob("*.py")):
        offenders += [f"gui/{f.name} imports ..{m}" for level, m in _relative_imports(f)
                      if level == 2 and m == "processing_provider"]
    assert offenders == []


def test_the_zip_ships_the_license_metadata_and_no_tooling(tmp_path):
    """Issue 13: a LICENSE file, named in metadata.txt, ships in the zip that
    Plugins › Install from ZIP takes; tests and tooling stay out."""
    import configparser
    import zipfile

    out = tmp_path / "rs_embed_qgis.zip"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_zip.py"), str(out)], check=True,
                   capture_output=True, timeout=120)
    names = set(zipfile.ZipFile(out).namelist())
    for f in ("LICENSE", "metadata.txt", "__init__.py", "plugin.py", "README.md", "i18n/rs_embed_de.ts"):
        assert f"rs_embed_qgis/{f}" in names, f
    assert not any(n.split("/")[1] in ("tests", "bench", "scripts", "Makefile") for n in names)
    assert "GNU GENERAL PUBLIC LICENSE" in (REPO / "LICENSE").read_text()
    cp = configparser.ConfigParser()
    cp.read(REPO / "metadata.txt")
    assert "LICENSE" in cp["general"]["license"]
