"""The analysis functions (similarity, k-means, change, PCA) on bad input:
an output that is an input, inputs with no common valid pixel, damaged
(truncated) GeoTIFFs and a real MemoryError. Each must fail with a clear
RSEmbedError before anything is written, and never touch its inputs."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
import rasterio

from fixtures_analysis import X0, Y0, pixel_centre, planted_clusters, write_embedding
from rs_embed_qgis.embedders import DataUnavailableError, RSEmbedError, SpecError
from rs_embed_qgis.embedders.analysis import change, kmeans, similarity
from rs_embed_qgis.embedders.analysis.guards import DamagedRasterError, OutOfMemoryError
from rs_embed_qgis.embedders.pca import pca_geotiff_from_file


def run(name, src, dst, other=None, **kw):
    """Run one analysis on ``src`` (and ``other`` for change) into ``dst``."""
    if name == "similarity":
        return similarity.similarity_raster(src, dst, points=[pixel_centre(5, 10)], **kw)
    if name == "cluster":
        return kmeans.cluster_raster(src, dst, 3, sample_size=500, **kw)
    if name == "change":
        return change.change_raster(src, other or src, dst, **kw)
    return pca_geotiff_from_file(src, dst, **kw)


ANALYSES = ("similarity", "cluster", "change", "pca")


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def emb(tmp_path):
    arr, _ = planted_clusters(h=40, w=50)
    return write_embedding(tmp_path / "emb.tif", arr)


# --- an output that is an input ----------------------------------------------------

@pytest.mark.parametrize("name", ANALYSES)
def test_output_equal_to_input_is_refused_in_every_spelling(tmp_path, emb, name, monkeypatch):
    before, mtime = digest(emb), emb.stat().st_mtime_ns
    (tmp_path / "link.tif").symlink_to(emb)
    os.link(emb, tmp_path / "hard.tif")
    monkeypatch.chdir(tmp_path)
    for dst in (emb, str(emb), "emb.tif", Path("sub") / ".." / "emb.tif", tmp_path / "link.tif",
                tmp_path / "hard.tif"):
        with pytest.raises(SpecError, match="would overwrite the input. Choose another output"):
            run(name, emb, dst)
    if name == "change":  # the second input too
        other = write_embedding(tmp_path / "other.tif", planted_clusters(h=40, w=50, seed=1)[0])
        with pytest.raises(SpecError, match="overwrite the input"):
            change.change_raster(emb, other, other)
    assert digest(emb) == before and emb.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["emb.tif", "link.tif", "hard.tif"] + (["other.tif"] if name == "change" else []))
    run(name, emb, tmp_path / "out.tif")                       # a different output still works
    assert (tmp_path / "out.tif").exists()


# --- change with nothing in common -------------------------------------------------

def test_change_with_no_common_valid_pixel_is_an_error(tmp_path, emb):
    nan = write_embedding(tmp_path / "nan.tif", np.full((12, 40, 50), np.nan, np.float32))
    for a, b in ((emb, nan), (nan, emb), (nan, nan)):
        with pytest.raises(DataUnavailableError, match="No pixel has valid data in both"):
            change.change_raster(a, b, tmp_path / "d.tif")
    # no overlap: the second raster lies 100 km east
    far = write_embedding(tmp_path / "far.tif", planted_clusters(h=40, w=50)[0], x0=X0 + 100_000)
    with pytest.raises(DataUnavailableError, match="do not overlap"):
        change.change_raster(emb, far, tmp_path / "d.tif")
    assert not (tmp_path / "d.tif").exists()
    # one valid pixel in common is enough
    one = np.full((12, 40, 50), np.nan, np.float32)
    one[:, 20, 30] = 1.0
    res = change.change_raster(emb, write_embedding(tmp_path / "one.tif", one), tmp_path / "d.tif")
    assert res["valid_pixels"] == 1 and np.isfinite(res["mean"])


# --- damaged files ------------------------------------------------------------------

def truncated_cog(tmp_path, src, keep=0.6) -> Path:
    """``src`` as a COG (GDAL puts the directory first) cut to ``keep`` of its
    size, like an interrupted copy: it opens, but tiles past the cut are gone."""
    from rasterio.shutil import copy as rio_copy

    cog = tmp_path / "whole_cog.tif"
    rio_copy(src, cog, driver="COG", BLOCKSIZE=16)
    data = cog.read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(data[:int(len(data) * keep)])
    cog.unlink()
    return cut


@pytest.mark.parametrize("name", ANALYSES)
def test_truncated_geotiff_is_a_clear_error_and_writes_nothing(tmp_path, emb, name):
    cut = truncated_cog(tmp_path, emb)
    with rasterio.open(cut) as ds:                               # the directory survived the cut
        assert ds.count == 12 and ds.block_shapes[0] == (16, 16)
    with pytest.raises(DamagedRasterError) as err:
        run(name, cut, tmp_path / "out.tif")
    msg = str(err.value)
    assert str(cut) in msg and "damaged or truncated" in msg and "Re-create it" in msg
    assert "TIFFReadEncodedTile" in msg or "TIFFFillTile" in msg or "IReadBlock" in msg  # GDAL's own words
    if name == "change":  # the damaged file as the second input, read through the same guard
        with pytest.raises(DamagedRasterError, match="damaged or truncated"):
            run(name, emb, tmp_path / "out.tif", other=cut)
    assert not (tmp_path / "out.tif").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.tif", "emb.tif"]


def test_truncated_second_raster_read_through_a_warped_vrt_names_the_file(tmp_path, emb):
    coarse = write_embedding(tmp_path / "coarse.tif", planted_clusters(h=20, w=25)[0], res=20.0)
    cut = truncated_cog(tmp_path, coarse, keep=0.5)
    with pytest.raises(DamagedRasterError, match=r"Could not read the raster .*cut.tif \(GDAL: "):
        change.change_raster(emb, cut, tmp_path / "out.tif", resampling="average")
    assert not (tmp_path / "out.tif").exists()


@pytest.mark.parametrize("name", ANALYSES)
def test_file_cut_before_its_directory_is_a_clear_error(tmp_path, emb, name):
    cut = tmp_path / "cut.tif"
    cut.write_bytes(emb.read_bytes()[:len(emb.read_bytes()) // 2])  # GDAL wrote this directory last
    with pytest.raises(DamagedRasterError, match=r"cut.tif.*damaged or truncated"):
        run(name, cut, tmp_path / "out.tif")
    with pytest.raises(SpecError, match="Cannot open the raster"):  # missing is not damaged
        run(name, tmp_path / "missing.tif", tmp_path / "out.tif")
    assert not (tmp_path / "out.tif").exists()


# --- running out of memory ------------------------------------------------------------

HUGE = 250_000  # 4 x 250000 x 250000 float32: 1 TB in one block


def _overcommit_refuses_huge() -> bool:
    try:
        mode = Path("/proc/sys/vm/overcommit_memory").read_text().strip()
    except OSError:
        return False
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    # heuristic (0) refuses one allocation over RAM + swap, strict (2) over the commit limit
    return mode in ("0", "2") and 4 * ram < 4 * HUGE * HUGE * 4


@pytest.mark.skipif(not _overcommit_refuses_huge(), reason="needs the kernel to refuse a 1 TB allocation")
@pytest.mark.parametrize("name", ANALYSES)
def test_memory_error_becomes_advice_to_use_smaller_blocks(tmp_path, name):
    """A sparse 250000 x 250000 GeoTIFF (one tile written) read with a 1 TB block:
    numpy really cannot allocate the block."""
    path = tmp_path / "huge.tif"
    prof = dict(driver="GTiff", width=HUGE, height=HUGE, count=4, dtype="float32", crs="EPSG:32631",
                transform=rasterio.Affine(10, 0, X0, 0, -10, Y0), nodata=float("nan"), tiled=True,
                blockxsize=1024, blockysize=1024, compress="deflate", SPARSE_OK=True, BIGTIFF="YES")
    with rasterio.open(path, "w", **prof) as dst:
        dst.write(np.broadcast_to(np.arange(1, 5, dtype=np.float32)[:, None, None], (4, 1024, 1024)),
                  window=((0, 1024), (0, 1024)))
    assert path.stat().st_size < 5 * 2**20
    with pytest.raises(OutOfMemoryError) as err:
        run(name, path, tmp_path / "out.tif", block_mb=1e6)
    assert isinstance(err.value, RSEmbedError) and isinstance(err.value, MemoryError)
    assert isinstance(err.value.__cause__, MemoryError) and not isinstance(err.value.__cause__, RSEmbedError)
    assert "Ran out of memory" in str(err.value) and "smaller 'Memory per block (MB)' (BLOCK_MB), e.g. 250000" \
        in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.tif"]
