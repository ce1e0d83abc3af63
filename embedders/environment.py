"""The environment report, run inside the core's own environment (the worker's
Python): per model family ready or missing with the installed and pinned
versions, the models that can run, the one command that installs exactly what
is missing into *this* environment, and the accelerator torch sees.

Presence is read from package metadata (cheap). Imports (``verify_imports``)
and the GPU check run in a child process of this Python, so a broken native
library is reported, never a crash of the report. Pins and families come from
:mod:`.packages`; never imports qgis.
"""
from __future__ import annotations

import importlib.metadata as md
import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from . import packages as pk
from .packages import package_for


@dataclass
class PackageStatus:
    module: str
    dist: str
    pinned: str
    installed: Optional[str] = None
    error: Optional[str] = None   # installed but fails to import
    note: str = ""

    @property
    def present(self) -> bool:
        return self.installed is not None

    @property
    def usable(self) -> bool:
        return self.present and not self.error

    @property
    def state(self) -> str:
        if not self.present:
            return "missing"
        if self.error:
            return "broken"
        return "ok" if self.installed.split("+")[0] == self.pinned else "other version"

    @property
    def requirement(self) -> str:
        return f"{self.dist}=={self.pinned}"


@dataclass
class FamilyStatus:
    id: str
    title: str
    purpose: str
    modules: List[str]
    missing: List[str] = field(default_factory=list)         # import names absent or broken
    other_versions: List[str] = field(default_factory=list)  # present at another version than the pin

    @property
    def ready(self) -> bool:
        return not self.missing


