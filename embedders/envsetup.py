"""Set up the core's own Python environment: a venv made from a Python >= 3.11,
filled family by family with the pins of :mod:`.packages`.

Standard library only: it runs inside QGIS's process (the *Set up RS Embed*
action and algorithm), from the Makefile, and from the command line:

    python -m rs_embed_qgis.embedders.envsetup --env DIR [--python PY]
           [--families core,tessera,...|all] [--wheels DIR] [--report]

(run with the plugin's parent folder on ``sys.path``). pip runs in its own
process group: its output lines stream to ``on_line`` and a cancel ends it
within a second. Only what is missing, or at another version than the pin,
is installed; the check runs inside the target Python.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence

from . import packages as pk
from .errors import CancelledError, RSEmbedError

MIN_PYTHON = (3, 11)
ENV_DIR_NAME = "core-env"
MARKER = "rs_embed_env.json"    # written last: an env without it is half-made
PYTHON_SETTING = "RS_EMBED_PYTHON"
_WINDOWS = os.name == "nt"

LineFn = Callable[[str], None]
CancelFn = Callable[[], bool]


class EnvSetupError(RSEmbedError):
    """The environment could not be created or filled; says why and what to do."""


class EnvSetupCancelled(CancelledError):
    """The user cancelled the set-up; pip was stopped."""


# ---- where things are -------------------------------------------------------

def default_env_dir(data_dir) -> Path:
    """The core's environment under the plugin's data folder."""
    return Path(data_dir) / ENV_DIR_NAME


def env_python(env_dir) -> Path:
    """The Python of a venv (it may not exist yet)."""
    env_dir = Path(env_dir)
    return env_dir / "Scripts" / "python.exe" if _WINDOWS else env_dir / "bin" / "python"


def env_is_complete(env_dir) -> bool:
    return env_python(env_dir).exists() and (Path(env_dir) / MARKER).exists()


def core_python(data_dir=None) -> Optional[str]:
    """The Python that runs the core: the setting "Python of the core"
    (``RS_EMBED_PYTHON``), else the environment set up under ``data_dir``;
    None when there is neither (the plugin is not set up yet)."""
    chosen = os.environ.get(PYTHON_SETTING, "").strip()
    if chosen:
        return chosen
    if data_dir is not None and env_is_complete(default_env_dir(data_dir)):
        return str(env_python(default_env_dir(data_dir)))
    return None


# ---- the target Python, asked from the inside ---------------------------------

_PROBE = r"""
import json, os, sys, sysconfig
import importlib.metadata as md
out = {"version": list(sys.version_info[:3]), "executable": sys.executable,
       "prefix": sys.prefix, "in_venv": sys.prefix != getattr(sys, "base_prefix", sys.prefix),
       "externally_managed": False, "has_venv": True, "dists": {}}
try:
    out["externally_managed"] = os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
except Exception:
    pass
try:
    import venv, ensurepip  # noqa: F401  (a base for new environments needs both)
except ImportError:
    out["has_venv"] = False
for name in json.loads(sys.argv[1]):
    try:
        out["dists"][name] = md.version(name)
    except md.PackageNotFoundError:
        out["dists"][name] = None
