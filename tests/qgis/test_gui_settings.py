"""Settings round trip: the options page writes rs_embed/... QgsSettings, the
bridge hands them to the core (configure -> get_config), the provider applies
them when it loads, and empty fields fall back to RS_EMBED_* / defaults."""
from __future__ import annotations

import pytest
from qgis.core import QgsSettings

from rs_embed_qgis.embedders.config import EARTH_SEARCH_URL, get_config
from rs_embed_qgis.gui.options import PAGE_NAME, RSEmbedOptionsFactory, RSEmbedOptionsPage
from rs_embed_qgis.processing_provider import settings as bridge


@pytest.fixture
def qsettings(qgis_app):
    """QGIS's own settings (the test profile), with no rs_embed keys before or after."""
    s = QgsSettings()
    s.remove("rs_embed")
    yield s
    s.remove("rs_embed")
    bridge.apply_settings()


def test_options_page_round_trip_reaches_the_core(qsettings, tmp_path):
    page = RSEmbedOptionsFactory().createWidget(None)
    assert isinstance(page, RSEmbedOptionsPage) and page.objectName() == PAGE_NAME
    page.cache_dir.setFilePath(str(tmp_path / "cache"))
    page.weights_dir.setFilePath(str(tmp_path / "weights"))
    page.ee_project.setText("my-ee-project")
    page.stac_url.setText("http://127.0.0.1:8000/stac")
    page.device.setCurrentIndex(page.device.findData("cpu"))
    page.batch_size.setValue(3)
    page.max_roi.setValue(40)
    page.copernicus_path.setFilePath(str(tmp_path / "embed_map_310k.tif"))
    page.apply()

    assert qsettings.value("rs_embed/ee_project") == "my-ee-project"
    assert qsettings.value("rs_embed/batch_size") == "3"
    cfg = get_config()
    assert cfg.cache_dir == tmp_path / "cache" and cfg.weights_dir == tmp_path / "weights"
    assert (cfg.ee_project, cfg.stac_url, cfg.device) == ("my-ee-project", "http://127.0.0.1:8000/stac", "cpu")
    assert (cfg.batch_size, cfg.max_roi_km2) == (3, 40.0)
    assert cfg.copernicus_path == tmp_path / "embed_map_310k.tif"

    again = RSEmbedOptionsPage()  # a new page shows what was stored
    assert again.values() == page.values()


def test_cleared_fields_fall_back_to_environment_and_defaults(qsettings, monkeypatch, tmp_path, isolated_cache):
    bridge.write_settings({"ee_project": "p1", "max_roi_km2": 10, "device": "cuda"})
    bridge.apply_settings()
    assert (get_config().ee_project, get_config().max_roi_km2, get_config().device) == ("p1", 10.0, "cuda")
    page = RSEmbedOptionsPage()
    page.ee_project.setText("")
    page.max_roi.setValue(0)        # "default"
    page.device.setCurrentIndex(0)  # "default (auto)"
    monkeypatch.setenv("RS_EMBED_EE_PROJECT", "from-env")
    page.apply()
    assert not qsettings.contains("rs_embed/ee_project") and not qsettings.contains("rs_embed/max_roi_km2")
    cfg = get_config()
    assert (cfg.ee_project, cfg.max_roi_km2, cfg.device) == ("from-env", 2500.0, "auto")
    assert cfg.cache_dir == isolated_cache and cfg.stac_url == EARTH_SEARCH_URL


def test_provider_applies_settings_when_it_loads(qsettings, rs_provider, tmp_path):
    qsettings.setValue("rs_embed/weights_dir", str(tmp_path / "w"))
    qsettings.setValue("rs_embed/batch_size", "5")
    assert get_config().batch_size == 8
    rs_provider.refreshAlgorithms()  # what QGIS and qgis_process do when loading the provider
    assert get_config().weights_dir == tmp_path / "w" and get_config().batch_size == 5


def test_a_malformed_setting_is_skipped_not_fatal(qsettings):
    qsettings.setValue("rs_embed/device", "tpu")
    qsettings.setValue("rs_embed/batch_size", "lots")
    qsettings.setValue("rs_embed/ee_project", "ok-project")
    applied = bridge.apply_settings()
    assert applied["device"] is None and applied["batch_size"] is None
    cfg = get_config()
    assert (cfg.device, cfg.batch_size, cfg.ee_project) == ("auto", 8, "ok-project")
    with pytest.raises(ValueError, match="device must be one of"):
        bridge.write_settings({"device": "tpu"})
    with pytest.raises(KeyError, match="Unknown RS Embed setting"):
        bridge.write_settings({"colour": "red"})


def test_every_config_field_has_a_setting():
    from dataclasses import fields

    from rs_embed_qgis.embedders.config import Config

    assert set(bridge.FIELDS) == {f.name for f in fields(Config)}
    assert all(bridge.key(n) == "rs_embed/" + n for n in bridge.FIELDS)
