"""Setting up the core's environment with the plugin's own code: real venvs
in a temporary folder, real pip installing tiny wheels written at test time
from a local folder (``--no-index``), cancel, missing-only installs, errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rs_embed_qgis.embedders import envsetup as es
from rs_embed_qgis.embedders import packages as pk
from tiny_wheels import write_wheel

REPO = Path(__file__).resolve().parents[2]
PKG_PARENT = REPO / ".build" / "pkg"
BASE = es.find_base_python()


@pytest.fixture
def dummy_family(monkeypatch):
    """A family 'dummy' of two pinned packages (``rs_embed_dummy_a`` 1.0 and
    ``rs_embed_dummy_b`` 1.0), in packages.py's tables for this test."""
    for mod in ("rs_embed_dummy_a", "rs_embed_dummy_b"):
        dist = mod.replace("_", "-")
        monkeypatch.setitem(pk.PACKAGES, mod, pk.Package(mod, dist))
        monkeypatch.setitem(pk.LOCK, dist, "1.0")
    fam = pk.Family("dummy", "Dummy", "tests", ("rs_embed_dummy_a", "rs_embed_dummy_b"), in_all=False)
    monkeypatch.setattr(pk, "FAMILIES", pk.FAMILIES + [fam])
    return fam


@pytest.fixture
def wheels(tmp_path):
    folder = tmp_path / "wheels"
    for dist in ("rs-embed-dummy-a", "rs-embed-dummy-b"):
        write_wheel(folder, dist, "1.0", dist.replace("-", "_"))
    return folder


@pytest.fixture(scope="module")
def shared_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shared") / "env"
    return Path(es.create_env(folder, on_line=lambda s: None)), folder


@pytest.fixture
def env(shared_env):
    """(python, folder) of an environment made by the set-up code; the dummy
    packages a test installs are removed after it."""
    yield shared_env
    subprocess.run([str(shared_env[0]), "-m", "pip", "uninstall", "-y", "-q", "rs-embed-dummy-a",
                    "rs-embed-dummy-b"], capture_output=True)


def _version(py, dist):
    out = subprocess.run([str(py), "-c", f"import importlib.metadata as m; print(m.version({dist!r}))"],
                         capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def test_create_env_makes_an_isolated_venv_once(env):
    py, folder = env
    assert py == es.env_python(folder) and py.exists()
    assert es.env_is_complete(folder)
    cfg = (folder / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg
    # QGIS's Python (Debian's) has numpy 1 in its site packages; the core's env must not see them
    sees = subprocess.run([str(py), "-c", "import numpy"], capture_output=True, text=True)
    assert sees.returncode != 0 and "No module named 'numpy'" in sees.stderr
    info = es.probe(str(py))
    assert info["in_venv"] and tuple(info["version"][:2]) >= (3, 11)
    again = []
    assert es.create_env(folder, on_line=again.append) == str(py)
    assert again == [f"Environment {folder.absolute()} exists."]


def test_a_half_made_env_is_made_again(tmp_path):
    half = tmp_path / "env"
    (half / "bin").mkdir(parents=True)
    (half / "leftover.txt").write_text("from a set-up that was killed")
    assert not es.env_is_complete(half)
    py = es.create_env(half, on_line=lambda s: None)
    assert Path(py).exists() and not (half / "leftover.txt").exists() and es.env_is_complete(half)


def test_install_from_a_wheel_folder_offline_installs_only_what_is_missing(env, wheels, dummy_family):
    py, _ = env
    lines = []
    done = es.install_families(str(py), ["dummy"], wheel_dir=wheels, on_line=lines.append)
    assert done == ["rs-embed-dummy-a==1.0", "rs-embed-dummy-b==1.0"]
    assert _version(py, "rs-embed-dummy-a") == "1.0" and _version(py, "rs-embed-dummy-b") == "1.0"
    assert any("Successfully installed" in ln and "rs-embed-dummy-a-1.0" in ln for ln in lines), lines
    report = es.family_report(str(py), ["dummy"])["families"][0]
    assert report["ready"] and report["packages"]["rs-embed-dummy-b"] == {"installed": "1.0", "pinned": "1.0"}

    # nothing missing: pip is not even started
    again = []
    assert es.install_families(str(py), ["dummy"], wheel_dir=wheels, on_line=again.append) == []
    assert again == ["Everything for dummy is installed."]

    # a new pin for one package: only that one is installed
    write_wheel(wheels, "rs-embed-dummy-b", "2.0", "rs_embed_dummy_b")
    pk.LOCK["rs-embed-dummy-b"] = "2.0"
    third = []
    assert es.install_families(str(py), ["dummy"], wheel_dir=wheels, on_line=third.append) == \
        ["rs-embed-dummy-b==2.0"]
    assert _version(py, "rs-embed-dummy-b") == "2.0" and _version(py, "rs-embed-dummy-a") == "1.0"
    assert not any("rs-embed-dummy-a" in ln and "Successfully" in ln for ln in third)


def test_missing_packages_compares_versions_inside_the_target(env, wheels, dummy_family):
    py, _ = env
    assert [p.dist for p in es.missing_packages(str(py), ["dummy"])] == ["rs-embed-dummy-a", "rs-embed-dummy-b"]
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheels),
                    "rs-embed-dummy-a==1.0"], check=True)
    assert [p.dist for p in es.missing_packages(str(py), ["dummy"])] == ["rs-embed-dummy-b"]
    pk.LOCK["rs-embed-dummy-a"] = "1.1"   # installed at another version than the pin: to install
    assert [p.dist for p in es.missing_packages(str(py), ["dummy"])] == ["rs-embed-dummy-a", "rs-embed-dummy-b"]


