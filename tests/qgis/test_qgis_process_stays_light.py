"""Issue 10, "Must show": after every algorithm has run once inside a QGIS
Python process, that process has imported none of the heavy packages; the
work happened in the core's worker.

The algorithms run in a fresh QGIS Python process (this test's own
interpreter, tests/support/run_every_algorithm.py) so that what other test
modules import cannot mask or fake the result; an import hook there also
records any attempt by the plugin's code to import a heavy package, even one
that is not installed in QGIS's Python."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from core_fixtures import core, transform_xy, write_gtiff

SCRIPT = Path(__file__).resolve().parents[1] / "support" / "run_every_algorithm.py"
HEAVY = ("torch", "torchvision", "timm", "rasterio", "pyproj", "geotessera", "ee", "sklearn", "pandas",
         "affine", "xarray")


def test_every_algorithm_runs_and_qgis_imports_nothing_heavy(tmp_path, qgis_app):
    sample = core("tessera_demo", tmp_path / "sample")
    # a local 4-band scene (blue, green, red, nir) in UTM 31N around lon 0.2, lat 52.05
    x, y = transform_xy(0.2, 52.05, "EPSG:4326", "EPSG:32631")
    x0, y0 = round(x) - 640, round(y) + 640
    bands = np.stack([np.full((128, 128), v, np.uint16) for v in (1000, 2000, 3000, 4000)])
    scene = write_gtiff(tmp_path / "scene.tif", bands, 32631, (x0, 10, 0, y0, 0, -10), nodata=0)
    lo, la = transform_xy(x0 + 340, y0 - 340, "EPSG:32631", "EPSG:4326")
    hi, ha = transform_xy(x0 + 940, y0 - 940, "EPSG:32631", "EPSG:4326")
    out = tmp_path / "out"
    out.mkdir()
    cfg = {"out": str(out), "extent": "0.12,0.28,52.01,52.09 [EPSG:4326]", "year": 2024,
           "points": [[0.15, 52.03], [0.25, 52.07]], "local_raster": str(scene),
           "training": np.random.default_rng(0).uniform([0.125, 52.015], [0.275, 52.085], (40, 2)).tolist(),
           "local_extent": f"{lo},{hi},{ha},{la} [EPSG:4326]"}
    (tmp_path / "cfg.json").write_text(json.dumps(cfg))
    env = dict(os.environ, **sample["env"], QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"))
    proc = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "cfg.json")], env=env,
                          capture_output=True, text=True, timeout=900)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert lines, proc.stdout[-3000:] + proc.stderr[-5000:]
    res = json.loads(lines[-1])
    # every registered algorithm was run; all but the set-up (refusing a base "Python" that is not one)
    # succeeded
    assert sorted(res["tried"]) == res["registered"]
    failed = {a: e for a, e in res["errors"].items() if e and a != "setup_environment"}
    assert not failed, proc.stderr[-5000:]
    assert "cfg.json: not a Python interpreter" in res["errors"]["setup_environment"], res["errors"]
    assert res["heavy_modules"] == [], res["heavy_modules"]
    assert res["heavy_attempts"] == [], res["heavy_attempts"]
    assert {"grid.tif", "pca.tif", "pooled.gpkg", "pca2.tif", "sim.tif", "k.tif", "change.tif", "feat.gpkg",
            "feat.npy", "cmp", "img.tif", "cls.tif", "cls.skops", "reg.tif", "applied.tif", "env.html"} <= {
        p.name for p in out.iterdir()}
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert proc.returncode == 0, proc.stderr[-3000:]