@dataclass
class ModelStatus:
    id: str
    title: str
    kind: str
    families: List[str]
    missing_families: List[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.missing_families


@dataclass
class EnvironmentReport:
    python: str
    python_version: str
    in_venv: bool
    packages: Dict[str, PackageStatus]
    families: List[FamilyStatus]
    models: List[ModelStatus]
    gpu: dict
    config: dict
    commands: List[str]          # pip commands that install everything missing, into this Python
    refusal: Optional[str] = None  # why nothing may be installed into this Python

    @property
    def missing_families(self) -> List[str]:
        return [f.id for f in self.families if not f.ready]

    @property
    def install_command(self) -> str:
        """The one command that installs exactly what is missing into this environment."""
        return " && ".join(self.commands)

    def to_dict(self) -> dict:
        d = asdict(self)
        for name, p in self.packages.items():
            d["packages"][name].update(present=p.present, usable=p.usable, state=p.state)
        for row, f in zip(d["families"], self.families):
            row["ready"] = f.ready
        for row, m in zip(d["models"], self.models):
            row["ready"] = m.ready
        d["missing_families"] = self.missing_families
        d["install_command"] = self.install_command
        return d

    def to_text(self) -> str:
        lines = [f"Python {self.python_version}: {self.python}"]
        for f in self.families:
            if f.ready:
                state = "ready"
            else:
                state = "missing " + ", ".join(self.packages[m].requirement for m in f.missing)
            lines.append(f"[{f.id}] {f.title}: {state}")
            for m in f.other_versions:
                p = self.packages[m]
                lines.append(f"    {p.dist} {p.installed} (pinned {p.pinned})")
        for m in self.models:
            state = "ready" if m.ready else "needs " + ", ".join(m.missing_families)
            lines.append(f"model {m.id}: {state}")
        lines.append(f"GPU: {self.gpu['summary']}")
        if self.refusal:
            lines.append(self.refusal)
        elif self.commands:
            lines.append("To install everything missing into this environment:")
            lines.append(f"  {self.install_command}")
        return "\n".join(lines)


def in_venv() -> bool:
    return sys.prefix != getattr(sys, "base_prefix", sys.prefix)


def python_executable() -> str:
    """This process's Python interpreter. Inside an embedding application
    (QGIS) ``sys.executable`` is the application, so look beside the prefix."""
    exe = Path(sys.executable or "")
    if exe.name.lower().startswith("python") and exe.exists():
        return str(exe)
    ver = f"{sys.version_info.major}.{sys.version_info.minor}"
    prefix = Path(sys.prefix)
    cands = [prefix / "python.exe"] if os.name == "nt" else [prefix / "bin" / f"python{ver}",
                                                              prefix / "bin" / "python3"]
    return str(next((c for c in cands if c.exists()), exe))


def _is_python(path: str) -> bool:
    return Path(path).name.lower().startswith("python") and Path(path).exists()


def install_refusal() -> Optional[str]:
    """Why nothing may be pip-installed into this Python, or None."""
    try:
        managed = (Path(sysconfig.get_path("stdlib")) / "EXTERNALLY-MANAGED").exists()
    except (KeyError, TypeError):
        managed = False
    if managed and not in_venv():
        return ("This is the system's own Python: RS Embed installs nothing into it. Run Set up RS Embed to "
                "create the core's own environment, or point the setting 'Python of the core' at another one.")
    return None


def package_status(module: str) -> PackageStatus:
    """Installed version of the package pinned for ``module`` (metadata only)."""
    p = package_for(module)
    if p is None:
        top = module.split(".")[0]
        p = pk.Package(top, top.replace("_", "-"))
        pinned = ""
    else:
        pinned = p.version
    st = PackageStatus(p.module, p.dist, pinned, note=p.note)
    try:
        st.installed = md.version(p.dist)
    except md.PackageNotFoundError:
        try:  # importable without metadata (a source checkout on the path)
            found = importlib.util.find_spec(p.module) is not None
        except (ImportError, ValueError):
            found = False
        st.installed = "unknown" if found else None
    return st


# One child process imports the packages in turn and, when asked, reports
# what torch sees; a line per module, so a crash names the module that caused it.
_CHECK = r"""
import importlib, json, sys
mods, gpu = json.loads(sys.argv[1]), sys.argv[2] == "1"
for m in mods:
    print("MOD " + m, flush=True)
    try:
        importlib.import_module(m)
        print("OK " + json.dumps([m, None]), flush=True)
    except BaseException as exc:
        print("OK " + json.dumps([m, "%s: %s" % (type(exc).__name__, exc)]), flush=True)
if gpu:
    out = {}
    try:
        import torch
        out["torch"] = torch.__version__
        out["cuda_build"] = getattr(torch.version, "cuda", None)
        try:
            out["cuda"] = bool(torch.cuda.is_available())
            out["cuda_devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if out["cuda"] else []
        except Exception as exc:
            out["cuda"], out["cuda_error"] = False, str(exc)
        mps = getattr(torch.backends, "mps", None)
        out["mps"] = bool(mps is not None and mps.is_available())
    except BaseException as exc:
        out["error"] = "%s: %s" % (type(exc).__name__, exc)
    print("GPU " + json.dumps(out), flush=True)
"""


def _child_check(modules: List[str], gpu: bool, timeout: float = 600) -> tuple:
    """({module: error or None}, gpu dict or None, problem text or None)."""
    py = python_executable()
    if not _is_python(py):
        return {}, None, f"not checked: {py} is not a Python interpreter"
    try:
        proc = subprocess.run([py, "-c", _CHECK, json.dumps(modules), "1" if gpu else "0"],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        proc, problem = None, f"the import check hung (over {timeout:.0f} s)"
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
    else:
        out = proc.stdout
        problem = None
        if proc.returncode < 0:
            problem = f"the import check crashed (signal {-proc.returncode})"
        elif proc.returncode:
            problem = f"the import check failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"
    errors, gpu_out, current = {}, None, None
    for ln in out.splitlines():
        if ln.startswith("MOD "):
            current = ln[4:]
        elif ln.startswith("OK "):
            m, err = json.loads(ln[3:])
            errors[m] = err
            current = None
        elif ln.startswith("GPU "):
            gpu_out = json.loads(ln[4:])
    if current is not None:   # the child died importing this one
        errors[current] = f"importing it {problem or 'killed the interpreter'}"
    return errors, gpu_out, problem


def _gpu_summary(out: Optional[dict], torch_st: Optional[PackageStatus], problem: Optional[str]) -> dict:
    g = {"torch": None, "cuda": False, "cuda_devices": [], "cuda_build": None, "mps": False, "device": "cpu"}
    if torch_st is None or not torch_st.present:
        g["summary"] = "unknown: torch is not installed (only on-the-fly models need it)"
        return g
    if out is None or "error" in out:
        why = (out or {}).get("error") or problem or "no answer"
        g["summary"] = f"unknown: torch fails to import ({why})"
        return g
    g.update({k: v for k, v in out.items() if k in g or k == "cuda_error"})
    g["device"] = "cuda" if g["cuda"] else ("mps" if g["mps"] else "cpu")
    if g["cuda"]:
        g["summary"] = f"CUDA: {', '.join(g['cuda_devices'])} (torch {g['torch']})"
    elif g["mps"]:
        g["summary"] = f"Apple MPS (torch {g['torch']})"
    else:
        build = f"CUDA {g['cuda_build']} build" if g["cuda_build"] else "CPU-only build"
        g["summary"] = f"no GPU visible; models run on the CPU (torch {g['torch']}, {build})"
    return g


def _model_rows(families: Dict[str, FamilyStatus]) -> List[ModelStatus]:
    from .catalog import MODELS

    return [ModelStatus(c.id, c.label, c.kind, list(c.families),
                        [f for f in c.families if not families[f].ready]) for c in MODELS]


def _config() -> dict:
    try:
        from .config import get_config

        return {k: (str(v) if v is not None else None) for k, v in asdict(get_config()).items()}
    except Exception as exc:  # a bad setting must not hide the report
        return {"error": f"{type(exc).__name__}: {exc}"}


def environment_report(verify_imports: bool = False, with_gpu: bool = True) -> EnvironmentReport:
    """The whole picture of this Python. ``verify_imports`` also imports each
    present package (in a child process: torch takes seconds) to catch broken
    installs; ``with_gpu`` asks torch, also in a child, which device it sees."""
    fams = [f for f in pk.FAMILIES if f.in_all]
    modules = sorted({m for f in fams for m in f.modules})
    packages = {m: package_status(m) for m in modules}
    present = [m for m in modules if packages[m].present]
    torch_there = packages["torch"].present
    gpu_out, problem = None, None
    if verify_imports or (with_gpu and torch_there):
        errors, gpu_out, problem = _child_check(present if verify_imports else [], with_gpu and torch_there)
        for m, err in errors.items():
            if err and m in packages:
                packages[m].error = err
    rows = {}
    for f in fams:
        mods = list(f.modules)
        rows[f.id] = FamilyStatus(f.id, f.title, f.purpose, mods,
                                  [m for m in mods if not packages[m].usable],
                                  [m for m in mods if packages[m].state == "other version"])
    missing = list(dict.fromkeys(m for r in rows.values() for m in r.missing))
    refusal = install_refusal()
    commands = [] if refusal or not missing else pk.pip_commands(
        python_executable(), missing, sys.version_info, windows=os.name == "nt")
    gpu = _gpu_summary(gpu_out, packages.get("torch"), problem) if with_gpu else \
        {"summary": "not checked", "device": "cpu"}
    return EnvironmentReport(python_executable(), sys.version.split()[0], in_venv(), packages,
                             list(rows.values()), _model_rows(rows), gpu, _config(), commands, refusal)


def main() -> int:
    """``python -m rs_embed_qgis.embedders.environment [--verify] [--json]``"""
    verify, as_json = "--verify" in sys.argv, "--json" in sys.argv
    rep = environment_report(verify_imports=verify)
    print(json.dumps(rep.to_dict(), indent=1) if as_json else rep.to_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
