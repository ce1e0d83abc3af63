"""The core's suite: runs in the core's own environment (the worker's venv),
never imports qgis."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_config():
    """No configuration override leaks from one test to the next."""
    from rs_embed_qgis.embedders import config as cfg

    saved = dict(cfg._overrides)
    cfg._overrides.clear()
    yield
    cfg._overrides.clear()
    cfg._overrides.update(saved)
