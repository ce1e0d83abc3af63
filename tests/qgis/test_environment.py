"""Check environment and Set up RS Embed, as QGIS runs them: the report comes
from the core's own Python (the worker), never QGIS's, with each family ready
or missing at exact versions and model readiness that agrees with the family
rows; one action installs exactly what is missing into that environment;
before set-up everything says how to set up; the set-up algorithm builds the
environment headless from a folder of wheels, and the plugin then finds it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_env import overlay_env, pinned_wheel, site_packages
from qgis.core import QgsProcessingException

from qgis_process_helpers import run_qgis_process
from rs_embed_qgis.embedders import envsetup
from rs_embed_qgis.embedders import packages as pk

HEAVY = ("torch", "torchvision", "timm", "rasterio", "pyproj", "geotessera", "ee", "sklearn", "pandas")


def check(**params):
    import processing

    return processing.run("rs_embed:check_environment", {"VERIFY_IMPORTS": False, **params})


def test_the_report_comes_from_the_core_python_with_exact_versions(rs_provider, tmp_path, fresh_workers):
    core = os.environ["RS_EMBED_PYTHON"]
    out = tmp_path / "env.html"
    res = check(VERIFY_IMPORTS=True, OUTPUT=str(out))
    assert res["PYTHON"] == core and res["PYTHON"] != sys.executable
    html = out.read_text(encoding="utf-8")
    installed = envsetup.probe(core, ["numpy", "torch", "rasterio"])["dists"]
    for dist, version in installed.items():
        assert f"{dist} {version}" in html  # the core's versions, not QGIS's numpy 1
    assert installed["numpy"].startswith("2.")
    tables = html.split("<table")
    assert "<th>Family</th>" in tables[1] and "<th>Model</th>" in tables[2]  # the Models table says Model
    assert "tessera: ready" in res["SUMMARY"] and "no GPU visible" in res["SUMMARY"]
    assert res["MISSING_FAMILIES"] == "" and res["MISSING_COUNT"] == 0
    assert [m for m in HEAVY if m in sys.modules] == []  # it imported torch & co in the worker only


def test_model_readiness_agrees_with_the_family_rows(rs_provider, tmp_path, monkeypatch, fresh_workers):
    python = overlay_env(tmp_path, hide=("rasterio",))
    monkeypatch.setenv("RS_EMBED_PYTHON", str(python))
    out = tmp_path / "env.html"
    res = check(OUTPUT=str(out))
    assert res["PYTHON"] == str(python)
    missing = set(res["MISSING_FAMILIES"].split(","))
    assert missing == {f.id for f in pk.FAMILIES if f.in_all and "rasterio" in f.modules}
    assert f"rasterio=={pk.LOCK['rasterio']}" in res["MISSING"]
    from rs_embed_qgis.embedders import catalog

    for card in catalog.MODELS:
        ready = not (set(card.families) & missing)
        assert (f"model {card.id}: ready" in res["SUMMARY"]) is ready, card.id
    assert "model copernicus_embed: needs core, copernicus" in res["SUMMARY"]
    html = out.read_text(encoding="utf-8")
    assert "rasterio (missing; pinned" in html and "Raster › RS Embed" in html
    assert "pip install" not in html.split("What is missing")[1]  # the action, not a pip line for QGIS


def test_install_missing_installs_exactly_that_into_the_core_environment(rs_provider, tmp_path, monkeypatch,
                                                                          fresh_workers):
    python = overlay_env(tmp_path, hide=("ee", "earthengine_api"))
    wheels = tmp_path / "wheels"
    pinned_wheel(wheels, "earthengine-api", "ee")
    monkeypatch.setenv("RS_EMBED_PYTHON", str(python))
    monkeypatch.setenv("PIP_NO_INDEX", "1")              # offline: pip finds the wheel folder only
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    before = check()
    assert before["MISSING_FAMILIES"] == "earth_engine"
    qgis_site = {p.name for p in Path(next(p for p in sys.path if p.endswith("site-packages"))).iterdir()}
    res = check(INSTALL_MISSING=True)
    assert res["INSTALLED"] == f"earthengine-api=={pk.LOCK['earthengine-api']}"
    assert res["MISSING_FAMILIES"] == "" and "Earth Engine: ready" in res["SUMMARY"]
    own = {p.name for p in site_packages(python).iterdir()}
    assert "ee" in own and any(n.startswith("earthengine_api-") for n in own)
    qgis_after = {p.name for p in Path(next(p for p in sys.path if p.endswith("site-packages"))).iterdir()}
    assert qgis_after == qgis_site  # nothing went into QGIS's Python


def test_before_set_up_everything_says_how_to_set_up(rs_provider, tmp_path, monkeypatch, fresh_workers):
    from rs_embed_qgis.qgis_common import worker

    monkeypatch.delenv("RS_EMBED_PYTHON")
    monkeypatch.setattr(worker, "data_dir", lambda: tmp_path / "profile" / "rs_embed")
    out = tmp_path / "env.html"
    res = check(OUTPUT=str(out))
    assert "not set up" in res["SUMMARY"] and res["PYTHON"] == ""
    html = out.read_text(encoding="utf-8")
    assert "Raster › RS Embed › Set up RS Embed" in html and "rs_embed:setup_environment" in html
    import processing

    with pytest.raises(QgsProcessingException, match="Set up RS Embed"):
        processing.run("rs_embed:embed_roi", {"EXTENT": "0.16,0.24,52.03,52.07 [EPSG:4326]", "MODEL": "tessera",
                                              "YEAR": 2024, "OUTPUT": str(tmp_path / "e.tif")})
    assert not (tmp_path / "e.tif").exists()


def test_a_missing_package_of_the_core_names_the_family_and_the_core_python(rs_provider, tmp_path, monkeypatch,
                                                                             fresh_workers):
    python = overlay_env(tmp_path, hide=("geotessera",))
    monkeypatch.setenv("RS_EMBED_PYTHON", str(python))
    import processing

    with pytest.raises(QgsProcessingException) as err:
        processing.run("rs_embed:embed_roi", {"EXTENT": "0.16,0.24,52.03,52.07 [EPSG:4326]", "MODEL": "tessera",
                                              "YEAR": 2024, "OUTPUT": str(tmp_path / "e.tif")})
    said = str(err.value)
    assert "geotessera" in said and "Set up RS Embed" in said and "'tessera'" in said
    assert sys.executable not in said.replace(str(python), "")
    assert not (tmp_path / "e.tif").exists()


def test_setup_environment_headless_from_a_wheel_folder(tmp_path):
    """qgis_process in a fresh profile: the set-up makes the venv in the
    profile from a wheel folder (offline), and Check environment then runs in
    it with no RS_EMBED_PYTHON."""
    wheels = tmp_path / "wheels"
    pinned_wheel(wheels, "earthengine-api", "ee")
    profile = tmp_path / "profile"
    env = {"RS_EMBED_PYTHON": ""}  # no 'Python of the core': the plugin must find its own environment
    rc, res, log = run_qgis_process(profile, "rs_embed:setup_environment",
                                    {"FAMILIES": "earth_engine", "WHEELS": wheels}, extra_env=env)
    assert rc == 0, log
    python = Path(res["results"]["PYTHON_OF_CORE"])
    assert python.parent.parent == profile / "profiles" / "default" / "rs_embed" / "core-env"
    assert res["results"]["INSTALLED"] == f"earthengine-api=={pk.LOCK['earthengine-api']}"
    assert "Successfully installed earthengine-api" in log  # pip's own lines reach the log
    out = subprocess.run([str(python), "-c", "import ee, sys; print(ee.TINY, sys.prefix)"],
                         capture_output=True, text=True)
    assert out.stdout.split() == ["True", str(python.parent.parent)]

    rc, res, log = run_qgis_process(profile, "rs_embed:check_environment", {"VERIFY_IMPORTS": "false"},
                                    extra_env=env)
    assert rc == 0, log
    assert res["results"]["PYTHON"] == str(python)
    assert "Earth Engine: ready" in res["results"]["SUMMARY"] and "core" in res["results"]["MISSING_FAMILIES"]

    again = run_qgis_process(profile, "rs_embed:setup_environment",
                             {"FAMILIES": "earth_engine", "WHEELS": wheels}, extra_env=env)
    assert again[0] == 0 and again[1]["results"]["INSTALLED"] == ""  # only what is missing
    assert json.loads(json.dumps(again[1]))["results"]["PYTHON_OF_CORE"] == str(python)


def test_set_up_action_runs_as_a_task_and_cancel_stops_pip(qgis_iface, tmp_path, monkeypatch, loopback,
                                                           fresh_workers):
    """The action's task makes the profile's environment from a wheel folder;
    the plugin then uses it; a second set-up waiting on a package index is
    cancelled from the task manager and pip is gone within 2 s."""
    import threading
    import time

    from fixtures_gui import wait_for

    from rs_embed_qgis.gui.env_tasks import start_setup
    from rs_embed_qgis.qgis_common import worker

    monkeypatch.delenv("RS_EMBED_PYTHON")
    monkeypatch.setattr(worker, "data_dir", lambda: tmp_path / "profile" / "rs_embed")
    wheels = tmp_path / "wheels"
    pinned_wheel(wheels, "earthengine-api", "ee")
    task = start_setup(("earth_engine",), wheel_dir=str(wheels), message_bar=qgis_iface.messageBar())
    wait_for([task], timeout=300)
    assert task.error is None, task.error
    python = task.result["python"]
    assert task.result["installed"] == [f"earthengine-api=={pk.LOCK['earthengine-api']}"]
    assert worker.core_python() == python and task.result["in_use"]  # found with no RS_EMBED_PYTHON

    asked, release = threading.Event(), threading.Event()

    def hold(_handler, _path, _query):   # a package index that never answers in time
        asked.set()
        release.wait(60)
        return 404, {}, b""

    index = loopback(tmp_path, {"/simple/": hold})
    monkeypatch.setenv("PIP_INDEX_URL", index.url + "/simple/")
    task = start_setup(("stac",), message_bar=qgis_iface.messageBar())
    assert asked.wait(120), "pip never asked the index"
    t0 = time.monotonic()
    task.cancel()
    wait_for([task], timeout=30)
    took = time.monotonic() - t0
    release.set()
    assert took < 2.0, f"the set-up took {took:.2f} s to stop"
    assert "Cancelled" in str(task.error)
    pips = subprocess.run(["pgrep", "-f", f"{python} -m pip"], capture_output=True, text=True).stdout.split()
    assert pips == []
    assert envsetup.probe(python, ["pystac-client"])["dists"]["pystac-client"] is None
