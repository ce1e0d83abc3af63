"""`make deploy`: enable the plugin in a QGIS profile and, when a Python of the
core is named, store it as the setting "Python of the core" (rs_embed/python);
otherwise the plugin uses the environment set up in the profile's data folder.
Removes the PYTHONPATH entry that earlier releases added: QGIS's Python no
longer needs the core's packages.

    python3 scripts/deploy_settings.py PROFILE_DIR [CORE_PYTHON]
"""
import sys
from pathlib import Path

from qgis.PyQt.QtCore import QSettings

PYTHON_KEY = "rs_embed/python"   # the same key as qgis_common/worker.py


def main(profile, core_python=""):
    ini = Path(profile) / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    s = QSettings(str(ini), QSettings.IniFormat)
    s.setValue("PythonPlugins/rs_embed_qgis", True)
    old = [str(e) for e in (s.value("qgis/customEnvVars") or [])]
    kept = [e for e in old if "PYTHONPATH" not in e]
    if kept != old:
        s.setValue("qgis/customEnvVars", kept)
        print("removed the PYTHONPATH entry an earlier release added")
    if core_python:
        if not Path(core_python).exists():
            sys.exit(f"No Python at {core_python}")
        s.setValue(PYTHON_KEY, core_python)
        print(f"Python of the core: {core_python}")
    else:
        s.remove(PYTHON_KEY)   # the environment in the profile's data folder
    s.sync()
    print(f"enabled rs_embed_qgis in {ini}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
