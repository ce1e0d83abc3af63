"""Fail the set-up when pyproj or rasterio carry their own PROJ/GDAL: QGIS and
qgis_process then crash at exit (two PROJ copies' static destructors)."""
import sys
from pathlib import Path

import pyproj
import rasterio
from osgeo import gdal

problems = []
for mod in (pyproj, rasterio):
    libs = Path(mod.__file__).resolve().parent.parent / f"{mod.__name__}.libs"
    if libs.exists():
        problems.append(f"{mod.__name__} {mod.__version__} is a binary wheel with bundled libraries ({libs})")
if rasterio.__gdal_version__ != gdal.__version__:
    problems.append(f"rasterio uses GDAL {rasterio.__gdal_version__}, QGIS uses GDAL {gdal.__version__}")
if problems:
    sys.exit("Native library check failed:\n  " + "\n  ".join(problems)
             + "\nReinstall them from source: make clean && make setup")
print(f"pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}) and rasterio {rasterio.__version__} "
      f"(GDAL {rasterio.__gdal_version__}) use QGIS's own libraries")
