"""Set-up shared by both test suites (stdlib and pytest only: it is loaded by
the core's environment for ``tests/core`` and by QGIS's Python for
``tests/qgis``): the plugin importable as ``rs_embed_qgis``, the support
modules on the path, a loopback HTTP server, an isolated cache per test."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PKG_PARENT = REPO / ".build" / "pkg"
SUPPORT = Path(__file__).resolve().parent / "support"


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


_link_package()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(SUPPORT))

from loopback import LoopbackServer, free_env_proxies  # noqa: E402

free_env_proxies()


def pytest_configure(config):
    config.addinivalue_line("markers", "network: needs the internet (opt-in: -m network)")
    config.addinivalue_line("markers", "slow: slow test")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Every test gets its own cache folder and no leftover RS_EMBED_* settings
    (RS_EMBED_PYTHON, the worker's Python chosen by the suite, is kept)."""
    cache = tmp_path / "rs_embed_cache"
    monkeypatch.setenv("RS_EMBED_CACHE_DIR", str(cache))
    keep = ("_CACHE_DIR", "_LIVE", "RS_EMBED_PYTHON")
    for var in [v for v in os.environ if v.startswith("RS_EMBED_") and not v.endswith(keep)]:
        monkeypatch.delenv(var, raising=False)
    yield cache


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
