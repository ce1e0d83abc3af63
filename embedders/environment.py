"""What this Python can run: per model family the packages present (with
versions) and missing, the exact command that installs the missing ones into
the Python QGIS runs, and which accelerator torch sees.

Presence is checked without importing (``importlib.util.find_spec``), so the
report is cheap; ``verify_imports=True`` also imports each present package to
catch broken installs. Plain Python: never imports qgis.
"""
from __future__ import annotations

import importlib
import importlib.metadata as md
import importlib.util
import os
import shlex
import shutil
import sys
import sysconfig
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Package:
    module: str                      # top-level import name
    pip: str                         # requirement as pip takes it (pinned where we pin)
    dist: str                        # distribution name, for the version lookup
    flags: Tuple[str, ...] = ()      # extra pip flags it needs (installed by its own command)
    deps: Tuple[str, ...] = ()       # requirements to install with it when flags hold --no-deps
    note: str = ""                   # what else to know before installing it


_PY_LT_312 = sys.version_info < (3, 12)
# geotessera >= 0.8 declares Python >= 3.12, but its tile API runs on 3.11
# when installed without its dependencies plus the runtime ones it needs.
_GEOTESSERA = Package(
    "geotessera", "geotessera==0.11.0", "geotessera",
    flags=("--no-deps", "--ignore-requires-python") if _PY_LT_312 else (),
    deps=("rich", "typer", "geodatasets>=2024.8.0", "folium>=0.18", "scikit-learn>=1.5",
          "scikit-image>=0.22", "rioxarray", "dask", "fsspec", "aiohttp", "obstore", "contextily",
          "pooch>=1.8", "requests>=2.31", "geopandas>=0.14") if _PY_LT_312 else (),
)

# PyPI wheels of these bundle their own PROJ/GDAL, which clash with QGIS's.
_NATIVE_NOTE = ("On Linux, build it against QGIS's own PROJ and GDAL (pip's --no-binary pyproj,rasterio; "
                "needs libgdal-dev, libproj-dev, g++, python3-dev): the binary wheels bundle a second "
                "PROJ and QGIS crashes when it exits. See the README, 'Installing into QGIS'.")

PACKAGES: Dict[str, Package] = {p.module: p for p in [
    Package("numpy", "numpy<2", "numpy"),
    Package("rasterio", "rasterio==1.4.4", "rasterio", note=_NATIVE_NOTE),
    Package("pyproj", "pyproj==3.6.1", "pyproj", note=_NATIVE_NOTE),
    Package("xarray", "xarray>=2023.1", "xarray"),
    Package("pandas", "pandas>=2.0", "pandas"),
    Package("pyarrow", "pyarrow>=17.0,<22", "pyarrow"),
    Package("shapely", "shapely>=2.0", "shapely"),
    Package("geopandas", "geopandas>=0.14", "geopandas"),
    Package("requests", "requests>=2.31", "requests"),
    Package("pooch", "pooch>=1.8", "pooch"),
    Package("sklearn", "scikit-learn>=1.5", "scikit-learn"),
    _GEOTESSERA,
    Package("ee", "earthengine-api>=1.0", "earthengine-api"),
    Package("pystac_client", "pystac-client>=0.7", "pystac-client"),
    Package("planetary_computer", "planetary-computer>=1.0", "planetary-computer"),
    Package("torch", "torch==2.14.1", "torch"),
    Package("torchvision", "torchvision==0.29.1", "torchvision"),
    Package("timm", "timm>=1.0", "timm"),
    Package("open_clip", "open_clip_torch>=2.24", "open_clip_torch"),
    Package("torchgeo", "torchgeo==0.8.1", "torchgeo"),
    Package("huggingface_hub", "huggingface_hub>=0.24", "huggingface_hub"),
    Package("safetensors", "safetensors>=0.4", "safetensors"),
    Package("einops", "einops", "einops"),
]}

# (id, title, what it is for, import names). Models add their own rows from
# their ``requires``.
FAMILIES: List[Tuple[str, str, str, Tuple[str, ...]]] = [
    ("core", "Core", "every model: GeoTIFF and PCA outputs, reprojection",
     ("numpy", "rasterio", "pyproj", "xarray", "pandas", "pyarrow", "shapely")),
    ("tessera", "Tessera (precomputed)", "tessera embeddings via geotessera",
     ("geotessera", "geopandas", "requests", "pooch")),
    ("gse_cog", "Google Satellite Embedding, public COG copy", "gse_annual with backend cog",
     ("rasterio", "pyarrow", "pandas")),
    ("earth_engine", "Earth Engine", "gse_annual with backend gee, Sentinel-2 imagery from gee",
     ("ee",)),
    ("copernicus", "Copernicus Embed (precomputed)", "copernicus_embed download and windowed reads",
     ("rasterio", "requests")),
    ("stac", "Sentinel-2 imagery from STAC", "imagery source stac (Earth Search, Planetary Computer)",
     ("pystac_client", "planetary_computer")),
    ("torch_models", "On-the-fly models", "RemoteCLIP, SatMAE, ScaleMAE, Prithvi, DOFA, TerraFM",
     ("torch", "torchvision", "timm", "open_clip", "torchgeo", "huggingface_hub", "safetensors",
      "einops")),
    ("analysis", "Analysis tools", "cluster embeddings (k-means), compare models",
     ("sklearn",)),
]


