"""Analysis jobs on embedding rasters: similarity map, k-means clusters, PCA
RGB and the change between two years (from two rasters, or by embedding an
extent for both years through the one embed sequence). Each output is
staged and renamed into place only when the job succeeds."""
from __future__ import annotations

from pathlib import Path

from ..errors import SpecError
from ..fileio import OutputSet
from .staging import StagedOutputs, finite

BLOCK_MB = 128.0


def _paths(params, *names):
    out = []
    for n in names:
        if not params.get(n):
            raise SpecError(f"The job needs '{n}' (a file path).")
        out.append(str(params[n]))
    return out


def _block_mb(params) -> float:
    return float(params.get("block_mb") or BLOCK_MB)


def similarity_map(params: dict, progress) -> dict:
    """params: input, output, points ([[x, y], ...]) and polygons (GeoJSON
    geometries), both in the coordinates of the input raster's CRS; combine
    ("max" or "mean"), block_mb."""
    from ..analysis.guards import refuse_overwrite
    from ..analysis.similarity import similarity_raster

    src, out = _paths(params, "input", "output")
    points = [(float(x), float(y)) for x, y in params.get("points") or []]
    polygons = list(params.get("polygons") or [])
    if not points and not polygons:
        raise SpecError("Give reference points or polygons (a layer) or a reference point.")
    refuse_overwrite(out, src)
    with OutputSet() as outs:
        res = similarity_raster(src, outs.path(out), points, polygons, params.get("combine") or "max",
                                _block_mb(params), progress)
    return finite({"output": out, "references": res["references"], "skipped": list(res["skipped"]),
                   "mean": res["mean"], "stretch": list(res["stretch"])})


def cluster_embeddings(params: dict, progress) -> dict:
    """params: input, output, k, seed, sample_size, block_mb."""
    from ..analysis.guards import refuse_overwrite
    from ..analysis.kmeans import cluster_raster

    src, out = _paths(params, "input", "output")
    refuse_overwrite(out, src)
    with OutputSet() as outs:
        res = cluster_raster(src, outs.path(out), int(params.get("k") or 8), int(params.get("seed") or 0),
                             int(params.get("sample_size") or 100_000), _block_mb(params), progress)
    return finite({"output": out, "k": res["k"], "sizes": [int(v) for v in res["sizes"]],
                   "inertia": float(res["inertia"]), "samples": int(res["samples"])})


def pca_rgb(params: dict, progress) -> dict:
    """params: input, output (an RGBA GeoTIFF of the first three principal
    components, with overviews), block_mb (memory per block)."""
    from ..analysis.guards import refuse_overwrite
    from ..pca import pca_geotiff_from_file

    src, out = _paths(params, "input", "output")
    refuse_overwrite(out, src)
    block = float(params["block_mb"]) if params.get("block_mb") else None
    with OutputSet() as outs:
        pca_geotiff_from_file(src, outs.path(out), progress=progress, block_mb=block)
    return {"output": out}


def embedding_change(params: dict, progress) -> dict:
    """params: output, resampling, block_mb, and either input_a / input_b
    (two embedding rasters), or spatial, model, years [a, b], backend /
    imagery_source and optionally grid_a / grid_b (keep the embedded grids)."""
    from ..analysis.change import change_raster
    from ..analysis.guards import refuse_overwrite

    (out,) = _paths(params, "output")
    resampling = params.get("resampling") or "average"
    given = [bool(params.get(n)) for n in ("input_a", "input_b")]
    result = {"output": out}
    kept, scratch = StagedOutputs(), StagedOutputs()
    try:
        if all(given):
            a, b = _paths(params, "input_a", "input_b")
            refuse_overwrite(out, a, b)
            sub = progress
        elif any(given):
            raise SpecError("Give both embeddings A and B, or neither and an extent with two years.")
        else:
            a, b = _embed_years(params, out, kept, scratch, progress.sub(0.0, 0.8))
            result.update({k: params[k] for k in ("grid_a", "grid_b") if params.get(k)})
            sub = progress.sub(0.8, 1.0)
        res = change_raster(a, b, kept.path(out), resampling, _block_mb(params), sub)
        kept.commit()
    except BaseException:
        kept.discard()
        raise
    finally:
        scratch.discard()
    result.update(mean=res["mean"], stretch=list(res["stretch"]), resampled=bool(res["resampled"]))
    return finite(result)


def _embed_years(params, out, kept, scratch, progress):
    """Embed the extent for year A and year B (jobs.embed.embed_to_files);
    returns the two grids' staged paths. A grid the user keeps goes into
    ``kept``, the others into ``scratch`` (never committed)."""
    from ..analysis.guards import refuse_overwrite
    from ..specs import TemporalSpec
    from .common import embed_kwargs, spatial_from
    from .embed import embed_to_files

    if not params.get("spatial"):
        raise SpecError("Give two embedding rasters, or an extent with a model and two years.")
    years = list(params.get("years") or [])
    if len(years) != 2 or any(y in (None, "") for y in years):
        raise SpecError("With an extent, give Year A and Year B.")
    model = params.get("model")
    if not model:
        raise SpecError("With an extent, give the model to run.")
    refuse_overwrite(out, params.get("grid_a"), params.get("grid_b"))
    spatial = spatial_from(params["spatial"])
    kwargs = embed_kwargs(model, params)
    paths = []
    for i, (year, name) in enumerate(zip(years, ("grid_a", "grid_b"))):
        year = int(year)
        progress.info(f"Embedding {spatial.bounds_4326()} with {model} for {year}")
        keep = params.get(name)
        target = kept if keep else scratch
        final = Path(keep) if keep else Path(out).with_name(f"{Path(out).stem}_{model}_{year}_{name}.tif")
        embed_to_files(model, spatial, TemporalSpec.year(year), kwargs, final, None, target,
                       progress.sub(i / 2, (i + 1) / 2))
        paths.append(str(target.temp_of(final)))
    return paths[0], paths[1]
