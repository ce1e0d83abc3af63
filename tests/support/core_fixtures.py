"""The QGIS suite's access to fixture data that needs the core's libraries:
``core_cli.py`` run by the core's Python (RS_EMBED_PYTHON), and GDAL (osgeo,
which QGIS ships) to read rasters back. Standard library, numpy and osgeo only."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

import numpy as np

CLI = Path(__file__).resolve().parent / "core_cli.py"
_DROP = ("PYTHONPATH", "PYTHONHOME", "PROJ_LIB", "PROJ_DATA", "GDAL_DATA", "GDAL_DRIVER_PATH", "VIRTUAL_ENV")


def core_python() -> str:
    py = os.environ.get("RS_EMBED_PYTHON")
    if not py:
        raise RuntimeError("The QGIS suite needs RS_EMBED_PYTHON: the core's Python (e.g. /tmp/probe-env/bin/python).")
    return py


def _env():
    return {k: v for k, v in os.environ.items() if k not in _DROP}


def core(cmd, *args, timeout=600) -> dict:
    """Run one core_cli command with the core's Python; its JSON answer."""
    proc = subprocess.run([core_python(), str(CLI), cmd, *[str(a) for a in args]], capture_output=True,
                          text=True, timeout=timeout, env=_env())
    if proc.returncode != 0:
        raise RuntimeError(f"core_cli {cmd} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def write_embedding(path, arr, year=None, model=None) -> Path:
    """An embedding GeoTIFF of a (D, H, W) array through the core's own writer
    (as Embed ROI writes them: CRS, transform, tags, NaN no-data)."""
    path = Path(path)
    npy = path.with_suffix(".input.npy")
    np.save(npy, np.asarray(arr, np.float32))
    try:
        extra = (["--year", year] if year is not None else []) + (["--model", model] if model else [])
        return Path(core("embedding", npy, path, *extra)["path"])
    finally:
        npy.unlink()


@contextlib.contextmanager
def stac_server(root, scenes):
    """A STAC API with COG scenes (fixtures_imagery), served by the core's Python; yields its URL."""
    proc = subprocess.Popen([core_python(), str(CLI), "stac_server", str(root), json.dumps(scenes)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env())
    try:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("The STAC fixture server did not start.")
        yield json.loads(line)["url"]
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


class Raster:
    """A raster read back with GDAL: data (bands, H, W), tags, CRS, transform."""

    def __init__(self, path):
        from osgeo import gdal, osr

        ds = gdal.Open(str(path))
        if ds is None:
            raise FileNotFoundError(path)
        self.data = ds.ReadAsArray()
        if self.data.ndim == 2:
            self.data = self.data[None]
        self.count, self.height, self.width = ds.RasterCount, ds.RasterYSize, ds.RasterXSize
        self.tags = ds.GetMetadata() or {}
        self.transform = tuple(ds.GetGeoTransform())
        self.res = (self.transform[1], -self.transform[5])
        srs = osr.SpatialReference(wkt=ds.GetProjection()) if ds.GetProjection() else None
        self.epsg = int(srs.GetAuthorityCode(None)) if srs is not None and srs.GetAuthorityCode(None) else None
        band = ds.GetRasterBand(1)
        self.dtype = gdal.GetDataTypeName(band.DataType)
        self.nodata = band.GetNoDataValue()
        self.descriptions = tuple(ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount))
        ds = None

    @property
    def crs(self):
        return f"EPSG:{self.epsg}" if self.epsg else None

    def band(self, i=1):
        return self.data[i - 1]


def write_gtiff(path, array, epsg, transform, nodata=None, descriptions=None, tiled=True):
    """A (bands, H, W) GeoTIFF through osgeo.gdal (``transform``: GDAL geotransform)."""
    from osgeo import gdal, gdal_array, osr

    arr = array if array.ndim == 3 else array[None]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    opts = ["TILED=YES", "BLOCKXSIZE=64", "BLOCKYSIZE=64", "COMPRESS=DEFLATE"] if tiled else []
    ds = gdal.GetDriverByName("GTiff").Create(str(path), arr.shape[2], arr.shape[1], arr.shape[0],
                                              gdal_array.NumericTypeCodeToGDALTypeCode(arr.dtype), opts)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(int(epsg))
    ds.SetProjection(srs.ExportToWkt())
    ds.SetGeoTransform(transform)
    for i in range(arr.shape[0]):
        b = ds.GetRasterBand(i + 1)
        if nodata is not None:
            b.SetNoDataValue(nodata)
        if descriptions:
            b.SetDescription(descriptions[i])
        b.WriteArray(arr[i])
    ds = None
    return path


def transform_xy(x, y, src, dst):
    """A point from CRS ``src`` to ``dst`` (authority ids) through QGIS."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject

    t = QgsCoordinateTransform(QgsCoordinateReferenceSystem(src), QgsCoordinateReferenceSystem(dst),
                               QgsProject.instance())
    p = t.transform(QgsPointXY(x, y))
    return p.x(), p.y()
