"""The single source of RS Embed's Python package pins and model families.

Standard library only: QGIS's own Python imports this module (the set-up
code, *Check environment*, error messages) as well as the core's environment.

- ``LOCK``: every distribution of the core's environment, pinned with ``==``
  (the set that runs together here: the families below and everything they
  pull in). It is passed to pip as a constraints file, so that dependencies
  are pinned too.
- ``PACKAGES``: the packages RS Embed imports, by import name, with their pin
  (read from ``LOCK``) and how to install them.
- ``FAMILIES``: what each feature needs; the environment is set up family by
  family, on demand.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .errors import DependencyMissingError

# pip freeze of a working core environment (CPython 3.11, Linux x86-64), plus
# pytest-qgis for the QGIS test suite. numpy 2 and PyPI's wheels of rasterio
# and pyproj: the core runs in its own process, away from QGIS's libraries.
_LOCK_TEXT = """
affine==3.0.1 aiohappyeyeballs==2.7.1 aiohttp==3.14.5 aiosignal==1.4.0 annotated-doc==0.0.7
annotated-types==0.8.0 antlr4-python3-runtime==4.9.3 anyio==4.16.0 attrs==26.1.0 branca==0.8.2
certifi==2026.10.19.post1 cffi==2.1.1 charset-normalizer==3.5.3 click-plugins==1.1.1.2
click==8.5.1 cligj==0.7.2 cloudpickle==3.1.3 contextily==1.7.1 contourpy==1.3.3
cryptography==50.0.2 cuda-bindings==13.5.0 cuda-pathfinder==1.9.1 cuda-toolkit==13.0.3.0
cycler==0.12.1 dask==2026.8.0 distributed==2026.8.0 docstring_parser==0.18.0
earthengine-api==1.7.50 einops==0.8.2 filelock==4.3.1 folium==0.20.0 fonttools==4.68.0
frozenlist==1.8.0 fsspec==2026.9.0 ftfy==6.3.1 geodatasets==2026.11.0 geographiclib==2.1
geopandas==1.2.0 geopy==2.5.0 geotessera==0.11.0 google-api-core==2.44.0
google-api-python-client==2.202.0 google-auth-httplib2==0.4.4 google-auth==2.63.0
google-cloud-core==2.8.0 google-cloud-storage==3.17.1 google-crc32c==1.9.0
google-resumable-media==2.11.0 googleapis-common-protos==1.76.0 h11==0.16.0 hf-xet==1.8.0
httpcore2==2.16.2 httplib2==0.32.1 httpx2==2.16.2 huggingface_hub==2.4.0 hydra-core==1.3.8
idna==3.20 ImageIO==2.38.1 importlib_metadata==10.2.0 iniconfig==2.3.1 Jinja2==3.1.6
joblib==1.6.0 jsonargparse==4.53.0 kiwisolver==1.5.1 kornia==0.9.0 kornia_rs==0.2.0
lazy-importer==0.1.0 lazy-loader==0.6 lightly==1.6.0 lightning-utilities==0.15.3
lightning==2.6.6 locket==1.0.0 markdown-it-py==4.3.0 MarkupSafe==3.0.4 matplotlib==3.11.2
mdurl==0.1.2 mercantile==1.2.1 mpmath==1.3.0 msgpack==1.2.4 multidict==7.2.1 narwhals==2.29.0
networkx==3.6.1 numpy==2.4.6 olmoearth-pretrain-minimal==0.1.5 nvidia-cublas==13.1.1.3 nvidia-cuda-cupti==13.0.85
nvidia-cuda-nvrtc==13.0.88 nvidia-cuda-runtime==13.0.96 nvidia-cudnn-cu13==9.24.0.43
nvidia-cufft==12.0.0.61 nvidia-cufile==1.15.1.6 nvidia-curand==10.4.0.35
nvidia-cusolver==12.0.4.66 nvidia-cusparse==12.6.3.3 nvidia-cusparselt-cu13==0.8.1
nvidia-nccl-cu13==2.30.7 nvidia-nvjitlink==13.5.37 nvidia-nvshmem-cu13==3.4.5
nvidia-nvtx==13.0.85 obstore==0.12.1 omegaconf==2.3.1 open_clip_torch==3.3.0
opentelemetry-api==1.45.2 packaging==26.4 pandas==3.1.1 partd==1.4.2 pathlib-abc==0.5.2 pillow==13.0.0
planetary-computer==1.0.0 platformdirs==4.14.8 pluggy==1.7.0 pooch==1.9.0 prettytable==3.18.0
propcache==0.5.4 proto-plus==1.29.0 protobuf==7.36.2 psutil==7.2.2 pyarrow==26.0.1 pyasn1==0.6.5
pyasn1_modules==0.4.2 pycparser==3.12 pydantic==2.14.4 pydantic_core==2.50.5 Pygments==2.21.0
pyogrio==0.13.0 pyparsing==3.3.3 pyproj==3.7.2 pystac-client==0.9.1 pystac-core==1.15.2
pystac-ext-classification==2.0.1 pystac-ext-datacube==2.2.1 pystac-ext-eo==1.1.1
pystac-ext-file==2.1.1 pystac-ext-grid==1.1.1 pystac-ext-item-assets==1.0.1
pystac-ext-label==1.0.2 pystac-ext-mgrs==1.0.1 pystac-ext-mlm==1.4.1
pystac-ext-pointcloud==1.0.1 pystac-ext-projection==2.0.1 pystac-ext-raster==1.1.1
pystac-ext-render==2.0.0 pystac-ext-sar==1.0.1 pystac-ext-sat==1.0.1
pystac-ext-scientific==1.0.1 pystac-ext-storage==2.0.1 pystac-ext-table==1.2.1
pystac-ext-timestamps==1.1.1 pystac-ext-version==1.2.1 pystac-ext-view==1.0.1
pystac-ext-xarray-assets==1.0.1 pystac==1.15.2 pytest-qgis==2.1.0 pytest-timeout==2.4.0
pytest==9.2.0 python-dateutil==4.0.0 python-dotenv==1.2.4 pytorch-lightning==2.6.6 pytz==2026.6
PyYAML==6.0.4 rasterio==1.4.4 regex==2026.11.19 requests==2.34.2 rich==15.0.0 rs-embed==0.3.1 rioxarray==0.19.0
safetensors==0.8.0 scikit-image==0.26.0 scikit-learn==1.9.1 scipy==1.17.1 setuptools==84.2.1
segmentation_models_pytorch==0.6.0 shapely==2.2.0 shellingham==1.5.4 skops==0.16.0
sortedcontainers==2.4.0 sympy==1.14.0 tblib==3.2.2 terratorch==1.1.1 threadpoolctl==3.8.0 tifffile==2026.3.3
timm==1.0.31 toolz==1.2.0 torch==2.14.1 torchgeo==0.8.1 torchmetrics==1.9.0 torchvision==0.29.1
tornado==6.6.1 tqdm==4.70.1 triton==3.8.0 truststore==0.10.5 typer==0.29.2
typeshed_client==2.15.0 typing-inspection==0.4.5 typing_extensions==4.16.0 tzdata==2026.6 universal_pathlib==0.3.10
uritemplate==4.2.0 urllib3==2.8.0 wcwidth==0.9.4 xarray==2026.9.0 xyzservices==2026.9.1
yarl==1.25.1 zict==3.0.0 zipp==4.1.2
"""


def canonical(name: str) -> str:
    """Distribution name as pip compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


