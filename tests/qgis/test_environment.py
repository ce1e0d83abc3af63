"""The environment report: packages present/missing per family and model, the
install commands for this Python, GPU visibility; and, end to end, the plugin
with optional packages blocked still lists every algorithm, and running one
says what to install."""
from __future__ import annotations

import importlib.metadata as md
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from rs_embed_qgis.embedders import environment as env
from rs_embed_qgis.processing_provider.provider import ALGORITHMS

REPO = Path(__file__).resolve().parents[2]


def test_present_packages_have_their_installed_versions():
    rep = env.environment_report(with_gpu=False)
    assert rep.packages["numpy"].present and rep.packages["numpy"].version == md.version("numpy")
    assert rep.packages["rasterio"].version == md.version("rasterio")
    core = next(g for g in rep.families if g.id == "core")
    assert core.ok and core.commands == []
    assert {g.id for g in rep.families} >= {"core", "tessera", "earth_engine", "stac", "torch_models"}
    assert "tessera" in {g.id for g in rep.models}  # registered models get their own rows


def test_blocked_packages_are_missing_with_a_command_that_installs_them(monkeypatch):
    monkeypatch.setitem(sys.modules, "pystac_client", None)  # what an absent package looks like
    monkeypatch.setitem(sys.modules, "ee", None)
    rep = env.environment_report(with_gpu=False)
    stac = next(g for g in rep.families if g.id == "stac")
    assert stac.missing == ["pystac_client"] and not rep.packages["pystac_client"].present
    args = shlex.split(stac.commands[0])
    assert args[:4] == [env.python_executable(), "-m", "pip", "install"]
    assert "pystac-client>=0.7" in args and "planetary-computer>=1.0" not in args
    assert "numpy<2" in args  # keeps QGIS's numpy 1 (its GDAL bindings need it)
    assert any("earthengine-api>=1.0" in c for c in rep.commands)
    assert "pystac_client" in rep.to_text() or "pystac-client" in rep.to_text()


def test_install_command_uses_the_user_site_outside_a_venv(monkeypatch):
    monkeypatch.setattr(env, "in_venv", lambda: False)
    monkeypatch.setattr(env, "_externally_managed", lambda: True)
    (cmd,) = env.install_commands(["einops"])
    args = shlex.split(cmd)
    assert args[4:6] == ["--user", "--break-system-packages"] and "einops" in args
    monkeypatch.setattr(env, "in_venv", lambda: True)
    assert "--user" not in shlex.split(env.install_commands(["einops"])[0])


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the --no-deps route is for Python < 3.12")
def test_geotessera_gets_its_own_no_deps_command_plus_its_runtime_needs():
    plain, special = env.install_commands(["geotessera"])
    assert shlex.split(special)[-3:] == ["--no-deps", "--ignore-requires-python", "geotessera==0.11.0"]
    assert "rich" in shlex.split(plain) and "geotessera==0.11.0" not in shlex.split(plain)


def test_the_executable_is_a_python_even_when_embedded(monkeypatch, tmp_path):
    """Inside QGIS sys.executable is the qgis binary; pip must run with Python."""
    fake = tmp_path / "bin" / "qgis"
    fake.parent.mkdir()
    fake.write_text("")
    py = tmp_path / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    py.write_text("")
    monkeypatch.setattr(sys, "executable", str(fake))
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert env.python_executable() == str(py)


def test_pins_agree_with_the_requirement_files():
    reqs = {}
    for f in ("requirements.txt", "requirements-models.txt"):
        for line in (REPO / f).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line:
                name = re.split(r"[<>=!~ ]", line, 1)[0].lower().replace("_", "-")
                reqs[name] = line.replace(" ", "")
    checked = 0
    for p in env.PACKAGES.values():
        key = p.dist.lower().replace("_", "-")
        if key in reqs:
            assert p.pip.replace(" ", "") == reqs[key], p
            checked += 1
    assert checked >= 15


