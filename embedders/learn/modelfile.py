"""Trained models on disk with skops (no pickle: loading never executes code
from the file). A file is loaded only when every type it names is one this
plugin saves; anything else (a tampered or foreign file) is refused.

The file holds {"format", "meta", "estimator"}; ``meta`` records what the
model was trained on (each input raster's band count and names and embedding
model), the task, the class names and the versions."""
from __future__ import annotations

import json
import sys
import uuid
import zipfile
from pathlib import Path

from ..errors import RSEmbedError, SpecError
from ..packages import require

FORMAT = "rs_embed_model/1"
SUFFIX = ".skops"

# The only types outside skops' default trust list that the estimators of
# embedders.learn.estimators contain (the trees of forests and of boosting;
# kNN searches by brute force, so it stores no search tree).
TRUSTED_TYPES = (
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)


class ModelFileError(RSEmbedError):
    """A model file that cannot be used: damaged, foreign, tampered or mismatched."""


def skops_io():
    """skops.io, imported without torch. Its trust list walks every scikit-learn
    package, and pkgutil imports sklearn.externals.array_api_compat.torch on
    the way, hence torch (~650 MB of memory, seconds) where torch is
    installed, as in the core's environment. That one module is blocked for
    the walk (pkgutil skips packages that fail to import) and unblocked after."""
    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    key = "sklearn.externals.array_api_compat.torch"
    block = key not in sys.modules
    if block:
        sys.modules[key] = None
    try:
        return require("skops.io", "skops", "saving and loading trained models")
    finally:
        if block and sys.modules.get(key, False) is None:
            del sys.modules[key]


def new_model_id() -> str:
    return uuid.uuid4().hex


def save_model(path, estimator, meta: dict) -> Path:
    """Write ``estimator`` and ``meta`` (JSON-able) to ``path`` with skops."""
    sio = skops_io()
    json.dumps(meta)  # meta must survive as plain data
    sio.dump({"format": FORMAT, "meta": meta, "estimator": estimator}, str(path))
    return Path(path)


def _refuse(path, why) -> ModelFileError:
    return ModelFileError(
        f"The model file {path} was refused: {why}. Use a model saved by RS Embed's 'Classify embeddings' "
        "or 'Regress embeddings' (train it again if needed); never load model files from untrusted sources.")


def load_model(path):
    """(estimator, meta) of a model file written by :func:`save_model`."""
    sio = skops_io()
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"The model file {path} does not exist.")
    try:
        untrusted = sio.get_untrusted_types(file=str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise _refuse(path, f"it is not a readable skops model file ({exc})") from exc
    foreign = sorted(t for t in untrusted if t not in TRUSTED_TYPES)
    if foreign:
        raise _refuse(path, "it names types that no RS Embed model contains "
                            f"({', '.join(foreign)}); it may have been tampered with")
    try:
        obj = sio.load(str(path), trusted=list(untrusted))
    except Exception as exc:  # skops raises many kinds on a damaged file (CRC, schema, types)
        raise _refuse(path, f"it could not be read ({type(exc).__name__}: {exc})") from exc
    if not isinstance(obj, dict) or obj.get("format") != FORMAT or not isinstance(obj.get("meta"), dict):
        raise _refuse(path, "it is not an RS Embed model (no RS Embed format record)")
    return obj["estimator"], obj["meta"]


def check_inputs(meta: dict, signatures: list) -> list:
    """Refuse rasters that do not match what the model was trained on (number
    of rasters, band count, band names, embedding model). Returns warnings
    for what cannot be checked (a raster without band names or model tag)."""
    trained = meta.get("inputs") or []
    if len(trained) != len(signatures):
        raise ModelFileError(
            f"The model was trained on {len(trained)} stacked raster(s) but {len(signatures)} were given: give "
            f"rasters of the same models in the same order ({', '.join(t.get('model') or '?' for t in trained)}).")
    warnings = []
    for i, (t, s) in enumerate(zip(trained, signatures), start=1):
        if t["bands"] != s["bands"]:
            raise ModelFileError(f"Raster {i} has {s['bands']} bands; the model was trained on {t['bands']} "
                                 f"({t.get('model') or 'unknown model'}).")
        if t.get("model") and s.get("model") and t["model"] != s["model"]:
            raise ModelFileError(f"Raster {i} holds '{s['model']}' embeddings; the model was trained on "
                                 f"'{t['model']}' embeddings. Use rasters of the same embedding model.")
        tn, sn = t.get("names") or [], s.get("names") or []
        if all(tn) and all(sn) and list(tn) != list(sn):
            diff = next(j for j, (a, b) in enumerate(zip(tn, sn)) if a != b)
            raise ModelFileError(f"Raster {i}'s band {diff + 1} is '{sn[diff]}'; the model expects '{tn[diff]}': "
                                 "the bands are not the ones the model was trained on.")
        if not (t.get("model") and s.get("model")):
            warnings.append(f"Raster {i}: no embedding model tag to check; only the band count was checked.")
    return warnings
