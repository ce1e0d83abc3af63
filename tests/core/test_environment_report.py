"""The environment report, run in the core's own environment: families ready
or missing with installed and pinned versions, models derived from their
families, the one command that installs what is missing into that same
environment (never into the system's Python), broken and crashing imports
caught in a child, and what torch sees. Plus the pins: one source."""
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

from rs_embed_qgis.embedders import catalog, envsetup, packages as pk
from rs_embed_qgis.embedders import environment as env
from tiny_wheels import write_wheel

REPO = Path(__file__).resolve().parents[2]
PKG_PARENT = REPO / ".build" / "pkg"


def _run_report(python, script_tail="", timeout=300):
    """The report computed by ``python`` (with the plugin importable), as a dict."""
    code = ("import json, sys\n"
            "from rs_embed_qgis.embedders import packages as pk\n"
            "from rs_embed_qgis.embedders.environment import environment_report\n"
            + script_tail +
            "print('REPORT' + json.dumps(environment_report(verify_imports=VERIFY).to_dict()))\n")
    if "VERIFY =" not in script_tail:
        code = "VERIFY = False\n" + code
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, PYTHONPATH=str(PKG_PARENT)))
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT")]
    assert line, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(line[0][len("REPORT"):])


@pytest.fixture(scope="module")
def bare_env(tmp_path_factory):
    """A new environment made by the set-up code, with nothing installed."""
    return envsetup.create_env(tmp_path_factory.mktemp("bare") / "env", on_line=lambda s: None)


def test_this_environment_reports_its_own_versions():
    rep = env.environment_report(with_gpu=False)
    assert rep.python == sys.executable and rep.in_venv == (sys.prefix != sys.base_prefix)
    for mod in ("numpy", "rasterio", "pyproj"):
        p = rep.packages[mod]
        assert p.installed == md.version(p.dist) and p.pinned == pk.LOCK[mod]
        assert p.state == ("ok" if p.installed == p.pinned else "other version")
    core = next(f for f in rep.families if f.id == "core")
    assert core.ready and not core.missing
    assert [f.id for f in rep.families] == [f.id for f in pk.FAMILIES if f.in_all]
    d = rep.to_dict()
    json.dumps(d)   # the worker sends it as JSON
    assert d["packages"]["numpy"]["state"] in ("ok", "other version") and d["families"][0]["ready"]


def test_models_are_ready_exactly_when_their_families_are(monkeypatch):
    """copernicus_embed once showed 'ready' while its family lacked a package."""
    monkeypatch.setitem(pk.PACKAGES, "rs_embed_absent", pk.Package("rs_embed_absent", "rs-embed-absent"))
    monkeypatch.setitem(pk.LOCK, "rs-embed-absent", "1.0")
    fams = [pk.Family(f.id, f.title, f.purpose, f.modules + ("rs_embed_absent",), f.in_all)
            if f.id == "copernicus" else f for f in pk.FAMILIES]
    monkeypatch.setattr(pk, "FAMILIES", fams)
    rep = env.environment_report(with_gpu=False)
    fam = {f.id: f for f in rep.families}
    assert fam["copernicus"].missing == ["rs_embed_absent"] and rep.missing_families == ["copernicus"]
    models = {m.id: m for m in rep.models}
    assert set(models) == set(catalog.CARDS)
    for m in rep.models:
        assert m.ready == all(fam[f].ready for f in catalog.CARDS[m.id].families)
    assert models["copernicus_embed"].missing_families == ["copernicus"] and not models["copernicus_embed"].ready
    assert models["tessera"].ready == fam["tessera"].ready
    assert rep.install_command == f"{shlex.quote(sys.executable)} -m pip install rs-embed-absent==1.0"


def test_an_empty_environment_misses_everything_and_says_how_to_install_into_itself(bare_env):
    rep = _run_report(bare_env)
    assert rep["python"] == bare_env and rep["in_venv"] and rep["refusal"] is None
    assert rep["missing_families"] == [f.id for f in pk.FAMILIES if f.in_all]
    assert not any(m["ready"] for m in rep["models"])
    assert rep["packages"]["rasterio"] == {
        "module": "rasterio", "dist": "rasterio", "pinned": pk.LOCK["rasterio"], "installed": None,
        "error": None, "note": "", "present": False, "usable": False, "state": "missing"}
    assert "torch is not installed" in rep["gpu"]["summary"]
    cmds = rep["commands"]
    assert rep["install_command"] == " && ".join(cmds)
    plain = shlex.split(cmds[0])
    assert plain[:4] == [bare_env, "-m", "pip", "install"]
    assert f"torch=={pk.LOCK['torch']}" in plain and f"rasterio=={pk.LOCK['rasterio']}" in plain
    assert all("==" in a for a in plain[4:])   # exact pins only
    if sys.version_info < (3, 12):
        assert shlex.split(cmds[-1]) == [bare_env, "-m", "pip", "install", "--no-deps",
                                         "--ignore-requires-python", f"geotessera=={pk.LOCK['geotessera']}"]
        assert f"rich=={pk.LOCK['rich']}" in plain   # its runtime needs come with the first command


SYSTEM = "/usr/bin/python3"


@pytest.mark.skipif(not Path(SYSTEM).exists() or not envsetup.probe(SYSTEM)["externally_managed"],
                    reason="needs an externally managed system Python")
