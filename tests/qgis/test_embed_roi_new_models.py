"""Embed ROI with one of the new on-the-fly models, as a QGIS user runs it:
Processing's Embed ROI with imagery from a local 12-band Sentinel-2 raster
(written with GDAL), the model's files downloaded by the worker from a Hugging
Face-style endpoint on 127.0.0.1, the grid equal to the core's own output for
the same request (computed by the core's Python), the layers loaded as a run.

The model is Galileo nano (``galileo``): the authors' encoder (their
single_file_galileo, as vendored in rs-embed) with random weights, saved as
the two pinned files of the Hub repository (``models/nano/encoder.pt`` and
``models/nano/config.json``; no sha256 is published, the core pins the
revision and records the files on first use). Besides one frame: two frames
asked of one local raster, and a misspelt model option."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core_fixtures import Raster, core, transform_xy, write_gtiff

LON, LAT = 3.1, 52.0
EPSG = 32631                      # UTM zone of (LON, LAT)
BUFFER_M = 320                    # 64 px of 10 m: one Galileo input, 8 x 8 tokens of 8 px
REPO = "nasaharvest/galileo"
REVISION = "f039dd5dde966a931baeda47eb680fa89b253e4e"   # the core's pin (embedders/models/galileo.py)
ENCODER, CONFIG = "models/nano/encoder.pt", "models/nano/config.json"
S2_12 = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12")
START, END = "2024-06-01", "2024-09-01"   # midpoint 16 July: month 6 (0-based)


@pytest.fixture(scope="module")
def galileo_files(tmp_path_factory):
    """The authors' Galileo nano encoder, random weights, made by the core's Python."""
    return core("galileo_checkpoint", tmp_path_factory.mktemp("galileo") / "models" / "nano")


@pytest.fixture
def hub(galileo_files, weights_hub):
    """Both files on a Hub-style endpoint at the pinned revision."""
    return weights_hub(REPO, REVISION, {name: galileo_files[name.rsplit("/", 1)[1]] for name in (ENCODER, CONFIG)})


def origin():
    """The raster's corner, on the 10 m lattice of the UTM zone (as Sentinel-2 tiles are)."""
    x, y = transform_xy(LON, LAT, "EPSG:4326", f"EPSG:{EPSG}")
    return round(x, -1) - 1000, round(y, -1) + 1000


@pytest.fixture
def s2_tif(tmp_path):
    """A 200 x 200 px, 10 m, 12-band Sentinel-2 L2A-like raster (reflectance x 10^4,
    smooth random structure), bands named B01..B12 as their descriptions."""
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:200, 0:200]
    data = np.stack([400 + 2500 * (0.5 + 0.5 * np.sin(xx / (5 + 2 * i) + yy / (9 + i) + i))
                     + rng.normal(0, 100, (200, 200)) for i in range(len(S2_12))])
    x0, y1 = origin()
    return write_gtiff(tmp_path / "s2_12.tif", np.clip(data, 1, 10000).astype("uint16"), EPSG,
                       (x0, 10, 0, y1, 0, -10), descriptions=S2_12)


def roi_bbox():
    """The lon/lat box of a BUFFER_M square around (LON, LAT), through QGIS."""
    cx, cy = transform_xy(LON, LAT, "EPSG:4326", f"EPSG:{EPSG}")
    x0, y0 = transform_xy(cx - BUFFER_M, cy - BUFFER_M, f"EPSG:{EPSG}", "EPSG:4326")
    x1, y1 = transform_xy(cx + BUFFER_M, cy + BUFFER_M, f"EPSG:{EPSG}", "EPSG:4326")
    return [x0, y0, x1, y1]


def params_for(tif, out_dir, start=START, end=END, **extra):
    x0, y0, x1, y1 = roi_bbox()
    return dict({"EXTENT": f"{x0},{x1},{y0},{y1} [EPSG:4326]", "MODEL": "galileo",
                 "START_DATE": start, "END_DATE": end, "IMAGERY_SOURCE": "local",
                 "INPUT_RASTER": str(tif), "OUTPUT": str(out_dir / "galileo_emb.tif"),
                 "PCA_OUTPUT": str(out_dir / "galileo_pca.tif")}, **extra)


def reference(tmp_path, tif, name="ref_grid.npy", **params):
    """The core's own grid for the same request, by the core's Python."""
    p = dict({"model": "galileo", "spatial": {"bbox": roi_bbox()}, "temporal": {"start": START, "end": END},
              "imagery_source": "local", "input_raster": str(tif)}, **params)
    got = core("embed", json.dumps(p), tmp_path / name)
    return np.load(got["path"]), got


def group_of(project, path):
    """(the layer loaded from ``path``, its tree node, its parent group)."""
    layers = [lyr for lyr in project.mapLayers().values() if lyr.source() == str(path)]
    assert len(layers) == 1, path
    node = project.layerTreeRoot().findLayer(layers[0].id())
    return layers[0], node, node.parent()