print("RSEMBED" + json.dumps(out))
"""


def probe(python: str, dists: Iterable[str] = (), timeout: float = 60) -> dict:
    """Version, venv state and the installed versions of ``dists``, reported
    by ``python`` itself (never imports the packages)."""
    try:
        proc = subprocess.run([str(python), "-I", "-c", _PROBE, json.dumps(sorted(set(dists)))],
                              capture_output=True, text=True, timeout=timeout,
                              env=_clean_env(), **_no_window())
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EnvSetupError(f"Cannot run the Python '{python}': {exc}") from exc
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RSEMBED")), None)
    if proc.returncode != 0 or line is None:
        tail = (proc.stdout + proc.stderr).strip()[-800:]
        raise EnvSetupError(f"'{python}' did not run as a Python (exit {proc.returncode}): {tail}")
    return json.loads(line[len("RSEMBED"):])


def _looks_like_python(path: str) -> bool:
    """A file named like a Python interpreter (never QGIS's binary, which
    would start the desktop when given ``-c``)."""
    name = Path(path).name.lower()
    return name.startswith("python") or name in ("py", "py.exe")


def _candidates(preferred: Optional[str]) -> List[List[str]]:
    if preferred:
        return [[preferred]]
    found: List[List[str]] = []
    if sys.platform == "darwin":  # /usr/bin/python3 there is a stub that may ask to install Xcode tools
        found += [[f"/Library/Frameworks/Python.framework/Versions/{v}/bin/python3"] for v in ("3.13", "3.12", "3.11")]
        found += [["/opt/homebrew/bin/python3"], ["/usr/local/bin/python3"]]
    elif not _WINDOWS:
        found.append(["/usr/bin/python3"])
    for name in ("python3.13", "python3.12", "python3.11", "python3", "python"):
        exe = shutil.which(name)
        if exe:
            found.append([exe])
    if _WINDOWS and shutil.which("py"):
        for minor in ("3.13", "3.12", "3.11"):
            found.append([shutil.which("py"), f"-{minor}"])
    base = getattr(sys, "_base_executable", None) or sys.executable
    if base:
        found.append([base])
    return found


def find_base_python(preferred: Optional[str] = None) -> str:
    """A Python >= 3.11 with ``venv`` to build the core's environment from:
    ``preferred`` (the user's choice) if given, else the first that works of
    /usr/bin/python3, python3.13 … python3.11 on PATH, the ``py`` launcher
    (Windows) and the Python this process was started from. Raises
    EnvSetupError listing what was tried and why each was refused."""
    tried: List[str] = []
    for cmd in _candidates(preferred):
        label = " ".join(cmd)
        if not _looks_like_python(cmd[0]):
            tried.append(f"{label}: not a Python interpreter")
            continue
        if len(cmd) == 1 and not Path(cmd[0]).exists():
            tried.append(f"{label}: does not exist")
            continue
        try:
            if len(cmd) == 1:
                info = probe(cmd[0])
            else:  # the py launcher: ask it for the real interpreter
                out = subprocess.run(cmd + ["-c", "import sys; print(sys.executable)"], capture_output=True,
                                     text=True, timeout=30, **_no_window())
                info = probe(out.stdout.strip()) if out.returncode == 0 else None
                if info is None:
                    tried.append(f"{label}: no such Python")
                    continue
        except EnvSetupError as exc:
            tried.append(f"{label}: {exc}")
            continue
        version = tuple(info["version"][:2])
        if version < MIN_PYTHON:
            tried.append(f"{label}: Python {'.'.join(map(str, info['version']))} is older than 3.11")
        elif not info["has_venv"]:
            tried.append(f"{label}: lacks the venv module (on Debian/Ubuntu: apt install python3-venv)")
        else:
            return info["executable"] if len(cmd) > 1 else cmd[0]
    raise EnvSetupError(
        "No Python 3.11 or newer with venv was found to set up RS Embed's environment. Tried:\n  "
        + "\n  ".join(tried or ["nothing"])
        + "\nInstall Python 3.11+ (python.org, or your system's python3 and python3-venv) "
          "and name it in the set-up, or point the setting 'Python of the core' at an existing environment.")


# ---- running a process: streamed, cancellable ----------------------------------

def _no_window() -> dict:
    return {"creationflags": 0x08000000} if _WINDOWS else {}  # CREATE_NO_WINDOW


def _clean_env() -> Dict[str, str]:
    """The environment for child Pythons: none of QGIS's (or a venv's) Python
    settings leak into the target Python."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONEXECUTABLE")}
    env["PYTHONIOENCODING"] = "utf-8"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def _kill_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    if _WINDOWS:
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, **_no_window())
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=0.5)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)   # the whole group: pip and its build helpers
    except ProcessLookupError:
        pass


