"""Settings round trip: the options page writes rs_embed/... QgsSettings; every
job carries them to the core's worker as its config (nothing is applied in
QGIS's process), a warm worker takes the values of each job, and empty fields
fall back to RS_EMBED_* / defaults there. 'Python of the core' chooses the
worker's Python."""
from __future__ import annotations

import os

import pytest
from qgis.core import QgsSettings
from qgis.PyQt.QtWidgets import QGroupBox

from rs_embed_qgis.gui.options import PAGE_NAME, RSEmbedOptionsFactory, RSEmbedOptionsPage
from rs_embed_qgis.qgis_common import settings as bridge
from rs_embed_qgis.qgis_common import worker


@pytest.fixture
def qsettings(qgis_app):
    """QGIS's own settings (the test profile), with no rs_embed keys before or after."""
    s = QgsSettings()
    s.remove("rs_embed")
    yield s
    s.remove("rs_embed")


def worker_config():
    """The core's config as the worker sees it for a job sent now."""
    return worker.run_core_job("environment_report", {"verify_imports": False, "with_gpu": False})["config"]


def test_options_page_round_trip_reaches_the_worker(qsettings, tmp_path, fresh_workers):
    page = RSEmbedOptionsFactory().createWidget(None)
    assert isinstance(page, RSEmbedOptionsPage) and page.objectName() == PAGE_NAME
    assert [b.title() for b in page.findChildren(QGroupBox)] == [
        "Core environment", "Data and cache", "Data sources", "Computation", "Downloads", "Cache"]
    page.cache_dir.setFilePath(str(tmp_path / "cache"))
    page.weights_dir.setFilePath(str(tmp_path / "weights"))
    page.ee_project.setText("my-ee-project")
    page.stac_url.setText("http://127.0.0.1:8000/stac")
    page.device.setCurrentIndex(page.device.findData("cpu"))
    page.batch_size.setValue(3)
    page.max_roi.setValue(40)
    page.copernicus_path.setFilePath(str(tmp_path / "embed_map_310k.tif"))
    page.download_stall.setValue(20)
    page.apply()

    assert qsettings.value("rs_embed/ee_project") == "my-ee-project"
    assert qsettings.value("rs_embed/batch_size") == "3"
    cfg = worker_config()
    assert (cfg["cache_dir"], cfg["weights_dir"]) == (str(tmp_path / "cache"), str(tmp_path / "weights"))
    assert (cfg["ee_project"], cfg["stac_url"], cfg["device"]) == ("my-ee-project", "http://127.0.0.1:8000/stac",
                                                                    "cpu")
    assert (cfg["batch_size"], float(cfg["max_roi_km2"])) == ("3", 40.0)
    assert cfg["copernicus_path"] == str(tmp_path / "embed_map_310k.tif")
    assert (float(cfg["download_stall_s"]), float(cfg["download_deadline_s"])) == (20.0, 3600.0)

    again = RSEmbedOptionsPage()  # a new page shows what was stored
    assert again.values() == page.values()


def test_cleared_fields_fall_back_to_environment_and_defaults(qsettings, monkeypatch, isolated_cache,
                                                             fresh_workers):
    bridge.write_settings({"ee_project": "p1", "max_roi_km2": 10, "device": "cuda"})
    monkeypatch.setenv("RS_EMBED_EE_PROJECT", "from-env")   # the worker starts with this environment
    cfg = worker_config()
    assert (cfg["ee_project"], float(cfg["max_roi_km2"]), cfg["device"]) == ("p1", 10.0, "cuda")
    page = RSEmbedOptionsPage()
    page.ee_project.setText("")
    page.max_roi.setValue(0)        # "default"
    page.device.setCurrentIndex(0)  # "default (auto)"
    page.apply()
    assert not qsettings.contains("rs_embed/ee_project") and not qsettings.contains("rs_embed/max_roi_km2")
    cfg = worker_config()
    assert (cfg["ee_project"], float(cfg["max_roi_km2"]), cfg["device"]) == ("from-env", 2500.0, "auto")
    assert cfg["cache_dir"] == str(isolated_cache)