LOCK: Dict[str, str] = {canonical(n): v for n, v in
                        (item.split("==") for item in _LOCK_TEXT.split())}


@dataclass(frozen=True)
class Package:
    module: str                               # top-level import name
    dist: str                                 # distribution name on PyPI
    no_deps_below: Optional[Tuple[int, int]] = None  # older Pythons: --no-deps --ignore-requires-python ...
    deps: Tuple[str, ...] = ()                # ... plus these import names (its runtime needs)
    note: str = ""

    @property
    def version(self) -> str:
        return LOCK[canonical(self.dist)]

    @property
    def requirement(self) -> str:
        return f"{self.dist}=={self.version}"

    def needs_no_deps(self, python_version: Sequence[int]) -> bool:
        """Whether this package is installed on its own, without its declared
        dependencies, on a Python of ``python_version`` (major, minor)."""
        return self.no_deps_below is not None and tuple(python_version[:2]) < self.no_deps_below


def _pkgs(*items) -> Dict[str, Package]:
    out = {}
    for it in items:
        p = it if isinstance(it, Package) else Package(*it)
        out[p.module] = p
    return out


# geotessera >= 0.8 declares Python >= 3.12, but its tile API runs on 3.11
# without its zarr/icechunk dependencies (only GeoTesseraZarr is lost).
_GEOTESSERA = Package(
    "geotessera", "geotessera", no_deps_below=(3, 12),
    deps=("numpy", "geopandas", "pandas", "matplotlib", "rasterio", "rich", "typer", "geodatasets",
          "pooch", "folium", "sklearn", "skimage", "pyarrow", "urllib3", "xarray", "rioxarray",
          "obstore", "dask", "fsspec", "aiohttp", "contextily"),
    note="On Python 3.11 it is installed with --no-deps --ignore-requires-python plus its runtime needs.")