def test_a_wheel_the_folder_lacks_is_a_clear_error_with_pips_last_lines(env, wheels, dummy_family):
    py, _ = env
    pk.LOCK["rs-embed-dummy-a"] = "3.0"
    with pytest.raises(es.EnvSetupError) as err:
        es.install_families(str(py), ["dummy"], wheel_dir=wheels, on_line=lambda s: None)
    assert str(err.value).startswith(f"The wheel folder {wheels} has no wheel of rs-embed-dummy-a==3.0.")
    # a dependency the folder lacks: pip's own words, with its last lines
    write_wheel(wheels, "rs-embed-dummy-a", "3.0", "rs_embed_dummy_a", requires=["rs-embed-absent==1.0"])
    with pytest.raises(es.EnvSetupError) as err:
        es.install_families(str(py), ["dummy"], wheel_dir=wheels, on_line=lambda s: None)
    msg = str(err.value)
    assert msg.startswith("pip install failed (exit 1). Its last lines:") and "rs-embed-absent" in msg
    assert _version(py, "rs-embed-dummy-a") is None   # nothing half-installed
    with pytest.raises(es.EnvSetupError, match="does not exist"):
        es.install_families(str(py), ["dummy"], wheel_dir=wheels / "nope", on_line=lambda s: None)


def _processes_mentioning(text):
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmd and str(os.getpid()) != d.name:
                found.append((d.name, cmd))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_cancel_stops_pip_within_two_seconds(env, dummy_family, loopback, tmp_path, monkeypatch):
    """pip waits on a package index that never answers; cancel ends it."""
    py, _ = env
    hit, release = threading.Event(), threading.Event()

    def stall(_handler, _path, _query):
        hit.set()
        release.wait(60)
        return 404, {}, b""

    srv = loopback(tmp_path, {"/": stall})
    monkeypatch.setenv("PIP_INDEX_URL", srv.url + "/simple/")
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    cancelled_at = []

    def is_cancelled():
        if hit.is_set() and not cancelled_at:
            cancelled_at.append(time.monotonic())
        return bool(cancelled_at)

    try:
        with pytest.raises(es.EnvSetupCancelled):
            es.install_families(str(py), ["dummy"], on_line=lambda s: None, is_cancelled=is_cancelled)
        took = time.monotonic() - cancelled_at[0]
        assert took < 2.0, took
        assert _processes_mentioning(str(py)) == []
    finally:
        release.set()