def test_a_warm_worker_takes_each_jobs_settings(qsettings, tmp_path, fresh_workers):
    from rs_embed_qgis.embedders import jobclient

    qsettings.setValue("rs_embed/batch_size", "5")
    assert worker_config()["batch_size"] == "5"
    warm = list(jobclient._idle.values())
    qsettings.setValue("rs_embed/batch_size", "7")
    qsettings.setValue("rs_embed/weights_dir", str(tmp_path / "w"))
    cfg = worker_config()
    assert (cfg["batch_size"], cfg["weights_dir"]) == ("7", str(tmp_path / "w"))
    assert list(jobclient._idle.values()) == warm  # the same worker ran both jobs
    qsettings.remove("rs_embed/batch_size")
    assert worker_config()["batch_size"] == "8"     # back to the default in that worker too


def test_python_of_the_core_setting(qsettings, monkeypatch, tmp_path):
    monkeypatch.delenv("RS_EMBED_PYTHON")
    monkeypatch.setattr(worker, "data_dir", lambda: tmp_path / "rs_embed")
    assert worker.core_python() is None           # not set up, nothing chosen
    page = RSEmbedOptionsPage()
    page.python.setFilePath("/opt/conda/envs/rs/bin/python")
    page.apply()
    assert qsettings.value(worker.PYTHON_KEY) == "/opt/conda/envs/rs/bin/python"
    assert worker.core_python() == "/opt/conda/envs/rs/bin/python"
    monkeypatch.setenv("RS_EMBED_PYTHON", "/from/env/python")
    assert worker.core_python() == "/from/env/python"   # RS_EMBED_PYTHON wins
    monkeypatch.delenv("RS_EMBED_PYTHON")
    page = RSEmbedOptionsPage()
    assert page.python_value() == "/opt/conda/envs/rs/bin/python"
    page.python.setFilePath("")
    page.apply()
    assert not qsettings.contains(worker.PYTHON_KEY) and worker.core_python() is None


def test_a_malformed_setting_is_skipped_not_fatal(qsettings):
    qsettings.setValue("rs_embed/device", "tpu")
    qsettings.setValue("rs_embed/batch_size", "lots")
    qsettings.setValue("rs_embed/ee_project", "ok-project")
    assert bridge.core_settings() == {"ee_project": "ok-project"}
    with pytest.raises(ValueError, match="device must be one of"):
        bridge.write_settings({"device": "tpu"})
    with pytest.raises(KeyError, match="Unknown RS Embed setting"):
        bridge.write_settings({"colour": "red"})


def test_every_config_field_has_a_setting(fresh_workers):
    assert set(bridge.FIELDS) == set(worker_config())
    assert all(bridge.key(n) == "rs_embed/" + n for n in bridge.FIELDS)
    assert os.environ.get("RS_EMBED_PYTHON")


def test_cache_sizes_per_kind_and_clear(qsettings, tmp_path):
    cache = tmp_path / "cache"
    (cache / "tessera" / "2024").mkdir(parents=True)
    (cache / "tessera" / "2024" / "a.npy").write_bytes(b"x" * 3000)
    (cache / "tessera" / "b.npy").write_bytes(b"x" * 1000)
    (cache / "imagery").mkdir()
    (cache / "imagery" / "s2.tif").write_bytes(b"y" * 500)
    own_weights = tmp_path / "my_weights"
    own_weights.mkdir()
    (own_weights / "model.pt").write_bytes(b"w" * 100)
    qsettings.setValue("rs_embed/cache_dir", str(cache))
    qsettings.setValue("rs_embed/weights_dir", str(own_weights))
    page = RSEmbedOptionsPage()
    page.confirm_clear = False
    assert [b.title() for b in page.findChildren(QGroupBox)][-1] == "Cache"
    assert page.cache_sizes["tessera"].text() == "3.9 KB in 2 files"
    assert page.cache_sizes["imagery"].text() == "500 B in 1 files"
    assert page.cache_sizes["weights"].text() == "100 B in 1 files"
    assert not page.cache_buttons["weights"].isEnabled()  # the user's own folder is never cleared
    assert not page.cache_buttons["gse_aef"].isEnabled()  # nothing there
    page.cache_buttons["tessera"].click()
    assert not (cache / "tessera").exists() and (cache / "imagery" / "s2.tif").exists()
    assert page.cache_sizes["tessera"].text() == "0 B in 0 files"
    assert page.clear_cache("weights") is None and (own_weights / "model.pt").exists()
