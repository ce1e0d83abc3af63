"""Opt-in tests against the live services (run with ``pytest -m network`` on a
machine with internet). They check that the pinned URLs, revisions and
checksums still hold."""
import pytest

from rs_embed_qgis.embedders import OutputSpec, PointBuffer, TemporalSpec, get_embedding

pytestmark = pytest.mark.network


def test_tessera_live_grid_is_georeferenced():
    emb = get_embedding("tessera", spatial=PointBuffer(0.2, 52.05, 500), temporal=TemporalSpec.year(2024),
                        output=OutputSpec.grid())
    assert emb.data.shape[0] == 128 and emb.crs == "EPSG:32631"
    assert emb.transform.a == 10.0 and emb.meta["coverage_fraction"] > 0.9


@pytest.mark.parametrize("model", ["remoteclip_s2rgb", "prithvi_s2_6b"])
def test_pinned_weights_download_and_verify(model):
    from rs_embed_qgis.embedders.config import get_config
    from rs_embed_qgis.embedders.registry import get_embedder_class
    from rs_embed_qgis.embedders.weights import ensure_weights

    spec = get_embedder_class(model).weights
    path = ensure_weights(spec, get_config())
    assert path.stat().st_size > 100e6


def _pinned_specs():
    from rs_embed_qgis.embedders import catalog
    from rs_embed_qgis.embedders.registry import get_embedder_class

    out = []
    for mid in catalog.model_ids("onthefly"):
        cls = get_embedder_class(mid)
        for spec in (cls.weights, getattr(cls, "config_spec", None)):
            if spec is not None and spec.repo_id:
                out.append(pytest.param(spec, id=f"{mid}:{spec.filename}"))
    return out


@pytest.mark.parametrize("spec", _pinned_specs())
def test_every_hugging_face_pin_resolves_and_agrees(spec):
    """Each pinned Hugging Face file exists at its revision (a full commit id, or the
    branch where none could be found: TerraFM), and its LFS sha256 / size equal the
    ones pinned in the code, without downloading the file."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    meta = get_hf_file_metadata(hf_hub_url(spec.repo_id, spec.filename, revision=spec.revision))
    assert meta.commit_hash and (spec.revision == "main" or meta.commit_hash == spec.revision)
    if spec.sha256 and meta.etag and len(meta.etag) == 64:
        assert meta.etag == spec.sha256
    if spec.size:
        assert meta.size == spec.size