@pytest.mark.skipif(os.name == "nt", reason="POSIX process groups")
def test_cancel_kills_the_whole_process_group(tmp_path):
    """A child that started a grandchild: both are gone after a cancel."""
    marker = f"rs-embed-grandchild-{os.getpid()}"
    script = ("import subprocess, sys, time\n"
              f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', {marker!r}])\n"
              "print('started', flush=True)\n"
              "time.sleep(60)\n")
    seen = []
    t0 = time.monotonic()
    with pytest.raises(es.EnvSetupCancelled):
        es.run_streamed([sys.executable, "-c", script], on_line=seen.append,
                        is_cancelled=lambda: bool(seen), what="the test child")
    assert seen == ["started"] and time.monotonic() - t0 < 10
    deadline = time.monotonic() + 2
    while _processes_mentioning(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_mentioning(marker) == []


def test_bad_base_pythons_are_clear_errors(tmp_path):
    with pytest.raises(es.EnvSetupError) as err:
        es.find_base_python(str(tmp_path / "nope" / "python3"))
    assert "does not exist" in str(err.value) and "Python 3.11 or newer" in str(err.value)

    qgis = tmp_path / "qgis"          # QGIS's own binary is never run as a Python
    qgis.write_text("#!/bin/sh\necho started QGIS > %s\n" % (tmp_path / "ran"))
    qgis.chmod(0o755)
    with pytest.raises(es.EnvSetupError, match="not a Python interpreter"):
        es.create_env(tmp_path / "env", base_python=str(qgis), on_line=lambda s: None)
    assert not (tmp_path / "ran").exists() and not (tmp_path / "env").exists()

    fake = tmp_path / "python3"       # named like one, but not a Python
    fake.write_text("#!/bin/sh\necho no >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(es.EnvSetupError, match="did not run as a Python"):
        es.find_base_python(str(fake))


OLD = Path.home() / ".pyenv" / "versions" / "3.10.13" / "bin" / "python3.10"


@pytest.mark.skipif(not OLD.exists(), reason="needs a Python 3.10 on this machine")
def test_a_python_older_than_3_11_is_refused():
    with pytest.raises(es.EnvSetupError, match=r"3\.10\.13 is older than 3\.11"):
        es.find_base_python(str(OLD))


def test_the_found_base_python_is_a_real_python_3_11_or_newer():
    info = es.probe(BASE)
    assert tuple(info["version"][:2]) >= (3, 11) and info["has_venv"]
    assert Path(BASE).name.startswith("python")


@pytest.mark.skipif(not es.probe(BASE)["externally_managed"] or es.probe(BASE)["in_venv"],
                    reason="needs an externally managed system Python")
def test_nothing_is_installed_into_the_systems_python():
    with pytest.raises(es.EnvSetupError, match="never installs into it"):
        es.install_families(BASE, ["core"], on_line=lambda s: None)


def test_core_python_setting_then_the_set_up_env(tmp_path, monkeypatch):
    monkeypatch.delenv("RS_EMBED_PYTHON", raising=False)
    data = tmp_path / "rs_embed"
    assert es.core_python(data) is None and es.core_python() is None
    env_dir = es.default_env_dir(data)
    assert env_dir == data / "core-env"
    es.env_python(env_dir).parent.mkdir(parents=True)
    es.env_python(env_dir).write_text("")
    assert es.core_python(data) is None          # half-made: no marker yet
    (env_dir / es.MARKER).write_text("{}")
    assert es.core_python(data) == str(es.env_python(env_dir))
    monkeypatch.setenv("RS_EMBED_PYTHON", "/opt/conda/envs/rs/bin/python")
    assert es.core_python(data) == "/opt/conda/envs/rs/bin/python"


def _cli(*args, **kw):
    env = dict(os.environ, PYTHONPATH=str(PKG_PARENT))
    return subprocess.run([BASE, "-m", "rs_embed_qgis.embedders.envsetup", *args], capture_output=True,
                          text=True, env=env, timeout=300, **kw)


def test_cli_report_and_errors(env, tmp_path):
    py, folder = env
    rep = _cli("--env", str(folder), "--families", "core,stac", "--report")
    assert rep.returncode == 0, rep.stderr
    data = json.loads(rep.stdout)
    core, stac = data["families"]
    assert data["python"] == str(py) and core["id"] == "core" and stac["id"] == "stac"
    assert not core["ready"] and core["packages"]["numpy"] == {"installed": None, "pinned": pk.LOCK["numpy"]}
    assert f"rasterio=={pk.LOCK['rasterio']}" in core["missing"]

    bad = _cli("--env", str(folder), "--families", "core,nope")
    assert bad.returncode == 2 and "Unknown package family 'nope'" in bad.stderr
    nobase = _cli("--env", str(tmp_path / "other"), "--python", str(tmp_path / "python3.99"))
    assert nobase.returncode == 1 and "does not exist" in nobase.stderr and not (tmp_path / "other").exists()
    noenv = _cli("--env", str(tmp_path / "missing-env"), "--report")
    assert noenv.returncode == 1 and "No environment at" in noenv.stderr


def test_cli_creates_the_env_and_names_the_wheels_a_folder_lacks(tmp_path):
    """Offline set-up from a wheel folder that lacks the family's wheels:
    the environment is made, then a clear error names what to download."""
    empty = tmp_path / "wheels"
    empty.mkdir()
    out = _cli("--env", str(tmp_path / "env"), "--families", "dev", "--wheels", str(empty))
    assert out.returncode == 1
    assert f"has no wheel of pytest=={pk.LOCK['pytest']}, pytest-timeout=={pk.LOCK['pytest-timeout']}" in out.stderr
    assert "Creating the environment" in out.stdout and es.env_is_complete(tmp_path / "env")
