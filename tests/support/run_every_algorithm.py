"""Run every RS Embed Processing algorithm once in a fresh QGIS Python process
and report what that process imported (issue 10: QGIS's process stays light).

    python run_every_algorithm.py CONFIG.json   -> one JSON line on stdout

CONFIG: {"out": folder, "extent": "xmin,xmax,ymin,ymax [EPSG:4326]", "year": 2024,
"points": [[lon, lat], ...], "training": [[lon, lat], ...], "local_raster": path,
"local_extent": extent}.
Besides ``sys.modules`` at the end, an import hook records every attempt by
the plugin's own code to import a heavy package (even one not installed here)."""
from __future__ import annotations

import importlib.abc
import json
import os
import sys
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLUGIN_DIRS = [str(REPO) + os.sep, str(REPO / ".build" / "pkg" / "rs_embed_qgis") + os.sep]
HEAVY = ("torch", "torchvision", "timm", "rasterio", "pyproj", "geotessera", "ee", "sklearn", "pandas",
         "affine", "xarray")
attempts = []


class HeavyImportRecorder(importlib.abc.MetaPathFinder):
    """Records (module, plugin file:line) when the plugin's code imports a heavy package."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in HEAVY:
            frame = sys._getframe(1)
            while frame is not None:
                f = frame.f_code.co_filename
                if any(f.startswith(d) for d in PLUGIN_DIRS) and f"{os.sep}tests{os.sep}" not in f:
                    attempts.append(f"{fullname} from {f}:{frame.f_lineno}")
                    break
                frame = frame.f_back
        return None


def main(config_path):
    cfg = json.loads(Path(config_path).read_text())
    out = Path(cfg["out"])
    sys.meta_path.insert(0, HeavyImportRecorder())
    sys.path.insert(0, str(REPO / ".build" / "pkg"))
    sys.path.append("/usr/share/qgis/python/plugins")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication, QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

    app = QgsApplication([], False)
    app.initQgis()
    import processing
    from processing.core.Processing import Processing

    from rs_embed_qgis.processing_provider.provider import RSEmbedProvider

    Processing.initialize()
    provider = RSEmbedProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    pts = QgsVectorLayer("Point?crs=EPSG:4326&field=site:string", "sites", "memory")
    feats = []
    for i, (x, y) in enumerate(cfg["points"]):
        f = QgsFeature(pts.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        f.setAttributes([f"s{i}"])
        feats.append(f)
    pts.dataProvider().addFeatures(feats)
    train = QgsVectorLayer("Point?crs=EPSG:4326&field=cls:string&field=val:double", "training", "memory")
    feats = []
    for x, y in cfg["training"]:
        f = QgsFeature(train.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        f.setAttributes(["west" if x < 0.2 else "east", x * 100.0])
        feats.append(f)
    train.dataProvider().addFeatures(feats)
    grid = str(out / "grid.tif")
    lon, lat = cfg["points"][0]
    runs = [
        ("embed_roi", {"EXTENT": cfg["extent"], "MODEL": "tessera", "YEAR": cfg["year"], "OUTPUT": grid,
                       "PCA_OUTPUT": str(out / "pca.tif"), "POOLED_OUTPUT": str(out / "pooled.gpkg")}),
        ("pca_rgb", {"INPUT": grid, "OUTPUT": str(out / "pca2.tif")}),
        ("similarity_map", {"INPUT": grid, "POINT": f"{lon},{lat} [EPSG:4326]", "REFERENCES": pts,
                            "OUTPUT": str(out / "sim.tif")}),
        ("cluster_embeddings", {"INPUT": grid, "K": 3, "OUTPUT": str(out / "k.tif")}),
        ("embedding_change", {"EXTENT": cfg["extent"], "MODEL": "tessera", "YEAR_A": cfg["year"],
                              "YEAR_B": cfg["year"], "OUTPUT": str(out / "change.tif")}),
        ("embed_features", {"INPUT": pts, "MODEL": "tessera", "YEAR": cfg["year"], "BUFFER": 300,
                            "OUTPUT": str(out / "feat.gpkg"), "ARRAY_OUTPUT": str(out / "feat.npy")}),
        ("compare_models", {"EXTENT": cfg["extent"], "MODELS": ["tessera"], "YEAR": cfg["year"],
                            "OUTPUT_FOLDER": str(out / "cmp")}),
        ("fetch_imagery", {"EXTENT": cfg["local_extent"], "YEAR": 2022, "IMAGERY_SOURCE": "local",
                           "INPUT_RASTER": cfg["local_raster"], "BAND_MAP": "B04=3,B03=2,B02=1",
                           "OUTPUT": str(out / "img.tif")}),
        ("classify_embeddings", {"INPUT": [grid], "TRAINING": train, "FIELD": "cls", "OUTPUT": str(out / "cls.tif"),
                                 "REPORT": str(out / "cls.html"), "MODEL_OUTPUT": str(out / "cls.skops")}),
        ("regress_embeddings", {"INPUT": [grid], "TRAINING": train, "FIELD": "val", "OUTPUT": str(out / "reg.tif"),
                                "REPORT": str(out / "reg.html")}),
        ("apply_model", {"MODEL": str(out / "cls.skops"), "INPUT": [grid], "OUTPUT": str(out / "applied.tif")}),
        ("check_environment", {"VERIFY": False, "INSTALL": False, "OUTPUT": str(out / "env.html")}),
        # installing packages is out of scope here: the algorithm runs and refuses a base Python
        # that is not one
        ("setup_environment", {"FAMILIES": ["core"], "PYTHON": str(config_path)}),
    ]
    ran, errors = [], {}
    for alg, params in runs:
        try:
            res = processing.run(f"rs_embed:{alg}", params)
            ran.append(alg)
            errors[alg] = None if res is not None else "no result"
        except Exception as exc:  # reported, the test decides
            errors[alg] = f"{type(exc).__name__}: {exc}"
            if alg != "setup_environment":
                traceback.print_exc()
    registered = sorted(a.name() for a in provider.algorithms())
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
    from rs_embed_qgis.embedders import jobclient

    jobclient.shutdown()
    print(json.dumps({"registered": registered, "tried": [a for a, _ in runs], "ran": ran, "errors": errors,
                      "heavy_modules": heavy, "heavy_attempts": attempts}), flush=True)
    del pts, train
    app.exitQgis()


if __name__ == "__main__":
    main(sys.argv[1])