PACKAGES: Dict[str, Package] = _pkgs(
    ("numpy", "numpy"), ("rasterio", "rasterio"), ("pyproj", "pyproj"), ("affine", "affine"),
    ("xarray", "xarray"), ("pandas", "pandas"), ("pyarrow", "pyarrow"), ("shapely", "shapely"),
    ("geopandas", "geopandas"), ("requests", "requests"), ("urllib3", "urllib3"), ("pooch", "pooch"),
    ("tqdm", "tqdm"), ("matplotlib", "matplotlib"),
    _GEOTESSERA,
    ("rich", "rich"), ("typer", "typer"), ("geodatasets", "geodatasets"), ("folium", "folium"),
    ("skimage", "scikit-image"), ("rioxarray", "rioxarray"), ("obstore", "obstore"),
    ("fsspec", "fsspec"), ("aiohttp", "aiohttp"), ("contextily", "contextily"),
    ("ee", "earthengine-api"),
    ("pystac_client", "pystac-client"), ("planetary_computer", "planetary-computer"),
    ("torch", "torch"), ("torchvision", "torchvision"), ("timm", "timm"),
    ("open_clip", "open_clip_torch"), ("torchgeo", "torchgeo"), ("huggingface_hub", "huggingface_hub"),
    ("safetensors", "safetensors"), ("einops", "einops"),
    ("sklearn", "scikit-learn"), ("skops", "skops"),
    ("dask", "dask"), ("distributed", "distributed"),
    ("olmoearth_pretrain_minimal", "olmoearth-pretrain-minimal"),
    ("pytest", "pytest"), ("pytest_timeout", "pytest-timeout"), ("pytest_qgis", "pytest-qgis"),
    # rs-embed 0.3.1 ships the authors' Prithvi, TerraFM and SatMAE++ modules: the
    # model tests' oracle. It declares Python >= 3.12 and pulls Earth Engine
    # tooling; the vendored modules need none of it.
    Package("rs_embed", "rs-embed", no_deps_below=(99, 0), note="test-only oracle"),
    # terratorch 1.1.1 ships the authors' TerraMind modules (the terramind test's oracle).
    # It pins torchgeo<0.7.2, albumentations, wandb...: installed alone; its TerraMind
    # files need only torch, einops and torchvision (its package __init__ is not run).
    Package("terratorch", "terratorch", no_deps_below=(99, 0), note="test-only oracle"),
)


@dataclass(frozen=True)
class Family:
    id: str
    title: str
    purpose: str
    modules: Tuple[str, ...]       # import names (keys of PACKAGES)
    in_all: bool = True            # part of "all" (the test-only families are not)


FAMILIES: List[Family] = [
    Family("core", "Core", "every model: GeoTIFF and PCA outputs, reprojection",
           ("numpy", "rasterio", "pyproj", "affine", "xarray", "pandas", "pyarrow", "shapely",
            "requests", "tqdm")),
    Family("tessera", "Tessera (precomputed)", "tessera embeddings via geotessera",
           ("geotessera", "geopandas", "requests", "pooch")),
    Family("gse_cog", "Google Satellite Embedding, public COG copy", "gse_annual with backend cog",
           ("rasterio", "pyarrow", "pandas", "requests")),
    Family("earth_engine", "Earth Engine", "gse_annual with backend gee, Sentinel-2 imagery from gee",
           ("ee",)),
    Family("copernicus", "Copernicus Embed (precomputed)", "copernicus_embed download and windowed reads",
           ("rasterio", "requests")),
    Family("stac", "Sentinel-2 imagery from STAC", "imagery source stac (Earth Search, Planetary Computer)",
           ("pystac_client", "planetary_computer")),
    Family("torch_models", "On-the-fly models",
           "every on-the-fly model (Prithvi, Clay, OlmoEarth, TerraMind, DOFA, Galileo, THOR and the rest)",
           ("torch", "torchvision", "timm", "open_clip", "torchgeo", "huggingface_hub", "safetensors",
            "einops", "olmoearth_pretrain_minimal")),
    Family("analysis", "Analysis tools", "cluster embeddings (k-means), compare models, reports",
           ("sklearn", "skops", "matplotlib")),
    Family("dask", "Dask", "large extents in chunks, on a local or remote Dask cluster",
           ("dask", "distributed")),
    Family("dev", "Tests of the core", "the core's test suite (developers only)",
           ("pytest", "pytest_timeout", "rs_embed", "terratorch"), in_all=False),
    Family("qgis_tests", "Tests in QGIS", "the QGIS test suite, in QGIS's own Python (developers only)",
           ("pytest", "pytest_qgis", "pytest_timeout"), in_all=False),
]
FAMILY_IDS: Tuple[str, ...] = tuple(f.id for f in FAMILIES)
# What a first set-up installs: the core and the precomputed products (torch
# only when an on-the-fly model needs it). "default" in a list of families.
DEFAULT_FAMILIES: Tuple[str, ...] = ("core", "tessera", "gse_cog", "copernicus")


