"""Security: no secret (URL credentials, signature and token parameters, the
Earth Engine project id) reaches metadata, GeoTIFF tags, messages or errors;
STAC asset hrefs and their redirects must be http(s); torch's advice to load
with weights_only=False never reaches the user."""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import tessera_sample as ts  # noqa: E402

from fixtures_imagery import make_scene, roi_for, serve_stac  # noqa: E402
from fixtures_precomputed import write_copernicus_tif  # noqa: E402
from rs_embed_qgis.embedders import (  # noqa: E402
    BBox, DownloadError, OutputSpec, PointBuffer, Progress, TemporalSpec, configure, get_embedding,
)
from rs_embed_qgis.embedders.redact import redact  # noqa: E402

SECRET = "s3cr3tPW"
SIGNED = ("?sv=2021-06-08&se=2031-01-01T00%3A00%3A00Z&sp=r&sig=" + SECRET +
          "&X-Amz-Credential=AKIA" + SECRET + "&X-Amz-Signature=" + SECRET + "&token=" + SECRET)


def test_redact_strings_and_metadata():
    url = f"https://user:{SECRET}@mirror.example.org/tessera{SIGNED}&keep=1"
    out = redact(f"GET {url} failed")
    assert SECRET not in out and "2031" not in out
    assert "https://***@mirror.example.org/tessera?sv=2021-06-08" in out and "keep=1" in out
    configure(ee_project="my-secret-project-42")
    meta = {"ee_project": "my-secret-project-42", "source": url, "note": "ran in my-secret-project-42",
            "nested": [{"href": url}], "n": 3}
    clean = redact(meta)
    text = json.dumps(clean)
    assert SECRET not in text and "my-secret-project-42" not in text
    assert clean["n"] == 3 and clean["ee_project"] == "<ee-project>"


def test_tessera_mirror_credentials_stay_out_of_tags_and_errors(tmp_path, loopback, monkeypatch):
    from rs_embed_qgis.embedders.writers import write_geotiff

    mirror = ts.write_mirror(tmp_path / "mirror", [(0.15, 52.05, [2024])], pixel_m=250.0, seed=1)
    srv = loopback(mirror.root, {"/": ts.s3_route(mirror.root)})
    monkeypatch.setenv("RS_EMBED_TESSERA_URL", srv.url.replace("http://", f"http://user:{SECRET}@"))
    messages = []
    emb = get_embedding("tessera", spatial=PointBuffer(0.15, 52.05, 800), temporal=TemporalSpec.year(2024),
                        output=OutputSpec.grid(), progress=Progress(on_message=messages.append))
    out = write_geotiff(emb, tmp_path / "out.tif")
    import rasterio

    with rasterio.open(out) as ds:
        tags = json.dumps(ds.tags())
    assert "RS_EMBED_META" in tags and "***@127.0.0.1" in tags
    assert SECRET not in tags and SECRET not in json.dumps(emb.meta, default=str)
    assert not any(SECRET in m for m in messages)
    srv.fail_next["/landmasks/v1.1/grid_0.15_52.05.tiff"] = [404]
    for f in (tmp_path / "rs_embed_cache").rglob("grid_0.15_52.05.tiff"):
        f.unlink()
    with pytest.raises(DownloadError, match="HTTP 404") as err:
        get_embedding("tessera", spatial=PointBuffer(0.15, 52.05, 800), temporal=TemporalSpec.year(2024))
    assert SECRET not in str(err.value) and "***@" in str(err.value)


