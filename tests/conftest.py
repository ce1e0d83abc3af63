"""Shared test set-up: the plugin importable as ``rs_embed_qgis``, QGIS's
Processing framework with our provider, a loopback HTTP server, and an
isolated cache for every test."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PKG_PARENT = REPO / ".build" / "pkg"
QGIS_PLUGINS = Path("/usr/share/qgis/python/plugins")


def _link_package():
    """Expose the repository root as the package ``rs_embed_qgis``."""
    PKG_PARENT.mkdir(parents=True, exist_ok=True)
    link = PKG_PARENT / "rs_embed_qgis"
    if not link.exists():
        try:
            link.symlink_to(REPO, target_is_directory=True)
        except FileExistsError:
            pass
    if str(PKG_PARENT) not in sys.path:
        sys.path.insert(0, str(PKG_PARENT))
    if QGIS_PLUGINS.is_dir() and str(QGIS_PLUGINS) not in sys.path:
        sys.path.append(str(QGIS_PLUGINS))


_link_package()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

from loopback import LoopbackServer, free_env_proxies  # noqa: E402

free_env_proxies()


def pytest_configure(config):
    config.addinivalue_line("markers", "network: needs the internet (opt-in: -m network)")
    config.addinivalue_line("markers", "slow: slow test")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Every test gets its own cache folder and no leftover settings."""
    from rs_embed_qgis.embedders import config as cfg

    cache = tmp_path / "rs_embed_cache"
    monkeypatch.setenv("RS_EMBED_CACHE_DIR", str(cache))
    for var in [v for v in os.environ if v.startswith("RS_EMBED_") and not v.endswith(("_CACHE_DIR", "_LIVE"))]:
        monkeypatch.delenv(var, raising=False)
    saved = dict(cfg._overrides)
    cfg._overrides.clear()
    yield cache
    cfg._overrides.clear()
    cfg._overrides.update(saved)


@pytest.fixture
def loopback():
    """Factory: ``loopback(root, routes=None)`` starts a server on 127.0.0.1."""
    servers = []

    def start(root, routes=None):
        srv = LoopbackServer(root, routes).start()
        servers.append(srv)
        return srv

    yield start
    for s in servers:
        s.stop()


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
