"""Fixture data that needs the core's libraries (rasterio, pyproj, pystac,
geotessera), made by the core's own Python for the QGIS suite, whose process
must not import them. Each command prints one JSON line.

    $RS_EMBED_PYTHON tests/support/core_cli.py embedding ARRAY.npy OUT.tif [--year Y] [--model M]
    ... tessera_mirror DEST | tessera_demo DEST | aef_mirror DEST
    ... pooled MODEL SPATIAL_JSON YEAR          (the core's pooled vector and coverage)
    ... embed PARAMS_JSON OUT.npy [--pooled]    (the core's grid / pooled vector for a job's params)
    ... satmae_checkpoint OUT                   (a random-init SatMAE model.safetensors)
    ... galileo_checkpoint DIR                  (the authors' Galileo nano, random: encoder.pt, config.json)
    ... grid_size EPSG BBOX_JSON RES            (width, height of RasterGrid.from_bounds)
    ... stac_server ROOT SCENES_JSON            (serves until stdin closes)
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for p in (REPO / ".build" / "pkg", HERE, REPO / "scripts"):
    sys.path.insert(0, str(p))


def embedding(a):
    import numpy as np

    from fixtures_analysis import write_embedding

    arr = np.load(a.array)
    kw = {k: v for k, v in (("year", a.year), ("model", a.model)) if v is not None}
    return {"path": str(write_embedding(a.out, arr, **kw))}


def tessera_mirror(a):
    from fixtures_analysis import tessera_mirror as write

    return {"root": str(write(Path(a.dest)).root)}


def tessera_demo(a):
    import tessera_sample as ts

    dest = ts.setup_demo_data(Path(a.dest), pixel_m=100.0)
    return {"dest": str(dest), "env": ts.demo_env(dest)}


def aef_mirror(a):
    from fixtures_analysis import aef_mirror as write

    return {"root": str(write(Path(a.dest)))}


def pooled(a):
    from rs_embed_qgis.embedders import OutputSpec, TemporalSpec, get_embedding
    from rs_embed_qgis.embedders.jobs.common import spatial_from

    emb = get_embedding(a.model, spatial=spatial_from(json.loads(a.spatial)), temporal=TemporalSpec.year(int(a.year)),
                        output=OutputSpec.pooled())
    return {"vector": [float(v) for v in emb.data], "coverage": float(emb.meta["coverage_fraction"])}


def embed(a):
    """get_embedding with the embed_roi job's params (core terms, as the worker
    reads them); the array saved to OUT.npy, the grid's transform (affine a..f) and CRS."""
    import numpy as np

    from rs_embed_qgis.embedders import OutputSpec, get_embedding
    from rs_embed_qgis.embedders.jobs.common import embed_kwargs, spatial_from, temporal_from

    p = json.loads(a.params)
    emb = get_embedding(p["model"], spatial=spatial_from(p["spatial"]), temporal=temporal_from(p.get("temporal")),
                        output=OutputSpec.pooled() if a.pooled else OutputSpec.grid(),
                        **embed_kwargs(p["model"], p))
    np.save(a.out, emb.to_numpy())
    grid = {} if a.pooled else {"transform": list(emb.transform)[:6], "crs": emb.crs}
    return dict(grid, path=a.out, meta_keys=sorted(emb.meta))


def satmae_checkpoint(a):
    from fixtures_models import satmae_checkpoint as write, sha256_file

    path = write(Path(a.out))
    return {"path": str(path), "sha256": sha256_file(path)}


def galileo_checkpoint(a):
    from fixtures_models import galileo_checkpoint as write, sha256_file

    files = write(Path(a.dir))
    return {name: {"path": str(p), "sha256": sha256_file(p)} for name, p in files.items()}


def grid_size(a):
    from rs_embed_qgis.embedders.geo import RasterGrid, roi_bounds_in
    from rs_embed_qgis.embedders.specs import BBox

    crs = f"EPSG:{a.epsg}"
    g = RasterGrid.from_bounds(crs, roi_bounds_in(BBox(*json.loads(a.bbox)), crs), float(a.res))
    return {"width": g.width, "height": g.height}


def stac_server(a):
    """A STAC API with the scenes of SCENES_JSON ([[id, when, cloud, baseline, {band: value}], ...])."""
    from fixtures_imagery import make_scene, serve_stac
    from loopback import LoopbackServer

    servers = []
    srv, api = serve_stac(lambda root, routes=None: servers.append(LoopbackServer(root, routes).start())
                          or servers[-1], Path(a.root))
    for item_id, when, cloud, baseline, values in json.loads(a.scenes):
        api.items.append(make_scene(Path(a.root), srv.url, item_id, when, cloud, baseline=baseline, values=values))
    print(json.dumps({"url": srv.url}), flush=True)
    sys.stdin.read()      # until the test closes our stdin
    srv.stop()
    return None


def main(argv=None):
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("embedding")
    e.add_argument("array")
    e.add_argument("out")
    e.add_argument("--year", type=int)
    e.add_argument("--model")
    for name in ("tessera_mirror", "tessera_demo", "aef_mirror"):
        sub.add_parser(name).add_argument("dest")
    q = sub.add_parser("pooled")
    for n in ("model", "spatial", "year"):
        q.add_argument(n)
    m = sub.add_parser("embed")
    m.add_argument("params")
    m.add_argument("out")
    m.add_argument("--pooled", action="store_true")
    sub.add_parser("satmae_checkpoint").add_argument("out")
    sub.add_parser("galileo_checkpoint").add_argument("dir")
    g = sub.add_parser("grid_size")
    for n in ("epsg", "bbox", "res"):
        g.add_argument(n)
    s = sub.add_parser("stac_server")
    s.add_argument("root")
    s.add_argument("scenes")
    a = p.parse_args(argv)
    out = globals()[a.cmd](a)
    if out is not None:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