def test_copernicus_signed_url_stays_out_of_meta_messages_and_errors(tmp_path, loopback, monkeypatch):
    from rs_embed_qgis.embedders.products import copernicus as cop

    vals = np.random.default_rng(0).normal(0, 0.05, (768, 4, 4)).astype(np.float32)
    src = write_copernicus_tif(tmp_path / "srv" / cop.FILENAME, vals, col0=8, row0=8, blockxsize=16,
                               blockysize=16)
    srv = loopback(src.parent)
    monkeypatch.setenv(cop.URL_ENV, f"{srv.url}/{cop.FILENAME}{SIGNED}")
    monkeypatch.setenv(cop.SHA_ENV, hashlib.sha256(src.read_bytes()).hexdigest())
    messages = []
    roi = BBox(-180.125 + 8 * 0.25 + 0.01, 90.125 - 12 * 0.25 + 0.01, -180.125 + 12 * 0.25 - 0.01, 90.125 - 8 * 0.25 - 0.01)
    emb = get_embedding("copernicus_embed", spatial=roi, temporal=TemporalSpec.year(2021),
                        progress=Progress(on_message=messages.append))
    assert srv.requests[0][1] == f"/{cop.FILENAME}"  # the signed URL itself was used
    assert SECRET not in json.dumps(emb.meta, default=str) and "sig=REDACTED" in emb.meta["source"]
    assert messages and not any(SECRET in m for m in messages)
    monkeypatch.setenv("RS_EMBED_CACHE_DIR", str(tmp_path / "other_cache"))
    srv.fail_next[f"/{cop.FILENAME}"] = [403]
    with pytest.raises(DownloadError, match="HTTP 403") as err:
        get_embedding("copernicus_embed", spatial=roi, temporal=TemporalSpec.year(2021))
    assert SECRET not in str(err.value) and "X-Amz-Signature=REDACTED" in str(err.value)


# --------------------------------------------------------------------------
# STAC asset hrefs

JUNE = TemporalSpec.range("2022-06-01", "2022-07-01")


def _stac_fetch(cfg):
    from rs_embed_qgis.embedders.imagery import ImageryRequest, get_patch
    from rs_embed_qgis.embedders.specs import SensorSpec

    return get_patch(ImageryRequest(roi_for(), JUNE, ["B04", "B03", "B02"], SensorSpec(), source="stac"), cfg)


@pytest.fixture
def stac(loopback, tmp_path):
    from rs_embed_qgis.embedders.config import get_config

    root = tmp_path / "www"
    root.mkdir()
    srv, api = serve_stac(loopback, root)
    return root, srv, api, get_config(stac_url=srv.url + "/stac")


@pytest.mark.parametrize("kind", ["path", "file_url", "vsi"])
def test_stac_asset_hrefs_that_are_not_http_are_refused(stac, kind):
    root, srv, api, cfg = stac
    base = {"path": str(root), "file_url": f"file://{root}", "vsi": f"/vsicurl/{srv.url}"}[kind]
    api.items.append(make_scene(root, base, "S2_LOCAL", "2022-06-10T10:00:00", 5,
                                values={"B04": 1111, "B03": 1222, "B02": 1333}))
    with pytest.raises(DownloadError, match=r"not an http\(s\) URL.*refused"):
        _stac_fetch(cfg)
    assert not [p for _, p, _, _ in srv.requests if p.endswith(".tif")]


def test_stac_redirect_to_a_local_file_is_refused(stac):
    root, srv, api, cfg = stac
    api.items.append(make_scene(root, srv.url + "/r", "S2_REDIR", "2022-06-10T10:00:00", 5,
                                values={"B04": 1111, "B03": 1222, "B02": 1333}))
    local = root / "scenes" / "S2_REDIR"
    srv.routes["/r/"] = lambda h, p, q: (302, {"Location": f"file://{local}/{Path(p).name}"}, b"")
    with pytest.raises(DownloadError, match=r"redirect target 'file://.*not an http\(s\) URL"):
        _stac_fetch(cfg)
    # redirects between http(s) servers are followed
    srv.routes["/r/"] = lambda h, p, q: (302, {"Location": srv.url + p[len("/r"):]}, b"")
    patch = _stac_fetch(cfg)
    assert np.nanmedian(patch.data[0]) == 1111


# --------------------------------------------------------------------------
# torch's advice

class _Evil:
    def __reduce__(self):
        return (os.system, ("echo owned",))


def test_unsafe_pickle_error_gives_no_advice_to_disable_weights_only(tmp_path):
    import torch

    from rs_embed_qgis.embedders.weights import load_state_dict

    p = tmp_path / "evil.pth"
    torch.save({"w": torch.zeros(2), "x": _Evil()}, p)
    with pytest.raises(DownloadError) as err:
        load_state_dict(p)
    msg = str(err.value)
    assert "unsupported global" in msg.lower() and "weights_only=True" in msg  # what is wrong, and our policy
    assert "weights_only=False" not in msg and "to `False`" not in msg and "add_safe_globals" not in msg
    assert "Re-running" not in msg and err.value.__cause__ is None and err.value.__suppress_context__
