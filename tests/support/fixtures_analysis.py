"""Fixtures of the analysis tests: embedding GeoTIFFs built from constructed
arrays (through the core's own writer), Tessera and AlphaEarth sample data in
their real formats, and running an algorithm with its outputs loaded into the
project the way the toolbox does."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

CRS = "EPSG:32631"
X0, Y0 = 500_000.0, 5_770_000.0  # top-left corner, zone 31N (~52 N, 3 E)
TESSERA_TILES = [(0.15, 52.05, [2024]), (0.25, 52.05, [2022, 2024])]
TESSERA_PIXEL_M = 100.0


def write_embedding(path, arr, res=10.0, x0=X0, y0=Y0, crs=CRS, model="synthetic", year=2024):
    """An embedding GeoTIFF of a (D, H, W) array, as Embed ROI writes them."""
    from rs_embed_qgis.embedders.embedding import Embedding, make_grid
    from rs_embed_qgis.embedders.writers import write_geotiff

    grid = make_grid(np.asarray(arr, np.float32), crs, (res, 0.0, x0, 0.0, -res, y0))
    meta = {"model": model, "temporal": {"mode": "year", "year": year}}
    return write_geotiff(Embedding(grid, meta), Path(path))


def planted_clusters(d=12, h=64, w=80, seed=0, spread=0.25):
    """Three well separated clusters in known regions, a no-data corner.
    Returns (array (D, H, W) float32, labels (H, W) with -1 for no data)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, d)) * 4.0
    labels = np.zeros((h, w), dtype=int)
    labels[:, w // 2:] = 1
    labels[h // 4:h // 2, w // 8:w // 3] = 2
    arr = centres[labels].transpose(2, 0, 1) + spread * rng.normal(size=(d, h, w))
    arr[:, :3, :4] = np.nan
    labels[:3, :4] = -1
    return arr.astype(np.float32), labels


def cosine_reference(arr, ref):
    """Independent float64 cosine similarity of every pixel to ``ref``."""
    a = arr.astype(np.float64)
    r = np.asarray(ref, np.float64)
    return np.tensordot(r, a, axes=1) / (np.linalg.norm(a, axis=0) * np.linalg.norm(r))


def pixel_centre(row, col, res=10.0, x0=X0, y0=Y0):
    return x0 + (col + 0.5) * res, y0 - (row + 0.5) * res


def tessera_mirror(root):
    import tessera_sample as ts

    return ts.write_mirror(root, TESSERA_TILES, pixel_m=TESSERA_PIXEL_M, seed=3)


def serve_tessera(mirror, loopback, monkeypatch):
    import tessera_sample as ts

    srv = loopback(mirror.root, {"/": ts.s3_route(mirror.root)})
    for k, v in ts.mirror_env(srv.url).items():
        monkeypatch.setenv(k, v)
    return srv


def aef_mirror(root, lon=0.18, lat=52.05, size=512, year=2024, seed=5):
    """One AlphaEarth COG (bottom-up int8, 10 m) around (lon, lat) plus the index."""
    from fixtures_precomputed import aef_index_row, aef_values, write_aef_cog, write_aef_index
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(lon, lat)
    x0, y0 = round(x / 10) * 10 - 5 * size, round(y / 10) * 10 - 5 * size
    rel = f"{year}/31N/xa-0000000000-0000000000.tiff"
    write_aef_cog(Path(root) / rel, aef_values((size, size), seed), CRS, x0, y0, block=128)
    write_aef_index(Path(root) / "aef_index.parquet", [aef_index_row(rel, year, CRS, x0, y0, size, size)])
    return Path(root)


def alg(alg_id):
    from qgis.core import QgsApplication

    return QgsApplication.processingRegistry().algorithmById(f"rs_embed:{alg_id}")


def run_and_load(alg_id, params):
    """Run the way the toolbox does (processing.runAndLoadResults: outputs go to
    the current project, loaded and post-processed by Processing's own
    handler). Returns (results, loaded layers by resolved source path)."""
    import processing
    from qgis.core import QgsProject

    results = processing.runAndLoadResults(f"rs_embed:{alg_id}", dict(params))
    layers = {Path(lyr.source().split("|")[0]).resolve(): lyr for lyr in QgsProject.instance().mapLayers().values()}
    return results, layers


def clear_project():
    from qgis.core import QgsProject

    QgsProject.instance().clear()
