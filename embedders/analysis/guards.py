"""Guards shared by the analysis functions: refuse an output that would
overwrite an input, and turn GDAL read failures and MemoryError into errors
that say what happened and what to do."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..errors import RSEmbedError, SpecError


class DamagedRasterError(RSEmbedError):
    """An input raster could not be read: truncated, corrupted or not a raster."""


class OutOfMemoryError(RSEmbedError, MemoryError):
    """An analysis ran out of memory; a smaller block size helps."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare the resolved paths
        return a.resolve() == b.resolve()


def refuse_overwrite(dst, *inputs):
    """Raise SpecError when the output ``dst`` is one of the ``inputs`` (the
    same file, however it is spelled: relative, symlink, hard link)."""
    out = Path(str(dst)).expanduser()
    for src in inputs:
        if src is not None and _same_file(out, Path(str(src)).expanduser()):
            raise SpecError(
                f"The output {dst} is also an input raster: writing it would overwrite the input. "
                "Choose another output file.")


def dataset_path(src) -> str:
    """The file behind an open dataset (the source of a WarpedVRT)."""
    inner = getattr(src, "src_dataset", None)
    return str(getattr(inner, "name", None) or getattr(src, "name", src))


def damaged_error(path, exc) -> DamagedRasterError:
    """The error for a raster GDAL failed to read; GDAL's own words (the
    chained CPLE error, when rasterio gives only "Read failed") are kept."""
    cause = exc.__cause__ or exc.__context__
    detail = str(cause) if cause is not None and str(cause) else str(exc)
    return DamagedRasterError(
        f"Could not read the raster {path} (GDAL: {detail}). The file is damaged or truncated (an "
        "interrupted copy, download or write?). Re-create it (run the algorithm that made it again) or "
        "copy it again, then re-run.")


def gdal_errors() -> tuple:
    """The exception types GDAL read failures arrive as through rasterio."""
    from rasterio.errors import RasterioError

    try:
        from rasterio._err import CPLE_BaseError  # e.g. CPLE_AppDefinedError TIFFFillTile
    except ImportError:
        return (RasterioError,)
    return (RasterioError, CPLE_BaseError)


@contextlib.contextmanager
def reading(src):
    """Around a read of ``src``: GDAL errors become DamagedRasterError."""
    try:
        yield
    except gdal_errors() as exc:
        raise damaged_error(dataset_path(src), exc) from exc


@contextlib.contextmanager
def memory_guard(what: str, block_mb: float):
    """Turn MemoryError into OutOfMemoryError advising a smaller block size."""
    try:
        yield
    except OutOfMemoryError:
        raise
    except MemoryError as exc:
        smaller = max(1.0, block_mb / 4)
        raise OutOfMemoryError(
            f"Ran out of memory during {what} with {block_mb:g} MB per block. Run it again with a "
            f"smaller 'Memory per block (MB)' (BLOCK_MB), e.g. {smaller:g}, close other programs, "
            "or use a smaller sample size.") from exc
