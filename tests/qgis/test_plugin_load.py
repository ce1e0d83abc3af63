"""The plugin loads light and complete, as QGIS and qgis_process load it."""
import json
import os
import subprocess
import sys
from pathlib import Path

from rs_embed_qgis.processing_provider.provider import ALGORITHMS

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "torchvision", "timm", "open_clip", "torchgeo", "ee", "geotessera",
         "pystac_client", "huggingface_hub", "sklearn", "planetary_computer")

PROBE = r"""
import json, sys
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
import rs_embed_qgis
plugin = rs_embed_qgis.classFactory(None)
plugin.initProcessing()
provider = QgsApplication.processingRegistry().providerById("rs_embed")
algs = provider.algorithms()
for a in algs:
    a.shortHelpString()
    [p.name() for p in a.parameterDefinitions()]
out = {"ids": sorted(a.id() for a in algs), "errors": provider.load_errors,
       "heavy": [m for m in %r if m in sys.modules],
       "names": {a.id(): a.displayName() for a in algs}, "groups": sorted({a.groupId() for a in algs})}
plugin.unload()
out["after_unload"] = QgsApplication.processingRegistry().providerById("rs_embed") is None
print("RESULT" + json.dumps(out))
app.exitQgis()
""" % (HEAVY,)


def run_probe():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(REPO / ".build" / "pkg")] + sys.path[1:]))
    proc = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          timeout=300)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    assert line, proc.stdout + proc.stderr
    return json.loads(line[0][6:])


def test_provider_lists_every_algorithm_without_heavy_imports():
    res = run_probe()
    assert res["errors"] == {}
    assert res["ids"] == sorted(f"rs_embed:{m}" for m, _ in ALGORITHMS)
    assert res["heavy"] == [], f"heavy modules imported at load: {res['heavy']}"
    assert res["after_unload"] is True
    assert all(g == g.lower() for g in res["groups"])


def test_metadata_is_complete():
    import configparser

    cp = configparser.ConfigParser()
    cp.read(REPO / "metadata.txt")
    g = cp["general"]
    for key in ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email",
                "repository", "tags", "icon"):
        assert g.get(key), key
    assert g["qgisMinimumVersion"] == "3.22" and g["hasProcessingProvider"] == "yes"
    from rs_embed_qgis.embedders import __version__

    assert g["version"] == __version__


def test_core_never_imports_qgis():
    offenders = []
    for f in (REPO / "embedders").rglob("*.py"):
        text = f.read_text()
        if "import qgis" in text or "from qgis" in text:
            offenders.append(str(f.relative_to(REPO)))
    assert offenders == []