def test_verify_imports_catches_a_broken_install(tmp_path, monkeypatch):
    (tmp_path / "rs_embed_broken_pkg.py").write_text("raise ImportError('needs libfoo.so.3')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    quick = env.package_status("rs_embed_broken_pkg")
    deep = env.package_status("rs_embed_broken_pkg", verify_import=True)
    assert quick.present and quick.usable
    assert deep.present and not deep.usable and "libfoo" in deep.error


def test_gpu_report_is_honest(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    st = {"torch": env.package_status("torch")}
    g = env.gpu_status(st)
    assert g["device"] == "cpu" and g["torch"] is None and "not installed" in g["summary"]


def test_gpu_report_matches_torch():
    import torch
    g = env.gpu_status({"torch": env.package_status("torch")})
    assert g["cuda"] == torch.cuda.is_available() and g["torch"] == torch.__version__
    expected = "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
    assert g["device"] == expected


def test_check_environment_algorithm_writes_html_and_lists_what_is_missing(rs_provider, tmp_path, monkeypatch):
    import processing

    monkeypatch.setitem(sys.modules, "einops", None)
    monkeypatch.setitem(sys.modules, "pyproj", None)
    out = tmp_path / "env.html"
    res = processing.run("rs_embed:check_environment", {"VERIFY_IMPORTS": False, "OUTPUT": str(out)})
    html = out.read_text(encoding="utf-8")
    assert "pyproj==3.6.1" in res["INSTALL_COMMANDS"] and "--no-binary pyproj,rasterio" in html  # the PROJ note
    assert "einops" in res["MISSING"] and res["MISSING_COUNT"] >= 1
    assert "pip install" in res["INSTALL_COMMANDS"] and "einops" in res["INSTALL_COMMANDS"]
    assert "On-the-fly models: missing einops" in res["SUMMARY"]
    assert "RS Embed environment" in html and "einops (missing)" in html
    assert html.count("<table") >= 2 and "GPU" in html


PROBE = r"""
import json, sys
BLOCK = %r
for name in BLOCK:
    sys.modules[name] = None          # as if not installed
from qgis.core import QgsApplication, QgsProcessingFeedback
app = QgsApplication([], False)
app.initQgis()
from processing.core.Processing import Processing
Processing.initialize()
import processing
import rs_embed_qgis
plugin = rs_embed_qgis.classFactory(None)
plugin.initProcessing()
provider = QgsApplication.processingRegistry().providerById("rs_embed")

class Feedback(QgsProcessingFeedback):
    errors = []
    def reportError(self, error, fatalError=False):
        self.errors.append(error)

out = {"ids": sorted(a.name() for a in provider.algorithms()), "load_errors": provider.load_errors}
env = processing.run("rs_embed:check_environment", {"VERIFY_IMPORTS": False, "OUTPUT": sys.argv[1] + "/env.html"})
out["missing"], out["commands"] = env["MISSING"], env["INSTALL_COMMANDS"]
fb = Feedback()
try:
    processing.run("rs_embed:embed_roi", {"EXTENT": "0.16,0.24,52.03,52.07 [EPSG:4326]", "MODEL": "tessera",
                   "YEAR": 2024, "OUTPUT": sys.argv[1] + "/e.tif", "PCA_OUTPUT": sys.argv[1] + "/p.tif"},
                   feedback=fb)
    out["ran"] = True
except Exception as exc:
    out["ran"] = False
    fb.errors.append(str(exc))
out["errors"] = fb.errors
plugin.unload()
print("RESULT" + json.dumps(out))
app.exitQgis()
"""


def test_plugin_loads_with_optional_packages_missing_and_says_what_to_install(tmp_path):
    block = ["geotessera", "torch", "torchvision", "timm", "open_clip", "torchgeo", "ee", "pystac_client"]
    penv = dict(os.environ, QT_QPA_PLATFORM="offscreen", RS_EMBED_CACHE_DIR=str(tmp_path / "cache"),
                PYTHONPATH=os.pathsep.join([str(REPO / ".build" / "pkg")] + sys.path[1:]))
    proc = subprocess.run([sys.executable, "-c", PROBE % (block,), str(tmp_path)], env=penv,
                          capture_output=True, text=True, timeout=240)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    assert line, proc.stdout[-3000:] + proc.stderr[-3000:]
    res = json.loads(line[0][6:])
    present = [m for m, _ in ALGORITHMS if (REPO / "processing_provider" / f"{m}.py").exists()]
    assert res["load_errors"] == {} and res["ids"] == sorted(present)
    for pip_spec in ("geotessera==0.11.0", "torch==2.14.1", "earthengine-api>=1.0", "pystac-client>=0.7"):
        assert pip_spec in res["missing"]
    assert "-m pip install" in res["commands"] and "geotessera==0.11.0" in res["commands"]
    assert res["ran"] is False
    said = "\n".join(res["errors"])
    assert "geotessera" in said and "-m pip install" in said, said
    assert "'geotessera==0.11.0'" in said  # the exact, pinned command, not a bare name
    assert not list(tmp_path.glob("*.tif"))
