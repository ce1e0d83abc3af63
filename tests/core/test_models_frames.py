"""The frames option shared by the time-series models (embedders/models/frames.py)."""
from __future__ import annotations

import numpy as np
import pytest

from fixtures_models import s2_patch

from rs_embed_qgis.embedders.base import EmbedRequest
from rs_embed_qgis.embedders.errors import SpecError
from rs_embed_qgis.embedders.imagery.base import S2_BANDS, ImageryPatch
from rs_embed_qgis.embedders.models.agrifm import AgriFM
from rs_embed_qgis.embedders.models.anysat import AnySatS2
from rs_embed_qgis.embedders.models.frames import frame_bands, frames_in
from rs_embed_qgis.embedders.models.galileo import GalileoNano
from rs_embed_qgis.embedders.models.prithvi import PrithviS2_6B
from rs_embed_qgis.embedders.specs import OutputSpec, TemporalSpec


def req(**options):
    return EmbedRequest(spatial=None, temporal=TemporalSpec.year(2021), output=OutputSpec.grid(), options=options)


@pytest.mark.parametrize("cls, default, maximum", [(PrithviS2_6B, 1, 8), (GalileoNano, 1, 12), (AnySatS2, 1, 8),
                                                    (AgriFM, 8, 32)])
def test_each_model_has_its_default_and_maximum(cls, default, maximum):
    m = cls()
    assert m.frame_count(req()) == default and m.frame_count(req(frames=str(maximum))) == maximum
    with pytest.raises(SpecError, match=rf"{m.model_id}: frames must be a whole number from 1 to {maximum}"):
        m.frame_count(req(frames=maximum + 1))


def test_a_local_raster_is_one_frame_and_asking_for_more_is_refused():
    """Before, frames=T on a local raster stacked T copies of the same raster without a word."""
    assert AgriFM().frame_count(req(input_raster="x.tif")) == 1          # its default 8 does not apply
    with pytest.raises(SpecError, match="a local raster is one frame; frames=2 needs imagery over a time window"):
        PrithviS2_6B().frame_count(req(input_raster="x.tif", frames=2))
    assert GalileoNano().frame_count(req(input_raster="x.tif", frames=1)) == 1


def test_frames_are_read_from_the_patch_bands():
    bands = ("B02", "B03")
    assert frame_bands(bands, 2) == ("B02@t0", "B03@t0", "B02@t1", "B03@t1")
    assert frames_in(frame_bands(bands, 3), bands) == 3 and frames_in(bands, bands) == 0
    assert frames_in(("B02@t0", "B03@t0", "B02@t1"), bands) == 1      # an incomplete frame does not count
    p = s2_patch(32, 32, bands=S2_BANDS, seed=1)
    stacked = ImageryPatch(np.concatenate([p.data] * 9), tuple(f"{b}@t{i}" for i in range(9) for b in S2_BANDS),
                           p.grid, {})
    m = PrithviS2_6B()
    with pytest.raises(SpecError, match="at most 8 frames; the patch has 9"):
        with m._framed(stacked):
            pass
    assert m.frames == 1 and m.bands == PrithviS2_6B.bands
