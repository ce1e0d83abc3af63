"""export_batch: several ROIs x models through the same engine as Embed ROI,
GeoTIFF per item or one netCDF, a manifest, resume and continue_on_error."""
from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
import xarray as xr

from test_chunks import mirror, server  # noqa: F401  (Tessera tiles on 127.0.0.1)

from rs_embed_qgis.embedders import (  # noqa: E402
    BBox, DataUnavailableError, OutputSpec, PointBuffer, Progress, TemporalSpec, export_batch, get_embedding,
)

Y = TemporalSpec.year(2024)
ROIS = [BBox(0.12, 52.0, 0.2, 52.06), PointBuffer(0.25, 51.97, 1500), BBox(0.21, 51.92, 0.28, 51.98)]
OCEAN = BBox(-30.0, 40.0, -29.9, 40.1)


def test_geotiff_per_item_equals_get_embedding_and_manifest_lists_them(server, tmp_path):
    man = export_batch(["tessera"], ROIS, tmp_path, temporal=Y, names=["a", "b", "c"])
    assert [e["status"] for e in man["entries"]] == ["ok"] * 3
    on_disk = json.loads((tmp_path / "manifest.json").read_text())
    assert on_disk["entries"] == json.loads(json.dumps(man["entries"]))
    for roi, e in zip(ROIS, man["entries"]):
        ref = get_embedding("tessera", spatial=roi, temporal=Y, output=OutputSpec.grid()).data.values
        with rasterio.open(tmp_path / e["path"]) as src:
            assert np.array_equal(src.read(), ref, equal_nan=True)


def test_resume_skips_finished_items(server, tmp_path):
    export_batch(["tessera"], ROIS[:2], tmp_path, temporal=Y, names=["a", "b"])
    mtime = (tmp_path / "a" / "tessera.tif").stat().st_mtime_ns
    seen = []
    man = export_batch(["tessera"], ROIS, tmp_path, temporal=Y, names=["a", "b", "c"],
                       progress=Progress(on_message=seen.append))
    assert (tmp_path / "a" / "tessera.tif").stat().st_mtime_ns == mtime
    assert sum("done in an earlier run" in m for m in seen) == 2
    assert (tmp_path / "c" / "tessera.tif").exists() and len(man["entries"]) == 3


def test_continue_on_error_records_the_failure_and_goes_on(server, tmp_path):
    man = export_batch(["tessera"], [ROIS[0], OCEAN, ROIS[2]], tmp_path, temporal=Y, names=["a", "sea", "c"],
                       continue_on_error=True)
    status = {e["item"]: e["status"] for e in man["entries"]}
    assert status == {"a": "ok", "sea": "error", "c": "ok"}
    assert "ocean" in [e for e in man["entries"] if e["item"] == "sea"][0]["error"].lower()
    with pytest.raises(DataUnavailableError):
        export_batch(["tessera"], [OCEAN], tmp_path / "strict", temporal=Y)
    assert json.loads((tmp_path / "strict" / "manifest.json").read_text())["entries"][0]["status"] == "error"


def test_netcdf_holds_the_pooled_vectors(server, tmp_path):
    export_batch(["tessera"], ROIS, tmp_path, temporal=Y, names=["a", "b", "c"], fmt="netcdf")
    ds = xr.open_dataset(tmp_path / "embeddings.nc", engine="scipy")
    assert list(ds["item"].values) == ["a", "b", "c"] and ds["tessera"].shape == (3, 128)
    for i, roi in enumerate(ROIS):
        ref = get_embedding("tessera", spatial=roi, temporal=Y).to_numpy()
        assert np.allclose(ds["tessera"].values[i], ref, rtol=1e-5, atol=1e-6)
    assert not (tmp_path / ".scratch").exists()