@dataclass
class PackageStatus:
    module: str
    pip: str
    present: bool
    version: Optional[str] = None
    error: Optional[str] = None   # installed but fails to import
    note: str = ""

    @property
    def usable(self) -> bool:
        return self.present and not self.error


@dataclass
class GroupStatus:
    """One model family, or one registered model."""
    id: str
    title: str
    purpose: str
    modules: List[str]
    missing: List[str] = field(default_factory=list)   # import names not usable
    commands: List[str] = field(default_factory=list)  # install commands for them

    @property
    def ok(self) -> bool:
        return not self.missing


@dataclass
class EnvironmentReport:
    python: str
    python_version: str
    in_venv: bool
    packages: Dict[str, PackageStatus]
    families: List[GroupStatus]
    models: List[GroupStatus]
    gpu: dict
    config: dict
    commands: List[str]  # install everything missing

    def to_dict(self) -> dict:
        d = asdict(self)
        for g in d["families"] + d["models"]:
            g["ok"] = not g["missing"]
        return d

    def to_text(self) -> str:
        lines = [f"Python {self.python_version}: {self.python}"]
        for g in self.families + self.models:
            state = "OK" if g.ok else "MISSING " + ", ".join(self.packages[m].pip for m in g.missing)
            lines.append(f"[{g.id}] {g.title}: {state}")
        lines.append(f"GPU: {self.gpu['summary']}")
        if self.commands:
            lines.append("To install everything missing:")
            lines += [f"  {c}" for c in self.commands]
        return "\n".join(lines)


def package_for(module: str) -> Package:
    top = module.split(".")[0]
    return PACKAGES.get(top) or Package(top, top.replace("_", "-"), top)


def in_venv() -> bool:
    return sys.prefix != getattr(sys, "base_prefix", sys.prefix)


def python_executable() -> str:
    """The Python interpreter of this process. Inside QGIS ``sys.executable``
    is the QGIS binary (qgis, qgis-bin.exe), so look beside the prefix."""
    exe = Path(sys.executable or "")
    if exe.name.lower().startswith("python") and exe.exists():
        return str(exe)
    ver = f"{sys.version_info.major}.{sys.version_info.minor}"
    prefix = Path(sys.prefix)
    if os.name == "nt":
        root = os.environ.get("OSGEO4W_ROOT")
        candidates = [prefix / "python.exe"] + ([Path(root) / "bin" / "python.exe"] if root else [])
    else:
        candidates = [prefix / "bin" / f"python{ver}", prefix / "bin" / "python3"]
    for c in candidates:
        if c.exists():
            return str(c)
    return shutil.which(f"python{ver}") or shutil.which("python3") or "python3"


def _quote(arg: str) -> str:
    """Shell-quote a command argument; requirements are always quoted ('<', '>')."""
    if os.name == "nt":
        return f'"{arg}"' if any(ch in arg for ch in " <>=|&^,") else arg
    return shlex.quote(arg)


def _req(spec: str) -> str:
    if os.name == "nt":
        return f'"{spec}"'
    return "'" + spec.replace("'", "'\\''") + "'"


def _externally_managed() -> bool:
    try:
        return (Path(sysconfig.get_path("stdlib")) / "EXTERNALLY-MANAGED").exists()
    except (KeyError, TypeError):
        return False


def _numpy_major() -> Optional[int]:
    try:
        return int(md.version("numpy").split(".")[0])
    except (md.PackageNotFoundError, ValueError):
        return None


def install_commands(modules, specs: Optional[Dict[str, str]] = None) -> List[str]:
    """pip commands that install the packages of ``modules`` (import names)
    into this Python: ``--user`` outside a virtual environment, and QGIS's
    numpy 1 kept (``numpy<2``) so its GDAL bindings still import. ``specs``
    gives the requirement of modules this module has no entry for."""
    pkgs, seen = [], set()
    for m in modules:
        p = package_for(m)
        if p.module not in PACKAGES and specs and specs.get(m):
            p = Package(p.module, specs[m], p.dist)
        if p.module not in seen:
            seen.add(p.module)
            pkgs.append(p)
    if not pkgs:
        return []
    base = [_quote(a) for a in (python_executable(), "-m", "pip", "install")]
    if not in_venv():
        base.append("--user")
        if _externally_managed():  # Debian/Ubuntu (PEP 668): only the user site is touched
            base.append("--break-system-packages")
    plain = [p.pip for p in pkgs if not p.flags] + [d for p in pkgs if p.flags for d in p.deps]
    plain = list(dict.fromkeys(plain))
    if plain and _numpy_major() == 1 and "numpy<2" not in plain:
        plain.append("numpy<2")
    cmds = [" ".join(base + [_req(r) for r in plain])] if plain else []
    for p in pkgs:
        if p.flags:
            cmds.append(" ".join(base + list(p.flags) + [_req(p.pip)]))
    return cmds


