"""Toolbar button and Raster › RS Embed menu: embed a drawn extent, set up
RS Embed, check the environment, open the settings page."""
from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsDistanceArea, QgsGeometry, QgsProject, QgsTask
from qgis.PyQt.QtWidgets import QAction, QMessageBox

from ..qgis_common.icons import icon
from ..qgis_common.numbers import coords
from ..qgis_common.params import tr

MENU = "RS Embed"


class PluginActions:
    def __init__(self, iface):
        self.iface = iface
        self.actions = []
        self.tool = None
        self.options_factory = None
        self.toolbar = None
        self.tasks = []          # Python references to running/queued tasks (sip)
        self.env_dialog = None
        self.setup_task = None

    # -- set-up ------------------------------------------------------------
    def setup(self):
        from .maptool import ExtentMapTool
        from .options import RSEmbedOptionsFactory

        mw = self.iface.mainWindow()
        self.embed_action = QAction(icon("embed_extent"), tr("Embed drawn extent"), mw)
        self.embed_action.setToolTip(tr("Drag a rectangle on the map and embed it with foundation models"))
        self.embed_action.setCheckable(True)
        self.embed_action.triggered.connect(self.activate_tool)
        self.env_action = QAction(icon("check_environment"), tr("Check environment..."), mw)
        self.env_action.triggered.connect(self.show_environment)
        self.setup_action = QAction(icon("family_tools"), tr("Set up RS Embed..."), mw)
        self.setup_action.setToolTip(tr("Create RS Embed's own Python environment and install the core and "
                                        "the precomputed products into it"))
        self.setup_action.triggered.connect(self.set_up)
        self.settings_action = QAction(icon("settings"), tr("Settings..."), mw)
        self.settings_action.triggered.connect(self.show_settings)
        self.actions = [self.embed_action, self.setup_action, self.env_action, self.settings_action]

        self.toolbar = self.iface.addToolBar(tr("RS Embed"))
        self.toolbar.setObjectName("RSEmbedToolbar")
        self.toolbar.addAction(self.embed_action)
        self.toolbar.addAction(self.env_action)
        add_menu = getattr(self.iface, "addPluginToRasterMenu", None) or self.iface.addPluginToMenu
        for a in self.actions:
            add_menu(MENU, a)

        self.tool = ExtentMapTool(self.iface.mapCanvas())
        self.tool.setAction(self.embed_action)
        self.tool.extentDrawn.connect(self.on_extent)

        if hasattr(self.iface, "registerOptionsWidgetFactory"):
            self.options_factory = RSEmbedOptionsFactory()
            self.iface.registerOptionsWidgetFactory(self.options_factory)

    def teardown(self):
        canvas = self.iface.mapCanvas()
        if self.tool is not None:
            if canvas.mapTool() is self.tool:
                canvas.unsetMapTool(self.tool)
            self.tool.clear()
            self.tool = None
        remove_menu = getattr(self.iface, "removePluginRasterMenu", None) or getattr(
            self.iface, "removePluginMenu", None)
        for a in self.actions:
            if remove_menu is not None:
                remove_menu(MENU, a)
        self.actions = []
        if self.toolbar is not None:
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.options_factory is not None:
            self.iface.unregisterOptionsWidgetFactory(self.options_factory)
            self.options_factory = None
        if self.env_dialog is not None:
            self.env_dialog.close()
            self.env_dialog.deleteLater()
            self.env_dialog = None

    # -- embed drawn extent --------------------------------------------------
    def activate_tool(self):
        canvas = self.iface.mapCanvas()
        if canvas.mapTool() is not self.tool:
            canvas.setMapTool(self.tool)

    def on_extent(self, rect, crs):
        """The user released the mouse: ask for the run's options, then queue it."""
        from ..embedders.errors import RSEmbedError
        from .dialog import EmbedExtentDialog, family_state
        from .task import bbox_from_extent

        context = QgsProject.instance().transformContext()
        try:
            bbox = bbox_from_extent(rect, crs, context)
        except RSEmbedError as exc:
            self.tool.clear()
            self.iface.messageBar().pushMessage(tr("RS Embed"), str(exc), Qgis.Warning, 8)
            return
        w, s, e, n = bbox.bounds_4326()
        text = "{} ({})\n{}: {} .. {}".format(
            rect.toString(2), crs.authid(), tr("lon/lat"), coords((w, s)), coords((e, n)))
        dialog = EmbedExtentDialog(text, extent_area_km2(rect, crs, context), self.iface.mainWindow(),
                                   families=family_state())
        accepted = dialog.exec_()
        self.tool.clear()
        if accepted:
            self.start_run(dialog.spec, bbox)

    def start_run(self, spec, bbox) -> QgsTask:
        """Queue one run in QGIS's task manager and keep a reference to it."""
        from .task import EmbedExtentTask

        task = EmbedExtentTask(spec, bbox, message_bar=self.iface.messageBar(), project=QgsProject.instance())
        self.tasks = [t for t in self.tasks if not _done(t)] + [task]
        QgsApplication.taskManager().addTask(task)
        return task

    # -- set-up ------------------------------------------------------------------
    def set_up(self, confirm=True):
        """Set up RS Embed (core and precomputed products) as a background task."""
        from ..qgis_common import core_env
        from .env_tasks import start_setup

        if self.setup_task is not None and not self.setup_task.done:
            return self.setup_task
        if confirm and QMessageBox.question(
                self.iface.mainWindow(), tr("Set up RS Embed"),
                tr("Create RS Embed's own Python environment in\n{}\nand install the core and the precomputed "
                   "products ({}) into it? This downloads about 300 MB. Progress shows in the task manager; "
                   "the toolbox algorithm 'Set up RS Embed' offers more choices (other families, a Python of "
                   "your choice, an offline folder of wheels).").format(
                    core_env.env_dir(), ", ".join(core_env.DEFAULT_FAMILIES))) != QMessageBox.Yes:
            return None
        self.setup_task = start_setup(message_bar=self.iface.messageBar())
        return self.setup_task

    # -- environment and settings ---------------------------------------------
    def show_environment(self):
        from .env_dialog import EnvironmentDialog

        if self.env_dialog is None:
            self.env_dialog = EnvironmentDialog(self.iface.mainWindow(), self.iface.messageBar())
        self.env_dialog.show()
        self.env_dialog.raise_()
        self.env_dialog.refresh()

    def show_settings(self):
        from .options import PAGE_NAME

        self.iface.showOptionsDialog(self.iface.mainWindow(), currentPage=PAGE_NAME)


def extent_area_km2(rect, crs, transform_context):
    """Area on the WGS84 ellipsoid of a rectangle drawn in ``crs`` (its
    outline densified, so projected edges follow their true course); None
    when it cannot be measured."""
    da = QgsDistanceArea()
    da.setSourceCrs(crs, transform_context)
    da.setEllipsoid("WGS84")
    try:
        outline = QgsGeometry.fromRect(rect).densifyByCount(64)
        return da.measureArea(outline) / 1e6  # m² on the ellipsoid -> km²
    except Exception:  # a CRS QGIS cannot transform: no area shown, the core checks the size
        return None


def _done(task):
    """True once the task's finished() ran on the main thread (only then may
    the Python reference go)."""
    return bool(getattr(task, "done", False))
