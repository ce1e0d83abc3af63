"""Enable the plugin in a QGIS profile and let that QGIS find the venv's
packages (Settings > System > Environment: PYTHONPATH appended)."""
import sys
from pathlib import Path

from qgis.PyQt.QtCore import QSettings

profile, site = Path(sys.argv[1]), sys.argv[2]
ini = profile / "QGIS" / "QGIS3.ini"
ini.parent.mkdir(parents=True, exist_ok=True)
s = QSettings(str(ini), QSettings.IniFormat)
s.setValue("PythonPlugins/rs_embed_qgis", True)
env = [e for e in (s.value("qgis/customEnvVars") or []) if "PYTHONPATH" not in str(e)]
env.append(f"append|PYTHONPATH=:{site}")
s.setValue("qgis/customEnvVars", env)
s.setValue("qgis/customEnvVarsUse", True)
s.sync()
print(f"enabled rs_embed_qgis in {ini}; PYTHONPATH gets {site}")