def install_hint(module: str, spec: Optional[str] = None) -> str:
    """The command(s) that install ``module``, for error messages."""
    return " && ".join(install_commands([module], {module: spec} if spec else None))


def package_status(module: str, verify_import: bool = False) -> PackageStatus:
    p = package_for(module)
    try:
        present = importlib.util.find_spec(p.module) is not None
    except (ImportError, ValueError):  # e.g. a parent module blocked or without a spec
        present = False
    st = PackageStatus(p.module, p.pip, present, note=p.note)
    if not present:
        return st
    try:
        st.version = md.version(p.dist)
    except md.PackageNotFoundError:
        st.version = None
    if verify_import:
        try:
            mod = importlib.import_module(p.module)
            st.version = st.version or getattr(mod, "__version__", None)
        except Exception as exc:  # broken install: report, don't crash the check
            st.error = f"{type(exc).__name__}: {exc}"
    return st


def gpu_status(packages: Dict[str, PackageStatus]) -> dict:
    """Which device torch would use: cuda, mps or cpu, as torch itself reports it."""
    torch_st = packages.get("torch")
    out = {"torch": None, "cuda": False, "cuda_devices": [], "cuda_build": None, "mps": False,
           "device": "cpu"}
    if torch_st is None or not torch_st.present:
        out["summary"] = "unknown: torch is not installed (only on-the-fly models need it)"
        return out
    try:
        import torch
    except Exception as exc:
        out["summary"] = f"unknown: torch fails to import ({type(exc).__name__}: {exc})"
        return out
    out["torch"] = torch.__version__
    out["cuda_build"] = getattr(torch.version, "cuda", None)
    try:
        out["cuda"] = bool(torch.cuda.is_available())
        if out["cuda"]:
            out["cuda_devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception as exc:  # driver problems
        out["cuda_error"] = str(exc)
    mps = getattr(getattr(torch, "backends", None), "mps", None)
    out["mps"] = bool(mps is not None and mps.is_available())
    out["device"] = "cuda" if out["cuda"] else ("mps" if out["mps"] else "cpu")
    if out["cuda"]:
        out["summary"] = f"CUDA: {', '.join(out['cuda_devices'])} (torch {out['torch']})"
    elif out["mps"]:
        out["summary"] = f"Apple MPS (torch {out['torch']})"
    else:
        build = f"CUDA {out['cuda_build']} build" if out["cuda_build"] else "CPU-only build"
        out["summary"] = f"no GPU visible; models run on the CPU (torch {out['torch']}, {build})"
    return out


def _group(gid, title, purpose, modules, packages) -> GroupStatus:
    modules = list(dict.fromkeys(package_for(m).module for m in modules))
    missing = [m for m in modules if not packages[m].usable]
    return GroupStatus(gid, title, purpose, modules, missing, install_commands(missing))


def _model_rows(packages, verify_imports):
    from .registry import describe_model, list_models

    rows = []
    for mid in list_models():
        d = describe_model(mid)
        req = [package_for(m).module for m in d.get("requires") or ()]
        for m in req:
            if m not in packages:
                packages[m] = package_status(m, verify_imports)
        rows.append(_group(mid, d.get("title") or mid, f"model {mid} ({d.get('kind')})", req, packages))
    return rows


def environment_report(verify_imports: bool = False, with_gpu: bool = True) -> EnvironmentReport:
    """The whole picture; ``verify_imports`` imports each present package
    (slower: torch and friends take seconds) to catch broken installs."""
    from .config import get_config

    modules = {m for _, _, _, mods in FAMILIES for m in mods}
    packages = {m: package_status(m, verify_imports) for m in sorted(modules)}
    families = [_group(fid, title, purpose, mods, packages) for fid, title, purpose, mods in FAMILIES]
    models = _model_rows(packages, verify_imports)
    missing = [m for g in families + models for m in g.missing]
    gpu = gpu_status(packages) if with_gpu else {"summary": "not checked", "device": "cpu"}
    cfg = {k: (str(v) if v is not None else None) for k, v in asdict(get_config()).items()}
    return EnvironmentReport(python_executable(), sys.version.split()[0], in_venv(), packages,
                             families, models, gpu, cfg, install_commands(missing))
