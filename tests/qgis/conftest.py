"""The QGIS suite: runs in QGIS's own Python (a venv over the system site
packages that adds only pytest and pytest-qgis). The core runs in its worker,
with the Python named by RS_EMBED_PYTHON (the Makefile sets it to the
environment it built with the plugin's own set-up code)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

QGIS_PLUGINS = Path("/usr/share/qgis/python/plugins")
if QGIS_PLUGINS.is_dir() and str(QGIS_PLUGINS) not in sys.path:
    sys.path.append(str(QGIS_PLUGINS))


@pytest.fixture(scope="session")
def rs_provider(qgis_app):
    """QGIS Processing initialised, with the RS Embed provider registered."""
    from processing.core.Processing import Processing
    from qgis.core import QgsApplication

    from rs_embed_qgis.processing_provider.provider import RSEmbedProvider

    Processing.initialize()
    reg = QgsApplication.processingRegistry()
    provider = reg.providerById("rs_embed")
    if provider is None:
        provider = RSEmbedProvider()
        reg.addProvider(provider)
    yield provider


@pytest.fixture
def fresh_workers():
    """No warm worker from another test: each test starts its own (no model,
    client or cache state carried over between tests)."""
    from rs_embed_qgis.embedders import jobclient

    jobclient.shutdown()
    yield
    jobclient.shutdown()


@pytest.fixture
def weights_hub(loopback, tmp_path, monkeypatch):
    """``serve(repo, revision, {name: made})``: model files (``made`` = {"path", "sha256"}
    from the core's Python) on a Hub-style endpoint on 127.0.0.1; the worker
    (restarted) and the core's Python of a reference read HF_ENDPOINT and a
    fresh weights folder. Returns the endpoint (``downloads(name)``)."""
    from rs_embed_qgis.embedders import jobclient
    from fixtures_models import HFEndpoint

    (tmp_path / "hub").mkdir()
    endpoint = HFEndpoint(loopback, tmp_path / "hub")

    def serve(repo, revision, files):
        for name, made in files.items():
            assert endpoint.add(repo, name, Path(made["path"]), revision) == made["sha256"]
        monkeypatch.setenv("HF_ENDPOINT", endpoint.url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setenv("RS_EMBED_WEIGHTS_DIR", str(tmp_path / "weights"))
        monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
        jobclient.shutdown()
        return endpoint

    yield serve
    jobclient.shutdown()
