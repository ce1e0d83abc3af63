"""`make demo-gui`: the QGIS desktop with RS Embed, under Xvfb. QGIS starts
with the plugin enabled, "Embed drawn extent" runs on the bundled Tessera
sample (real v1.1 format, no network) in the core's worker, the finished run
loads its styled layer group, and screenshots are saved for a person to look
at: the main window (demo_output/gui_screenshot.png), *Check environment*
opened in the desktop with torch installed in the worker's environment
(gui_check_environment.png: the check runs in the worker, so QGIS never
imports torch) and the RS Embed page of Settings > Options (gui_options.png).

Run it through `make demo-gui` (which provides the X server) with
RS_EMBED_PYTHON naming the core's Python (the Makefile's environment)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "demo_output"
PROFILES = OUT / "qgis-gui-profiles"
sys.path.insert(0, str(ROOT / "scripts"))

import tessera_sample  # noqa: E402

# Runs inside QGIS (qgis --code): start the run, wait, zoom, screenshot, quit.
STARTUP = r'''
import json, traceback
from qgis.core import QgsCoordinateTransform, QgsProject
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface, plugins

OUT, EXTENT, YEAR = {out!r}, {extent!r}, {year!r}
HEAVY = ("torch", "torchvision", "timm", "rasterio", "pyproj", "geotessera", "pandas", "sklearn", "ee")
state = {{"ticks": 0}}

def finish(status):
    try:
        with open(OUT + "/gui_status.json", "w") as f:
            json.dump(status, f)
    finally:
        QgsProject.instance().setDirty(False)
        iface.actionExit().trigger()

def grab_options():
    from qgis.PyQt.QtWidgets import QApplication, QStackedWidget

    dlg = QApplication.activeModalWidget()
    if dlg is None:
        return QTimer.singleShot(200, grab_options)
    pages = [w.currentWidget() for w in dlg.findChildren(QStackedWidget)]
    state["options_page"] = any(p is not None and p.objectName() == "rs_embed_options" for p in pages)
    dlg.grab().save(OUT + "/gui_options.png")
    dlg.reject()

def shoot():
    iface.mainWindow().grab().save(OUT + "/gui_screenshot.png")
    gui = plugins["rs_embed_qgis"].gui
    gui.show_environment()  # Raster > RS Embed > Check environment: the report comes from the worker
    state["env_ticks"] = 0
    QTimer.singleShot(200, wait_environment)

def wait_environment():
    import sys

    dlg = plugins["rs_embed_qgis"].gui.env_dialog
    state["env_ticks"] += 1
    if dlg.task is not None or (dlg.report is None and dlg.not_set_up is None and dlg.error is None):
        if state["env_ticks"] > 1800:
            return finish({{"ok": False, "error": "Check environment did not answer in 3 minutes"}})
        return QTimer.singleShot(100, wait_environment)
    dlg.browser.verticalScrollBar().setValue(0)
    QTimer.singleShot(800, lambda: grab_environment(dlg, sys))

def grab_environment(dlg, sys):
    dlg.grab().save(OUT + "/gui_check_environment.png")
    report = dlg.report or {{}}
    torch = (report.get("packages") or {{}}).get("torch") or {{}}
    state["environment"] = {{"python": report.get("python"), "torch": torch.get("installed"),
                            "gpu": (report.get("gpu") or {{}}).get("summary"), "error": dlg.error or dlg.not_set_up,
                            "heavy_in_qgis": [m for m in HEAVY if m in sys.modules]}}
    dlg.close()
    QTimer.singleShot(1500, grab_options)  # runs inside the modal options dialog below
    plugins["rs_embed_qgis"].gui.show_settings()  # Settings > Options opened at the RS Embed page
    task, env = state["task"], state["environment"]
    finish({{"ok": bool(task.succeeded) and state.get("options_page", False) and bool(env["torch"])
                   and not env["heavy_in_qgis"] and not env["error"],
             "group": task.group.name() if task.group else None, "options_page": state.get("options_page"),
             "layers": [l.name() for l in task.layers], "failures": task.failures, "environment": env}})

def wait():
    task = state["task"]
    state["ticks"] += 1
    if not task.done:
        if state["ticks"] > 1200:
            return finish({{"ok": False, "error": "the task did not finish in 2 minutes"}})
        return QTimer.singleShot(100, wait)
    if not task.layers:
        return finish({{"ok": False, "failures": task.failures}})
    canvas = iface.mapCanvas()
    pca = task.layers[0]
    xform = QgsCoordinateTransform(pca.crs(), canvas.mapSettings().destinationCrs(), QgsProject.instance())
    canvas.setExtent(xform.transformBoundingBox(pca.extent()).buffered(300))
    canvas.refresh()
    canvas.mapCanvasRefreshed.connect(lambda: QTimer.singleShot(1500, shoot))

def start():
    try:
        from rs_embed_qgis.embedders.specs import BBox
        from rs_embed_qgis.gui.task import RunSpec

        iface.mainWindow().resize(1600, 1000)
        iface.mainWindow().showMaximized()
        toolbox = plugins["processing"].toolbox  # show our algorithms with their icons
        toolbox.setUserVisible(True)
        toolbox.searchBox.setText("rs_embed")
        gui = plugins["rs_embed_qgis"].gui
        spec = RunSpec(models=["tessera"], out_dir=OUT + "/gui_run", year=YEAR)
        state["task"] = gui.start_run(spec, BBox(*EXTENT))
        QTimer.singleShot(100, wait)
    except Exception:
        finish({{"ok": False, "error": traceback.format_exc()}})

QTimer.singleShot(3000, start)
'''


def write_profile():
    ini = PROFILES / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_text(
        "[PythonPlugins]\nrs_embed_qgis=true\nprocessing=true\n\n"
        "[qgis]\ncheckVersion=false\nshowTips322=false\nallowVersionCheck=false\n"
        "\n[core]\nNewsFeed\\httpsfeedqgisorg\\disabled=true\n")


def core_python():
    py = os.environ.get("RS_EMBED_PYTHON", "")
    if not py or not Path(py).exists():
        raise SystemExit("Set RS_EMBED_PYTHON to the core's Python (make demo-gui does), or run Set up RS Embed.")
    return py


def qgis_env():
    site = [p for p in sys.path if p.endswith("site-packages")]
    env = dict(os.environ)
    env.update({
        "QGIS_CUSTOM_CONFIG_PATH": str(PROFILES),
        "QGIS_PLUGINPATH": str(ROOT / ".build" / "pkg"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / ".build" / "pkg")] + site),
        "RS_EMBED_CACHE_DIR": str(OUT / "cache"),
    })
    env.setdefault("QT_QPA_PLATFORM", "xcb")
    env.update(tessera_sample.demo_env(OUT / "sample"))
    env["RS_EMBED_PYTHON"] = core_python()
    return env


def main():
    if not os.environ.get("DISPLAY"):
        raise SystemExit("No X display: run `make demo-gui` (it starts Xvfb through xvfb-run).")
    OUT.mkdir(exist_ok=True)
    print("1/3 Preparing the bundled Tessera sample (real v1.1 format, no network) ...")
    subprocess.run([core_python(), str(ROOT / "scripts" / "tessera_sample.py"), "demo", str(OUT / "sample")],
                   check=True, stdout=subprocess.DEVNULL)
    write_profile()
    for name in ("gui_screenshot.png", "gui_check_environment.png", "gui_options.png", "gui_status.json"):
        (OUT / name).unlink(missing_ok=True)
    code = OUT / "demo_gui_startup.py"
    code.write_text(STARTUP.format(out=str(OUT), extent=tuple(tessera_sample.DEMO_EXTENT),
                                   year=tessera_sample.DEMO_YEAR))
    print("2/3 Starting QGIS with RS Embed; 'Embed drawn extent' runs in the task manager ...")
    try:
        proc = subprocess.run(["qgis", "--nologo", "--noversioncheck", "--code", str(code)],
                              env=qgis_env(), capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        raise SystemExit("QGIS did not quit within 5 minutes (a crash shows QGIS's crash dialog and waits).")
    status_file = OUT / "gui_status.json"
    status = json.loads(status_file.read_text()) if status_file.exists() else {}
    if not status.get("ok") or proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"The GUI demo failed: {status or 'no status'}; QGIS exited with {proc.returncode}")
    print(f"3/3 Loaded into the group '{status['group']}': {', '.join(status['layers'])}")
    env = status["environment"]
    print(f"Check environment ran in {env['python']} (torch {env['torch']}; {env['gpu']}); "
          f"QGIS itself imported none of {', '.join(('torch', 'rasterio', 'pyproj'))}")
    print(f"\nScreenshot of the QGIS main window: {OUT / 'gui_screenshot.png'}")
    print(f"Screenshot of Check environment: {OUT / 'gui_check_environment.png'}")
    print(f"Screenshot of Settings > Options > RS Embed: {OUT / 'gui_options.png'}")


if __name__ == "__main__":
    main()