def test_galileo_from_a_local_12_band_raster_loads_as_a_run(rs_provider, qgis_iface, hub, s2_tif, tmp_path):
    import processing
    from qgis.core import QgsMultiBandColorRenderer, QgsProject

    project = QgsProject.instance()
    project.removeAllMapLayers()
    project.layerTreeRoot().removeAllChildren()
    res = processing.runAndLoadResults("rs_embed:embed_roi", params_for(s2_tif, tmp_path))
    assert res["DIM"] == 128
    assert hub.downloads("encoder.pt") == 1 and hub.downloads("config.json") == 1   # fetched by the worker

    # the grid: 128 bands on the raster's UTM grid, 8 x 8 cells of 8 input pixels
    src = Raster(tmp_path / "galileo_emb.tif")
    assert (src.count, src.height, src.width) == (128, 8, 8) and src.epsg == EPSG
    size = core("grid_size", EPSG, json.dumps(roi_bbox()), 10)       # the ROI's 10 m grid
    cell_x, cell_y = size["width"] * 10.0 / 8, size["height"] * 10.0 / 8
    assert src.res == pytest.approx((cell_x, cell_y))
    x0, y1 = origin()      # cell edges on the raster's pixel edges, inside the raster
    assert (src.transform[0] - x0) % 10 == pytest.approx(0) and (y1 - src.transform[3]) % 10 == pytest.approx(0)
    assert x0 < src.transform[0] < x0 + 2000 and y1 - 2000 < src.transform[3] < y1

    # equal to the core's own get_embedding for the same request
    ref, info = reference(tmp_path, s2_tif)
    assert ref.shape == (128, 8, 8) and np.isfinite(ref).all() and ref.std() > 0
    np.testing.assert_allclose(src.data, ref, rtol=1e-5, atol=1e-5)
    assert info["crs"] == f"EPSG:{EPSG}"
    assert src.transform == pytest.approx((info["transform"][2], info["transform"][0], 0.0,
                                           info["transform"][5], 0.0, info["transform"][4]))

    # the run's metadata: the model's side inputs and the weights pin
    meta = json.loads(res["METADATA"])
    side = meta["side_inputs"]
    assert side["months_0_based"] == [6] and side["frames"] == 1 and meta["frames"] == 1
    assert "2024-07-17" in side["month_source"]
    assert side["input_resolution_m"] == pytest.approx(size["width"] * 10.0 / 64)
    assert "S1" in side["masked_groups"] and "S2_RGB" in side["visible_groups"]
    assert meta["imagery_source"] == "local" and meta["bands"] == ["B02", "B03", "B04", "B05", "B06", "B07",
                                                                     "B08", "B8A", "B11", "B12"]
    assert meta["weights"]["source"] == f"hf://{REPO}@{REVISION}/{ENCODER}"
    assert meta["config"]["file"] == CONFIG and REVISION in json.dumps(meta["config"])

    # the layers: one group, the PCA styled and shown above the hidden grid
    pca, pca_node, group = group_of(project, tmp_path / "galileo_pca.tif")
    grid, grid_node, grid_group = group_of(project, tmp_path / "galileo_emb.tif")
    assert group is grid_group and group is not project.layerTreeRoot()
    assert group.name().startswith("RS Embed galileo")
    assert [n.layer().name() for n in group.findLayers()] == ["galileo PCA", "galileo embedding"]
    assert pca_node.isVisible() and not grid_node.itemVisibilityChecked()
    r = pca.renderer()
    assert isinstance(r, QgsMultiBandColorRenderer) and (r.redBand(), r.greenBand(), r.blueBand()) == (1, 2, 3)
    assert Raster(tmp_path / "galileo_pca.tif").count == 4 and grid.bandCount() == 128
    project.removeAllMapLayers()
    project.layerTreeRoot().removeAllChildren()


def test_two_frames_from_one_local_raster_are_refused_cleanly(rs_provider, hub, s2_tif, tmp_path):
    """frames=2 with a local raster: a raster has no dates, so the core refuses
    (rather than feeding the same image as two months), says which imagery
    source can give frames, and leaves no output or temporary file."""
    import processing
    from qgis.core import QgsProcessingException

    (tmp_path / "out").mkdir()
    with pytest.raises(QgsProcessingException) as err:
        processing.run("rs_embed:embed_roi", params_for(s2_tif, tmp_path / "out", MODEL_OPTIONS="frames=2"))
    text = str(err.value)
    assert "local raster is one frame" in text and "frames=2" in text and "stac or gee" in text
    assert list((tmp_path / "out").iterdir()) == []


def test_misspelt_model_option_is_refused_before_the_worker_runs(rs_provider, hub, s2_tif, tmp_path, monkeypatch):
    import processing
    from qgis.core import QgsProcessingException

    from rs_embed_qgis.processing_provider import embed_roi

    calls = []
    real = embed_roi.run_core_job
    monkeypatch.setattr(embed_roi, "run_core_job", lambda *a, **k: calls.append(a) or real(*a, **k))
    (tmp_path / "out").mkdir()
    with pytest.raises(QgsProcessingException, match=r"(?s)frame\b.*frames"):
        processing.run("rs_embed:embed_roi", params_for(s2_tif, tmp_path / "out", MODEL_OPTIONS="frame=2"))
    assert calls == [] and hub.downloads("encoder.pt") == 0
    assert list((tmp_path / "out").iterdir()) == []
