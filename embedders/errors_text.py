"""What to tell the user about an error: the core's own errors speak for
themselves; OS, GDAL and memory errors get a sentence that says what
happened and what to do instead of a bare traceback. Standard library only."""
from __future__ import annotations

import errno

_OS_HINTS = {
    errno.EROFS: "the folder is on a read-only file system: choose an output folder you can write to",
    errno.EACCES: "permission denied: choose an output folder you can write to",
    errno.EPERM: "the operation is not permitted: choose an output folder you can write to",
    errno.ENOSPC: "the disk is full: free some space or choose another output folder",
    errno.ENOENT: "the file or folder does not exist: check the path",
    errno.EDQUOT: "the disk quota is exceeded: free some space or choose another output folder",
}


def _is_gdal_error(exc) -> bool:
    mod = type(exc).__module__ or ""
    return mod.startswith(("rasterio", "osgeo")) or "CPLE_" in str(exc)


def user_message(exc: BaseException) -> str:
    from .errors import RSEmbedError

    if isinstance(exc, RSEmbedError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return ("Out of memory: the job needs more memory than this machine (or the worker's memory "
                "limit) allows. Use a smaller extent, a smaller 'memory per block', or fewer workers.")
    if isinstance(exc, OSError) and exc.errno in _OS_HINTS:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return f"Cannot write or read a file{where}: {_OS_HINTS[exc.errno]}. [{exc.strerror or exc}]"
    if _is_gdal_error(exc):
        text = str(exc)
        if "TIFFFillTile" in text or "TIFFReadEncoded" in text or "IReadBlock" in text:
            return (f"A GeoTIFF is damaged or truncated and cannot be read ({text.strip()}). "
                    "Re-create or re-download that raster, then run again.")
        return f"GDAL could not read or write a raster: {text.strip()}"
    return f"{type(exc).__name__}: {exc}"