def run_streamed(cmd: Sequence[str], on_line: LineFn = print, is_cancelled: CancelFn = lambda: False,
                 what: str = "the command", keep: int = 25) -> List[str]:
    """Run ``cmd`` in its own process group; each output line goes to
    ``on_line``. Returns the last ``keep`` lines. Raises EnvSetupCancelled
    (the group killed within a second) or EnvSetupError with the last lines."""
    popen = dict(stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                 env=_clean_env(), text=True, encoding="utf-8", errors="replace", bufsize=1)
    if _WINDOWS:
        popen["creationflags"] = 0x00000200 | 0x08000000  # new process group, no window
    else:
        popen["start_new_session"] = True
    try:
        proc = subprocess.Popen([str(c) for c in cmd], **popen)
    except OSError as exc:
        raise EnvSetupError(f"Cannot start {what} ({cmd[0]}): {exc}") from exc
    lines: "queue.Queue[Optional[str]]" = queue.Queue()

    def pump():
        with proc.stdout:   # closed here at EOF (also after a cancel's kill)
            for ln in proc.stdout:
                lines.put(ln.rstrip("\r\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    tail: deque = deque(maxlen=keep)
    done = False
    while not done:
        if is_cancelled():
            _kill_group(proc)
            proc.wait()
            raise EnvSetupCancelled(f"Cancelled: {what} was stopped.")
        try:
            ln = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        if ln is None:
            done = True
        elif ln.strip():
            tail.append(ln)
            on_line(ln)
    rc = proc.wait()
    if rc != 0:
        raise EnvSetupError(f"{what} failed (exit {rc}). Its last lines:\n  "
                            + "\n  ".join(tail))
    return list(tail)


# ---- creating and filling the environment -----------------------------------------

def create_env(env_dir, base_python: Optional[str] = None, on_line: LineFn = print,
               is_cancelled: CancelFn = lambda: False) -> str:
    """Create the venv ``env_dir`` (no system site packages) from a Python
    >= 3.11 and return its Python. A complete environment is kept as it is;
    a half-made one (no marker) is removed and made again."""
    env_dir = Path(env_dir).absolute()
    if env_is_complete(env_dir):
        on_line(f"Environment {env_dir} exists.")
        return str(env_python(env_dir))
    base = find_base_python(base_python)
    if env_dir.exists():
        on_line(f"Removing the unfinished environment {env_dir} ...")
        shutil.rmtree(env_dir)
    env_dir.parent.mkdir(parents=True, exist_ok=True)
    on_line(f"Creating the environment {env_dir} from {base} ...")
    try:
        run_streamed([base, "-m", "venv", str(env_dir)], on_line, is_cancelled, "creating the venv")
        py = env_python(env_dir)
        info = probe(str(py))
    except BaseException:
        shutil.rmtree(env_dir, ignore_errors=True)
        raise
    marker = {"base_python": base, "python": str(py), "version": info["version"], "created": time.time()}
    tmp = env_dir / (MARKER + ".tmp")
    tmp.write_text(json.dumps(marker, indent=1), encoding="utf-8")
    tmp.replace(env_dir / MARKER)
    return str(py)


def _check_target(info: dict, python: str) -> None:
    if tuple(info["version"][:2]) < MIN_PYTHON:
        raise EnvSetupError(f"'{python}' is Python {'.'.join(map(str, info['version']))}; "
                            "RS Embed's core needs Python 3.11 or newer.")
    if info["externally_managed"] and not info["in_venv"]:
        raise EnvSetupError(f"'{python}' is the system's own Python (externally managed): RS Embed never "
                            "installs into it. Set up an environment of its own instead (--env).")
    if "qgis" in sys.modules and os.path.realpath(info["prefix"]) == os.path.realpath(sys.prefix):
        raise EnvSetupError(f"'{python}' is the Python QGIS runs: RS Embed never installs into it. "
                            "Set up an environment of its own, or name another Python of the core.")


def _same(installed: Optional[str], pin: str) -> bool:
    return installed is not None and installed.split("+")[0] == pin


def missing_packages(python: str, families: Iterable[str], info: Optional[dict] = None) -> List[pk.Package]:
    """The pinned packages of ``families`` that ``python`` lacks or has at
    another version."""
    fams = pk.resolve_families(families)
    if info is None:
        info = probe(python, [p.dist for p in pk.family_dists(fams, probe(python)["version"])])
    wanted = pk.family_dists(fams, info["version"])
    if any(p.dist not in info["dists"] for p in wanted):
        info = probe(python, [p.dist for p in wanted])
    return [p for p in wanted if not _same(info["dists"].get(p.dist), p.version)]


def _constraints_file(folder: Path) -> Path:
    path = folder / "rs_embed_constraints.txt"
    path.write_text("".join(f"{name}=={ver}\n" for name, ver in sorted(pk.LOCK.items())), encoding="utf-8")
    return path


def _not_in_wheel_dir(wanted: List[pk.Package], wheel_dir: Path) -> List[str]:
    """Requirements without a file of that name and version in ``wheel_dir``
    (wheels ``name-version-*.whl`` or source archives ``name-version.tar.gz``)."""
    have = set()
    for f in wheel_dir.iterdir():
        stem = f.name[:-len(".tar.gz")] if f.name.endswith(".tar.gz") else f.stem
        parts = stem.split("-")
        if len(parts) >= 2:
            have.add((pk.canonical(parts[0]), parts[1]))
    return [p.requirement for p in wanted if (pk.canonical(p.dist), p.version) not in have]


def install_families(python: str, families: Iterable[str], wheel_dir=None, on_line: LineFn = print,
                     is_cancelled: CancelFn = lambda: False) -> List[str]:
    """Install into the environment of ``python`` exactly the pinned
    packages of ``families`` that it lacks (``all`` for every family but the
    test-only ones). With ``wheel_dir``, pip works offline from that folder
    (``--no-index --find-links``). Returns the requirements installed."""
    families = list(families)
    fams = pk.resolve_families(families)
    info = probe(python)
    _check_target(info, python)
    info = probe(python, [p.dist for p in pk.family_dists(fams, info["version"])])
    todo = missing_packages(python, [f.id for f in fams], info)
    names = ", ".join(f.id for f in fams)
    if not todo:
        on_line(f"Everything for {names} is installed.")
        return []
    alone = [p for p in todo if p.needs_no_deps(info["version"])]
    plain = [p for p in todo if p not in alone]
    on_line(f"Installing {len(todo)} package(s) for {names}: {', '.join(p.requirement for p in todo)}")
    if is_cancelled():
        raise EnvSetupCancelled("Cancelled before pip started.")
    with tempfile.TemporaryDirectory(prefix="rs_embed_setup_") as tmp:
        base = [python, "-m", "pip", "install", "--progress-bar", "off", "--no-input",
                "-c", str(_constraints_file(Path(tmp)))]
        if wheel_dir is not None:
            wheel_dir = Path(wheel_dir)
            if not wheel_dir.is_dir():
                raise EnvSetupError(f"The wheel folder {wheel_dir} does not exist.")
            lacking = _not_in_wheel_dir(todo, wheel_dir)
            if lacking:
                raise EnvSetupError(f"The wheel folder {wheel_dir} has no wheel of " + ", ".join(lacking)
                                    + ". Download them there (pip download -d FOLDER ...) and try again.")
            base += ["--no-index", "--find-links", str(wheel_dir.absolute())]
        if plain:
            run_streamed(base + [p.requirement for p in plain], on_line, is_cancelled, "pip install")
        for p in alone:
            run_streamed(base + ["--no-deps", "--ignore-requires-python", p.requirement],
                         on_line, is_cancelled, f"pip install {p.requirement}")
    left = missing_packages(python, [f.id for f in fams])
    if left:
        raise EnvSetupError("pip finished but these are still not at their pinned versions: "
                            + ", ".join(p.requirement for p in left))
    on_line(f"Installed {len(todo)} package(s) for {names}.")
    return [p.requirement for p in todo]


def family_report(python: str, families: Iterable[str] = ("all",)) -> dict:
    """Per family: ready or missing, with the installed and pinned versions
    (checked inside ``python``, from package metadata)."""
    fams = pk.resolve_families(families)
    info = probe(python)
    info = probe(python, [p.dist for p in pk.family_dists(fams, info["version"])])
    rows = []
    for f in fams:
        pkgs = pk.family_dists([f], info["version"])
        rows.append({
            "id": f.id, "title": f.title,
            "packages": {p.dist: {"installed": info["dists"].get(p.dist), "pinned": p.version} for p in pkgs},
            "missing": [p.requirement for p in pkgs if not _same(info["dists"].get(p.dist), p.version)],
        })
        rows[-1]["ready"] = not rows[-1]["missing"]
    return {"python": python, "version": ".".join(map(str, info["version"])), "families": rows}


def setup(env_dir, families: Iterable[str] = ("default",), base_python: Optional[str] = None, wheel_dir=None,
          on_line: LineFn = print, is_cancelled: CancelFn = lambda: False) -> str:
    """Create ``env_dir`` if needed and install ``families`` into it; returns
    its Python (the value for the setting "Python of the core")."""
    py = create_env(env_dir, base_python, on_line, is_cancelled)
    install_families(py, families, wheel_dir, on_line, is_cancelled)
    return py


# ---- command line ---------------------------------------------------------------------

def main(argv: Optional[Sequence[str]] = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m rs_embed_qgis.embedders.envsetup",
                                 description="Set up RS Embed's core environment.")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--env", help="the environment folder (created when missing)")
    where.add_argument("--into", help="an existing environment's Python to install into")
    ap.add_argument("--python", help="base Python >= 3.11 for a new environment")
    ap.add_argument("--families", default="default",
                    help=f"comma-separated: {','.join(pk.FAMILY_IDS)}; all; or default "
                         f"({','.join(pk.DEFAULT_FAMILIES)}; the default)")
    ap.add_argument("--wheels", help="install offline from this folder of wheels")
    ap.add_argument("--report", action="store_true", help="print the families' state as JSON, install nothing")
    args = ap.parse_args(argv)
    fams = args.families.split(",")
    try:
        pk.resolve_families(fams)
        if args.report:
            py = args.into or str(env_python(args.env))
            if not Path(py).exists():
                raise EnvSetupError(f"No environment at {args.env} (its Python {py} does not exist).")
            print(json.dumps(family_report(py, fams), indent=1))
            return 0
        t0 = time.time()
        if args.into:
            install_families(args.into, fams, args.wheels, lambda ln: print(ln, flush=True))
            print(f"Done in {time.time() - t0:.0f} s: {args.into}")
        else:
            py = setup(args.env, fams, args.python, args.wheels, lambda ln: print(ln, flush=True))
            print(f"Python of the core: {py} (set up in {time.time() - t0:.0f} s)")
        return 0
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    except RSEmbedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