def family(fid: str) -> Family:
    for f in FAMILIES:
        if f.id == fid:
            return f
    raise KeyError(f"Unknown package family '{fid}'. Known: {', '.join(FAMILY_IDS)}, all or default.")


def resolve_families(ids: Iterable[str]) -> List[Family]:
    """Families named by ``ids`` (``all``: every family but the test-only
    ones; ``default``: DEFAULT_FAMILIES), in FAMILIES' order, ``core``
    first. Unknown ids raise KeyError."""
    wanted: List[str] = []
    for fid in ids:
        fid = fid.strip()
        if not fid:
            continue
        if fid == "all":
            wanted += [f.id for f in FAMILIES if f.in_all]
        elif fid == "default":
            wanted += list(DEFAULT_FAMILIES)
        else:
            wanted.append(family(fid).id)
    wanted = list(dict.fromkeys(wanted))
    return [f for f in FAMILIES if f.id in wanted]


def package_for(module: str) -> Optional[Package]:
    """The package that provides ``module`` (a dotted import name is fine)."""
    return PACKAGES.get(module.split(".")[0])


def requirement(module: str) -> Optional[str]:
    """``dist==version`` for an import name, or None when RS Embed pins no package for it."""
    p = package_for(module)
    return p.requirement if p else None


def install_plan(modules: Iterable[str], python_version: Sequence[int]) -> Tuple[List[Package], List[Package]]:
    """The packages that install ``modules`` (import names) on a Python of
    ``python_version``: (installed together with their dependencies, each
    installed alone with --no-deps --ignore-requires-python). A package
    installed alone brings its runtime needs into the first list."""
    plain: Dict[str, Package] = {}
    alone: Dict[str, Package] = {}
    for m in modules:
        p = package_for(m)
        if p is None:
            raise KeyError(f"RS Embed pins no package for the module '{m}'")
        if p.needs_no_deps(python_version):
            alone[p.dist] = p
            for d in p.deps:
                dp = PACKAGES[d]
                plain.setdefault(dp.dist, dp)
        else:
            plain.setdefault(p.dist, p)
    return list(plain.values()), list(alone.values())


def family_dists(families: Iterable[Family], python_version: Sequence[int]) -> List[Package]:
    """Every pinned package the families install on that Python (deduplicated)."""
    plain, alone = install_plan([m for f in families for m in f.modules], python_version)
    return plain + alone


def _quote(arg: str, windows: bool) -> str:
    if windows:
        return f'"{arg}"' if any(ch in arg for ch in ' <>=|&^,()') else arg
    return shlex.quote(arg)


def pip_commands(python: str, modules: Iterable[str], python_version: Sequence[int],
                 windows: bool = False) -> List[str]:
    """Shell commands that install ``modules`` into the environment of
    ``python`` (``python -m pip install ...``), exactly pinned."""
    plain, alone = install_plan(modules, python_version)
    base = [_quote(a, windows) for a in (python, "-m", "pip", "install")]
    cmds = [" ".join(base + [_quote(p.requirement, windows) for p in plain])] if plain else []
    for p in alone:
        cmds.append(" ".join(base + ["--no-deps", "--ignore-requires-python", _quote(p.requirement, windows)]))
    return cmds


SETUP_ACTION = "Set up RS Embed (Raster \u203a RS Embed, or the Processing toolbox)"


def install_hint(module: str, python: Optional[str] = None,
                 python_version: Optional[Sequence[int]] = None) -> str:
    """What to do when ``module`` is missing, for error messages: the family
    to set up and the one command that installs it into the environment of
    ``python`` (the core's Python: the running one by default, whose version
    is then known; pass ``python_version`` with another ``python``)."""
    import os
    import sys

    top = module.split(".")[0]
    fams = [f.id for f in FAMILIES if f.in_all and top in f.modules]
    what = f"the family '{fams[0]}'" if fams else f"the package for '{top}'"
    if package_for(top) is None:
        return f"Install {what} into the core's environment."
    if python is None:
        python, python_version = sys.executable, sys.version_info
    cmd = " && ".join(pip_commands(python, [top], python_version or (3, 11), windows=os.name == "nt"))
    return f"Run {SETUP_ACTION} for {what}, or run: {cmd}"


def require(module_name: str, package: Optional[str] = None, purpose: Optional[str] = None):
    """Import ``module_name`` or raise :class:`DependencyMissingError` saying
    exactly what to install (the family and the pinned command, install_hint)."""
    import importlib

    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        pkg = package or module_name
        what = f" (needed for {purpose})" if purpose else ""
        try:
            hint = install_hint(module_name.split(".")[0])
        except Exception:  # never let the hint hide the error
            hint = f"Run {SETUP_ACTION} for the family that needs it."
        raise DependencyMissingError(
            f"The Python package '{pkg}' is not installed in the core's environment{what}. {hint} "
            f"(original error: {exc})"
        ) from exc