def test_the_systems_python_gets_no_pip_advice():
    rep = _run_report(SYSTEM)
    assert rep["refusal"] and "installs nothing into it" in rep["refusal"]
    assert rep["commands"] == [] and rep["install_command"] == ""
    assert rep["missing_families"]   # QGIS's Python lacks the core's packages


def test_broken_and_crashing_imports_are_reported_not_fatal(bare_env, tmp_path):
    """Two packages installed for real: one raises on import, one kills the
    interpreter that imports it. The report still completes."""
    wheels = tmp_path / "wheels"
    write_wheel(wheels, "rs-embed-broken", "1.0", "rs_embed_broken",
                "raise ImportError('libfoo.so.3: cannot open shared object file')\n")
    write_wheel(wheels, "rs-embed-crash", "1.0", "rs_embed_crash",
                "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    subprocess.run([bare_env, "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheels),
                    "rs-embed-broken==1.0", "rs-embed-crash==1.0"], check=True)
    tail = ("VERIFY = True\n"
            "for m in ('rs_embed_broken', 'rs_embed_crash'):\n"
            "    pk.PACKAGES[m] = pk.Package(m, m.replace('_', '-'))\n"
            "    pk.LOCK[m.replace('_', '-')] = '1.0'\n"
            "pk.FAMILIES.append(pk.Family('odd', 'Odd', 'tests', ('rs_embed_broken', 'rs_embed_crash')))\n")
    rep = _run_report(bare_env, tail)
    broken, crash = rep["packages"]["rs_embed_broken"], rep["packages"]["rs_embed_crash"]
    assert broken["state"] == "broken" and "libfoo.so.3" in broken["error"]
    assert crash["state"] == "broken" and "crashed (signal 11)" in crash["error"]
    odd = next(f for f in rep["families"] if f["id"] == "odd")
    assert not odd["ready"] and odd["missing"] == ["rs_embed_broken", "rs_embed_crash"]


def test_gpu_report_matches_torch():
    if not env.package_status("torch").present:
        pytest.skip("torch is not in this environment")
    import torch

    g = env.environment_report().gpu
    assert g["torch"] == torch.__version__ and g["cuda"] == torch.cuda.is_available()
    expected = "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
    assert g["device"] == expected and g["summary"]


# ---- the pins -------------------------------------------------------------------------

def test_every_pin_is_exact_and_every_family_is_pinned():
    assert len(pk.LOCK) > 100
    for name, ver in pk.LOCK.items():
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) and re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", ver), name
    for p in pk.PACKAGES.values():
        assert pk.canonical(p.dist) in pk.LOCK and p.requirement == f"{p.dist}=={pk.LOCK[pk.canonical(p.dist)]}"
        for d in p.deps:
            assert d in pk.PACKAGES
    for f in pk.FAMILIES:
        assert all(m in pk.PACKAGES for m in f.modules), f.id
    assert [f.id for f in pk.FAMILIES if f.in_all] == [
        "core", "tessera", "gse_cog", "earth_engine", "copernicus", "stac", "torch_models", "analysis", "dask"]
    for card in catalog.MODELS:
        assert all(fid in pk.FAMILY_IDS for fid in card.families), card.id
    assert [f.id for f in pk.resolve_families(["stac", "default", "core"])] == \
        ["core", "tessera", "gse_cog", "copernicus", "stac"]
    with pytest.raises(KeyError, match="Unknown package family 'gpu'"):
        pk.resolve_families(["core", "gpu"])
    for dist, ver in (("numpy", "2.4.6"), ("rasterio", "1.4.4"), ("pyproj", "3.7.2"), ("torch", "2.14.1"),
                      ("torchvision", "0.29.1"), ("torchgeo", "0.8.1"), ("geotessera", "0.11.0"),
                      ("dask", "2026.8.0"), ("scikit-learn", "1.9.1"), ("skops", "0.16.0")):
        assert pk.LOCK[dist] == ver


def test_geotessera_goes_alone_on_3_11_and_normally_on_3_12():
    plain, alone = pk.install_plan(["geotessera"], (3, 11))
    assert [p.dist for p in alone] == ["geotessera"] and {"rich", "scikit-image", "rasterio"} <= {p.dist for p in plain}
    plain, alone = pk.install_plan(["geotessera"], (3, 12))
    assert alone == [] and [p.dist for p in plain] == ["geotessera"]


def test_install_hint_names_the_family_and_the_pinned_command():
    hint = pk.install_hint("torch.nn")
    assert "'torch_models'" in hint and f"torch=={pk.LOCK['torch']}" in hint
    assert hint.endswith(f"{shlex.quote(sys.executable)} -m pip install torch=={pk.LOCK['torch']}")
    assert "into the core's environment" in pk.install_hint("not_a_known_module")


PIN = re.compile(r"\b(numpy|rasterio|pyproj|torch|torchvision|torchgeo|timm|geotessera|pytest-qgis|"
                 r"scikit-learn|open_clip_torch|earthengine-api)\s*==\s*[0-9]")


def test_pins_live_only_in_packages_py():
    """Code, requirement files and the build name no version of their own."""
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for f in files:
        if f.startswith("tests/") or f == "embedders/packages.py":
            continue
        if not (f.endswith((".py", ".txt", ".cfg", ".toml")) or f in ("Makefile", ".ci/run")):
            continue
        path = REPO / f
        if path.is_file():
            for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if PIN.search(line):
                    offenders.append(f"{f}:{n}: {line.strip()}")
    assert offenders == []
