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
